#pragma once
/// \file study/rules.hpp
/// The learning rules a study can name, and the check of a plan against them.
///
/// A study dispatches by name: the plan lists rule names, the registry maps each to a
/// `rule_entry` that trains a network of the study (`study_network`: a float CTRNN with 1+tanh
/// or tanh) on a study task (`study_task`: RDM or CDI / N-CDI) through the one `train()` loop
/// (learning/trainer.hpp). **Adding a rule is one line in `builtin_rules()`** (study/detail/rules_impl.hpp):
///
///     reg.add(make_rule_entry("genetic", "genetic algorithm (McMahan et al. 2021 Sec. 2.3)",
///                             [](const study_scale&) { return genetic::reference_code(); }));
///
/// with options for what the rule needs (`requires_activation`: Hebbian and full-FORCE use tanh;
/// `serves`: the tasks it can learn; `activity`: units to drop from the SVCCA activity, as the
/// reference drops the Hebbian networks' clamped units). A user's own rule is added the same
/// way to a registry of their own and passed to `run_study`.
///
/// `validate(plan, registry)` rejects, before any work and with the reason, a plan with no
/// tasks or rules, an unknown task, rule or activation, zero seeds, contradictory sizes (a named
/// size with another scale), N outside [1, 8], a noise level ≤ 0, or a task a rule cannot serve.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/analysis/similarity/activity.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/study/detail/config.hpp>
#include <rnnlab/study/plan.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

namespace rnnlab::study {

/// The networks a study trains: float CTRNNs with the paper's 1+tanh or the tanh of its Hebbian
/// and full-FORCE networks (the Discussion's activation comparison uses both).
using study_network = std::variant<ctrnn<float, activations::one_plus_tanh>, ctrnn<float, activations::tanh>>;

/// The tasks a study trains on.
using study_task = std::variant<random_dots, context_integration>;

/// One learning rule of a study.
struct rule_entry {
  std::string name;
  std::string description;
  /// Trains `net` on `task` under `options` (seed, stopping rule, budget set by the runner), single-threaded.
  std::function<training_report(study_network& net, const study_task& task, const study_scale& scale,
                                const train_options& options)>
      train;
  /// Whether the rule can learn a task with N contexts (task "rdm", "cdi" or "ncdi"); empty: every task.
  std::function<bool(std::string_view task, int contexts)> serves;
  /// Empty: the plan's activation; else the one activation the rule trains (used for its networks).
  std::string requires_activation;
  ctrnn_config config = ctrnn_config::reference_code();  ///< network initialisation (n_units set per network)
  activity_params activity{};                            ///< SVCCA activity recording (units to drop)
};

/// Name → rule.
class rule_registry {
public:
  /// Adds (or replaces) a rule.
  void add(rule_entry e) {
    require(!e.name.empty(), "rnnlab::study::rule_registry::add", "name", "a non-empty name", "''");
    require(static_cast<bool>(e.train), "rnnlab::study::rule_registry::add", "train", "a training function",
            "none (rule '" + e.name + "')");
    m_rules[e.name] = std::move(e);
  }
  bool contains(std::string_view name) const { return m_rules.find(std::string(name)) != m_rules.end(); }
  /// The rule named `name`; argument_error listing the registered rules otherwise.
  const rule_entry& at(std::string_view name) const {
    const auto it = m_rules.find(std::string(name));
    if (it == m_rules.end())
      throw argument_error(rnnlab::detail::argument_message("rnnlab::study::rule_registry::at", "rule",
                                                            "a registered rule (" + names_text() + ")",
                                                            "'" + std::string(name) + "'"));
    return it->second;
  }
  /// Registered names, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : m_rules) out.push_back(k);
    return out;
  }
  std::string names_text() const {
    std::string s;
    for (const auto& n : names()) s += (s.empty() ? "" : ", ") + n;
    return s;
  }

private:
  std::map<std::string, rule_entry> m_rules;
};

/// A registry entry for any rule type R that `train()` accepts for the study's networks and
/// tasks; `make(scale)` builds the rule's hyper-parameters (e.g. its reference_code() preset).
template <class Make>
rule_entry make_rule_entry(std::string name, std::string description, Make make) {
  rule_entry e;
  e.name = std::move(name);
  e.description = std::move(description);
  e.train = [make](study_network& net, const study_task& task, const study_scale& scale,
                   const train_options& options) {
    const auto rule = make(scale);
    return std::visit([&](auto& n, const auto& t) { return train(n, t, rule, options); }, net, task);
  };
  return e;
}

/// The rules this build ships (defined in study/detail/rules_impl.hpp). Add a rule there (one
/// line; see the file comment).
RNNLAB_STUDY_DECL rule_registry builtin_rules();

/// Throws argument_error, naming the field and the reason, if `plan` cannot be run with `rules`
/// (see the file comment). Called by the runner before any work.
inline void validate(const study_plan& plan, const rule_registry& rules) {
  constexpr std::string_view fn = "rnnlab::study::validate";
  if (!plan.parts.empty()) {
    for (const auto& part : plan.parts) {
      study_plan p = part;
      p.scale = plan.scale;
      p.size = plan.size;
      require(p.parts.empty(), fn, "parts", "plans without parts of their own", "a nested union");
      validate(p, rules);
    }
    return;
  }
  require(!plan.tasks.empty(), fn, "tasks", "at least one task (rdm, cdi, ncdi)", "none");
  require(!plan.rules.empty(), fn, "rules", "at least one rule (" + rules.names_text() + ")", "none");
  require(plan.networks_per_cell >= 1, fn, "networks_per_cell", ">= 1 seed per cell", plan.networks_per_cell);
  require(!plan.activations.empty(), fn, "activations", "at least one activation", "none");
  require(!plan.n_units.empty(), fn, "n_units", "at least one network size", "none");
  for (const auto& t : plan.tasks)
    require(t == "rdm" || t == "cdi" || t == "ncdi", fn, "tasks", "rdm, cdi or ncdi", "'" + t + "'");
  const bool ncdi = std::find(plan.tasks.begin(), plan.tasks.end(), "ncdi") != plan.tasks.end();
  require(!ncdi || !plan.contexts.empty(), fn, "contexts", "the N of the ncdi task (e.g. 1..6)", "none");
  for (int n : plan.contexts) require(n >= 1 && n <= 8, fn, "contexts", "N in [1, 8]", n);
  for (double v : plan.noise)
    require(std::isfinite(v) && v > 0.0, fn, "noise", "levels > 0 (or none for each task's default)", v);
  for (const auto& a : plan.activations)
    require(a == "one_plus_tanh" || a == "tanh", fn, "activations", "one_plus_tanh or tanh", "'" + a + "'");
  for (Index u : plan.n_units) require(u >= 2, fn, "n_units", "sizes >= 2", u);
  const auto& s = plan.scale;
  require(s.n_steps >= 2, fn, "scale.n_steps", ">= 2", s.n_steps);
  require(std::isfinite(s.noise_std_factor) && s.noise_std_factor > 0, fn, "scale.noise_std_factor", "> 0",
          s.noise_std_factor);
  require(s.batch_size >= 1, fn, "scale.batch_size", ">= 1", s.batch_size);
  require(s.validation_trials >= 20, fn, "scale.validation_trials", ">= 20 (the set cycles 20 levels)",
          s.validation_trials);
  require(s.stop_accuracy >= 0 && s.stop_accuracy <= 1, fn, "scale.stop_accuracy", "a value in [0, 1]",
          s.stop_accuracy);
  require(s.stop_window >= 1, fn, "scale.stop_window", ">= 1", s.stop_window);
  require(s.max_updates >= 1, fn, "scale.max_updates", ">= 1", s.max_updates);
  require(s.fp_starts >= 2, fn, "scale.fp_starts", ">= 2", s.fp_starts);
  require(s.psychometric_trials >= 1, fn, "scale.psychometric_trials", ">= 1", s.psychometric_trials);
  require(s.integration_pulse_steps >= 1 && s.integration_relax_steps >= 1, fn, "scale.integration_*_steps",
          ">= 1", std::to_string(s.integration_pulse_steps) + ", " + std::to_string(s.integration_relax_steps));
  require(s.integration_starts >= 1, fn, "scale.integration_starts", ">= 1", s.integration_starts);
  require(s.permutations >= 1, fn, "scale.permutations", ">= 1", s.permutations);
  // Contradictory sizes: a named size whose scale is not that size's.
  if (plan.size != study_size::custom) {
    const study_scale want = scale_of(plan.size);
    require(s == want, fn, "scale",
            "the scale of size '" + std::string(to_name(plan.size)) + "' (T = " + std::to_string(want.n_steps) +
                ", batch " + std::to_string(want.batch_size) + ", ...) or size 'custom' for a scale of your own",
            "size '" + std::string(to_name(plan.size)) + "' with T = " + std::to_string(s.n_steps) + ", batch " +
                std::to_string(s.batch_size) + ", max_updates " + std::to_string(s.max_updates));
  }
  const auto networks = enumerate_networks(plan);
  require(networks.size() >= 1, fn, "plan", "at least one network", 0);
  for (const auto& r : plan.rules) {
    if (!rules.contains(r))
      throw argument_error(rnnlab::detail::argument_message(
          fn, "rules", "registered rules (" + rules.names_text() + ")",
          "'" + r + "', which is not registered in this build"));
    const auto& e = rules.at(r);
    for (const auto& t : plan.tasks) {
      const std::vector<int> ns = t == "rdm" ? std::vector<int>{1} : t == "cdi" ? std::vector<int>{2} : plan.contexts;
      for (int n : ns)
        require(!e.serves || e.serves(t, n), fn, "rules", "rules that can learn every task of the plan",
                "rule '" + r + "' cannot serve task " + t + (t == "ncdi" ? " N = " + std::to_string(n) : ""));
    }
    // A rule that trains one activation (Hebbian, full-FORCE: tanh) uses it whatever the plan's
    // default; a plan that compares activations cannot include such a rule.
    if (!e.requires_activation.empty())
      require(plan.activations.size() == 1, fn, "activations",
              "one activation when rule '" + r + "' (which trains " + e.requires_activation + " only) is in the plan",
              std::to_string(plan.activations.size()) + " activations");
  }
}

}  // namespace rnnlab::study

#if !defined(RNNLAB_STUDY_SEPARATE_COMPILATION)
#include <rnnlab/study/detail/rules_impl.hpp>
#endif
