#pragma once
/// \file analysis/detail/fp_system.hpp
/// Internals of the fixed-point solvers: curvature bounds of the activations (for the certified
/// Newton convergence ball) and small numeric helpers.

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rnnlab/core/activations.hpp>

namespace rnnlab::detail {

template <class F>
concept fp_has_curvature_bound = requires {
  { F::max_abs_second_derivative } -> std::convertible_to<double>;
};

/// sup |f″| of an activation, or +∞ when unknown or when f′ is discontinuous (ReLU).
/// tanh″(x) = −2 tanh(x) sech²(x) reaches 4 / (3√3) at tanh² = 1/3; softplus″ = σ(1 − σ) ≤ 1/4.
/// A user-defined activation may declare `static constexpr double max_abs_second_derivative`.
template <class F>
constexpr double fp_max_abs_second_derivative() {
  if constexpr (fp_has_curvature_bound<F>)
    return static_cast<double>(F::max_abs_second_derivative);
  else if constexpr (std::is_same_v<F, activations::tanh> || std::is_same_v<F, activations::one_plus_tanh>)
    return 0.76980035891950104;  // 4 / (3 √3)
  else if constexpr (std::is_same_v<F, activations::softplus>)
    return 0.25;
  else
    return std::numeric_limits<double>::infinity();
}

template <class F>
concept fp_declares_odd = requires {
  { F::is_odd } -> std::convertible_to<bool>;
};

/// Whether f is odd, f(−x) = −f(x), exactly in floating point: tanh (std::tanh and the vectorised
/// tanh both copy the sign), or a user activation declaring `static constexpr bool is_odd = true`.
/// Then F(−x) = −F(x) whenever the drive W_in u + b is zero, and the roots are symmetric.
template <class F>
constexpr bool fp_is_odd() {
  if constexpr (fp_declares_odd<F>)
    return static_cast<bool>(F::is_odd);
  else
    return std::is_same_v<F, activations::tanh>;
}

/// An upper bound on the spectral norm ‖A‖₂: the largest eigenvalue of AᵀA from a symmetric
/// eigensolver (backward stable), inflated by a relative 1e-10 to cover its rounding.
inline double fp_spectral_norm_upper(const Eigen::MatrixXd& A) {
  if (A.size() == 0) return 0.0;
  const Eigen::MatrixXd G = A.transpose() * A;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(G, Eigen::EigenvaluesOnly);
  const double lmax = es.eigenvalues().maxCoeff();
  return std::sqrt(std::max(lmax, 0.0)) * (1.0 + 1e-10) + 1e-300;
}

/// LU factorisation with partial pivoting, PA = LU, of a small dense n × n matrix, for the
/// Newton steps of the fixed-point solver (n ≈ 50, one factorisation per iteration).
///
/// Eigen's PartialPivLU runs its blocked algorithm (with a GEMM-based update and an rcond
/// estimate of several extra triangular solves) even at n = 50, where the call overhead is most of
/// the work; this is the textbook right-looking elimination (Golub & Van Loan, Alg. 3.4.1) on a
/// preallocated column-major buffer, whose inner loops are contiguous column updates that the
/// compiler vectorises. It never allocates after construction.
///
/// Near-singularity is judged from the pivots: `factor` returns false if some pivot is zero or
/// not above `1e-12 · max |u_kk|` (a LINPACK-style growth test; the caller then falls back to
/// Levenberg–Marquardt, which handles singular J, so a missed near-singular case costs a rejected
/// Newton step, never a wrong root: roots are certified by their residual alone).
class fp_dense_lu {
public:
  explicit fp_dense_lu(Eigen::Index n = 0) : m_lu(n, n), m_piv(n) {}

  /// The buffer to fill with the matrix before `factor()` (factored in place).
  Eigen::MatrixXd& matrix() noexcept { return m_lu; }

  /// Factors matrix() in place; false if it is (numerically) singular.
  bool factor() noexcept {
    const Eigen::Index n = m_lu.rows();
    double* a = m_lu.data();
    double pmax = 0.0, pmin = std::numeric_limits<double>::infinity();
    for (Eigen::Index k = 0; k < n; ++k) {
      double* ck = a + k * n;
      Eigen::Index p = k;
      double best = std::fabs(ck[k]);
      for (Eigen::Index i = k + 1; i < n; ++i)
        if (std::fabs(ck[i]) > best) {
          best = std::fabs(ck[i]);
          p = i;
        }
      m_piv(k) = p;
      if (!(best > 0.0) || !std::isfinite(best)) return false;
      pmax = std::max(pmax, best);
      pmin = std::min(pmin, best);
      if (p != k)
        for (Eigen::Index j = 0; j < n; ++j) std::swap(a[j * n + k], a[j * n + p]);
      const double inv = 1.0 / ck[k];
      for (Eigen::Index i = k + 1; i < n; ++i) ck[i] *= inv;
      // Rank-one update of the trailing block, four columns per sweep over column k (at n ≈ 50 the
      // loop overhead per column, not the arithmetic, bounds the speed).
      Eigen::Index j = k + 1;
      for (; j + 4 <= n; j += 4) {
        double* __restrict c0 = a + j * n;
        double* __restrict c1 = c0 + n;
        double* __restrict c2 = c1 + n;
        double* __restrict c3 = c2 + n;
        const double* __restrict l = ck;
        const double a0 = c0[k], a1 = c1[k], a2 = c2[k], a3 = c3[k];
        for (Eigen::Index i = k + 1; i < n; ++i) {
          const double li = l[i];
          c0[i] -= a0 * li;
          c1[i] -= a1 * li;
          c2[i] -= a2 * li;
          c3[i] -= a3 * li;
        }
      }
      for (; j < n; ++j) {
        double* __restrict cj = a + j * n;
        const double* __restrict l = ck;
        const double akj = cj[k];
        for (Eigen::Index i = k + 1; i < n; ++i) cj[i] -= akj * l[i];
      }
    }
    return pmin > 1e-12 * pmax;
  }

  /// b ← A⁻¹ b for the factored A.
  void solve_in_place(Eigen::VectorXd& b) const noexcept {
    const Eigen::Index n = m_lu.rows();
    const double* a = m_lu.data();
    double* x = b.data();
    for (Eigen::Index k = 0; k < n; ++k)
      if (m_piv(k) != k) std::swap(x[k], x[m_piv(k)]);
    for (Eigen::Index k = 0; k < n; ++k) {  // L y = Pb, unit lower triangular, by columns
      const double xk = x[k];
      if (xk == 0.0) continue;
      const double* ck = a + k * n;
      for (Eigen::Index i = k + 1; i < n; ++i) x[i] -= xk * ck[i];
    }
    for (Eigen::Index k = n - 1; k >= 0; --k) {  // U x = y, by columns
      const double* ck = a + k * n;
      x[k] /= ck[k];
      const double xk = x[k];
      for (Eigen::Index i = 0; i < k; ++i) x[i] -= xk * ck[i];
    }
  }

private:
  Eigen::MatrixXd m_lu;
  Eigen::Matrix<Eigen::Index, Eigen::Dynamic, 1> m_piv;
};

/// Cholesky factorisation A = LLᵀ of a small symmetric positive definite matrix in place (lower
/// triangle; column-oriented, contiguous inner loops, no allocation), for the Levenberg–Marquardt
/// normal equations (JᵀJ + λI)δ = −JᵀF. Returns false if a pivot is not positive (the caller
/// raises λ).
inline bool fp_cholesky_in_place(Eigen::MatrixXd& A) noexcept {
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

/// b ← (LLᵀ)⁻¹ b with L from `fp_cholesky_in_place`.
inline void fp_cholesky_solve_in_place(const Eigen::MatrixXd& L, Eigen::VectorXd& b) noexcept {
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

/// "(r, c)", built by appending: GCC 12 at -O3 reports a false -Wrestrict on
/// "(" + std::to_string(...) chains once inlined (GCC PR 105651).
inline std::string fp_shape(Eigen::Index r, Eigen::Index c) {
  std::string s("(");
  s += std::to_string(r);
  s += ", ";
  s += std::to_string(c);
  s += ')';
  return s;
}

/// prefix + std::to_string(n) + suffix, built by appending (see fp_shape).
inline std::string fp_text(std::string_view prefix, Eigen::Index n, std::string_view suffix = {}) {
  std::string s(prefix);
  s += std::to_string(n);
  s += suffix;
  return s;
}

}  // namespace rnnlab::detail
