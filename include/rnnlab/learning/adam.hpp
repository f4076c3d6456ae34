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
/// Both are generic over the parameter type P (learning/concepts.hpp `ParameterGroups`: groups
/// exposed as named Eigen blocks): `ctrnn_parameters<Scalar>`, or any other model's parameters.
/// The moments are held in a P of the same shapes; groups outside the trainable set (a
/// `GroupSelection` such as `param_set`, asked by group name) are neither read nor changed. The
/// arithmetic is done in the parameters' scalar type.

#include <cmath>
#include <ranges>
#include <string_view>

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

  /// Adam's per-run state for parameters P: first and second moments and the step count.
  template <ParameterGroups P>
  struct moments {
    P m, v;
    long long steps = 0;
  };
  /// The state for parameter type X (or ctrnn_parameters<X> for a scalar X).
  template <class X>
  using state = moments<parameters_of_t<X>>;

  template <ParameterGroups P>
  moments<P> make_state(const P& params) const {
    return {P::zeros_like(params), P::zeros_like(params), 0};
  }

  /// One Adam step on the trainable groups of `params` with gradient `grad`.
  template <ParameterGroups P, GroupSelection S>
  void step(P& params, const P& grad, const S& trainable, moments<P>& s) const;
};

/// SGD with momentum (momentum 0 is plain SGD).
struct sgd {
  double learning_rate = 1e-2;
  double momentum = 0.0;

  void validate() const;

  template <ParameterGroups P>
  struct velocities {
    P velocity;
    long long steps = 0;
  };
  template <class X>
  using state = velocities<parameters_of_t<X>>;

  template <ParameterGroups P>
  velocities<P> make_state(const P& params) const {
    return {P::zeros_like(params), 0};
  }

  template <ParameterGroups P, GroupSelection S>
  void step(P& params, const P& grad, const S& trainable, velocities<P>& s) const;
};

// ---------------------------------------------------------------------------------------------

namespace detail {

/// Calls fn(θ, g, a, b) (Eigen arrays) for the groups named in `trainable`, in the order of
/// params.groups(); the four parameter objects have the same groups (check_shapes_like).
template <class P, class S, class Fn>
void for_each_trainable(const S& trainable, P& params, const P& grad, P& a, P& b, Fn&& fn) {
  auto gp = params.groups();
  const auto gg = grad.groups();
  auto ga = a.groups();
  auto gb = b.groups();
  auto ip = std::ranges::begin(gp);
  auto ig = std::ranges::begin(gg);
  auto ia = std::ranges::begin(ga);
  auto ib = std::ranges::begin(gb);
  for (; ip != std::ranges::end(gp); ++ip, ++ig, ++ia, ++ib)
    if (trainable.contains((*ip).name))
      fn((*ip).values.array(), (*ig).values.array(), (*ia).values.array(), (*ib).values.array());
}

/// Throws shape_error naming `fn` and `arg` unless `other` has the same groups, of the same
/// shapes, as `params`.
template <class P>
void check_shapes_like(const P& params, const P& other, std::string_view fn, std::string_view arg) {
  const auto gp = params.groups();
  const auto go = other.groups();
  auto ip = std::ranges::begin(gp);
  auto io = std::ranges::begin(go);
  for (; ip != std::ranges::end(gp) && io != std::ranges::end(go); ++ip, ++io)
    if ((*ip).name != (*io).name || (*ip).values.rows() != (*io).values.rows() ||
        (*ip).values.cols() != (*io).values.cols())
      throw shape_error(argument_message(
          fn, arg, concat("group ", (*ip).name, " of the parameters' shape (", (*ip).values.rows(), ", ",
                          (*ip).values.cols(), ")"),
          concat("group ", (*io).name, " of shape (", (*io).values.rows(), ", ", (*io).values.cols(), ")")));
  if ((ip == std::ranges::end(gp)) != (io == std::ranges::end(go)))
    throw shape_error(argument_message(fn, arg, "the parameters' groups", "a different number of groups"));
}

}  // namespace detail

inline void adam::validate() const {
  constexpr std::string_view fn = "rnnlab::adam::validate";
  require(std::isfinite(learning_rate) && learning_rate > 0, fn, "learning_rate", "a finite value > 0", learning_rate);
  require(beta1 >= 0 && beta1 < 1, fn, "beta1", "a value in [0, 1)", beta1);
  require(beta2 >= 0 && beta2 < 1, fn, "beta2", "a value in [0, 1)", beta2);
  require(std::isfinite(epsilon) && epsilon >= 0, fn, "epsilon", "a finite value >= 0", epsilon);
}

template <ParameterGroups P, GroupSelection S>
void adam::step(P& params, const P& grad, const S& trainable, moments<P>& s) const {
  using Scalar = typename P::scalar_type;
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

template <ParameterGroups P, GroupSelection S>
void sgd::step(P& params, const P& grad, const S& trainable, velocities<P>& s) const {
  using Scalar = typename P::scalar_type;
  detail::check_shapes_like(params, grad, "rnnlab::sgd::step", "grad");
  detail::check_shapes_like(params, s.velocity, "rnnlab::sgd::step", "state");
  const bool first = s.steps == 0;
  ++s.steps;
  const auto lr = static_cast<Scalar>(learning_rate), mu = static_cast<Scalar>(momentum);
  P& unused = s.velocity;  // the second moment slot is not needed
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
