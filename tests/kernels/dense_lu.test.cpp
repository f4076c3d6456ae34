// The fixed-point solver's small dense LU (kernels/dense_lu.hpp) against Eigen, for every size
// class of the vector paths. Both instruction sets of the one SIMD switch run in this one program:
// the portable loops always, the AVX-512 kernels where the compiler targets it.
#include <doctest/doctest.h>

#include <Eigen/Dense>

#include <algorithm>
#include <type_traits>

#include <rnnlab/kernels/dense_lu.hpp>
#include <rnnlab/kernels/simd.hpp>
#include <rnnlab/random.hpp>

namespace rnnlab::test {

/// Returns the largest scaled residual ‖Ax − b‖ / (1 + ‖A‖‖x‖) over all solved systems.
template <simd_isa Isa>
double check_dense_lu() {
  double worst = 0.0;
  auto g = make_stream(77, {1});
  // every vector count of the AVX-512 update (n ≤ 64 in registers) and the n > 64 path
  for (const Eigen::Index n : {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 50, 63, 64, 65, 100}) {
    CAPTURE(n);
    detail::dense_lu<Isa> lu(n);
    for (int trial = 0; trial < 3; ++trial) {  // the same object reused: no state leaks between calls
      Eigen::MatrixXd A(n, n);
      for (Eigen::Index i = 0; i < A.size(); ++i) A.data()[i] = standard_normal(g);
      if (trial == 1 && n > 1) {  // a zero leading entry and a tiny one: pivoting is required
        A(0, 0) = 0.0;
        A(1, 1) = 1e-14;
      }
      if (trial == 2) A.diagonal().array() += 10.0;  // diagonally dominant: no interchange at all
      Eigen::VectorXd b(n);
      for (Eigen::Index i = 0; i < n; ++i) b(i) = standard_normal(g);
      lu.matrix() = A;
      REQUIRE(lu.factor());
      Eigen::VectorXd x = b;
      lu.solve_in_place(x);
      const Eigen::VectorXd ref = A.partialPivLu().solve(b);
      const double cond = A.jacobiSvd().singularValues()(0) / A.jacobiSvd().singularValues()(n - 1);
      CHECK((x - ref).norm() <= 1e-13 * cond * (1.0 + ref.norm()));
      const double scaled = (A * x - b).norm() / (1.0 + A.norm() * x.norm());
      worst = std::max(worst, scaled);
      CHECK(scaled <= 1e-12);
      // a second right-hand side with the same factors
      Eigen::VectorXd b2 = A * Eigen::VectorXd::LinSpaced(n, -1.0, 1.0);
      lu.solve_in_place(b2);
      CHECK((b2 - Eigen::VectorXd::LinSpaced(n, -1.0, 1.0)).norm() <= 1e-12 * cond);
    }
  }
  // singular and non-finite matrices are flagged
  Eigen::MatrixXd S = Eigen::MatrixXd::Identity(12, 12);
  S.col(7) = S.col(2) + S.col(3);
  detail::dense_lu<Isa> lu(12);
  lu.matrix() = S;
  CHECK_FALSE(lu.factor());
  S = Eigen::MatrixXd::Identity(12, 12);
  S(4, 4) = std::nan("");
  lu.matrix() = S;
  CHECK_FALSE(lu.factor());
  lu.matrix() = Eigen::MatrixXd::Zero(12, 12);
  CHECK_FALSE(lu.factor());
  // and the object recovers for a good matrix afterwards
  lu.matrix() = 2.0 * Eigen::MatrixXd::Identity(12, 12);
  REQUIRE(lu.factor());
  Eigen::VectorXd x = Eigen::VectorXd::Ones(12);
  lu.solve_in_place(x);
  CHECK((x.array() - 0.5).abs().maxCoeff() <= 1e-15);
  return worst;
}

}  // namespace rnnlab::test

TEST_CASE_TEMPLATE_DEFINE("dense_lu: factor and solve match Eigen for every size class; singular J is flagged", IsaTag,
                          dense_lu_cases) {
  static_assert(rnnlab::detail::dense_lu<IsaTag::value>::lanes == (IsaTag::value == rnnlab::simd_isa::avx512 ? 8 : 1));
  // backward stable: residuals at rounding level (ε‖A‖‖x‖) for every size and pivoting pattern
  CHECK(rnnlab::test::check_dense_lu<IsaTag::value>() <= 1e-14);
}

using portable_isa = std::integral_constant<rnnlab::simd_isa, rnnlab::simd_isa::portable>;
TEST_CASE_TEMPLATE_INVOKE(dense_lu_cases, portable_isa);
#if defined(__AVX512F__)
using avx512_isa = std::integral_constant<rnnlab::simd_isa, rnnlab::simd_isa::avx512>;
TEST_CASE_TEMPLATE_INVOKE(dense_lu_cases, avx512_isa);
#endif
