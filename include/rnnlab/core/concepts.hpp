#pragma once
/// \file core/concepts.hpp
/// Contracts of the core module: `Activation` and `Network` (valid-expression tables in
/// docs/concepts.md).

#include <Eigen/Core>

#include <concepts>
#include <cstddef>
#include <string_view>

#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// An element-wise activation: `F::name`, `F::value` and `F::derivative` on Eigen arrays (float
/// and double) and on scalars, and the traits analyses and learning rules rely on: `F::is_odd`,
/// `F::is_smooth` (with `F::kinks`, the points where f′ jumps, when it is not) and
/// `F::max_abs_second_derivative` (sup |f″|, +∞ if unbounded). Optional, detected:
/// `F::derivative_from_rate(r)` and `F::value_array(x, out, n)` (core/activations.hpp).
template <class F>
concept Activation = requires(const Eigen::ArrayXf& xf, const Eigen::ArrayXd& xd, float sf, double sd) {
  { F::name } -> std::convertible_to<std::string_view>;
  { Eigen::ArrayXf(F::value(xf)) };
  { Eigen::ArrayXd(F::value(xd)) };
  { Eigen::ArrayXf(F::derivative(xf, xf)) };
  { Eigen::ArrayXd(F::derivative(xd, xd)) };
  { F::value(sf) } -> std::convertible_to<float>;
  { F::value(sd) } -> std::convertible_to<double>;
  { F::derivative(sd) } -> std::convertible_to<double>;
  { F::is_odd } -> std::convertible_to<bool>;
  { F::is_smooth } -> std::convertible_to<bool>;
  { F::max_abs_second_derivative } -> std::convertible_to<double>;
  requires F::is_smooth || requires {
    { F::kinks.size() } -> std::convertible_to<std::size_t>;
    { F::kinks[0] } -> std::convertible_to<double>;
  };
};

/// A recurrent network (odeint's System and Stepper): sizes, parameter access, a whole-sequence
/// `simulate` (T, B, M) → (T, B, O), and the per-step API on a workspace: `make_workspace(B)`,
/// `reset(ws, x0)` and an allocation-free `step(ws, U)` (U: M × B), after which `ws.state()` (N × B)
/// and `ws.outputs()` (O × B) hold x_{t+1} and y_t; `step(ws, U, observer)` calls
/// observer(t, x, f(x), y) after the step.
template <class N>
concept Network = requires(const N& net, const sequence<typename N::scalar_type>& inputs,
                           typename N::workspace_type& ws, const typename N::workspace_type& cws,
                           const Eigen::Matrix<typename N::scalar_type, Eigen::Dynamic, Eigen::Dynamic>& U, Index batch) {
  typename N::scalar_type;
  typename N::activation_type;
  typename N::parameters_type;
  typename N::workspace_type;
  requires std::floating_point<typename N::scalar_type>;
  requires Activation<typename N::activation_type>;
  { net.n_units() } -> std::convertible_to<Index>;
  { net.n_inputs() } -> std::convertible_to<Index>;
  { net.n_outputs() } -> std::convertible_to<Index>;
  { net.alpha() } -> std::convertible_to<typename N::scalar_type>;
  { net.parameters() } -> std::convertible_to<const typename N::parameters_type&>;
  { net.simulate(inputs).outputs } -> std::convertible_to<sequence<typename N::scalar_type>>;
  { net.make_workspace(batch) } -> std::convertible_to<typename N::workspace_type>;
  net.reset(ws, U);
  net.step(ws, U);
  { cws.state() } -> std::convertible_to<Eigen::Matrix<typename N::scalar_type, Eigen::Dynamic, Eigen::Dynamic>>;
  { cws.outputs() } -> std::convertible_to<Eigen::Matrix<typename N::scalar_type, Eigen::Dynamic, Eigen::Dynamic>>;
};

}  // namespace rnnlab
