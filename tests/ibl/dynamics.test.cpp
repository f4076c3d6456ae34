// Tests of ibl/dynamics.hpp, ibl/fixed_points.hpp and analysis/unit_pools.hpp.
#include <doctest/doctest.h>

#include <rnnlab/analysis/unit_pools.hpp>
#include <rnnlab/ibl/dynamics.hpp>
#include <rnnlab/ibl/fixed_points.hpp>

#include <cmath>

using namespace rnnlab;

namespace {

// An IBL network with the given recurrent weights and bias (other weights from the reference init).
ctrnn_parameters<double> dyn_net(const Eigen::MatrixXd& W, const Eigen::VectorXd& b) {
  auto g = make_stream(1, 0, stream_purpose::initialization);
  auto p = ibl_network_init(W.rows(), g);
  p.W_rec = W;
  p.b = b;
  return p;
}

}  // namespace

TEST_CASE("IBL flow field equals direct network steps projected on the plane") {
  auto g = make_stream(2, 0, stream_purpose::initialization);
  const auto p = ibl_network_init(5, g);
  Eigen::VectorXd mean = Eigen::VectorXd::LinSpaced(5, -0.2, 0.3);
  Eigen::MatrixXd axes = Eigen::MatrixXd::Zero(5, 2);
  axes(0, 0) = axes(1, 0) = std::sqrt(0.5);
  axes(2, 1) = 1;
  const Eigen::MatrixXd conditions = ibl_input_conditions();
  REQUIRE(conditions.cols() == 6);
  const std::vector<double> xs{-0.5, 0.0, 0.7}, ys{-0.3, 0.4};
  for (Index c = 0; c < 6; ++c) {
    const Eigen::VectorXd u = conditions.col(c);
    const auto f = ibl_flow_field(p, mean, axes, xs, ys, u);
    REQUIRE(f.points.cols() == 6);
    CHECK(f.points(0, 1) == 0.0);  // x runs fastest
    CHECK(f.points(1, 3) == 0.4);
    for (Index k = 0; k < 6; ++k) {
      const Eigen::VectorXd h = mean + axes.col(0) * f.points(0, k) + axes.col(1) * f.points(1, k);
      const Eigen::VectorXd h1 = (p.W_rec * h + p.W_in * u + p.b).array().tanh().matrix();
      CHECK(std::abs(f.delta(0, k) - axes.col(0).dot(h1 - h)) < 1e-14);
      CHECK(std::abs(f.delta(1, k) - axes.col(1).dot(h1 - h)) < 1e-14);
    }
  }
  CHECK_THROWS_AS(ibl_flow_field(p, mean.head(4), axes, xs, ys, conditions.col(0)), shape_error);
  CHECK_THROWS_AS(ibl_flow_field(p, mean, axes, {}, ys, conditions.col(0)), argument_error);
}

TEST_CASE("OLS lines against hand-computed values") {
  // y = 1 + 2x + e, e = (+1, −1, −1, +1) on x = 0..3: slope 2 − 0.2·... computed by hand below.
  const std::vector<double> x{0, 1, 2, 3}, y{2, 2, 4, 8};
  const auto l = ols_fit(x, y);
  // x̄ = 1.5, ȳ = 4, Sxx = 5, Sxy = (−1.5)(−2) + (−.5)(−2) + (.5)(0) + (1.5)(4) = 10 → slope 2, b = 1.
  CHECK(l.slope == doctest::Approx(2.0));
  CHECK(l.intercept == doctest::Approx(1.0));
  // residuals 1, −1, −1, 1: SSR 4, σ² = 4 / 2 = 2, se = √(2 / 5).
  CHECK(l.slope_se == doctest::Approx(std::sqrt(0.4)));
  CHECK(l.r2 == doctest::Approx(1 - 4.0 / 24.0));
  // Without intercept on x = (1, 2), y = (1, 3): a = Σxy / Σx² = 7/5, SSR = (1 − 1.4)² + (3 − 2.8)² = 0.2, dof 1.
  const auto l0 = ols_fit({1, 2}, {1, 3}, false);
  CHECK(l0.slope == doctest::Approx(1.4));
  CHECK(l0.intercept == 0.0);
  CHECK(l0.slope_se == doctest::Approx(std::sqrt(0.2 / 5)));
  CHECK_THROWS_AS(ols_fit({1, 1, 1}, {1, 2, 3}), argument_error);
  CHECK_THROWS_AS(ols_fit({1, 2}, {1}), shape_error);
}

TEST_CASE("readout velocity regresses coordinate changes on o_R − o_L over observation steps") {
  const Index T = 40;
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(2, T), inputs = Eigen::MatrixXd::Zero(3, T);
  std::vector<char> blank(static_cast<std::size_t>(T), 0);
  for (Index t = 1; t < T; ++t) {
    blank[static_cast<std::size_t>(t)] = t % 5 == 0;
    inputs(0, t) = 0.1 * static_cast<double>(t % 3);
    inputs(1, t) = 0.2 * static_cast<double>(t % 4);
    const double d = inputs(1, t) - inputs(0, t);
    z(0, t) = z(0, t - 1) + 0.3 * d + 0.01;
    z(1, t) = z(1, t - 1) + (blank[static_cast<std::size_t>(t)] ? 5.0 : 0.05 * d);  // blank steps ignored
  }
  const auto v = ibl_readout_velocity(z, inputs, blank);
  CHECK(v.trial.slope == doctest::Approx(0.3));
  CHECK(v.trial.intercept == doctest::Approx(0.01));
  CHECK(v.block.slope == doctest::Approx(0.05));
  CHECK(v.trial.slope_se < 1e-10);
  CHECK(v.trial.n == 39 - 7);
}

TEST_CASE("convex hull and plane grid starts") {
  Eigen::MatrixXd P(2, 5);
  P << 0, 1, 1, 0, 0.5,  //
      0, 0, 1, 1, 0.5;
  const auto hull = convex_hull_2d(P);
  CHECK(hull.size() == 4);
  CHECK(inside_convex_hull(hull, Eigen::Vector2d(0.2, 0.9)));
  CHECK_FALSE(inside_convex_hull(hull, Eigen::Vector2d(1.1, 0.5)));
  // A triangle of plane points: of a 3 × 3 grid on its bounding box, those on or under the diagonal.
  ibl_representation rep;
  rep.pcs.resize(2, 3);
  rep.pcs << 0, 2, 0,  //
      0, 0, 2;
  rep.mean = Eigen::VectorXd::Zero(3);
  rep.axes = Eigen::MatrixXd::Zero(3, 2);
  rep.axes(0, 0) = rep.axes(1, 1) = 1;
  Eigen::MatrixXd grid;
  const auto starts = ibl_plane_grid_starts(rep, 3, &grid);
  CHECK(starts.cols() == 6);
  for (Index k = 0; k < grid.cols(); ++k) {
    CHECK(grid(0, k) + grid(1, k) <= 2.0 + 1e-12);
    CHECK(starts(0, k) == grid(0, k));
    CHECK(starts(2, k) == 0.0);
  }
}

TEST_CASE("IBL fixed points: a contracting network's one attractor, and 9 points of a bistable pair") {
  // Contracting: ‖W‖ < 1, so the map has one fixed point, reached by iterating it.
  Eigen::MatrixXd W(3, 3);
  W << 0.5, 0.1, -0.2, 0.0, 0.4, 0.1, 0.2, -0.1, 0.3;
  Eigen::VectorXd b(3);
  b << 0.2, -0.4, 0.1;
  const auto p = dyn_net(W, b);
  const Eigen::VectorXd u = ibl_input_conditions().col(0);
  Eigen::VectorXd h = Eigen::VectorXd::Zero(3);
  for (int k = 0; k < 2000; ++k) h = (p.W_rec * h + p.W_in * u + p.b).array().tanh().matrix();
  Eigen::MatrixXd starts(3, 4);
  starts << -0.9, 0.9, 0.1, 0.0,  //
      0.5, -0.5, 0.2, 0.0,        //
      0.9, 0.3, -0.8, 0.0;
  const auto r = ibl_find_fixed_points(p, u, starts);
  REQUIRE(r.result.fixed_points.size() == 1);
  CHECK(r.result.fixed_points[0].certified);
  CHECK(r.result.fixed_points[0].stability == stability_class::stable);
  CHECK((r.states.col(0) - h).norm() < 1e-10);
  const Eigen::VectorXd hs = r.states.col(0);
  CHECK((hs - (p.W_rec * hs + p.W_in * u + p.b).array().tanh().matrix()).norm() < 1e-10);

  // Two uncoupled self-exciting units, h = tanh(2h + c_i): three roots each, 9 fixed points, the 4
  // with both units on an outer branch stable.
  Eigen::MatrixXd W2 = 2 * Eigen::MatrixXd::Identity(2, 2);
  Eigen::VectorXd b2(2);
  b2 << 0.1, -0.05;
  auto p2 = dyn_net(W2, b2);
  p2.W_in.setZero();
  Eigen::MatrixXd grid(2, 49);
  for (Index i = 0; i < 7; ++i)
    for (Index j = 0; j < 7; ++j) grid.col(i * 7 + j) << -0.9 + 0.3 * static_cast<double>(i), -0.9 + 0.3 * static_cast<double>(j);
  const auto r2 = ibl_find_fixed_points(p2, u, grid);
  CHECK(r2.result.fixed_points.size() == 9);
  CHECK(r2.result.count(stability_class::stable) == 4);
  CHECK(r2.result.count(stability_class::unstable) == 1);
  CHECK(r2.result.count(stability_class::saddle) == 4);
  CHECK_THROWS_AS(ibl_find_fixed_points(p, u, grid), shape_error);
}

TEST_CASE("unit pools: complete linkage on a block-structured correlation matrix") {
  // Pools {0, 2, 4} and {1, 3, 5}: correlation 0.9 within, −0.8 between.
  Eigen::MatrixXd C(6, 6);
  for (Index i = 0; i < 6; ++i)
    for (Index j = 0; j < 6; ++j) C(i, j) = i == j ? 1.0 : (i % 2 == j % 2 ? 0.9 : -0.8);
  const auto r = unit_pools_from_correlation(C);
  CHECK(r.n_clusters == 2);
  REQUIRE(r.order.size() == 6);
  // Each pool contiguous in the order, one label per pool.
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(r.order[k] % 2 == r.order[0] % 2);
    CHECK(r.order[k + 3] % 2 != r.order[0] % 2);
  }
  for (Index i = 0; i < 6; ++i) CHECK(r.cluster[static_cast<std::size_t>(i)] == r.cluster[static_cast<std::size_t>(i % 2)]);
  CHECK(r.cluster[0] != r.cluster[1]);
  // Distances: rows within a pool differ in 2 entries by 0.1 → √0.02; between pools in all 6 → √(2·0.2² + 4·1.7²)... checked via the cut.
  CHECK(r.distance(0, 2) == doctest::Approx(std::sqrt(0.02)));
  CHECK(r.cut == doctest::Approx(0.5 * r.distance.maxCoeff()));
  CHECK(r.heights.back() == doctest::Approx(r.distance(0, 1)));
  // The same pools from activity: units follow ±s_t plus small noise.
  auto g = make_stream(4, 0, stream_purpose::analysis);
  Eigen::MatrixXd H(6, 200);
  for (Index t = 0; t < 200; ++t) {
    const double s = standard_normal(g);
    for (Index i = 0; i < 6; ++i) H(i, t) = (i % 2 ? -s : s) + 0.3 * standard_normal(g);
  }
  const auto a = unit_pools(H);
  CHECK(a.n_clusters == 2);
  CHECK(a.cluster[0] == a.cluster[2]);
  CHECK(a.cluster[0] == a.cluster[4]);
  CHECK(a.cluster[1] == a.cluster[3]);
  CHECK(a.cluster[0] != a.cluster[1]);
  // Reordering W by the order.
  Eigen::MatrixXd Wr = Eigen::MatrixXd::Zero(3, 3);
  Wr(0, 1) = 1;
  Wr(2, 0) = 2;
  const auto Wo = reorder_units(Wr, {2, 0, 1});
  CHECK(Wo(1, 2) == 1.0);  // (0, 1) → positions (1, 2)
  CHECK(Wo(0, 1) == 2.0);  // (2, 0) → positions (0, 1)
  CHECK_THROWS_AS(reorder_units(Wr, {0, 0, 1}), argument_error);
  Eigen::MatrixXd Hc = H;
  Hc.row(3).setConstant(0.5);
  CHECK_THROWS_AS(unit_pools(Hc), argument_error);
  CHECK_THROWS_AS(unit_pools_from_correlation(C.leftCols(5)), shape_error);
}
