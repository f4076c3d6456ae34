#pragma once
/// \file analysis/dynamics/detail/fp_system.hpp
/// Internals of the CTRNN fixed-point system: curvature bounds of the activations (for the
/// certified Newton convergence ball), oddness, a spectral-norm bound and message helpers. (The
/// dense LU and Cholesky of the solver live in kernels/dense_lu.hpp.)

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rnnlab/core/activations.hpp>


namespace rnnlab::detail {

template <class F>
concept fp_has_curvature_bound = requires {
  { F::max_abs_second_derivative } -> std::convertible_to<double>;
};

/// sup |f″| of an activation, or +∞ when unknown or when f′ is discontinuous (ReLU).
/// tanh″(x) = −2 tanh(x) sech²(x) reaches 4 / (3√3) at tanh² = 1/3; softplus″ = σ(1 − σ) ≤ 1/4.
/// A user-defined activation may declare `static constexpr double max_abs_second_derivative`.
template <class F>
constexpr double fp_max_abs_second_derivative() {
  if constexpr (fp_has_curvature_bound<F>)
    return static_cast<double>(F::max_abs_second_derivative);
  else if constexpr (std::is_same_v<F, activations::tanh> || std::is_same_v<F, activations::one_plus_tanh>)
    return 0.76980035891950104;  // 4 / (3 √3)
  else if constexpr (std::is_same_v<F, activations::softplus>)
    return 0.25;
  else
    return std::numeric_limits<double>::infinity();
}

template <class F>
concept fp_declares_odd = requires {
  { F::is_odd } -> std::convertible_to<bool>;
};

/// Whether f is odd, f(−x) = −f(x), exactly in floating point: tanh (std::tanh and the vectorised
/// tanh both copy the sign), or a user activation declaring `static constexpr bool is_odd = true`.
/// Then F(−x) = −F(x) whenever the drive W_in u + b is zero, and the roots are symmetric.
template <class F>
constexpr bool fp_is_odd() {
  if constexpr (fp_declares_odd<F>)
    return static_cast<bool>(F::is_odd);
  else
    return std::is_same_v<F, activations::tanh>;
}

/// An upper bound on the spectral norm ‖A‖₂: the largest eigenvalue of AᵀA from a symmetric
/// eigensolver (backward stable), inflated by a relative 1e-10 to cover its rounding.
inline double fp_spectral_norm_upper(const Eigen::MatrixXd& A) {
  if (A.size() == 0) return 0.0;
  const Eigen::MatrixXd G = A.transpose() * A;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(G, Eigen::EigenvaluesOnly);
  const double lmax = es.eigenvalues().maxCoeff();
  return std::sqrt(std::max(lmax, 0.0)) * (1.0 + 1e-10) + 1e-300;
}

/// "(r, c)", built by appending: GCC 12 at -O3 reports a false -Wrestrict on
/// "(" + std::to_string(...) chains once inlined (GCC PR 105651).
inline std::string fp_shape(Eigen::Index r, Eigen::Index c) {
  std::string s("(");
  s += std::to_string(r);
  s += ", ";
  s += std::to_string(c);
  s += ')';
  return s;
}

/// prefix + std::to_string(n) + suffix, built by appending (see fp_shape).
inline std::string fp_text(std::string_view prefix, Eigen::Index n, std::string_view suffix = {}) {
  std::string s(prefix);
  s += std::to_string(n);
  s += suffix;
  return s;
}

}  // namespace rnnlab::detail
