#pragma once
/// \file learning/adam.hpp
/// First-order optimisers over the parameter groups of a CTRNN: Adam and SGD with momentum.
///
/// Adam (Kingma & Ba 2015, Algorithm 1), in the form PyTorch's torch.optim.Adam uses (the
/// reference code's optimiser, McMahan et al. 2021 Sec. 2.3: lr 5e-4, default betas). For every
/// trainable parameter θ with gradient g, at step k = 1, 2, ...:
///
///     m ← β₁ m + (1 − β₁) g            v ← β₂ v + (1 − β₂) g²
///     θ ← θ − lr · (m / (1 − β₁ᵏ)) / (√(v / (1 − β₂ᵏ)) + ε)
///
/// SGD with momentum μ (PyTorch's convention, no dampening):
///
///     u ← μ u + g   (u = g at the first step)          θ ← θ − lr · u
///
/// The moments are held in `ctrnn_parameters` of the same shapes; groups outside the trainable
/// set are neither read nor changed. The arithmetic is done in the parameters' scalar type.

#include <cmath>

#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/concepts.hpp>

namespace rnnlab {

/// Adam's hyper-parameters (a cheap value); `make_state` gives the moments.
struct adam {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;

  /// The reference code's: lr 5e-4, PyTorch's default betas and ε.
  static adam reference_code() { return {5e-4, 0.9, 0.999, 1e-8}; }

  void validate() const;

  /// Adam's per-run state: first and second moments and the step count.
  template <class Scalar>
  struct state {
    ctrnn_parameters<Scalar> m, v;
    long long steps = 0;
  };

  template <class Scalar>
  state<Scalar> make_state(const ctrnn_parameters<Scalar>& params) const {
    return {ctrnn_parameters<Scalar>::zeros_like(params), ctrnn_parameters<Scalar>::zeros_like(params), 0};
  }

  /// One Adam step on the trainable groups of `params` with gradient `grad`.
  template <class Scalar>
  void step(ctrnn_parameters<Scalar>& params, const ctrnn_parameters<Scalar>& grad, param_set trainable,
            state<Scalar>& s) const;
};

/// SGD with momentum (momentum 0 is plain SGD).
struct sgd {
  double learning_rate = 1e-2;
  double momentum = 0.0;

  void validate() const;

  template <class Scalar>
  struct state {
    ctrnn_parameters<Scalar> velocity;
    long long steps = 0;
  };

  template <class Scalar>
  state<Scalar> make_state(const ctrnn_parameters<Scalar>& params) const {
    return {ctrnn_parameters<Scalar>::zeros_like(params), 0};
  }

  template <class Scalar>
  void step(ctrnn_parameters<Scalar>& params, const ctrnn_parameters<Scalar>& grad, param_set trainable,
            state<Scalar>& s) const;
};

// ---------------------------------------------------------------------------------------------

namespace detail {

/// Calls fn(p, param, grad, extra...) for the groups of `trainable`, in the order of all_params.
template <class Scalar, class Fn>
void for_each_trainable(param_set trainable, ctrnn_parameters<Scalar>& params, const ctrnn_parameters<Scalar>& grad,
                        ctrnn_parameters<Scalar>& a, ctrnn_parameters<Scalar>& b, Fn&& fn) {
  const auto apply = [&](param p, auto& theta, const auto& g, auto& x, auto& y) {
    if (trainable.contains(p)) fn(theta.array(), g.array(), x.array(), y.array());
  };
  apply(param::W_rec, params.W_rec, grad.W_rec, a.W_rec, b.W_rec);
  apply(param::W_in, params.W_in, grad.W_in, a.W_in, b.W_in);
  apply(param::W_out, params.W_out, grad.W_out, a.W_out, b.W_out);
  apply(param::b, params.b, grad.b, a.b, b.b);
  apply(param::b_out, params.b_out, grad.b_out, a.b_out, b.b_out);
  apply(param::x0, params.x0, grad.x0, a.x0, b.x0);
}

inline void check_shapes_like(const auto& params, const auto& other, std::string_view fn, std::string_view arg) {
  if (params.n_units() == other.n_units() && params.n_inputs() == other.n_inputs() &&
      params.n_outputs() == other.n_outputs())
    return;
  throw shape_error(argument_message(
      fn, arg, concat("the parameters' shapes (N, M, O) = (", params.n_units(), ", ", params.n_inputs(), ", ",
                      params.n_outputs(), ")"),
      concat("(", other.n_units(), ", ", other.n_inputs(), ", ", other.n_outputs(), ")")));
}

}  // namespace detail

inline void adam::validate() const {
  constexpr std::string_view fn = "rnnlab::adam::validate";
  require(std::isfinite(learning_rate) && learning_rate > 0, fn, "learning_rate", "a finite value > 0", learning_rate);
  require(beta1 >= 0 && beta1 < 1, fn, "beta1", "a value in [0, 1)", beta1);
  require(beta2 >= 0 && beta2 < 1, fn, "beta2", "a value in [0, 1)", beta2);
  require(std::isfinite(epsilon) && epsilon >= 0, fn, "epsilon", "a finite value >= 0", epsilon);
}

template <class Scalar>
void adam::step(ctrnn_parameters<Scalar>& params, const ctrnn_parameters<Scalar>& grad, param_set trainable,
                state<Scalar>& s) const {
  detail::check_shapes_like(params, grad, "rnnlab::adam::step", "grad");
  detail::check_shapes_like(params, s.m, "rnnlab::adam::step", "state");
  ++s.steps;
  const double k = static_cast<double>(s.steps);
  const auto b1 = static_cast<Scalar>(beta1), b2 = static_cast<Scalar>(beta2);
  const auto step_size = static_cast<Scalar>(learning_rate / (1.0 - std::pow(beta1, k)));
  const auto inv_sqrt_bc2 = static_cast<Scalar>(1.0 / std::sqrt(1.0 - std::pow(beta2, k)));
  const auto eps = static_cast<Scalar>(epsilon);
  detail::for_each_trainable(trainable, params, grad, s.m, s.v, [&](auto theta, auto g, auto m, auto v) {
    m = b1 * m + (Scalar(1) - b1) * g;
    v = b2 * v + (Scalar(1) - b2) * g.square();
    theta -= step_size * m / (v.sqrt() * inv_sqrt_bc2 + eps);
  });
}

inline void sgd::validate() const {
  constexpr std::string_view fn = "rnnlab::sgd::validate";
  require(std::isfinite(learning_rate) && learning_rate > 0, fn, "learning_rate", "a finite value > 0", learning_rate);
  require(momentum >= 0 && momentum < 1, fn, "momentum", "a value in [0, 1)", momentum);
}

template <class Scalar>
void sgd::step(ctrnn_parameters<Scalar>& params, const ctrnn_parameters<Scalar>& grad, param_set trainable,
               state<Scalar>& s) const {
  detail::check_shapes_like(params, grad, "rnnlab::sgd::step", "grad");
  detail::check_shapes_like(params, s.velocity, "rnnlab::sgd::step", "state");
  const bool first = s.steps == 0;
  ++s.steps;
  const auto lr = static_cast<Scalar>(learning_rate), mu = static_cast<Scalar>(momentum);
  ctrnn_parameters<Scalar>& unused = s.velocity;  // the second moment slot is not needed
  detail::for_each_trainable(trainable, params, grad, s.velocity, unused, [&](auto theta, auto g, auto u, auto) {
    if (first)
      u = g;
    else
      u = mu * u + g;
    theta -= lr * u;
  });
}

static_assert(Optimizer<adam, float> && Optimizer<adam, double>);
static_assert(Optimizer<sgd, float> && Optimizer<sgd, double>);

}  // namespace rnnlab
