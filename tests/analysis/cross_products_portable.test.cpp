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
