#include <doctest/doctest.h>

#include <Eigen/SVD>
#include <cmath>

#include <rnnlab/analysis/embedding/mds.hpp>
#include <rnnlab/random.hpp>

using namespace rnnlab;

namespace {
Eigen::MatrixXd euclidean(const Eigen::MatrixXd& P) {
  Eigen::MatrixXd D(P.rows(), P.rows());
  for (Index i = 0; i < P.rows(); ++i)
    for (Index j = 0; j < P.rows(); ++j) D(i, j) = (P.row(i) - P.row(j)).norm();
  return D;
}
Eigen::MatrixXd points(Index n, Index d, rng& g) {
  Eigen::MatrixXd P(n, d);
  for (Index i = 0; i < n; ++i)
    for (Index k = 0; k < d; ++k) P(i, k) = standard_normal(g) * (k == 0 ? 3.0 : 1.0);
  return P;
}
// Residual of the best orthogonal alignment of centred A onto centred B.
double procrustes_residual(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  const Eigen::MatrixXd Ac = A.rowwise() - A.colwise().mean(), Bc = B.rowwise() - B.colwise().mean();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(Ac.transpose() * Bc, Eigen::ComputeFullU | Eigen::ComputeFullV);
  return (Ac * svd.matrixU() * svd.matrixV().transpose() - Bc).norm();
}
}  // namespace

TEST_CASE("classical MDS recovers a Euclidean point set up to rotation and translation") {
  rng g(51);
  const Eigen::MatrixXd P = points(30, 2, g);
  const auto r = classical_mds(euclidean(P));
  REQUIRE(r.status == mds_status::ok);
  CHECK(procrustes_residual(r.coordinates, P) < 1e-9);
  CHECK(r.negative_fraction < 1e-12);
  CHECK(r.eigenvalues(2) == doctest::Approx(0.0).epsilon(1e-8).scale(r.eigenvalues(0)));
  // Distances reproduced exactly.
  CHECK((euclidean(r.coordinates) - euclidean(P)).cwiseAbs().maxCoeff() < 1e-9);
}

TEST_CASE("classical MDS reports non-Euclidean input through negative eigenvalues") {
  Eigen::MatrixXd D = Eigen::MatrixXd::Ones(4, 4);
  D.diagonal().setZero();
  D(0, 1) = D(1, 0) = 3.0;  // violates the triangle inequality (3 > 1 + 1)
  CHECK(classical_mds(D).negative_fraction > 0.01);
  CHECK_THROWS_AS(classical_mds(D, {4}), shape_error);
  CHECK_THROWS_AS(classical_mds(-D), argument_error);
}

TEST_CASE("SMACOF reaches zero stress on Euclidean distances and never increases the stress") {
  rng g(52);
  const Eigen::MatrixXd P = points(25, 2, g);
  const Eigen::MatrixXd D = euclidean(P);
  smacof_params p;
  p.classical_start = false;  // from random starts only
  p.n_init = 10;  // random starts can end in local minima; the best of several reaches the global one
  p.max_iterations = 3000;
  p.tolerance = 1e-12;
  const auto r = smacof_mds(D, p, g);
  CHECK(r.stress1 < 1e-4);
  CHECK(procrustes_residual(r.coordinates, P) < 1e-2);
  // Noisy distances: stress of SMACOF ≤ stress of the classical solution it starts from.
  Eigen::MatrixXd N = D;
  for (Index i = 0; i < 25; ++i)
    for (Index j = 0; j < i; ++j) N(i, j) = N(j, i) = D(i, j) * (1.0 + 0.2 * uniform01(g));
  smacof_params q;
  q.n_init = 1;
  const auto s = smacof_mds(N, q, g);
  CHECK(s.stress <= detail::raw_stress(classical_mds(N).coordinates, N) + 1e-12);
  CHECK(s.stress == doctest::Approx(detail::raw_stress(s.coordinates, N)).epsilon(1e-12));
  rng a(3), b(3);
  p.n_init = 2;
  p.max_iterations = 50;
  CHECK((smacof_mds(N, p, a).coordinates - smacof_mds(N, p, b).coordinates).cwiseAbs().maxCoeff() == 0.0);
}
