#include <doctest/doctest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <cmath>
#include <limits>

#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/random.hpp>

#include "../../support/random_matrices.hpp"

using namespace rnnlab;
using rnnlab::test::gaussian;

namespace {

Eigen::MatrixXd inv_sqrt(const Eigen::MatrixXd& S) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(S);
  return e.eigenvectors() * e.eigenvalues().cwiseSqrt().cwiseInverse().asDiagonal() * e.eigenvectors().transpose();
}

// The textbook / reference recipe written out directly: covariances (1/(m-1)), each divided by its
// largest absolute entry (cross-covariance by the geometric mean), + eps I, inverse square roots.
Eigen::VectorXd reference_cca(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, double eps) {
  const double m = static_cast<double>(X.cols());
  const Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean(), Yc = Y.colwise() - Y.rowwise().mean();
  Eigen::MatrixXd Sxx = Xc * Xc.transpose() / (m - 1), Syy = Yc * Yc.transpose() / (m - 1);
  Eigen::MatrixXd Sxy = Xc * Yc.transpose() / (m - 1);
  const double xmax = Sxx.cwiseAbs().maxCoeff(), ymax = Syy.cwiseAbs().maxCoeff();
  Sxx /= xmax;
  Syy /= ymax;
  Sxy /= std::sqrt(xmax * ymax);
  Sxx += eps * Eigen::MatrixXd::Identity(Sxx.rows(), Sxx.cols());
  Syy += eps * Eigen::MatrixXd::Identity(Syy.rows(), Syy.cols());
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(inv_sqrt(Sxx) * Sxy * inv_sqrt(Syy));
  return svd.singularValues();
}
}  // namespace

TEST_CASE("cca: a matrix and an invertible linear transform of it are perfectly correlated") {
  rng g(1);
  const Eigen::MatrixXd X = gaussian(10, 600, g);
  const Eigen::MatrixXd A = gaussian(10, 10, g) + 3.0 * Eigen::MatrixXd::Identity(10, 10);
  const Eigen::MatrixXd Y = (A * X).colwise() + Eigen::VectorXd::Constant(10, 4.0);
  const auto r = cca(X, Y);
  REQUIRE(r.status == similarity_status::ok);
  CHECK(r.correlations.size() == 10);
  CHECK((r.correlations.array() - 1.0).abs().maxCoeff() < 1e-10);
  CHECK(r.mean() == doctest::Approx(1.0).epsilon(1e-10));
}

TEST_CASE("cca: independent noise has canonical correlations near zero") {
  rng g(2);
  const Index m = 20000;
  const auto r = cca(gaussian(5, m, g), gaussian(5, m, g));
  // Under independence the largest of 5 sample canonical correlations is O(sqrt(25/m)) ≈ 0.035.
  CHECK(r.max() < 0.06);
  CHECK(r.mean() < 0.03);
}

TEST_CASE("cca: a known population correlation is recovered") {
  rng g(7);
  const Index m = 200000;
  const Eigen::MatrixXd Z = gaussian(2, m, g), E = gaussian(2, m, g);
  Eigen::MatrixXd Y(2, m);
  Y.row(0) = Z.row(0) + E.row(0);        // corr 1/sqrt(2)
  Y.row(1) = Z.row(1) + 3.0 * E.row(1);  // corr 1/sqrt(10)
  const auto r = cca(Z, Y);
  CHECK(r.correlations(0) == doctest::Approx(1.0 / std::sqrt(2.0)).epsilon(0.01));
  CHECK(r.correlations(1) == doctest::Approx(1.0 / std::sqrt(10.0)).epsilon(0.02));
}

TEST_CASE("cca: agrees with the reference recipe written out, with and without epsilon") {
  rng g(9);
  const Eigen::MatrixXd X = gaussian(6, 6, g) * gaussian(6, 300, g);
  const Eigen::MatrixXd Y = 0.5 * gaussian(4, 6, g) * X + gaussian(4, 300, g);
  for (double eps : {0.0, 1e-10, 1e-3, 0.05}) {
    CAPTURE(eps);
    const auto r = cca(X, Y, {eps, 1e-6});
    const Eigen::VectorXd ref = reference_cca(X, Y, eps);
    REQUIRE(r.correlations.size() == 4);
    CHECK((r.correlations - ref.head(4)).cwiseAbs().maxCoeff() < 1e-10);
  }
}

TEST_CASE("cca: degenerate input is a clear error") {
  rng g(4);
  CHECK_THROWS_WITH_AS(cca(gaussian(3, 100, g), gaussian(3, 99, g)), doctest::Contains("samples"), shape_error);
  CHECK_THROWS_AS(cca(gaussian(30, 20, g), gaussian(3, 20, g)), shape_error);
  Eigen::MatrixXd Y = gaussian(3, 100, g);
  Y(0, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH_AS(cca(gaussian(3, 100, g), Y), doctest::Contains("argument 'Y'"), argument_error);
  CHECK_THROWS_WITH_AS(cca(gaussian(3, 100, g), Eigen::MatrixXd::Ones(3, 100)), doctest::Contains("constant"),
                       argument_error);
  // The constant argument is the one named (the second here, the first below), for cca and svcca alike.
  CHECK_THROWS_WITH_AS(cca(gaussian(3, 100, g), Eigen::MatrixXd::Ones(3, 100)),
                       doctest::Contains("rnnlab::cca: argument 'Y'"), argument_error);
  CHECK_THROWS_WITH_AS(cca(Eigen::MatrixXd::Ones(3, 100), gaussian(3, 100, g)),
                       doctest::Contains("rnnlab::cca: argument 'X'"), argument_error);
  CHECK_THROWS_WITH_AS(svcca(gaussian(3, 100, g), Eigen::MatrixXd::Ones(3, 100), svcca_params{}),
                       doctest::Contains("rnnlab::svcca: argument 'Y'"), argument_error);
  CHECK_THROWS_AS(cca(gaussian(3, 100, g), gaussian(3, 100, g), {-1.0, 1e-6}), argument_error);
}
