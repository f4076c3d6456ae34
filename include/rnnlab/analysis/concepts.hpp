#pragma once
/// \file analysis/concepts.hpp
/// Contracts of the analysis module (valid-expression tables in docs/concepts.md):
///
///  - `FixedPointSystem`: a map x ↦ F(x) on ℝᴺ whose roots the fixed-point solver finds
///    (analysis/dynamics/fixed_point_solver.hpp, driven by `find_fixed_points`). The CTRNN's
///    `fixed_point_system<F>` (F(x) = α(−x + W f(x) + c)) is one model; a FORCE network with
///    output feedback or the IBL task's vanilla tanh RNN with biases (F(x) = tanh(Wx + c) − x) is
///    another, written by its user in one small class.
///  - `SimilarityMetric`: a distance between two networks' activity on the same samples, made of a
///    per-network `factor` (done once per network) and a per-pair `distance` between factors, so
///    that a P × P matrix (`distance_matrix`) costs P factorisations and P(P − 1)/2 cheap compares.

#include <Eigen/Core>

#include <concepts>
#include <utility>

#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// A system F: ℝᴺ → ℝᴺ (double) with an analytic Jacobian, whose roots are fixed points.
///
/// `s.evaluate(x, cache, Fx)` writes F(x) into Fx and into `cache` (length n_units) whatever the
/// Jacobian at x needs (for a CTRNN the rates f(x)); it must not allocate (the solver's hot path).
/// `s.jacobian_from_cache(x, cache, J)` writes J_F(x) (N × N) given the cache of the same x.
/// `s.residual(x)` returns F(x) (convenience, not on the hot path). `s.jacobian_lipschitz()` is an
/// L with ‖J_F(x) − J_F(y)‖₂ ≤ L‖x − y‖ everywhere, or +∞ when unknown (it sizes the certified
/// Newton balls; +∞ disables capture, never correctness). `s.is_odd()` is true only when
/// F(−x) = −F(x) exactly in floating point (the solver then adds the mirror of every root).
///
/// Optional (detected): `s.normal_equations_from_cache(x, cache, Fx, JtJ, JtF, scratch)` writes
/// JᵀJ and JᵀF without forming J (the CTRNN does it in O(N²) from a Gram matrix it keeps); without
/// it the solver forms J and the products itself (O(N³) per Levenberg–Marquardt step).
template <class S>
concept FixedPointSystem = requires(const S& s, const Eigen::VectorXd& x, Eigen::VectorXd& cache,
                                    Eigen::VectorXd& Fx, Eigen::Ref<Eigen::MatrixXd> J) {
  { s.n_units() } -> std::convertible_to<Index>;
  s.evaluate(x, cache, Fx);
  s.jacobian_from_cache(x, std::as_const(cache), J);
  { s.residual(x) } -> std::convertible_to<Eigen::VectorXd>;
  { s.jacobian_lipschitz() } -> std::convertible_to<double>;
  { s.is_odd() } -> std::convertible_to<bool>;
};

/// A distance between two networks' activity matrices (units × samples, the same samples; unit
/// counts may differ), factored per network.
///
/// `M::factor_type` is what is kept per network; `m.factor(X)` makes it from an activity matrix
/// (checking the metric's own preconditions on X and throwing `rnnlab::error` subclasses naming the
/// function and the argument); `m.distance(a, b)` compares two factors: a finite value ≥ 0, 0 for
/// a network against itself, symmetric in a and b, NaN where the metric is undefined (a failed
/// decomposition). `distance_matrix(activities, m)` computes all pairs from P factorisations.
template <class M>
concept SimilarityMetric = requires(const M& m, const Eigen::MatrixXd& X, const typename M::factor_type& f) {
  typename M::factor_type;
  { m.factor(X) } -> std::convertible_to<typename M::factor_type>;
  { m.distance(f, f) } -> std::convertible_to<double>;
};

}  // namespace rnnlab
