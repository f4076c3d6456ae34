// The same checks with the portable micro-kernel (what runs without AVX-512).
#define RNNLAB_PORTABLE_KERNELS 1
#include <doctest/doctest.h>

#include <rnnlab/analysis/detail/cross_products.hpp>

#ifdef RNNLAB_CROSS_PRODUCTS_AVX512
#error "RNNLAB_PORTABLE_KERNELS must select the portable micro-kernel"
#endif

#include "cross_products_cases.hpp"

TEST_CASE("cross_products: C = B Aᵀ matches Eigen for awkward shapes (portable micro-kernel)") {
  rnnlab::test::check_cross_products();
}

TEST_CASE("cross_products: centred rows (row_block::centre) equal the product of the centred copy (portable micro-kernel)") {
  // Rows with offsets up to 60 centred while packed: the error stays at rounding level of the
  // centred values, not of the offsets.
  CHECK(rnnlab::test::centred_product_error() <= 1e-14);
}
