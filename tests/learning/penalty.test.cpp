#include <doctest/doctest.h>

#include <rnnlab/learning/bptt.hpp>

#include <cmath>

using namespace rnnlab;

namespace {

// N = 6 units, M = 2 inputs, O = 2 outputs, T = 9 steps, B = 4 trials.
template <class F>
ctrnn<double, F> pen_net(readout_source readout) {
  auto g = make_stream(31, {1});
  ctrnn_config cfg{6, 0.3, readout, init_spec{0.6, 0.8, 0.7, 0.5, 0.4, 0.3}};
  auto net = make_ctrnn<double, F>(cfg, 2, 2, g);
  for (Index i = 0; i < 6; ++i) net.parameters().x0(i) = 0.5 * standard_normal(g);
  return net;
}

trial_batch<double> pen_batch() {
  auto g = make_stream(32, {2});
  trial_batch<double> batch;
  batch.inputs = sequence<double>({9, 4, 2});
  batch.targets = sequence<double>({9, 4, 2});
  batch.mask = tensor<double, 2>({9, 4});
  fill_normal(g, batch.inputs.span(), 0.0, 1.0);
  fill_normal(g, batch.targets.span(), 0.0, 1.0);
  for (Index b = 0; b < 4; ++b) {
    batch.mask(3, b) = 1;
    batch.mask(8, b) = 1;
  }
  return batch;
}

template <class F>
void pen_check(const penalty_spec& penalty, readout_source readout) {
  const auto net = pen_net<F>(readout);
  const auto batch = pen_batch();
  gradient_options opt;
  opt.params = param_set::all();
  opt.penalty = penalty;
  opt.shards = 2;
  const auto result = bptt_gradient(net, batch, opt);
  const loss_spec loss = opt.loss;
  CHECK(result.loss == doctest::Approx(evaluate_loss(net, batch, net.parameters().x0, loss, penalty)).epsilon(1e-12));
  if (penalty.any())
    CHECK(result.loss > evaluate_loss(net, batch, net.parameters().x0, loss) + 1e-6);
  const double h = 1e-6;
  for (param p : all_params) {
    CAPTURE(to_name(p));
    auto work = net;
    Eigen::MatrixXd numeric, analytic;
    work.parameters().for_each([&](param q, auto& m) {
      if (q != p) return;
      numeric.resize(m.rows(), m.cols());
      for (Index i = 0; i < m.rows(); ++i)
        for (Index j = 0; j < m.cols(); ++j) {
          const double keep = m(i, j);
          m(i, j) = keep + h;
          const double up = evaluate_loss(work, batch, work.parameters().x0, loss, penalty);
          m(i, j) = keep - h;
          const double down = evaluate_loss(work, batch, work.parameters().x0, loss, penalty);
          m(i, j) = keep;
          numeric(i, j) = (up - down) / (2 * h);
        }
    });
    result.grad.for_each([&](param q, const auto& m) {
      if (q == p) analytic = m;
    });
    REQUIRE(numeric.norm() > 0);
    CHECK((analytic - numeric).norm() / numeric.norm() < 1e-6);
  }
}

}  // namespace

TEST_CASE("penalised BPTT loss: gradient matches central finite differences") {
  penalty_spec weights_only;
  weights_only.weight_l1 = 0.01;
  weights_only.weight_l2 = 0.05;
  weights_only.weights = param_set::all();
  penalty_spec rates_only;
  rates_only.rate_l1 = 0.3;
  rates_only.rate_l2 = 0.7;
  penalty_spec both = weights_only;
  both.rate_l1 = 0.3;
  both.rate_l2 = 0.7;
  both.weights = param_set{param::W_rec, param::W_out};
  for (const auto& pen : {weights_only, rates_only, both})
    for (auto readout : {readout_source::rates, readout_source::state}) {
      pen_check<activations::tanh>(pen, readout);
      pen_check<activations::one_plus_tanh>(pen, readout);
      pen_check<activations::softplus>(pen, readout);
      pen_check<activations::linear>(pen, readout);
    }
}

TEST_CASE("penalty values by hand; no penalty changes nothing; negative weights rejected") {
  ctrnn_parameters<double> p = ctrnn_parameters<double>::zeros(2, 1, 1);
  p.W_rec << 1, -2, 0, 3;  // Σ|W| = 6, Σ W² = 14
  p.W_in << 0.5, -0.5;      // 1, 0.5
  p.W_out << 2, 0;          // 2, 4
  penalty_spec pen;
  pen.weight_l1 = 0.1;
  pen.weight_l2 = 0.01;
  CHECK(weight_penalty(p, pen) == doctest::Approx(0.1 * 9 + 0.01 * 18.5));
  pen.weights = param_set{param::W_in};
  auto grad = ctrnn_parameters<double>::zeros(2, 1, 1);
  CHECK(weight_penalty(p, pen, &grad) == doctest::Approx(0.1 + 0.005));
  CHECK(grad.W_in(0) == doctest::Approx(0.1 + 0.01));
  CHECK(grad.W_in(1) == doctest::Approx(-0.1 - 0.01));
  CHECK(grad.W_rec.norm() == 0);

  const auto net = pen_net<activations::tanh>(readout_source::rates);
  const auto batch = pen_batch();
  gradient_options plain;
  const auto a = bptt_gradient(net, batch, plain);
  CHECK(a.loss == doctest::Approx(evaluate_loss(net, batch, net.parameters().x0, plain.loss, penalty_spec{})).epsilon(1e-12));
  CHECK(a.loss == doctest::Approx(evaluate_loss(net, batch, net.parameters().x0, plain.loss)).epsilon(1e-12));
  gradient_options bad;
  bad.penalty.rate_l2 = -1;
  CHECK_THROWS_WITH_AS(bptt_gradient(net, batch, bad), doctest::Contains("penalty.rate_l2"), argument_error);
  bptt<> rule;
  rule.penalty.weight_l1 = std::nan("");
  CHECK_THROWS_AS(rule.validate(), argument_error);
}
