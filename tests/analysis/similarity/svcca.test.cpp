#include <doctest/doctest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <cmath>
#include <limits>

#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/random.hpp>

#include "../../support/random_matrices.hpp"

using namespace rnnlab;
using rnnlab::test::gaussian;

namespace {

Eigen::MatrixXd svcca_inv_sqrt(const Eigen::MatrixXd& S) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(S);
  return e.eigenvectors() * e.eigenvalues().cwiseSqrt().cwiseInverse().asDiagonal() * e.eigenvectors().transpose();
}

// Activity with a decaying spectrum (like a trained network's): n units driven by r latent signals.
Eigen::MatrixXd low_rank_activity(Index n, Index r, Index m, rng& g) {
  Eigen::VectorXd scale(r);
  for (Index k = 0; k < r; ++k) scale(k) = std::pow(0.6, static_cast<double>(k));
  return gaussian(n, r, g) * scale.asDiagonal() * gaussian(r, m, g) + 0.01 * gaussian(n, m, g);
}

// SVCCA written out the reference way: SVD of each centred matrix, keep 95 %, reduced data
// diag(s) V^T, covariances normalised by their max, + eps I, inverse square roots, SVD.
struct reference_out {
  Eigen::VectorXd rho;
  Eigen::MatrixXd ax;  // canonical weights of the reduced X data (columns)
  Eigen::MatrixXd Zx;  // reduced X data
};
reference_out reference_svcca(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, double eps) {
  const auto reduce = [](const Eigen::MatrixXd& A) {
    const Eigen::MatrixXd Ac = A.colwise() - A.rowwise().mean();
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(Ac.transpose(), Eigen::ComputeThinU);
    const Eigen::VectorXd s = svd.singularValues();
    Index K = 0;
    double cum = 0;
    while (cum / s.squaredNorm() < 0.95) cum += s(K) * s(K), ++K;
    return Eigen::MatrixXd(s.head(K).asDiagonal() * svd.matrixU().leftCols(K).transpose());
  };
  const Eigen::MatrixXd Zx = reduce(X), Zy = reduce(Y);
  const double m = static_cast<double>(X.cols());
  Eigen::MatrixXd Sxx = Zx * Zx.transpose() / (m - 1), Syy = Zy * Zy.transpose() / (m - 1), Sxy = Zx * Zy.transpose() / (m - 1);
  const double xmax = Sxx.cwiseAbs().maxCoeff(), ymax = Syy.cwiseAbs().maxCoeff();
  Sxx = Sxx / xmax + eps * Eigen::MatrixXd::Identity(Sxx.rows(), Sxx.rows());
  Syy = Syy / ymax + eps * Eigen::MatrixXd::Identity(Syy.rows(), Syy.rows());
  Sxy /= std::sqrt(xmax * ymax);
  const Eigen::MatrixXd ix = svcca_inv_sqrt(Sxx);
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(ix * Sxy * svcca_inv_sqrt(Syy), Eigen::ComputeThinU);
  return {svd.singularValues(), ix * svd.matrixU(), Zx};
}
}  // namespace

TEST_CASE("svcca: reproduces the reference pipeline written out directly") {
  rng g(21);
  const Eigen::MatrixXd X = low_rank_activity(12, 8, 800, g);
  const Eigen::MatrixXd Y = 0.7 * gaussian(10, 12, g) * X + low_rank_activity(10, 6, 800, g);
  for (double eps : {0.0, 1e-10, 1e-4}) {
    CAPTURE(eps);
    svcca_params p;
    p.epsilon = eps;
    const auto r = svcca(X, Y, p);
    const auto ref = reference_svcca(X, Y, eps);
    REQUIRE(r.correlations.size() == std::min(ref.ax.rows(), ref.rho.size()));
    CHECK((r.correlations - ref.rho.head(r.correlations.size())).cwiseAbs().maxCoeff() < 1e-9);
    CHECK(r.similarity == doctest::Approx(ref.rho.head(r.correlations.size()).mean()).epsilon(1e-10));
  }
}

TEST_CASE("svcca: an invertible transform of the same activity has similarity 1, independent noise about 0") {
  rng g(22);
  const Eigen::MatrixXd X = low_rank_activity(20, 6, 3000, g);
  const Eigen::MatrixXd A = gaussian(20, 20, g) + 4.0 * Eigen::MatrixXd::Identity(20, 20);
  const auto same = svcca(X, A * X);
  // The 95 % truncations of X and AX keep different subspaces in general, so not exactly 1; with the
  // exact transform kept in full (threshold 1) it is 1 to rounding.
  CHECK(same.similarity > 0.9);
  svcca_params all;
  all.variance_threshold = 1.0;
  all.epsilon = 0.0;
  CHECK(svcca(X, A * X, all).similarity == doctest::Approx(1.0).epsilon(1e-9));
  const auto orth = svcca(X, (X.colwise() + Eigen::VectorXd::Constant(20, 2.0)) * 3.0);  // shift and scale: same PCs
  CHECK(orth.similarity == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(orth.k_x == orth.k_y);
  const auto indep = svcca(gaussian(5, 20000, g), gaussian(5, 20000, g));
  CHECK(indep.similarity < 0.03);
}

TEST_CASE("svcca: max >= mean, and PWCCA weights match canonical variates computed directly") {
  rng g(23);
  const Eigen::MatrixXd X = low_rank_activity(10, 7, 1000, g);
  const Eigen::MatrixXd Y = 0.5 * gaussian(9, 10, g) * X + low_rank_activity(9, 7, 1000, g);
  svcca_params p;
  p.epsilon = 0.0;
  p.summary = svcca_summary::mean;
  const double mean = svcca(X, Y, p).similarity;
  p.summary = svcca_summary::max;
  const double mx = svcca(X, Y, p).similarity;
  p.summary = svcca_summary::pwcca;
  const auto pw = svcca(X, Y, p);
  CHECK(mx >= mean);
  CHECK(pw.similarity <= mx);
  CHECK(pw.similarity >= pw.correlations.minCoeff());
  CHECK(pw.weights.sum() == doctest::Approx(1.0));
  // Directly: canonical variates h_i = a_iᵀ Z_x (unit norm), α_i ∝ Σ_j |⟨h_i, x_j⟩| over centred units.
  const auto ref = reference_svcca(X, Y, 0.0);
  const Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean();
  const Index r = pw.correlations.size();
  Eigen::VectorXd w(r);
  for (Index i = 0; i < r; ++i) {
    Eigen::VectorXd h = (ref.ax.col(i).transpose() * ref.Zx).transpose();
    h.normalize();
    w(i) = (Xc * h).cwiseAbs().sum();
  }
  w /= w.sum();
  CHECK((w - pw.weights).cwiseAbs().maxCoeff() < 1e-8);
}

TEST_CASE("svcca: factors computed once give the same value, and bad input is a clear error") {
  rng g(24);
  const Eigen::MatrixXd X = low_rank_activity(8, 5, 500, g), Y = low_rank_activity(8, 5, 500, g);
  const svcca_params p;
  const auto a = svcca(X, Y, p);
  const auto b = svcca(factor_activity(X, p.reduction()), factor_activity(Y, p.reduction()), p);
  CHECK(a.similarity == b.similarity);
  CHECK_THROWS_AS(svcca(X, low_rank_activity(8, 5, 400, g)), shape_error);
  CHECK_THROWS_AS(svcca(factor_activity(X), factor_activity(low_rank_activity(8, 5, 400, g))), shape_error);
  CHECK_THROWS_AS(svcca(gaussian(8, 8, g), gaussian(8, 8, g)), shape_error);
  Eigen::MatrixXd Z = Y;
  Z(3, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(svcca(X, Z), argument_error);
  CHECK_THROWS_AS(svcca(X, Eigen::MatrixXd::Constant(8, 500, -1.0)), argument_error);
  svcca_params bad;
  bad.variance_threshold = 1.5;
  CHECK_THROWS_WITH_AS(svcca(X, Y, bad), doctest::Contains("variance_threshold"), argument_error);
}
