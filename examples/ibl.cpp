// The IBL hierarchical-inference study of Schaeffer et al. (NeurIPS 2020) end to end, through the
// library API (docs/ibl.md): train a vanilla RNN on 4-block sessions of the biased-block task,
// evaluate it on a held-out session against the exact Bayesian actor (same environment, same
// threshold) and the exact Bayesian observer (the RNN's trial lengths), read the published mouse
// behaviour, and write the numbers behind the paper's Figs. 2 and 3 for every agent:
//
//   curves.csv     agent, curve, split, x, n, value: psychometric (fraction of actions correct by
//                  signed contrast; all / concordant / discordant; Figs. 2a, 3a), chronometric (mean
//                  steps to act, seconds for mice; Figs. 2b, 2c), block_change (fraction correct by
//                  trial index after a block change; all / zero contrast; Figs. 3b, 3c)
//   summary.json   accuracies, trials, actions per agent; training settings, times, parity step
//   progress.csv   step, wall_s, cpu_s, mean loss, held-out check accuracies (network and actor)
//   losses.npy, W_rec.npy, W_in.npy, W_out.npy, b.npy, b_out.npy
//
// Figures: /usr/bin/python3 scripts/plot_ibl.py OUT_DIR (one PNG per panel, RNN, Bayesian actor,
// Bayesian observer and mice on each).
//
//   ibl [--out DIR] [--units N] [--steps K] [--optimizer adam|reference] [--lr X] [--seed S]
//       [--check-every K] [--check-blocks B] [--parity P] [--stop-at-parity] [--eval-blocks B]
//       [--mice DIR]
//
// Defaults: the paper's 50 units, Adam (lr 1e-3, cross-entropy: the sound default), 3,000 steps.
// --optimizer reference: the published run's SGD (lr 1e-3, momentum 0.1) on −p(correct); with
// --steps 100001 it is the reference's whole training. Every --check-every steps the network plays
// a held-out check session (--check-blocks blocks, its own stream) next to the exact actor; the
// first check within --parity (0.03 = 3 points) of the actor on both the fraction of actions correct
// and the fraction of trials correct (a timeout counts as not correct) is recorded, and
// --stop-at-parity ends training there. The final evaluation uses another held-out session
// (--eval-blocks blocks; 1,000 as the reference's analysis session), the one
// `rnnlab ibl evaluate --eval-blocks 1000` uses for the same seed.
#include <rnnlab/ibl/bayes.hpp>
#include <rnnlab/ibl/behaviour.hpp>
#include <rnnlab/ibl/mouse_csv.hpp>
#include <rnnlab/ibl/network.hpp>
#include <rnnlab/io/atomic.hpp>
#include <rnnlab/io/npy.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace rnnlab;
namespace fs = std::filesystem;

namespace {

struct args {
  fs::path out = "ibl_out";
  Index units = 50;
  long long steps = 3000;
  std::string optimizer = "adam";
  double lr = 1e-3;
  std::uint64_t seed = 1;
  long long check_every = 250;
  int check_blocks = 20;
  double parity = 0.03;
  bool stop_at_parity = false;
  int eval_blocks = 1000;
  fs::path mice = fs::path(RNNLAB_DATA_DIR) / "fixtures" / "ibl_mouse_behaviour";
};

args parse(int argc, char** argv) {
  args a;
  auto value = [&](int& i) -> std::string {
    require(i + 1 < argc, "ibl", argv[i], "a value after it", "end of the command line");
    return argv[++i];
  };
  auto number = [&](int& i) {
    const std::string name = argv[i], v = value(i);
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    require(end != v.c_str() && *end == '\0', "ibl", name, "a number", v);
    return x;
  };
  // Counts and seeds: a whole number within bounds, checked before the cast (1e30 or 2.7 are refused,
  // not wrapped or truncated).
  auto whole = [&](int& i, double lo, double hi) {
    const std::string name = argv[i];
    const double x = number(i);
    require(std::isfinite(x) && x == std::floor(x) && x >= lo && x <= hi, "ibl", name,
            "a whole number in [" + std::to_string(static_cast<long long>(lo)) + ", " +
                std::to_string(static_cast<long long>(hi)) + "]",
            argv[i]);
    return x;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string o = argv[i];
    if (o == "--out") a.out = value(i);
    else if (o == "--units") a.units = static_cast<Index>(whole(i, 1, 100000));
    else if (o == "--steps") a.steps = static_cast<long long>(whole(i, 1, 1e12));
    else if (o == "--optimizer") a.optimizer = value(i);
    else if (o == "--lr") a.lr = number(i);
    else if (o == "--seed") a.seed = static_cast<std::uint64_t>(whole(i, 0, 9007199254740992.0));
    else if (o == "--check-every") a.check_every = static_cast<long long>(whole(i, 1, 1e12));
    else if (o == "--check-blocks") a.check_blocks = static_cast<int>(whole(i, 1, 1e6));
    else if (o == "--parity") a.parity = number(i);
    else if (o == "--stop-at-parity") a.stop_at_parity = true;
    else if (o == "--eval-blocks") a.eval_blocks = static_cast<int>(whole(i, 1, 1e7));
    else if (o == "--mice") a.mice = value(i);
    else require(false, "ibl", "option", "one of those listed at the top of examples/ibl.cpp", o);
  }
  require(a.optimizer == "adam" || a.optimizer == "reference", "ibl", "--optimizer", "adam or reference", a.optimizer);
  require(a.units > 0, "ibl", "--units", "> 0", a.units);
  require(a.steps >= 1, "ibl", "--steps", ">= 1", a.steps);
  require(a.check_every >= 1, "ibl", "--check-every", ">= 1", a.check_every);
  require(a.check_blocks >= 1, "ibl", "--check-blocks", ">= 1", a.check_blocks);
  require(a.eval_blocks >= 1, "ibl", "--eval-blocks", ">= 1", a.eval_blocks);
  require(a.parity >= 0 && a.parity < 1, "ibl", "--parity", "a fraction in [0, 1)", a.parity);
  require(fs::is_directory(a.mice), "ibl", "--mice", "a folder of IBL behaviour CSVs", a.mice.string());
  return a;
}

/// Fraction of actions correct, fraction of trials correct (a timeout counts as not correct).
struct accuracy {
  double of_actions = 0, of_trials = 0;
  std::size_t trials = 0, actions = 0;
};

accuracy measure(const std::vector<ibl_behaviour_trial>& b) {
  accuracy s;
  std::size_t correct = 0;
  for (const auto& t : b) {
    s.actions += t.action != 0;
    correct += t.action != 0 && t.correct;
  }
  s.trials = b.size();
  s.of_actions = s.actions ? static_cast<double>(correct) / static_cast<double>(s.actions) : 0.0;
  s.of_trials = s.trials ? static_cast<double>(correct) / static_cast<double>(s.trials) : 0.0;
  return s;
}

std::string json_entry(const std::string& agent, const accuracy& s) {
  std::ostringstream o;
  o.precision(6);
  o << "    \"" << agent << "\": {\"fraction_of_actions_correct\": " << s.of_actions
    << ", \"fraction_of_trials_correct\": " << s.of_trials << ", \"trials\": " << s.trials
    << ", \"actions\": " << s.actions << "}";
  return o.str();
}

/// The curves of Figs. 2 and 3 for one agent, appended to a CSV text.

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

int run(const args& a) {
  io::ensure_directory(a.out, "ibl");
  const ibl_params task = ibl_params::reference_code();
  ibl_train_options o = a.optimizer == "reference" ? ibl_train_options::reference() : ibl_train_options{};
  o.n_units = a.units;
  o.steps = a.steps;
  o.seed = a.seed;
  o.adam_options.learning_rate = a.lr;
  o.sgd_options.learning_rate = a.lr;

  // The held-out check session (its own stream) and the exact actor's accuracy on it.
  ibl_params check_task = task;
  check_task.n_blocks = a.check_blocks;
  auto gc = make_stream(a.seed, 1, stream_purpose::validation);
  const ibl_session check_session = ibl_sample_session(check_task, gc);
  ibl_environment check_env(check_task);
  ibl_bayesian_actor check_actor;
  const accuracy actor_check = measure(ibl_behaviour_from(ibl_run_agent(check_env, check_actor, check_session)));

  std::printf("training a %lld-unit RNN, %s (lr %g), up to %lld sessions of 4 blocks, seed %llu\n"
              "held-out check every %lld steps on %d blocks: exact Bayesian actor %.4f of %zu actions correct\n",
              static_cast<long long>(a.units), a.optimizer == "adam" ? "Adam, cross-entropy" : "reference SGD momentum 0.1, -p(correct)",
              a.lr, a.steps, static_cast<unsigned long long>(a.seed), a.check_every, a.check_blocks,
              actor_check.of_actions, actor_check.actions);

  std::ostringstream progress;
  progress.precision(8);
  progress << "step,wall_s,cpu_s,mean_loss,rnn_fraction_of_actions_correct,rnn_fraction_of_trials_correct,"
              "actor_fraction_of_actions_correct,actor_fraction_of_trials_correct\n";
  long long parity_step = -1;
  double parity_wall = -1, parity_cpu = -1, loss_sum = 0;
  long long loss_count = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  auto observer = [&](long long done, const ctrnn_parameters<double>& p, double loss) {
    loss_sum += loss;
    ++loss_count;
    if (done % a.check_every != 0 && done != a.steps) return true;
    const auto r = ibl_run_network(p, check_env, check_session);
    const accuracy net = measure(ibl_behaviour_from(r.trials));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - c0;
    progress << done << ',' << wall << ',' << cpu << ',' << loss_sum / static_cast<double>(loss_count) << ','
             << net.of_actions << ',' << net.of_trials << ',' << actor_check.of_actions << ',' << actor_check.of_trials
             << '\n';
    std::printf("step %7lld  %8.1f s wall %8.1f s cpu  loss %.5f  check: rnn %.4f of %zu actions, %.4f of trials "
                "(actor %.4f, %.4f)\n",
                done, wall, cpu, loss_sum / static_cast<double>(loss_count), net.of_actions, net.actions, net.of_trials,
                actor_check.of_actions, actor_check.of_trials);
    std::fflush(stdout);
    loss_sum = 0;
    loss_count = 0;
    // Within P points on both measures: of actions (Fig. 2a's) and of trials, so that a network that
    // acts only on easy trials (timing out on the rest) does not count.
    if (parity_step < 0 && net.of_actions >= actor_check.of_actions - a.parity &&
        net.of_trials >= actor_check.of_trials - a.parity) {
      parity_step = done;
      parity_wall = wall;
      parity_cpu = cpu;
      std::printf("  within %.1f points of the actor at step %lld (%.1f s wall, %.1f s cpu)\n", 100 * a.parity, done,
                  wall, cpu);
      if (a.stop_at_parity) return false;
    }
    return true;
  };
  const auto res = ibl_train(task, o, observer);
  const double train_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double train_cpu = cpu_seconds() - c0;
  const auto& p = res.params;
  io::write_npy(a.out / "W_rec.npy", p.W_rec);
  io::write_npy(a.out / "W_in.npy", p.W_in);
  io::write_npy(a.out / "W_out.npy", p.W_out);
  io::write_npy_vector(a.out / "b.npy", p.b);
  io::write_npy_vector(a.out / "b_out.npy", p.b_out);
  io::write_npy_vector(a.out / "losses.npy",
                       Eigen::Map<const Eigen::VectorXd>(res.losses.data(), static_cast<Index>(res.losses.size())));
  io::write_text(a.out / "progress.csv", progress.str());

  // Final evaluation on the held-out session `rnnlab ibl evaluate` uses (seed, 0, validation).
  ibl_params eval_task = task;
  eval_task.n_blocks = a.eval_blocks;
  auto ge = make_stream(a.seed, 0, stream_purpose::validation);
  const ibl_session session = ibl_sample_session(eval_task, ge);
  ibl_environment env(eval_task);
  const auto r = ibl_run_network(p, env, session);
  const auto rnn = ibl_behaviour_from(r.trials);
  const auto observer_b = ibl_behaviour_from(r.trials, ibl_bayesian_observer(session, r.trials));
  ibl_bayesian_actor actor;
  const auto actor_b = ibl_behaviour_from(ibl_run_agent(env, actor, session));

  // Mice: every <mouse>.csv of the folder (all sessions, with the biased blocks), pooled; the
  // <mouse>_endtrain.csv files (sessions at the end of training) are left out: they are almost all
  // unbiased (stim_probability_left 0.5), so they have no block changes.
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(a.mice)) {
    const std::string name = e.path().filename().string();
    const bool endtrain = name.size() > 13 && name.substr(name.size() - 13) == "_endtrain.csv";
    if (e.path().extension() == ".csv" && !endtrain) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  require(!files.empty(), "ibl", "--mice", "a folder with <mouse>.csv files", a.mice.string());
  std::vector<ibl_behaviour_trial> mice;
  std::string mouse_names;
  for (const auto& f : files) {
    const auto m = ibl_behaviour_from(ibl_read_mouse_csv(f).trials);
    mice.insert(mice.end(), m.begin(), m.end());
    mouse_names += (mouse_names.empty() ? "\"" : ", \"") + f.stem().string() + "\"";
  }

  std::ostringstream csv;
  csv.precision(10);
  csv << "agent,curve,split,x,n,value\n";
  append_ibl_curves_csv(csv, "rnn", rnn);
  append_ibl_curves_csv(csv, "bayesian_actor", actor_b);
  append_ibl_curves_csv(csv, "bayesian_observer", observer_b);
  append_ibl_curves_csv(csv, "mice", mice);
  io::write_text(a.out / "curves.csv", csv.str());

  const accuracy sr = measure(rnn), sa = measure(actor_b), so = measure(observer_b), sm = measure(mice);
  std::ostringstream json;
  json.precision(8);
  json << "{\n  \"training\": {\"units\": " << a.units << ", \"optimizer\": \"" << a.optimizer << "\", \"lr\": " << a.lr
       << ", \"seed\": " << a.seed << ", \"steps_requested\": " << a.steps << ", \"steps_done\": " << res.losses.size()
       << ", \"wall_seconds\": " << train_wall << ", \"cpu_seconds\": " << train_cpu
       << ", \"check_blocks\": " << a.check_blocks << ", \"parity_points\": " << 100 * a.parity
       << ", \"parity_step\": " << parity_step << ", \"parity_wall_seconds\": " << parity_wall
       << ", \"parity_cpu_seconds\": " << parity_cpu << "},\n"
       << "  \"held_out\": {\"blocks\": " << a.eval_blocks << ",\n"
       << json_entry("rnn", sr) << ",\n" << json_entry("bayesian_actor", sa) << ",\n"
       << json_entry("bayesian_observer", so) << "},\n"
       << "  \"mice\": {\"files\": [" << mouse_names << "],\n" << json_entry("pooled", sm) << "}\n}\n";
  io::write_text(a.out / "summary.json", json.str());

  std::printf("trained %zu steps in %.1f s wall, %.1f s cpu\n"
              "held-out %d blocks (%zu trials), fraction of actions correct: rnn %.4f (%zu actions), exact Bayesian "
              "actor %.4f (%zu actions), exact Bayesian observer %.4f; mice (%zu trials) %.4f\n"
              "wrote %s; figures: /usr/bin/python3 scripts/plot_ibl.py %s\n",
              res.losses.size(), train_wall, train_cpu, a.eval_blocks, sr.trials, sr.of_actions, sr.actions,
              sa.of_actions, sa.actions, so.of_actions, sm.trials, sm.of_actions, a.out.string().c_str(),
              a.out.string().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "ibl: " << e.what() << "\n";
    return 1;
  }
}
