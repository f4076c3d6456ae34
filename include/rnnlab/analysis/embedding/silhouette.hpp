#pragma once
/// \file analysis/embedding/silhouette.hpp
/// The silhouette score of a clustering (Rousseeuw, J. Comput. Appl. Math. 1987), used by
/// McMahan et al. 2021 (§2.6, Fig. 2c) to score how well the learning rule separates networks.
/// For sample i in cluster C_i, with d the distance used:
///
///     a(i) = mean_{j ∈ C_i, j ≠ i} d(i, j),   b(i) = min_{C ≠ C_i} mean_{j ∈ C} d(i, j),
///     s(i) = (b(i) − a(i)) / max(a(i), b(i))   (0 if |C_i| = 1 or a = b = 0),   score = mean_i s(i)
///
/// Two conventions for a distance matrix D (both in the literature, and they disagree):
///   - `precomputed`: d(i, j) = D_ij, the distance the matrix holds (the paper's text). The diagonal
///     is never used (self-distances are 0 by definition, whatever D_ii holds);
///   - `rows_as_features` (the reference code, sklearn's default Euclidean metric applied to the
///     distance matrix; reference_code_spec §1.10): each network is represented by its row of
///     distances, d(i, j) = ‖D_i· − D_j·‖₂, diagonal entries included as given.
/// On the authors' own matrix the two differ by up to 0.07 (docs/analysis.md).
///
/// The permutation test shuffles the labels (Fisher–Yates with the caller's generator) and reports
/// p = (1 + #{s_perm ≥ s_obs}) / (1 + n_permutations), the add-one estimate that is never 0.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include <rnnlab/analysis/embedding/detail/distance_checks.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// Which distance between samples the silhouette uses (see the file comment).
enum class silhouette_metric { precomputed, rows_as_features };

/// The names of silhouette_metric (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<silhouette_metric, std::string_view>, 2> enum_names(silhouette_metric) {
  return {{{silhouette_metric::precomputed, "precomputed"},
           {silhouette_metric::rows_as_features, "rows_as_features"}}};
}

/// Parameters of `silhouette`.
struct silhouette_params {
  silhouette_metric metric = silhouette_metric::precomputed;
};

/// Result of `silhouette`.
struct silhouette_result {
  double score = 0.0;               ///< mean of the per-sample values
  Eigen::VectorXd samples;          ///< s(i)
  std::vector<int> clusters;        ///< label values, sorted
  std::vector<double> cluster_scores;  ///< mean s(i) within each cluster (same order)
};

/// Parameters of `silhouette_permutation_test`.
struct silhouette_permutation_params {
  silhouette_metric metric = silhouette_metric::precomputed;
  Index n_permutations = 1000;

  void validate(std::string_view fn = "rnnlab::silhouette_permutation_params::validate") const {
    require(n_permutations >= 1, fn, "n_permutations", ">= 1", n_permutations);
  }
};

/// Result of `silhouette_permutation_test`.
struct silhouette_permutation_result {
  double observed = 0.0;     ///< the score with the true labels
  double p_value = 1.0;      ///< (1 + n_at_least) / (1 + n_permutations)
  Index n_permutations = 0;
  Index n_at_least = 0;      ///< permutations scoring ≥ observed
  double null_mean = 0.0;    ///< mean score under shuffled labels
  double null_std = 0.0;     ///< its standard deviation
};

/// Euclidean distances between the rows of D: the reference code's `rows_as_features` distance.
template <class D>
Eigen::MatrixXd row_distances(const Eigen::MatrixBase<D>& Dm);

/// The silhouette score of `labels` (one per row of the distance matrix; any integer values, at
/// least 2 and at most n − 1 distinct ones). Throws on a non-square, non-symmetric, negative or
/// non-finite matrix.
template <class D>
silhouette_result silhouette(const Eigen::MatrixBase<D>& distances, std::span<const int> labels,
                             const silhouette_params& params = {});

/// A permutation test of the silhouette score: the p-value of the observed score under shuffled labels.
template <class D, class G>
silhouette_permutation_result silhouette_permutation_test(const Eigen::MatrixBase<D>& distances,
                                                          std::span<const int> labels,
                                                          const silhouette_permutation_params& params, G& g);

// ---------------------------------------------------------------------------------------------

template <class D>
Eigen::MatrixXd row_distances(const Eigen::MatrixBase<D>& Dm) {
  const Eigen::MatrixXd A = Dm.template cast<double>();
  const Eigen::VectorXd sq = A.rowwise().squaredNorm();
  Eigen::MatrixXd G = A * A.transpose();
  Eigen::MatrixXd R(A.rows(), A.rows());
  for (Index j = 0; j < A.rows(); ++j) {
    for (Index i = 0; i < A.rows(); ++i) R(i, j) = std::sqrt(std::max(0.0, sq(i) + sq(j) - 2.0 * G(i, j)));
    R(j, j) = 0.0;
  }
  // The Gram form loses accuracy for near-identical rows; recompute those few directly.
  for (Index j = 0; j < A.rows(); ++j)
    for (Index i = 0; i < j; ++i) {
      if (R(i, j) * R(i, j) < 1e-8 * (sq(i) + sq(j))) R(i, j) = (A.row(i) - A.row(j)).norm();
      R(j, i) = R(i, j);
    }
  return R;
}

namespace detail {

/// Silhouette values from a checked distance matrix (diagonal ignored) and label codes.
inline silhouette_result silhouette_codes(const Eigen::MatrixXd& Dm, const std::vector<Index>& code,
                                          const std::vector<Index>& size) {
  const Index n = Dm.rows(), C = static_cast<Index>(size.size());
  Eigen::MatrixXd onehot = Eigen::MatrixXd::Zero(n, C);
  for (Index i = 0; i < n; ++i) onehot(i, code[static_cast<std::size_t>(i)]) = 1.0;
  const Eigen::MatrixXd S = Dm * onehot;  // S(i, c) = Σ_{j ∈ c} D_ij
  silhouette_result r;
  r.samples.resize(n);
  for (Index i = 0; i < n; ++i) {
    const Index ci = code[static_cast<std::size_t>(i)];
    const Index ni = size[static_cast<std::size_t>(ci)];
    if (ni <= 1) {
      r.samples(i) = 0.0;
      continue;
    }
    const double a = (S(i, ci) - Dm(i, i)) / static_cast<double>(ni - 1);
    double b = std::numeric_limits<double>::infinity();
    for (Index c = 0; c < C; ++c)
      if (c != ci) b = std::min(b, S(i, c) / static_cast<double>(size[static_cast<std::size_t>(c)]));
    const double denom = std::max(a, b);
    r.samples(i) = denom > 0.0 ? (b - a) / denom : 0.0;
  }
  r.score = r.samples.mean();
  r.cluster_scores.assign(static_cast<std::size_t>(C), 0.0);
  for (Index i = 0; i < n; ++i) r.cluster_scores[static_cast<std::size_t>(code[static_cast<std::size_t>(i)])] += r.samples(i);
  for (Index c = 0; c < C; ++c)
    r.cluster_scores[static_cast<std::size_t>(c)] /= static_cast<double>(size[static_cast<std::size_t>(c)]);
  return r;
}

/// The distance the metric asks for, with the diagonal zeroed (it is never used).
template <class D>
Eigen::MatrixXd silhouette_distances(const Eigen::MatrixBase<D>& Dm, silhouette_metric metric) {
  Eigen::MatrixXd out = metric == silhouette_metric::precomputed ? Eigen::MatrixXd(Dm.template cast<double>())
                                                                 : row_distances(Dm);
  out.diagonal().setZero();
  return out;
}

}  // namespace detail

template <class D>
silhouette_result silhouette(const Eigen::MatrixBase<D>& distances_in, std::span<const int> labels,
                             const silhouette_params& params) {
  constexpr std::string_view fn = "rnnlab::silhouette";
  const Eigen::Ref<const Eigen::MatrixXd> distances = distances_in.template cast<double>();
  detail::require_distance_matrix(distances, fn, "distances",
                                  std::numeric_limits<typename D::Scalar>::epsilon());
  const auto codes = detail::encode_labels(labels, distances.rows(), fn);
  auto r = detail::silhouette_codes(detail::silhouette_distances(distances, params.metric), codes.code, codes.size);
  r.clusters = codes.value;
  return r;
}

template <class D, class G>
silhouette_permutation_result silhouette_permutation_test(const Eigen::MatrixBase<D>& distances_in,
                                                          std::span<const int> labels,
                                                          const silhouette_permutation_params& params, G& g) {
  constexpr std::string_view fn = "rnnlab::silhouette_permutation_test";
  const Eigen::Ref<const Eigen::MatrixXd> distances = distances_in.template cast<double>();
  params.validate(fn);
  detail::require_distance_matrix(distances, fn, "distances",
                                  std::numeric_limits<typename D::Scalar>::epsilon());
  const auto codes = detail::encode_labels(labels, distances.rows(), fn);
  const Eigen::MatrixXd Dm = detail::silhouette_distances(distances, params.metric);  // labels do not change it
  silhouette_permutation_result r;
  r.observed = detail::silhouette_codes(Dm, codes.code, codes.size).score;
  r.n_permutations = params.n_permutations;
  std::vector<Index> perm = codes.code;
  double sum = 0.0, sum2 = 0.0;
  for (Index k = 0; k < params.n_permutations; ++k) {
    for (std::size_t i = perm.size() - 1; i > 0; --i)
      std::swap(perm[i], perm[static_cast<std::size_t>(uniform_index(g, i + 1))]);
    const double s = detail::silhouette_codes(Dm, perm, codes.size).score;
    sum += s;
    sum2 += s * s;
    if (s >= r.observed) ++r.n_at_least;
  }
  const double np = static_cast<double>(params.n_permutations);
  r.null_mean = sum / np;
  r.null_std = std::sqrt(std::max(0.0, sum2 / np - r.null_mean * r.null_mean));
  r.p_value = (1.0 + static_cast<double>(r.n_at_least)) / (1.0 + np);
  return r;
}

}  // namespace rnnlab
