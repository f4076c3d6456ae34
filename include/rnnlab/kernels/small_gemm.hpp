#pragma once
/// \file kernels/small_gemm.hpp
/// A register-blocked GEMM for the recurrent products of a CTRNN sweep,
///
///     C = β C + α (A₁ B₁ + A₂ B₂ + a 1ᵀ)          (β = 0: C is written, never read)
///
/// with A₁ (m × k₁), A₂ (m × k₂) and the column a small (m, k ≲ 100: W_rec, W_in, b) and B₁, B₂,
/// C column-major with n in the hundreds (one shard's trials). A forward step of a shard is one
/// call, x_{t+1} = (1 − α) x_t + α (W_rec r_t + W_in u_t + b) with A = [W_rec | W_in], a = b,
/// β = 1 − α; a backward step is D = W_recᵀ g with A = W_recᵀ, β = 0.
///
/// Why not Eigen's GEMM: these products are sequential in t (T = 750 per sweep), so each is a
/// separate small GEMM, and Eigen repacks both operands on every call and blocks for large
/// shapes; it reaches about half the machine's FMA peak on 50 × 50 × 250. Here A is packed once
/// per sweep and stays in L1 across all steps, B is read in place (no packing), and the whole
/// k-loop runs with the output tile in registers:
///
///   - rows are split into panels of `mv` SIMD vectors (mv ≤ 7 with AVX-512's 32 registers, ≤ 4
///     with AVX2's 16); each panel is stored k-major, `mv · L` values per k, zero-padded to whole
///     vectors (L lanes), so the inner loop does mv aligned loads of A per k;
///   - the micro-kernel holds an mv × nr tile of C in registers (nr = 3 … 8 columns, as many as
///     the register file allows), and per k broadcasts nr entries of B and issues mv · nr FMAs;
///   - the last vector of the last panel is loaded/stored with a lane mask when m is not a
///     multiple of L, so no row padding leaks into C and no out-of-bounds access happens;
///   - a callback `post(c0, nc)` runs after every chunk of about 48 columns is final, while that
///     chunk is still in L1 (the activation of the new states, f′ ⊙ D, …).
///
/// `gemm_nt_accumulate` (C += G Rᵀ, the W_rec gradient over a block of steps) runs the same tile
/// with A = G read in place column by column (k-slices of 256 columns so that the slices of G and
/// R stay in cache while all tiles of C pass over them).
///
/// 256-bit vectors are used on AVX-512 machines too (with AVX-512VL's masks and 32 registers):
/// on AMD Zen 4 a 512-bit FMA costs two 256-bit ones, so the wider vectors would only add padding
/// (N = 50 in float: 64 rows for 512-bit vectors, 56 for 256-bit ones).
///
/// The instruction set is a template parameter (kernels/simd.hpp): `packed_lhs<Scalar, Isa>` packs
/// for one ISA and `small_gemm` runs the kernel of its operand's ISA; `gemm_nt_accumulate<Scalar,
/// Isa>` likewise. `simd_isa::avx2` is the 16-register AVX2 + FMA kernel, `simd_isa::avx512` the
/// 32-register one with AVX-512VL masks (256-bit vectors, see above), `simd_isa::portable`
/// evaluates the same expression with Eigen (the tests run both). The default, `native_isa`, is
/// the best the compiler targets. The result is independent of threads (no reductions across
/// calls) and of n's split into chunks (each column's k-sum is accumulated in the same order).

#include <Eigen/Core>

#include <rnnlab/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

// The loops over a tile's vectors and columns must be fully unrolled: if one is not, the
// accumulator array is indexed at run time, lives on the stack, and every k step stores it.
#if defined(__clang__)
#define RNNLAB_SMALL_GEMM_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define RNNLAB_SMALL_GEMM_UNROLL _Pragma("GCC unroll 16")
#else
#define RNNLAB_SMALL_GEMM_UNROLL
#endif

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace rnnlab::detail {

using gemm_index = Eigen::Index;

/// The left operand [A₁ | A₂] and the bias column a, packed into row panels for `small_gemm`.
/// Packing allocates only when a size changes; keep one per sweep and re-pack when A changes.
/// The panel layout depends on the ISA (its vector width and register count), which is therefore
/// part of the type; `small_gemm` runs the kernel of the ISA its operand was packed for.
template <class Scalar, simd_isa Isa = native_isa>
class packed_lhs {
public:
  static constexpr simd_isa isa = Isa;
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  /// Packs A₁ (and A₂ with the same rows, and a bias column), any Eigen expression.
  template <class D1>
  void pack(const Eigen::MatrixBase<D1>& A1) {
    pack_impl(A1, matrix(A1.rows(), 0), nullptr);
  }
  template <class D1, class D2>
  void pack(const Eigen::MatrixBase<D1>& A1, const Eigen::MatrixBase<D2>& A2) {
    pack_impl(A1, A2, nullptr);
  }
  template <class D1, class D2, class Db>
  void pack(const Eigen::MatrixBase<D1>& A1, const Eigen::MatrixBase<D2>& A2, const Eigen::MatrixBase<Db>& bias) {
    m_bias = bias;
    pack_impl(A1, A2, &m_bias);
  }

  gemm_index rows() const noexcept { return m_A1.rows(); }
  gemm_index k1() const noexcept { return m_A1.cols(); }
  gemm_index k2() const noexcept { return m_A2.cols(); }
  bool has_bias() const noexcept { return m_has_bias; }
  /// The unpacked operands (what the portable path multiplies).
  const matrix& A1() const noexcept { return m_A1; }
  const matrix& A2() const noexcept { return m_A2; }
  const vector& bias() const noexcept { return m_bias; }

  /// One panel: rows [row0, row0 + mv·L) of the padded matrix; `values` holds (k₁ + k₂) · mv · L
  /// entries k-major, then mv · L bias entries.
  struct panel {
    gemm_index row0 = 0;
    int mv = 0;
    std::size_t offset = 0;
  };
  const std::vector<panel>& panels() const noexcept { return m_panels; }
  const Scalar* values() const noexcept { return m_values.data(); }

private:
  template <class D1, class D2>
  void pack_impl(const Eigen::MatrixBase<D1>& A1, const Eigen::MatrixBase<D2>& A2, const vector* bias);

  matrix m_A1, m_A2;
  vector m_bias;
  bool m_has_bias = false;
  std::vector<panel> m_panels;
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> m_values;
};

/// C (m × n, leading dimension ldc) = β C + α (A₁ B₁ + A₂ B₂ + a 1ᵀ), B₁ (k₁ × n, ld1), B₂
/// (k₂ × n, ld2; may be null when k₂ = 0); β = 0 does not read C. `post(c0, nc)` is called once for
/// every chunk of columns [c0, c0 + nc), in order, as soon as that chunk of C is final. Runs the
/// kernel of A's ISA (`simd_isa::portable`: Eigen's product, chunk by chunk).
template <class Scalar, simd_isa Isa, class Post>
void small_gemm(const packed_lhs<Scalar, Isa>& A, const Scalar* B1, gemm_index ld1, const Scalar* B2,
                gemm_index ld2, gemm_index n, Scalar* C, gemm_index ldc, Scalar alpha, Scalar beta, Post&& post);

/// The same without a callback.
template <class Scalar, simd_isa Isa>
void small_gemm(const packed_lhs<Scalar, Isa>& A, const Scalar* B1, gemm_index ld1, const Scalar* B2,
                gemm_index ld2, gemm_index n, Scalar* C, gemm_index ldc, Scalar alpha, Scalar beta) {
  small_gemm(A, B1, ld1, B2, ld2, n, C, ldc, alpha, beta, [](gemm_index, gemm_index) {});
}

/// C (m × n, ldc) += G Rᵀ with G (m × K, ldg) and R (n × K, ldr) column-major: the weight
/// gradient Σ_t g_t r_tᵀ of a block of steps, with K = steps · trials in the thousands. Same
/// micro-kernel with the roles of the operands' strides exchanged, k blocked so that the slices of
/// G and R being multiplied stay in L1/L2 while every tile of C passes over them
/// (`simd_isa::portable`: Eigen's product).
template <class Scalar, simd_isa Isa = native_isa>
void gemm_nt_accumulate(gemm_index m, gemm_index n, gemm_index K, const Scalar* G, gemm_index ldg, const Scalar* R,
                        gemm_index ldr, Scalar* C, gemm_index ldc);

/// A leading dimension ≥ m that makes every column start on a SIMD-vector boundary (m rounded up
/// to whole vectors): G operands of gemm_nt_accumulate stored with it avoid loads that straddle
/// cache lines (3 in 4 columns of a 50-row float matrix do otherwise; 84 vs 67 GFLOP/s).
template <class Scalar, simd_isa Isa = native_isa>
gemm_index aligned_leading_dimension(gemm_index m) noexcept;

/// Whether `small_gemm` runs a SIMD micro-kernel for this ISA (false: Eigen's product).
template <simd_isa Isa = native_isa>
constexpr bool small_gemm_is_simd() noexcept {
  return Isa != simd_isa::portable;
}

// ---------------------------------------------------------------------------------------------
// Definitions

namespace gemm {

/// Columns per post-processing chunk: small enough that a chunk of C stays in L1 until `post`
/// reads it, and a multiple of the tile widths used at N ≈ 50 (3 and 4 columns).
constexpr gemm_index chunk_columns = 48;

/// The kernel an ISA runs: AVX-512 without the VL extension (no 256-bit masks; only the
/// discontinued Xeon Phi) runs the AVX2 kernel.
constexpr simd_isa kernel_isa(simd_isa isa) noexcept {
#if !(defined(__AVX512F__) && defined(__AVX512VL__))
  if (isa == simd_isa::avx512) return simd_isa::avx2;
#endif
  return isa;
}

/// Register file and panel height of each kernel: mv ≤ 7 vectors with AVX-512's 32 registers,
/// ≤ 4 with AVX2's 16; the portable path packs one row per "vector".
template <simd_isa Isa>
struct isa_shape {
  static constexpr int vector_registers = 16;
  static constexpr int max_panel_vectors = 1;
};
template <>
struct isa_shape<simd_isa::avx2> {
  static constexpr int vector_registers = 16;
  static constexpr int max_panel_vectors = 4;
};
template <>
struct isa_shape<simd_isa::avx512> {
  static constexpr int vector_registers = 32;
  static constexpr int max_panel_vectors = 7;
};

/// 256-bit vector operations for float and double under one ISA; `mask` selects the first `rows`
/// lanes (AVX2: a lane vector for maskload/maskstore; AVX-512VL: a k-register).
template <class Scalar, simd_isa Isa>
struct simd;

#if defined(__AVX2__) && defined(__FMA__)
/// The operations both ISAs share (256-bit loads, stores, FMA).
struct simd_float_common {
  using reg = __m256;
  static constexpr int lanes = 8;
  static reg zero() noexcept { return _mm256_setzero_ps(); }
  static reg set1(float s) noexcept { return _mm256_set1_ps(s); }
  static reg load(const float* p) noexcept { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) noexcept { _mm256_storeu_ps(p, v); }
  static reg broadcast(const float* p) noexcept { return _mm256_broadcast_ss(p); }
  static reg fma(reg a, reg b, reg c) noexcept { return _mm256_fmadd_ps(a, b, c); }
  static reg mul(reg a, reg b) noexcept { return _mm256_mul_ps(a, b); }
};

struct simd_double_common {
  using reg = __m256d;
  static constexpr int lanes = 4;
  static reg zero() noexcept { return _mm256_setzero_pd(); }
  static reg set1(double s) noexcept { return _mm256_set1_pd(s); }
  static reg load(const double* p) noexcept { return _mm256_loadu_pd(p); }
  static void store(double* p, reg v) noexcept { _mm256_storeu_pd(p, v); }
  static reg broadcast(const double* p) noexcept { return _mm256_broadcast_sd(p); }
  static reg fma(reg a, reg b, reg c) noexcept { return _mm256_fmadd_pd(a, b, c); }
  static reg mul(reg a, reg b) noexcept { return _mm256_mul_pd(a, b); }
};

template <>
struct simd<float, simd_isa::avx2> : simd_float_common {
  using mask = __m256i;
  static mask make_mask(int rows) noexcept {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(rows), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static reg load_part(const float* p, mask m) noexcept { return _mm256_maskload_ps(p, m); }
  static void store_part(float* p, reg v, mask m) noexcept { _mm256_maskstore_ps(p, m, v); }
};

template <>
struct simd<double, simd_isa::avx2> : simd_double_common {
  using mask = __m256i;
  static mask make_mask(int rows) noexcept {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(rows), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static reg load_part(const double* p, mask m) noexcept { return _mm256_maskload_pd(p, m); }
  static void store_part(double* p, reg v, mask m) noexcept { _mm256_maskstore_pd(p, m, v); }
};
#endif

#if defined(__AVX512F__) && defined(__AVX512VL__)
template <>
struct simd<float, simd_isa::avx512> : simd_float_common {
  using mask = __mmask8;
  static mask make_mask(int rows) noexcept { return static_cast<mask>((1u << rows) - 1u); }
  static reg load_part(const float* p, mask m) noexcept { return _mm256_maskz_loadu_ps(m, p); }
  static void store_part(float* p, reg v, mask m) noexcept { _mm256_mask_storeu_ps(p, m, v); }
};

template <>
struct simd<double, simd_isa::avx512> : simd_double_common {
  using mask = __mmask8;
  static mask make_mask(int rows) noexcept { return static_cast<mask>((1u << rows) - 1u); }
  static reg load_part(const double* p, mask m) noexcept { return _mm256_maskz_loadu_pd(m, p); }
  static void store_part(double* p, reg v, mask m) noexcept { _mm256_mask_storeu_pd(p, m, v); }
};
#endif

/// Columns per micro-tile for a panel of mv vectors: as many as fit the register file with mv · nr
/// accumulators, nr broadcasts and one A vector (two registers spare), at most 8.
template <simd_isa Isa>
constexpr int tile_columns(int mv) noexcept {
  int nr = 8;
  while (nr > 1 && mv * nr + nr + 1 > isa_shape<Isa>::vector_registers - 2) --nr;
  return nr;
}

/// The micro-kernel: an MV-vector × NR-column tile of C, the whole k-loop in registers.
/// `tail` = the last vector holds fewer than L rows (masked with `m`).
template <class Scalar, simd_isa Isa, int MV, int NR>
inline void micro_tile(const Scalar* Ap, const Scalar* bias, const Scalar* B1, gemm_index ld1, gemm_index k1,
                       const Scalar* B2, gemm_index ld2, gemm_index k2, Scalar* C, gemm_index ldc, Scalar alpha,
                       Scalar beta, bool tail, typename simd<Scalar, Isa>::mask m) noexcept {
  using V = simd<Scalar, Isa>;
  using reg = typename V::reg;
  constexpr int L = V::lanes, MR = MV * L;
  reg acc[std::size_t{MV}][std::size_t{NR}];
  RNNLAB_SMALL_GEMM_UNROLL
  for (int v = 0; v < MV; ++v) {
    const reg init = bias ? V::load(bias + v * L) : V::zero();
    RNNLAB_SMALL_GEMM_UNROLL
    for (int j = 0; j < NR; ++j) acc[v][j] = init;
  }
  // The k-loop over A₁ then A₂, written out twice (a lambda capturing acc makes GCC 12 keep it in
  // memory).
  const Scalar* Ak = Ap;
  for (gemm_index k = 0; k < k1; ++k, Ak += MR) {
    reg b[std::size_t{NR}];
    RNNLAB_SMALL_GEMM_UNROLL
    for (int j = 0; j < NR; ++j) b[j] = V::broadcast(B1 + j * ld1 + k);
    RNNLAB_SMALL_GEMM_UNROLL
    for (int v = 0; v < MV; ++v) {
      const reg a = V::load(Ak + v * L);
      RNNLAB_SMALL_GEMM_UNROLL
      for (int j = 0; j < NR; ++j) acc[v][j] = V::fma(a, b[j], acc[v][j]);
    }
  }
  for (gemm_index k = 0; k < k2; ++k, Ak += MR) {
    reg b[std::size_t{NR}];
    RNNLAB_SMALL_GEMM_UNROLL
    for (int j = 0; j < NR; ++j) b[j] = V::broadcast(B2 + j * ld2 + k);
    RNNLAB_SMALL_GEMM_UNROLL
    for (int v = 0; v < MV; ++v) {
      const reg a = V::load(Ak + v * L);
      RNNLAB_SMALL_GEMM_UNROLL
      for (int j = 0; j < NR; ++j) acc[v][j] = V::fma(a, b[j], acc[v][j]);
    }
  }
  const reg va = V::set1(alpha), vb = V::set1(beta);
  RNNLAB_SMALL_GEMM_UNROLL
  for (int j = 0; j < NR; ++j) {
    Scalar* c = C + j * ldc;
    RNNLAB_SMALL_GEMM_UNROLL
    for (int v = 0; v < MV; ++v) {
      const bool part = tail && v == MV - 1;
      reg out = V::mul(va, acc[v][j]);
      if (beta != Scalar(0)) out = V::fma(vb, part ? V::load_part(c + v * L, m) : V::load(c + v * L), out);
      if (part)
        V::store_part(c + v * L, out, m);
      else
        V::store(c + v * L, out);
    }
  }
}

/// One panel over columns [c0, c1): full NR-column tiles, then single columns.
template <class Scalar, simd_isa Isa, int MV>
inline void panel_columns(const Scalar* Ap, const Scalar* bias, const Scalar* B1, gemm_index ld1, gemm_index k1,
                          const Scalar* B2, gemm_index ld2, gemm_index k2, Scalar* C, gemm_index ldc, Scalar alpha,
                          Scalar beta, bool tail, typename simd<Scalar, Isa>::mask m, gemm_index c0, gemm_index c1) noexcept {
  constexpr int NR = tile_columns<Isa>(MV);
  gemm_index c = c0;
  for (; c + NR <= c1; c += NR)
    micro_tile<Scalar, Isa, MV, NR>(Ap, bias, B1 + c * ld1, ld1, k1, B2 ? B2 + c * ld2 : nullptr, ld2, k2, C + c * ldc, ldc,
                               alpha, beta, tail, m);
  for (; c < c1; ++c)
    micro_tile<Scalar, Isa, MV, 1>(Ap, bias, B1 + c * ld1, ld1, k1, B2 ? B2 + c * ld2 : nullptr, ld2, k2, C + c * ldc, ldc,
                              alpha, beta, tail, m);
}

template <class Scalar, simd_isa Isa>
inline void panel_dispatch(int mv, const Scalar* Ap, const Scalar* bias, const Scalar* B1, gemm_index ld1,
                           gemm_index k1, const Scalar* B2, gemm_index ld2, gemm_index k2, Scalar* C, gemm_index ldc,
                           Scalar alpha, Scalar beta, bool tail, typename simd<Scalar, Isa>::mask m, gemm_index c0,
                           gemm_index c1) noexcept {
  switch (mv) {
#define RNNLAB_SMALL_GEMM_CASE(MV)                                                                             \
  case MV:                                                                                                     \
    panel_columns<Scalar, Isa, (MV <= isa_shape<Isa>::max_panel_vectors ? MV : 1)>(Ap, bias, B1, ld1, k1, B2, ld2, k2, C, ldc, alpha, \
                                                               beta, tail, m, c0, c1);                         \
    break;
    RNNLAB_SMALL_GEMM_CASE(1)
    RNNLAB_SMALL_GEMM_CASE(2)
    RNNLAB_SMALL_GEMM_CASE(3)
    RNNLAB_SMALL_GEMM_CASE(4)
    RNNLAB_SMALL_GEMM_CASE(5)
    RNNLAB_SMALL_GEMM_CASE(6)
    RNNLAB_SMALL_GEMM_CASE(7)
#undef RNNLAB_SMALL_GEMM_CASE
    default: break;
  }
}

/// The NT micro-kernel: an MV-vector × NR-column tile of C += Σ_k G(:, k) R(c + j, k).
/// `Tail`: the last vector holds fewer than L rows; its loads of G are masked (G's last column
/// may end the buffer).
template <class Scalar, simd_isa Isa, int MV, int NR, bool Tail>
inline void micro_tile_nt(const Scalar* G, gemm_index ldg, const Scalar* R, gemm_index ldr, gemm_index K, Scalar* C,
                          gemm_index ldc, typename simd<Scalar, Isa>::mask m) noexcept {
  using V = simd<Scalar, Isa>;
  using reg = typename V::reg;
  constexpr int L = V::lanes;
  reg acc[std::size_t{MV}][std::size_t{NR}];
  RNNLAB_SMALL_GEMM_UNROLL
  for (int j = 0; j < NR; ++j) {
    RNNLAB_SMALL_GEMM_UNROLL
    for (int v = 0; v < MV; ++v)
      acc[v][j] = Tail && v == MV - 1 ? V::load_part(C + j * ldc + v * L, m) : V::load(C + j * ldc + v * L);
  }
  for (gemm_index k = 0; k < K; ++k, G += ldg, R += ldr) {
    reg b[std::size_t{NR}];
    RNNLAB_SMALL_GEMM_UNROLL
    for (int j = 0; j < NR; ++j) b[j] = V::broadcast(R + j);
    RNNLAB_SMALL_GEMM_UNROLL
    for (int v = 0; v < MV; ++v) {
      const reg a = Tail && v == MV - 1 ? V::load_part(G + v * L, m) : V::load(G + v * L);
      RNNLAB_SMALL_GEMM_UNROLL
      for (int j = 0; j < NR; ++j) acc[v][j] = V::fma(a, b[j], acc[v][j]);
    }
  }
  RNNLAB_SMALL_GEMM_UNROLL
  for (int j = 0; j < NR; ++j) {
    RNNLAB_SMALL_GEMM_UNROLL
    for (int v = 0; v < MV; ++v) {
      if (Tail && v == MV - 1)
        V::store_part(C + j * ldc + v * L, acc[v][j], m);
      else
        V::store(C + j * ldc + v * L, acc[v][j]);
    }
  }
}

/// One panel of C's rows over all n columns, for one k-slice: NR-column tiles, then pairs and
/// single columns.
template <class Scalar, simd_isa Isa, int MV, bool Tail>
inline void panel_nt(const Scalar* G, gemm_index ldg, const Scalar* R, gemm_index ldr, gemm_index K, Scalar* C,
                     gemm_index ldc, gemm_index n, typename simd<Scalar, Isa>::mask m) noexcept {
  constexpr int NR = tile_columns<Isa>(MV);
  gemm_index c = 0;
  for (; c + NR <= n; c += NR) micro_tile_nt<Scalar, Isa, MV, NR, Tail>(G, ldg, R + c, ldr, K, C + c * ldc, ldc, m);
  if constexpr (NR > 2)
    for (; c + 2 <= n; c += 2) micro_tile_nt<Scalar, Isa, MV, 2, Tail>(G, ldg, R + c, ldr, K, C + c * ldc, ldc, m);
  for (; c < n; ++c) micro_tile_nt<Scalar, Isa, MV, 1, Tail>(G, ldg, R + c, ldr, K, C + c * ldc, ldc, m);
}

template <class Scalar, simd_isa Isa>
inline void panel_nt_dispatch(int mv, bool tail, const Scalar* G, gemm_index ldg, const Scalar* R, gemm_index ldr,
                              gemm_index K, Scalar* C, gemm_index ldc, gemm_index n,
                              typename simd<Scalar, Isa>::mask m) noexcept {
  switch (mv) {
#define RNNLAB_SMALL_GEMM_CASE(MV)                                                        \
  case MV:                                                                                \
    if (tail)                                                                             \
      panel_nt<Scalar, Isa, (MV <= isa_shape<Isa>::max_panel_vectors ? MV : 1), true>(G, ldg, R, ldr, K, C, ldc, n, m);  \
    else                                                                                  \
      panel_nt<Scalar, Isa, (MV <= isa_shape<Isa>::max_panel_vectors ? MV : 1), false>(G, ldg, R, ldr, K, C, ldc, n, m); \
    break;
    RNNLAB_SMALL_GEMM_CASE(1)
    RNNLAB_SMALL_GEMM_CASE(2)
    RNNLAB_SMALL_GEMM_CASE(3)
    RNNLAB_SMALL_GEMM_CASE(4)
    RNNLAB_SMALL_GEMM_CASE(5)
    RNNLAB_SMALL_GEMM_CASE(6)
    RNNLAB_SMALL_GEMM_CASE(7)
#undef RNNLAB_SMALL_GEMM_CASE
    default: break;
  }
}

/// Lanes of one vector of Scalar under an ISA (1: the portable path packs one row per "vector").
template <class Scalar, simd_isa Isa>
constexpr int lanes() noexcept {
  if constexpr (Isa == simd_isa::portable)
    return 1;
  else
    return simd<Scalar, Isa>::lanes;
}

/// Row panels of m rows: ⌈m / L⌉ vectors in ⌈· / max_panel_vectors⌉ panels as even as possible
/// (the first ones one vector taller). Calls fn(row0, mv) for each.
template <class Scalar, simd_isa Isa, class Fn>
void for_each_panel(gemm_index m, Fn&& fn) {
  constexpr int L = lanes<Scalar, Isa>();
  constexpr int max_mv = isa_shape<Isa>::max_panel_vectors;
  const gemm_index nv = (m + L - 1) / L;
  const gemm_index np = (nv + max_mv - 1) / max_mv;
  gemm_index row0 = 0;
  for (gemm_index p = 0; p < np; ++p) {
    const int mv = static_cast<int>(nv / np + (p < nv % np ? 1 : 0));
    fn(row0, mv);
    row0 += mv * L;
  }
}

/// k-slice of gemm_nt_accumulate: G and R slices of m and n rows × this many columns stay in L2.
constexpr gemm_index nt_k_block = 256;

/// C = β C + α (A₁ B₁ + A₂ B₂ + a 1ᵀ) with Eigen's product, chunk by chunk (the portable kernel).
template <class Scalar, simd_isa Isa, class Post>
void small_gemm_eigen(const packed_lhs<Scalar, Isa>& A, const Scalar* B1, gemm_index ld1, const Scalar* B2,
                      gemm_index ld2, gemm_index n, Scalar* C, gemm_index ldc, Scalar alpha, Scalar beta,
                      Post&& post) {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using stride = Eigen::OuterStride<>;
  const gemm_index m = A.rows();
  for (gemm_index c0 = 0; c0 < n; c0 += chunk_columns) {
    const gemm_index nc = std::min(chunk_columns, n - c0);
    Eigen::Map<matrix, 0, stride> Cm(C + c0 * ldc, m, nc, stride(ldc));
    if (beta == Scalar(0))
      Cm.setZero();
    else
      Cm *= beta;
    Cm.noalias() += alpha * A.A1() * Eigen::Map<const matrix, 0, stride>(B1 + c0 * ld1, A.k1(), nc, stride(ld1));
    if (A.k2() > 0)
      Cm.noalias() += alpha * A.A2() * Eigen::Map<const matrix, 0, stride>(B2 + c0 * ld2, A.k2(), nc, stride(ld2));
    if (A.has_bias()) Cm.colwise() += alpha * A.bias();
    post(c0, nc);
  }
}

}  // namespace gemm

template <class Scalar, simd_isa Isa>
template <class D1, class D2>
void packed_lhs<Scalar, Isa>::pack_impl(const Eigen::MatrixBase<D1>& A1, const Eigen::MatrixBase<D2>& A2,
                                        const vector* bias) {
  static_assert(isa_enabled(Isa), "rnnlab::detail::packed_lhs: the compiler does not target this simd_isa");
  constexpr simd_isa K = gemm::kernel_isa(Isa);
  const gemm_index m = A1.rows(), k = A1.cols() + A2.cols();
  m_A1 = A1;
  m_A2 = A2;
  m_has_bias = bias != nullptr;
  if (!m_has_bias) m_bias.setZero(m);
  m_panels.clear();
  if constexpr (K == simd_isa::portable) {
    m_values.clear();  // the portable kernel multiplies the unpacked operands
    return;
  } else {
    constexpr int L = gemm::lanes<Scalar, K>();
    std::size_t offset = 0;
    gemm::for_each_panel<Scalar, K>(m, [&](gemm_index row0, int mv) {
      m_panels.push_back({row0, mv, offset});
      offset += static_cast<std::size_t>((k + 1) * mv * L);
    });
    m_values.assign(offset, Scalar(0));
    for (const auto& pn : m_panels) {
      const gemm_index MR = pn.mv * L, rows = std::min<gemm_index>(MR, m - pn.row0);
      Scalar* dst = m_values.data() + pn.offset;
      for (gemm_index kk = 0; kk < k; ++kk)
        for (gemm_index i = 0; i < rows; ++i)
          dst[kk * MR + i] = kk < m_A1.cols() ? m_A1(pn.row0 + i, kk) : m_A2(pn.row0 + i, kk - m_A1.cols());
      for (gemm_index i = 0; i < rows; ++i) dst[k * MR + i] = m_bias(pn.row0 + i);
    }
  }
}

template <class Scalar, simd_isa Isa, class Post>
void small_gemm(const packed_lhs<Scalar, Isa>& A, const Scalar* B1, gemm_index ld1, const Scalar* B2,
                gemm_index ld2, gemm_index n, Scalar* C, gemm_index ldc, Scalar alpha, Scalar beta, Post&& post) {
  constexpr simd_isa K = gemm::kernel_isa(Isa);
  if constexpr (K == simd_isa::portable) {
    gemm::small_gemm_eigen(A, B1, ld1, B2, ld2, n, C, ldc, alpha, beta, std::forward<Post>(post));
  } else {
    constexpr int L = gemm::lanes<Scalar, K>();
    const gemm_index m = A.rows(), k1 = A.k1(), k2 = A.k2();
    for (gemm_index c0 = 0; c0 < n; c0 += gemm::chunk_columns) {
      const gemm_index c1 = std::min(c0 + gemm::chunk_columns, n);
      for (const auto& pn : A.panels()) {
        const gemm_index MR = pn.mv * L;
        const gemm_index last_rows = m - (pn.row0 + MR - L);  // rows in the panel's last vector
        const bool tail = last_rows < L;
        const auto mask = gemm::simd<Scalar, K>::make_mask(static_cast<int>(std::min<gemm_index>(last_rows, L)));
        const Scalar* Ap = A.values() + pn.offset;
        gemm::panel_dispatch<Scalar, K>(pn.mv, Ap, A.has_bias() ? Ap + (k1 + k2) * MR : nullptr, B1, ld1, k1, B2,
                                        ld2, k2, C + pn.row0, ldc, alpha, beta, tail, mask, c0, c1);
      }
      post(c0, c1 - c0);
    }
  }
}

template <class Scalar, simd_isa Isa>
gemm_index aligned_leading_dimension(gemm_index m) noexcept {
  constexpr int L = gemm::lanes<Scalar, gemm::kernel_isa(Isa)>();
  return (m + L - 1) / L * L;
}

template <class Scalar, simd_isa Isa>
void gemm_nt_accumulate(gemm_index m, gemm_index n, gemm_index K, const Scalar* G, gemm_index ldg, const Scalar* R,
                        gemm_index ldr, Scalar* C, gemm_index ldc) {
  static_assert(isa_enabled(Isa), "rnnlab::detail::gemm_nt_accumulate: the compiler does not target this simd_isa");
  constexpr simd_isa KI = gemm::kernel_isa(Isa);
  if constexpr (KI == simd_isa::portable) {
    using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using stride = Eigen::OuterStride<>;
    Eigen::Map<matrix, 0, stride>(C, m, n, stride(ldc)).noalias() +=
        Eigen::Map<const matrix, 0, stride>(G, m, K, stride(ldg)) *
        Eigen::Map<const matrix, 0, stride>(R, n, K, stride(ldr)).transpose();
  } else {
    constexpr int L = gemm::lanes<Scalar, KI>();
    for (gemm_index k0 = 0; k0 < K; k0 += gemm::nt_k_block) {
      const gemm_index kc = std::min(gemm::nt_k_block, K - k0);
      gemm::for_each_panel<Scalar, KI>(m, [&](gemm_index row0, int mv) {
        const gemm_index last_rows = m - (row0 + (mv - 1) * L);
        const bool tail = last_rows < L;
        const auto mask = gemm::simd<Scalar, KI>::make_mask(static_cast<int>(std::min<gemm_index>(last_rows, L)));
        gemm::panel_nt_dispatch<Scalar, KI>(mv, tail, G + k0 * ldg + row0, ldg, R + k0 * ldr, ldr, kc, C + row0, ldc,
                                            n, mask);
      });
    }
  }
}

}  // namespace rnnlab::detail
