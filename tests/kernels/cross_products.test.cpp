// The packed cross-product kernel (kernels/cross_products.hpp) against Eigen's product, for awkward
// shapes: rows not multiples of the micro-tile, sample counts not multiples of the block, strided
// inputs, several row blocks, centred rows, the symmetric mode. Both instruction sets of the one
// SIMD switch run in this one program: the portable micro-kernel always, the AVX-512 one where the
// compiler targets it.
#include <doctest/doctest.h>

#include <rnnlab/kernels/cross_products.hpp>
#include <rnnlab/kernels/simd.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <span>
#include <vector>
#include <cmath>
#include <cstdlib>
#include <type_traits>

namespace rnnlab::test {

template <class Tile, simd_isa Isa>
void check_tile(Eigen::Index ld, Eigen::Index a0, Eigen::Index ra, Eigen::Index b0, Eigen::Index rb, Eigen::Index m) {
  CAPTURE(ld);
  CAPTURE(a0);
  CAPTURE(ra);
  CAPTURE(b0);
  CAPTURE(rb);
  CAPTURE(m);
  std::srand(static_cast<unsigned>(ld * 131 + m));
  const Eigen::MatrixXd S = Eigen::MatrixXd::Random(ld, m);
  const Eigen::MatrixXd ref = S.middleRows(b0, rb) * S.middleRows(a0, ra).transpose();
  // C with a leading dimension larger than its rows, and sentinel values that must be overwritten.
  Eigen::MatrixXd C = Eigen::MatrixXd::Constant(rb + 3, ra, std::nan(""));
  detail::cross_products<Tile, Isa>(S.data() + a0, ld, ra, S.data() + b0, ld, rb, m, C.data(), C.rows(), false);
  const double tol = 1e-13 * static_cast<double>(std::max<Eigen::Index>(m, 1));
  CHECK((C.topRows(rb) - ref).cwiseAbs().maxCoeff() <= tol);
  if (a0 == b0 && ra == rb) {
    Eigen::MatrixXd L = Eigen::MatrixXd::Constant(rb, ra, std::nan(""));
    detail::cross_products<Tile, Isa>(S.data() + a0, ld, ra, S.data() + a0, ld, ra, m, L.data(), L.rows(), true);
    double err = 0.0;
    for (Eigen::Index i = 0; i < ra; ++i)
      for (Eigen::Index j = i; j < rb; ++j) err = std::max(err, std::abs(L(j, i) - ref(j, i)));
    CHECK(err <= tol);
  }
}

template <simd_isa Isa>
void check_cross_products() {
  using detail::cross::narrow_tile;
  using detail::cross::wide_tile;
  // (ld, a0, ra, b0, rb, m): one row; rows below, at and above a tile; samples below, at and above
  // one block (128) and not a multiple of it; A and B overlapping or disjoint.
  const std::array<std::array<Eigen::Index, 6>, 9> cases{{{1, 0, 1, 0, 1, 1},
                                                          {7, 0, 7, 0, 7, 5},
                                                          {13, 2, 7, 1, 11, 300},
                                                          {50, 0, 50, 0, 50, 7500},
                                                          {70, 3, 33, 5, 65, 256},
                                                          {70, 0, 70, 0, 70, 513},
                                                          {80, 0, 6, 6, 32, 257},
                                                          {40, 0, 40, 0, 40, 1},
                                                          {100, 10, 53, 0, 100, 1000}}};
  for (const auto& c : cases) {
    check_tile<wide_tile, Isa>(c[0], c[1], c[2], c[3], c[4], c[5]);
    check_tile<narrow_tile, Isa>(c[0], c[1], c[2], c[3], c[4], c[5]);
  }
  // Rows gathered from several matrices (different leading dimensions, a block of one row, an empty
  // block) equal the product of the stacked matrix.
  {
    std::srand(7);
    const Eigen::Index m = 600;
    const std::array<Eigen::Index, 5> rows{9, 1, 0, 23, 40};
    std::array<Eigen::MatrixXd, 5> parts;
    std::vector<detail::row_block> blocks;
    Eigen::MatrixXd stacked(73, m);
    Eigen::Index r = 0;
    for (std::size_t p = 0; p < parts.size(); ++p) {
      parts[p] = Eigen::MatrixXd::Random(rows[p] + 2, m);  // leading dimension rows + 2
      blocks.push_back({parts[p].data() + 1, parts[p].rows(), rows[p]});
      stacked.middleRows(r, rows[p]) = parts[p].middleRows(1, rows[p]);
      r += rows[p];
    }
    const std::span<const detail::row_block> all(blocks), last2(blocks.data() + 3, 2);
    const Eigen::MatrixXd ref = stacked.bottomRows(63) * stacked.transpose();
    Eigen::MatrixXd C(63, 73);
    detail::cross_products<wide_tile, Isa>(all, last2, m, C.data(), C.rows(), false);
    CHECK((C - ref).cwiseAbs().maxCoeff() <= 1e-12 * static_cast<double>(m));
    const Eigen::MatrixXd full = stacked * stacked.transpose();
    Eigen::MatrixXd L(73, 73);
    detail::cross_products<narrow_tile, Isa>(all, all, m, L.data(), L.rows(), true);
    double err = 0.0;
    for (Eigen::Index i = 0; i < 73; ++i)
      for (Eigen::Index j = i; j < 73; ++j) err = std::max(err, std::abs(L(j, i) - full(j, i)));
    CHECK(err <= 1e-12 * static_cast<double>(m));
  }
  // Empty products leave C zero.
  Eigen::MatrixXd C = Eigen::MatrixXd::Constant(3, 2, 1.0);
  const Eigen::MatrixXd S = Eigen::MatrixXd::Random(3, 4);
  detail::cross_products<wide_tile, Isa>(S.data(), 3, 2, S.data(), 3, 3, 0, C.data(), 3, false);
  CHECK(C.isZero(0.0));
}

/// Rows entering as data − centre (row_block::centre), against Eigen's product of the centred copy:
/// the largest error relative to the products' scale (m · max |value|²). Rows of mixed offsets and
/// two blocks (one centred, one not) on the A side.
template <simd_isa Isa>
double centred_product_error() {
  std::srand(11);
  const Eigen::Index m = 777;
  Eigen::MatrixXd X = Eigen::MatrixXd::Random(21, m), Y = Eigen::MatrixXd::Random(5, m);
  X.array().colwise() += Eigen::ArrayXd::LinSpaced(21, -40.0, 60.0);  // large offsets, as rates have
  const Eigen::VectorXd mean = X.rowwise().mean();
  const Eigen::MatrixXd Xc = X.colwise() - mean;
  const detail::row_block xa{X.data(), X.rows(), X.rows(), mean.data()}, ya{Y.data(), Y.rows(), Y.rows()};
  const std::array<detail::row_block, 2> a{xa, ya};
  Eigen::MatrixXd stacked(26, m);
  stacked << Xc, Y;
  const Eigen::MatrixXd ref = Xc * stacked.transpose();
  Eigen::MatrixXd C(21, 26), G(21, 21);
  detail::cross_products<detail::cross::wide_tile, Isa>(std::span<const detail::row_block>(a), std::span<const detail::row_block>(&xa, 1), m, C.data(),
                         C.rows(), false);
  detail::cross_products<detail::cross::narrow_tile, Isa>(std::span<const detail::row_block>(&xa, 1),
                                                     std::span<const detail::row_block>(&xa, 1), m, G.data(), G.rows(),
                                                     true);
  double err = (C - ref).cwiseAbs().maxCoeff();
  for (Eigen::Index i = 0; i < 21; ++i)
    for (Eigen::Index j = i; j < 21; ++j) err = std::max(err, std::abs(G(j, i) - ref(j, i)));
  return err / (static_cast<double>(m) * 1.0);  // centred values are in [−1, 1]
}

}  // namespace rnnlab::test

TEST_CASE_TEMPLATE_DEFINE("cross_products: C = B Aᵀ matches Eigen for awkward shapes", IsaTag, cross_products_shapes) {
  rnnlab::test::check_cross_products<IsaTag::value>();
}

TEST_CASE_TEMPLATE_DEFINE("cross_products: centred rows (row_block::centre) equal the product of the centred copy",
                          IsaTag, cross_products_centred) {
  // Rows with offsets up to 60 centred while packed: the error stays at rounding level of the
  // centred values, not of the offsets.
  CHECK(rnnlab::test::centred_product_error<IsaTag::value>() <= 1e-14);
}

using portable_isa = std::integral_constant<rnnlab::simd_isa, rnnlab::simd_isa::portable>;
TEST_CASE_TEMPLATE_INVOKE(cross_products_shapes, portable_isa);
TEST_CASE_TEMPLATE_INVOKE(cross_products_centred, portable_isa);
#if defined(__AVX512F__)
using avx512_isa = std::integral_constant<rnnlab::simd_isa, rnnlab::simd_isa::avx512>;
TEST_CASE_TEMPLATE_INVOKE(cross_products_shapes, avx512_isa);
TEST_CASE_TEMPLATE_INVOKE(cross_products_centred, avx512_isa);
#endif
