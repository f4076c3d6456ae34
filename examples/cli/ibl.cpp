// Subcommand `ibl`: the IBL hierarchical-inference task (docs/ibl.md).
//   rnnlab ibl train     --out DIR [--steps K --units N --seed S --reference --lr X --eval-blocks B]
//   rnnlab ibl evaluate  --net DIR --out DIR [--seed S --eval-blocks B]
//   rnnlab ibl bayes     --out DIR [--variant exact|reference --seed S --blocks B]
//   rnnlab ibl behaviour --csv FILE... --out DIR [--skip-bad-rows]
// Outputs: parameters as .npy (W_rec, W_in, W_out, b, b_out), losses.npy, curves.csv (agent, curve,
// split, x, n, value: the numbers behind the paper's Figs. 2 and 3) and summary.json; all written
// atomically.
#include "commands.hpp"

#include <rnnlab/ibl/bayes.hpp>
#include <rnnlab/ibl/behaviour.hpp>
#include <rnnlab/ibl/mouse_csv.hpp>
#include <rnnlab/ibl/network.hpp>
#include <rnnlab/io/atomic.hpp>
#include <rnnlab/io/npy.hpp>

#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace rnnlab::cli {
namespace {

struct ibl_args {
  std::string out, net;
  std::vector<std::string> csv;
  long long steps = 1000;
  Index units = 50;
  std::uint64_t seed = 1;
  bool reference = false, skip_bad_rows = false;
  double lr = 1e-3;
  int eval_blocks = 100;
  std::string variant = "exact";
};

// Appends the curves of one agent's behaviour to a CSV text.

struct ibl_cli_summary {
  double accuracy = 0;
  std::size_t trials = 0, actions = 0;
};

ibl_cli_summary ibl_cli_summarise(const std::vector<ibl_behaviour_trial>& b) {
  ibl_cli_summary s;
  s.trials = b.size();
  std::size_t correct = 0;
  for (const auto& t : b) {
    s.actions += t.action != 0;
    correct += t.action != 0 && t.correct;
  }
  s.accuracy = s.actions ? static_cast<double>(correct) / static_cast<double>(s.actions) : 0.0;
  return s;
}

std::string ibl_cli_json_entry(const std::string& agent, const ibl_cli_summary& s) {
  std::ostringstream o;
  o.precision(6);
  o << "  \"" << agent << "\": {\"fraction_of_actions_correct\": " << s.accuracy << ", \"trials\": " << s.trials
    << ", \"actions\": " << s.actions << "}";
  return o.str();
}

constexpr const char* ibl_cli_header = "agent,curve,split,x,n,value\n";

// Held-out evaluation of a network: the network, the exact Bayesian actor on the same session and the
// exact Bayesian observer on the network's trials.
void ibl_cli_evaluate(const ctrnn_parameters<double>& p, const ibl_args& a, const std::filesystem::path& out,
                      const std::string& extra_json) {
  ibl_params task;
  task.n_blocks = a.eval_blocks;
  auto g = make_stream(a.seed, 0, stream_purpose::validation);
  const auto session = ibl_sample_session(task, g);
  ibl_environment env(task);
  const auto r = ibl_run_network(p, env, session);
  const auto rnn = ibl_behaviour_from(r.trials);
  const auto observer = ibl_behaviour_from(r.trials, ibl_bayesian_observer(session, r.trials));
  ibl_bayesian_actor actor;
  const auto actor_b = ibl_behaviour_from(ibl_run_agent(env, actor, session));
  std::ostringstream csv;
  csv.precision(10);
  csv << ibl_cli_header;
  append_ibl_curves_csv(csv, "rnn", rnn);
  append_ibl_curves_csv(csv, "bayesian_observer", observer);
  append_ibl_curves_csv(csv, "bayesian_actor", actor_b);
  io::write_text(out / "curves.csv", csv.str());
  const auto sr = ibl_cli_summarise(rnn), so = ibl_cli_summarise(observer), sa = ibl_cli_summarise(actor_b);
  io::write_text(out / "summary.json", "{\n" + extra_json + ibl_cli_json_entry("rnn", sr) + ",\n" +
                                           ibl_cli_json_entry("bayesian_observer", so) + ",\n" +
                                           ibl_cli_json_entry("bayesian_actor", sa) + "\n}\n");
  std::cout << "held-out " << a.eval_blocks << " blocks (" << sr.trials << " trials): fraction of actions correct rnn "
            << sr.accuracy << " (" << sr.actions << " actions), Bayesian observer " << so.accuracy
            << ", Bayesian actor " << sa.accuracy << " (" << sa.actions << " actions); wrote " << out.string() << "\n";
}

void ibl_cli_train(const ibl_args& a) {
  const std::filesystem::path out = a.out;
  io::ensure_directory(out, "rnnlab ibl train");
  ibl_train_options o = a.reference ? ibl_train_options::reference() : ibl_train_options{};
  o.steps = a.steps;
  o.n_units = a.units;
  o.seed = a.seed;
  o.adam_options.learning_rate = a.lr;
  o.sgd_options.learning_rate = a.lr;
  const auto res = ibl_train(ibl_params{}, o);
  io::write_npy(out / "W_rec.npy", res.params.W_rec);
  io::write_npy(out / "W_in.npy", res.params.W_in);
  io::write_npy(out / "W_out.npy", res.params.W_out);
  io::write_npy_vector(out / "b.npy", res.params.b);
  io::write_npy_vector(out / "b_out.npy", res.params.b_out);
  io::write_npy_vector(out / "losses.npy", Eigen::Map<const Eigen::VectorXd>(res.losses.data(),
                                                                          static_cast<Index>(res.losses.size())));
  std::ostringstream extra;
  extra << "  \"training\": {\"steps\": " << a.steps << ", \"units\": " << a.units << ", \"seed\": " << a.seed
        << ", \"preset\": \"" << (a.reference ? "reference" : "adam") << "\", \"lr\": " << a.lr
        << ", \"final_loss\": " << (res.losses.empty() ? 0.0 : res.losses.back()) << "},\n";
  ibl_cli_evaluate(res.params, a, out, extra.str());
}

void ibl_cli_evaluate_saved(const ibl_args& a) {
  const std::filesystem::path net = a.net, out = a.out;
  io::ensure_directory(out, "rnnlab ibl evaluate");
  auto p = ctrnn_parameters<double>::zeros(1, 3, 2);
  p.W_rec = io::read_npy_matrix<double>(net / "W_rec.npy");
  p.W_in = io::read_npy_matrix<double>(net / "W_in.npy");
  p.W_out = io::read_npy_matrix<double>(net / "W_out.npy");
  p.b = io::read_npy_vector<double>(net / "b.npy");
  p.b_out = io::read_npy_vector<double>(net / "b_out.npy");
  const Index n = p.W_rec.rows();
  require_shape(p.W_rec.cols() == n && p.W_in.rows() == n && p.W_out.cols() == n && p.b.size() == n &&
                    p.b_out.size() == 2,
                "rnnlab ibl evaluate", "--net", "W_rec N x N, W_in N x 3, W_out 2 x N, b N, b_out 2",
                "other shapes");
  p.x0 = Eigen::VectorXd::Zero(n);
  ibl_cli_evaluate(p, a, out, "");
}

void ibl_cli_bayes(const ibl_args& a) {
  const std::filesystem::path out = a.out;
  io::ensure_directory(out, "rnnlab ibl bayes");
  ibl_params task;
  task.n_blocks = a.eval_blocks;
  auto g = make_stream(a.seed, 0, stream_purpose::validation);
  const auto session = ibl_sample_session(task, g);
  ibl_environment env(task);
  ibl_bayesian_actor actor(a.variant == "reference" ? ibl_bayes_params::reference_actor() : ibl_bayes_params{});
  const auto b = ibl_behaviour_from(ibl_run_agent(env, actor, session));
  std::ostringstream csv;
  csv.precision(10);
  csv << ibl_cli_header;
  const std::string agent = "bayesian_actor_" + a.variant;
  append_ibl_curves_csv(csv, agent, b);
  io::write_text(out / "curves.csv", csv.str());
  const auto s = ibl_cli_summarise(b);
  io::write_text(out / "summary.json", "{\n" + ibl_cli_json_entry(agent, s) + "\n}\n");
  std::cout << agent << " on " << a.eval_blocks << " blocks (" << s.trials << " trials): fraction of actions correct "
            << s.accuracy << " (" << s.actions << " actions); wrote " << out.string() << "\n";
}

void ibl_cli_behaviour(const ibl_args& a) {
  const std::filesystem::path out = a.out;
  io::ensure_directory(out, "rnnlab ibl behaviour");
  std::ostringstream csv, json;
  csv.precision(10);
  csv << ibl_cli_header;
  json << "{\n";
  for (std::size_t i = 0; i < a.csv.size(); ++i) {
    const auto d = ibl_read_mouse_csv(a.csv[i], a.skip_bad_rows);
    const std::string agent = std::filesystem::path(a.csv[i]).stem().string();
    const auto b = ibl_behaviour_from(d.trials);
    append_ibl_curves_csv(csv, agent, b);
    const auto s = ibl_cli_summarise(b);
    json << ibl_cli_json_entry(agent, s).substr(0, ibl_cli_json_entry(agent, s).size() - 1)
         << ", \"skipped_rows\": " << d.skipped_rows << "}" << (i + 1 < a.csv.size() ? ",\n" : "\n");
    std::cout << agent << ": " << s.trials << " trials, fraction of responses correct " << s.accuracy;
    if (d.skipped_rows) std::cout << " (" << d.skipped_rows << " bad rows skipped, first: " << d.first_bad_rows[0] << ")";
    std::cout << "\n";
  }
  json << "}\n";
  io::write_text(out / "curves.csv", csv.str());
  io::write_text(out / "summary.json", json.str());
}

const bool registered_ibl = register_command("ibl", [](CLI::App& app) {
  auto args = std::make_shared<ibl_args>();
  auto* ibl = app.add_subcommand("ibl", "The IBL hierarchical-inference task (Schaeffer et al. 2020; docs/ibl.md)");
  ibl->require_subcommand(1);
  auto* train = ibl->add_subcommand(
      "train", "Train a vanilla RNN on 4-block sessions, save it (.npy) and evaluate it on a held-out session against "
               "the exact Bayesian actor and observer (curves.csv, summary.json)");
  train->add_option("--out", args->out, "Output folder")->required();
  train->add_option("--steps", args->steps, "Training steps (one session each)")->capture_default_str();
  train->add_option("--units", args->units, "Hidden units")->capture_default_str();
  train->add_option("--seed", args->seed, "Seed")->capture_default_str();
  train->add_option("--lr", args->lr, "Learning rate")->capture_default_str();
  train->add_flag("--reference", args->reference, "The reference run: SGD momentum 0.1, -p(correct) loss");
  train->add_option("--eval-blocks", args->eval_blocks, "Blocks of the held-out session")->capture_default_str();
  train->callback([args] { ibl_cli_train(*args); });
  auto* evaluate = ibl->add_subcommand("evaluate", "Evaluate a saved network (folder of W_rec/W_in/W_out/b/b_out.npy)");
  evaluate->add_option("--net", args->net, "Network folder")->required()->check(CLI::ExistingDirectory);
  evaluate->add_option("--out", args->out, "Output folder")->required();
  evaluate->add_option("--seed", args->seed, "Seed of the held-out session")->capture_default_str();
  evaluate->add_option("--eval-blocks", args->eval_blocks, "Blocks of the held-out session")->capture_default_str();
  evaluate->callback([args] { ibl_cli_evaluate_saved(*args); });
  auto* bayes = ibl->add_subcommand("bayes", "Run a Bayesian actor in the environment");
  bayes->add_option("--out", args->out, "Output folder")->required();
  bayes->add_option("--variant", args->variant, "exact or reference")
      ->check(CLI::IsMember({"exact", "reference"}))
      ->capture_default_str();
  bayes->add_option("--seed", args->seed, "Seed of the session")->capture_default_str();
  bayes->add_option("--blocks", args->eval_blocks, "Blocks of the session")->capture_default_str();
  bayes->callback([args] { ibl_cli_bayes(*args); });
  auto* behaviour = ibl->add_subcommand("behaviour", "Behaviour curves of IBL mouse CSV files");
  behaviour->add_option("--csv", args->csv, "IBL behaviour CSV files")->required()->check(CLI::ExistingFile);
  behaviour->add_option("--out", args->out, "Output folder")->required();
  behaviour->add_flag("--skip-bad-rows", args->skip_bad_rows, "Skip and count bad rows instead of failing");
  behaviour->callback([args] { ibl_cli_behaviour(*args); });
});

}  // namespace
}  // namespace rnnlab::cli
