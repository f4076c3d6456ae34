#pragma once
/// \file core/activations.hpp
/// Element-wise activation functions f, their derivatives f′ and the traits the kernels,
/// analyses and learning rules need, plus the one name ↔ type table of the library.
///
/// Each activation is a stateless type with
///   - `name`: a stable identifier used in files and on the command line ("tanh", "one_plus_tanh",
///     "relu", "softplus", "linear");
///   - `value(x)`: f applied to an Eigen array expression or to a scalar;
///   - `derivative(x, fx)`: f′(x), given both x and fx = f(x) so that each function uses the
///     cheaper of the two (tanh′ = 1 − fx², ReLU′ = [x > 0], softplus′ = σ(x)); `derivative(x)` on
///     a scalar;
///   - traits (docs/concepts.md, `Activation`):
///       `is_odd`                     f(−x) = −f(x) exactly in floating point (tanh, linear);
///       `is_smooth`                  f is C² on the whole line; otherwise `kinks` lists the points
///                                    where f′ jumps (ReLU: {0});
///       `max_abs_second_derivative`  sup |f″| (+∞ when f′ jumps): tanh 4/(3√3), softplus 1/4,
///                                    linear 0; the fixed-point certificate's curvature bound;
///     and, where they exist (detected, optional):
///       `derivative_from_rate(r)`    f′ as an exact, accurate expression of the rate r = f(x)
///                                    alone (tanh 1 − r², 1 + tanh r(2 − r), ReLU [r > 0],
///                                    linear 1), so backward passes need not store x. Softplus has
///                                    none: f′ = 1 − e^{−r} is exact but loses all accuracy at
///                                    small r without expm1, whose Eigen packet trips GCC 12's
///                                    false warnings, so softplus' states are stored instead;
///       `value_array(x, out, n)`     a fast path out[i] = f(x[i]) over contiguous memory (tanh and
///                                    1 + tanh in double: the vectorised tanh of core/fast_math.hpp).
/// Array overloads return Eigen expressions: assign them at once (they refer to their arguments).
///
/// Kernels call `detail::apply_activation<F>` and `detail::rate_derivative<F>`, which use the
/// optional traits when present, so adding an activation is one struct here plus one entry in
/// `all_activations` (the name ↔ type table behind `visit_activation`).
///
/// The paper's default is f(x) = 1 + tanh(x) (McMahan et al. 2021, Sec. 2.1), a non-negative rate.

#include <Eigen/Core>

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rnnlab/core/fast_math.hpp>
#include <rnnlab/error.hpp>

namespace rnnlab::activations {

/// f(x) = tanh(x), f′(x) = 1 − tanh²(x). Used by the Hebbian and full-FORCE networks.
struct tanh {
  static constexpr std::string_view name = "tanh";
  static constexpr bool is_odd = true;  // std::tanh and the vectorised tanh both copy the sign
  static constexpr bool is_smooth = true;
  /// |tanh″| = 2|t|(1 − t²), t = tanh x, is largest at t² = 1/3: 4 / (3√3).
  static constexpr double max_abs_second_derivative = 0.76980035891950104;

  template <class D>
  static auto value(const Eigen::ArrayBase<D>& x) {
    return x.tanh();
  }
  template <class D, class E>
  static auto derivative(const Eigen::ArrayBase<D>& /*x*/, const Eigen::ArrayBase<E>& fx) {
    using S = typename E::Scalar;
    return S(1) - fx.square();
  }
  template <class D>
  static auto derivative_from_rate(const Eigen::ArrayBase<D>& r) {
    using S = typename D::Scalar;
    return S(1) - r.square();
  }
  template <std::floating_point S>
  static void value_array(const S* x, S* out, Eigen::Index n) {
    if constexpr (std::is_same_v<S, double>)
      detail::tanh_array(x, out, static_cast<std::size_t>(n), 0.0);
    else
      Eigen::Map<Eigen::Array<S, Eigen::Dynamic, 1>>(out, n) = Eigen::Map<const Eigen::Array<S, Eigen::Dynamic, 1>>(x, n).tanh();
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
  static constexpr bool is_odd = false;
  static constexpr bool is_smooth = true;
  static constexpr double max_abs_second_derivative = 0.76980035891950104;  // as tanh: 4 / (3√3)

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
  template <class D>
  static auto derivative_from_rate(const Eigen::ArrayBase<D>& r) {
    using S = typename D::Scalar;
    return r * (S(2) - r);  // 1 − (r − 1)² without the cancellation near r = 0 or 2
  }
  template <std::floating_point S>
  static void value_array(const S* x, S* out, Eigen::Index n) {
    if constexpr (std::is_same_v<S, double>)
      detail::tanh_array(x, out, static_cast<std::size_t>(n), 1.0);
    else
      Eigen::Map<Eigen::Array<S, Eigen::Dynamic, 1>>(out, n) =
          Eigen::Map<const Eigen::Array<S, Eigen::Dynamic, 1>>(x, n).tanh() + S(1);
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
/// Not smooth: f′ jumps at 0, so no bound on f″ exists (+∞) and fixed-point analyses treat the
/// kink with one-sided pieces.
struct relu {
  static constexpr std::string_view name = "relu";
  static constexpr bool is_odd = false;
  static constexpr bool is_smooth = false;
  static constexpr std::array<double, 1> kinks = {0.0};
  static constexpr double max_abs_second_derivative = std::numeric_limits<double>::infinity();

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
  template <class D>
  static auto derivative_from_rate(const Eigen::ArrayBase<D>& r) {
    using S = typename D::Scalar;
    return (r > S(0)).template cast<S>();  // r > 0 ⇔ x > 0
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
/// f′(x) = σ(x) = 1 / (1 + e^{−x}); f″ = σ(1 − σ) ≤ 1/4. No `derivative_from_rate` (see the file
/// comment): its states are stored by backward passes.
struct softplus {
  static constexpr std::string_view name = "softplus";
  static constexpr bool is_odd = false;
  static constexpr bool is_smooth = true;
  static constexpr double max_abs_second_derivative = 0.25;

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

/// f(x) = x (identity), f′ = 1, f″ = 0. A linear network: its fixed point for a constant input is
/// the solution of one linear system, (I − W_rec) x = W_in u + b. Also the identity readout.
struct linear {
  static constexpr std::string_view name = "linear";
  static constexpr bool is_odd = true;
  static constexpr bool is_smooth = true;
  static constexpr double max_abs_second_derivative = 0.0;

  template <class D>
  static auto value(const Eigen::ArrayBase<D>& x) {
    return x.derived();
  }
  template <class D, class E>
  static auto derivative(const Eigen::ArrayBase<D>& x, const Eigen::ArrayBase<E>& /*fx*/) {
    using S = typename D::Scalar;
    return Eigen::Array<S, D::RowsAtCompileTime, D::ColsAtCompileTime>::Ones(x.rows(), x.cols());
  }
  template <class D>
  static auto derivative_from_rate(const Eigen::ArrayBase<D>& r) {
    using S = typename D::Scalar;
    return Eigen::Array<S, D::RowsAtCompileTime, D::ColsAtCompileTime>::Ones(r.rows(), r.cols());
  }
  template <std::floating_point S>
  static void value_array(const S* x, S* out, Eigen::Index n) {
    if (x != out)
      for (Eigen::Index i = 0; i < n; ++i) out[i] = x[i];
  }
  template <std::floating_point S>
  static S value(S x) {
    return x;
  }
  template <std::floating_point S>
  static S derivative(S /*x*/) {
    return S(1);
  }
};

/// Every shipped activation, in the order of `activation_names`: the one name ↔ type table.
/// Adding an activation = one struct above and one entry here.
using all_activations = std::tuple<tanh, one_plus_tanh, relu, softplus, linear>;

}  // namespace rnnlab::activations

namespace rnnlab {

/// The names of every shipped activation ("tanh", "one_plus_tanh", "relu", "softplus", "linear").
inline constexpr auto activation_names = []<class... F>(std::tuple<F...>*) {
  return std::array<std::string_view, sizeof...(F)>{F::name...};
}(static_cast<activations::all_activations*>(nullptr));

/// The valid names as one comma-separated string (for messages and help texts).
inline std::string activation_names_text() {
  std::string s;
  for (std::string_view n : activation_names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

namespace detail {

/// out[i] = f(x[i]), i < n: F's `value_array` fast path when it has one, Eigen's own array
/// function (vectorised for float) otherwise. x == out allowed.
template <class F, class Scalar>
void apply_activation(const Scalar* x, Scalar* out, Eigen::Index n) {
  if constexpr (requires { F::value_array(x, out, n); }) {
    F::value_array(x, out, n);
  } else {
    using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    Eigen::Map<array>(out, n) = F::value(Eigen::Map<const array>(x, n));
  }
}

/// Whether F gives f′ from the rate alone (its optional `derivative_from_rate` trait).
template <class F>
inline constexpr bool has_derivative_from_rate = requires(const Eigen::ArrayXd& r) { F::derivative_from_rate(r); };

/// f′(x) as an expression of the state x (unused when the rate suffices) and the rate r = f(x).
template <class F, class DX, class DR>
auto rate_derivative([[maybe_unused]] const Eigen::ArrayBase<DX>& x, const Eigen::ArrayBase<DR>& r) {
  if constexpr (has_derivative_from_rate<F>)
    return F::derivative_from_rate(r);
  else
    return F::derivative(x, r);
}

template <std::size_t I, class Fn>
decltype(auto) visit_activation_at(std::size_t index, Fn& fn) {
  using table = activations::all_activations;
  if constexpr (I + 1 < std::tuple_size_v<table>) {
    if (index != I) return visit_activation_at<I + 1>(index, fn);
  }
  return fn(std::tuple_element_t<I, table>{});
}
}  // namespace detail

/// Calls fn(F{}) for the shipped activation F whose name is `name` and returns what fn returns
/// (every instantiation must return the same type); throws argument_error naming the valid
/// names otherwise, before calling fn.
template <class Fn>
decltype(auto) visit_activation(std::string_view name, Fn&& fn) {
  std::size_t index = activation_names.size();
  for (std::size_t i = 0; i < activation_names.size(); ++i)
    if (activation_names[i] == name) index = i;
  require(index < activation_names.size(), "rnnlab::visit_activation", "name", "one of " + activation_names_text(),
          "'" + std::string(name) + "'");
  return detail::visit_activation_at<0>(index, fn);
}

}  // namespace rnnlab
