// The packed cross-product kernel against Eigen's product, for awkward shapes: rows not multiples of
// the micro-tile, sample counts not multiples of the block, strided inputs, the symmetric mode.
#include <doctest/doctest.h>

#include <rnnlab/analysis/detail/cross_products.hpp>

#include <Eigen/Core>

#include <array>
#include <vector>

#include "cross_products_cases.hpp"

TEST_CASE("cross_products: C = B Aᵀ matches Eigen for awkward shapes (native micro-kernel)") {
  rnnlab::test::check_cross_products();
}

TEST_CASE("cross_products: centred rows (row_block::centre) equal the product of the centred copy (native micro-kernel)") {
  // Rows with offsets up to 60 centred while packed: the error stays at rounding level of the
  // centred values, not of the offsets.
  CHECK(rnnlab::test::centred_product_error() <= 1e-14);
}
