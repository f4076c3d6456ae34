#pragma once
/// \file analysis/similarity/pca.hpp
/// Principal component analysis of an activity matrix, and the one-off factorisation every
/// similarity metric of this module starts from.
///
/// Activity X is units × samples (n × m, one row per unit, one column per time step and condition).
/// With the unit means removed, X_c = X − x̄ 1ᵀ = U S Vᵀ (thin SVD, s₁ ≥ s₂ ≥ … ≥ 0). The explained
/// variance of component k is s_k² / Σ s², and the principal components kept are the smallest K with
///
///     Σ_{k ≤ K} s_k²  /  Σ_k s_k²   ≥   variance_threshold          (0.95 in McMahan et al. 2021 §2.5)
///
/// The reduced data of SVCCA (Raghu et al. 2017; reference_code_spec §1.10) is diag(s_{1..K}) V_Kᵀ
/// (K × m). rnnlab stores it as the orthonormal basis W = V_Kᵀ plus the singular values, because every
/// metric of the module (CCA, SVCCA, CKA, Procrustes) of a pair then needs only W_x W_yᵀ (K_x × K_y).
///
/// Computation: the n × n Gram matrix X_c X_cᵀ = U S² Uᵀ is eigen-decomposed (n ≪ m, so this is one
/// n² m pass over the data instead of an m × n SVD), W = S_K⁻¹ U_Kᵀ X_c, and W is re-orthonormalised
/// (Löwdin, W ← (W Wᵀ)^{-1/2} W) when rounding has left it more than 1e-12 away from orthonormal.
/// Components with s_k < rank_tolerance · s₁ are numerically zero (the Gram eigenvalues carry an
/// absolute error of about n·ε·s₁², so such directions are rounding noise).

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <string_view>

#include <rnnlab/analysis/similarity/detail/activity_checks.hpp>
#include <rnnlab/kernels/cross_products.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// Parameters of `pca` and `factor_activity`.
struct pca_params {
  /// Keep the smallest K whose components explain at least this fraction of the variance, in (0, 1];
  /// 1 keeps every numerically non-zero component.
  double variance_threshold = 0.95;
  /// Singular values below rank_tolerance · s₁ count as zero, in [0, 1).
  double rank_tolerance = 1e-6;
  /// Upper bound on K (0 = none).
  Index max_components = 0;

  void validate(std::string_view fn = "rnnlab::pca_params::validate") const {
    require(variance_threshold > 0.0 && variance_threshold <= 1.0, fn, "variance_threshold", "a value in (0, 1]",
            variance_threshold);
    require(rank_tolerance >= 0.0 && rank_tolerance < 1.0, fn, "rank_tolerance", "a value in [0, 1)",
            rank_tolerance);
    require(max_components >= 0, fn, "max_components", ">= 0 (0 = no limit)", max_components);
  }
};

/// A network's activity factored once: X_c ≈ U_K diag(s_K) W with orthonormal rows W (K × m).
struct activity_factor {
  Index n_units = 0;
  Index n_samples = 0;
  Eigen::VectorXd mean;              ///< unit means x̄ (n)
  Eigen::VectorXd singular_values;   ///< s_1 … s_K kept (descending)
  Eigen::MatrixXd loadings;          ///< U_K: unit-space principal axes (n × K, orthonormal columns)
  Eigen::MatrixXd basis;             ///< W = V_Kᵀ (K × m, orthonormal rows)
  double total_variance = 0.0;       ///< Σ over all components of s_k² (= ‖X_c‖_F²)
  double max_unit_variance = 0.0;    ///< max_i ‖row i of X_c‖² (the reference CCA's scale for raw data)
  Index rank = 0;                    ///< numerically non-zero components
  Index n_components() const noexcept { return singular_values.size(); }
};

/// Status of a PCA (the eigen-solver of the Gram matrix is the only thing that can fail).
enum class pca_status { ok, decomposition_failed };

/// The names of pca_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<pca_status, std::string_view>, 2> enum_names(pca_status) {
  return {{{pca_status::ok, "ok"},
           {pca_status::decomposition_failed, "decomposition_failed"}}};
}

/// Result of `pca`.
struct pca_result {
  pca_status status = pca_status::ok;
  Eigen::VectorXd mean;                      ///< unit means (n)
  Eigen::VectorXd singular_values;           ///< all n singular values of X_c, descending
  Eigen::VectorXd explained_variance_ratio;  ///< s_k² / Σ s² for all n components
  Eigen::MatrixXd components;                ///< principal axes in unit space, n × K
  Eigen::MatrixXd scores;                    ///< reduced data diag(s_K) V_Kᵀ, K × m
  Index n_components = 0;                    ///< K
  Index rank = 0;                            ///< numerically non-zero components
};

/// Factors an activity matrix (units × samples) for similarity work. Throws shape_error /
/// argument_error for too few samples, non-finite values or constant activity.
template <class D>
activity_factor factor_activity(const Eigen::MatrixBase<D>& X, const pca_params& params = {});

/// PCA of an activity matrix (units × samples) with an explained-variance threshold.
template <class D>
pca_result pca(const Eigen::MatrixBase<D>& X, const pca_params& params = {});

// ---------------------------------------------------------------------------------------------

namespace detail {

/// Everything pca() and factor_activity() share: the eigen-decomposition of the centred Gram matrix.
/// The centred activity X_c is never stored: the Gram kernel centres the values while packing them
/// (the same doubles a centred copy would hold), and the callers centre blocks of samples as they
/// need them. At P = 200 networks a stored copy was 3 MB written and read again per network, on
/// fresh pages every time.
struct gram_decomposition {
  bool ok = true;
  Eigen::VectorXd mean;
  Eigen::VectorXd s;      // all n singular values, descending
  Eigen::MatrixXd U;      // matching eigenvectors (columns)
  double total = 0.0;
  double max_unit_variance = 0.0;
  Index rank = 0;
};

/// One pass over X for the unit means and the largest magnitude; a NaN or an infinity makes a sum
/// non-finite, and only then is the data searched for it (require_finite names the entry).
inline void unit_means(const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::VectorXd& mean, double& scale,
                       std::string_view fn, std::string_view arg) {
  const Index n = X.rows(), m = X.cols();
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(n);
  Eigen::ArrayXd magnitude = Eigen::ArrayXd::Zero(n);
  for (Index s = 0; s < m; ++s) {
    sum += X.col(s);
    magnitude = magnitude.max(X.col(s).array().abs());
  }
  if (!sum.allFinite()) {
    require_finite(X, fn, arg);
    throw argument_error(argument_message(fn, arg, "values whose unit sums are finite", "sums that overflow"));
  }
  mean = sum / static_cast<double>(m);
  scale = magnitude.maxCoeff();
}

inline gram_decomposition decompose_gram(const Eigen::Ref<const Eigen::MatrixXd>& X, const pca_params& p,
                                         std::string_view fn, std::string_view arg) {
  p.validate(fn);
  require_activity_shape(X, fn, arg);
  gram_decomposition g;
  const Index n = X.rows(), m = X.cols();
  double scale = 0.0;
  unit_means(X, g.mean, scale, fn, arg);
  // The Gram matrix of the centred rows, lower triangle, by the packed kernel of
  // kernels/cross_products.hpp (Eigen's rankUpdate runs at ~10 GFLOP/s on 50 × 7,500).
  Eigen::MatrixXd G(n, n);
  const row_block rows{X.data(), X.outerStride(), n, g.mean.data()};
  cross_products<cross::narrow_tile>(std::span<const row_block>(&rows, 1), std::span<const row_block>(&rows, 1), m,
                                     G.data(), n, true);
  // Constant activity (up to rounding): the centred values are zero relative to the data's magnitude.
  const double rms = std::sqrt(G.diagonal().sum() / static_cast<double>(n * m));
  require_not_constant(rms > 1e-13 * scale ? rms : 0.0, fn, arg);
  g.max_unit_variance = G.diagonal().maxCoeff();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(G.selfadjointView<Eigen::Lower>());
  g.s = Eigen::VectorXd::Zero(n);
  g.U = Eigen::MatrixXd::Identity(n, n);
  if (eig.info() != Eigen::Success) {
    g.ok = false;
    return g;
  }
  // Eigen returns ascending eigenvalues; rounding can make the smallest slightly negative.
  for (Index k = 0; k < n; ++k) {
    g.s(k) = std::sqrt(std::max(0.0, eig.eigenvalues()(n - 1 - k)));
    g.U.col(k) = eig.eigenvectors().col(n - 1 - k);
  }
  g.total = g.s.squaredNorm();
  g.rank = 0;
  while (g.rank < n && g.s(g.rank) > p.rank_tolerance * g.s(0)) ++g.rank;
  return g;
}

/// out = L (X − mean 1ᵀ) for a K × n matrix L, a block of samples at a time: each centred block is
/// formed in a small buffer that stays in cache, never the whole centred matrix.
/// `out` must be L.rows() × X.cols().
inline void project_centred(const Eigen::MatrixXd& L, const Eigen::Ref<const Eigen::MatrixXd>& X,
                            const Eigen::VectorXd& mean, Eigen::Ref<Eigen::MatrixXd> out) {
  constexpr Index block = 256;
  const Index n = X.rows(), m = X.cols();
  Eigen::MatrixXd buffer(n, std::min(block, m));
  for (Index s0 = 0; s0 < m; s0 += block) {
    const Index k = std::min(block, m - s0);
    buffer.leftCols(k) = X.middleCols(s0, k).colwise() - mean;
    out.middleCols(s0, k).noalias() = L * buffer.leftCols(k);
  }
}

/// The smallest K reaching the variance threshold, capped by the rank and max_components.
inline Index components_for(const Eigen::VectorXd& s, Index rank, const pca_params& p) {
  Index K = rank;
  if (p.variance_threshold < 1.0) {
    const double total = s.squaredNorm();
    double cum = 0.0;
    for (Index k = 0; k < rank; ++k) {
      cum += s(k) * s(k);
      if (cum / total >= p.variance_threshold) {
        K = k + 1;
        break;
      }
    }
  }
  if (p.max_components > 0) K = std::min(K, p.max_components);
  return std::max<Index>(K, 1);
}

/// Makes the rows of W orthonormal (Löwdin) if rounding has left them visibly not so.
inline void reorthonormalize_rows(Eigen::Ref<Eigen::MatrixXd> W) {
  const Index K = W.rows();
  Eigen::MatrixXd C(K, K);
  cross_products<cross::narrow_tile>(W.data(), W.outerStride(), K, W.data(), W.outerStride(), K, W.cols(), C.data(), K,
                                     true);
  C.triangularView<Eigen::StrictlyUpper>() = C.transpose();
  if ((C - Eigen::MatrixXd::Identity(K, K)).cwiseAbs().maxCoeff() <= 1e-12) return;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(C);
  const Eigen::VectorXd inv_sqrt = eig.eigenvalues().cwiseMax(1e-300).cwiseSqrt().cwiseInverse();
  const Eigen::MatrixXd T = eig.eigenvectors() * inv_sqrt.asDiagonal() * eig.eigenvectors().transpose();
  W = (T * W).eval();
}

/// The first half of factor_activity: everything but the basis (which is left empty). Errors carry
/// the given function and argument names (distance_matrix names the network: "activities[i]").
inline activity_factor factor_head(const Eigen::Ref<const Eigen::MatrixXd>& X, const pca_params& params,
                                   std::string_view fn, std::string_view arg) {
  auto g = decompose_gram(X, params, fn, arg);
  activity_factor f;
  f.n_units = X.rows();
  f.n_samples = X.cols();
  f.mean = std::move(g.mean);
  f.total_variance = g.total;
  f.max_unit_variance = g.max_unit_variance;
  f.rank = g.rank;
  if (!g.ok || g.rank == 0)  // cannot happen for non-constant data unless the solver failed
    throw error(concat(fn, ": the eigen-decomposition of the Gram matrix of ", arg, " failed"));
  const Index K = components_for(g.s, g.rank, params);
  f.singular_values = g.s.head(K);
  f.loadings = g.U.leftCols(K);
  return f;
}

/// The second half: the orthonormal basis W = S_K⁻¹ U_Kᵀ X_c of a factor_head result, written
/// into `W` (K × m; the caller owns the storage, so that a population's bases can share one
/// allocation).
inline void factor_basis(const Eigen::Ref<const Eigen::MatrixXd>& X, const activity_factor& f,
                         Eigen::Ref<Eigen::MatrixXd> W) {
  const Eigen::MatrixXd L = f.singular_values.cwiseInverse().asDiagonal() * f.loadings.transpose();
  project_centred(L, X, f.mean, W);
  reorthonormalize_rows(W);
}

/// factor_activity with named errors.
inline activity_factor factor_activity_named(const Eigen::Ref<const Eigen::MatrixXd>& X, const pca_params& params,
                                             std::string_view fn, std::string_view arg) {
  activity_factor f = factor_head(X, params, fn, arg);
  f.basis.resize(f.n_components(), X.cols());
  factor_basis(X, f, f.basis);
  return f;
}

}  // namespace detail

template <class D>
activity_factor factor_activity(const Eigen::MatrixBase<D>& X, const pca_params& params) {
  // Evaluate an expression argument once (coefficient access on a product expression would
  // recompute the product for every entry); a double matrix binds without a copy.
  const Eigen::Ref<const Eigen::MatrixXd> Xd = X.template cast<double>();
  return detail::factor_activity_named(Xd, params, "rnnlab::factor_activity", "X");
}

template <class D>
pca_result pca(const Eigen::MatrixBase<D>& X_in, const pca_params& params) {
  const Eigen::Ref<const Eigen::MatrixXd> X = X_in.template cast<double>();
  auto g = detail::decompose_gram(X, params, "rnnlab::pca", "X");
  pca_result r;
  r.mean = g.mean;
  r.singular_values = g.s;
  r.rank = g.rank;
  if (!g.ok) {
    r.status = pca_status::decomposition_failed;
    return r;
  }
  r.explained_variance_ratio = g.s.array().square() / g.total;
  r.n_components = detail::components_for(g.s, g.rank, params);
  r.components = g.U.leftCols(r.n_components);
  r.scores.resize(r.n_components, X.cols());
  detail::project_centred(r.components.transpose(), X, g.mean, r.scores);
  return r;
}

}  // namespace rnnlab
