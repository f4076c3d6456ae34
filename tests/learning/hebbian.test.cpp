#include <doctest/doctest.h>

#include <rnnlab/learning/callbacks.hpp>
#include <rnnlab/learning/hebbian.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "../support/scratch.hpp"

using namespace rnnlab;

namespace {

// A 2-unit tanh network, α = 0.5, read out from unit 0, and a 3-step trial u = (1, 0.5, −1),
// target +1 at every step. Everything below is recomputed with scalar arithmetic.
constexpr double heb_alpha = 0.5;
constexpr double heb_W[2][2] = {{0.5, -0.3}, {0.2, 0.4}};
constexpr double heb_w_in[2] = {1.0, 0.5};
constexpr double heb_u[3] = {1.0, 0.5, -1.0};
constexpr double heb_x0[2] = {0.1, -0.2};

ctrnn<double, activations::tanh> heb_net() {
  ctrnn<double, activations::tanh> net(2, 1, 1, heb_alpha, readout_source::rates);
  auto& p = net.parameters();
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) p.W_rec(i, j) = heb_W[i][j];
    p.W_in(i, 0) = heb_w_in[i];
  }
  net.set_readout_unit(0);
  return net;
}

trial_batch<double> heb_trial() {
  trial_batch<double> b;
  b.inputs = sequence<double>({3, 1, 1});
  b.targets = sequence<double>({3, 1, 1});
  b.mask = tensor<double, 2>({3, 1});
  for (Index t = 0; t < 3; ++t) {
    b.inputs(t, 0, 0) = heb_u[t];
    b.targets(t, 0, 0) = 1.0;
    b.mask(t, 0) = t == 0 || t == 2 ? 1.0 : 0.0;
  }
  return b;
}

// x_1 … x_3 and r_0 … r_2 by hand.
struct heb_trace {
  double x[4][2] = {}, r[4][2] = {};
};

heb_trace heb_by_hand() {
  heb_trace h;
  h.x[0][0] = heb_x0[0];
  h.x[0][1] = heb_x0[1];
  for (int t = 0; t < 3; ++t) {
    for (int j = 0; j < 2; ++j) h.r[t][j] = std::tanh(h.x[t][j]);
    for (int i = 0; i < 2; ++i)
      h.x[t + 1][i] = (1 - heb_alpha) * h.x[t][i] +
                      heb_alpha * (heb_W[i][0] * h.r[t][0] + heb_W[i][1] * h.r[t][1] + heb_w_in[i] * heb_u[t]);
  }
  return h;
}

hebbian heb_rule_without_exploration() {
  hebbian rule = hebbian::reference_code();
  rule.perturbation_probability = 0;
  rule.first_eligible_step = 0;
  rule.error_steps = 2;
  return rule;
}

// A 3-step task with 4 trial types (2 contexts × 2 signs), for the per-type baselines.
struct heb_typed_task {
  Index n_inputs() const { return 1; }
  Index n_outputs() const { return 1; }
  Index n_steps() const { return 3; }
  template <class S>
  evidence_batch<S> sample(Index B, rng& g) const {
    evidence_batch<S> b;
    b.inputs = sequence<S>({3, B, 1});
    b.targets = sequence<S>({3, B, 1});
    b.mask = tensor<S, 2>({3, B});
    b.context.resize(B);
    b.label.resize(B);
    b.coherence.resize(B);
    b.stream_means.resize(B, 1);
    for (Index k = 0; k < B; ++k) {
      b.context(k) = static_cast<int>(uniform_index(g, 2));
      b.label(k) = random_sign(g);
      b.coherence(k) = b.label(k);
      b.stream_means(k, 0) = b.label(k);
      for (Index t = 0; t < 3; ++t) {
        b.inputs(t, k, 0) = static_cast<S>(b.label(k) * (1.0 + b.context(k)) * heb_u[t]);
        b.targets(t, k, 0) = static_cast<S>(b.label(k));
        b.mask(t, k) = 1;
      }
    }
    return b;
  }
};

}  // namespace

TEST_CASE("hebbian: eligibility on a hand-computed 2-unit, 3-step trace with the fast-trace baseline") {
  auto net = heb_net();
  const hebbian rule = heb_rule_without_exploration();  // fast trace, d = 0.05
  auto st = rule.make_state(net);
  rng g(1);
  const Eigen::VectorXd x0 = Eigen::Map<const Eigen::Vector2d>(heb_x0);
  const double R = rule.run_trial(net, st, heb_trial(), x0, g);

  const heb_trace h = heb_by_hand();
  double bar[2] = {heb_x0[0], heb_x0[1]};  // x̄ starts at x_0
  double e[2][2] = {{0, 0}, {0, 0}};
  for (int t = 0; t < 3; ++t) {
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) e[i][j] += std::pow(h.r[t][j] * (h.x[t + 1][i] - bar[i]), 3);
    for (int i = 0; i < 2; ++i) bar[i] = 0.05 * bar[i] + 0.95 * h.x[t + 1][i];
  }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) CHECK(st.eligibility(i, j) == doctest::Approx(e[i][j]).epsilon(1e-12));
  // R = mean |tanh(x_0(t+1)) − 1| over the last 2 steps.
  const double R_hand = (std::abs(std::tanh(h.x[2][0]) - 1) + std::abs(std::tanh(h.x[3][0]) - 1)) / 2;
  CHECK(R == doctest::Approx(R_hand).epsilon(1e-12));
  CHECK(st.outputs(2, 0, 0) == doctest::Approx(std::tanh(h.x[3][0])).epsilon(1e-14));

  // Steps before first_eligible_step add nothing.
  hebbian late = rule;
  late.first_eligible_step = 2;
  auto st2 = late.make_state(net);
  late.run_trial(net, st2, heb_trial(), x0, g);
  bar[0] = heb_x0[0];
  bar[1] = heb_x0[1];
  for (int t = 0; t < 3; ++t) {
    if (t == 2)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
          CHECK(st2.eligibility(i, j) == doctest::Approx(std::pow(h.r[t][j] * (h.x[t + 1][i] - bar[i]), 3)).epsilon(1e-12));
    for (int i = 0; i < 2; ++i) bar[i] = 0.05 * bar[i] + 0.95 * h.x[t + 1][i];
  }
}

TEST_CASE("hebbian: eligibility with the trial-mean baseline, and the masked-MSE error") {
  auto net = heb_net();
  hebbian rule = heb_rule_without_exploration();
  rule.baseline = hebbian_baseline::trial_mean;
  rule.error = hebbian_error::masked_mse;
  auto st = rule.make_state(net);
  rng g(1);
  const Eigen::VectorXd x0 = Eigen::Map<const Eigen::Vector2d>(heb_x0);
  const double R = rule.run_trial(net, st, heb_trial(), x0, g);
  const heb_trace h = heb_by_hand();
  double mean[2] = {};
  for (int i = 0; i < 2; ++i) mean[i] = (h.x[1][i] + h.x[2][i] + h.x[3][i]) / 3;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      double e = 0;
      for (int t = 0; t < 3; ++t) e += std::pow(h.r[t][j] * (h.x[t + 1][i] - mean[i]), 3);
      CHECK(st.eligibility(i, j) == doctest::Approx(e).epsilon(1e-12));
    }
  // Mask on steps 0 and 2: mean of (tanh(x_0(1)) − 1)² and (tanh(x_0(3)) − 1)².
  const double R_hand = (std::pow(std::tanh(h.x[1][0]) - 1, 2) + std::pow(std::tanh(h.x[3][0]) - 1, 2)) / 2;
  CHECK(R == doctest::Approx(R_hand).epsilon(1e-12));
}

TEST_CASE("hebbian: weight change, with and without the R-bar factor, and element-wise clipping") {
  Eigen::Matrix2d e;
  e << 2.0, -1.0, 0.5, -4.0;
  hebbian rule;
  rule.learning_rate = 0.1;
  rule.modulate_by_baseline = false;
  rule.max_weight_change = std::numeric_limits<double>::infinity();
  // ΔW = −η e (R − R̄) = −0.1 · e · 0.3
  Eigen::Matrix2d dW = rule.weight_change(e, 0.8, 0.5);
  for (Index k = 0; k < 4; ++k) CHECK(dW(k) == doctest::Approx(-0.03 * e(k)).epsilon(1e-14));
  // Miconi: ΔW = −η R̄ e (R − R̄) = −0.1 · 0.5 · e · 0.3
  rule.modulate_by_baseline = true;
  dW = rule.weight_change(e, 0.8, 0.5);
  for (Index k = 0; k < 4; ++k) CHECK(dW(k) == doctest::Approx(-0.015 * e(k)).epsilon(1e-14));
  // Clipped to ±0.02: entries −0.03, 0.015, −0.0075, 0.06 → −0.02, 0.015, −0.0075, 0.02.
  rule.max_weight_change = 0.02;
  dW = rule.weight_change(e, 0.8, 0.5);
  CHECK(dW(0, 0) == -0.02);
  CHECK(dW(0, 1) == doctest::Approx(0.015).epsilon(1e-14));
  CHECK(dW(1, 0) == doctest::Approx(-0.0075).epsilon(1e-14));
  CHECK(dW(1, 1) == 0.02);
}

TEST_CASE("hebbian: update applies the weight change after the warm-up and keeps one baseline per trial type") {
  auto net = heb_net();
  hebbian rule = heb_rule_without_exploration();
  rule.warmup_trials = 3;
  rule.x0_halfwidth = 0.1;
  rule.max_weight_change = 0.05;
  auto st = rule.make_state(net);
  const heb_typed_task task;
  rng g(5);
  std::vector<double> expected(4, 0.0);
  std::vector<int> seen(4, 0);
  for (int trial = 1; trial <= 40; ++trial) {
    const auto W_before = net.parameters().W_rec;
    const auto baselines_before = st.reward_baseline;
    const auto r = rule.update(net, st, task, g);
    CHECK(r.trials == 1);
    CHECK(r.loss == st.error);
    const int k = st.trial_type;
    REQUIRE(k >= 0);
    REQUIRE(k < 4);
    ++seen[static_cast<std::size_t>(k)];
    const double R_bar = expected[static_cast<std::size_t>(k)];
    if (trial <= 3) {
      CHECK(net.parameters().W_rec == W_before);
    } else {
      const Eigen::Matrix2d dW = rule.weight_change(st.eligibility, st.error, R_bar);
      CHECK((net.parameters().W_rec - (W_before + dW)).cwiseAbs().maxCoeff() == 0.0);
    }
    expected[static_cast<std::size_t>(k)] = 0.75 * R_bar + 0.25 * st.error;
    // Only this type's baseline moved.
    for (std::size_t j = 0; j < baselines_before.size(); ++j)
      if (static_cast<int>(j) != k) CHECK(st.reward_baseline[j] == baselines_before[j]);
  }
  for (int k = 0; k < 4; ++k) CHECK(seen[static_cast<std::size_t>(k)] > 3);  // every type occurred
  REQUIRE(st.reward_baseline.size() == 4);
  for (std::size_t k = 0; k < 4; ++k) CHECK(st.reward_baseline[k] == doctest::Approx(expected[k]).epsilon(1e-14));
  CHECK(st.trials_seen == 40);
  // The network's bias is untouched (perturbations ride on it during a trial only).
  CHECK(net.parameters().b.isZero(0));
}

TEST_CASE("hebbian: exploratory perturbations have the stated probability and amplitude") {
  // W_rec = 0, W_in = 0, α = 1: x(t+1) = p(t) exactly, so the recorded states are the perturbations.
  ctrnn<double, activations::tanh> net(2, 1, 1, 1.0, readout_source::rates);
  net.set_readout_unit(0);
  hebbian rule;
  rule.baseline = hebbian_baseline::trial_mean;  // keeps the states
  rule.perturbation_probability = 0.25;
  rule.perturbation_amplitude = 2.0;
  rule.first_perturbed_step = 10;
  auto st = rule.make_state(net);
  trial_batch<double> trial;
  const Index T = 4010;
  trial.inputs = sequence<double>({T, 1, 1});
  trial.targets = sequence<double>({T, 1, 1});
  trial.mask = tensor<double, 2>({T, 1});
  rng g(11);
  rule.run_trial(net, st, trial, Eigen::VectorXd(Eigen::VectorXd::Zero(2)), g);
  CHECK(st.states.leftCols(10).isZero(0));
  const Eigen::ArrayXXd p = st.states.rightCols(T - 10).array();
  const double n = static_cast<double>(p.size());
  const double hit = (p != 0).cast<double>().sum() / n;
  CHECK(hit == doctest::Approx(0.25).epsilon(0.08));  // sd of the fraction ≈ 0.005
  CHECK(p.abs().maxCoeff() <= 2.0);
  const double var_given_hit = p.square().sum() / (p != 0).cast<double>().sum();  // A²/3 = 1.333
  CHECK(var_given_hit == doctest::Approx(4.0 / 3.0).epsilon(0.06));
  CHECK(std::abs(p.sum() / (p != 0).cast<double>().sum()) < 0.06);  // mean 0, sd ≈ 0.026
  CHECK(net.parameters().b.isZero(0));
}

TEST_CASE("hebbian: bad hyper-parameters are refused by validate(), naming the field") {
  const auto bad = [](auto change, const char* field) {
    hebbian r;
    change(r);
    CHECK_THROWS_WITH_AS(r.validate(), doctest::Contains(field), argument_error);
  };
  bad([](hebbian& r) { r.learning_rate = 0; }, "learning_rate");
  bad([](hebbian& r) { r.learning_rate = NAN; }, "learning_rate");
  bad([](hebbian& r) { r.perturbation_probability = 1.5; }, "perturbation_probability");
  bad([](hebbian& r) { r.perturbation_amplitude = -1; }, "perturbation_amplitude");
  bad([](hebbian& r) { r.trace_decay = 1; }, "trace_decay");
  bad([](hebbian& r) { r.error_steps = 0; }, "error_steps");
  bad([](hebbian& r) { r.reward_baseline_decay = -0.1; }, "reward_baseline_decay");
  bad([](hebbian& r) { r.max_weight_change = 0; }, "max_weight_change");
  bad([](hebbian& r) { r.warmup_trials = -1; }, "warmup_trials");
  bad([](hebbian& r) { r.first_eligible_step = -2; }, "first_eligible_step");
  CHECK_NOTHROW(hebbian::reference_code().validate());
  CHECK_NOTHROW(hebbian::paper_text().validate());
  miconi_network_config c;
  c.n_units = 8;  // unit 10 and 11 do not exist
  rng g(1);
  CHECK_THROWS_AS(make_miconi_network<float>(c, 1, g), argument_error);
}

TEST_CASE("hebbian: Miconi's network and the presets") {
  rng g(3);
  const auto net = make_miconi_network<float>(miconi_network_config{}, 1, g);
  CHECK(net.n_units() == 50);
  CHECK(net.readout_unit() == 0);
  REQUIRE(net.clamped_units().size() == 3);
  CHECK(net.clamped_units()[0] == clamped_unit{1, 1.0});
  CHECK(net.clamped_units()[2] == clamped_unit{11, -1.0});
  CHECK(net.parameters().W_in.row(0).isZero(0));
  CHECK(net.parameters().W_in.cwiseAbs().maxCoeff() <= 1.0f);
  const double sd = std::sqrt(net.parameters().W_rec.cast<double>().array().square().mean());
  CHECK(sd == doctest::Approx(1.5 / std::sqrt(50.0)).epsilon(0.05));  // 2,500 draws: sd of sd ≈ 1.4 %
  const auto ref = hebbian::reference_code();
  const auto pap = hebbian::paper_text();
  CHECK(ref.baseline == hebbian_baseline::fast_trace);
  CHECK(pap.baseline == hebbian_baseline::trial_mean);
  CHECK(ref.modulate_by_baseline);
  CHECK_FALSE(pap.modulate_by_baseline);
  CHECK(ref.max_weight_change == 2e-4);
  CHECK(std::isinf(pap.max_weight_change));
}

TEST_CASE("hebbian: through train(), reproducible per seed and resumable bit-identically from a checkpoint") {
  rdm_params tp = rdm_params::reference_code();
  tp.n_steps = 60;
  const random_dots task(tp);
  miconi_network_config cfg;
  cfg.n_units = 16;
  cfg.alpha = 0.2;
  hebbian rule = hebbian::reference_code();
  rule.warmup_trials = 5;
  rule.error_steps = 20;
  rule.perturbation_probability = 0.05;
  train_options o;
  o.stop.rule = stopping_rule::never;
  o.max_updates = 40;
  o.validate_every = 10;
  o.validation_trials = 50;
  o.progress = progress_display::never;
  o.seed = 4;
  const auto make = [&] {
    auto g = make_stream(4, 0, stream_purpose::initialization);
    return make_miconi_network<float>(cfg, 1, g);
  };
  auto full = make();
  const auto a = train(full, task, rule, o);
  CHECK(a.updates == 40);
  CHECK(a.trials == 40);
  CHECK_FALSE(full.parameters().W_rec == make().parameters().W_rec);  // it learned something
  auto again = make();
  const auto b = train(again, task, rule, o);
  CHECK(again.parameters() == full.parameters());
  CHECK(b.loss_history == a.loss_history);

  const auto path = test::fresh("hebbian.ckpt");
  struct heb_stop_at {
    bool stop_requested(const training_progress& p) const { return p.updates >= 17; }
  };
  auto part = make();
  checkpoint_file ck(path, 3);
  const auto p1 = train(part, task, rule, o, ck, heb_stop_at{});
  CHECK(p1.updates == 17);
  auto resumed = make();
  checkpoint_file ck2(path, 3);
  const auto r = train(resumed, task, rule, o, ck2);
  CHECK(ck2.resumed());
  CHECK(r.updates == 40);
  CHECK(resumed.parameters() == full.parameters());
  CHECK(r.loss_history == a.loss_history);
}
