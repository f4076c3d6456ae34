#include <doctest/doctest.h>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/parallel_simulate.hpp>

#include <cmath>
#include <limits>
#include <vector>

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

// ---------------------------------------------------------------------------------------------
// Per-step API and the optional structure (feedback, clamped units, readout policies).
// The 3-unit hand cases: tanh, alpha = 0.5, x0 = (0.2, -0.4, 0.6), inputs 0.3 then -0.2; the
// expected values were computed with scalar Python (math.tanh) from the equations in
// core/ctrnn.hpp, one case per feature.

namespace {
ctrnn<double, activations::tanh> three_unit_net() {
  auto p = ctrnn_parameters<double>::zeros(3, 1, 1);
  p.W_rec << 0.5, -1.0, 0.3, 2.0, 0.25, -0.4, 0.1, 0.6, -0.2;
  p.W_in << 1.0, -0.5, 0.7;
  p.W_out << 0.3, -0.7, 0.2;
  p.b << 0.1, -0.2, 0.05;
  p.b_out << 0.05;
  p.x0 << 0.2, -0.4, 0.6;
  return {p, 0.5};
}
sequence<double> two_inputs() {
  sequence<double> u({2, 1, 1});
  u(0, 0, 0) = 0.3;
  u(1, 0, 0) = -0.2;
  return u;
}
void check_structure_case(const ctrnn<double, activations::tanh>& net, double y0, double y1, const std::vector<double>& x2) {
  const auto sim = net.simulate(two_inputs(), {.record_states = true});
  CHECK(sim.outputs(0, 0, 0) == doctest::Approx(y0).epsilon(1e-13));
  CHECK(sim.outputs(1, 0, 0) == doctest::Approx(y1).epsilon(1e-13));
  for (Index i = 0; i < 3; ++i) CHECK(sim.states(1, 0, i) == doctest::Approx(x2[static_cast<std::size_t>(i)]).epsilon(1e-13));
  // The per-step API and the sharded path give exactly the same numbers (one implementation).
  auto ws = net.make_workspace(1);
  net.reset(ws, net.parameters().x0);
  const auto u = two_inputs();
  for (Index t = 0; t < 2; ++t) {
    net.step(ws, u.slice(t));
    CHECK(ws.outputs()(0, 0) == sim.outputs(t, 0, 0));
    CHECK(ws.time() == t + 1);
  }
  const auto sharded = simulate_sharded(net, u, net.parameters().x0, {.shards = 1, .threads = 1});
  CHECK(sharded == sim.outputs);
}
}  // namespace

TEST_CASE("hand-computed 3-unit cases: standard, output feedback, clamped units, single-unit and tanh readouts") {
  SUBCASE("standard: y = W_out tanh(x) + b_out") {
    check_structure_case(three_unit_net(), 0.4929961813461076, 0.04397241218132593,
               {0.5979412804627493, 0.24154830234059071, -0.004160695541460119});
  }
  SUBCASE("output feedback: x += alpha W_fb y(x_t), y(x_0) driving the first step (FORCE)") {
    auto net = three_unit_net();
    net.parameters().W_fb = (Eigen::VectorXd(3) << 0.4, -0.3, 0.8).finished();
    net.validate("test");
    CHECK(net.has_feedback());
    check_structure_case(net, 0.5901691798979868, 0.21622137567993893, {0.8371203356205427, 0.13880337574693233, 0.2957314061974827});
  }
  SUBCASE("clamped units 1 = +1 and 2 = -1 (Miconi's bias units), held at the start and after every step") {
    auto net = three_unit_net();
    net.set_clamped_units({{1, 1.0}, {2, -1.0}});
    check_structure_case(net, -0.6788358045636416, -0.8077517544723402, {-0.6540499405316353, 1.0, -1.0});
  }
  SUBCASE("single-unit readout y = tanh(x_0) (Miconi's output unit)") {
    auto net = three_unit_net();
    net.set_readout_unit(0);
    check_structure_case(net, 0.5510415099477994, 0.5355830085503187,
               {0.5979412804627493, 0.24154830234059071, -0.004160695541460119});
  }
  SUBCASE("output nonlinearity y = tanh(W_out tanh(x) + b_out) (full-FORCE's readout)") {
    auto net = three_unit_net();
    net.set_output_activation("tanh");
    CHECK(net.output_activation() == "tanh");
    check_structure_case(net, 0.45659122516500983, 0.04394409279403513,
               {0.5979412804627493, 0.24154830234059071, -0.004160695541460119});
    // output() applies the same readout policy.
    Eigen::MatrixXd X(3, 1);
    X << 0.1, 0.2, 0.3;
    const double z = 0.3 * std::tanh(0.1) - 0.7 * std::tanh(0.2) + 0.2 * std::tanh(0.3) + 0.05;
    CHECK(net.output(X)(0, 0) == doctest::Approx(std::tanh(z)).epsilon(1e-15));
  }
}

TEST_CASE("step on a workspace reproduces simulate exactly, and observers see every step in order") {
  rng g(21);
  auto net = make_ctrnn<double>(ctrnn_config::paper_text(9), 2, 3, g);
  sequence<double> u({6, 5, 2});
  fill_normal(g, u.span());
  const Eigen::MatrixXd X0 = draw_initial_states<double>(init_spec::paper_text(9), 9, 5, g);
  std::vector<Index> seen;
  double observed_sum = 0;
  const auto sim = net.simulate(u, X0, {.record_states = true},
                                [&](Index t, const Eigen::MatrixXd& X, const Eigen::MatrixXd& R, const auto& Y) {
                                  seen.push_back(t);
                                  CHECK((R.array() - (1 + X.array().tanh())).abs().maxCoeff() < 1e-15);
                                  observed_sum += Y.sum();
                                });
  CHECK(seen == std::vector<Index>{0, 1, 2, 3, 4, 5});
  CHECK(observed_sum == doctest::Approx(sim.outputs.flat().sum()).epsilon(1e-14));
  auto ws = net.make_workspace(5);
  net.reset(ws, X0);
  CHECK(ws.time() == 0);
  Index calls = 0;
  for (Index t = 0; t < 6; ++t) {
    net.step(ws, u.slice(t), [&](Index s, const auto& X, const auto&, const auto& Y) {
      CHECK(s == t);
      CHECK(X == Eigen::MatrixXd(sim.states.slice(t)));
      CHECK(Y == Eigen::MatrixXd(sim.outputs.slice(t)));
      ++calls;
    });
    CHECK(ws.state() == Eigen::MatrixXd(sim.states.slice(t)));  // bit-identical: the same code
  }
  CHECK(calls == 6);
  // A block of a larger input matrix (outer stride != rows) is read in place.
  Eigen::MatrixXd big = Eigen::MatrixXd::Zero(4, 5);
  big.topRows(2) = u.slice(0);
  net.reset(ws, X0);
  net.step(ws, big.topRows(2));
  CHECK(ws.state() == Eigen::MatrixXd(sim.states.slice(0)));
}

TEST_CASE("simulate_sharded: one shard is simulate exactly; any split agrees to rounding and is thread-count independent") {
  // A narrower column block may take another edge path of the micro-kernel (float FMA order), so
  // across shard splits outputs agree to rounding; for a given split they are bit-identical
  // whatever the thread count.
  rng g(8);
  auto net = make_ctrnn<float, activations::tanh>(ctrnn_config::paper_text(12), 3, 1, g);
  sequence<float> u({20, 11, 3});
  fill_normal(g, u.span());
  const Eigen::MatrixXf X0 = draw_initial_states<float>(init_spec::paper_text(12), 12, 11, g);
  for (int variant = 0; variant < 2; ++variant) {
    CAPTURE(variant);
    if (variant == 1) {
      net.parameters().W_fb = Eigen::MatrixXf::Constant(12, 1, 0.3f);
      net.set_clamped_units({{0, 1.0}, {5, -1.0}});
      net.set_output_activation<activations::tanh>();
    }
    const auto ref = net.simulate(u, X0).outputs;
    CHECK(simulate_sharded(net, u, X0, {.shards = 1, .threads = 1}) == ref);
    for (Index shards : {2, 3, 11}) {
      CAPTURE(shards);
      const auto one = simulate_sharded(net, u, X0, {.shards = shards, .threads = 1});
      CHECK(simulate_sharded(net, u, X0, {.shards = shards, .threads = 2}) == one);
      CHECK((one.flat() - ref.flat()).abs().maxCoeff() < 1e-5f);
    }
    // A shared initial state.
    const Eigen::VectorXf x0 = X0.col(2);
    CHECK((simulate_sharded(net, u, x0, {.shards = 3, .threads = 2}).flat() - net.simulate(u, x0).outputs.flat())
              .abs()
              .maxCoeff() < 1e-5f);
  }
}

TEST_CASE("the optional structure and the step API reject bad arguments before any work") {
  auto net = three_unit_net();
  CHECK(net.is_standard());
  CHECK_THROWS_WITH_AS(net.set_readout_unit(3),
                       "rnnlab::ctrnn::set_readout_unit: argument 'k': expected -1 (linear readout) or a unit in [0, 3), got 3",
                       argument_error);
  CHECK_THROWS_WITH_AS(net.set_clamped_units({{1, 1.0}, {1, -1.0}}),
                       doctest::Contains("each unit at most once"), argument_error);
  CHECK_THROWS_AS(net.set_clamped_units({{5, 1.0}}), argument_error);
  CHECK_THROWS_AS(net.set_clamped_units({{0, std::nan("")}}), argument_error);
  CHECK_THROWS_WITH_AS(net.set_output_activation("sigmoid"), doctest::Contains("tanh, one_plus_tanh, relu, softplus, linear"),
                       argument_error);
  CHECK(net.is_standard());  // nothing changed by the failed calls
  ctrnn<double> two(3, 1, 2);
  CHECK_THROWS_WITH_AS(two.set_readout_unit(0), doctest::Contains("n_outputs = 1"), argument_error);
  // W_fb must be N x O.
  auto p = ctrnn_parameters<double>::zeros(3, 1, 1);
  p.W_fb = Eigen::MatrixXd::Zero(3, 2);
  CHECK_THROWS_WITH_AS(ctrnn<double>(p, 0.1), doctest::Contains("argument 'W_fb'"), shape_error);
  // Workspaces: the wrong network shape, never reset, a wrong input shape.
  auto ws = net.make_workspace(4);
  CHECK_THROWS_WITH_AS(net.step(ws, Eigen::MatrixXd::Zero(1, 4)), doctest::Contains("reset"), argument_error);
  net.reset(ws, net.parameters().x0);
  CHECK_THROWS_WITH_AS(net.step(ws, Eigen::MatrixXd::Zero(1, 3)),
                       "rnnlab::ctrnn::step: argument 'U': expected (1, 4), got (1, 3)", shape_error);
  ctrnn<double, activations::tanh> other(5, 1, 1);
  CHECK_THROWS_AS(other.step(ws, Eigen::MatrixXd::Zero(1, 4)), shape_error);
  CHECK_THROWS_AS(net.make_workspace(0), shape_error);
  CHECK_THROWS_AS(net.reset(ws, Eigen::MatrixXd::Zero(3, 2)), shape_error);
  // A feedback network needs a workspace made with feedback on.
  auto fb = three_unit_net();
  fb.parameters().W_fb = (Eigen::VectorXd(3) << 1, 2, 3).finished();
  CHECK_THROWS_WITH_AS(fb.reset(ws, fb.parameters().x0), doctest::Contains("feedback on"), shape_error);
  // require_standard names the first non-standard feature.
  CHECK_THROWS_WITH_AS(fb.require_standard("caller"), doctest::Contains("caller: argument 'net': expected a network without output feedback"),
                       argument_error);
  auto unit = three_unit_net();
  unit.set_readout_unit(2);
  CHECK_FALSE(unit.is_standard());
  CHECK_THROWS_WITH_AS(unit.require_standard("caller"), doctest::Contains("a readout from unit 2"), argument_error);
}

TEST_CASE("parameter groups: the optional W_fb is a named group, zeros_like keeps it, equality compares it") {
  auto p = ctrnn_parameters<double>::zeros(2, 1, 1);
  CHECK_FALSE(p.has_feedback());
  auto groups = p.groups();
  REQUIRE(groups.size() == 7);
  CHECK(groups[0].name == "W_rec");
  CHECK(groups[6].name == "W_fb");
  CHECK(groups[6].values.size() == 0);
  groups[0].values(1, 0) = 4.0;  // the blocks are views of the parameters
  CHECK(p.W_rec(1, 0) == 4.0);
  p.W_fb = (Eigen::VectorXd(2) << 0.5, -0.5).finished();
  const auto z = ctrnn_parameters<double>::zeros_like(p);
  CHECK(z.W_fb.rows() == 2);
  CHECK(z.W_fb.cols() == 1);
  CHECK(z.W_fb.isZero());
  auto q = p;
  CHECK(q == p);
  q.W_fb(1, 0) = 0.25;
  CHECK_FALSE(q == p);
  CHECK(param_set::all().contains("W_rec"));
  CHECK_FALSE(param_set::all().contains("W_fb"));
}

TEST_CASE("init presets: a non-finite or negative gain is refused naming g, not the std it would become") {
  for (const double g : {std::nan(""), -1.0, std::numeric_limits<double>::infinity()}) {
    CAPTURE(g);
    CHECK_THROWS_WITH_AS(rnnlab::init_spec::paper_text(50, g), doctest::Contains("argument 'g (recurrent gain)'"),
                         rnnlab::argument_error);
    CHECK_THROWS_WITH_AS(rnnlab::init_spec::reference_code(g), doctest::Contains("argument 'g (recurrent gain)'"),
                         rnnlab::argument_error);
  }
  CHECK_NOTHROW(rnnlab::init_spec::paper_text(50, 0.0));
}
