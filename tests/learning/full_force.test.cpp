#include <doctest/doctest.h>

#include <rnnlab/learning/full_force.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cmath>
#include <limits>

#include "../support/archetype_task.hpp"
#include "../support/sine_task.hpp"

using namespace rnnlab;

namespace {

// The full-FORCE set-up of the sine tests: N = 100 tanh units, linear readout of f(x), zero
// initial weights, P0 = I, updates at every step, D chaotic-ish (g_D = 1.5) and sharing W_in.
full_force ff_sine_rule() {
  full_force r;
  r.rls_alpha = 1.0;
  r.first_update_step = 0;
  r.update_at_start = false;
  r.target_gain = 1.5;
  r.target_shares_inputs = true;
  r.use_hint = false;
  r.x0_std = 0.1;
  r.restart_after = 0;
  return r;
}

template <class Scalar>
ctrnn<Scalar, activations::tanh> ff_sine_net(std::uint64_t seed) {
  auto g = make_stream(seed, 0, stream_purpose::initialization);
  ctrnn<Scalar, activations::tanh> net(100, 1, 1, Scalar(0.1), readout_source::rates);
  for (Index i = 0; i < 100; ++i) net.parameters().W_in(i, 0) = static_cast<Scalar>(standard_normal(g));
  return net;
}

// RMS error of the network's output against the sine from a random initial state (std 0.1), after
// the cue (t >= cue_steps).
template <class Scalar, class F>
double ff_sine_rms(const ctrnn<Scalar, F>& net, const test_support::sine_task& task, std::uint64_t seed) {
  auto g = make_stream(seed, 7, stream_purpose::analysis);
  const auto batch = task.sample<Scalar>(1, g);
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> x0(net.n_units());
  for (Index i = 0; i < x0.size(); ++i) x0(i) = static_cast<Scalar>(0.1 * standard_normal(g));
  const auto out = net.simulate(batch.inputs, x0).outputs;
  double se = 0;
  Index n = 0;
  for (Index t = task.cue_steps; t < task.steps; ++t, ++n) {
    const double e = static_cast<double>(out(t, 0, 0)) - task.target(t);
    se += e * e;
  }
  return std::sqrt(se / static_cast<double>(n));
}

struct ff_no_output_task {
  Index n_inputs() const { return 1; }
  Index n_outputs() const { return 0; }
  Index n_steps() const { return 5; }
  template <class S, class G>
  trial_batch<S> sample(Index b, G&) const {
    trial_batch<S> t;
    t.inputs = sequence<S>({5, b, 1});
    t.targets = sequence<S>({5, b, 0});
    t.mask = tensor<S, 2>({5, b});
    return t;
  }
};

train_options ff_budget(Index updates, std::uint64_t seed) {
  train_options o;
  o.stop.rule = stopping_rule::never;
  o.stop.metric = stopping_metric::loss;
  o.max_updates = updates;
  o.seed = seed;
  o.progress = progress_display::never;
  return o;
}

}  // namespace

TEST_CASE_TEMPLATE("full_force learns a sine: RMS error < 0.05 after 30 trials (fixed seed)", Scalar, float,
                   double) {
  const test_support::sine_task task;
  auto net = ff_sine_net<Scalar>(3);
  const double before = ff_sine_rms(net, task, 5);
  const auto report = train(net, task, ff_sine_rule(), ff_budget(30, 3));
  CHECK(report.status == training_status::budget_exhausted);
  CHECK(report.updates == 30);
  CHECK(report.trials == 30 + 3);  // + the warm-up trials of D
  const double after = ff_sine_rms(net, task, 5);
  MESSAGE("full-FORCE sine RMS: before " << before << ", after " << after);
  CHECK(before > 0.5);
  CHECK(after < 0.05);
}

TEST_CASE("full_force with a single-unit readout learns a sine through the unit's own weights") {
  test_support::sine_task task;
  task.amplitude = 0.5;  // inside tanh's range
  auto net = ff_sine_net<double>(4);
  net.set_readout_unit(0);
  const auto W_out_before = net.parameters().W_out;
  const auto report = train(net, task, ff_sine_rule(), ff_budget(30, 4));
  CHECK(report.updates == 30);
  const double rms = ff_sine_rms(net, task, 6);
  MESSAGE("full-FORCE single-unit sine RMS " << rms);
  CHECK(rms < 0.05);
  CHECK(net.parameters().W_out == W_out_before);  // unused, untouched
}

TEST_CASE("full_force reference preset: W_rec and W_out start at zero and the rule restarts after restart_after trials") {
  auto rp = rdm_params::reference_code();
  rp.n_steps = 60;
  const random_dots task(rp);
  auto g0 = make_stream(1, 0, stream_purpose::initialization);
  auto net = make_full_force_network<float>(20, 1, 1, g0);
  // A network that did not start at zero is zeroed by the reference preset.
  net.parameters().W_rec.setConstant(0.3f);
  auto rule = full_force::reference_code_rdm();
  rule.first_update_step = 30;
  rule.restart_after = 4;
  full_force_restarts restarts;
  const auto report = train(net, task, rule, ff_budget(10, 1), restarts);
  CHECK(report.updates == 10);
  // Attempts: updates 1-4 (+3 warm-up), 5-8 (+3), 9-10 (+3).
  CHECK(report.trials == 10 + 3 * 3);
  REQUIRE(restarts.trials.size() == 2);
  CHECK(restarts.trials[0] == 7);
  CHECK(restarts.trials[1] == 14);
  CHECK(restarts.updates[0] == 5);
  CHECK(restarts.updates[1] == 9);
  // After 2 trials of the last attempt the weights are what 2 trials learnt from zero: far from 0.3.
  CHECK((net.parameters().W_rec.array() - 0.3f).abs().minCoeff() > 0.0f);
  CHECK(net.parameters().W_rec.cwiseAbs().maxCoeff() < 0.3f);
}

TEST_CASE("full_force: a restart replays the first attempt when nothing else differs but the random stream") {
  // Two runs from the same seed: the same trials, the same weights (the rule is deterministic).
  auto rp = rdm_params::reference_code();
  rp.n_steps = 50;
  const random_dots task(rp);
  auto rule = full_force::reference_code_rdm();
  rule.first_update_step = 10;
  auto run = [&] {
    auto g0 = make_stream(2, 0, stream_purpose::initialization);
    auto net = make_full_force_network<float>(16, 1, 1, g0);
    train(net, task, rule, ff_budget(3, 9));
    return net.parameters();
  };
  const auto a = run(), b = run();
  CHECK(a == b);
  CHECK(a.W_rec.cwiseAbs().maxCoeff() > 0);
}

TEST_CASE("full_force works on CDI and N-CDI (float and double) and with a readout of the state") {
  auto cp = context_integration_params::reference_code(3);
  cp.n_steps = 40;
  const context_integration task(cp);
  auto rule = full_force::reference_code_ncdi();
  rule.first_update_step = 20;
  {
    auto g0 = make_stream(3, 0, stream_purpose::initialization);
    auto net = make_full_force_network<double>(24, task.n_inputs(), 1, g0);
    const auto r = train(net, task, rule, ff_budget(3, 3));
    CHECK(r.updates == 3);
    CHECK(std::isfinite(r.loss_history.back()));
    CHECK(net.parameters().W_out.cwiseAbs().maxCoeff() > 0);
  }
  {
    auto g0 = make_stream(3, 0, stream_purpose::initialization);
    auto net = make_full_force_network<float>(24, task.n_inputs(), 1, g0);
    net.set_readout(readout_source::state);  // W_out gets its own P (regressor x)
    const auto r = train(net, task, rule, ff_budget(3, 3));
    CHECK(std::isfinite(r.loss_history.back()));
    CHECK(net.parameters().W_out.cwiseAbs().maxCoeff() > 0);
  }
}

TEST_CASE("full_force: bad hyper-parameters, networks and task shapes are refused before any work") {
  const auto bad = [](auto edit) {
    full_force r;
    edit(r);
    return r;
  };
  CHECK_THROWS_AS(bad([](full_force& r) { r.rls_alpha = 0; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](full_force& r) { r.rls_alpha = std::numeric_limits<double>::quiet_NaN(); }).validate(),
                  argument_error);
  CHECK_THROWS_AS(bad([](full_force& r) { r.update_interval = 0; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](full_force& r) { r.first_update_step = -1; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](full_force& r) { r.target_gain = -1; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](full_force& r) { r.warmup_trials = -1; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](full_force& r) { r.restart_after = -1; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](full_force& r) { r.unit_state_cap = 0; }).validate(), argument_error);
  CHECK_NOTHROW(full_force::reference_code_rdm().validate());
  CHECK_NOTHROW(full_force::paper_text().validate());

  auto g = make_stream(1, 0, stream_purpose::initialization);
  // A network with output feedback: full-FORCE trains W_rec instead.
  auto net = make_full_force_network<float>(10, 1, 1, g);
  net.parameters().W_fb = Eigen::MatrixXf::Ones(10, 1);
  const archetypes::hold_value_task<false> task;
  CHECK_THROWS_AS(train(net, task, full_force{}, ff_budget(1, 1)), argument_error);
  // A task with no output channel: nothing to regress onto.
  net.parameters().W_fb.resize(0, 0);
  auto net0 = ctrnn<float, activations::tanh>(10, 1, 0);
  const auto before = net0.parameters();
  auto st = full_force{}.make_state(net0);
  auto gt = make_stream(1, 0, stream_purpose::training);
  CHECK_THROWS_AS(full_force{}.update(net0, st, ff_no_output_task{}, gt), argument_error);
  CHECK(net0.parameters() == before);
  // A task whose input count differs from the network's.
  auto net3 = make_full_force_network<float>(10, 3, 1, g);
  CHECK_THROWS_AS(train(net3, task, full_force{}, ff_budget(1, 1)), shape_error);
}
