#pragma once
/// \file analysis/similarity/procrustes.hpp
/// The Procrustes shape metrics of Williams, Kunz, Kornblith & Linderman ("Generalized shape metrics
/// on neural representations", NeurIPS 2021), α = 1 (no whitening). Each representation is centred
/// and scaled to unit Frobenius norm, X̃ = X_c / ‖X_c‖_F; units are compared up to any orthogonal
/// transform (networks with different unit counts are implicitly zero-padded). With
/// ν = max_Q tr(X̃ᵀ Q Ỹ) = ‖X̃ Ỹᵀ‖_* (the nuclear norm, ∈ [0, 1]):
///
///     angular distance      θ(X, Y) = arccos ν                ∈ [0, π/2]   (a metric on shapes)
///     Euclidean distance    d(X, Y) = min_Q ‖X̃ − QỸ‖_F = √(2 − 2ν)
///
/// Both satisfy the triangle inequality, and are 0 exactly when Y is a rotated/reflected (and
/// rescaled, shifted) copy of X.
///
/// Accuracy near 0: arccos is ill-conditioned at 1 (a rounding error ε in ν moves θ by √(2ε), about
/// 2·10⁻⁸ in double), so θ is not taken from ν there. The optimal alignment Q = UVᵀ (from the SVD of
/// X̃Ỹᵀ, zero-padded to a square) is formed and the residual d = ‖X̃ − QỸ‖_F computed directly, on
/// each representation's numerical row space (its PCA factor, singular values above 1e-6 of the
/// largest, as distance_matrix uses), then θ = 2 asin(d/2): absolute error of order ε·(units), not √ε, so a network against an exact copy is at
/// 0 and a pair at θ = 10⁻⁹ is resolved (tests/analysis/similarity/procrustes.test.cpp). The population
/// matrix (distance_matrix.hpp) uses the same residual for pairs with 1 − ν < 10⁻⁴ and equals this
/// function to 1e-10 everywhere.

#include <Eigen/Core>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <string_view>

#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/detail/activity_checks.hpp>

namespace rnnlab {

/// Result of `procrustes`.
struct procrustes_result {
  similarity_status status = similarity_status::ok;
  double similarity = std::nan("");  ///< ν = ‖X̃Ỹᵀ‖_* ∈ [0, 1] (cos θ)
  double angle = std::nan("");       ///< θ = arccos ν, radians (the angular shape metric)
  double euclidean = std::nan("");   ///< √(2 − 2ν)
  double distance() const { return angle; }
};

/// The Procrustes shape metrics between X and Y (units × samples, same samples).
template <class DX, class DY>
procrustes_result procrustes(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y);

// ---------------------------------------------------------------------------------------------

namespace detail {

inline procrustes_result procrustes_from_nuclear(double nu) {
  procrustes_result r;
  if (!std::isfinite(nu)) {
    r.status = similarity_status::decomposition_failed;
    return r;
  }
  r.similarity = std::clamp(nu, 0.0, 1.0);
  r.angle = std::acos(r.similarity);
  r.euclidean = std::sqrt(2.0 - 2.0 * r.similarity);
  return r;
}

/// Procrustes distances of A (k_a × m) and B (k_b × m), each already centred and scaled to unit
/// Frobenius norm (rows: units or components; columns: the same m samples), through the alignment
/// residual: the smaller is zero-padded to k = max(k_a, k_b) rows, Q = UVᵀ from the full SVD of
/// A Bᵀ (k × k), d = ‖A − QB‖_F, θ = 2 asin(d/2), ν = cos θ. Accurate near θ = 0, where
/// `procrustes_from_nuclear` loses half the digits.
inline procrustes_result procrustes_from_residual(const Eigen::Ref<const Eigen::MatrixXd>& A,
                                                   const Eigen::Ref<const Eigen::MatrixXd>& B) {
  const Eigen::Index k = std::max(A.rows(), B.rows());
  Eigen::MatrixXd Ap = Eigen::MatrixXd::Zero(k, A.cols()), Bp = Eigen::MatrixXd::Zero(k, B.cols());
  Ap.topRows(A.rows()) = A;
  Bp.topRows(B.rows()) = B;
  const Eigen::MatrixXd C = Ap * Bp.transpose();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(C, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::MatrixXd Q = svd.matrixU() * svd.matrixV().transpose();
  const double d = (Ap - Q * Bp).norm();
  procrustes_result r;
  if (!std::isfinite(d)) {
    r.status = similarity_status::decomposition_failed;
    return r;
  }
  r.euclidean = std::min(d, std::sqrt(2.0));
  r.angle = 2.0 * std::asin(r.euclidean / 2.0);
  r.similarity = std::cos(r.angle);
  return r;
}

/// Below this 1 − ν the angle comes from the alignment residual instead of arccos ν (an error ε in ν
/// then moves arccos by at most ε/√(2·10⁻⁴) ≈ 70ε).
inline constexpr double procrustes_residual_below = 1e-4;

}  // namespace detail

template <class DX, class DY>
procrustes_result procrustes(const Eigen::MatrixBase<DX>& X_in, const Eigen::MatrixBase<DY>& Y_in) {
  constexpr std::string_view fn = "rnnlab::procrustes";
  const Eigen::Ref<const Eigen::MatrixXd> X = X_in.template cast<double>(), Y = Y_in.template cast<double>();
  detail::require_activity_pair(X, Y, fn, false);
  const Eigen::MatrixXd Xc = X.template cast<double>().colwise() - X.template cast<double>().rowwise().mean();
  const Eigen::MatrixXd Yc = Y.template cast<double>().colwise() - Y.template cast<double>().rowwise().mean();
  const double nx = Xc.norm(), ny = Yc.norm();
  const double sx = X.template cast<double>().cwiseAbs().maxCoeff(), sy = Y.template cast<double>().cwiseAbs().maxCoeff();
  detail::require_not_constant(Xc.cwiseAbs().maxCoeff() > 1e-13 * sx ? nx : 0.0, fn, "X");
  detail::require_not_constant(Yc.cwiseAbs().maxCoeff() > 1e-13 * sy ? ny : 0.0, fn, "Y");
  const Eigen::MatrixXd C = (Xc * Yc.transpose()) / (nx * ny);
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(C);
  const procrustes_result r = detail::procrustes_from_nuclear(svd.singularValues().sum());
  if (r.status != similarity_status::ok || 1.0 - r.similarity >= detail::procrustes_residual_below) return r;
  // Near 0: align the numerical row spaces, diag(s)W/‖s‖ of each factor (components below 1e-6 of the
  // largest singular value count as zero, as in distance_matrix's procrustes_metric). Aligning the raw
  // n-unit representations would let components at the rounding floor of X̃Ỹᵀ (≈ 1e-8 of ‖X̃‖, e.g.
  // duplicated units) leave residue of that size; the factors also make this the matrix path's value.
  const pca_params reduced{1.0, 1e-6, 0};
  const activity_factor fx = factor_activity(X, reduced), fy = factor_activity(Y, reduced);
  return detail::procrustes_from_residual((fx.singular_values / fx.singular_values.norm()).asDiagonal() * fx.basis,
                                          (fy.singular_values / fy.singular_values.norm()).asDiagonal() * fy.basis);
}

}  // namespace rnnlab
