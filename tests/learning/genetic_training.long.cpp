// Long scientific run (ctest -L long): the genetic algorithm with the reference code's preset
// (population 50, 5 parents, 1 elite, mutation std 0.005 on W_rec, W_in, W_out, batch 500,
// generation 0 drawn with the reference initialisation) trains an RDM network (N = 50, T = 750,
// reference noise std 0.5) to the reference criterion — the min of the last 10 accuracies on the
// 2,000-trial reference validation set >= 0.9 — from a fixed seed. Generations and wall time are
// printed; docs/learning.md records them.
#include <doctest/doctest.h>

#include <rnnlab/learning/genetic.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cstdio>

using namespace rnnlab;

namespace {

struct ga_long_log {
  Index every = 10;
  void on_validation(const training_progress& p) const {
    if (p.updates % every == 0)
      std::printf("  generation %5lld  best loss %10.4g  val acc %.4f  (min of last 10 %.4f)  %.0f s\n",
                  static_cast<long long>(p.updates), p.loss, p.accuracy, p.window_min, p.seconds);
    std::fflush(stdout);
  }
};

}  // namespace

TEST_CASE("GA reference preset trains RDM to the reference criterion") {
  const random_dots task(rdm_params::reference_code());
  const std::uint64_t seed = 1;
  auto g = make_stream(seed, 0, stream_purpose::initialization);
  auto net = make_ctrnn<float>(ctrnn_config::reference_code(), task.n_inputs(), task.n_outputs(), g);
  auto opt = train_options::reference_code();
  opt.seed = seed;
  opt.max_updates = 2000;  // the reference code's generation cap
  opt.progress = progress_display::never;
  const auto rule = genetic::reference_code(genetic::reference_population(task.n_contexts()));
  std::printf("RDM, GA reference preset (population %lld), seed %llu\n", static_cast<long long>(rule.population_size),
              static_cast<unsigned long long>(seed));
  const auto report = train(net, task, rule, opt, ga_long_log{});
  std::printf("RDM GA: %s after %lld generations (%lld trials), %.1f s wall (%.1f s validating), final accuracy %.4f\n",
              std::string(to_name(report.status)).c_str(), static_cast<long long>(report.updates),
              static_cast<long long>(report.trials), report.wall_seconds, report.validation_seconds,
              report.final_accuracy);
  CHECK(report.status == training_status::converged);
  CHECK(report.final_accuracy >= 0.9);
}
