#pragma once
/// \file tasks/concepts.hpp
/// Contracts of the tasks module: `Task<T, Scalar>` and the pairwise `TaskFor<T, Net>`
/// (valid-expression tables in docs/concepts.md).

#include <concepts>

#include <rnnlab/core/concepts.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/trial_batch.hpp>

namespace rnnlab {

/// A task samples batches of trials of element type `Scalar` with an explicit generator.
template <class T, class Scalar = float>
concept Task = std::floating_point<Scalar> && requires(const T& task, Index batch, rng& g) {
  { task.n_inputs() } -> std::convertible_to<Index>;
  { task.n_outputs() } -> std::convertible_to<Index>;
  { task.n_steps() } -> std::convertible_to<Index>;
  { task.template sample<Scalar>(batch, g) } -> std::same_as<trial_batch<Scalar>>;
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

}  // namespace rnnlab
