// Minimal models of the analysis concepts (analysis/concepts.hpp): what a user writes to analyse
// another network with the fixed-point solver, or to compare networks under another metric.
#pragma once
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string_view>

#include <rnnlab/analysis/concepts.hpp>
#include <rnnlab/error.hpp>

namespace rnnlab::test {

/// `FixedPointSystem` archetype: the vanilla rate RNN of FORCE and of the IBL task's network,
/// h ↦ tanh(W h + c), whose fixed points are the roots of
///
///     F(h) = tanh(W h + c) − h,     J_F(h) = diag(1 − tanh²(W h + c)) W − I.
///
/// Only the required expressions: no normal equations (the solver forms JᵀJ from J).
struct rate_rnn_system {
  Eigen::MatrixXd W;
  Eigen::VectorXd c;

  Index n_units() const { return W.rows(); }
  /// F(h) into Fx; the cache is tanh(W h + c).
  void evaluate(const Eigen::VectorXd& h, Eigen::VectorXd& cache, Eigen::VectorXd& Fx) const {
    cache.noalias() = W * h;
    for (Index i = 0; i < cache.size(); ++i) cache(i) = std::tanh(cache(i) + c(i));  // std::tanh is odd exactly
    Fx = cache - h;
  }
  void jacobian_from_cache(const Eigen::VectorXd&, const Eigen::VectorXd& cache, Eigen::Ref<Eigen::MatrixXd> J) const {
    J = (1.0 - cache.array().square()).matrix().asDiagonal() * W;
    J.diagonal().array() -= 1.0;
  }
  Eigen::VectorXd residual(const Eigen::VectorXd& h) const {
    Eigen::VectorXd cache(h.size()), Fx(h.size());
    evaluate(h, cache, Fx);
    return Fx;
  }
  /// J_F(x) − J_F(y) = (D(x) − D(y)) W with |tanh″| ≤ 4/(3√3), so ‖ΔJ‖₂ ≤ 4/(3√3) ‖W‖₂² ‖x − y‖;
  /// ‖W‖_F bounds ‖W‖₂.
  double jacobian_lipschitz() const { return 0.76980035891950104 * W.squaredNorm(); }
  /// tanh is odd: F(−h) = −F(h) exactly when c = 0.
  bool is_odd() const { return (c.array() == 0.0).all(); }
};

/// `SimilarityMetric` archetype: 1 − linear CKA computed from the samples' Gram matrices, with no
/// factorisation shared with the library's metrics (factor: the centred Gram matrix K = X_cᵀX_c
/// scaled to unit Frobenius norm; distance: 1 − ⟨K_a, K_b⟩_F). It has none of the built-in
/// metrics' fast-path members, so distance_matrix runs it through the generic path.
struct gram_cka_metric {
  using factor_type = Eigen::MatrixXd;

  Eigen::MatrixXd factor(const Eigen::MatrixXd& X) const {
    constexpr std::string_view fn = "rnnlab::test::gram_cka_metric::factor";
    require_shape(X.cols() >= 2, fn, "X", "at least 2 samples", X.cols());
    require(X.allFinite(), fn, "X", "finite values", "NaN or infinity");
    const Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean();
    Eigen::MatrixXd K = Xc.transpose() * Xc;
    const double norm = K.norm();
    require(norm > 0.0, fn, "X", "activity that is not constant", "constant activity");
    return K / norm;
  }
  double distance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const {
    return std::max(0.0, 1.0 - (a.array() * b.array()).sum());
  }
};

static_assert(FixedPointSystem<rate_rnn_system>);
static_assert(SimilarityMetric<gram_cka_metric>);

}  // namespace rnnlab::test
