// Time to criterion with eager and exact lazy validation, side by side in one run (issue 17 item 4;
// docs/performance.md "Time to criterion"). For each task and seed, the reference BPTT presets
// (McMahan et al. 2021; reference_code_spec §1.3–1.4: network, task, Adam on W_rec, stop when the
// min of the last 10 accuracies on the 2,000-trial reference validation set is >= 0.9) are trained
// twice from the same seed, eager then lazy, and one markdown row is printed per run: updates,
// wall and CPU seconds, the part of the wall time spent validating, the final accuracy, and
// whether the lazy run ended with the eager run's update count, final accuracy and bit-identical
// parameters. The machine is shared: compare the two modes within a row pair (ratios), not
// seconds across runs.
//
//   time_to_criterion [--tasks rdm,cdi,3cdi] [--seeds 1-5 | --seeds 1,3] [--max-updates U]
//                     [--threads K]
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace rnnlab;

namespace {

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct ttc_run {
  training_report report;
  ctrnn<float>::parameters_type parameters;
  double cpu_seconds = 0;
};

template <class Task>
ttc_run ttc_train(const Task& task, std::uint64_t seed, validation_mode mode, Index max_updates, thread_count threads) {
  auto gi = make_stream(seed, 0, stream_purpose::initialization);
  auto net = make_ctrnn<float>(ctrnn_config::reference_code(), task.n_inputs(), task.n_outputs(), gi);
  auto rule = bptt<adam>::reference_code();
  rule.threads = threads;
  auto opt = train_options::reference_code();
  opt.seed = seed;
  opt.max_updates = max_updates;
  opt.validation = mode;
  opt.progress = progress_display::never;
  opt.evaluation.threads = threads;
  const double c0 = process_cpu_seconds();
  ttc_run r;
  r.report = train(net, task, rule, opt);
  r.cpu_seconds = process_cpu_seconds() - c0;
  r.parameters = net.parameters();
  return r;
}

void ttc_row(const char* task, std::uint64_t seed, const char* mode, const ttc_run& r, const char* same) {
  const auto& p = r.report;
  std::printf("| %s | %llu | %s | %s | %lld | %zu | %.1f | %.1f | %.1f (%.0f %%) | %.4f | %s |\n", task,
              static_cast<unsigned long long>(seed), mode, std::string(to_name(p.status)).c_str(),
              static_cast<long long>(p.updates), p.accuracy_history.size(), p.wall_seconds, r.cpu_seconds,
              p.validation_seconds, 100.0 * p.validation_seconds / std::max(p.wall_seconds, 1e-9), p.final_accuracy,
              same);
  std::fflush(stdout);
}

template <class Task>
void ttc_compare(const char* name, const Task& task, std::uint64_t seed, Index max_updates, thread_count threads,
                 double (&sums)[2][3]) {
  const ttc_run eager = ttc_train(task, seed, validation_mode::eager, max_updates, threads);
  ttc_row(name, seed, "eager", eager, "");
  const ttc_run lazy = ttc_train(task, seed, validation_mode::lazy, max_updates, threads);
  const bool same = lazy.report.updates == eager.report.updates && lazy.report.status == eager.report.status &&
                    lazy.report.final_accuracy == eager.report.final_accuracy && lazy.parameters == eager.parameters;
  ttc_row(name, seed, "lazy", lazy, same ? "yes" : "NO");
  const ttc_run* runs[2] = {&eager, &lazy};
  for (int m = 0; m < 2; ++m) {
    sums[m][0] += runs[m]->report.wall_seconds;
    sums[m][1] += runs[m]->cpu_seconds;
    sums[m][2] += runs[m]->report.validation_seconds;
  }
}

std::vector<std::uint64_t> ttc_parse_seeds(const std::string& s) {
  std::vector<std::uint64_t> out;
  if (const auto dash = s.find('-'); dash != std::string::npos) {
    for (auto i = std::stoull(s.substr(0, dash)); i <= std::stoull(s.substr(dash + 1)); ++i) out.push_back(i);
    return out;
  }
  std::stringstream in(s);
  for (std::string t; std::getline(in, t, ',');) out.push_back(std::stoull(t));
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string tasks = "rdm,cdi,3cdi";
  std::vector<std::uint64_t> seeds = {1, 2, 3, 4, 5};
  Index max_updates = 20000;
  thread_count threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw argument_error("time_to_criterion: option " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--tasks")
      tasks = next();
    else if (a == "--seeds")
      seeds = ttc_parse_seeds(next());
    else if (a == "--max-updates")
      max_updates = std::stol(next());
    else if (a == "--threads")
      threads = std::stoi(next());
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: time_to_criterion [--tasks rdm,cdi,3cdi] [--seeds 1-5|1,3] [--max-updates U] [--threads K]\n";
      return 0;
    } else {
      throw argument_error("time_to_criterion: unknown option " + a);
    }
  }
  std::printf("| task | seed | validation | status | updates | scores recorded | wall s | CPU s | validating wall s | "
              "final accuracy | same as eager |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::stringstream list(tasks);
  double sums[2][3] = {};
  for (std::string t; std::getline(list, t, ',');) {
    for (const auto seed : seeds) {
      if (t == "rdm")
        ttc_compare("RDM", random_dots(rdm_params::reference_code()), seed, max_updates, threads, sums);
      else if (t == "cdi")
        ttc_compare("CDI", context_integration(context_integration_params::reference_code(2)), seed, max_updates,
                    threads, sums);
      else if (t == "3cdi")
        ttc_compare("3-CDI", context_integration(context_integration_params::reference_code(3)), seed, max_updates,
                    threads, sums);
      else
        throw argument_error("time_to_criterion: --tasks takes rdm, cdi, 3cdi; got " + t);
    }
  }
  std::printf("\ntotals: eager %.1f s wall, %.1f s CPU, %.1f s validating; lazy %.1f s wall, %.1f s CPU, %.1f s "
              "validating; lazy/eager wall %.2f, CPU %.2f\n",
              sums[0][0], sums[0][1], sums[0][2], sums[1][0], sums[1][1], sums[1][2],
              sums[1][0] / std::max(sums[0][0], 1e-9), sums[1][1] / std::max(sums[0][1], 1e-9));
  return 0;
} catch (const std::exception& e) {
  std::cerr << "time_to_criterion: error: " << e.what() << "\n";
  return 1;
}
