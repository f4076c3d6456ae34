#pragma once
// Archetypes of the core and optimiser concepts: the least a type must provide to satisfy
// `Activation`, `Network` (core/concepts.hpp) and `ParameterGroups` (learning/concepts.hpp), and
// nothing else. tests/static/network.cpp checks that they satisfy the concepts; they are also
// the starting point for a newcomer's own activation, network or parameter type (docs/concepts.md).

#include <Eigen/Core>

#include <array>
#include <concepts>
#include <string_view>

#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab::archetypes {

/// f(x) = x / 2: odd, smooth, f'' = 0, no optional trait (no derivative from the rate, no fast
/// array path: the kernels fall back to `value` and `derivative`).
struct activation {
  static constexpr std::string_view name = "archetype_half";
  static constexpr bool is_odd = true;
  static constexpr bool is_smooth = true;
  static constexpr double max_abs_second_derivative = 0.0;
  template <class D>
  static auto value(const Eigen::ArrayBase<D>& x) {
    using S = typename D::Scalar;
    return x * S(0.5);
  }
  template <class D, class E>
  static auto derivative(const Eigen::ArrayBase<D>& x, const Eigen::ArrayBase<E>& /*fx*/) {
    using S = typename D::Scalar;
    return x * S(0) + S(0.5);
  }
  template <std::floating_point S>
  static S value(S x) {
    return x / S(2);
  }
  template <std::floating_point S>
  static S derivative(S /*x*/) {
    return S(0.5);
  }
};

/// A one-unit network x_{t+1} = w f(x_t) + u_t, y = x: the `Network` contract and nothing else.
struct network {
  using scalar_type = double;
  using activation_type = activation;
  using matrix = Eigen::MatrixXd;
  struct parameters_type {
    double w = 0.5;
  };
  struct workspace_type {
    matrix x;
    const matrix& state() const { return x; }
    const matrix& outputs() const { return x; }
  };

  Index n_units() const { return 1; }
  Index n_inputs() const { return 1; }
  Index n_outputs() const { return 1; }
  double alpha() const { return 1.0; }
  const parameters_type& parameters() const { return m_params; }

  workspace_type make_workspace(Index batch) const { return {matrix::Zero(1, batch)}; }
  template <class D>
  void reset(workspace_type& ws, const Eigen::MatrixBase<D>& x0) const {
    ws.x = x0.col(0).replicate(1, ws.x.cols());
  }
  template <class D>
  void step(workspace_type& ws, const Eigen::MatrixBase<D>& u) const {
    ws.x = (m_params.w * activation::value(ws.x.array())).matrix() + u;
  }

  struct simulation_type {
    sequence<double> outputs;
  };
  simulation_type simulate(const sequence<double>& inputs) const {
    const Index T = inputs.shape(0), B = inputs.shape(1);
    simulation_type out{sequence<double>({T, B, 1})};
    auto ws = make_workspace(B);
    reset(ws, matrix::Zero(1, 1));
    for (Index t = 0; t < T; ++t) {
      step(ws, inputs.slice(t));
      out.outputs.slice(t) = ws.outputs();
    }
    return out;
  }

  parameters_type m_params;
};

/// Parameters of some other model: two groups named "w" and "c", neither in the `param` enum.
struct parameters {
  using scalar_type = double;
  Eigen::MatrixXd w;
  Eigen::VectorXd c;

  static parameters zeros_like(const parameters& p) {
    return {Eigen::MatrixXd::Zero(p.w.rows(), p.w.cols()), Eigen::VectorXd::Zero(p.c.size())};
  }
  std::array<parameter_block<double>, 2> groups() {
    return {{{"w", {w.data(), w.rows(), w.cols()}}, {"c", {c.data(), c.size(), 1}}}};
  }
  std::array<parameter_block<const double>, 2> groups() const {
    return {{{"w", {w.data(), w.rows(), w.cols()}}, {"c", {c.data(), c.size(), 1}}}};
  }
};

/// A selection of groups by name (a `GroupSelection`): what param_set is for the CTRNN.
struct group_names {
  std::array<std::string_view, 2> names;
  bool contains(std::string_view n) const { return names[0] == n || names[1] == n; }
};

}  // namespace rnnlab::archetypes
