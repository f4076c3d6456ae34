#pragma once
/// \file study/plan.hpp
/// The plan of a population study (McMahan et al. 2021, Sec. 2–3): which networks to train and
/// analyse — tasks × N contexts × input noise levels × activations × network sizes × learning
/// rules × seeds — and at which scale (trial length, batch, training budget, analysis effort).
///
/// A plan is a plain value. `enumerate_networks(plan)` expands it into the ordered list of
/// networks; a network's index in that list, with the study seed, fixes every random stream it
/// uses (random.hpp: make_stream(seed, index, purpose)), so a network is the same whether it is
/// trained in one process, after a resume, or on another rank or shard.
///
/// Presets (`study_plan::preset(name, size)`), from the paper:
///   - fig1: RDM and CDI × 4 rules (bptt, genetic, hebbian, full_force) (Fig. 1);
///   - fig2: N-CDI, N = 1 … 6, bptt vs genetic (Fig. 2);
///   - fig3: RDM and CDI × input noise variance 0.1 / 0.5 / 1.0 × 4 rules (Fig. 3);
///   - fig5: N-CDI, N = 1 … 6 × noise variance 0.1 / 0.5 / 1.0, bptt only (Fig. 5);
///   - fig11: the Appendix's single-unit readout control: RDM and CDI × bptt_single_unit,
///     genetic_single_unit, full_force_single_unit (the non-Hebbian rules reading out from one
///     unit, study/rules.hpp) and hebbian (whose output is one unit);
///   - activation: the Discussion's activation comparison, bptt with 1+tanh vs tanh on RDM and CDI;
///   - all: the union of fig1, fig2, fig3, fig5 (duplicate networks once);
///   - default: the README's main job: RDM and CDI with the rules given (the CLI and the example
///     pass `rule_registry::default_names()`: every registered rule but the single-unit controls).
/// The paper states noise levels as variances (Sec. 3.3–3.4); the published code uses the same
/// numbers as standard deviations (reference_code_spec §1.2). A plan says which (`noise_convention`).
///
/// Sizes (`study_size`): `paper` is the paper's scale (T = 750, batch 500, 50 networks per cell,
/// the reference stopping rule); `small` shortens trials to T = 150 and scales the noise standard
/// deviation by √(150/750) so that the evidence a trial carries — μ√T/σ, what an ideal observer's
/// accuracy depends on — is the paper's, and trains a few networks per cell; `custom` is any other
/// scale. A plan whose size is `small` or `paper` but whose scale differs from that size's is
/// contradictory and rejected (say `custom`).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/names.hpp>
#include <rnnlab/tasks/evidence.hpp>

namespace rnnlab::study {

/// The scale presets of a study.
enum class study_size { small, paper, custom };

/// The names of study_size (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<study_size, std::string_view>, 3> enum_names(study_size) {
  return {{{study_size::small, "small"}, {study_size::paper, "paper"}, {study_size::custom, "custom"}}};
}

/// How large each network's training and analysis are.
struct study_scale {
  Index n_steps = 750;              ///< T of every training, validation and probe trial
  double noise_std_factor = 1.0;    ///< multiplies the noise std (small: √(150/750), see the file comment)
  Index batch_size = 500;           ///< training batch (BPTT; rules read what they need)
  Index validation_trials = 2000;   ///< the reference validation set's size
  double stop_accuracy = 0.9;       ///< the stopping rule: min of the last `stop_window` scores ≥ this
  Index stop_window = 10;
  Index max_updates = 20000;        ///< training budget (updates); an unconverged network is kept and flagged
  /// Per-rule budgets in the rule's own updates (GA generations, Hebbian and full-FORCE trials),
  /// overriding `max_updates` for the rules listed.
  std::map<std::string, Index> rule_max_updates{};
  Index fp_starts = 256;            ///< fixed-point starts per probe input (half box U(−5,5)^N, half trajectories)
  Index psychometric_trials = 2000; ///< trials per coherence of the psychometric curve
  Index integration_pulse_steps = 200;   ///< pulse of the transient-vs-stable experiment (Fig. 4)
  Index integration_relax_steps = 5000;  ///< relaxation after the pulse
  Index integration_starts = 512;   ///< fixed-point starts at zero evidence for the mechanism
  Index permutations = 1000;        ///< silhouette permutation test

  bool operator==(const study_scale&) const = default;

  /// The training budget of rule `rule`: its entry of `rule_max_updates`, else `max_updates`.
  Index max_updates_for(std::string_view rule) const {
    const auto it = rule_max_updates.find(std::string(rule));
    return it == rule_max_updates.end() ? max_updates : it->second;
  }

  /// The paper's scale. Budgets: BPTT 20,000 updates (reference_code_spec §1.4); GA 2,000
  /// generations; Hebbian 20,000 trials; full-FORCE 5,000 trials (one attempt of the reference's
  /// restart rule, §1.7); the single-unit controls (study/rules.hpp) those of their rule.
  static study_scale paper() {
    study_scale s;
    s.rule_max_updates = {{"genetic", 2000},
                          {"hebbian", 20000},
                          {"full_force", 5000},
                          {"genetic_single_unit", 2000},
                          {"full_force_single_unit", 5000}};
    return s;
  }
  /// The README's main job: T = 150 (SNR kept), batch 200, a lighter analysis. Budgets: BPTT
  /// 1,500 updates, GA 200 generations, Hebbian 5,000 trials, full-FORCE 1,000 trials (the
  /// single-unit controls those of their rule)
  /// (docs/study.md "The rules"; their cost: docs/performance.md "Population study").
  static study_scale small() {
    study_scale s;
    s.n_steps = 150;
    s.noise_std_factor = std::sqrt(150.0 / 750.0);
    s.batch_size = 200;
    s.validation_trials = 1000;
    s.max_updates = 1500;
    s.rule_max_updates = {{"genetic", 200},
                          {"hebbian", 5000},
                          {"full_force", 1000},
                          {"genetic_single_unit", 200},
                          {"full_force_single_unit", 1000}};
    s.fp_starts = 64;
    s.psychometric_trials = 200;
    s.integration_pulse_steps = 40;
    s.integration_relax_steps = 1000;
    s.integration_starts = 64;
    s.permutations = 200;
    return s;
  }
};

/// The plan of a population study; see the file comment.
struct study_plan {
  std::string name = "custom";
  study_size size = study_size::small;
  std::vector<std::string> tasks{"rdm", "cdi"};  ///< rdm, cdi (N = 2), ncdi (N from `contexts`)
  std::vector<int> contexts{};                    ///< N of the ncdi task, each in [1, 8]
  /// Input noise levels (in `noise_as`); empty: each task's reference default (RDM std 0.5, CDI std 1).
  std::vector<double> noise{};
  noise_convention noise_as = noise_convention::variance;
  std::vector<std::string> activations{"one_plus_tanh"};  ///< one_plus_tanh or tanh
  std::vector<Index> n_units{50};                         ///< network sizes
  std::vector<std::string> rules{"bptt"};                 ///< names in the rule registry (study/rules.hpp)
  Index networks_per_cell = 3;                            ///< seeds per (task, N, noise, activation, size, rule)
  std::uint64_t seed = 1;                                 ///< the study seed
  study_scale scale = study_scale::small();
  /// A union of plans (the `all` preset): when non-empty, the networks are those of each part in
  /// turn (their own tasks, noise, rules, … and networks_per_cell; this plan's seed and scale),
  /// a cell already listed by an earlier part (same task, N, noise std, activation, size, rule,
  /// replicate) counted once; this plan's own dimension fields are then unused.
  std::vector<study_plan> parts{};

  bool operator==(const study_plan&) const = default;

  /// A preset of the paper at a size; throws argument_error for an unknown name.
  static study_plan preset(std::string_view name, study_size size = study_size::small,
                           const std::vector<std::string>& default_rules = {"bptt"});
  /// The preset names.
  static std::vector<std::string> preset_names() {
    return {"default", "fig1", "fig2", "fig3", "fig5", "fig11", "activation", "all"};
  }
};

/// One network of a study: its cell and its seed index.
struct network_spec {
  Index index = 0;       ///< position in `enumerate_networks`: with the study seed, fixes its random streams
  std::string task;      ///< rdm, cdi, ncdi
  int contexts = 1;      ///< N (1 for rdm, 2 for cdi)
  double noise = 0;      ///< the level as the plan states it (0 with `default_noise`)
  bool default_noise = true;
  noise_convention noise_as = noise_convention::variance;
  std::string activation = "one_plus_tanh";
  Index n_units = 50;
  std::string rule = "bptt";
  Index replicate = 0;   ///< seed number within the cell, 0 … networks_per_cell − 1

  /// The evidence noise's standard deviation the task is sampled with (before the size's factor).
  double noise_stddev() const {
    if (default_noise) return task == "rdm" ? 0.5 : 1.0;  // the reference code's defaults
    return noise_as == noise_convention::stddev ? noise : std::sqrt(noise);
  }
  /// The folder name in the store: the index, zero-padded.
  std::string folder() const {
    std::string s = std::to_string(index);
    return std::string(s.size() < 5 ? 5 - s.size() : 0, '0') + s;
  }
  /// The experiment group of the cross-network analyses: task and N.
  std::string group() const { return task == "ncdi" ? "ncdi" + std::to_string(contexts) : task; }
  /// A label for the noise level (for tables and figure legends).
  std::string noise_label() const;
};

/// The networks of a plan, in index order: task, N, noise, activation, size, rule, replicate.
inline std::vector<network_spec> enumerate_networks(const study_plan& plan);

/// Scale of a size preset (custom: the plan's own).
inline study_scale scale_of(study_size size) {
  return size == study_size::paper ? study_scale::paper() : study_scale::small();
}

// ---------------------------------------------------------------------------------------------

namespace detail {

inline std::string study_number(double v) {
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace detail

inline std::string network_spec::noise_label() const {
  if (default_noise) return "default";
  return std::string(noise_as == noise_convention::stddev ? "std " : "var ") + detail::study_number(noise);
}

inline study_plan study_plan::preset(std::string_view name, study_size size,
                                     const std::vector<std::string>& default_rules) {
  study_plan p;
  p.name = std::string(name);
  p.size = size;
  p.scale = scale_of(size);
  const bool paper = size == study_size::paper;
  const std::vector<std::string> four{"bptt", "genetic", "hebbian", "full_force"};
  const std::vector<double> fig_noise{0.1, 0.5, 1.0};
  const std::vector<int> one_to_six{1, 2, 3, 4, 5, 6};
  p.networks_per_cell = paper ? 50 : 3;
  if (name == "default") {
    p.tasks = {"rdm", "cdi"};
    p.rules = default_rules;
  } else if (name == "fig1") {
    p.tasks = {"rdm", "cdi"};
    p.rules = four;
  } else if (name == "fig2") {
    p.tasks = {"ncdi"};
    p.contexts = one_to_six;
    p.rules = {"bptt", "genetic"};
  } else if (name == "fig3") {
    p.tasks = {"rdm", "cdi"};
    p.noise = fig_noise;
    p.rules = four;
  } else if (name == "fig5") {
    p.tasks = {"ncdi"};
    p.contexts = one_to_six;
    p.noise = fig_noise;
    p.rules = {"bptt"};
  } else if (name == "fig11") {
    p.tasks = {"rdm", "cdi"};
    p.rules = {"bptt_single_unit", "genetic_single_unit", "full_force_single_unit", "hebbian"};
  } else if (name == "activation") {
    p.tasks = {"rdm", "cdi"};
    p.activations = {"one_plus_tanh", "tanh"};
    p.rules = {"bptt"};
  } else if (name == "all") {
    // The union of the four figures' plans (cells they share — e.g. CDI at variance 1.0 = the
    // default std 1 — counted once).
    for (const char* part : {"fig1", "fig2", "fig3", "fig5"}) p.parts.push_back(preset(part, size, default_rules));
    p.tasks.clear();
    p.rules.clear();
    p.activations.clear();
    p.n_units.clear();
  } else {
    std::string valid;
    for (const auto& n : preset_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw argument_error(rnnlab::detail::argument_message("rnnlab::study::study_plan::preset", "name", valid,
                                                          "'" + std::string(name) + "'"));
  }
  return p;
}

inline std::vector<network_spec> enumerate_networks(const study_plan& plan) {
  std::vector<network_spec> out;
  if (!plan.parts.empty()) {
    const auto same_cell = [](const network_spec& a, const network_spec& b) {
      return a.task == b.task && a.contexts == b.contexts && a.noise_stddev() == b.noise_stddev() &&
             a.activation == b.activation && a.n_units == b.n_units && a.rule == b.rule && a.replicate == b.replicate;
    };
    for (const auto& part : plan.parts)
      for (auto& s : enumerate_networks(part))
        if (std::none_of(out.begin(), out.end(), [&](const network_spec& o) { return same_cell(o, s); })) {
          s.index = static_cast<Index>(out.size());
          out.push_back(std::move(s));
        }
    return out;
  }
  Index index = 0;
  for (const auto& task : plan.tasks) {
    std::vector<int> ns;
    if (task == "rdm")
      ns = {1};
    else if (task == "cdi")
      ns = {2};
    else
      ns = plan.contexts;
    for (int n : ns) {
      const bool def = plan.noise.empty();
      const std::vector<double> levels = def ? std::vector<double>{0.0} : plan.noise;
      for (double level : levels)
        for (const auto& act : plan.activations)
          for (Index units : plan.n_units)
            for (const auto& rule : plan.rules)
              for (Index r = 0; r < plan.networks_per_cell; ++r) {
                network_spec s;
                s.index = index++;
                s.task = task;
                s.contexts = n;
                s.noise = level;
                s.default_noise = def;
                s.noise_as = plan.noise_as;
                s.activation = act;
                s.n_units = units;
                s.rule = rule;
                s.replicate = r;
                out.push_back(std::move(s));
              }
    }
  }
  return out;
}

}  // namespace rnnlab::study
