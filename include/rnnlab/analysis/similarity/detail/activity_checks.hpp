#pragma once
/// \file analysis/similarity/detail/activity_checks.hpp
/// Input checks shared by the similarity analyses: every activity matrix is units × samples, finite,
/// with more samples than units, and not constant. Each check throws before any work, naming the
/// function, the argument and what was found.

#include <Eigen/Core>

#include <cmath>
#include <string>
#include <string_view>

#include <rnnlab/error.hpp>

namespace rnnlab::detail {

/// Throws argument_error naming the first non-finite entry of `X`.
template <class D>
void require_finite(const Eigen::MatrixBase<D>& X, std::string_view fn, std::string_view arg) {
  // A NaN or infinity makes the (vectorised) sum non-finite; only then look for the first culprit
  // (the sum of finite values can also overflow, in which case the search finds nothing).
  if (std::isfinite(static_cast<double>(X.sum()))) return;
  for (Eigen::Index j = 0; j < X.cols(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      if (!std::isfinite(static_cast<double>(X(i, j))))
        throw argument_error(argument_message(fn, arg, "finite values",
                                              concat(X(i, j), " at (", i, ", ", j, ")")));
}

/// The checks every activity matrix passes: at least one unit, more samples than units (centring
/// removes one degree of freedom, so with samples <= units any two networks look perfectly
/// correlated), finite values. Constant activity is checked after centring by the callers.
template <class D>
void require_activity_shape(const Eigen::MatrixBase<D>& X, std::string_view fn, std::string_view arg) {
  require_shape(X.rows() >= 1, fn, arg, "at least one unit (row)", X.rows());
  require_shape(X.cols() > X.rows(), fn, arg,
                concat("more samples (columns) than units (rows = ", X.rows(), ")"),
                concat(X.cols(), " samples"));
}
template <class D>
void require_activity(const Eigen::MatrixBase<D>& X, std::string_view fn, std::string_view arg) {
  require_activity_shape(X, fn, arg);
  require_finite(X, fn, arg);
}

/// Both activity matrices, and the same number of samples.
template <class DX, class DY>
void require_activity_pair(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y, std::string_view fn) {
  require_shape(X.cols() == Y.cols(), fn, "Y", concat("as many samples (columns) as X (", X.cols(), ")"),
                Y.cols());
  require_activity(X, fn, "X");
  require_activity(Y, fn, "Y");
}

/// Throws argument_error if the centred activity has no variance at all.
inline void require_not_constant(double total_variance, std::string_view fn, std::string_view arg) {
  if (!(total_variance > 0.0))
    throw argument_error(argument_message(fn, arg, "activity that varies across samples",
                                          "constant activity (zero variance after centring every unit)"));
}

}  // namespace rnnlab::detail
