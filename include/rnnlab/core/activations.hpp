#pragma once
/// \file core/activations.hpp
/// Element-wise activation functions f and their derivatives f′.
///
/// Each activation is a stateless type with
///   - `name`: a stable identifier used in files ("tanh", "one_plus_tanh", "relu", "softplus");
///   - `value(x)`: f applied to an Eigen array expression or to a scalar;
///   - `derivative(x, fx)`: f′(x), given both x and fx = f(x) so that each function uses the
///     cheaper of the two (tanh′ = 1 − fx², ReLU′ = [x > 0], softplus′ = σ(x)).
/// Array overloads return Eigen expressions: assign them at once (they refer to their arguments).
///
/// The paper's default is f(x) = 1 + tanh(x) (McMahan et al. 2021, Sec. 2.1), a non-negative rate.

#include <Eigen/Core>

#include <cmath>
#include <concepts>
#include <string_view>

namespace rnnlab::activations {

/// f(x) = tanh(x), f′(x) = 1 − tanh²(x). Used by the Hebbian and full-FORCE networks.
struct tanh {
  static constexpr std::string_view name = "tanh";
  template <class D>
  static auto value(const Eigen::ArrayBase<D>& x) {
    return x.tanh();
  }
  template <class D, class E>
  static auto derivative(const Eigen::ArrayBase<D>& /*x*/, const Eigen::ArrayBase<E>& fx) {
    using S = typename E::Scalar;
    return S(1) - fx.square();
  }
  template <std::floating_point S>
  static S value(S x) {
    return std::tanh(x);
  }
  template <std::floating_point S>
  static S derivative(S x) {
    const S t = std::tanh(x);
    return S(1) - t * t;
  }
};

/// f(x) = 1 + tanh(x) ∈ (0, 2), f′(x) = 1 − tanh²(x) = 1 − (fx − 1)². The paper's default.
struct one_plus_tanh {
  static constexpr std::string_view name = "one_plus_tanh";
  template <class D>
  static auto value(const Eigen::ArrayBase<D>& x) {
    using S = typename D::Scalar;
    return x.tanh() + S(1);
  }
  template <class D, class E>
  static auto derivative(const Eigen::ArrayBase<D>& /*x*/, const Eigen::ArrayBase<E>& fx) {
    using S = typename E::Scalar;
    return S(1) - (fx - S(1)).square();
  }
  template <std::floating_point S>
  static S value(S x) {
    return S(1) + std::tanh(x);
  }
  template <std::floating_point S>
  static S derivative(S x) {
    const S t = std::tanh(x);
    return S(1) - t * t;
  }
};

/// f(x) = max(0, x), f′(x) = 1 for x > 0 and 0 otherwise (the subgradient 0 at x = 0).
struct relu {
  static constexpr std::string_view name = "relu";
  template <class D>
  static auto value(const Eigen::ArrayBase<D>& x) {
    using S = typename D::Scalar;
    return x.max(S(0));
  }
  template <class D, class E>
  static auto derivative(const Eigen::ArrayBase<D>& x, const Eigen::ArrayBase<E>& /*fx*/) {
    using S = typename D::Scalar;
    return (x > S(0)).template cast<S>();
  }
  template <std::floating_point S>
  static S value(S x) {
    return x > S(0) ? x : S(0);
  }
  template <std::floating_point S>
  static S derivative(S x) {
    return x > S(0) ? S(1) : S(0);
  }
};

/// f(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^{−|x|}) (no overflow);
/// f′(x) = σ(x) = 1 / (1 + e^{−x}).
struct softplus {
  static constexpr std::string_view name = "softplus";
  template <class D>
  static auto value(const Eigen::ArrayBase<D>& x) {
    using S = typename D::Scalar;
    return x.max(S(0)) + (-x.abs()).exp().log1p();
  }
  template <class D, class E>
  static auto derivative(const Eigen::ArrayBase<D>& x, const Eigen::ArrayBase<E>& /*fx*/) {
    using S = typename D::Scalar;
    return S(1) / (S(1) + (-x).exp());
  }
  template <std::floating_point S>
  static S value(S x) {
    return std::max(x, S(0)) + std::log1p(std::exp(-std::abs(x)));
  }
  template <std::floating_point S>
  static S derivative(S x) {
    return S(1) / (S(1) + std::exp(-x));
  }
};

}  // namespace rnnlab::activations
