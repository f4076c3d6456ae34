#include <doctest/doctest.h>

#include <rnnlab/learning/bptt.hpp>

#include <cmath>
#include <limits>
#include <string>

using namespace rnnlab;

namespace {

// A small random problem: N = 7 units, M = 3 inputs, O = 3 outputs, T = 13 steps, B = 5 trials,
// parameters large enough that every activation works in its non-linear range.
template <class Scalar, class F>
ctrnn<Scalar, F> random_net(readout_source readout, std::uint64_t seed, double alpha = 0.3) {
  auto g = make_stream(seed, {1});
  ctrnn_config cfg{7, alpha, readout, init_spec{0.6, 0.8, 0.7, 0.5, 0.4, 0.3}};
  auto net = make_ctrnn<Scalar, F>(cfg, 3, 3, g);
  for (Index i = 0; i < 7; ++i) net.parameters().x0(i) = static_cast<Scalar>(0.5 * standard_normal(g));
  return net;
}

// Random inputs and targets; the mask selects a few steps with unequal weights (and leaves one
// trial out at one step). For cross-entropy the targets are probability vectors.
template <class Scalar>
trial_batch<Scalar> random_batch(bool probabilities, std::uint64_t seed) {
  auto g = make_stream(seed, {2});
  const Index T = 13, B = 5, M = 3, O = 3;
  trial_batch<Scalar> batch;
  batch.inputs = sequence<Scalar>({T, B, M});
  batch.targets = sequence<Scalar>({T, B, O});
  batch.mask = tensor<Scalar, 2>({T, B});
  fill_normal(g, batch.inputs.span(), 0.0, 1.0);
  fill_normal(g, batch.targets.span(), 0.0, 1.0);
  if (probabilities)
    for (Index t = 0; t < T; ++t)
      for (Index b = 0; b < B; ++b) {
        double s = 0;
        for (Index o = 0; o < O; ++o) s += (batch.targets(t, b, o) = static_cast<Scalar>(uniform01(g)));
        for (Index o = 0; o < O; ++o) batch.targets(t, b, o) /= static_cast<Scalar>(s);
      }
  for (Index b = 0; b < B; ++b) {
    batch.mask(0, b) = 1;
    batch.mask(5, b) = 0.5;
    batch.mask(T - 1, b) = 2;
  }
  batch.mask(5, 2) = 0;
  return batch;
}

// Central finite differences of the loss w.r.t. every entry of one group; returns the relative
// error ‖analytic − numeric‖ / ‖numeric‖.
template <class F>
double fd_relative_error(ctrnn<double, F> net, const trial_batch<double>& batch, const Eigen::MatrixXd& x0,
                         bool use_network_x0, const loss_spec& loss, param p, const ctrnn_parameters<double>& grad,
                         double h) {
  Eigen::MatrixXd analytic, numeric;
  const auto loss_at = [&](const ctrnn<double, F>& n) {
    return use_network_x0 ? evaluate_loss(n, batch, n.parameters().x0, loss) : evaluate_loss(n, batch, x0, loss);
  };
  net.parameters().for_each([&](param q, auto& m) {
    if (q != p) return;
    numeric.resize(m.rows(), m.cols());
    for (Index i = 0; i < m.rows(); ++i)
      for (Index j = 0; j < m.cols(); ++j) {
        const double keep = m(i, j);
        m(i, j) = keep + h;
        const double up = loss_at(net);
        m(i, j) = keep - h;
        const double down = loss_at(net);
        m(i, j) = keep;
        numeric(i, j) = (up - down) / (2 * h);
      }
  });
  grad.for_each([&](param q, const auto& m) {
    if (q == p) analytic = m;
  });
  REQUIRE(numeric.norm() > 0);
  return (analytic - numeric).norm() / numeric.norm();
}

template <class F>
void check_all_groups(readout_source readout, loss_spec loss, bool shared_x0, Index shards) {
  const auto net = random_net<double, F>(readout, 11);
  const auto batch = random_batch<double>(loss.kind == loss_kind::cross_entropy, 12);
  auto g = make_stream(13, {3});
  const Eigen::MatrixXd x0 = draw_initial_states<double>(init_spec{0, 0, 0, 0.5, 0, 0}, 7, 5, g);
  gradient_options opt;
  opt.params = param_set::all();
  opt.loss = loss;
  opt.shards = shards;
  const auto result = shared_x0 ? bptt_gradient(net, batch, opt) : bptt_gradient(net, batch, x0, opt);
  const double direct = shared_x0 ? evaluate_loss(net, batch, net.parameters().x0, loss) : evaluate_loss(net, batch, x0, loss);
  CHECK(result.loss == doctest::Approx(direct).epsilon(1e-12));
  const double h = std::is_same_v<F, activations::relu> ? 1e-7 : 1e-5;
  for (param p : all_params) {
    if (p == param::x0 && !shared_x0) continue;  // x0 gradient is w.r.t. the network's own x0
    CAPTURE(to_name(p));
    const double err = fd_relative_error(net, batch, x0, shared_x0, loss, p, result.grad, h);
    CHECK(err < 1e-6);
  }
}

template <class F>
void check_activation() {
  for (auto readout : {readout_source::rates, readout_source::state})
    for (auto kind : {loss_kind::mse, loss_kind::cross_entropy})
      for (auto norm : {loss_normalization::sum, loss_normalization::per_trial, loss_normalization::per_element}) {
        CAPTURE(to_name(readout));
        CAPTURE(to_name(kind));
        CAPTURE(to_name(norm));
        check_all_groups<F>(readout, {kind, norm}, true, 1);
        check_all_groups<F>(readout, {kind, norm}, false, 2);
      }
}

}  // namespace

TEST_CASE("BPTT gradients match central finite differences: tanh") { check_activation<activations::tanh>(); }
TEST_CASE("BPTT gradients match central finite differences: 1 + tanh") { check_activation<activations::one_plus_tanh>(); }
TEST_CASE("BPTT gradients match central finite differences: ReLU") { check_activation<activations::relu>(); }
TEST_CASE("BPTT gradients match central finite differences: softplus") { check_activation<activations::softplus>(); }
TEST_CASE("BPTT gradients match central finite differences: linear") { check_activation<activations::linear>(); }

TEST_CASE("float gradients agree with double gradients; shards and threads") {
  const auto netd = random_net<double, activations::one_plus_tanh>(readout_source::state, 21, 0.1);
  const auto batchd = random_batch<double>(false, 22);
  ctrnn_parameters<float> pf;
  netd.parameters().for_each([&](param p, const auto& m) {
    pf.for_each([&](param q, auto& mf) {
      if (p == q) mf = m.template cast<float>();
    });
  });
  const ctrnn<float, activations::one_plus_tanh> netf(pf, 0.1f, readout_source::state);
  trial_batch<float> batchf;
  batchf.inputs = batchd.inputs.cast<float>();
  batchf.targets = batchd.targets.cast<float>();
  batchf.mask = batchd.mask.cast<float>();
  gradient_options opt;
  opt.loss = loss_spec::reference_code();
  const auto gd = bptt_gradient(netd, batchd, opt);
  const auto gf = bptt_gradient(netf, batchf, opt);
  CHECK(gf.loss == doctest::Approx(gd.loss).epsilon(1e-5));
  gd.grad.for_each([&](param p, const auto& md) {
    gf.grad.for_each([&](param q, const auto& mf) {
      if (p != q) return;
      CAPTURE(to_name(p));
      CHECK((mf.template cast<double>() - md).norm() <= 1e-4 * md.norm());
    });
  });

  // The shard split only changes the summation order; threads change nothing at all.
  gradient_options one = opt, three = opt, three_threads = opt;
  one.shards = 1;
  three.shards = 3;
  three.threads = 1;
  three_threads.shards = 3;
  three_threads.threads = 3;
  const auto g1 = bptt_gradient(netd, batchd, one), g3 = bptt_gradient(netd, batchd, three),
             g3t = bptt_gradient(netd, batchd, three_threads);
  CHECK(g1.loss == doctest::Approx(g3.loss).epsilon(1e-13));
  CHECK((g1.grad.W_rec - g3.grad.W_rec).norm() <= 1e-12 * g1.grad.W_rec.norm());
  CHECK(g3.grad == g3t.grad);
  CHECK(g3.loss == g3t.loss);
}

TEST_CASE("a reused workspace gives the same gradient as a fresh one") {
  const auto net = random_net<double, activations::tanh>(readout_source::rates, 31);
  const auto b1 = random_batch<double>(false, 32), b2 = random_batch<double>(false, 33);
  gradient_options opt;
  bptt_workspace<double> ws;
  ctrnn_parameters<double> g;
  loss_and_gradient(net, b1, net.parameters().x0, opt, g, ws);
  const double L2 = loss_and_gradient(net, b2, net.parameters().x0, opt, g, ws);
  const auto fresh = bptt_gradient(net, b2, opt);
  CHECK(L2 == fresh.loss);
  CHECK(g == fresh.grad);
}

TEST_CASE("bptt_gradient rejects misuse before any work") {
  const auto net = random_net<double, activations::tanh>(readout_source::rates, 41);
  auto batch = random_batch<double>(false, 42);
  gradient_options opt;
  const Eigen::MatrixXd bad_x0 = Eigen::MatrixXd::Zero(7, 4);  // neither 1 nor B = 5 columns
  CHECK_THROWS_AS(bptt_gradient(net, batch, bad_x0, opt), shape_error);
  opt.shards = 0;
  CHECK_THROWS_AS(bptt_gradient(net, batch, opt), argument_error);
  opt.shards = 1;
  batch.mask(3, 1) = -1;
  CHECK_THROWS_AS(bptt_gradient(net, batch, opt), argument_error);
  batch.mask(3, 1) = 0;
  batch.inputs(0, 0, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(bptt_gradient(net, batch, opt), argument_error);
  // Cross-entropy needs at least two outputs.
  auto g = make_stream(43, {1});
  const auto one_out = make_ctrnn<double, activations::tanh>(ctrnn_config{7, 0.3, readout_source::rates, init_spec{0.5, 0.5, 0.5, 0, 0, 0}}, 3, 1, g);
  trial_batch<double> b1;
  b1.inputs = sequence<double>({4, 2, 3});
  b1.targets = sequence<double>({4, 2, 1});
  b1.mask = tensor<double, 2>({4, 2}, 1.0);
  opt.loss.kind = loss_kind::cross_entropy;
  CHECK_THROWS_AS(bptt_gradient(one_out, b1, opt), shape_error);
}

TEST_CASE("BPTT rejects networks with feedback, clamped units or a readout policy it cannot differentiate, before any work") {
  auto net = random_net<double, activations::tanh>(readout_source::rates, 51);
  const auto batch = random_batch<double>(false, 52);
  gradient_options opt;
  auto fb = net;
  fb.parameters().W_fb = Eigen::MatrixXd::Constant(7, 3, 0.1);
  CHECK_THROWS_WITH_AS(bptt_gradient(fb, batch, opt), doctest::Contains("rnnlab::bptt_gradient: argument 'net'"), argument_error);
  auto clamped = net;
  clamped.set_clamped_units({{0, 1.0}});
  CHECK_THROWS_WITH_AS(bptt_gradient(clamped, batch, opt), doctest::Contains("clamped"), argument_error);
  auto squashed = net;
  squashed.set_output_activation("tanh");
  CHECK_THROWS_WITH_AS(bptt_gradient(squashed, batch, opt), doctest::Contains("'tanh'"), argument_error);
  CHECK_THROWS_WITH_AS((void)bptt<adam>{}.make_state(squashed), doctest::Contains("rnnlab::bptt::make_state"), argument_error);
}
