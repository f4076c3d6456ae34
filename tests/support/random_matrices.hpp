// Random matrices shared by the analysis tests (seeded by the caller's rng).
#pragma once
#include <Eigen/Core>
#include <Eigen/QR>

#include <rnnlab/random.hpp>

namespace rnnlab::test {

/// r × c matrix of independent N(0, 1) entries, filled column by column.
inline Eigen::MatrixXd gaussian(Index r, Index c, rng& g) {
  Eigen::MatrixXd M(r, c);
  for (Index j = 0; j < c; ++j)
    for (Index i = 0; i < r; ++i) M(i, j) = standard_normal(g);
  return M;
}

/// A random n × n orthogonal matrix (Q of the QR of a Gaussian matrix).
inline Eigen::MatrixXd orthogonal(Index n, rng& g) {
  return Eigen::HouseholderQR<Eigen::MatrixXd>(gaussian(n, n, g)).householderQ();
}

}  // namespace rnnlab::test
