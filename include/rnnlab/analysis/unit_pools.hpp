#pragma once
/// \file analysis/unit_pools.hpp
/// Unit pools from activity correlations (Schaeffer et al. 2020, Sec. 3.4, Fig. 9b–c;
/// reference_code_spec 2.4 "Unit clustering"):
///
///     C = Pearson correlation of the units' activity (N × N)
///     D_ij = ‖C_i· − C_j·‖₂            (Euclidean distance between rows of C, as the reference)
///     complete-linkage agglomerative clustering of D; flat clusters = subtrees whose merge height
///     is ≤ cut = 0.5 · max D (scipy's fcluster with the 'distance' criterion)
///
/// The unit order is the dendrogram's leaf order (each cluster contiguous); W_rec reordered by it
/// shows self-excitation within and mutual inhibition between pools (Fig. 9c). Ties in the linkage
/// are broken by the lowest cluster index, and the earlier-formed child goes left, so the order is
/// deterministic.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// The result of `unit_pools_from_correlation` / `unit_pools`.
struct unit_pools_result {
  Eigen::MatrixXd correlation;  ///< C (N × N)
  Eigen::MatrixXd distance;     ///< D (N × N)
  std::vector<Index> order;     ///< dendrogram leaf order of the units
  std::vector<int> cluster;     ///< flat cluster of each unit (0-based, numbered in `order`)
  int n_clusters = 0;
  double cut = 0;               ///< 0.5 · max D
  std::vector<double> heights;  ///< the N − 1 merge heights, in merge order
};

/// Clusters units given their correlation matrix C (N × N, symmetric, finite). Throws shape_error
/// for a non-square or empty C, argument_error for non-finite or asymmetric entries.
inline unit_pools_result unit_pools_from_correlation(const Eigen::MatrixXd& C) {
  constexpr std::string_view fn = "rnnlab::unit_pools_from_correlation";
  require_shape(C.rows() == C.cols() && C.rows() > 0, fn, "C", "a non-empty square matrix",
                detail::concat(C.rows(), " × ", C.cols()));
  require(C.allFinite(), fn, "C", "finite values", "NaN or infinity");
  require((C - C.transpose()).cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, C.cwiseAbs().maxCoeff()), fn, "C",
          "a symmetric matrix", "an asymmetric one");
  const Index N = C.rows();
  unit_pools_result r;
  r.correlation = C;
  r.distance.resize(N, N);
  for (Index i = 0; i < N; ++i)
    for (Index j = 0; j < N; ++j) r.distance(i, j) = (C.row(i) - C.row(j)).norm();
  r.cut = 0.5 * r.distance.maxCoeff();

  // Naive complete linkage (N³, N ≈ 50): clusters 0..N−1 are the units, N.. the merges.
  const Index n_nodes = 2 * N - 1;
  std::vector<Index> left(static_cast<std::size_t>(n_nodes), -1), right(left);
  std::vector<double> height(static_cast<std::size_t>(n_nodes), 0.0);
  std::vector<Index> active(static_cast<std::size_t>(N));
  for (Index i = 0; i < N; ++i) active[static_cast<std::size_t>(i)] = i;
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(n_nodes, n_nodes);
  D.topLeftCorner(N, N) = r.distance;
  for (Index next = N; next < n_nodes; ++next) {
    std::size_t ba = 0, bb = 1;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t a = 0; a < active.size(); ++a)
      for (std::size_t b = a + 1; b < active.size(); ++b)
        if (D(active[a], active[b]) < best) {
          best = D(active[a], active[b]);
          ba = a;
          bb = b;
        }
    const Index ca = active[ba], cb = active[bb];
    left[static_cast<std::size_t>(next)] = std::min(ca, cb);
    right[static_cast<std::size_t>(next)] = std::max(ca, cb);
    height[static_cast<std::size_t>(next)] = best;
    r.heights.push_back(best);
    for (Index o : active) D(next, o) = D(o, next) = std::max(D(ca, o), D(cb, o));
    active.erase(active.begin() + static_cast<std::ptrdiff_t>(bb));
    active.erase(active.begin() + static_cast<std::ptrdiff_t>(ba));
    active.push_back(next);
  }

  // Leaf order and flat clusters by a depth-first walk from the root.
  r.cluster.assign(static_cast<std::size_t>(N), -1);
  int label = -1;
  std::vector<std::pair<Index, bool>> stack{{n_nodes - 1, false}};  // (node, inside a kept subtree)
  while (!stack.empty()) {
    auto [node, inside] = stack.back();
    stack.pop_back();
    const bool starts = !inside && height[static_cast<std::size_t>(node)] <= r.cut;
    if (starts) ++label;
    if (node < N) {
      r.order.push_back(node);
      r.cluster[static_cast<std::size_t>(node)] = label;
      continue;
    }
    stack.push_back({right[static_cast<std::size_t>(node)], inside || starts});
    stack.push_back({left[static_cast<std::size_t>(node)], inside || starts});
  }
  r.n_clusters = label + 1;
  return r;
}

/// Unit pools from activity H (N × T, units × steps): C = Pearson correlation of the rows.
/// Throws for fewer than 2 steps, non-finite values, or a unit with constant activity (its
/// correlation is undefined).
template <class DH>
unit_pools_result unit_pools(const Eigen::MatrixBase<DH>& H_in) {
  constexpr std::string_view fn = "rnnlab::unit_pools";
  const Eigen::MatrixXd H = H_in.template cast<double>();
  require_shape(H.rows() > 0 && H.cols() >= 2, fn, "H", "N × T with T >= 2", detail::concat(H.rows(), " × ", H.cols()));
  require(H.allFinite(), fn, "H", "finite values", "NaN or infinity");
  Eigen::MatrixXd Hc = H.colwise() - H.rowwise().mean();
  for (Index i = 0; i < H.rows(); ++i) {
    const double n = Hc.row(i).norm();
    require(n > 0, fn, "H", "units with varying activity", detail::concat("unit ", i, " constant"));
    Hc.row(i) /= n;
  }
  Eigen::MatrixXd C = Hc * Hc.transpose();
  C = 0.5 * (C + C.transpose()).eval();
  return unit_pools_from_correlation(C);
}

/// W (N × N) with rows and columns permuted by `order`: out(i, j) = W(order[i], order[j]).
inline Eigen::MatrixXd reorder_units(const Eigen::MatrixXd& W, const std::vector<Index>& order) {
  constexpr std::string_view fn = "rnnlab::reorder_units";
  require_shape(W.rows() == W.cols() && static_cast<Index>(order.size()) == W.rows(), fn, "order",
                detail::concat(W.rows(), " indices"), order.size());
  std::vector<char> seen(order.size(), 0);
  for (Index k : order) {
    require(k >= 0 && k < W.rows() && !seen[static_cast<std::size_t>(k)], fn, "order", "a permutation", k);
    seen[static_cast<std::size_t>(k)] = 1;
  }
  Eigen::MatrixXd out(W.rows(), W.cols());
  for (Index i = 0; i < W.rows(); ++i)
    for (Index j = 0; j < W.cols(); ++j)
      out(i, j) = W(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  return out;
}

}  // namespace rnnlab
