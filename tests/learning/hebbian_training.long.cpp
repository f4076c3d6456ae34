// Long scientific run (ctest -L long): Miconi's reward-modulated Hebbian rule, reference preset
// (Miconi's program: fast-trace baseline, R-bar factor, clipping ±2e-4, perturbations p = 0.003,
// A = 30) on Miconi's network (N = 50, tanh, α = 1/30, bias units 1, 10, 11 clamped, output from
// unit 0) trains RDM (reference task: noise std 0.5) to the reference criterion — the minimum of
// the last 10 validation accuracies ≥ 0.9 on the 2,000-trial reference validation set — from a
// fixed seed. Validation every 10 trials (exact lazy validation). Trials and wall time are printed
// and recorded in docs/performance.md.
#include <doctest/doctest.h>

#include <rnnlab/learning/hebbian.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cstdio>
#include <string>

using namespace rnnlab;

TEST_CASE("Hebbian reference preset trains RDM to the reference criterion") {
  const std::uint64_t seed = 1;
  const random_dots task(rdm_params::reference_code());
  auto g = make_stream(seed, 0, stream_purpose::initialization);
  auto net = make_miconi_network<float>(miconi_network_config{}, task.n_inputs(), g);
  auto opt = train_options::reference_code();  // min of the last 10 >= 0.9, at most 20,000 updates
  opt.seed = seed;
  opt.validate_every = 10;
  opt.validation = validation_mode::lazy;
  opt.progress = progress_display::never;
  const auto report = train(net, task, hebbian::reference_code(), opt);
  std::printf("RDM, Hebbian reference preset, seed %llu: %s after %lld trials, %.1f s wall (%.1f s validating), "
              "final accuracy %.4f\n",
              static_cast<unsigned long long>(seed), std::string(to_name(report.status)).c_str(),
              static_cast<long long>(report.trials), report.wall_seconds, report.validation_seconds,
              report.final_accuracy);
  CHECK(report.status == training_status::converged);
  CHECK(report.final_accuracy >= 0.9);
}
