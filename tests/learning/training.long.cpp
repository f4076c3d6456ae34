// Long scientific runs (ctest -L long): BPTT with the reference preset trains CDI and 3-CDI
// networks to the reference criterion (min of the last 10 validation accuracies >= 0.9 on the
// 2,000-trial reference validation set) from fixed seeds. Iterations and wall time are printed and
// recorded in docs/performance-learning.md.
#include <doctest/doctest.h>

#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cstdio>

using namespace rnnlab;

namespace {

struct log_every {
  Index every = 100;
  void on_validation(const training_progress& p) const {
    if (p.updates % every == 0)
      std::printf("  update %5lld  loss %10.4g  val acc %.4f  (min of last 10 %.4f)  %.0f s\n",
                  static_cast<long long>(p.updates), p.loss, p.accuracy, p.window_min, p.seconds);
    std::fflush(stdout);
  }
};

template <class T>
training_report train_reference(const T& task, std::uint64_t seed, const char* name) {
  auto g = make_stream(seed, 0, stream_purpose::initialization);
  auto net = make_ctrnn<float>(ctrnn_config::reference_code(), task.n_inputs(), task.n_outputs(), g);
  auto opt = train_options::reference_code();
  opt.seed = seed;
  opt.progress = progress_display::never;
  std::printf("%s, reference preset, seed %llu\n", name, static_cast<unsigned long long>(seed));
  const auto report = train(net, task, bptt<adam>::reference_code(), opt, log_every{});
  std::printf("%s: %s after %lld updates (%lld trials), %.1f s wall (%.1f s validating), final accuracy %.4f\n", name,
              std::string(to_name(report.status)).c_str(), static_cast<long long>(report.updates),
              static_cast<long long>(report.trials), report.wall_seconds, report.validation_seconds,
              report.final_accuracy);
  return report;
}

}  // namespace

TEST_CASE("BPTT reference preset trains CDI to the reference criterion") {
  const context_integration task(context_integration_params::reference_code(2));
  const auto report = train_reference(task, 1, "CDI");
  CHECK(report.status == training_status::converged);
  CHECK(report.final_accuracy >= 0.9);
}

TEST_CASE("BPTT reference preset trains 3-CDI to the reference criterion") {
  const context_integration task(context_integration_params::reference_code(3));
  const auto report = train_reference(task, 1, "3-CDI");
  CHECK(report.status == training_status::converged);
  CHECK(report.final_accuracy >= 0.9);
}
