// The small LU of the fixed-point solver's Newton steps, with the kernels this build selects
// (AVX-512 where the compiler targets it).
#include "fp_lu_cases.hpp"

TEST_CASE("fp_dense_lu: factor and solve match Eigen for every size class; singular J is flagged") {
  // backward stable: residuals at rounding level (ε‖A‖‖x‖) for every size and pivoting pattern
  CHECK(rnnlab::test::check_fp_lu() <= 1e-14);
}
