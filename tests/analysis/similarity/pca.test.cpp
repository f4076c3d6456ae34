#include <doctest/doctest.h>

#include <Eigen/SVD>
#include <cmath>
#include <limits>

#include <rnnlab/analysis/similarity/pca.hpp>
#include <rnnlab/random.hpp>

#include "../../support/random_matrices.hpp"

using namespace rnnlab;
using rnnlab::test::gaussian;

TEST_CASE("pca: singular values agree with a direct SVD and the scores reconstruct the data") {
  rng g(11);
  const Eigen::MatrixXd X = (gaussian(8, 3, g) * gaussian(3, 400, g)).colwise() + Eigen::VectorXd::LinSpaced(8, -2, 5);
  const auto r = pca(X, {1.0, 1e-6, 0});
  REQUIRE(r.status == pca_status::ok);
  const Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(Xc);
  for (Index k = 0; k < 3; ++k) CHECK(r.singular_values(k) == doctest::Approx(svd.singularValues()(k)).epsilon(1e-10));
  CHECK(r.rank == 3);  // rank-3 data: the other 5 components are rounding noise
  CHECK(r.n_components == 3);
  CHECK(r.explained_variance_ratio.sum() == doctest::Approx(1.0).epsilon(1e-12));
  CHECK((r.components * r.scores - Xc).cwiseAbs().maxCoeff() < 1e-10);
  CHECK((r.mean - Eigen::VectorXd::LinSpaced(8, -2, 5)).cwiseAbs().maxCoeff() < 0.5);  // means of a rank-3 signal + offsets
}

TEST_CASE("pca: the variance threshold keeps the smallest K reaching it") {
  // Three orthogonal signals with variances 100, 10, 1 (ratios .9009, .0901, .0090).
  const Index m = 1000;
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(3, m);
  for (Index j = 0; j < m; ++j) {
    const double t = 2.0 * M_PI * static_cast<double>(j) / static_cast<double>(m);
    X(0, j) = 10.0 * std::sqrt(2.0) * std::sin(t);
    X(1, j) = std::sqrt(10.0) * std::sqrt(2.0) * std::cos(t);
    X(2, j) = std::sqrt(2.0) * std::sin(2 * t);
  }
  CHECK(pca(X, {0.90, 1e-6, 0}).n_components == 1);
  CHECK(pca(X, {0.95, 1e-6, 0}).n_components == 2);
  CHECK(pca(X, {0.995, 1e-6, 0}).n_components == 3);
  CHECK(pca(X, {0.995, 1e-6, 2}).n_components == 2);
  const auto r = pca(X);
  CHECK(r.explained_variance_ratio(0) == doctest::Approx(100.0 / 111.0).epsilon(1e-9));
  CHECK(r.explained_variance_ratio(2) == doctest::Approx(1.0 / 111.0).epsilon(1e-9));
}

TEST_CASE("factor_activity: the basis is orthonormal and spans the kept principal components") {
  rng g(3);
  const Eigen::MatrixXd X = gaussian(20, 20, g) * gaussian(20, 500, g);
  const auto f = factor_activity(X, {0.95, 1e-6, 0});
  const Index K = f.n_components();
  CHECK(K > 1);
  CHECK(K < 20);
  CHECK((f.basis * f.basis.transpose() - Eigen::MatrixXd::Identity(K, K)).cwiseAbs().maxCoeff() < 1e-12);
  const Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean();
  // The projection of X_c on the basis is U_K S_K.
  CHECK((Xc * f.basis.transpose() - f.loadings * f.singular_values.asDiagonal()).cwiseAbs().maxCoeff() < 1e-9);
  CHECK(f.total_variance == doctest::Approx(Xc.squaredNorm()).epsilon(1e-12));
}

TEST_CASE("pca: degenerate input is a clear error") {
  rng g(5);
  CHECK_THROWS_AS(pca(gaussian(10, 1, g)), shape_error);  // one sample: nothing left after centring
  // more units than samples is fine (issue 16): rank ≤ samples − 1
  const auto wide = pca(gaussian(10, 6, g), {1.0, 1e-6, 0});
  CHECK(wide.status == pca_status::ok);
  CHECK(wide.rank == 5);
  Eigen::MatrixXd X = gaussian(4, 50, g);
  X(2, 7) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(pca(X), doctest::Contains("(2, 7)"), argument_error);
  CHECK_THROWS_WITH_AS(pca(Eigen::MatrixXd::Constant(4, 50, 0.3)), doctest::Contains("constant"), argument_error);
  CHECK_THROWS_AS(pca(gaussian(4, 50, g), {0.0, 1e-6, 0}), argument_error);
}
