// The learning-rule table (issue 11 item 7; docs/performance.md "The learning-rule table"): every
// rule × task (RDM, CDI, 3-CDI) over several seeds, trained to the reference criterion (the min of
// the last 10 validation accuracies ≥ 0.9) within a per-rule budget; per cell the success rate
// and, over the seeds that reached the criterion, the trials, updates, wall and CPU seconds to it.
//
// The rules are the population study's (study/rules.hpp: the same networks, presets and
// adjustments for short trials) plus classic FORCE (Sussillo & Abbott 2009, learning/force.hpp),
// added here to a registry of the table's own the way a user adds a rule. Tasks and scale are the
// study's (`--size small`: T = 150, the noise std scaled by √(150/750) to keep the evidence μ√T/σ
// of the paper's trials, 1,000 validation trials, BPTT and GA batch 200; `--size paper`: T = 750,
// batch 500, 2,000 validation trials). Each run is single-threaded; runs go in parallel on the
// executor (`--threads`); a run's results do not depend on the thread count (its seeds are
// (seed, 0, purpose) streams), its CPU seconds are its own thread's (they hold under load).
//
//   rule_table [--rules bptt,ga,hebbian,full-force,force] [--tasks rdm,cdi,3cdi] [--seeds 1-5]
//              [--size small|paper] [--units N] [--force-units N] [--budget RULE=N ...]
//              [--threads K] [--out DIR]
//
// Writes DIR/rule_table_runs.csv (one row per run), DIR/rule_table.csv and DIR/rule_table.md (one
// row per rule × task) and prints the Markdown table. Budgets are in the rule's own updates (BPTT
// steps, GA generations, Hebbian / full-FORCE / FORCE trials); defaults are the study size's
// (small: BPTT 1,500, GA 200, Hebbian 5,000, full-FORCE 1,000; FORCE 1,000).
#include <charconv>
#include <rnnlab/io/atomic.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/learning/force.hpp>
#include <rnnlab/study/network_job.hpp>
#include <rnnlab/study/rules.hpp>

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

using namespace rnnlab;

namespace {

double rt_thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Classic FORCE as a table rule: a tanh network with output feedback (make_force_network: g = 1.5,
/// W_fb ~ U(-1, 1), W_out = 0), `force::sussillo_abbott()`; one update = one trial.
study::rule_entry rt_force_rule(Index units) {
  study::rule_entry e = study::make_rule_entry<activations::tanh>(
      "force", "classic FORCE (Sussillo & Abbott 2009) with output feedback; one update = one trial",
      [](const study::study_scale&) { return force::sussillo_abbott(); });
  e.requires_activation = "tanh";
  e.make_network = [units](const study::network_spec& spec, const study::study_task& task, const ctrnn_config&,
                           rng& g) {
    force_network_spec fs;
    fs.n_units = units > 0 ? units : spec.n_units;
    return std::visit(
        [&](const auto& t) {
          return study::study_network(make_force_network<float, activations::tanh>(fs, t.n_inputs(), t.n_outputs(), g));
        },
        task);
  };
  e.configure = [](train_options& o, const study::network_spec&) { o.validate_every = 10; };
  return e;
}

struct rt_job {
  std::string rule, rule_label, task_label;
  study::network_spec spec;
  std::uint64_t seed = 0;
};

struct rt_result {
  training_report report;
  double cpu = 0;
  Index budget = 0;
  std::string error;
};

/// The registry name of a table rule (the CLI's spellings are accepted).
std::string rt_registry_name(const std::string& r) {
  if (r == "ga") return "genetic";
  if (r == "full-force") return "full_force";
  return r;
}

/// A whole number in [lo, hi], the whole text read (no sign tricks, no trailing characters).
long long rt_whole(const std::string& option, const std::string& text, long long lo, long long hi) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    throw argument_error("rule_table: " + option + ": expected a whole number in [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "], got '" + text + "'");
  return v;
}

std::vector<std::uint64_t> rt_parse_seeds(const std::string& s) {
  constexpr long long max_seed = 1LL << 53;
  std::vector<std::uint64_t> out;
  if (const auto dash = s.find('-'); dash != std::string::npos && dash > 0) {
    const long long a = rt_whole("--seeds", s.substr(0, dash), 0, max_seed);
    const long long b = rt_whole("--seeds", s.substr(dash + 1), a, a + 9999);  // at most 10,000 seeds
    for (long long i = a; i <= b; ++i) out.push_back(static_cast<std::uint64_t>(i));
  } else {
    std::stringstream in(s);
    for (std::string t; std::getline(in, t, ',');)
      out.push_back(static_cast<std::uint64_t>(rt_whole("--seeds", t, 0, max_seed)));
  }
  if (out.empty()) throw argument_error("rule_table: --seeds: expected at least one seed, got '" + s + "'");
  return out;
}

std::vector<std::string> rt_split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string t; std::getline(in, t, ',');)
    if (!t.empty()) out.push_back(t);
  return out;
}

double rt_median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string rt_num(double v, int digits = 1) {
  if (!std::isfinite(v)) return "–";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

/// "median [min–max]" of the successful runs' values.
std::string rt_spread(const std::vector<double>& v, int digits = 0) {
  if (v.empty()) return "–";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  if (v.size() == 1) return rt_num(v[0], digits);
  return rt_num(rt_median(v), digits) + " [" + rt_num(*lo, digits) + "–" + rt_num(*hi, digits) + "]";
}

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> rules{"bptt", "ga", "hebbian", "full-force", "force"};
  std::vector<std::string> tasks{"rdm", "cdi", "3cdi"};
  std::vector<std::uint64_t> seeds{1, 2, 3, 4, 5};
  std::string size = "small", out = "out/rule_table";
  Index units = 50, force_units = 0;
  thread_count threads = 0;
  std::map<std::string, Index> budgets;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw argument_error("rule_table: option " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--rules") {
      rules = rt_split(next());
      if (rules.empty()) throw argument_error("rule_table: --rules: expected at least one rule");
    } else if (a == "--tasks") {
      tasks = rt_split(next());
      if (tasks.empty()) throw argument_error("rule_table: --tasks: expected at least one task");
    } else if (a == "--seeds")
      seeds = rt_parse_seeds(next());
    else if (a == "--size")
      size = next();
    else if (a == "--units")
      units = static_cast<Index>(rt_whole("--units", next(), 2, 100000));
    else if (a == "--force-units")
      force_units = static_cast<Index>(rt_whole("--force-units", next(), 0, 100000));  // 0: the default
    else if (a == "--threads")
      threads = static_cast<int>(rt_whole("--threads", next(), 0, 4096));
    else if (a == "--out")
      out = next();
    else if (a == "--budget") {
      const std::string b = next();
      const auto eq = b.find('=');
      if (eq == std::string::npos || eq == 0)
        throw argument_error("rule_table: --budget expects RULE=N (e.g. ga=100), got '" + b + "'");
      const long n = static_cast<long>(rt_whole("--budget " + b.substr(0, eq), b.substr(eq + 1), 1, 100000000));
      budgets[rt_registry_name(b.substr(0, eq))] = n;
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: rule_table [--rules bptt,ga,hebbian,full-force,force] [--tasks rdm,cdi,3cdi] [--seeds 1-5]\n"
                   "                  [--size small|paper] [--units N] [--force-units N] [--budget RULE=N ...]\n"
                   "                  [--threads K] [--out DIR]\n";
      return 0;
    } else {
      throw argument_error("rule_table: unknown option " + a);
    }
  }

  if (std::filesystem::exists(out) && !std::filesystem::is_directory(out))
    throw argument_error("rule_table: --out: expected a folder (new or existing), got the file '" + out + "'");

  // The plan fixes the scale; its cells are built by hand below (the table trains, it does not analyse).
  auto registry = study::builtin_rules();
  registry.add(rt_force_rule(force_units));
  study::study_plan plan = study::study_plan::preset(
      "default", from_name<study::study_size>(size, "rule_table", "--size"), {"bptt"});
  plan.scale.rule_max_updates["force"] = 1000;
  for (const auto& [r, n] : budgets) {
    if (!registry.contains(r))
      throw argument_error("rule_table: --budget names rule '" + r + "'; registered: " + registry.names_text());
    plan.scale.rule_max_updates[r] = n;
  }
  require(units >= 2, "rule_table", "--units", ">= 2", units);

  std::vector<rt_job> jobs;
  for (const auto& r : rules) {
    const std::string name = rt_registry_name(r);
    const auto& entry = registry.at(name);  // argument_error listing the rules for an unknown one
    require(units >= entry.min_units, "rule_table", "--units", "a size rule '" + name + "' accepts (>= " +
                                                                   std::to_string(entry.min_units) + ")",
            units);
    for (const auto& t : tasks) {
      study::network_spec spec;
      if (t == "rdm") {
        spec.task = "rdm";
        spec.contexts = 1;
      } else if (t == "cdi") {
        spec.task = "cdi";
        spec.contexts = 2;
      } else if (t.size() > 3 && t.substr(t.size() - 3) == "cdi" && std::isdigit(static_cast<unsigned char>(t[0]))) {
        spec.task = "ncdi";
        spec.contexts = static_cast<int>(rt_whole("--tasks", t.substr(0, t.size() - 3), 1, 8));
        require(spec.contexts >= 1 && spec.contexts <= 8, "rule_table", "--tasks", "N-cdi with N in [1, 8]", t);
      } else {
        throw argument_error("rule_table: --tasks takes rdm, cdi or Ncdi (e.g. 3cdi); got '" + t + "'");
      }
      spec.n_units = units;
      spec.rule = name;
      spec.activation = entry.requires_activation.empty() ? "one_plus_tanh" : entry.requires_activation;
      const std::string label = t == "rdm" ? "RDM" : t == "cdi" ? "CDI" : std::to_string(spec.contexts) + "-CDI";
      for (auto seed : seeds) jobs.push_back({name, r, label, spec, seed});
    }
  }
  const auto n_jobs = static_cast<Index>(jobs.size());
  std::printf("rule table: %lld runs (%zu rules x %zu tasks x %zu seeds), size %s (T = %lld), %lld units\n",
              static_cast<long long>(n_jobs), rules.size(), tasks.size(), seeds.size(), size.c_str(),
              static_cast<long long>(plan.scale.n_steps), static_cast<long long>(units));
  std::fflush(stdout);

  std::vector<rt_result> results(jobs.size());
  std::mutex print_mutex;
  Index done = 0;
  parallel_dynamic(n_jobs, threads, 1, [&](int, Index j) {
    thread_budget one(1);
    const rt_job& job = jobs[static_cast<std::size_t>(j)];
    const auto& entry = registry.at(job.rule);
    rt_result& res = results[static_cast<std::size_t>(j)];
    res.budget = plan.scale.max_updates_for(job.rule);
    try {
      const study::study_task task = study::make_study_task(plan, job.spec);
      auto gi = make_stream(job.seed, 0, stream_purpose::initialization);
      ctrnn_config cfg = entry.config;
      cfg.n_units = job.spec.n_units;
      const Index M = std::visit([](const auto& t) { return t.n_inputs(); }, task);
      const Index O = std::visit([](const auto& t) { return t.n_outputs(); }, task);
      study::study_network net = entry.make_network ? entry.make_network(job.spec, task, cfg, gi)
                                 : job.spec.activation == "tanh"
                                     ? study::study_network(make_ctrnn<float, activations::tanh>(cfg, M, O, gi))
                                     : study::study_network(make_ctrnn<float, activations::one_plus_tanh>(cfg, M, O, gi));
      train_options opt = train_options::reference_code();
      opt.stop.accuracy = plan.scale.stop_accuracy;
      opt.stop.window = plan.scale.stop_window;
      opt.max_updates = res.budget;
      opt.validation = validation_mode::lazy;
      opt.progress = progress_display::never;
      opt.evaluation.threads = 1;
      opt.seed = make_stream(job.seed, 0, stream_purpose::training)();
      if (entry.configure) entry.configure(opt, job.spec);
      const double c0 = rt_thread_cpu();
      res.report = entry.train(net, task, plan.scale, opt);
      res.cpu = rt_thread_cpu() - c0;
    } catch (const std::exception& e) {
      res.error = e.what();
    }
    std::lock_guard lock(print_mutex);
    ++done;
    std::fprintf(stderr, "[%lld/%lld] %s %s seed %llu: %s after %lld updates, %lld trials, accuracy %.3f, %.1f CPU s%s%s\n",
                 static_cast<long long>(done), static_cast<long long>(n_jobs), job.rule_label.c_str(),
                 job.task_label.c_str(), static_cast<unsigned long long>(job.seed),
                 res.error.empty() ? std::string(to_name(res.report.status)).c_str() : "error",
                 static_cast<long long>(res.report.updates), static_cast<long long>(res.report.trials),
                 res.report.final_accuracy, res.cpu, res.error.empty() ? "" : ": ", res.error.c_str());
  });

  // One row per run.
  std::ostringstream runs;
  runs << "rule,task,seed,status,converged,updates,trials,wall_seconds,cpu_seconds,final_accuracy,budget,error\n";
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto& r = results[j];
    runs << jobs[j].rule_label << "," << jobs[j].task_label << "," << jobs[j].seed << ","
         << (r.error.empty() ? std::string(to_name(r.report.status)) : "error") << ","
         << (r.error.empty() && r.report.status == training_status::converged ? 1 : 0) << "," << r.report.updates
         << "," << r.report.trials << "," << rt_num(r.report.wall_seconds, 3) << "," << rt_num(r.cpu, 3) << ","
         << rt_num(r.report.final_accuracy, 4) << "," << r.budget << ",\"" << [&] {
              std::string e = r.error;
              std::replace(e.begin(), e.end(), '"', '\'');
              std::replace(e.begin(), e.end(), '\n', ' ');
              return e;
            }() << "\"\n";
  }

  // One row per rule × task: success rate; over the successful seeds, the cost to criterion.
  std::ostringstream csv, md;
  csv << "rule,task,runs,converged,success_rate,trials_median,updates_median,wall_seconds_median,"
         "cpu_seconds_median,cpu_seconds_per_update,final_accuracy_median,budget\n";
  md << "| rule | task | success | trials to criterion | updates to criterion | wall s to criterion | CPU s to "
        "criterion | CPU ms per update | final accuracy (all runs) | budget (updates) |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t j0 = 0; j0 < jobs.size(); j0 += seeds.size()) {
    std::vector<double> trials, updates, wall, cpu, acc;
    double cpu_all = 0, updates_all = 0;
    std::size_t ok = 0;
    for (std::size_t j = j0; j < j0 + seeds.size(); ++j) {
      const auto& r = results[j];
      if (!r.error.empty()) continue;
      acc.push_back(r.report.final_accuracy);
      cpu_all += r.cpu;
      updates_all += static_cast<double>(r.report.updates);
      if (r.report.status != training_status::converged) continue;
      ++ok;
      trials.push_back(static_cast<double>(r.report.trials));
      updates.push_back(static_cast<double>(r.report.updates));
      wall.push_back(r.report.wall_seconds);
      cpu.push_back(r.cpu);
    }
    const auto& job = jobs[j0];
    const double per_update = updates_all > 0 ? 1e3 * cpu_all / updates_all : std::nan("");
    csv << job.rule_label << "," << job.task_label << "," << seeds.size() << "," << ok << ","
        << rt_num(static_cast<double>(ok) / static_cast<double>(seeds.size()), 2) << "," << rt_num(rt_median(trials), 0)
        << "," << rt_num(rt_median(updates), 0) << "," << rt_num(rt_median(wall), 2) << ","
        << rt_num(rt_median(cpu), 2) << "," << rt_num(per_update / 1e3, 5) << "," << rt_num(rt_median(acc), 4) << ","
        << results[j0].budget << "\n";
    md << "| " << job.rule_label << " | " << job.task_label << " | " << ok << "/" << seeds.size() << " | "
       << rt_spread(trials) << " | " << rt_spread(updates) << " | " << rt_spread(wall, 1) << " | " << rt_spread(cpu, 1)
       << " | " << rt_num(per_update, per_update < 10 ? 2 : 1) << " | " << rt_spread(acc, 3) << " | "
       << results[j0].budget << " |\n";
  }
  const std::filesystem::path dir(out);
  io::ensure_directory(dir, "rule_table");
  io::write_text(dir / "rule_table_runs.csv", runs.str());
  io::write_text(dir / "rule_table.csv", csv.str());
  io::write_text(dir / "rule_table.md", md.str());
  std::printf("\n%s\nruns: %s; table: %s and %s\n", md.str().c_str(), (dir / "rule_table_runs.csv").string().c_str(),
              (dir / "rule_table.csv").string().c_str(), (dir / "rule_table.md").string().c_str());
  return 0;
} catch (const std::exception& e) {
  std::cerr << "rule_table: error: " << e.what() << "\n";
  return 1;
}
