#include <doctest/doctest.h>

#include <rnnlab/learning/rls.hpp>
#include <rnnlab/random.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <limits>

using namespace rnnlab;

namespace {

// A small linear problem: n regressors, K samples, D outputs d = W* r + noise.
struct rls_test_problem {
  Eigen::MatrixXd R, Dm;  // n × K, D × K
  rls_test_problem(Index n, Index K, Index D, std::uint64_t seed) : R(n, K), Dm(D, K) {
    auto g = make_stream(seed, 0, stream_purpose::analysis);
    Eigen::MatrixXd W(D, n);
    for (Index i = 0; i < W.size(); ++i) W.data()[i] = standard_normal(g);
    for (Index i = 0; i < R.size(); ++i) R.data()[i] = standard_normal(g);
    Dm = W * R;
    for (Index i = 0; i < Dm.size(); ++i) Dm.data()[i] += 0.3 * standard_normal(g);
  }
};

}  // namespace

TEST_CASE("rls: after K updates the weights equal the batch regularised least-squares solution") {
  const Index n = 6, K = 40, D = 3;
  const rls_test_problem pr(n, K, D, 11);
  for (const double alpha : {1e-3, 1.0, 50.0}) {
    CAPTURE(alpha);
    rls P(n, alpha);
    Eigen::MatrixXd W = Eigen::MatrixXd::Zero(D, n);
    for (Index k = 0; k < K; ++k) {
      const Eigen::VectorXd r = pr.R.col(k);
      const Eigen::VectorXd e = W * r - pr.Dm.col(k);  // a-priori error
      REQUIRE(P.update(r) == rls_status::ok);
      P.correct(W, e);
    }
    // Batch: W = D Rᵀ (α I + R Rᵀ)⁻¹ and P = (α I + R Rᵀ)⁻¹.
    const Eigen::MatrixXd A = alpha * Eigen::MatrixXd::Identity(n, n) + pr.R * pr.R.transpose();
    const Eigen::MatrixXd Ainv = A.ldlt().solve(Eigen::MatrixXd::Identity(n, n));
    const Eigen::MatrixXd W_batch = (pr.Dm * pr.R.transpose()) * Ainv;
    CHECK((W - W_batch).cwiseAbs().maxCoeff() <= 1e-10 * std::max(1.0, W_batch.cwiseAbs().maxCoeff()));
    const Eigen::MatrixXd Pf = P.covariance();
    CHECK((Pf - Ainv).cwiseAbs().maxCoeff() <= 1e-10 * std::max(1.0, Ainv.cwiseAbs().maxCoeff()));
    CHECK(Pf == Pf.transpose());  // symmetric by construction, bit for bit
    CHECK(P.updates() == K);
  }
}

TEST_CASE("rls: the gain is P_new r, and a float weight matrix is corrected with it") {
  const Index n = 4;
  rls P(n, 2.0);
  Eigen::VectorXd r(n);
  r << 0.5, -1.0, 0.25, 2.0;
  REQUIRE(P.update(r) == rls_status::ok);
  const Eigen::VectorXd Pr_new = P.covariance() * r;
  CHECK((P.gain() - Pr_new).cwiseAbs().maxCoeff() < 1e-14);
  // Hand value: P0 = I/2, k = (r/2) / (1 + |r|²/2).
  const Eigen::VectorXd k = (r / 2.0) / (1.0 + r.squaredNorm() / 2.0);
  CHECK((P.gain() - k).cwiseAbs().maxCoeff() < 1e-15);
  Eigen::MatrixXf W = Eigen::MatrixXf::Ones(2, n);
  Eigen::Vector2d e(1.0, -2.0);
  P.correct(W, e);
  CHECK(W(0, 3) == doctest::Approx(1.0 - 1.0 * k(3)).epsilon(1e-6));
  CHECK(W(1, 0) == doctest::Approx(1.0 + 2.0 * k(0)).epsilon(1e-6));
}

TEST_CASE("rls: numerical trouble is a status and leaves P as it was") {
  rls P(3, 1.0);
  Eigen::Vector3d r(1.0, 2.0, 3.0);
  REQUIRE(P.update(r) == rls_status::ok);
  const Eigen::MatrixXd before = P.covariance();
  const Eigen::VectorXd gain_before = P.gain();
  Eigen::Vector3d bad(1.0, std::numeric_limits<double>::quiet_NaN(), 0.0);
  CHECK(P.update(bad) == rls_status::not_positive_definite);
  CHECK(P.covariance() == before);
  CHECK(P.gain() == gain_before);
  Eigen::Vector3d huge(1e200, 1e200, 1e200);
  CHECK(P.update(huge) == rls_status::not_positive_definite);
  CHECK(P.covariance() == before);
  CHECK(P.updates() == 1);
}

TEST_CASE("rls: bad sizes and hyper-parameters are refused") {
  CHECK_THROWS_AS(rls(0, 1.0), argument_error);
  CHECK_THROWS_AS(rls(3, 0.0), argument_error);
  CHECK_THROWS_AS(rls(3, -1.0), argument_error);
  CHECK_THROWS_AS(rls(3, std::numeric_limits<double>::infinity()), argument_error);
  rls P(3, 1.0);
  CHECK_THROWS_AS(P.update(Eigen::VectorXd::Ones(4)), shape_error);
  Eigen::MatrixXd W(2, 4);
  CHECK_THROWS_AS(P.correct(W, Eigen::VectorXd::Ones(2)), shape_error);
}
