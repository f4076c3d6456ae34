#pragma once
/// \file tasks/concepts.hpp
/// Contracts of the tasks module (valid-expression tables in docs/concepts.md):
///
///   - `Task<T, Scalar>`: sizes and `sample<Scalar>(B, rng)`, returning a `trial_batch<Scalar>` or
///     a type derived from it (a task's own batch type with its metadata);
///   - `ScoredTask<T, Scalar>`: a task that owns its evaluation, `validation_set<Scalar>(rng)` and
///     `score(outputs, batch)` (higher is better) with `score_name()`; the trainer only asks;
///   - `ConditionedTask<T, Scalar>`: a task that samples trials of given conditions (the
///     evidence-integration tasks: coherence and context);
///   - `TaskFor<T, Net>`: a task a network can run (same scalar type; sizes checked by
///     `check_task_fits` before any work);
///   - `Environment<E>`: a closed-loop task (the IBL task): `reset(rng)` gives the first
///     observation, `step(action, rng)` the next observation, the reward and whether the episode
///     ended.

#include <concepts>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rnnlab/core/concepts.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/trial_batch.hpp>

namespace rnnlab {

/// A batch type of scalar `Scalar`: `trial_batch<Scalar>` or derived from it.
template <class B, class Scalar>
concept TrialBatchOf = std::derived_from<std::remove_cvref_t<B>, trial_batch<Scalar>>;

/// A task samples batches of trials of element type `Scalar` with an explicit generator.
template <class T, class Scalar = float>
concept Task = std::floating_point<Scalar> && requires(const T& task, Index batch, rng& g) {
  { task.n_inputs() } -> std::convertible_to<Index>;
  { task.n_outputs() } -> std::convertible_to<Index>;
  { task.n_steps() } -> std::convertible_to<Index>;
  { task.template sample<Scalar>(batch, g) } -> TrialBatchOf<Scalar>;
};

/// The batch type a task's `sample<Scalar>` returns.
template <class T, class Scalar>
  requires Task<T, Scalar>
using task_batch_t = std::remove_cvref_t<decltype(std::declval<const T&>().template sample<Scalar>(
    Index{}, std::declval<rng&>()))>;

/// A task that owns its evaluation: a validation set drawn once with an explicit generator, and a
/// score of a network's outputs (T, B, O) on such a batch, higher is better, with its name (the
/// evidence tasks: "decision accuracy"; a task without labels may score the output error within
/// a tolerance).
template <class T, class Scalar = float>
concept ScoredTask = Task<T, Scalar> && requires(const T& task, rng& g, const sequence<Scalar>& outputs,
                                                 const task_batch_t<T, Scalar>& batch) {
  { task.template validation_set<Scalar>(g) } -> std::same_as<task_batch_t<T, Scalar>>;
  { task.score(outputs, batch) } -> std::convertible_to<double>;
  { task.score_name() } -> std::convertible_to<std::string_view>;
};

/// A task that samples trials of given conditions (the evidence-integration tasks).
template <class T, class Scalar = float>
concept ConditionedTask = Task<T, Scalar> && requires(const T& task, std::span<const trial_condition> c, rng& g) {
  { task.n_contexts() } -> std::convertible_to<int>;
  { task.template sample_conditions<Scalar>(c, g) } -> TrialBatchOf<Scalar>;
};

/// A task whose trials a network can run: same scalar type. (Sizes are run-time values and are
/// checked by `check_task_fits`, before any work.)
template <class T, class Net>
concept TaskFor = Network<Net> && Task<T, typename Net::scalar_type>;

/// Throws shape_error unless the network's input and output sizes match the task's.
template <class T, class Net>
  requires TaskFor<T, Net>
void check_task_fits(const T& task, const Net& net, std::string_view caller) {
  require_shape(net.n_inputs() == task.n_inputs(), caller, "net",
                "a network with " + std::to_string(task.n_inputs()) + " inputs (the task's)",
                std::to_string(net.n_inputs()) + " inputs");
  require_shape(net.n_outputs() == task.n_outputs(), caller, "net",
                "a network with " + std::to_string(task.n_outputs()) + " outputs (the task's)",
                std::to_string(net.n_outputs()) + " outputs");
}

// ---------------------------------------------------------------------------------------------
// Closed-loop tasks

/// What one `Environment::step` returns: the next observation, the reward the action earned and
/// whether the episode ended with it (after `done`, the next call must be `reset`).
template <class Observation>
struct environment_step {
  Observation observation;
  double reward = 0;
  bool done = false;
};

/// A closed-loop task: the agent (a network, a Bayesian observer, a distilled model) sees an
/// observation, acts, and the environment answers with the next observation, a reward and the
/// episode's end. Unlike a `Task`, trials cannot be sampled ahead of time: the inputs depend on
/// the agent's actions. Randomness comes only from the generator passed in, so an episode is
/// reproducible from a seed and a sequence of actions.
template <class E>
concept Environment = std::copy_constructible<E> && requires {
  typename E::observation_type;
  typename E::action_type;
} && requires(E& env, const E& cenv, rng& g, const typename E::action_type& action) {
  { cenv.n_observations() } -> std::convertible_to<Index>;  ///< length of an observation
  { cenv.n_actions() } -> std::convertible_to<Index>;       ///< number of actions (or action size)
  { env.reset(g) } -> std::same_as<typename E::observation_type>;
  { env.step(action, g) } -> std::same_as<environment_step<typename E::observation_type>>;
};

}  // namespace rnnlab
