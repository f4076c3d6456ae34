#include <doctest/doctest.h>

#include <rnnlab/learning/adam.hpp>

#include "../support/core_archetypes.hpp"

using namespace rnnlab;

// Two Adam steps on one weight, by hand (lr 0.01, β = (0.9, 0.999), ε = 1e-8, θ₀ = 0.5,
// gradients 0.1 then −0.3):
//   step 1: m = 0.01, v = 1e-5, m̂ = 0.1, v̂ = 0.01, θ = 0.5 − 0.01·0.1/(0.1 + 1e-8) = 0.490000001
//   step 2: m = −0.021, v = 9.999e-5, m̂ = −0.021/0.19, v̂ = 9.999e-5/0.001999,
//           θ = 0.490000001 + 0.01·0.110526…/(0.223651… + 1e-8) = 0.494941899112…
TEST_CASE_TEMPLATE("Adam matches a hand-computed two-step update", Scalar, float, double) {
  auto p = ctrnn_parameters<Scalar>::zeros(2, 1, 1);
  p.W_rec(0, 1) = Scalar(0.5);
  p.W_in(1, 0) = Scalar(0.25);
  auto g = ctrnn_parameters<Scalar>::zeros_like(p);
  const adam opt{0.01, 0.9, 0.999, 1e-8};
  auto state = opt.make_state(p);
  const double tol = std::is_same_v<Scalar, float> ? 1e-6 : 1e-14;

  g.W_rec(0, 1) = Scalar(0.1);
  g.W_in(1, 0) = Scalar(7);  // not trainable below: must not move
  opt.step(p, g, param_set{param::W_rec}, state);
  CHECK(static_cast<double>(p.W_rec(0, 1)) == doctest::Approx(0.4900000009999999).epsilon(tol));
  CHECK(static_cast<double>(state.m.W_rec(0, 1)) == doctest::Approx(0.01).epsilon(tol));
  CHECK(static_cast<double>(state.v.W_rec(0, 1)) == doctest::Approx(1e-5).epsilon(tol));

  g.W_rec(0, 1) = Scalar(-0.3);
  opt.step(p, g, param_set{param::W_rec}, state);
  CHECK(static_cast<double>(p.W_rec(0, 1)) == doctest::Approx(0.49494189911200653).epsilon(tol));
  CHECK(static_cast<double>(state.m.W_rec(0, 1)) == doctest::Approx(-0.021).epsilon(tol));
  CHECK(static_cast<double>(state.v.W_rec(0, 1)) == doctest::Approx(9.999e-5).epsilon(tol));
  CHECK(state.steps == 2);

  // Untrained groups and zero-gradient entries are untouched.
  CHECK(p.W_in(1, 0) == Scalar(0.25));
  CHECK(p.W_rec(1, 0) == Scalar(0));
}

TEST_CASE("Adam's first step has size lr whatever the gradient's scale") {
  // m̂ / √v̂ = g / |g| at step 1, so every entry moves by lr (up to lr·ε/|g| ≤ 1e-8 here).
  auto p = ctrnn_parameters<double>::zeros(3, 1, 1);
  auto g = ctrnn_parameters<double>::zeros_like(p);
  g.W_rec << 1e-3, -2, 5e4, 7, -1e-2, 3, 0.5, -0.5, 1;
  const adam opt{1e-3};
  auto s = opt.make_state(p);
  opt.step(p, g, param_set::all(), s);
  CHECK((p.W_rec.array() + 1e-3 * g.W_rec.array().sign()).abs().maxCoeff() < 1.1e-8);
}

TEST_CASE("SGD with momentum matches a hand-computed two-step update") {
  auto p = ctrnn_parameters<double>::zeros(1, 1, 1);
  p.b(0) = 1.0;
  auto g = ctrnn_parameters<double>::zeros_like(p);
  const sgd opt{0.1, 0.9};
  auto s = opt.make_state(p);
  g.b(0) = 2.0;
  opt.step(p, g, param_set{param::b}, s);  // u = 2, b = 1 − 0.2 = 0.8
  CHECK(p.b(0) == doctest::Approx(0.8).epsilon(1e-15));
  g.b(0) = -1.0;
  opt.step(p, g, param_set{param::b}, s);  // u = 0.9·2 − 1 = 0.8, b = 0.8 − 0.08 = 0.72
  CHECK(p.b(0) == doctest::Approx(0.72).epsilon(1e-15));
}

TEST_CASE("optimisers reject invalid hyper-parameters and mismatched shapes") {
  CHECK_THROWS_AS(adam{-1.0}.validate(), argument_error);
  CHECK_THROWS_AS((adam{1e-3, 1.0}).validate(), argument_error);
  CHECK_THROWS_AS((sgd{0.1, 1.5}).validate(), argument_error);
  auto p = ctrnn_parameters<double>::zeros(2, 1, 1);
  const auto g = ctrnn_parameters<double>::zeros(3, 1, 1);
  auto s = adam{}.make_state(p);
  CHECK_THROWS_AS(adam{}.step(p, g, param_set::all(), s), shape_error);
}

// The optimisers are generic over the parameter type: the same hand-computed Adam steps on a
// model whose groups ("w", "c") are in no enum, selected by name.
TEST_CASE("Adam and SGD work on any ParameterGroups type (hand-computed steps on the archetype)") {
  archetypes::parameters p{Eigen::MatrixXd::Zero(2, 2), Eigen::VectorXd::Zero(3)};
  p.w(0, 1) = 0.5;
  p.c(2) = 1.0;
  auto g = archetypes::parameters::zeros_like(p);
  const adam opt{0.01, 0.9, 0.999, 1e-8};
  auto state = opt.make_state(p);
  static_assert(std::is_same_v<decltype(state), adam::state<archetypes::parameters>>);
  g.w(0, 1) = 0.1;
  g.c(2) = 5.0;  // not selected: must not move
  const archetypes::group_names only_w{{"w", "w"}};
  opt.step(p, g, only_w, state);
  CHECK(p.w(0, 1) == doctest::Approx(0.4900000009999999).epsilon(1e-14));
  CHECK(state.m.w(0, 1) == doctest::Approx(0.01).epsilon(1e-14));
  g.w(0, 1) = -0.3;
  opt.step(p, g, only_w, state);
  CHECK(p.w(0, 1) == doctest::Approx(0.49494189911200653).epsilon(1e-14));
  CHECK(p.c(2) == 1.0);
  CHECK(state.m.c(2) == 0.0);
  // SGD with momentum on group "c": u = 2, c = 1 - 0.2; u = 0.9*2 - 1, c = 0.8 - 0.08.
  archetypes::parameters q{Eigen::MatrixXd::Zero(1, 1), Eigen::VectorXd::Constant(1, 1.0)};
  auto gq = archetypes::parameters::zeros_like(q);
  const sgd s{0.1, 0.9};
  auto ss = s.make_state(q);
  gq.c(0) = 2.0;
  s.step(q, gq, archetypes::group_names{{"c", "c"}}, ss);
  CHECK(q.c(0) == doctest::Approx(0.8).epsilon(1e-15));
  gq.c(0) = -1.0;
  s.step(q, gq, archetypes::group_names{{"c", "c"}}, ss);
  CHECK(q.c(0) == doctest::Approx(0.72).epsilon(1e-15));
  // Shapes are checked group by group, naming the group.
  archetypes::parameters wrong{Eigen::MatrixXd::Zero(2, 2), Eigen::VectorXd::Zero(4)};
  CHECK_THROWS_WITH_AS(opt.step(p, wrong, only_w, state), doctest::Contains("group c"), shape_error);
}

TEST_CASE("Adam leaves the optional W_fb group alone (no param_set names it) and keeps its shape in the moments") {
  auto p = ctrnn_parameters<double>::zeros(2, 1, 1);
  p.W_fb = (Eigen::VectorXd(2) << 0.3, -0.3).finished();
  auto g = ctrnn_parameters<double>::zeros_like(p);
  g.W_fb.setConstant(1.0);
  g.W_rec.setConstant(1.0);
  const adam opt{0.01};
  auto s = opt.make_state(p);
  CHECK(s.m.W_fb.rows() == 2);
  opt.step(p, g, param_set::all(), s);
  CHECK(p.W_fb == (Eigen::VectorXd(2) << 0.3, -0.3).finished());
  CHECK((p.W_rec.array() + 0.01).abs().maxCoeff() < 1e-9);
}
