// Subcommands over the learning module: `grad` (the BPTT loss and gradient of a network folder on a
// trial-batch folder, as .npy files: a check for users' own PyTorch/JAX gradients) and `train`
// (train a network on a task with a learning rule; save it and its training report).
#include "commands.hpp"
#include "task_options.hpp"

#include <limits>
#include <rnnlab/io.hpp>
#include <rnnlab/io/serialize.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/genetic.hpp>
#include <rnnlab/learning/hebbian.hpp>
#include <rnnlab/learning/force.hpp>
#include <rnnlab/learning/full_force.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

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
  std::optional<Index> population, parents, elites;  // ga
  std::optional<double> mutation_std;                // ga
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
  bool validate_every_given = false;
  std::uint64_t seed = 0;
  thread_count threads = 0;
  std::string dtype = "float32";
  std::string init_dir;
  std::string out;
  Index readout_unit = -1;            // ga, full-force, force: read the output from this unit
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

/// `--rule hebbian`: Miconi's rule on Miconi's network (tanh, bias units 1, 10, 11 clamped, output
/// from unit 0; --units and --alpha apply, default alpha 1/30), trial by trial.
template <class Scalar>
void do_train_hebbian(const train_args& a, train_options opt) {
  const bool ref = a.rule_preset == "reference";
  hebbian rule = ref ? hebbian::reference_code() : hebbian::paper_text();
  if (a.lr) rule.learning_rate = *a.lr;
  rule.validate();
  // One update is one trial: validating the 2,000-trial set after each would cost far more than
  // training, so validate every 10 trials (exact lazy validation) unless told otherwise.
  if (!a.validate_every_given) {
    opt.validate_every = 10;
    opt.validation = validation_mode::lazy;
  }
  miconi_network_config cfg;
  cfg.n_units = a.net.units;
  if (a.net.alpha) cfg.alpha = *a.net.alpha;
  std::visit(
      [&](const auto& task) {
        using net_type = ctrnn<Scalar, activations::tanh>;
        net_type net = [&] {
          if (!a.init_dir.empty()) return io::load_network<Scalar, activations::tanh>(a.init_dir);
          auto g = make_stream(a.seed, 0, stream_purpose::initialization);
          return make_miconi_network<Scalar>(cfg, task.n_inputs(), g);
        }();
        require(net.n_outputs() == 1 && task.n_outputs() == 1, "rnnlab train", "--rule hebbian",
                "a task with one output (read from one unit)", detail::concat(task.n_outputs(), " outputs"));
        std::cerr << "training a " << net.n_units() << "-unit tanh network (output unit " << net.readout_unit() << ", "
                  << net.clamped_units().size() << " clamped units, alpha " << net.alpha() << ") on " << a.task.name
                  << " with hebbian (" << a.rule_preset << " preset: lr " << rule.learning_rate << ", baseline "
                  << to_name(rule.baseline) << ", error " << to_name(rule.error) << ")\n";
        const auto report = train(net, task, rule, opt);
        io::json extra;
        extra["task"] = a.task.describe();
        extra["rule"] = {{"name", "hebbian"},
                         {"preset", a.rule_preset},
                         {"learning_rate", rule.learning_rate},
                         {"perturbation_probability", rule.perturbation_probability},
                         {"perturbation_amplitude", rule.perturbation_amplitude},
                         {"baseline", std::string(to_name(rule.baseline))},
                         {"error", std::string(to_name(rule.error))},
                         {"modulate_by_baseline", rule.modulate_by_baseline},
                         {"max_weight_change", std::isfinite(rule.max_weight_change) ? io::json(rule.max_weight_change)
                                                                                     : io::json(nullptr)},
                         {"warmup_trials", rule.warmup_trials}};
        io::json rep = report_json(report);
        extra["training"] = {{"status", rep["status"]},
                             {"updates", report.updates},
                             {"trials", report.trials},
                             {"wall_seconds", report.wall_seconds},
                             {"final_accuracy", rep["final_accuracy"]}};
        io::save_network(a.out, net, {"miconi", a.seed, extra});
        io::write_json(std::filesystem::path(a.out) / "report.json", rep);
        std::cout << "status " << to_name(report.status) << " (" << report.reason << ") after " << report.updates
                  << " trials, " << report.wall_seconds << " s; validation accuracy " << report.final_accuracy
                  << "; wrote " << a.out << "\n";
      },
      a.task.make());
}

/// The training options of the rule presets and the stopping/budget flags (shared by every rule).
train_options make_train_options(const train_args& a, bool ref) {
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
  return opt;
}

/// Saves the trained network (with the task, the rule's description and the training summary in
/// its metadata) and report.json beside it, and prints the outcome.
template <class Net>
void save_trained(const train_args& a, const Net& net, const training_report& report, io::json rule_json) {
  io::json extra;
  extra["task"] = a.task.describe();
  extra["rule"] = std::move(rule_json);
  io::json rep = report_json(report);
  extra["training"] = {{"status", rep["status"]},
                       {"updates", report.updates},
                       {"trials", report.trials},
                       {"wall_seconds", report.wall_seconds},
                       {"final_accuracy", rep["final_accuracy"]}};
  io::save_network(a.out, net, {a.net.preset == "reference" ? "reference_code" : "paper_text", a.seed, extra});
  io::write_json(std::filesystem::path(a.out) / "report.json", rep);
  std::cout << "status " << to_name(report.status) << " (" << report.reason << ") after " << report.updates
            << " updates, " << report.trials << " trials, " << report.wall_seconds << " s; validation accuracy "
            << report.final_accuracy << "; wrote " << a.out << "\n";
}

/// A fresh network for the task (or the --init folder).
template <class Scalar, class F, class Task>
ctrnn<Scalar, F> make_train_network(const train_args& a, const Task& task) {
  if (!a.init_dir.empty()) return io::load_network<Scalar, F>(a.init_dir);
  auto g = make_stream(a.seed, 0, stream_purpose::initialization);
  return make_ctrnn<Scalar, F>(a.net.config(), task.n_inputs(), task.n_outputs(), g);
}

/// --rule ga: the genetic algorithm (learning/genetic.hpp). The reference preset's population is
/// the task's (50 for RDM, 20 for CDI / N-CDI); --params chooses the mutated groups.
template <class Scalar>
void do_train_ga(const train_args& a, bool ref, const train_options& opt) {
  std::visit(
      [&](const auto& task) {
        a.net.with_activation([&]<class F>() {
          auto net = make_train_network<Scalar, F>(a, task);
          if (a.readout_unit >= 0) net.set_readout_unit(a.readout_unit);  // the Appendix Fig. 11 control
          genetic rule = ref ? genetic::reference_code(genetic::reference_population(task.n_contexts()))
                             : genetic::paper_text(net.n_units());
          if (a.population) rule.population_size = *a.population;
          if (a.parents) rule.parents = *a.parents;
          if (a.elites) rule.elites = *a.elites;
          if (a.batch) rule.batch_size = *a.batch;
          const double sigma = a.mutation_std ? *a.mutation_std : rule.mutation_std.begin()->second;
          if (a.params || a.mutation_std) {
            const param_set groups = a.params ? param_set::parse(*a.params) : param_set{param::W_rec, param::W_in,
                                                                                        param::W_out};
            rule.mutation_std.clear();
            for (param p : all_params)
              if (groups.contains(p)) rule.mutation_std[std::string(to_name(p))] = sigma;
          }
          // A single-unit readout leaves W_out unused: mutating it would only add noise to nothing.
          if (net.readout_unit() >= 0) rule.mutation_std.erase("W_out");
          rule.loss.kind = a.loss.spec().kind;
          if (a.loss_norm_given) rule.loss.normalization = a.loss.spec().normalization;
          if (a.x0_mode)
            rule.initial_state.mode =
                from_name<initial_state_mode>(x0_mode_name(*a.x0_mode), "rnnlab train", "--x0-mode");
          if (a.x0_std) rule.initial_state.stddev = *a.x0_std;
          rule.threads = a.threads;
          io::json mutation = io::json::object();
          for (const auto& [group, s] : rule.mutation_std) mutation[group] = s;
          std::cerr << "training a " << net.n_units() << "-unit " << F::name << " network on " << a.task.name
                    << " with ga (" << a.rule_preset << " preset: population " << rule.population_size << ", parents "
                    << rule.parents << ", elites " << rule.elites << ", mutation std " << mutation.dump()
                    << ", batch " << rule.batch_size << ")\n";
          const auto report = train(net, task, rule, opt);
          // The rule's JSON (io/serialize.hpp: every hyper-parameter, mutation_std as an object).
          io::json rule_json = rule;
          rule_json["name"] = "ga";
          rule_json["preset"] = a.rule_preset;
          save_trained(a, net, report, std::move(rule_json));
        });
      },
      a.task.make());
}

template <class Scalar>
void do_train(train_args a) {
  if (a.rule == "full-force" || a.rule == "force") return do_train_force<Scalar>(std::move(a));
  require(a.readout_unit < 0 || a.rule == "ga", "rnnlab train", "--readout-unit",
          "a rule that trains a single-unit readout (ga, full-force, force; hebbian reads out from unit 0 of "
          "Miconi's network; bptt: the study rule bptt_single_unit holds W_out at e_k instead)",
          "--rule " + a.rule);
  if (a.reference) a.task.preset = a.net.preset = a.rule_preset = "reference";
  if (a.rule_preset == "paper-text") a.rule_preset = "paper";
  const bool ref = a.rule_preset == "reference";
  if (a.rule == "ga") return do_train_ga<Scalar>(a, ref, make_train_options(a, ref));
  if (a.rule == "hebbian") return do_train_hebbian<Scalar>(a, make_train_options(a, ref));
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
  const train_options opt = make_train_options(a, ref);

  std::visit(
      [&](const auto& task) {
        a.net.with_activation([&]<class F>() {
          auto net = make_train_network<Scalar, F>(a, task);
          std::cerr << "training a " << net.n_units() << "-unit " << F::name << " network on " << a.task.name
                    << " with " << a.rule << " (" << a.rule_preset << " preset: lr " << rule.optimizer.learning_rate
                    << ", batch " << rule.batch_size << ", params " << rule.params.to_string() << ", loss "
                    << to_name(rule.loss.kind) << "/" << to_name(rule.loss.normalization)
                    << ")\n";
          const auto report = train(net, task, rule, opt);
          save_trained(a, net, report,
                       {{"name", a.rule},
                        {"preset", a.rule_preset},
                        {"learning_rate", rule.optimizer.learning_rate},
                        {"batch_size", rule.batch_size},
                        {"params", rule.params.to_string()},
                        {"loss", std::string(to_name(rule.loss.kind))},
                        {"normalization", std::string(to_name(rule.loss.normalization))}});
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
  train_options opt = make_train_options(a, ref);
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
                  "Learning rule: bptt; ga (genetic algorithm); hebbian (Miconi 2017 on Miconi's network: tanh, units "
                  "1, 10, 11 clamped, output from unit 0; --units and --alpha apply, alpha defaults to 1/30); "
                  "full-force (DePasquale et al. 2018; tanh network, readout tanh(W_out tanh(x))); force (Sussillo & "
                  "Abbott 2009; tanh network with output feedback)")
      ->check(CLI::IsMember({"bptt", "ga", "hebbian", "full-force", "force"}))
      ->capture_default_str();
  sub->add_option("--readout-unit", args->readout_unit,
                  "ga / full-force / force: read the output from this unit (the Appendix Fig. 11 single-unit readout "
                  "control; ga then does not mutate the unused W_out; -1: the usual readout)")
      ->check(CLI::Range(Index{-1}, std::numeric_limits<Index>::max()))
      ->capture_default_str();
  sub->add_option("--rule-preset", args->rule_preset,
                  "paper (or paper-text): the paper's text (BPTT: W_rec, W_in, W_out trained, mean squared error, x0 "
                  "per trial; GA: 5 elites + 50 mutants, mutation variance 0.005; hebbian: the paper's Eq. 3-4, trial-mean "
                  "baseline, no R-bar factor, no clipping); reference: the published code (GA: population 50 RDM / 20 "
                  "CDI, 5 parents, 1 elite, mutation std 0.005; hebbian: Miconi's program; full-force: the FF code's P0, "
                  "zero start, D's own W_in, a hint, restart after 5000 trials; paper-text full-force: D shares W_in, no "
                  "hint, no restart)")
      ->check(CLI::IsMember({"paper", "paper-text", "reference"}))
      ->capture_default_str();
  sub->add_option("--population", args->population, "GA: members per generation (elites included)");
  sub->add_option("--parents", args->parents, "GA: best members that breed the next generation");
  sub->add_option("--elites", args->elites, "GA: best parents kept unmutated");
  sub->add_option("--mutation-std", args->mutation_std,
                  "GA: std of the mutation noise on every mutated group (--params; default W_rec,W_in,W_out)");

  sub->add_option("--lr", args->lr, "Adam learning rate (default 5e-4); hebbian: eta (default 0.01)");
  sub->add_option("--batch", args->batch, "Trials per update (default 500; GA: per generation, shared by the members)");
  sub->add_option("--params", args->params, "Trained (GA: mutated) groups, e.g. W_rec or W_rec,W_in,W_out or all");
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
  sub->add_option("--validate-every", args->validate_every,
                  "Validate after every k-th update (hebbian: default every 10th trial, lazily)")
      ->capture_default_str()
      ->each([args](const std::string&) { args->validate_every_given = true; });
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
