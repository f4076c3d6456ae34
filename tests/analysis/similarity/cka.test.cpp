#include <doctest/doctest.h>

#include <Eigen/QR>
#include <cmath>

#include <rnnlab/analysis/similarity/cka.hpp>
#include <rnnlab/random.hpp>

#include "../../support/random_matrices.hpp"

using namespace rnnlab;
using rnnlab::test::gaussian;
using rnnlab::test::orthogonal;

namespace {

// HSIC from explicit m × m kernels: biased tr(KHLH), unbiased Song et al. (2012).
double hsic_kernels(const Eigen::MatrixXd& K, const Eigen::MatrixXd& L, bool unbiased) {
  const Index m = K.rows();
  const double md = static_cast<double>(m);
  if (!unbiased) {
    const Eigen::MatrixXd H = Eigen::MatrixXd::Identity(m, m) - Eigen::MatrixXd::Constant(m, m, 1.0 / md);
    return (K * H * L * H).trace();
  }
  Eigen::MatrixXd Kt = K, Lt = L;
  Kt.diagonal().setZero();
  Lt.diagonal().setZero();
  const Eigen::VectorXd one = Eigen::VectorXd::Ones(m);
  return ((Kt * Lt).trace() + one.dot(Kt * one) * one.dot(Lt * one) / ((md - 1) * (md - 2)) -
          2.0 / (md - 2) * one.dot(Kt * Lt * one)) /
         (md * (md - 3));
}
double cka_kernels(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, bool unbiased) {
  const Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean(), Yc = Y.colwise() - Y.rowwise().mean();
  const Eigen::MatrixXd K = Xc.transpose() * Xc, L = Yc.transpose() * Yc;
  return hsic_kernels(K, L, unbiased) / std::sqrt(hsic_kernels(K, K, unbiased) * hsic_kernels(L, L, unbiased));
}
}  // namespace

TEST_CASE("cka: matches the explicit kernel formulas, plain and debiased") {
  rng g(31);
  const Eigen::MatrixXd X = gaussian(6, 40, g);
  const Eigen::MatrixXd Y = gaussian(5, 6, g) * X + 2.0 * gaussian(5, 40, g);
  CHECK(cka(X, Y).similarity == doctest::Approx(cka_kernels(X, Y, false)).epsilon(1e-12));
  CHECK(cka(X, Y, {true}).similarity == doctest::Approx(cka_kernels(X, Y, true)).epsilon(1e-12));
}

TEST_CASE("cka: invariant to orthogonal transforms and isotropic scaling, not to general linear maps") {
  rng g(32);
  const Eigen::MatrixXd X = gaussian(10, 500, g);
  const Eigen::MatrixXd Y = gaussian(10, 10, g) * X + gaussian(10, 500, g);
  const Eigen::MatrixXd Q = orthogonal(10, g);
  for (bool deb : {false, true}) {
    CAPTURE(deb);
    const double base = cka(X, Y, {deb}).similarity;
    CHECK(cka(Q * X * 3.5, Y, {deb}).similarity == doctest::Approx(base).epsilon(1e-12));
    CHECK(cka(X, 0.2 * orthogonal(10, g) * Y, {deb}).similarity == doctest::Approx(base).epsilon(1e-12));
    CHECK(cka(X, Q * X * 7.0, {deb}).similarity == doctest::Approx(1.0).epsilon(1e-12));
  }
  Eigen::MatrixXd D = Eigen::MatrixXd::Identity(10, 10);
  D(0, 0) = 20.0;
  CHECK(cka(X, D * X).similarity < 0.9);  // anisotropic scaling changes CKA
}

TEST_CASE("cka: the debiased form removes the positive bias for independent data") {
  rng g(33);
  const Eigen::MatrixXd X = gaussian(40, 300, g), Y = gaussian(40, 300, g);
  const double biased = cka(X, Y).similarity, debiased = cka(X, Y, {true}).similarity;
  CHECK(biased > 0.05);  // ≈ n / (n + m) for independent Gaussians
  CHECK(std::abs(debiased) < 0.02);
  CHECK_THROWS_AS(cka(X, gaussian(40, 299, g)), shape_error);
  CHECK_THROWS_AS(cka(X, Eigen::MatrixXd::Ones(40, 300)), argument_error);
}
