#pragma once
// Command-line options that describe a task and a network architecture, shared by every
// subcommand that builds one (sample, init, train, ...).

#include <CLI/CLI.hpp>

#include "commands.hpp"

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/io/json.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <optional>
#include <string>
#include <variant>

namespace rnnlab::cli {

/// Task name and the parameters the papers vary.
struct task_options {
  std::string name = "rdm";            // rdm | cdi | ncdi
  int contexts = 2;                    // N for ncdi
  std::string preset = "paper";        // paper | reference
  std::optional<double> noise;         // overrides the preset's level
  std::string noise_convention = "variance";  // a name of rnnlab::noise_convention (for --noise); the library's default
  std::optional<Index> steps;
  std::optional<double> coherence_max;
  std::optional<Index> decision_steps;  // loss over the last K steps (default: the last step only)
  std::optional<Index> pulse_off;       // evidence switched off from this step on

  void add_to(CLI::App* app, bool positional_task) {
    if (positional_task)
      app->add_option("task", name, "Task: rdm, cdi (2 contexts) or ncdi (--contexts N)")
          ->required()
          ->check(CLI::IsMember({"rdm", "cdi", "ncdi"}));
    else
      app->add_option("--task", name, "Task: rdm, cdi (2 contexts) or ncdi (--contexts N)")
          ->check(CLI::IsMember({"rdm", "cdi", "ncdi"}))
          ->capture_default_str();
    app->add_option("--contexts", contexts, "Number of contexts N for ncdi (1..8)")->capture_default_str();
    app->add_option("--preset", preset,
                    "paper: the paper's text (noise variance 1, independent stream means); reference: the "
                    "published code (noise std 0.5 RDM / 1 N-CDI, shared magnitude)")
        ->check(CLI::IsMember({"paper", "reference"}))
        ->capture_default_str();
    app->add_option("--noise", noise, "Evidence noise level (see --noise-convention)");
    app->add_option("--noise-convention", noise_convention,
                    "Whether --noise is a variance (the default, as noise_level in the library and the paper's text) or a std")
        ->check(CLI::IsMember(names_of<rnnlab::noise_convention>()))
        ->capture_default_str();
    app->add_option("--steps", steps, "Trial length T (default 750)");
    app->add_option("--coherence-max", coherence_max, "Largest |mean| of an evidence stream (default 0.1857)");
    app->add_option("--decision-steps", decision_steps, "Loss over the last K steps (default 1: the last step)");
    app->add_option("--pulse-off", pulse_off, "Switch the evidence off from this step on (pulse variant)");
  }

  template <class P>
  void apply(P& p) const {
    if (noise) p.noise = {*noise, from_name<rnnlab::noise_convention>(noise_convention, "rnnlab", "--noise-convention")};
    if (steps) p.n_steps = *steps;
    if (coherence_max) p.coherence_max = *coherence_max;
    if (decision_steps) p.loss.decision_steps = *decision_steps;
    if (pulse_off) p.evidence_off_step = *pulse_off;
  }

  std::variant<random_dots, context_integration> make() const {
    const bool ref = preset == "reference";
    if (name == "rdm") {
      rdm_params p = ref ? rdm_params::reference_code() : rdm_params::paper_text();
      apply(p);
      return random_dots(p);
    }
    const int n = name == "cdi" ? 2 : contexts;
    context_integration_params p =
        ref ? context_integration_params::reference_code(n) : context_integration_params::paper_text(n);
    apply(p);
    return context_integration(p);
  }

  /// A JSON description of the task, stored next to what it produced.
  io::json describe() const {
    io::json j{{"task", name}, {"preset", preset}};
    if (name == "ncdi") j["contexts"] = contexts;
    std::visit(
        [&](const auto& t) {
          const auto& p = t.params();
          j["n_steps"] = p.n_steps;
          j["coherence_max"] = p.coherence_max;
          j["noise_std"] = p.noise.stddev();
          j["shared_magnitude"] = p.shared_magnitude;
          j["fixation_steps"] = p.loss.fixation_steps;
          j["decision_steps"] = p.loss.decision_steps;
          if (p.evidence_off_step) j["evidence_off_step"] = *p.evidence_off_step;
        },
        make());
    return j;
  }
};

/// Network architecture options.
struct network_options {
  Index units = 50;
  std::string preset = "paper";  // paper | reference
  std::string activation = "one_plus_tanh";
  std::optional<double> alpha;
  std::optional<std::string> readout;  // a name of readout_source
  double gain = 1.0;

  void add_to(CLI::App* app) {
    app->add_option("--units", units, "Number of recurrent units N")->capture_default_str();
    app->add_option("--net-preset", preset,
                    "paper: readout from f(x), W_rec ~ N(0, g^2/N); reference: readout from x, every scale a std, "
                    "W_rec std g^2/50")
        ->check(CLI::IsMember({"paper", "reference"}))
        ->capture_default_str();
    app->add_option("--activation", activation, activation_names_text())
        ->check(CLI::IsMember(std::vector<std::string>(activation_names.begin(), activation_names.end())))
        ->capture_default_str();
    app->add_option("--alpha", alpha, "dt / tau (default 0.1; 1 = vanilla RNN)");
    app->add_option("--readout", readout, "rates (W_out f(x)) or state (W_out x)")
        ->check(CLI::IsMember(names_of<readout_source>()));
    app->add_option("--gain", gain, "Recurrent gain g")->capture_default_str();
  }

  ctrnn_config config() const {
    ctrnn_config c = preset == "reference" ? ctrnn_config::reference_code(units, gain) : ctrnn_config::paper_text(units, gain);
    if (alpha) c.alpha = *alpha;
    if (readout) c.readout = from_name<readout_source>(*readout, "rnnlab", "--readout");
    return c;
  }

  /// Calls fn.template operator()<F>() with the activation type named by `activation`.
  template <class Fn>
  decltype(auto) with_activation(Fn&& fn) const {
    return visit_activation(activation, [&]<class F>(F) -> decltype(auto) { return fn.template operator()<F>(); });
  }
};

}  // namespace rnnlab::cli
