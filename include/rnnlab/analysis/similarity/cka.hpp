#pragma once
/// \file analysis/similarity/cka.hpp
/// Linear centred kernel alignment (Kornblith et al., ICML 2019) between activity matrices X (n_x × m)
/// and Y (n_y × m) recorded on the same samples. With centred units X_c, Y_c:
///
///     CKA(X, Y) = ‖X_c Y_cᵀ‖_F² / (‖X_c X_cᵀ‖_F ‖Y_c Y_cᵀ‖_F)          ∈ [0, 1]
///
/// (HSIC with linear kernels K = X_cᵀX_c, L = Y_cᵀY_c, normalised). It is invariant to orthogonal
/// transforms and isotropic scaling of either side, not to general invertible maps (unlike CCA).
///
/// Debiased CKA (Song et al., JMLR 2012 unbiased HSIC; used for CKA by Kornblith et al. and
/// Davari et al., ICLR 2023) replaces each HSIC by the unbiased estimator, with K̃ = K − diag(K):
///
///     HSIC_u(K, L) = [tr(K̃L̃) + (1ᵀK̃1)(1ᵀL̃1)/((m−1)(m−2)) − 2/(m−2)·1ᵀK̃L̃1] / (m(m−3))
///
/// computed in feature space without forming m × m kernels. As in Kornblith et al.'s feature-space
/// code the units are centred first, so K1 = 0 and, with k = diag(K), l = diag(L):
/// tr(K̃L̃) = ‖X_cY_cᵀ‖_F² − k·l, 1ᵀK̃1 = −Σk, 1ᵀK̃L̃1 = k·l. Needs m ≥ 4; if a self-HSIC_u is ≤ 0 the
/// value is undefined (status `undefined`).

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/detail/activity_checks.hpp>

namespace rnnlab {

/// Parameters of `cka`.
struct cka_params {
  bool debiased = false;  ///< the unbiased-HSIC (debiased) form instead of the plain one

  void validate(std::string_view = "rnnlab::cka_params::validate") const {}
};

/// Result of `cka`.
struct cka_result {
  similarity_status status = similarity_status::ok;
  double similarity = std::nan("");  ///< CKA in [0, 1] (debiased: may be slightly negative)
  std::string reason;                ///< why, when status is not ok (empty otherwise)
  double distance() const { return 1.0 - similarity; }
};

/// Linear CKA of X and Y (units × samples, same samples). Throws like `cca` on degenerate input.
template <class DX, class DY>
cka_result cka(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y, const cka_params& params = {});

// ---------------------------------------------------------------------------------------------

namespace detail {

/// Unbiased HSIC of centred features from the pieces named in the header comment.
inline double hsic_unbiased(double cross_fro2, double kl, double sum_k, double sum_l, double m) {
  return (cross_fro2 - kl + sum_k * sum_l / ((m - 1.0) * (m - 2.0)) - 2.0 * kl / (m - 2.0)) / (m * (m - 3.0));
}

/// CKA from ‖X_cY_cᵀ‖², ‖X_cX_cᵀ‖², ‖Y_cY_cᵀ‖² and (for the debiased form) the per-sample squared
/// norms k, l of the centred activity.
inline cka_result cka_from_parts(double xy2, double xx2, double yy2, const Eigen::VectorXd* k,
                                 const Eigen::VectorXd* l, bool debiased, double m) {
  cka_result r;
  if (!debiased) {
    r.similarity = xy2 / std::sqrt(xx2 * yy2);
  } else {
    const double kl = k->dot(*l), kk = k->squaredNorm(), ll = l->squaredNorm();
    const double sk = k->sum(), sl = l->sum();
    const double hxy = hsic_unbiased(xy2, kl, sk, sl, m);
    const double hxx = hsic_unbiased(xx2, kk, sk, sk, m);
    const double hyy = hsic_unbiased(yy2, ll, sl, sl, m);
    // The debiased HSIC is a difference of terms that can cancel (exactly 0 for a kernel with equal
    // diagonal and equal off-diagonal entries, e.g. one unit per sample): a self-HSIC is judged
    // against the size of its terms, not against 0, or rounding residue would pass as a value.
    const auto cancelled = [m](double h, double fro2, double kk2, double s) {
      const double scale = (std::abs(fro2) + std::abs(kk2) + s * s / ((m - 1.0) * (m - 2.0)) +
                            2.0 * std::abs(kk2) / (m - 2.0)) / std::abs(m * (m - 3.0));
      return !(h > 16.0 * m * std::numeric_limits<double>::epsilon() * scale);
    };
    const bool bad_x = cancelled(hxx, xx2, kk, sk), bad_y = cancelled(hyy, yy2, ll, sl);
    if (bad_x || bad_y) {
      r.status = similarity_status::undefined;
      r.reason = concat("debiased CKA is undefined: the debiased self-HSIC of ", bad_x ? "X" : "Y", " (",
                        bad_x ? hxx : hyy, ") is not positive beyond the rounding of the terms that cancel in it");
      return r;
    }
    r.similarity = hxy / std::sqrt(hxx * hyy);
  }
  if (!std::isfinite(r.similarity)) {
    r.status = similarity_status::decomposition_failed;
    r.reason = "a non-finite value in the CKA ratio";
  }
  return r;
}

}  // namespace detail

template <class DX, class DY>
cka_result cka(const Eigen::MatrixBase<DX>& X_in, const Eigen::MatrixBase<DY>& Y_in, const cka_params& params) {
  constexpr std::string_view fn = "rnnlab::cka";
  params.validate(fn);
  const Eigen::Ref<const Eigen::MatrixXd> X = X_in.template cast<double>(), Y = Y_in.template cast<double>();
  detail::require_activity_pair(X, Y, fn, false);
  require_shape(X.cols() >= 4, fn, "X", "at least 4 samples", X.cols());
  const Eigen::MatrixXd Xc = X.template cast<double>().colwise() - X.template cast<double>().rowwise().mean();
  const Eigen::MatrixXd Yc = Y.template cast<double>().colwise() - Y.template cast<double>().rowwise().mean();
  const double sx = X.template cast<double>().cwiseAbs().maxCoeff(), sy = Y.template cast<double>().cwiseAbs().maxCoeff();
  detail::require_not_constant(Xc.cwiseAbs().maxCoeff() > 1e-13 * sx ? 1.0 : 0.0, fn, "X");
  detail::require_not_constant(Yc.cwiseAbs().maxCoeff() > 1e-13 * sy ? 1.0 : 0.0, fn, "Y");
  const double xy2 = (Xc * Yc.transpose()).squaredNorm();
  const double xx2 = (Xc * Xc.transpose()).squaredNorm();
  const double yy2 = (Yc * Yc.transpose()).squaredNorm();
  if (!params.debiased) return detail::cka_from_parts(xy2, xx2, yy2, nullptr, nullptr, false, 0.0);
  const Eigen::VectorXd k = Xc.colwise().squaredNorm().transpose();
  const Eigen::VectorXd l = Yc.colwise().squaredNorm().transpose();
  return detail::cka_from_parts(xy2, xx2, yy2, &k, &l, true, static_cast<double>(X.cols()));
}

}  // namespace rnnlab
