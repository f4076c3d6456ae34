#include <doctest/doctest.h>

#include <Eigen/QR>
#include <Eigen/SVD>
#include <cmath>

#include <rnnlab/analysis/similarity/procrustes.hpp>
#include <rnnlab/random.hpp>

#include "../../support/random_matrices.hpp"

using namespace rnnlab;
using rnnlab::test::gaussian;
using rnnlab::test::orthogonal;

TEST_CASE("procrustes: a rotated, shifted, rescaled copy is at distance 0") {
  rng g(41);
  const Eigen::MatrixXd X = gaussian(8, 200, g);
  const Eigen::MatrixXd Y = (2.5 * orthogonal(8, g) * X).colwise() + Eigen::VectorXd::Constant(8, -1.0);
  const auto r = procrustes(X, Y);
  CHECK(r.similarity == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(r.angle < 1e-6);
  CHECK(r.euclidean < 1e-6);
  // Zero-padding: a copy with two extra silent-but-noisy... units that are exactly zero is the same shape.
  Eigen::MatrixXd Z = Eigen::MatrixXd::Zero(10, 200);
  Z.topRows(8) = orthogonal(8, g) * X;
  CHECK(procrustes(X, Z).angle < 1e-6);
}

TEST_CASE("procrustes: the Euclidean distance is the optimal orthogonal alignment residual") {
  rng g(42);
  const Eigen::MatrixXd X = gaussian(6, 100, g), Y = gaussian(6, 6, g) * X + gaussian(6, 100, g);
  Eigen::MatrixXd Xt = X.colwise() - X.rowwise().mean(), Yt = Y.colwise() - Y.rowwise().mean();
  Xt /= Xt.norm();
  Yt /= Yt.norm();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(Xt * Yt.transpose(), Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::MatrixXd Q = svd.matrixU() * svd.matrixV().transpose();  // argmin_Q ‖X̃ − QỸ‖
  const auto r = procrustes(X, Y);
  CHECK(r.euclidean == doctest::Approx((Xt - Q * Yt).norm()).epsilon(1e-12));
  // No orthogonal matrix does better: a random one is worse.
  CHECK((Xt - orthogonal(6, g) * Yt).norm() > r.euclidean);
  CHECK(std::cos(r.angle) == doctest::Approx(r.similarity).epsilon(1e-12));
}

TEST_CASE("procrustes: angles near 0 to full precision (analytic values; arccos of ν would give ~1e-8)") {
  // Orthonormal, centred sample-space directions u1, u2, v (m = 64): X = [u1; u2],
  // Y = [u1; cos φ u2 + sin φ v]. Then X̃Ỹᵀ = diag(1, cos φ)/2, ν = (1 + cos φ)/2, and
  // d = √(2 − 2ν) = √2 sin(φ/2), θ = 2 asin(d/2) = arccos ν (exact identities; the right-hand sides are
  // evaluated without cancellation).
  rng g(43);
  Eigen::MatrixXd B = gaussian(64, 3, g);
  B.rowwise() -= B.colwise().mean();
  const Eigen::MatrixXd O = B.householderQr().householderQ() * Eigen::MatrixXd::Identity(64, 3);
  for (const double phi : {1e-10, 1e-8, 1e-6, 1e-3, 0.5}) {
    Eigen::MatrixXd X(2, 64), Y(2, 64);
    X.row(0) = O.col(0).transpose();
    X.row(1) = O.col(1).transpose();
    Y.row(0) = X.row(0);
    Y.row(1) = std::cos(phi) * O.col(1).transpose() + std::sin(phi) * O.col(2).transpose();
    const double d = std::sqrt(2.0) * std::sin(phi / 2.0), theta = 2.0 * std::asin(d / 2.0);
    const auto r = procrustes(X, Y);
    REQUIRE(r.status == similarity_status::ok);
    CHECK(std::abs(r.angle - theta) < 1e-15 + 1e-12 * theta);
    CHECK(std::abs(r.euclidean - d) < 1e-15 + 1e-12 * d);
    CHECK(std::abs(procrustes(Y, X).angle - theta) < 1e-15 + 1e-12 * theta);
  }
  // An exact copy and a rotated copy: 0, not rounding residue.
  const Eigen::MatrixXd X = gaussian(12, 300, g);
  CHECK(procrustes(X, X).angle < 1e-14);
  CHECK(procrustes(X, (orthogonal(12, g) * X).eval()).angle < 1e-13);
  // Rank-deficient activity (every unit twice: 24 units of rank 12): components at the rounding floor
  // of X̃Ỹᵀ must not leave residue (they left 3.6e-9 when the raw 24-unit matrices were aligned).
  Eigen::MatrixXd D(24, 300);
  D << X, X;
  const Eigen::MatrixXd D2 = D;
  CHECK(procrustes(D, D2).angle < 1e-14);
  CHECK(procrustes(D, X).angle < 1e-13);  // duplicating units does not change the shape
}

TEST_CASE("procrustes: both distances satisfy the triangle inequality on random triples") {
  rng g(43);
  int violations = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const Eigen::MatrixXd base = gaussian(5, 60, g);
    const Eigen::MatrixXd A = base + 0.5 * gaussian(5, 60, g), B = base + gaussian(5, 60, g),
                          C = gaussian(5, 5, g) * base + 0.3 * gaussian(5, 60, g);
    const auto ab = procrustes(A, B), bc = procrustes(B, C), ac = procrustes(A, C);
    if (ac.angle > ab.angle + bc.angle + 1e-12) ++violations;
    if (ac.euclidean > ab.euclidean + bc.euclidean + 1e-12) ++violations;
    if (ab.angle < 0 || std::abs(ab.angle - procrustes(B, A).angle) > 1e-12) ++violations;  // symmetric
  }
  CHECK(violations == 0);
}

TEST_CASE("procrustes: degenerate input is a clear error") {
  rng g(44);
  CHECK_THROWS_AS(procrustes(gaussian(4, 50, g), gaussian(4, 51, g)), shape_error);
  CHECK_THROWS_AS(procrustes(gaussian(4, 50, g), Eigen::MatrixXd::Zero(4, 50)), argument_error);
}
