#pragma once
/// \file learning/concepts.hpp
/// Contracts of the learning module (valid-expression tables in docs/concepts.md):
///
///   - `ParameterGroups<P>`: a parameter type that exposes its groups as a sequence of named
///     Eigen blocks (`p.groups()`, each with `.name` and `.values`) and makes zeros of its own
///     shapes (`P::zeros_like(p)`): `ctrnn_parameters`, or any other model's parameters.
///   - `Optimizer<O, P>`: a first-order update rule on parameters P (Adam, SGD with momentum),
///     generic over P (`Optimizer<O, Scalar>` means P = ctrnn_parameters<Scalar>). A cheap value
///     of hyper-parameters; `make_state(params)` gives the typed moments;
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
#include <ranges>
#include <string_view>
#include <type_traits>

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

/// Parameters that expose their groups as a sequence of named Eigen blocks.
template <class P>
concept ParameterGroups = std::copy_constructible<P> && requires(P& p, const P& cp) {
  typename P::scalar_type;
  requires std::floating_point<typename P::scalar_type>;
  { P::zeros_like(cp) } -> std::convertible_to<P>;
  { p.groups() } -> std::ranges::range;
  { cp.groups() } -> std::ranges::range;
  { p.groups().begin()->name } -> std::convertible_to<std::string_view>;
  { p.groups().begin()->values.array() };
  { cp.groups().begin()->values.rows() } -> std::convertible_to<Index>;
};

namespace detail {
template <class X>
struct parameters_of {
  using type = X;
};
template <std::floating_point S>
struct parameters_of<S> {
  using type = ctrnn_parameters<S>;
};
}  // namespace detail

/// The parameter type an optimiser works on: X itself, or ctrnn_parameters<X> for a scalar X.
template <class X>
using parameters_of_t = typename detail::parameters_of<X>::type;

/// Which groups a step may change: anything with `contains(name)` (param_set is one).
template <class S>
concept GroupSelection = requires(const S& s, std::string_view name) {
  { s.contains(name) } -> std::convertible_to<bool>;
};

/// A first-order optimiser over the parameter groups of P = parameters_of_t<X> (X a parameter
/// type, or a scalar for a CTRNN's parameters).
template <class O, class X>
concept Optimizer = ParameterGroups<parameters_of_t<X>> && std::copy_constructible<O> &&
    requires(const O& opt, parameters_of_t<X>& params, const parameters_of_t<X>& grad, param_set trainable) {
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
