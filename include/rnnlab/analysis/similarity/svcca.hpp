#pragma once
/// \file analysis/similarity/svcca.hpp
/// Singular vector canonical correlation analysis (SVCCA; Raghu et al., NeurIPS 2017), as used by
/// McMahan et al. 2021 (§2.5) and as their published code computes it (reference_code_spec §1.10):
///
///  1. centre each unit; SVD; keep, separately per network, the smallest K with Σ_{k≤K} s_k² / Σ s² ≥ 0.95;
///     the reduced data is diag(s_{1..K}) V_Kᵀ (K × m);
///  2. CCA of the two reduced data sets with ε-regularised, max-normalised covariances (ε = 1e-10;
///     see analysis/similarity/cca.hpp — for reduced data the scale is s₁², so D = diag(r_k/√(r_k²+ε)), r_k = s_k/s₁);
///  3. a summary of the min(K_x, K_y) canonical correlations ρ_i:
///       - `mean` (the reference code, `cca_coef1`; rnnlab's default): ρ̄ = (1/r) Σ ρ_i,
///       - `max` (what the paper's text says): ρ₁ — nearly 1 for any two networks driven by the
///         same inputs, so a poor distance,
///       - `pwcca` (projection-weighted CCA, Morcos et al., NeurIPS 2018): Σ α_i ρ_i with
///         α_i ∝ Σ_j |⟨h_i, x_j⟩|, h_i the unit-norm canonical variate i of X in sample space and x_j
///         the centred activity of unit j of X (so α_i = Σ_j |(U_K S_K A)_{j i}|, A the left singular
///         vectors of the CCA matrix). PWCCA is not symmetric: pwcca(X, Y) weights by X.
///
/// The distance is 1 − similarity. Unlike the reference code (distance diagonal ≈ 1e-9), the
/// population matrices of analysis/similarity/distance_matrix.hpp have an exact zero diagonal.

#include <Eigen/Core>

#include <cmath>
#include <string_view>

#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/pca.hpp>

namespace rnnlab {

/// How the canonical correlations are summarised into one similarity.
enum class svcca_summary { mean, max, pwcca };

/// The names of svcca_summary (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<svcca_summary, std::string_view>, 3> enum_names(svcca_summary) {
  return {{{svcca_summary::mean, "mean"},
           {svcca_summary::max, "max"},
           {svcca_summary::pwcca, "pwcca"}}};
}

/// Parameters of `svcca`. The defaults are the reference code's conventions.
struct svcca_params {
  double variance_threshold = 0.95;  ///< fraction of Σ s² kept per network, in (0, 1]
  double epsilon = 1e-10;            ///< CCA regulariser (reference 1e-10; 0 = exact CCA of the reduced data)
  svcca_summary summary = svcca_summary::mean;
  double rank_tolerance = 1e-6;      ///< see pca_params

  void validate(std::string_view fn = "rnnlab::svcca_params::validate") const {
    pca_params{variance_threshold, rank_tolerance, 0}.validate(fn);
    require(epsilon >= 0.0 && epsilon < 1.0, fn, "epsilon", "a value in [0, 1)", epsilon);
  }
  pca_params reduction() const { return {variance_threshold, rank_tolerance, 0}; }

  /// McMahan et al.'s code: 95 %, ε = 1e-10, mean correlation.
  static svcca_params reference_code() { return {}; }
  /// McMahan et al.'s text: "the maximum correlation".
  static svcca_params paper_text() { return {0.95, 1e-10, svcca_summary::max, 1e-6}; }
};

/// Result of `svcca`.
struct svcca_result {
  similarity_status status = similarity_status::ok;
  double similarity = std::nan("");  ///< the summary of the correlations (NaN only with a non-ok status)
  Eigen::VectorXd correlations;      ///< min(K_x, K_y) canonical correlations, descending
  Eigen::VectorXd weights;           ///< PWCCA weights α (sum 1), only for svcca_summary::pwcca
  Index k_x = 0;                     ///< components kept for X
  Index k_y = 0;                     ///< components kept for Y
  double distance() const { return 1.0 - similarity; }
};

/// SVCCA of two activity matrices recorded on the same inputs (units × samples).
template <class DX, class DY>
svcca_result svcca(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y, const svcca_params& params = {});

/// SVCCA from two factorisations made with `factor_activity(X, params.reduction())` (to compare many
/// networks, factor each once). The factors' sample counts must agree.
svcca_result svcca(const activity_factor& fx, const activity_factor& fy, const svcca_params& params = {});

// ---------------------------------------------------------------------------------------------

namespace detail {

/// PWCCA weights of the side with loadings U_K S_K and canonical directions A (normalised to sum 1).
inline Eigen::VectorXd pwcca_weights(const activity_factor& f, const Eigen::MatrixXd& A) {
  const Index k = A.rows();
  const Eigen::MatrixXd proj =
      f.loadings.leftCols(k) * f.singular_values.head(k).asDiagonal() * A;  // n × r: ⟨h_i, x_j⟩
  Eigen::VectorXd w = proj.cwiseAbs().colwise().sum().transpose();
  return w / w.sum();
}

/// The summary of one pair given M = W_x W_yᵀ over the kept components (K_x × K_y or larger).
template <class DM>
svcca_result svcca_from_product(const Eigen::MatrixBase<DM>& M, const activity_factor& fx,
                                const activity_factor& fy, const svcca_params& p) {
  const Eigen::VectorXd dx = whitening_gains(fx.singular_values, fx.singular_values(0) * fx.singular_values(0), p.epsilon);
  const Eigen::VectorXd dy = whitening_gains(fy.singular_values, fy.singular_values(0) * fy.singular_values(0), p.epsilon);
  const bool pw = p.summary == svcca_summary::pwcca;
  const auto c = canonical_correlations(M, dx, dy, pw);
  svcca_result r;
  r.k_x = dx.size();
  r.k_y = dy.size();
  r.correlations = c.rho;
  if (!c.ok) {
    r.status = similarity_status::decomposition_failed;
    return r;
  }
  switch (p.summary) {
    case svcca_summary::mean: r.similarity = c.rho.mean(); break;
    case svcca_summary::max: r.similarity = c.rho.maxCoeff(); break;
    case svcca_summary::pwcca:
      r.weights = pwcca_weights(fx, c.A);
      r.similarity = r.weights.dot(c.rho);
      break;
  }
  return r;
}

}  // namespace detail

template <class DX, class DY>
svcca_result svcca(const Eigen::MatrixBase<DX>& X_in, const Eigen::MatrixBase<DY>& Y_in, const svcca_params& params) {
  constexpr std::string_view fn = "rnnlab::svcca";
  params.validate(fn);
  const Eigen::Ref<const Eigen::MatrixXd> X = X_in.template cast<double>(), Y = Y_in.template cast<double>();
  detail::require_activity_pair(X, Y, fn, true);
  return svcca(detail::factor_activity_named(X, params.reduction(), fn, "X"),
               detail::factor_activity_named(Y, params.reduction(), fn, "Y"), params);
}

inline svcca_result svcca(const activity_factor& fx, const activity_factor& fy, const svcca_params& params) {
  constexpr std::string_view fn = "rnnlab::svcca";
  params.validate(fn);
  require_shape(fx.n_samples == fy.n_samples, fn, "fy", detail::concat("a factor of ", fx.n_samples, " samples (fx's)"),
                fy.n_samples);
  require(fx.n_components() > 0 && fy.n_components() > 0, fn, "fx, fy", "factors from factor_activity",
          "an empty factor");
  const Eigen::MatrixXd M = fx.basis * fy.basis.transpose();
  return detail::svcca_from_product(M, fx, fy, params);
}

}  // namespace rnnlab
