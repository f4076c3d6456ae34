#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"  // GCC 12 false positive in core headers' messages (PR 105651)
#endif
#include <doctest/doctest.h>

#include <rnnlab/analysis/dynamics/continuation.hpp>

#include <cmath>

using namespace rnnlab;

namespace {
ctrnn<double, activations::tanh> bistable_unit(double w) {
  auto p = ctrnn_parameters<double>::zeros(1, 1, 1);
  p.W_rec(0, 0) = w;
  p.W_in(0, 0) = 1.0;
  return ctrnn<double, activations::tanh>(p, 0.1);
}
}  // namespace

TEST_CASE("continuation passes both folds of the 1-unit bistable network at the analytic inputs") {
  // F = α(−x + w tanh x + u): folds where w sech²x = 1, i.e. x_f = ±arccosh(√w), u_f = x_f − w tanh x_f.
  const double w = 2.0;
  const double xf = std::acosh(std::sqrt(w));
  const double uf = xf - w * std::tanh(xf);  // < 0: the upper branch dies at u = uf
  const auto net = bistable_unit(w);
  const Eigen::VectorXd u0 = Eigen::VectorXd::Zero(1), d = Eigen::VectorXd::Ones(1);
  Eigen::VectorXd x0(1);
  x0 << 1.9;  // near the upper stable root at u = 0
  continuation_params p;
  p.s_min = -1.5;
  p.s_max = 1.5;
  const auto br = continue_fixed_point(net, u0, d, x0, 0.0, p);
  CHECK(br.forward_status == continuation_status::left_range);
  CHECK(br.backward_status == continuation_status::left_range);
  REQUIRE(br.folds.size() == 2);
  for (const auto& f : br.folds) {
    CHECK(std::abs(f.s) == doctest::Approx(std::abs(uf)).epsilon(1e-9));
    CHECK(std::abs(f.x(0)) == doctest::Approx(xf).epsilon(1e-6));
  }
  CHECK(br.folds[0].s * br.folds[1].s < 0.0);
  // every point is a root of its own input; stability: stable outside the folds, unstable between
  for (const auto& bp : br.points) {
    CHECK(bp.residual < 1e-10);
    const double fprime = 1.0 - std::tanh(bp.x(0)) * std::tanh(bp.x(0));
    if (std::abs(w * fprime - 1.0) > 1e-3)
      CHECK(bp.stability == (w * fprime > 1.0 ? stability_class::unstable : stability_class::stable));
  }
  // the branch crosses u = 0 at all three roots
  CHECK(br.crossings.size() == 3);
}

TEST_CASE("continue_fixed_points: one S-shaped branch carries all three roots at u = 0") {
  const auto net = bistable_unit(2.0);
  Eigen::MatrixXd starts(1, 9);
  starts << -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3;
  continuation_params p;
  p.s_min = -1.0;
  p.s_max = 1.0;
  const auto branches = continue_fixed_points(net, Eigen::VectorXd::Zero(1), Eigen::VectorXd::Ones(1), starts, p);
  REQUIRE(branches.size() == 1);
  CHECK(branches[0].folds.size() == 2);
}

TEST_CASE("monostable network: a branch without folds, s monotone") {
  const auto net = bistable_unit(0.5);
  const auto br = continue_fixed_point(net, Eigen::VectorXd::Zero(1), Eigen::VectorXd::Ones(1),
                                       Eigen::VectorXd::Zero(1));
  CHECK(br.folds.empty());
  for (std::size_t i = 1; i < br.points.size(); ++i) CHECK(br.points[i].s > br.points[i - 1].s);
  for (const auto& bp : br.points) CHECK(bp.stability == stability_class::stable);
}

TEST_CASE("continuation: misuse is reported before any work") {
  const auto net = bistable_unit(2.0);
  CHECK_THROWS_AS(continue_fixed_point(net, Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(1),
                                       Eigen::VectorXd::Zero(1)),
                  shape_error);
  continuation_params bad;
  bad.s_min = 1.0;
  bad.s_max = 0.0;
  CHECK_THROWS_AS(continue_fixed_point(net, Eigen::VectorXd::Zero(1), Eigen::VectorXd::Ones(1),
                                       Eigen::VectorXd::Zero(1), 0.0, bad),
                  argument_error);
}
