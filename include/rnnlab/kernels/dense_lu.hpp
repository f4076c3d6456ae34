#pragma once
/// \file kernels/dense_lu.hpp
/// Small dense factorisations in double for the fixed-point solver's Newton and
/// Levenberg–Marquardt steps (n ≈ 50, one factorisation per iteration): an LU with partial pivoting
/// (`dense_lu<Isa>`, on Jᵀ, AVX-512 or portable loops) and an in-place Cholesky
/// (`cholesky_in_place`, `cholesky_solve_in_place`). Neither allocates after construction.
///
/// The vector path follows the one SIMD switch (kernels/simd.hpp): `dense_lu<simd_isa::portable>`
/// and `dense_lu<simd_isa::avx512>` are different types and may be used in one program; the
/// default is `native_isa`.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

#include <rnnlab/kernels/simd.hpp>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace rnnlab::detail {

/// LU factorisation with pivoting of a small dense n × n matrix J, for the Newton steps of the
/// fixed-point solver (analysis/dynamics/fixed_point_solver.hpp) (n ≈ 50, one factorisation per iteration).
///
/// Eigen's PartialPivLU runs its blocked algorithm (with a GEMM-based update and an rcond
/// estimate of several extra triangular solves) even at n = 50, where the call overhead is most of
/// the work. Here the textbook right-looking elimination (Golub & Van Loan, Alg. 3.4.1) runs on
/// Jᵀ: the matrix is filled column-major as J, so its columns are the rows of Jᵀ, contiguous and
/// (with the leading dimension padded to whole 8-double vectors) aligned. Elimination with
/// partial pivoting on Jᵀ, P Jᵀ = L U, is Gaussian elimination on J with column pivoting (as stable
/// as row pivoting); J δ = r is then Uᵀ z = r, Lᵀ w = z, δ = Pᵀ w. Every inner loop is a
/// contiguous row operation: row swaps, the rank-one update of the trailing rows (one pivot-row
/// vector against all rows below it), and both triangular solves as row AXPYs. With AVX-512 these
/// run on whole 8-double vectors with a lane mask at the first (the update) or last (the solves)
/// vector; elsewhere as plain loops the compiler vectorises. It never allocates after
/// construction. (At n = 50 it measured 3–4× faster than the column-major version it replaced,
/// whose short unaligned column loops and strided row swaps ran at ≈ 8 GFLOP/s.)
///
/// Near-singularity is judged from the pivots: `factor` returns false if some pivot is zero or
/// not above `1e-12 · max |u_kk|` (a LINPACK-style growth test; the caller then falls back to
/// Levenberg–Marquardt, which handles singular J, so a missed near-singular case costs a rejected
/// Newton step, never a wrong root: roots are certified by their residual alone).
template <simd_isa Isa = native_isa>
class dense_lu {
#if !defined(__AVX512F__)
  static_assert(Isa != simd_isa::avx512, "rnnlab::detail::dense_lu: the AVX-512 variant needs a compiler targeting AVX-512F");
#endif
public:
  static constexpr simd_isa isa = Isa;
  /// Doubles per vector: the leading dimension is padded to whole vectors.
  static constexpr Eigen::Index lanes = Isa == simd_isa::avx512 ? 8 : 1;
  explicit dense_lu(Eigen::Index n = 0)
      : m_n(n), m_ld((n + lanes - 1) / lanes * lanes), m_buf(Eigen::MatrixXd::Zero(m_ld, n)), m_piv(n), m_inv(n) {}

  /// The buffer to fill with J (n × n, column-major) before `factor()`, which factors it in place.
  auto matrix() noexcept { return m_buf.topRows(m_n); }

  /// Factors matrix() in place; false if it is (numerically) singular.
  bool factor() noexcept {
    const Eigen::Index n = m_n, ld = m_ld;
    double* a = m_buf.data();  // row r of Jᵀ at a + r·ld
    double pmax = 0.0, pmin = std::numeric_limits<double>::infinity();
    for (Eigen::Index k = 0; k < n; ++k) {
      Eigen::Index p = k;
      double best = std::fabs(a[k * ld + k]);
      for (Eigen::Index i = k + 1; i < n; ++i) {
        const double v = std::fabs(a[i * ld + k]);
        if (v > best) {
          best = v;
          p = i;
        }
      }
      m_piv(k) = p;
      if (!(best > 0.0) || !std::isfinite(best)) return false;
      pmax = std::max(pmax, best);
      pmin = std::min(pmin, best);
      if (p != k) {
        double* __restrict rk = a + k * ld;
        double* __restrict rp = a + p * ld;
        for (Eigen::Index j = 0; j < ld; ++j) std::swap(rk[j], rp[j]);
      }
      const double* rk = a + k * ld;
      const double inv = 1.0 / rk[k];
      m_inv(k) = inv;
      for (Eigen::Index i = k + 1; i < n; ++i) a[i * ld + k] *= inv;  // the multipliers, column k of L
      update_trailing(a, k);
    }
    return pmin > 1e-12 * pmax;
  }

  /// b ← J⁻¹ b for the factored J.
  void solve_in_place(Eigen::VectorXd& b) const noexcept {
    const Eigen::Index n = m_n;
    double* x = b.data();
#if defined(__AVX512F__)
    if constexpr (Isa == simd_isa::avx512) {
    switch (m_ld / 8) {  // n ≤ 64: the whole vector in registers through both substitutions
      case 1: solve_in_registers<1>(x); break;
      case 2: solve_in_registers<2>(x); break;
      case 3: solve_in_registers<3>(x); break;
      case 4: solve_in_registers<4>(x); break;
      case 5: solve_in_registers<5>(x); break;
      case 6: solve_in_registers<6>(x); break;
      case 7: solve_in_registers<7>(x); break;
      case 8: solve_in_registers<8>(x); break;
      default: solve_in_memory(x); break;
    }
    } else
#endif
    {
      solve_in_memory(x);
    }
    for (Eigen::Index k = n - 1; k >= 0; --k)  // δ = Pᵀ w
      if (m_piv(k) != k) std::swap(x[k], x[m_piv(k)]);
  }

private:
  /// Uᵀ z = r, then Lᵀ w = z, in x (row AXPYs on memory).
  void solve_in_memory(double* x) const noexcept {
    const Eigen::Index n = m_n, ld = m_ld;
    const double* a = m_buf.data();
    for (Eigen::Index j = 0; j < n; ++j) {  // Uᵀ z = r: z_j final, then r_i −= U(j, i) z_j for i > j
      x[j] *= m_inv(j);
      axpy_neg(x + j + 1, a + j * ld + j + 1, x[j], n - j - 1);
    }
    for (Eigen::Index j = n - 1; j > 0; --j)  // Lᵀ w = z (unit diagonal): z_i −= L(j, i) w_j for i < j
      axpy_neg(x, a + j * ld, x[j], j);
  }

#if defined(__AVX512F__)
  /// The same with x held in NV vector registers (n ≤ 8·NV): every index below is a constant
  /// once the loops are unrolled, so nothing goes through memory but the factors' rows. Lanes
  /// ≥ n carry padding and are never stored.
  template <std::size_t NV>
  void solve_in_registers(double* x) const noexcept {
    const Eigen::Index n = m_n, ld = m_ld;
    const double* a = m_buf.data();
    const auto tail = static_cast<__mmask8>((1u << (n - 8 * static_cast<Eigen::Index>(NV - 1))) - 1u);
    __m512d v[NV];
#pragma GCC unroll 8
    for (std::size_t q = 0; q < NV; ++q)
      v[q] = q + 1 == NV ? _mm512_maskz_loadu_pd(tail, x + 8 * q) : _mm512_loadu_pd(x + 8 * q);
#pragma GCC unroll 8
    for (std::size_t q = 0; q < NV; ++q) {  // Uᵀ z = r
#pragma GCC unroll 8
      for (std::size_t l = 0; l < 8; ++l) {
        const auto j = static_cast<Eigen::Index>(8 * q + l);
        if (j >= n) break;
        const double* row = a + j * ld;
        const __m512d z = _mm512_mul_pd(_mm512_permutexvar_pd(_mm512_set1_epi64(static_cast<long long>(l)), v[q]),
                                        _mm512_set1_pd(m_inv(j)));
        v[q] = _mm512_mask_mov_pd(v[q], static_cast<__mmask8>(1u << l), z);
        v[q] = _mm512_mask3_fnmadd_pd(z, _mm512_loadu_pd(row + 8 * q), v[q], static_cast<__mmask8>(0xFEu << l));
#pragma GCC unroll 8
        for (std::size_t p = q + 1; p < NV; ++p) v[p] = _mm512_fnmadd_pd(z, _mm512_loadu_pd(row + 8 * p), v[p]);
      }
    }
#pragma GCC unroll 8
    for (std::size_t r = 0; r < NV; ++r) {  // Lᵀ w = z (unit diagonal), from the last unknown back
      const std::size_t qq = NV - 1 - r;
#pragma GCC unroll 8
      for (std::size_t t = 0; t < 8; ++t) {
        const std::size_t ll = 7 - t;
        const auto j = static_cast<Eigen::Index>(8 * qq + ll);
        if (j >= n || j == 0) continue;
        const double* row = a + j * ld;
        const __m512d w = _mm512_permutexvar_pd(_mm512_set1_epi64(static_cast<long long>(ll)), v[qq]);
        v[qq] = _mm512_mask3_fnmadd_pd(w, _mm512_loadu_pd(row + 8 * qq), v[qq],
                                       static_cast<__mmask8>((1u << ll) - 1u));
#pragma GCC unroll 8
        for (std::size_t p = 0; p < qq; ++p) v[p] = _mm512_fnmadd_pd(w, _mm512_loadu_pd(row + 8 * p), v[p]);
      }
    }
#pragma GCC unroll 8
    for (std::size_t q = 0; q < NV; ++q) {
      if (q + 1 == NV)
        _mm512_mask_storeu_pd(x + 8 * q, tail, v[q]);
      else
        _mm512_storeu_pd(x + 8 * q, v[q]);
    }
  }
#endif


private:
  /// y[0..len) −= s · v[0..len)  (y and v contiguous, any alignment).
  static void axpy_neg(double* __restrict y, const double* __restrict v, double s, Eigen::Index len) noexcept {
#if defined(__AVX512F__)
    if constexpr (Isa == simd_isa::avx512) {
    const __m512d sv = _mm512_set1_pd(s);
    Eigen::Index j = 0;
    for (; j + 8 <= len; j += 8)
      _mm512_storeu_pd(y + j, _mm512_fnmadd_pd(sv, _mm512_loadu_pd(v + j), _mm512_loadu_pd(y + j)));
    if (j < len) {
      const __mmask8 m = static_cast<__mmask8>((1u << (len - j)) - 1u);
      _mm512_mask_storeu_pd(y + j, m, _mm512_fnmadd_pd(sv, _mm512_maskz_loadu_pd(m, v + j), _mm512_maskz_loadu_pd(m, y + j)));
    }
    return;
    }
#endif
    for (Eigen::Index j = 0; j < len; ++j) y[j] -= s * v[j];
  }

#if defined(__AVX512F__)
  /// update_trailing for rows of NV vectors from column v0 on (mask[q]: the lanes of vector q).
  template <std::size_t NV>
  void update_rows(double* a, Eigen::Index k, Eigen::Index v0, const __mmask8* mask) const noexcept {
    const Eigen::Index n = m_n, ld = m_ld;
    __m512d pv[NV];
    for (std::size_t q = 0; q < NV; ++q) pv[q] = _mm512_maskz_loadu_pd(mask[q], a + k * ld + v0 + 8 * q);
    for (Eigen::Index i = k + 1; i < n; ++i) {
      double* r = a + i * ld + v0;
      const __m512d l = _mm512_set1_pd(a[i * ld + k]);
      for (std::size_t q = 0; q < NV; ++q)
        _mm512_mask_storeu_pd(r + 8 * q, mask[q], _mm512_fnmadd_pd(l, pv[q], _mm512_loadu_pd(r + 8 * q)));
    }
  }
#endif

  /// Rows i > k: row_i[k+1 .. n) −= l_ik · row_k[k+1 .. n), with l_ik = row_i[k] already scaled.
  void update_trailing(double* a, Eigen::Index k) const noexcept {
    const Eigen::Index n = m_n, ld = m_ld;
    const double* rk = a + k * ld;
#if defined(__AVX512F__)
    if constexpr (Isa == simd_isa::avx512) {
    // Whole vectors from the one holding column k+1 on; lanes ≤ k (the multipliers stored
    // there) and lanes ≥ n (padding) are masked off. With at most 8 vectors a row (n ≤ 64) the
    // pivot row's vectors stay in registers while every row below passes once.
    const Eigen::Index v0 = (k + 1) / 8 * 8, nv = (ld - v0) / 8;
    const auto lanes_of = [&](Eigen::Index v) {  // the lanes of the vector starting at column v
      unsigned bits = 0xFFu;
      if (v == v0) bits &= 0xFFu << ((k + 1) - v0);
      if (v + 8 > n) bits &= (1u << (n - v)) - 1u;
      return static_cast<__mmask8>(bits);
    };
    __mmask8 mask[8];
    for (Eigen::Index q = 0; q < nv && q < 8; ++q) mask[q] = lanes_of(v0 + 8 * q);
    switch (nv) {
      case 1: update_rows<1>(a, k, v0, mask); return;
      case 2: update_rows<2>(a, k, v0, mask); return;
      case 3: update_rows<3>(a, k, v0, mask); return;
      case 4: update_rows<4>(a, k, v0, mask); return;
      case 5: update_rows<5>(a, k, v0, mask); return;
      case 6: update_rows<6>(a, k, v0, mask); return;
      case 7: update_rows<7>(a, k, v0, mask); return;
      case 8: update_rows<8>(a, k, v0, mask); return;
      default: break;
    }
    for (Eigen::Index v = v0; v < ld; v += 8) {  // n > 64: a vector column at a time
      const __mmask8 m = lanes_of(v);
      const __m512d pv = _mm512_maskz_loadu_pd(m, rk + v);
      for (Eigen::Index i = k + 1; i < n; ++i) {
        double* r0 = a + i * ld + v;
        _mm512_mask_storeu_pd(r0, m, _mm512_fnmadd_pd(_mm512_set1_pd(a[i * ld + k]), pv, _mm512_loadu_pd(r0)));
      }
    }
    return;
    }
#endif
    for (Eigen::Index i = k + 1; i < n; ++i) {
      double* __restrict ri = a + i * ld;
      const double l = ri[k];
      for (Eigen::Index j = k + 1; j < n; ++j) ri[j] -= l * rk[j];
    }
  }

  Eigen::Index m_n, m_ld;
  Eigen::MatrixXd m_buf;  // ld × n: column r = row r of Jᵀ (rows ≥ n: padding, never read)
  Eigen::Matrix<Eigen::Index, Eigen::Dynamic, 1> m_piv;
  Eigen::VectorXd m_inv;  // 1 / u_kk
};

/// Cholesky factorisation A = LLᵀ of a small symmetric positive definite matrix in place (lower
/// triangle; column-oriented, contiguous inner loops, no allocation), for the Levenberg–Marquardt
/// normal equations (JᵀJ + λI)δ = −JᵀF. Returns false if a pivot is not positive (the caller
/// raises λ).
inline bool cholesky_in_place(Eigen::MatrixXd& A) noexcept {
  const Eigen::Index n = A.rows();
  double* a = A.data();
  for (Eigen::Index j = 0; j < n; ++j) {
    double* cj = a + j * n;
    for (Eigen::Index k = 0; k < j; ++k) {
      const double* ck = a + k * n;
      const double ljk = ck[j];
      if (ljk == 0.0) continue;
      for (Eigen::Index i = j; i < n; ++i) cj[i] -= ljk * ck[i];
    }
    if (!(cj[j] > 0.0) || !std::isfinite(cj[j])) return false;
    const double d = std::sqrt(cj[j]);
    cj[j] = d;
    const double inv = 1.0 / d;
    for (Eigen::Index i = j + 1; i < n; ++i) cj[i] *= inv;
  }
  return true;
}

/// b ← (LLᵀ)⁻¹ b with L from `cholesky_in_place`.
inline void cholesky_solve_in_place(const Eigen::MatrixXd& L, Eigen::VectorXd& b) noexcept {
  const Eigen::Index n = L.rows();
  const double* a = L.data();
  double* x = b.data();
  for (Eigen::Index k = 0; k < n; ++k) {  // L y = b
    const double* ck = a + k * n;
    x[k] /= ck[k];
    const double xk = x[k];
    for (Eigen::Index i = k + 1; i < n; ++i) x[i] -= xk * ck[i];
  }
  for (Eigen::Index k = n - 1; k >= 0; --k) {  // Lᵀ x = y: row k of Lᵀ is column k of L
    const double* ck = a + k * n;
    double s = x[k];
    for (Eigen::Index i = k + 1; i < n; ++i) s -= ck[i] * x[i];
    x[k] = s / ck[k];
  }
}

}  // namespace rnnlab::detail
