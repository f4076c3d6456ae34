// GCC 12 at -O3 reports a false -Wrestrict inside std::string concatenation inlined from
// core/parameters.hpp's validate() in this translation unit (GCC PR 105329); not our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <doctest/doctest.h>

#include <cmath>

#include <rnnlab/analysis/similarity/activity.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

using namespace rnnlab;

TEST_CASE("svcca probe inputs: 10 constant noise-free levels per context, context channel on") {
  const auto u = svcca_probe_inputs<double>(context_integration(context_integration_params::paper_text(3)));
  REQUIRE(u.shape() == std::array<Index, 3>{750, 30, 6});
  for (Index k = 0; k < 3; ++k)
    for (Index l = 0; l < 10; ++l) {
      const Index c = k * 10 + l;
      const double v = -0.1857 + 0.1857 * 2.0 * static_cast<double>(l) / 9.0;
      for (Index t : {Index(0), Index(400), Index(749)})
        for (Index ch = 0; ch < 6; ++ch) {
          const double expected = ch == k ? v : ch == 3 + k ? 1.0 : 0.0;
          CHECK(u(t, c, ch) == doctest::Approx(expected).epsilon(1e-15));
        }
    }
  const auto r = svcca_probe_inputs<float>(random_dots());
  REQUIRE(r.shape() == std::array<Index, 3>{750, 10, 1});
  CHECK(r(3, 0, 0) == doctest::Approx(-0.1857f));
  CHECK(r(3, 9, 0) == doctest::Approx(0.1857f));
}

TEST_CASE("record_activity: states of a network with known dynamics, in the reference's column order") {
  // W_rec = 0, b = 0, x0 = 0: x_t = (1 − 0.9^t) W_in u for constant u.
  ctrnn<double, activations::tanh> net(4, 2, 1, 0.1);
  net.parameters().W_in << 1, 0, 0, 2, -1, 1, 0.5, 0.5;
  const auto u = svcca_probe_inputs<double>(1, true, {3, 0.2, 20});  // C = 3 conditions, T = 20
  rng g(1);
  activity_params p;
  p.x0_std = 0.0;
  const Eigen::MatrixXd A = record_activity(net, u, p, g);
  REQUIRE(A.rows() == 4);
  REQUIRE(A.cols() == 60);
  for (Index t = 0; t < 20; ++t)
    for (Index c = 0; c < 3; ++c) {
      Eigen::Vector2d in(-0.2 + 0.2 * static_cast<double>(c), 1.0);
      const Eigen::Vector4d x = (1.0 - std::pow(0.9, static_cast<double>(t + 1))) * net.parameters().W_in * in;
      CHECK((A.col(t * 3 + c) - x).cwiseAbs().maxCoeff() < 1e-12);
    }
  p.kind = activity_kind::rates;
  p.drop_units = {1};
  const Eigen::MatrixXd R = record_activity(net, u, p, g);
  REQUIRE(R.rows() == 3);
  CHECK((R.row(1) - A.row(2).array().tanh().matrix()).cwiseAbs().maxCoeff() < 1e-15);
  // Independent x0 per condition: the first recorded state is 0.9 x0 + 0.1 W_in u.
  p = {};
  rng g2(7);
  const Eigen::MatrixXd B = record_activity(net, u, p, g2);
  const Eigen::VectorXd diff = (B.col(0) - A.col(0)) / 0.9;  // = x0 of condition 0
  CHECK(diff.norm() > 0.05);
  CHECK(((B.col(1) - A.col(1)) / 0.9 - diff).norm() > 0.05);  // condition 1 has another x0
  p.drop_units = {4};
  CHECK_THROWS_AS(record_activity(net, u, p, g), argument_error);
}

TEST_CASE("record_activity: a random CTRNN on the probes gives well-posed SVCCA input") {
  rng g(3);
  const context_integration task(context_integration_params::paper_text(2));
  const auto net = make_ctrnn<double>(ctrnn_config::reference_code(), task.n_inputs(), 1, g);
  const auto u = svcca_probe_inputs<double>(task);
  const Eigen::MatrixXd A = record_activity(net, u, {}, g), B = record_activity(net, u, {}, g);
  REQUIRE(A.rows() == 50);
  REQUIRE(A.cols() == 750 * 20);
  // The same network with different initial states: the probe-driven activity dominates.
  const auto s = svcca(A, B);
  CHECK(s.similarity > 0.8);
  CHECK(s.k_x < 50);
}
