#pragma once
/// \file kernels/cross_products.hpp
/// C = B Aᵀ for two blocks of rows of one column-major matrix, in double: the cross products of
/// whitened bases that dominate a population distance matrix (analysis/similarity/distance_matrix.hpp), where
/// each product has a long inner dimension (the samples, thousands) and a few hundred rows a side.
///
/// Eigen's general product reaches 20–35 GFLOP/s on one core of the 2-core AMD EPYC (Zen 4) on
/// these shapes (256 × 7,500 × 256); the machine's double peak is ≈ 52 GFLOP/s per core. This is a
/// packed, register-blocked kernel in the usual GEMM structure, specialised for this one case:
///
///  - the sample range is cut into blocks of kc samples; per block, the B rows are packed into
///    panels of 32 rows × kc (together in L2), the A rows into slivers of 6 rows × kc (one in L1);
///    the rows may come from several matrices (the bases of a group of networks, read where they
///    lie: no stacked copy of all bases is made);
///  - the micro-kernel keeps a 32 × 6 tile of C in 24 AVX-512 registers (4 vectors of 8 B rows by 6
///    broadcast A rows) for the whole block: per sample 4 vector loads, 6 broadcasts, 24 FMAs
///    (a 16 × 8 tile for the small symmetric Gram matrices of single networks: less padding);
///  - for a symmetric product (A and B the same rows) the tiles wholly above the diagonal
///    are skipped and the caller reads only the lower triangle.
///
/// The instruction set follows the one SIMD switch (kernels/simd.hpp): every function takes
/// `simd_isa Isa = native_isa` as its last template parameter; with `simd_isa::portable` (the
/// default without AVX-512, or with RNNLAB_PORTABLE_KERNELS defined for the whole program) the
/// same blocking runs a plain C++ micro-kernel, which the compiler vectorises for the target it
/// has. Both variants may be used in one program. Results are independent of the thread count
/// (each C entry is always summed in the same order).

#include <Eigen/Core>

#include <algorithm>
#include <span>
#include <type_traits>
#include <vector>

#include <rnnlab/kernels/simd.hpp>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace rnnlab::detail {

namespace cross {

inline constexpr Eigen::Index kc = 128;  // samples per block

/// A micro-tile shape: MR broadcast A rows by NV vectors of 8 B rows (MR·NV ≤ 24 accumulators).
template <int MR, int NV>
struct tile {
  static constexpr Eigen::Index mr = MR, nr = 8 * NV;
};
using wide_tile = tile<6, 4>;     // 32 × 6: long products between groups of hundreds of rows
using narrow_tile = tile<8, 2>;   // 16 × 8: symmetric products of a few dozen rows (less padding)

/// acc (nr × mr, column-major, contiguous) = Σ_s Bp[s·nr + j] · Ap[s·mr + i] over k samples.
template <class Tile, simd_isa Isa>
inline void micro_kernel(const double* Ap, const double* Bp, Eigen::Index k, double* acc) {
  constexpr Eigen::Index mr = Tile::mr, nr = Tile::nr;
#if !defined(__AVX512F__)
  static_assert(Isa != simd_isa::avx512, "rnnlab::detail::cross_products: the AVX-512 variant needs a compiler targeting AVX-512F");
#else
  if constexpr (Isa == simd_isa::avx512) {
  constexpr std::size_t nv = static_cast<std::size_t>(nr / 8), na = static_cast<std::size_t>(mr);
  __m512d c[na][nv];
  for (auto& col : c)
    for (auto& v : col) v = _mm512_setzero_pd();
  for (Eigen::Index s = 0; s < k; ++s) {
    __m512d b[nv];
    for (std::size_t v = 0; v < nv; ++v) b[v] = _mm512_loadu_pd(Bp + 8 * v);
    for (std::size_t i = 0; i < na; ++i) {
      const __m512d a = _mm512_set1_pd(Ap[i]);
      for (std::size_t v = 0; v < nv; ++v) c[i][v] = _mm512_fmadd_pd(a, b[v], c[i][v]);
    }
    Ap += mr;
    Bp += nr;
  }
  for (std::size_t i = 0; i < na; ++i)
    for (std::size_t v = 0; v < nv; ++v) _mm512_storeu_pd(acc + i * static_cast<std::size_t>(nr) + 8 * v, c[i][v]);
  return;
  }
#endif
  for (Eigen::Index x = 0; x < mr * nr; ++x) acc[x] = 0.0;
  for (Eigen::Index s = 0; s < k; ++s) {
    for (Eigen::Index i = 0; i < mr; ++i) {
      const double a = Ap[i];
      for (Eigen::Index j = 0; j < nr; ++j) acc[i * nr + j] += a * Bp[j];
    }
    Ap += mr;
    Bp += nr;
  }
}

}  // namespace cross

/// A block of rows of a column-major matrix: element (r, s) at data[r + s·ld], r < rows. With
/// `centre` (one value per row), the rows enter the product as data[r + s·ld] − centre[r]: the
/// centred values are formed while packing, exactly as a centred copy would hold them, without
/// writing that copy.
struct row_block {
  const double* data = nullptr;
  Eigen::Index ld = 0;
  Eigen::Index rows = 0;
  const double* centre = nullptr;
};

/// Packing buffers of cross_products, reusable across calls (they grow, never shrink): a caller
/// making many products on one thread passes the same workspace to every call.
struct cross_workspace {
  std::vector<double> Bp, Ap, column;
};

/// C(j, i) = Σ_s B(j, s) · A(i, s) for s < m, where the rows of A (i < ra) are the rows of the
/// blocks `a` one after the other, and likewise for B (j < rb) and `b` — so that the bases of many
/// networks are multiplied where they lie, without copying them into one matrix. C is column-major
/// rb × ra with leading dimension ldc. If `lower_only` (A and B the same rows), entries with j < i
/// may be left unwritten; every entry with j ≥ i is exact. C is overwritten. `Tile` picks the
/// micro-tile (cross::wide_tile for long products, cross::narrow_tile for small symmetric ones).
template <class Tile = cross::wide_tile, simd_isa Isa = native_isa>
void cross_products(std::span<const row_block> a, std::span<const row_block> b, Eigen::Index m, double* C,
                    Eigen::Index ldc, bool lower_only, cross_workspace& work) {
  using Eigen::Index;
  constexpr Index mr = Tile::mr, nr = Tile::nr, kc = cross::kc;
  Index ra = 0, rb = 0;
  for (const auto& blk : a) ra += blk.rows;
  for (const auto& blk : b) rb += blk.rows;
  for (Index i = 0; i < ra; ++i)
    for (Index j = 0; j < rb; ++j) C[j + i * ldc] = 0.0;
  if (ra == 0 || rb == 0 || m == 0) return;
  const Index n_panels = (rb + nr - 1) / nr, n_slivers = (ra + mr - 1) / mr;
  const auto grow = [](std::vector<double>& v, Index size) {
    if (static_cast<Index>(v.size()) < size) v.resize(static_cast<std::size_t>(size));
  };
  grow(work.Bp, n_panels * nr * kc);
  grow(work.Ap, n_slivers * mr * kc);
  grow(work.column, std::max(n_panels * nr, n_slivers * mr));
  // Padding rows of the gathered column are zero (they fill the last group of each packed block).
  std::fill(work.column.begin(), work.column.end(), 0.0);
  double* const Bp = work.Bp.data();
  double* const Ap = work.Ap.data();
  // Packs the sample block's rows into width-W row groups, sample by sample: one sample's rows are
  // gathered from the blocks into a contiguous column (zero-padded to whole groups), which is then
  // cut into groups; W is a constant so that each group copies as a few vector moves.
  const auto pack = [&]<Index W>(std::integral_constant<Index, W>, double* dst, std::span<const row_block> blocks,
                                 Index rows, Index s0, Index k) {
    const Index groups = (rows + W - 1) / W;
    double* col = work.column.data();
    for (Index s = 0; s < k; ++s) {
      Index r = 0;
      for (const auto& blk : blocks) {
        const double* src = blk.data + (s0 + s) * blk.ld;
        if (blk.centre)
          for (Index j = 0; j < blk.rows; ++j) col[r + j] = src[j] - blk.centre[j];
        else
          for (Index j = 0; j < blk.rows; ++j) col[r + j] = src[j];
        r += blk.rows;
      }
      double* d = dst + s * W;
      for (Index g = 0; g < groups; ++g, d += W * kc)
        for (Index j = 0; j < W; ++j) d[j] = col[g * W + j];
    }
  };
  double acc[static_cast<std::size_t>(mr * nr)];
  for (Index s0 = 0; s0 < m; s0 += kc) {
    const Index k = std::min(kc, m - s0);
    pack(std::integral_constant<Index, nr>{}, Bp, b, rb, s0, k);
    pack(std::integral_constant<Index, mr>{}, Ap, a, ra, s0, k);
    for (Index q = 0; q < n_slivers; ++q) {
      const Index i0 = q * mr, rows_a = std::min(mr, ra - i0);
      for (Index p = 0; p < n_panels; ++p) {
        const Index j0 = p * nr;
        if (lower_only && j0 + nr <= i0) continue;  // the whole tile is above the diagonal
        cross::micro_kernel<Tile, Isa>(Ap + q * mr * kc, Bp + p * nr * kc, k, acc);
        const Index rows_b = std::min(nr, rb - j0);
        for (Index i = 0; i < rows_a; ++i) {
          double* c = C + j0 + (i0 + i) * ldc;
          const double* x = acc + i * nr;
          for (Index j = 0; j < rows_b; ++j) c[j] += x[j];
        }
      }
    }
  }
}

/// The same with buffers of its own.
template <class Tile = cross::wide_tile, simd_isa Isa = native_isa>
void cross_products(std::span<const row_block> a, std::span<const row_block> b, Eigen::Index m, double* C,
                    Eigen::Index ldc, bool lower_only) {
  cross_workspace work;
  cross_products<Tile, Isa>(a, b, m, C, ldc, lower_only, work);
}

/// The same for one block of rows a side: A (ra rows, leading dimension lda) and B (rb, ldb).
template <class Tile = cross::wide_tile, simd_isa Isa = native_isa>
void cross_products(const double* A, Eigen::Index lda, Eigen::Index ra, const double* B, Eigen::Index ldb,
                    Eigen::Index rb, Eigen::Index m, double* C, Eigen::Index ldc, bool lower_only) {
  const row_block a{A, lda, ra}, b{B, ldb, rb};
  cross_products<Tile, Isa>(std::span<const row_block>(&a, 1), std::span<const row_block>(&b, 1), m, C, ldc, lower_only);
}

}  // namespace rnnlab::detail
