#include <doctest/doctest.h>

#include <Eigen/QR>
#include <cmath>
#include <vector>

#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/random.hpp>

#include "../../support/random_matrices.hpp"

using namespace rnnlab;
using rnnlab::test::gaussian;

namespace {
// P networks sharing a latent signal (so distances vary), with different unit counts.
std::vector<Eigen::MatrixXd> population(Index P, Index m, rng& g) {
  const Eigen::MatrixXd latent = gaussian(6, m, g);
  std::vector<Eigen::MatrixXd> out;
  for (Index i = 0; i < P; ++i) {
    const Index n = 8 + i % 5;
    Eigen::VectorXd decay(6);
    for (Index k = 0; k < 6; ++k) decay(k) = std::pow(0.5, static_cast<double>(k));
    out.push_back(gaussian(n, 6, g) * decay.asDiagonal() * latent + 0.3 * gaussian(n, m, g));
  }
  return out;
}
}  // namespace

TEST_CASE("distance_matrix: every entry equals the pairwise function, symmetric with a zero diagonal") {
  rng g(61);
  const auto acts = population(7, 600, g);
  const std::span<const Eigen::MatrixXd> s(acts);
  for (auto summary : {svcca_summary::mean, svcca_summary::max, svcca_summary::pwcca}) {
    distance_matrix_params p;
    p.svcca.summary = summary;
    const auto r = distance_matrix(s, p);
    REQUIRE(r.status == similarity_status::ok);
    CHECK(r.distances.diagonal().cwiseAbs().maxCoeff() == 0.0);
    CHECK((r.distances - r.distances.transpose()).cwiseAbs().maxCoeff() == 0.0);
    for (std::size_t i = 0; i < acts.size(); ++i)
      for (std::size_t j = i + 1; j < acts.size(); ++j) {
        double expected = svcca(acts[i], acts[j], p.svcca).distance();
        if (summary == svcca_summary::pwcca) expected = 0.5 * (expected + svcca(acts[j], acts[i], p.svcca).distance());
        CHECK(r.distances(static_cast<Index>(i), static_cast<Index>(j)) == doctest::Approx(expected).epsilon(1e-10));
      }
  }
  distance_matrix_params p;
  p.metric = similarity_metric::cca;
  p.cca_epsilon = 1e-10;
  const auto rc = distance_matrix(s, p);
  p.metric = similarity_metric::cka;
  const auto rk = distance_matrix(s, p);
  p.cka_debiased = true;
  const auto rkd = distance_matrix(s, p);
  p.metric = similarity_metric::procrustes;
  const auto rp = distance_matrix(s, p);
  for (std::size_t i = 0; i < acts.size(); ++i)
    for (std::size_t j = i + 1; j < acts.size(); ++j) {
      const auto a = static_cast<Index>(i), b = static_cast<Index>(j);
      CHECK(rc.distances(a, b) == doctest::Approx(1.0 - cca(acts[i], acts[j], {1e-10, 1e-6}).mean()).epsilon(1e-10));
      CHECK(rk.distances(a, b) == doctest::Approx(cka(acts[i], acts[j]).distance()).epsilon(1e-10));
      CHECK(rkd.distances(a, b) == doctest::Approx(cka(acts[i], acts[j], {true}).distance()).epsilon(1e-10));
      CHECK(std::abs(rp.distances(a, b) - procrustes(acts[i], acts[j]).angle) < 1e-10);
    }
}

TEST_CASE("distance_matrix: procrustes of near-identical networks equals the pairwise function to 1e-10") {
  // Issue 16: `distances --metric procrustes` gave 2e-8 for a network against an exact copy (arccos of a
  // ν rounded just below 1) while the pairwise function gave 0. Copies, rotated copies and copies at a
  // known tiny angle: entries equal the pairwise function, and the analytic angle, to 1e-10.
  rng g(63);
  const Eigen::MatrixXd X = gaussian(9, 400, g);
  Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean();
  // A sample-space direction orthogonal to every row of X_c and to the constant vector: tilting one unit's
  // activity towards it by φ moves the shape by a known angle.
  Eigen::VectorXd v = gaussian(400, 1, g).col(0);
  v.array() -= v.mean();
  const Eigen::MatrixXd Q = Xc.transpose().householderQr().householderQ() * Eigen::MatrixXd::Identity(400, 9);
  v -= Q * (Q.transpose() * v);
  v.array() -= v.mean();
  v /= v.norm();
  const Eigen::MatrixXd R = rnnlab::test::orthogonal(9, g);
  std::vector<Eigen::MatrixXd> acts{X, X, (R * X).eval()};
  acts.push_back(X);
  // The copy whose first unit is tilted by φ: the new direction's singular value (≈ φ‖x_0‖) stays above
  // the factorisation's rank threshold (pca_params: 1e-6 of the largest), and 1 − ν ≈ θ²/2 ≪ 1e-4, so
  // the entry comes from the alignment residual.
  const double phi = 1e-4;
  const double r0 = Xc.row(0).norm();
  acts.back().row(0) = X.row(0) + r0 * (std::cos(phi) - 1.0) * Xc.row(0) / r0 + r0 * std::sin(phi) * v.transpose();
  distance_matrix_params p;
  p.metric = similarity_metric::procrustes;
  const auto r = distance_matrix(std::span<const Eigen::MatrixXd>(acts), p);
  REQUIRE(r.status == similarity_status::ok);
  for (Index i = 0; i < 4; ++i)
    for (Index j = i + 1; j < 4; ++j)
      CHECK(std::abs(r.distances(i, j) - procrustes(acts[static_cast<std::size_t>(i)], acts[static_cast<std::size_t>(j)]).angle) < 1e-10);
  CHECK(r.distances(0, 1) < 1e-12);
  CHECK(r.distances(0, 2) < 1e-12);
  CHECK(r.distances(1, 2) < 1e-12);
  CHECK(r.distances(0, 3) > 1e-6);  // resolved, not lost in rounding
}

TEST_CASE("distance_matrix: several tiles, identical results whatever the thread count") {
  rng g(62);
  const auto acts = population(40, 300, g);  // full-rank CCA: ~400 stacked rows, several tiles
  distance_matrix_params p;
  p.metric = similarity_metric::cca;
  p.n_threads = 1;
  const auto one = distance_matrix(std::span<const Eigen::MatrixXd>(acts), p);
  p.n_threads = 3;
  const auto three = distance_matrix(std::span<const Eigen::MatrixXd>(acts), p);
  CHECK((one.distances - three.distances).cwiseAbs().maxCoeff() == 0.0);
  CHECK(one.distances(0, 39) == doctest::Approx(1.0 - cca(acts[0], acts[39]).mean()).epsilon(1e-10));
  CHECK(one.distances(17, 3) == doctest::Approx(1.0 - cca(acts[17], acts[3]).mean()).epsilon(1e-10));
  CHECK(one.distances.allFinite());
}

TEST_CASE("distance_matrix: degenerate networks are named in the error") {
  rng g(63);
  auto acts = population(4, 200, g);
  acts[2] = Eigen::MatrixXd::Constant(acts[2].rows(), 200, 1.0);
  CHECK_THROWS_WITH_AS(distance_matrix(std::span<const Eigen::MatrixXd>(acts)), doctest::Contains("activities[2] (network 2)"),
                       argument_error);
  acts[2] = gaussian(5, 199, g);
  CHECK_THROWS_WITH_AS(distance_matrix(std::span<const Eigen::MatrixXd>(acts)), doctest::Contains("activities[2]"),
                       shape_error);
  acts[2] = gaussian(5, 200, g);
  acts[3](0, 0) = std::nan("");
  CHECK_THROWS_WITH_AS(distance_matrix(std::span<const Eigen::MatrixXd>(acts)), doctest::Contains("activities[3]"),
                       argument_error);
}
