#pragma once
/// \file study/rules.hpp
/// The learning rules a study can name, and the check of a plan against them.
///
/// A study dispatches by name: the plan lists rule names, the registry maps each to a
/// `rule_entry` that trains a network of the study (`study_network`: a float CTRNN with 1+tanh
/// or tanh) on a study task (`study_task`: RDM or CDI / N-CDI) through the one `train()` loop
/// (learning/trainer.hpp). **Adding a rule is one line in `builtin_rules()`** (study/detail/rules_impl.hpp):
///
///     reg.add(make_rule_entry("bptt_sgd", "BPTT with SGD",
///                             [](const study_scale& s) { bptt<sgd> r; r.batch_size = s.batch_size; return r; }));
///
/// with options for what the rule needs (`requires_activation`: Hebbian and full-FORCE use tanh;
/// `make_network`: the network it trains, e.g. Miconi's clamped net; `configure`: its training
/// options; `serves`: the tasks it can learn; `activity`: units to drop from the SVCCA activity,
/// as the reference drops the Hebbian networks' clamped units). The training budget of a rule,
/// in its own updates (BPTT steps, GA generations, Hebbian or full-FORCE trials), is the scale's
/// `max_updates_for(rule)`. A user's own rule is added the same
/// way to a registry of their own and passed to `run_study`.
///
/// `validate(plan, registry)` rejects, before any work and with the reason, a plan with no
/// tasks or rules, an unknown task, rule or activation, zero seeds, contradictory sizes (a named
/// size with another scale), N outside [1, 8], a noise level ≤ 0, or a task a rule cannot serve.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
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
  Index min_units = 2;  ///< the smallest network the rule's network construction accepts
  /// Builds the untrained network of `spec` for `task` from the initialisation stream `g` (the
  /// network the rule needs: Miconi's clamped net for Hebbian, full-FORCE's tanh readout and zero
  /// weights). Empty: `make_ctrnn(config with n_units = spec.n_units, M, O, g)` with the network's
  /// activation (`requires_activation`, or the plan's).
  std::function<study_network(const network_spec& spec, const study_task& task, const ctrnn_config& config, rng& g)>
      make_network;
  /// Adjusts the training options the runner built (stopping rule, budget, seed, lazy validation),
  /// e.g. the validation cadence of a trial-by-trial rule. Empty: none.
  std::function<void(train_options& options, const network_spec& spec)> configure;
  /// Whether the `default` preset (README's main job: every registered rule) includes the rule;
  /// false for the single-unit readout controls, which the `fig11` preset names.
  bool in_default = true;
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
  /// Registered names with `in_default`, sorted: the rules of the `default` preset.
  std::vector<std::string> default_names() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : m_rules)
      if (v.in_default) out.push_back(k);
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
/// tasks; `make(scale)` or `make(scale, task)` (task: random_dots or context_integration) builds
/// the rule's hyper-parameters (e.g. its reference_code() preset). With `Only` set to an
/// activation, the rule is compiled for networks of that activation only (the others throw).
template <class Only = void, class Make>
rule_entry make_rule_entry(std::string name, std::string description, Make make) {
  rule_entry e;
  e.name = std::move(name);
  e.description = std::move(description);
  e.train = [make, rule_name = e.name](study_network& net, const study_task& task, const study_scale& scale,
                                       const train_options& options) {
    return std::visit(
        [&](auto& n, const auto& t) -> training_report {
          using net_type = std::decay_t<decltype(n)>;
          // Generic, so that only the branch taken below is instantiated.
          const auto run = [&](auto& net_) {
            if constexpr (std::is_invocable_v<const Make&, const study_scale&, decltype(t)>)
              return train(net_, t, make(scale, t), options);
            else
              return train(net_, t, make(scale), options);
          };
          if constexpr (std::is_void_v<Only>) {
            return run(n);
          } else if constexpr (std::is_same_v<typename net_type::activation_type, Only>) {
            return run(n);
          } else {
            throw argument_error(rnnlab::detail::argument_message(
                "rnnlab::study::rule_entry::train", "net", "a " + std::string(Only::name) + " network",
                "a " + std::string(net_type::activation_type::name) + " network (rule '" + rule_name + "')"));
          }
        },
        net, task);
  };
  return e;
}

/// BPTT + Adam as the published code trains (reference_code_spec §1.4); the scale's batch.
RNNLAB_STUDY_DECL rule_entry bptt_rule();
/// The genetic algorithm as the published code runs it (reference_code_spec §1.5): population 50
/// for RDM, 20 for CDI / N-CDI; scored on the scale's batch; one update = one generation.
RNNLAB_STUDY_DECL rule_entry genetic_rule();
/// Miconi's reward-modulated Hebbian rule (reference_code_spec §1.6) on Miconi's network (tanh,
/// α = 1/30, units 1, 10, 11 clamped, output read from unit 0; the SVCCA activity drops the
/// clamped units); one update = one trial, validated every 10 trials; the error window (Miconi's
/// last 200 steps) scaled by T/750 for shorter trials.
RNNLAB_STUDY_DECL rule_entry hebbian_rule();
/// full-FORCE as the published code runs it (reference_code_spec §1.7) on its network (tanh,
/// α = 0.1, W_rec = W_out = 0, tanh readout; validation from x0 ~ N(0, 1)); one update = one trial;
/// RLS updates from step 200·T/750 (the reference's step 200 of 750, as a fraction of the trial).
RNNLAB_STUDY_DECL rule_entry full_force_rule();

/// The Appendix Fig. 11 control (McMahan et al. 2021: non-Hebbian networks trained to read out
/// from one unit), one per non-Hebbian rule; not in the `default` preset, named by `fig11`.
/// `bptt_single_unit`: BPTT + Adam as `bptt_rule()`, on a network whose readout is fixed to unit 0:
/// W_out = e_0ᵀ, b_out = 0 and only W_rec trained (the reference's trained group), so y = x_0 (the
/// reference reads out from the state) — the same map as `set_readout_unit(0)`, written as a
/// standard network because BPTT's gradient is for the linear readout.
RNNLAB_STUDY_DECL rule_entry bptt_single_unit_rule();
/// `genetic_single_unit`: the GA of `genetic_rule()` on a network with `set_readout_unit(0)`
/// (y = x_0); W_out, unused, is not mutated.
RNNLAB_STUDY_DECL rule_entry genetic_single_unit_rule();
/// `full_force_single_unit`: full-FORCE of `full_force_rule()` with `set_readout_unit(0)`
/// (y = tanh(tanh(x_0))): RLS trains unit 0's incoming weights toward the target
/// (learning/full_force.hpp, "Single-unit readout"; rnnlab's formulation).
RNNLAB_STUDY_DECL rule_entry full_force_single_unit_rule();

/// The rules this build ships: bptt, genetic, hebbian, full_force and the three single-unit
/// readout controls bptt_single_unit, genetic_single_unit, full_force_single_unit (defined in
/// study/detail/rules_impl.hpp). Add a rule there (one line; see the file comment).
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
  for (const auto& [r, n] : s.rule_max_updates)
    require(n >= 1, fn, "scale.rule_max_updates", ">= 1 update per rule", "'" + r + "': " + std::to_string(n));
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
    for (Index u : plan.n_units)
      require(u >= e.min_units, fn, "n_units",
              "sizes >= " + std::to_string(e.min_units) + " for rule '" + r + "'", u);
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
