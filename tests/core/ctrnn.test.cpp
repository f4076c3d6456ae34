#include <doctest/doctest.h>

#include <rnnlab/core/ctrnn.hpp>

#include <cmath>

using namespace rnnlab;

namespace {
ctrnn_parameters<double> two_unit_params() {
  auto p = ctrnn_parameters<double>::zeros(2, 1, 1);
  p.W_rec << 0.5, -1.0, 2.0, 0.25;
  p.W_in << 1.0, -0.5;
  p.W_out << 0.3, -0.7;
  p.b << 0.1, -0.2;
  p.b_out << 0.05;
  return p;
}
}  // namespace

TEST_CASE("one CTRNN step equals the equation on a hand-computed 2-unit case") {
  // x1 = (1-a) x0 + a (W_rec f(x0) + W_in u + b), f = 1 + tanh, a = 0.1, x0 = (0.2, -0.4), u = 0.3.
  ctrnn<double> net(two_unit_params(), 0.1);
  Eigen::MatrixXd X(2, 1);
  X << 0.2, -0.4;
  Eigen::MatrixXd U(1, 1);
  U << 0.3;
  const double r0 = 1 + std::tanh(0.2), r1 = 1 + std::tanh(-0.4);
  const double e0 = 0.9 * 0.2 + 0.1 * (0.5 * r0 - 1.0 * r1 + 1.0 * 0.3 + 0.1);
  const double e1 = 0.9 * -0.4 + 0.1 * (2.0 * r0 + 0.25 * r1 - 0.5 * 0.3 - 0.2);
  net.step(X, U);
  CHECK(X(0, 0) == doctest::Approx(e0).epsilon(1e-15));
  CHECK(X(1, 0) == doctest::Approx(e1).epsilon(1e-15));
  // Readout from rates (paper) and from the state (reference code).
  const double y_rates = 0.3 * (1 + std::tanh(e0)) - 0.7 * (1 + std::tanh(e1)) + 0.05;
  CHECK(net.output(X)(0, 0) == doctest::Approx(y_rates).epsilon(1e-15));
  net.set_readout(readout_source::state);
  CHECK(net.output(X)(0, 0) == doctest::Approx(0.3 * e0 - 0.7 * e1 + 0.05).epsilon(1e-15));
}

TEST_CASE("simulate reproduces repeated steps, records states, and outputs come after each update") {
  rng g(3);
  auto net = make_ctrnn<double>(ctrnn_config::paper_text(8), 3, 2, g);
  net.parameters().b_out << 0.1, -0.1;
  sequence<double> u({5, 4, 3});
  fill_normal(g, u.span());
  const Eigen::MatrixXd X0 = draw_initial_states<double>(net.parameters().x0.size() ? init_spec::paper_text(8) : init_spec{}, 8, 4, g);
  const auto sim = net.simulate(u, X0, {.record_states = true});
  REQUIRE(sim.outputs.shape() == std::array<Index, 3>{5, 4, 2});
  REQUIRE(sim.states.shape() == std::array<Index, 3>{5, 4, 8});
  Eigen::MatrixXd X = X0;
  for (Index t = 0; t < 5; ++t) {
    net.step(X, Eigen::MatrixXd(u.slice(t)));
    CHECK((Eigen::MatrixXd(sim.states.slice(t)) - X).cwiseAbs().maxCoeff() < 1e-14);
    CHECK((Eigen::MatrixXd(sim.outputs.slice(t)) - net.output(X)).cwiseAbs().maxCoeff() < 1e-14);
  }
  // A shared initial state (N x 1) is broadcast to every trial.
  const Eigen::VectorXd x0 = X0.col(0);
  const auto shared = net.simulate(u, x0);
  const auto explicit_ = net.simulate(u, x0.replicate(1, 4).eval());
  CHECK(shared.outputs == explicit_.outputs);
}

TEST_CASE("alpha = 1 is the vanilla RNN x_{t+1} = W_rec f(x_t) + W_in u_t + b") {
  rng g(11);
  auto net = make_ctrnn<double, activations::tanh>(ctrnn_config::paper_text(6), 2, 1, g);
  net.set_alpha(1.0);
  sequence<double> u({7, 3, 2});
  fill_normal(g, u.span());
  const auto sim = net.simulate(u, {.record_states = true});
  const auto& p = net.parameters();
  Eigen::MatrixXd X = p.x0.replicate(1, 3);
  for (Index t = 0; t < 7; ++t) {
    X = ((p.W_rec * X.array().tanh().matrix() + p.W_in * u.slice(t)).colwise() + p.b).eval();
    CHECK((Eigen::MatrixXd(sim.states.slice(t)) - X).cwiseAbs().maxCoeff() < 1e-13);
  }
}

TEST_CASE("float and double simulations agree to float precision") {
  rng g(5);
  auto netd = make_ctrnn<double>(ctrnn_config::paper_text(50), 4, 1, g);
  ctrnn<float> netf(ctrnn_parameters<float>{netd.parameters().W_rec.cast<float>(), netd.parameters().W_in.cast<float>(),
                                            netd.parameters().W_out.cast<float>(), netd.parameters().b.cast<float>(),
                                            netd.parameters().b_out.cast<float>(), netd.parameters().x0.cast<float>()},
                    0.1f);
  sequence<double> u({100, 8, 4});
  fill_normal(g, u.span());
  const auto yd = netd.simulate(u).outputs;
  const auto yf = netf.simulate(u.cast<float>()).outputs;
  CHECK((yf.cast<double>().flat() - yd.flat()).abs().maxCoeff() < 1e-4);
}

TEST_CASE("initialisation presets have the documented scales") {
  rng g(1);
  const auto paper = init_spec::paper_text(50);
  CHECK(paper.w_rec_std == doctest::Approx(1.0 / std::sqrt(50.0)));
  CHECK(paper.w_in_std == doctest::Approx(std::sqrt(0.5)));
  const auto ref = init_spec::reference_code();
  CHECK(ref.w_rec_std == doctest::Approx(0.02));
  CHECK(ref.x0_std == doctest::Approx(0.3));
  // Sample std of a 400-unit W_rec (160,000 entries) is within 1% of the preset.
  auto net = make_ctrnn<double>(ctrnn_config::paper_text(400), 1, 1, g);
  const auto& W = net.parameters().W_rec;
  const double std_hat = std::sqrt(W.array().square().mean() - std::pow(W.mean(), 2));
  CHECK(std_hat == doctest::Approx(1.0 / 20.0).epsilon(0.01));
  const Eigen::MatrixXd X0 = draw_initial_states<double>(ref, 50, 2000, g);
  CHECK(std::sqrt(X0.array().square().mean()) == doctest::Approx(0.3).epsilon(0.01));
}

TEST_CASE("bad arguments are rejected with a message naming function, argument and values") {
  auto p = ctrnn_parameters<double>::zeros(3, 2, 1);
  CHECK_THROWS_AS(ctrnn<double>(p, 0.0), argument_error);
  CHECK_THROWS_AS(ctrnn<double>(p, 1.5), argument_error);
  p.W_in.resize(4, 2);
  CHECK_THROWS_AS(ctrnn<double>(p, 0.1), shape_error);
  p = ctrnn_parameters<double>::zeros(3, 2, 1);
  p.W_rec(1, 1) = std::nan("");
  CHECK_THROWS_WITH_AS(ctrnn<double>(p, 0.1), "rnnlab::ctrnn::ctrnn: argument 'W_rec': expected finite values, got NaN or infinity",
                       argument_error);
  ctrnn<double> net(3, 2, 1);
  sequence<double> wrong({10, 4, 3});
  CHECK_THROWS_WITH_AS(net.simulate(wrong),
                       "rnnlab::ctrnn::simulate: argument 'inputs': expected (T, B, 2) to match n_inputs, got (10, 4, 3)",
                       shape_error);
  sequence<double> u({10, 4, 2});
  CHECK_THROWS_AS(net.simulate(u, Eigen::MatrixXd::Zero(3, 3)), shape_error);
}

TEST_CASE("param_set parses, prints and rejects unknown names") {
  const auto s = param_set::parse("W_rec,x0");
  CHECK(s.contains(param::W_rec));
  CHECK(s.contains(param::x0));
  CHECK_FALSE(s.contains(param::W_in));
  CHECK(s.to_string() == "W_rec,x0");
  CHECK(param_set::parse("all") == param_set::all());
  CHECK_THROWS_AS(param_set::parse("W_rec,W_foo"), argument_error);
}
