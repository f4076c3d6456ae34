#pragma once
/// \file analysis/similarity/detail/activity_checks.hpp
/// Input checks shared by the similarity analyses: every activity matrix is units × samples, finite,
/// with at least two samples (CCA / SVCCA: more samples than units), and not constant. Each check throws before any work, naming the
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

/// The checks every activity matrix passes: at least one unit, at least two samples (centring
/// removes one degree of freedom), finite values. Constant activity is checked after centring by
/// the callers. More units than samples is fine here: CKA, the Procrustes angle and PCA are well
/// defined there (CKA was designed for that regime, Kornblith et al. 2019).
template <class D>
void require_activity_shape(const Eigen::MatrixBase<D>& X, std::string_view fn, std::string_view arg) {
  require_shape(X.rows() >= 1, fn, arg, "at least one unit (row)", X.rows());
  require_shape(X.cols() >= 2, fn, arg, "at least 2 samples (columns)", concat(X.cols(), " samples"));
}
/// The precondition of CCA and SVCCA only: more samples than units. With samples <= units the
/// centred units span the whole (samples − 1)-dimensional space, so any two networks have
/// canonical correlations all 1 (Raghu et al. 2017 reduce units first for this reason).
template <class D>
void require_more_samples_than_units(const Eigen::MatrixBase<D>& X, std::string_view fn, std::string_view arg) {
  require_shape(X.cols() > X.rows(), fn, arg,
                concat("more samples (columns) than units (rows = ", X.rows(),
                       ") for CCA / SVCCA (CKA and Procrustes accept fewer samples)"),
                concat(X.cols(), " samples"));
}
template <class D>
void require_activity(const Eigen::MatrixBase<D>& X, std::string_view fn, std::string_view arg,
                      bool more_samples_than_units) {
  require_activity_shape(X, fn, arg);
  if (more_samples_than_units) require_more_samples_than_units(X, fn, arg);
  require_finite(X, fn, arg);
}

/// Both activity matrices, and the same number of samples; `more_samples_than_units` for CCA and
/// SVCCA (see require_more_samples_than_units).
template <class DX, class DY>
void require_activity_pair(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y, std::string_view fn,
                           bool more_samples_than_units) {
  require_shape(X.cols() == Y.cols(), fn, "Y", concat("as many samples (columns) as X (", X.cols(), ")"),
                Y.cols());
  require_activity(X, fn, "X", more_samples_than_units);
  require_activity(Y, fn, "Y", more_samples_than_units);
}

/// Throws argument_error if the centred activity has no variance at all.
inline void require_not_constant(double total_variance, std::string_view fn, std::string_view arg) {
  if (!(total_variance > 0.0))
    throw argument_error(argument_message(fn, arg, "activity that varies across samples",
                                          "constant activity (zero variance after centring every unit)"));
}

}  // namespace rnnlab::detail
