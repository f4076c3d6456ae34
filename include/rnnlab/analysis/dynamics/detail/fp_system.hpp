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

/// sup |f″| of an activation (its `max_abs_second_derivative` trait), or +∞ when f′ jumps (a
/// non-smooth activation such as ReLU: no curvature bound, no Newton-ball capture).
template <class F>
constexpr double fp_max_abs_second_derivative() {
  if constexpr (F::is_smooth)
    return static_cast<double>(F::max_abs_second_derivative);
  else
    return std::numeric_limits<double>::infinity();
}

/// Whether f is odd, f(−x) = −f(x), exactly in floating point (the activation's `is_odd` trait:
/// tanh, linear). Then F(−x) = −F(x) whenever the drive W_in u + b is zero, and the roots are
/// symmetric.
template <class F>
constexpr bool fp_is_odd() {
  return static_cast<bool>(F::is_odd);
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
