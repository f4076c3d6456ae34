// The same checks with the portable loops (what runs without AVX-512).
#define RNNLAB_PORTABLE_KERNELS 1
#include "fp_lu_cases.hpp"

static_assert(rnnlab::detail::fp_dense_lu::lanes == 1, "RNNLAB_PORTABLE_KERNELS must select the portable LU");

TEST_CASE("fp_dense_lu: factor and solve match Eigen for every size class (portable loops)") {
  // backward stable: residuals at rounding level (ε‖A‖‖x‖) for every size and pivoting pattern
  CHECK(rnnlab::test::check_fp_lu() <= 1e-14);
}
