#pragma once
/// \file analysis/similarity/cca.hpp
/// Canonical correlation analysis (Hotelling 1936) between two activity matrices recorded on the
/// same inputs: X (n_x × m) and Y (n_y × m), rows = units, columns = the same samples.
///
/// The canonical correlations ρ₁ ≥ ρ₂ ≥ … are the singular values of Σxx^{-1/2} Σxy Σyy^{-1/2}
/// (covariances of the centred data). With the factorisation of analysis/similarity/pca.hpp,
/// X_c = U_x S_x W_x and Y_c = U_y S_y W_y with orthonormal rows W, this is exactly
///
///     ρ = singular values of  M = W_x W_yᵀ            (K_x × K_y, whatever m is)
///
/// so a pair costs one K_x × K_y × m product and a small SVD.
///
/// ε-regularisation (the reference convention, google/svcca `get_cca_similarity`, used by the paper's
/// code with ε = 1e-10; reference_code_spec §1.10): each covariance is divided by its largest absolute
/// entry c (Σxy by √(c_x c_y)), directions whose normalised variance is below ε are dropped, and ε·I is
/// added before the inverse square root. Because ε·I is rotation invariant this equals, exactly,
///
///     ρ = singular values of  D_x M D_y,   D = diag(r_k / √(r_k² + ε)),   r_k² = s_k² / c,
///
/// ε = 0 (rnnlab's default for `cca`) is the exact CCA. For the SVD-reduced data of SVCCA (diagonal
/// covariance) c = s₁² and the reference's dropping of small-variance directions is exactly "keep the
/// components with r_k² ≥ ε", which analysis/similarity/svcca.hpp does. For raw activity (`cca`) c is the largest
/// unit variance and the reference drops *units* whose variance is below ε·c; rnnlab drops no unit
/// but ignores components below the rank tolerance of pca_params — identical unless a unit has a
/// normalised variance below ε while the data are still of full rank. Correlations are clamped to
/// [0, 1] against rounding.

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <string_view>

#include <rnnlab/analysis/similarity/detail/activity_checks.hpp>
#include <rnnlab/analysis/similarity/pca.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// Numerical outcome of a similarity computation.
enum class similarity_status {
  ok,                    ///< the value is meaningful
  decomposition_failed,  ///< an eigen-decomposition or SVD failed; the value is NaN
  undefined,             ///< the estimator is undefined for this input (e.g. debiased CKA with ≤ 0 self-HSIC); NaN
};

/// The names of similarity_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<similarity_status, std::string_view>, 3> enum_names(similarity_status) {
  return {{{similarity_status::ok, "ok"},
           {similarity_status::decomposition_failed, "decomposition_failed"},
           {similarity_status::undefined, "undefined"}}};
}

/// Parameters of `cca`.
struct cca_params {
  double epsilon = 0.0;          ///< the reference's covariance regulariser ε (0 = exact CCA; reference 1e-10)
  double rank_tolerance = 1e-6;  ///< components with s_k < tol · s₁ are numerically zero (pca_params)

  void validate(std::string_view fn = "rnnlab::cca_params::validate") const {
    require(epsilon >= 0.0 && epsilon < 1.0, fn, "epsilon", "a value in [0, 1)", epsilon);
    require(rank_tolerance >= 0.0 && rank_tolerance < 1.0, fn, "rank_tolerance", "a value in [0, 1)",
            rank_tolerance);
  }
  /// google/svcca's `get_cca_similarity` default: ε = 1e-10.
  static cca_params reference_code() { return {1e-10, 1e-6}; }
};

/// Result of `cca`.
struct cca_result {
  similarity_status status = similarity_status::ok;
  Eigen::VectorXd correlations;  ///< min(K_x, K_y) canonical correlations, descending, in [0, 1]
  Index rank_x = 0;              ///< components of X used
  Index rank_y = 0;              ///< components of Y used
  double mean() const { return correlations.size() ? correlations.mean() : std::nan(""); }
  double max() const { return correlations.size() ? correlations.maxCoeff() : std::nan(""); }
};

/// Canonical correlations of X (n_x × m) and Y (n_y × m). Throws shape_error if the sample counts
/// differ or a matrix has no more samples than units; argument_error for non-finite or constant data.
template <class DX, class DY>
cca_result cca(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y, const cca_params& params = {});

// ---------------------------------------------------------------------------------------------

namespace detail {

/// Gains d_k = r_k / √(r_k² + ε) with r_k² = s_k² / scale_sq, for the prefix of components with
/// r_k² ≥ ε if `drop_small` (s is descending, so the kept ones are a prefix). ε = 0 gives all ones.
inline Eigen::VectorXd whitening_gains(const Eigen::VectorXd& s, double scale_sq, double epsilon,
                                       bool drop_small = true) {
  Index kept = 0;
  while (kept < s.size() && s(kept) > 0.0 && (!drop_small || s(kept) * s(kept) / scale_sq >= epsilon)) ++kept;
  Eigen::VectorXd d(kept);
  for (Index k = 0; k < kept; ++k) {
    const double r2 = s(k) * s(k) / scale_sq;
    d(k) = epsilon == 0.0 ? 1.0 : std::sqrt(r2 / (r2 + epsilon));
  }
  return d;
}

/// Canonical correlations (and optionally the singular vectors) of diag(dx) M diag(dy), M = W_x W_yᵀ
/// restricted to the kept components.
struct canonical_svd {
  bool ok = true;
  Eigen::VectorXd rho;
  Eigen::MatrixXd A;  // kx × r left singular vectors (only if requested)
  Eigen::MatrixXd B;  // ky × r right singular vectors
};

/// ρ from the eigenvalues ρ² of the smaller Gram matrix of T = diag(dx) M diag(dy), in matrices of
/// type `Work` (a fixed-capacity type keeps the many small pairs of a population off the heap).
/// False if the solver fails or some ρ < 1e-4 (then the caller uses the SVD; see below).
template <class Work, class DM>
bool canonical_values(const Eigen::MatrixBase<DM>& M, const Eigen::VectorXd& dx, const Eigen::VectorXd& dy,
                      Eigen::VectorXd& rho) {
  const Index kx = dx.size(), ky = dy.size();
  const Work T = dx.asDiagonal() * M.topLeftCorner(kx, ky) * dy.asDiagonal();
  Work Gm;
  if (kx <= ky)
    Gm.noalias() = T * T.transpose();
  else
    Gm.noalias() = T.transpose() * T;
  Eigen::SelfAdjointEigenSolver<Work> eig(Gm, Eigen::EigenvaluesOnly);
  if (eig.info() != Eigen::Success || !(eig.eigenvalues().minCoeff() >= 1e-8)) return false;
  rho = eig.eigenvalues().reverse().cwiseSqrt().cwiseMin(1.0);
  return true;
}

template <class DM>
canonical_svd canonical_correlations(const Eigen::MatrixBase<DM>& M, const Eigen::VectorXd& dx,
                                     const Eigen::VectorXd& dy, bool vectors) {
  const Index kx = dx.size(), ky = dy.size();
  canonical_svd out;
  if (!vectors && kx > 0 && ky > 0) {
    // Values only (the mean and max summaries, every pair of a population): the eigenvalues ρ² of the
    // smaller Gram matrix, 3–4× cheaper than a Jacobi SVD. Their absolute error is ~1e-16, so ρ is
    // accurate to ~1e-16/ρ; when some ρ < 1e-4 (error could exceed 5e-13) fall back to the SVD.
    constexpr int small = 24;
    using small_matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, small, small>;
    const bool done = kx <= small && ky <= small ? canonical_values<small_matrix>(M, dx, dy, out.rho)
                                                 : canonical_values<Eigen::MatrixXd>(M, dx, dy, out.rho);
    if (done) {
      out.ok = out.rho.allFinite();
      return out;
    }
  }
  const Eigen::MatrixXd T = dx.asDiagonal() * M.topLeftCorner(kx, ky) * dy.asDiagonal();
  // JacobiSVD is the accurate choice for these small (K ≲ 50) matrices; it has no failure mode,
  // but a non-finite input would propagate, so check.
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(T, vectors ? (Eigen::ComputeThinU | Eigen::ComputeThinV) : 0);
  out.rho = svd.singularValues().cwiseMax(0.0).cwiseMin(1.0);
  out.ok = out.rho.allFinite();
  if (vectors) {
    out.A = svd.matrixU();
    out.B = svd.matrixV();
  }
  return out;
}

}  // namespace detail

template <class DX, class DY>
cca_result cca(const Eigen::MatrixBase<DX>& X_in, const Eigen::MatrixBase<DY>& Y_in, const cca_params& params) {
  constexpr std::string_view fn = "rnnlab::cca";
  params.validate(fn);
  const Eigen::Ref<const Eigen::MatrixXd> X = X_in.template cast<double>(), Y = Y_in.template cast<double>();
  detail::require_activity_pair(X, Y, fn, true);
  const pca_params p{1.0, params.rank_tolerance, 0};
  const activity_factor fx = detail::factor_activity_named(X, p, fn, "X");
  const activity_factor fy = detail::factor_activity_named(Y, p, fn, "Y");
  const Eigen::VectorXd dx = detail::whitening_gains(fx.singular_values, fx.max_unit_variance, params.epsilon, false);
  const Eigen::VectorXd dy = detail::whitening_gains(fy.singular_values, fy.max_unit_variance, params.epsilon, false);
  const Eigen::MatrixXd M = fx.basis.topRows(dx.size()) * fy.basis.topRows(dy.size()).transpose();
  const auto c = detail::canonical_correlations(M, dx, dy, false);
  cca_result r;
  r.rank_x = dx.size();
  r.rank_y = dy.size();
  r.correlations = c.rho;
  if (!c.ok) r.status = similarity_status::decomposition_failed;
  return r;
}

}  // namespace rnnlab
