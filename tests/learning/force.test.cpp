#include <doctest/doctest.h>

#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/learning/force.hpp>
#include <rnnlab/learning/full_force.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cmath>
#include <limits>

#include "../support/sine_task.hpp"

using namespace rnnlab;

namespace {

template <class Scalar>
ctrnn<Scalar, activations::tanh> force_sine_net(std::uint64_t seed, Index n_units = 200) {
  auto g = make_stream(seed, 0, stream_purpose::initialization);
  force_network_spec spec;
  spec.n_units = n_units;
  return make_force_network<Scalar>(spec, 1, 1, g);
}

template <class Scalar, class F>
double force_sine_rms(const ctrnn<Scalar, F>& net, const test_support::sine_task& task, std::uint64_t seed) {
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

train_options force_budget(Index updates, std::uint64_t seed) {
  train_options o;
  o.stop.rule = stopping_rule::never;
  o.stop.metric = stopping_metric::loss;
  o.max_updates = updates;
  o.seed = seed;
  o.progress = progress_display::never;
  return o;
}

}  // namespace

TEST_CASE_TEMPLATE("force learns a sine with output feedback: RMS error < 0.05 after 20 trials (fixed seed)", Scalar,
                   float, double) {
  const test_support::sine_task task;
  auto net = force_sine_net<Scalar>(1);
  const auto W_rec = net.parameters().W_rec;
  const auto W_fb = net.parameters().W_fb;
  const double before = force_sine_rms(net, task, 2);
  auto rule = force::sussillo_abbott();
  rule.x0_std = 0.1;  // the phase is set by the cue from near the origin (evaluated the same way)
  const auto report = train(net, task, rule, force_budget(20, 1));
  CHECK(report.updates == 20);
  CHECK(report.trials == 20);
  const double after = force_sine_rms(net, task, 2);
  MESSAGE("FORCE sine RMS: before " << before << ", after " << after);
  CHECK(before > 0.5);
  CHECK(after < 0.05);
  // Only the readout changed.
  CHECK(net.parameters().W_rec == W_rec);
  CHECK(net.parameters().W_fb == W_fb);
}

TEST_CASE("force with a single-unit readout learns a sine through the unit's incoming weights") {
  test_support::sine_task task;
  task.amplitude = 0.5;
  auto net = force_sine_net<double>(2);
  net.set_readout_unit(3);  // y = f(x_3), fed back through W_fb
  const auto W_rec = net.parameters().W_rec;
  auto rule = force::sussillo_abbott();
  rule.x0_std = 0.1;
  const auto report = train(net, task, rule, force_budget(20, 2));
  CHECK(report.updates == 20);
  const double rms = force_sine_rms(net, task, 2);
  MESSAGE("FORCE single-unit sine RMS " << rms);
  CHECK(rms < 0.05);
  // Only row 3 of W_rec changed.
  Eigen::MatrixXd diff = (net.parameters().W_rec - W_rec).cwiseAbs();
  CHECK(diff.row(3).maxCoeff() > 0);
  diff.row(3).setZero();
  CHECK(diff.maxCoeff() == 0);
}

TEST_CASE("force runs on the RDM task (float) and the folded network has the same dynamics and fixed points") {
  auto rp = rdm_params::reference_code();
  rp.n_steps = 80;
  const random_dots task(rp);
  auto g = make_stream(4, 0, stream_purpose::initialization);
  force_network_spec spec;
  spec.n_units = 40;
  spec.g = 0.8;
  auto net = make_force_network<float>(spec, 1, 1, g);
  force rule;
  rule.rls_alpha = 10;
  const auto report = train(net, task, rule, force_budget(5, 4));
  CHECK(report.updates == 5);
  CHECK(net.parameters().W_out.cwiseAbs().maxCoeff() > 0);

  // fold_feedback: the same outputs without W_fb.
  const auto folded = fold_feedback(net);
  CHECK(!folded.has_feedback());
  auto gs = make_stream(4, 1, stream_purpose::analysis);
  const auto batch = task.sample<float>(3, gs);
  Eigen::MatrixXf x0 = Eigen::MatrixXf::Constant(40, 1, 0.1f);
  const auto a = net.simulate(batch.inputs, x0).outputs;
  const auto b = folded.simulate(batch.inputs, x0).outputs;
  CHECK((a.flat() - b.flat()).abs().maxCoeff() < 1e-4f);
  // The fixed-point analysis refuses the network with feedback and accepts the folded one.
  Eigen::VectorXd u = Eigen::VectorXd::Zero(1);
  Eigen::MatrixXd starts = Eigen::MatrixXd::Random(40, 8) * 0.5;
  CHECK_THROWS_AS(find_fixed_points(net, u, starts), argument_error);
  const auto fp = find_fixed_points(folded, u, starts);
  CHECK(fp.n_certified_starts() > 0);
  for (const auto& p : fp.fixed_points) CHECK(p.residual < 1e-10);
  // A readout with a non-linear g does not fold.
  auto tanh_out = net;
  tanh_out.set_output_activation<activations::tanh>();
  CHECK_THROWS_AS(fold_feedback(tanh_out), argument_error);
}

TEST_CASE("full_force networks (output tanh, no feedback) go to the fixed-point analysis as they are") {
  auto g = make_stream(5, 0, stream_purpose::initialization);
  auto net = make_full_force_network<double>(30, 1, 1, g);
  auto rp = rdm_params::reference_code();
  rp.n_steps = 60;
  const random_dots task(rp);
  auto rule = full_force::reference_code_rdm();
  rule.first_update_step = 20;
  train(net, task, rule, force_budget(3, 5));
  REQUIRE(net.parameters().W_rec.cwiseAbs().maxCoeff() > 0);
  Eigen::VectorXd u = Eigen::VectorXd::Zero(1);
  Eigen::MatrixXd starts = Eigen::MatrixXd::Random(30, 6);
  const auto fp = find_fixed_points(net, u, starts);
  CHECK(fp.n_certified_starts() > 0);
}

TEST_CASE("force: bad hyper-parameters and networks without feedback are refused before any work") {
  const auto bad = [](auto edit) {
    force r;
    edit(r);
    return r;
  };
  CHECK_THROWS_AS(bad([](force& r) { r.rls_alpha = -1; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](force& r) { r.rls_alpha = std::numeric_limits<double>::infinity(); }).validate(),
                  argument_error);
  CHECK_THROWS_AS(bad([](force& r) { r.update_interval = 0; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](force& r) { r.first_update_step = -3; }).validate(), argument_error);
  CHECK_THROWS_AS(bad([](force& r) { r.x0_std = std::numeric_limits<double>::quiet_NaN(); }).validate(), argument_error);
  CHECK_NOTHROW(force::sussillo_abbott().validate());
  force_network_spec spec;
  spec.alpha = 0;
  auto g = make_stream(1, 0, stream_purpose::initialization);
  CHECK_THROWS_AS(make_force_network<float>(spec, 1, 1, g), argument_error);

  const test_support::sine_task task;
  ctrnn<float, activations::tanh> plain(20, 1, 1);
  const auto before = plain.parameters();
  CHECK_THROWS_AS(train(plain, task, force{}, force_budget(1, 1)), argument_error);
  CHECK(plain.parameters() == before);
}
