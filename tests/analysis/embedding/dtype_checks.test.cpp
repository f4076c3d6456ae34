// Checks on stored data use the tolerance of the dtype it was stored in (issue 16, kind 5): a float32
// distance matrix symmetric to float32 precision is accepted; the same asymmetry in float64 data,
// or an asymmetry above float32 precision, is still refused.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <rnnlab/analysis/embedding/mds.hpp>

using namespace rnnlab;

namespace {

/// Distances between 6 points on a line, with D(0, 5) perturbed by a relative `asym`.
Eigen::MatrixXd dc_line_distances(double asym) {
  Eigen::MatrixXd D(6, 6);
  for (Index i = 0; i < 6; ++i)
    for (Index j = 0; j < 6; ++j) D(i, j) = std::abs(static_cast<double>(i - j));
  D(0, 5) *= 1.0 + asym;
  return D;
}

}  // namespace

TEST_CASE("distance matrix symmetry is judged at the precision of its own dtype") {
  // 3e-7 relative: float32 rounding of a value written by another tool, far above float64's
  const double asym = 3.0 * std::numeric_limits<float>::epsilon();
  const Eigen::MatrixXf Df = dc_line_distances(asym).cast<float>();
  REQUIRE(Df(0, 5) != Df(5, 0));
  const auto r = classical_mds(Df, classical_mds_params{1});
  CHECK(r.status == mds_status::ok);
  CHECK(std::abs(std::abs(r.coordinates(5, 0) - r.coordinates(0, 0)) - 5.0) < 1e-5);
  CHECK_THROWS_AS(classical_mds(dc_line_distances(asym), classical_mds_params{1}), argument_error);
  CHECK_THROWS_AS(classical_mds(dc_line_distances(1e-4).cast<float>().eval(), classical_mds_params{1}), argument_error);
  CHECK(detail::distance_symmetry_tolerance(std::numeric_limits<double>::epsilon()) == 1e-9);
  CHECK(detail::distance_symmetry_tolerance(std::numeric_limits<float>::epsilon()) ==
        doctest::Approx(16.0 * std::numeric_limits<float>::epsilon()));
}
