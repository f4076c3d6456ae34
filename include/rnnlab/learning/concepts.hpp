#pragma once
/// \file learning/concepts.hpp
/// Contracts of the learning module (valid-expression tables in docs/concepts.md):
///
///   - `Optimizer<O, Scalar>`: a first-order update rule on `ctrnn_parameters` (Adam, SGD with
///     momentum). A cheap value of hyper-parameters; `make_state(params)` gives the typed moments;
///     `step(params, grad, trainable, state)` changes only the trainable groups.
///   - `LearningRule<R, Net, Task>`: a cheap value of hyper-parameters; `make_state(net)` gives
///     the typed per-run state (optimiser moments, workspaces, a GA population, eligibility
///     traces, RLS matrices); `update(net, state, task, rng)` performs one update (a batch, a
///     generation, or one trial during which the rule may change the network at every step, as
///     Hebbian and FORCE rules do: tests/support/archetype_rule.hpp) and returns an
///     `update_result` saying what it consumed. The generic `train(...)` loop
///     (learning/trainer.hpp) owns validation, stopping, callbacks and reporting; a state with a
///     `serialize(ar)` member can be checkpointed (learning/callbacks.hpp).

#include <concepts>

#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>

namespace rnnlab {

/// What one `update` consumed and measured.
struct update_result {
  Index trials = 0;  ///< trials run (a batch; a generation's population × batch; one trial)
  double loss = 0;   ///< the training loss the update saw (before its own step); NaN/inf = diverged
};

/// A first-order optimiser over the parameter groups of a CTRNN.
template <class O, class Scalar>
concept Optimizer = std::floating_point<Scalar> && std::copy_constructible<O> &&
    requires(const O& opt, ctrnn_parameters<Scalar>& params, const ctrnn_parameters<Scalar>& grad, param_set trainable) {
      opt.validate();
      { opt.make_state(grad) };
      requires requires(decltype(opt.make_state(grad)) state) { opt.step(params, grad, trainable, state); };
    };

/// A learning rule for network `Net` on task `Task`.
template <class R, class Net, class T>
concept LearningRule = Network<Net> && TaskFor<T, Net> && std::copy_constructible<R> &&
    requires(const R& rule, Net& net, const T& task, rng& g) {
      rule.validate();
      { rule.make_state(net) };
      requires requires(decltype(rule.make_state(net)) state) {
        { rule.update(net, state, task, g) } -> std::convertible_to<update_result>;
      };
    };

}  // namespace rnnlab
