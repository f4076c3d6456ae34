// Train a CTRNN on the random-dots motion task with BPTT + Adam as the published code does
// (McMahan et al. 2021 Sec. 2.3; reference_code_spec §1.3–1.4), then print its accuracy on the
// reference validation set and its psychometric curve (fraction of "right" choices against
// coherence, the curve of the paper's Fig. 5), and save the network.
//
//   train_rdm [OUT_DIR] [--seed S] [--threads K] [--max-updates U] [--validate-every K]
//             [--preset reference|paper] [--float|--double]
//
// The live progress line appears when stderr is a terminal.
#include <rnnlab/io.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/names.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/tasks/validation.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

using namespace rnnlab;

namespace {

struct args {
  std::filesystem::path out = "train_rdm_out";
  std::uint64_t seed = 1;
  thread_count threads = 0;
  Index max_updates = 20000;
  Index validate_every = 1;
  std::string preset = "reference";
  bool use_double = false;
};

template <class Scalar>
int run(const args& a) {
  const bool ref = a.preset == "reference";
  const random_dots task(ref ? rdm_params::reference_code() : rdm_params::paper_text());
  auto gi = make_stream(a.seed, 0, stream_purpose::initialization);
  auto net = make_ctrnn<Scalar>(ref ? ctrnn_config::reference_code() : ctrnn_config::paper_text(), task.n_inputs(),
                                task.n_outputs(), gi);
  auto rule = ref ? bptt<adam>::reference_code() : bptt<adam>::paper_text();
  rule.threads = a.threads;
  train_options opt = ref ? train_options::reference_code() : train_options::paper_text();
  opt.seed = a.seed;
  opt.max_updates = a.max_updates;
  opt.validate_every = a.validate_every;
  opt.evaluation.threads = a.threads;

  std::printf("training a %lld-unit CTRNN on RDM with BPTT (%s preset, %s, seed %llu)\n",
              static_cast<long long>(net.n_units()), a.preset.c_str(), std::is_same_v<Scalar, float> ? "float" : "double",
              static_cast<unsigned long long>(a.seed));
  const training_report report = train(net, task, rule, opt);
  std::printf("status %s (%s) after %lld updates, %lld trials, %.1f s (%.1f s validating)\n",
              std::string(to_name(report.status)).c_str(), report.reason.c_str(),
              static_cast<long long>(report.updates), static_cast<long long>(report.trials), report.wall_seconds,
              report.validation_seconds);
  std::printf("validation accuracy %.4f\n", report.final_accuracy);

  // Psychometric curve: 2,000 trials per coherence, from the network's own x0 (zero).
  auto gp = make_stream(a.seed, 0, stream_purpose::analysis);
  const std::vector<double> coh = {-0.1857, -0.1, -0.05, -0.02, -0.01, 0.0, 0.01, 0.02, 0.05, 0.1, 0.1857};
  const auto curve = measure_psychometric(net, task, coh, 0, 2000, gp);
  std::printf("\n coherence  P(right)\n");
  for (std::size_t i = 0; i < coh.size(); ++i)
    std::printf(" %+9.4f  %.3f  %s\n", curve.coherence[i], curve.fraction_positive[i],
                std::string(static_cast<std::size_t>(40 * curve.fraction_positive[i] + 0.5), '#').c_str());

  io::json extra;
  extra["task"] = "rdm";
  extra["status"] = std::string(to_name(report.status));
  extra["updates"] = report.updates;
  extra["wall_seconds"] = report.wall_seconds;
  extra["final_accuracy"] = report.final_accuracy;
  io::save_network(a.out, net, {ref ? "reference_code" : "paper_text", a.seed, extra});
  std::printf("\nsaved the network to %s\n", a.out.string().c_str());
  return report.status == training_status::converged ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) try {
  args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw argument_error("train_rdm: option " + s + " needs a value");
      return argv[++i];
    };
    if (s == "--seed")
      a.seed = std::stoull(next());
    else if (s == "--threads")
      a.threads = std::stoi(next());
    else if (s == "--max-updates")
      a.max_updates = std::stol(next());
    else if (s == "--validate-every")
      a.validate_every = std::stol(next());
    else if (s == "--preset")
      a.preset = next();
    else if (s == "--double")
      a.use_double = true;
    else if (s == "--float")
      a.use_double = false;
    else if (s == "-h" || s == "--help") {
      std::cout << "usage: train_rdm [OUT_DIR] [--seed S] [--threads K] [--max-updates U] [--validate-every K]\n"
                   "                 [--preset reference|paper] [--float|--double]\n";
      return 0;
    } else
      a.out = s;
  }
  if (a.preset != "reference" && a.preset != "paper")
    throw argument_error("train_rdm: --preset must be reference or paper, got " + a.preset);
  return a.use_double ? run<double>(a) : run<float>(a);
} catch (const std::exception& e) {
  std::cerr << "train_rdm: error: " << e.what() << "\n";
  return 1;
}
