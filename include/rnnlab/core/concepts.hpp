#pragma once
/// \file core/concepts.hpp
/// Contracts of the core module: `Activation` and `Network` (valid-expression tables in
/// docs/concepts.md).

#include <Eigen/Core>

#include <concepts>
#include <string_view>

#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// An element-wise activation: `F::name`, `F::value` and `F::derivative` on Eigen arrays (float
/// and double) and on scalars.
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
};

/// A recurrent network that simulates batches of input sequences (T, B, M) into outputs (T, B, O).
template <class N>
concept Network = requires(const N& net, const sequence<typename N::scalar_type>& inputs) {
  typename N::scalar_type;
  typename N::activation_type;
  typename N::parameters_type;
  requires std::floating_point<typename N::scalar_type>;
  requires Activation<typename N::activation_type>;
  { net.n_units() } -> std::convertible_to<Index>;
  { net.n_inputs() } -> std::convertible_to<Index>;
  { net.n_outputs() } -> std::convertible_to<Index>;
  { net.alpha() } -> std::convertible_to<typename N::scalar_type>;
  { net.parameters() } -> std::convertible_to<const typename N::parameters_type&>;
  { net.simulate(inputs).outputs } -> std::convertible_to<sequence<typename N::scalar_type>>;
};

}  // namespace rnnlab
