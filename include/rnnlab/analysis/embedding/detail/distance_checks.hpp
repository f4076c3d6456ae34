#pragma once
/// \file analysis/embedding/detail/distance_checks.hpp
/// Checks on distance matrices and cluster labels shared by MDS and the silhouette score.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <span>
#include <string_view>
#include <vector>

#include <rnnlab/error.hpp>

namespace rnnlab::detail {

/// The relative asymmetry |D(i, j) − D(j, i)| / max D accepted for a matrix stored with machine
/// epsilon `stored_epsilon`: 1e-9 (float64 data written by other tools) or 16 ε of the stored type,
/// whichever is larger (float32: 1.9e-6). A float32 matrix symmetric to its own precision passes.
inline double distance_symmetry_tolerance(double stored_epsilon) { return std::max(1e-9, 16.0 * stored_epsilon); }

/// Square, finite, non-negative and symmetric (to `distance_symmetry_tolerance(stored_epsilon)` of
/// the largest entry; `stored_epsilon` is that of the type the data was stored in, by default D's
/// own scalar). The diagonal is not required to be zero (the reference code's matrices have ≈ 1e-9
/// there); callers document how they treat it.
template <class D>
void require_distance_matrix(const Eigen::MatrixBase<D>& Dm, std::string_view fn, std::string_view arg,
                             double stored_epsilon = std::numeric_limits<typename D::Scalar>::epsilon()) {
  require_shape(Dm.rows() == Dm.cols() && Dm.rows() >= 2, fn, arg, "a square matrix of at least 2 × 2",
                concat(Dm.rows(), " × ", Dm.cols()));
  double largest = 0.0;
  for (Eigen::Index j = 0; j < Dm.cols(); ++j)
    for (Eigen::Index i = 0; i < Dm.rows(); ++i) {
      const double v = static_cast<double>(Dm(i, j));
      if (!std::isfinite(v) || v < 0.0)
        throw argument_error(argument_message(fn, arg, "finite non-negative distances", concat(v, " at (", i, ", ", j, ")")));
      largest = std::max(largest, v);
    }
  for (Eigen::Index j = 0; j < Dm.cols(); ++j)
    for (Eigen::Index i = 0; i < j; ++i)
      if (std::abs(static_cast<double>(Dm(i, j) - Dm(j, i))) > distance_symmetry_tolerance(stored_epsilon) * largest)
        throw argument_error(argument_message(fn, arg, "a symmetric matrix",
                                              concat("D(", i, ", ", j, ") = ", Dm(i, j), " but D(", j, ", ", i,
                                                     ") = ", Dm(j, i))));
}

/// Cluster labels mapped to 0 … C−1 (in order of first appearance of the sorted label values).
struct label_codes {
  std::vector<Eigen::Index> code;        // per sample
  std::vector<Eigen::Index> size;        // per cluster
  std::vector<int> value;                // the original label of each cluster
};

inline label_codes encode_labels(std::span<const int> labels, Eigen::Index n, std::string_view fn) {
  require_shape(static_cast<Eigen::Index>(labels.size()) == n, fn, "labels", concat(n, " labels (one per row)"),
                labels.size());
  std::map<int, Eigen::Index> index;
  for (int l : labels) index.emplace(l, 0);
  label_codes c;
  for (auto& [value, k] : index) {
    k = static_cast<Eigen::Index>(c.value.size());
    c.value.push_back(value);
  }
  c.size.assign(c.value.size(), 0);
  for (int l : labels) {
    c.code.push_back(index[l]);
    ++c.size[static_cast<std::size_t>(index[l])];
  }
  const auto C = static_cast<Eigen::Index>(c.value.size());
  require(C >= 2 && C <= n - 1, fn, "labels", concat("between 2 and n − 1 = ", n - 1, " distinct labels"), C);
  return c;
}

}  // namespace rnnlab::detail
