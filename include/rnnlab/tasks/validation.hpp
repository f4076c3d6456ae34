#pragma once
/// \file tasks/validation.hpp
/// The reference validation set and psychometric probes for evidence-integration tasks (the
/// tasks' own `validation_set` is the reference set with their `validation` parameters).
///
/// Reference validation set (reference_code_spec §1.3): 2,000 trials; trial i has attended
/// magnitude linspace(0, 0.1875, 20)[i mod 20] (0.1875, not the training maximum 0.1857), a random
/// sign and a random context. 100 of the 2,000 trials have magnitude 0: in RDM their label is a
/// coin flip (≈ 50 unavoidable errors), in N-CDI their label is 0 (always scored correct).

#include <span>
#include <vector>

#include <rnnlab/core/concepts.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/evidence.hpp>

namespace rnnlab {

/// The magnitudes linspace(0, max, n_levels) cycled over the trials.
inline std::vector<double> validation_levels(const validation_set_params& p) {
  std::vector<double> levels(static_cast<std::size_t>(p.n_levels));
  for (Index k = 0; k < p.n_levels; ++k)
    levels[static_cast<std::size_t>(k)] =
        p.n_levels == 1 ? 0.0 : p.max_coherence * static_cast<double>(k) / static_cast<double>(p.n_levels - 1);
  return levels;
}

/// The reference validation set of a task: magnitudes cycling linspace(0, max, n_levels), random
/// signs and contexts, fresh noise at the task's training level.
template <class Scalar = float, class T, class G>
  requires ConditionedTask<T, Scalar>
auto reference_validation_set(const T& task, G& g, const validation_set_params& p = {}) {
  p.validate("rnnlab::reference_validation_set");
  const auto levels = validation_levels(p);
  std::vector<trial_condition> conds(static_cast<std::size_t>(p.n_trials));
  for (std::size_t i = 0; i < conds.size(); ++i) {
    conds[i].coherence = random_sign(g) * levels[i % levels.size()];
    conds[i].context = static_cast<int>(uniform_index(g, static_cast<std::uint64_t>(task.n_contexts())));
  }
  return task.template sample_conditions<Scalar>(conds, g);
}

/// `n_trials` trials at one signed coherence and one context (a psychometric probe).
template <class Scalar = float, class T, class G>
  requires ConditionedTask<T, Scalar>
auto psychometric_probe(const T& task, double coherence, int context, Index n_trials, G& g) {
  require_shape(n_trials > 0, "rnnlab::psychometric_probe", "n_trials", "> 0", n_trials);
  const std::vector<trial_condition> conds(static_cast<std::size_t>(n_trials), trial_condition{coherence, context});
  return task.template sample_conditions<Scalar>(conds, g);
}

/// A psychometric curve: the fraction of trials with a positive final output at each coherence.
struct psychometric_curve {
  std::vector<double> coherence;
  std::vector<double> fraction_positive;
  Index trials_per_point = 0;
};

/// Runs `n_trials` probe trials per coherence through `net` (from its own initial state x0) and
/// records the fraction of positive decisions (paper-1 code: 2,000 trials per coherence).
template <class Net, class T, class G>
  requires TaskFor<T, Net> && ConditionedTask<T, typename Net::scalar_type>
psychometric_curve measure_psychometric(const Net& net, const T& task, std::span<const double> coherences,
                                        int context, Index n_trials, G& g) {
  using Scalar = typename Net::scalar_type;
  check_task_fits(task, net, "rnnlab::measure_psychometric");
  psychometric_curve curve;
  curve.trials_per_point = n_trials;
  for (double c : coherences) {
    const auto batch = psychometric_probe<Scalar>(task, c, context, n_trials, g);
    const auto out = net.simulate(batch.inputs).outputs;
    Index positive = 0;
    for (Index b = 0; b < n_trials; ++b) positive += out(out.shape(0) - 1, b, 0) > Scalar(0);
    curve.coherence.push_back(c);
    curve.fraction_positive.push_back(static_cast<double>(positive) / static_cast<double>(n_trials));
  }
  return curve;
}

}  // namespace rnnlab
