// full-FORCE trains the reference RDM task to criterion (issue 11): the reference code's preset
// (reference_code_spec §1.7: W_rec = W_out = 0 at the start, P0 = I/(5·10⁴), updates at t = 0 and
// every step from t = 200, D's own input weights, N = 50 tanh units, readout tanh(W_out tanh(x)))
// on RDM with noise std 0.5, validated on the reference set (2,000 trials; x0 ~ N(0, 1) per trial
// as the FF code's validation draws std 1), stopping on the reference rule (min of the last 10
// validations ≥ 0.9). Measured: converged after 109 trials (seed 1), ≈ 10 s at -O2.
#include <doctest/doctest.h>

#include <rnnlab/learning/full_force.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/rdm.hpp>

using namespace rnnlab;

TEST_CASE("full-FORCE (reference preset) trains RDM to >= 90 % on the reference validation set, seed 1") {
  const random_dots task(rdm_params::reference_code());
  auto g = make_stream(1, 0, stream_purpose::initialization);
  auto net = make_full_force_network<float>(50, 1, 1, g);
  train_options o = train_options::reference_code();
  o.seed = 1;
  o.max_updates = 5000;  // one attempt of the reference (restart after 5,000 trials)
  o.validation = validation_mode::lazy;
  o.validation_x0_std = 1.0;
  o.progress = progress_display::never;
  full_force_restarts restarts;
  const auto report = train(net, task, full_force::reference_code_rdm(), o, restarts);
  MESSAGE("full-FORCE RDM: " << to_name(report.status) << " after " << report.updates << " trials, accuracy "
                             << report.final_accuracy << ", " << report.wall_seconds << " s");
  CHECK(report.status == training_status::converged);
  CHECK(report.final_accuracy >= 0.9);
  CHECK(restarts.trials.empty());
  // The trained network on the same reference set from the trainer's default initial states
  // (std 0.3): still a decision-maker.
  auto gv = make_stream(77, 0, stream_purpose::validation);
  const auto val = task.validation_set<float>(gv);
  const Eigen::MatrixXf x0 = draw_initial_states<float>(init_spec{0, 0, 0, 0.3, 0, 0}, 50, val.n_trials(), gv);
  const double acc = task.score(net.simulate(val.inputs, x0).outputs, val);
  MESSAGE("accuracy on a fresh reference set, x0 std 0.3: " << acc);
  CHECK(acc >= 0.85);
}
