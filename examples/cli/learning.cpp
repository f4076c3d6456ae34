// Subcommands over the learning module: `grad` (the BPTT loss and gradient of a network folder on a
// trial-batch folder, as .npy files: a check for users' own PyTorch/JAX gradients) and `train`
// (train a network on a task with a learning rule; save it and its training report).
#include "commands.hpp"
#include "task_options.hpp"

#include <rnnlab/io.hpp>
#include <rnnlab/io/serialize.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/force.hpp>
#include <rnnlab/learning/full_force.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/rnnlab.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

namespace rnnlab::cli {
namespace {

struct loss_options {
  std::string kind = "mse";
  std::string normalization = "sum";

  void add_to(CLI::App* app, const std::string& default_norm) {
    normalization = default_norm;
    app->add_option("--loss", kind, "mse (squared error) or cross_entropy (softmax over the outputs, O >= 2)")
        ->check(CLI::IsMember(names_of<loss_kind>()))
        ->capture_default_str();
    app->add_option("--normalization", normalization,
                    "sum (over trials and masked steps; the reference code's), per_trial (sum / B) or "
                    "per_element (mean over masked entries)")
        ->check(CLI::IsMember(names_of<loss_normalization>()));
  }
  loss_spec spec() const {
    loss_spec s;
    s.kind = from_name<loss_kind>(kind, "rnnlab", "--loss");
    s.normalization = from_name<loss_normalization>(normalization, "rnnlab", "--normalization");
    return s;
  }
};

// ---------------------------------------------------------------------------------------------
// rnnlab grad

struct grad_args {
  std::string net_dir, batch_dir, out;
  std::string params = "all";
  loss_options loss;
  std::string x0_file;
  std::string dtype = "float64";
  Index shards = 1;
};

template <class Scalar>
void do_grad(const grad_args& a) {
  const param_set ps = param_set::parse(a.params);
  const auto batch = io::load_trial_batch<Scalar>(a.batch_dir);
  io::visit_network<Scalar>(a.net_dir, [&](const auto& net) {
    using matrix = typename std::decay_t<decltype(net)>::matrix_type;
    matrix X0 = net.parameters().x0;
    if (!a.x0_file.empty()) {
      try {
        X0 = io::read_npy_vector<Scalar>(a.x0_file);
      } catch (const io_error&) {
        X0 = io::read_npy_matrix<Scalar>(a.x0_file);
      }
    }
    gradient_options opt;
    opt.params = ps;
    opt.loss = a.loss.spec();
    opt.shards = a.shards;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = bptt_gradient(net, batch, X0, opt);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const std::filesystem::path out(a.out);
    io::ensure_directory(out, "rnnlab grad");
    r.grad.for_each([&](param p, const auto& m) {
      if (!ps.contains(p)) return;
      const auto file = out / ("grad_" + std::string(to_name(p)) + ".npy");
      if (m.cols() == 1 && (p == param::b || p == param::b_out || p == param::x0))
        io::write_npy_vector(file, m);
      else
        io::write_npy(file, m);
    });
    Eigen::Matrix<double, 1, 1> L;
    L(0) = r.loss;
    io::write_npy_vector(out / "loss.npy", L);
    io::json j{{"loss", r.loss},
               {"params", ps.to_string()},
               {"loss_kind", std::string(to_name(opt.loss.kind))},
               {"normalization", std::string(to_name(opt.loss.normalization))},
               {"dtype", a.dtype},
               {"x0", a.x0_file.empty() ? std::string("network") : a.x0_file},
               {"n_trials", batch.n_trials()},
               {"n_steps", batch.n_steps()},
               {"seconds", ms / 1000.0}};
    io::write_json(out / "gradient.json", j);
    std::cout << "loss " << r.loss << "; gradient of " << ps.to_string() << " over " << batch.n_trials() << " trials x "
              << batch.n_steps() << " steps in " << ms << " ms; wrote " << a.out << "\n";
  });
}

// ---------------------------------------------------------------------------------------------
// rnnlab train

struct train_args {
  task_options task;
  network_options net;
  bool reference = false;
  std::string rule = "bptt";
  std::string rule_preset = "paper";
  std::optional<double> lr;
  std::optional<Index> batch;
  std::optional<std::string> params;
  loss_options loss;
  bool loss_norm_given = false;
  std::optional<std::string> x0_mode;
  std::optional<double> x0_std;
  std::string stop = "min10";
  double accuracy = 0.9;
  Index max_updates = 20000;
  Index max_trials = 0;
  double max_seconds = 0;
  Index validate_every = 1;
  std::uint64_t seed = 0;
  thread_count threads = 0;
  std::string dtype = "float32";
  std::string init_dir;
  std::string out;
  Index readout_unit = -1;            // full-force, force: read the output from this unit
};

/// The --x0-mode spelling: the names of initial_state_mode, and the CLI's short aliases.
std::string x0_mode_name(const std::string& s) {
  if (s == "shared") return "shared_random";
  if (s == "per-trial") return "per_trial_random";
  return s;
}

std::vector<std::string> x0_mode_choices() {
  auto names = names_of<initial_state_mode>();
  names.insert(names.end(), {"shared", "per-trial"});
  return names;
}

std::vector<std::string> stop_choices() {
  auto names = names_of<stopping_rule>();
  names.insert(names.begin(), "min10");
  return names;
}

// report.json is the training_report's JSON (io/serialize.hpp; docs/formats.md): non-finite
// accuracies and losses as null.
io::json report_json(const training_report& r) { return r; }

template <class Scalar>
void do_train_force(train_args a);

template <class Scalar>
void do_train(train_args a) {
  if (a.rule == "full-force" || a.rule == "force") return do_train_force<Scalar>(std::move(a));
  if (a.reference) a.task.preset = a.net.preset = a.rule_preset = "reference";
  const bool ref = a.rule_preset == "reference";
  auto rule = ref ? bptt<adam>::reference_code() : bptt<adam>::paper_text();
  if (a.lr) rule.optimizer.learning_rate = *a.lr;
  if (a.batch) rule.batch_size = *a.batch;
  if (a.params) rule.params = param_set::parse(*a.params);
  rule.loss.kind = a.loss.spec().kind;
  if (a.loss_norm_given) rule.loss.normalization = a.loss.spec().normalization;
  if (a.x0_mode)
    rule.initial_state.mode = from_name<initial_state_mode>(x0_mode_name(*a.x0_mode), "rnnlab train", "--x0-mode");
  if (a.x0_std) rule.initial_state.stddev = *a.x0_std;
  rule.threads = a.threads;

  train_options opt = ref ? train_options::reference_code() : train_options::paper_text();
  // "min10" is the reference code's rule with its window; the table's names take the preset's window.
  if (a.stop == "min10")
    opt.stop = {stopping_rule::min_of_last, a.accuracy, 10};
  else {
    opt.stop.rule = from_name<stopping_rule>(a.stop, "rnnlab train", "--stop");
    opt.stop.accuracy = a.accuracy;
  }
  if (opt.stop.rule == stopping_rule::threshold) opt.stop.window = 1;
  opt.max_updates = a.max_updates;
  opt.max_trials = a.max_trials;
  opt.max_seconds = a.max_seconds;
  opt.validate_every = a.validate_every;
  opt.seed = a.seed;
  opt.evaluation.threads = a.threads;

  std::visit(
      [&](const auto& task) {
        a.net.with_activation([&]<class F>() {
          ctrnn<Scalar, F> net = [&] {
            if (!a.init_dir.empty()) return io::load_network<Scalar, F>(a.init_dir);
            auto g = make_stream(a.seed, 0, stream_purpose::initialization);
            return make_ctrnn<Scalar, F>(a.net.config(), task.n_inputs(), task.n_outputs(), g);
          }();
          std::cerr << "training a " << net.n_units() << "-unit " << F::name << " network on " << a.task.name
                    << " with " << a.rule << " (" << a.rule_preset << " preset: lr " << rule.optimizer.learning_rate
                    << ", batch " << rule.batch_size << ", params " << rule.params.to_string() << ", loss "
                    << to_name(rule.loss.kind) << "/" << to_name(rule.loss.normalization)
                    << ")\n";
          const auto report = train(net, task, rule, opt);
          io::json extra;
          extra["task"] = a.task.describe();
          extra["rule"] = {{"name", a.rule},
                           {"preset", a.rule_preset},
                           {"learning_rate", rule.optimizer.learning_rate},
                           {"batch_size", rule.batch_size},
                           {"params", rule.params.to_string()},
                           {"loss", std::string(to_name(rule.loss.kind))},
                           {"normalization", std::string(to_name(rule.loss.normalization))}};
          io::json rep = report_json(report);
          extra["training"] = {{"status", rep["status"]},
                               {"updates", report.updates},
                               {"trials", report.trials},
                               {"wall_seconds", report.wall_seconds},
                               {"final_accuracy", rep["final_accuracy"]}};
          io::save_network(a.out, net, {a.net.preset == "reference" ? "reference_code" : "paper_text", a.seed, extra});
          io::write_json(std::filesystem::path(a.out) / "report.json", rep);
          std::cout << "status " << to_name(report.status) << " (" << report.reason << ") after "
                    << report.updates << " updates, " << report.trials << " trials, " << report.wall_seconds
                    << " s; validation accuracy " << report.final_accuracy << "; wrote " << a.out << "\n";
        });
      },
      a.task.make());
}

/// rnnlab train --rule full-force|force: tanh networks (learning/full_force.hpp, learning/force.hpp),
/// one trial per update, lazy validation (exact: the same stopping trial as eager validation).
template <class Scalar>
void do_train_force(train_args a) {
  const bool ff = a.rule == "full-force";
  if (a.reference) a.task.preset = a.rule_preset = "reference";
  const bool ref = a.rule_preset == "reference";  // the rule's preset: full_force::reference_code_*() or paper_text()
  train_options opt = ref ? train_options::reference_code() : train_options::paper_text();
  if (a.stop == "min10")
    opt.stop = {stopping_rule::min_of_last, a.accuracy, 10};
  else {
    opt.stop.rule = from_name<stopping_rule>(a.stop, "rnnlab train", "--stop");
    opt.stop.accuracy = a.accuracy;
  }
  if (opt.stop.rule == stopping_rule::threshold) opt.stop.window = 1;
  opt.max_updates = a.max_updates;
  opt.max_trials = a.max_trials;
  opt.max_seconds = a.max_seconds;
  opt.validate_every = a.validate_every;
  opt.seed = a.seed;
  opt.evaluation.threads = a.threads;
  opt.validation = validation_mode::lazy;
  if (ff && ref) opt.validation_x0_std = 1.0;  // the FF code validates from x0 ~ N(0, 1)

  std::visit(
      [&](const auto& task) {
        using F = activations::tanh;
        auto g = make_stream(a.seed, 0, stream_purpose::initialization);
        ctrnn<Scalar, F> net = [&] {
          if (!a.init_dir.empty()) return io::load_network<Scalar, F>(a.init_dir);
          if (ff) return make_full_force_network<Scalar>(a.net.units, task.n_inputs(), task.n_outputs(), g);
          force_network_spec spec;
          spec.n_units = a.net.units;
          spec.g = a.net.gain == 1.0 ? 1.5 : a.net.gain;
          if (a.net.alpha) spec.alpha = *a.net.alpha;
          return make_force_network<Scalar, F>(spec, task.n_inputs(), task.n_outputs(), g);
        }();
        if (a.readout_unit >= 0) net.set_readout_unit(a.readout_unit);
        io::json rule_json{{"name", a.rule}, {"preset", ref ? "reference" : "paper"}};
        training_report report;
        full_force_restarts restarts;
        if (ff) {
          auto rule = !ref ? full_force::paper_text()
                      : a.task.name == "rdm" ? full_force::reference_code_rdm()
                                             : full_force::reference_code_ncdi();
          rule_json["rls_alpha"] = rule.rls_alpha;
          rule_json["first_update_step"] = rule.first_update_step;
          rule_json["target_shares_inputs"] = rule.target_shares_inputs;
          rule_json["use_hint"] = rule.use_hint;
          rule_json["restart_after"] = rule.restart_after;
          std::cerr << "training a " << net.n_units() << "-unit tanh network on " << a.task.name
                    << " with full-FORCE (" << (ref ? "reference" : "paper") << " preset: P0 = I/" << rule.rls_alpha
                    << ", updates at t = 0 and every step from t = " << rule.first_update_step << ", restart after "
                    << rule.restart_after << " trials)\n";
          report = train(net, task, rule, opt, restarts);
        } else {
          auto rule = force::sussillo_abbott();
          rule_json["rls_alpha"] = rule.rls_alpha;
          std::cerr << "training a " << net.n_units() << "-unit tanh network with output feedback on " << a.task.name
                    << " with FORCE (P0 = I/" << rule.rls_alpha << ", an update at every step)\n";
          report = train(net, task, rule, opt);
        }
        io::json rep = report_json(report);
        rep["restarts"] = {{"trials", restarts.trials}, {"updates", restarts.updates}};
        io::json extra;
        extra["task"] = a.task.describe();
        extra["rule"] = rule_json;
        extra["training"] = {{"status", rep["status"]},
                             {"updates", report.updates},
                             {"trials", report.trials},
                             {"restarts", restarts.trials.size()},
                             {"wall_seconds", report.wall_seconds},
                             {"final_accuracy", rep["final_accuracy"]}};
        io::save_network(a.out, net, {ref ? "reference_code" : "paper_text", a.seed, extra});
        io::write_json(std::filesystem::path(a.out) / "report.json", rep);
        std::cout << "status " << to_name(report.status) << " (" << report.reason << ") after " << report.updates
                  << " updates, " << report.trials << " trials";
        if (!restarts.trials.empty()) std::cout << " (" << restarts.trials.size() << " restart(s))";
        std::cout << ", " << report.wall_seconds << " s; validation accuracy " << report.final_accuracy << "; wrote "
                  << a.out << "\n";
      },
      a.task.make());
}

const bool registered_grad = register_command("grad", [](CLI::App& app) {
  auto args = std::make_shared<grad_args>();
  auto* sub = app.add_subcommand(
      "grad",
      "BPTT loss and exact gradient of a network folder on a trial-batch folder. Writes OUT/loss.npy, "
      "OUT/grad_<group>.npy (shaped as the parameter) and OUT/gradient.json. Loss: c * sum over (t, b) of "
      "mask[t, b] * per-entry loss, output y_t read from the state after the t-th update");
  sub->add_option("net_dir", args->net_dir, "Network folder")->required()->check(CLI::ExistingDirectory);
  sub->add_option("batch_dir", args->batch_dir, "Trial-batch folder (inputs, targets, mask)")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--params", args->params, "Groups to differentiate: comma-separated W_rec,W_in,W_out,b,b_out,x0 or all")
      ->capture_default_str();
  sub->add_option("--out", args->out, "Folder to write")->required();
  args->loss.add_to(sub, "sum");
  sub->add_option("--x0-file", args->x0_file,
                  "Initial states as .npy, (N,) shared or (N, B) per trial (default: the network's x0)")
      ->check(CLI::ExistingFile);
  sub->add_option("--dtype", args->dtype, "Precision: float64 (default, for checking) or float32")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  sub->add_option("--shards", args->shards, "Column shards (fixes the summation order)")->capture_default_str();
  sub->callback([args] { args->dtype == "float32" ? do_grad<float>(*args) : do_grad<double>(*args); });
});

const bool registered_train = register_command("train", [](CLI::App& app) {
  auto args = std::make_shared<train_args>();
  auto* sub = app.add_subcommand(
      "train",
      "Train a network on a task and save it (network folder + report.json). --reference uses the published "
      "code's task, network and rule presets (BPTT: W_rec only, Adam lr 5e-4, batch 500, summed loss at the first "
      "and last step, one x0 per batch; stop when the min of the last 10 validation accuracies >= 0.9)");
  args->task.add_to(sub, false);
  args->net.add_to(sub);
  sub->add_flag("--reference", args->reference, "Reference-code presets for the task, the network and the rule");
  sub->add_option("--rule", args->rule,
                  "Learning rule: bptt, full-force (DePasquale et al. 2018; tanh network, readout tanh(W_out tanh(x))) "
                  "or force (Sussillo & Abbott 2009; tanh network with output feedback)")
      ->check(CLI::IsMember({"bptt", "full-force", "force"}))
      ->capture_default_str();
  sub->add_option("--readout-unit", args->readout_unit,
                  "full-force / force: read the output from this unit (the single-unit readout control)")
      ->capture_default_str();
  sub->add_option("--rule-preset", args->rule_preset,
                  "paper: W_rec, W_in, W_out trained, mean squared error, x0 per trial, stop at 90 %; reference: "
                  "the published code (full-force: paper = D shares W_in, no hint, no restart; reference = the FF "
                  "code's P0, zero start, D's own W_in, restart after 5000 trials)")
      ->check(CLI::IsMember({"paper", "reference"}))
      ->capture_default_str();
  sub->add_option("--lr", args->lr, "Adam learning rate (default 5e-4)");
  sub->add_option("--batch", args->batch, "Trials per update (default 500)");
  sub->add_option("--params", args->params, "Trained groups, e.g. W_rec or W_rec,W_in,W_out or all");
  args->loss.add_to(sub, "sum");
  sub->get_option("--normalization")->each([args](const std::string&) { args->loss_norm_given = true; });
  sub->add_option("--x0-mode", args->x0_mode, "Training initial states: network, shared (one per batch), per-trial")
      ->check(CLI::IsMember(x0_mode_choices()));
  sub->add_option("--x0-std", args->x0_std, "Std of random training initial states");
  sub->add_option("--stop", args->stop,
                  "min10 (min of last 10 validations >= --accuracy), threshold (the latest >= --accuracy), never, "
                  "or min_of_last (the preset's window)")
      ->check(CLI::IsMember(stop_choices()))
      ->capture_default_str();
  sub->add_option("--accuracy", args->accuracy, "Validation accuracy criterion")->capture_default_str();
  sub->add_option("--max-updates", args->max_updates, "Update budget (0 = none)")->capture_default_str();
  sub->add_option("--max-trials", args->max_trials, "Trial budget (0 = none)")->capture_default_str();
  sub->add_option("--max-seconds", args->max_seconds, "Wall-clock budget (0 = none)")->capture_default_str();
  sub->add_option("--validate-every", args->validate_every, "Validate after every k-th update")->capture_default_str();
  sub->add_option("--seed", args->seed, "Seed (initialisation, training batches, validation set)")->capture_default_str();
  sub->add_option("--threads", args->threads, "Threads (0 = all; results do not depend on it)")->capture_default_str();
  sub->add_option("--dtype", args->dtype, "float32 or float64")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  sub->add_option("--init", args->init_dir, "Start from this network folder instead of a random one")
      ->check(CLI::ExistingDirectory);
  sub->add_option("--out", args->out, "Network folder to write")->required();
  sub->callback([args] { args->dtype == "float64" ? do_train<double>(*args) : do_train<float>(*args); });
});

}  // namespace
}  // namespace rnnlab::cli
