// Tests of analysis/logistic.hpp and ibl/representation.hpp.
#include <doctest/doctest.h>

#include <rnnlab/analysis/logistic.hpp>
#include <rnnlab/ibl/representation.hpp>

#include <cmath>
#include <numbers>

using namespace rnnlab;

namespace {

Eigen::MatrixXd repr_row(std::initializer_list<double> v) {
  Eigen::MatrixXd X(1, static_cast<Index>(v.size()));
  Index i = 0;
  for (double x : v) X(0, i++) = x;
  return X;
}

}  // namespace

TEST_CASE("logistic regression: hand-solved non-separable cases") {
  // No intercept, x = ±1: 3 of 4 positive at +1, 1 of 4 at −1. Score 6 − 8σ(w) = 0 → w = ln 3.
  const auto X = repr_row({1, 1, 1, 1, -1, -1, -1, -1});
  const std::vector<int> y{1, 1, 1, 0, 1, 0, 0, 0};
  const auto m = logistic_fit(X, y);
  CHECK(m.status == logistic_status::converged);
  CHECK(m.w(0) == doctest::Approx(std::log(3.0)).epsilon(1e-12));
  CHECK(m.b == 0.0);
  CHECK(m.accuracy(X, y) == doctest::Approx(0.75));
  // Intercept, x ∈ {0, 1}: the saturated model, b = logit(1/4) = −ln 3, b + w = logit(3/4) → w = 2 ln 3.
  const auto X2 = repr_row({0, 0, 0, 0, 1, 1, 1, 1});
  const std::vector<int> y2{1, 0, 0, 0, 1, 1, 1, 0};
  logistic_params with_b;
  with_b.intercept = true;
  const auto m2 = logistic_fit(X2, y2, with_b);
  CHECK(m2.status == logistic_status::converged);
  CHECK(m2.b == doctest::Approx(-std::log(3.0)).epsilon(1e-12));
  CHECK(m2.w(0) == doctest::Approx(2 * std::log(3.0)).epsilon(1e-12));
  CHECK(m2.log_likelihood == doctest::Approx(8 * (0.25 * std::log(0.25) + 0.75 * std::log(0.75))));
}

TEST_CASE("logistic regression: separable data stops with a status, ridge gives the hand-solved estimate") {
  const auto X = repr_row({-2, -1, 1, 2});
  const std::vector<int> y{0, 0, 1, 1};
  const auto m = logistic_fit(X, y);
  CHECK(m.status == logistic_status::separable);
  CHECK(m.w(0) > 0);
  CHECK(m.accuracy(X, y) == 1.0);
  // x = ±1, y = (x > 0), ridge λ: the score 2(1 − σ(w)) − λ w = 0; λ = 1 / (2 ln 3) puts w at ln 3.
  const auto X1 = repr_row({1, -1});
  logistic_params ridge;
  ridge.ridge = 0.5 / std::log(3.0);
  const auto r = logistic_fit(X1, {1, 0}, ridge);
  CHECK(r.status == logistic_status::converged);
  CHECK(r.w(0) == doctest::Approx(std::log(3.0)).epsilon(1e-12));
}

TEST_CASE("logistic regression: collinear features are singular without ridge; bad input throws") {
  Eigen::MatrixXd X(2, 6);
  X.row(0) << 1, -1, 2, -2, 0.5, -0.5;
  X.row(1) = X.row(0);
  const std::vector<int> y{1, 0, 0, 1, 1, 0};
  CHECK(logistic_fit(X, y).status == logistic_status::singular);
  logistic_params ridge;
  ridge.ridge = 1e-3;
  const auto m = logistic_fit(X, y, ridge);
  CHECK(m.status == logistic_status::converged);
  CHECK(m.w(0) == doctest::Approx(m.w(1)).epsilon(1e-9));  // the penalty splits the weight evenly
  CHECK_THROWS_AS(logistic_fit(X, {1, 0, 2, 1, 1, 0}), argument_error);
  CHECK_THROWS_AS(logistic_fit(X, {1, 0}), shape_error);
  Eigen::MatrixXd bad = X;
  bad(0, 2) = std::nan("");
  CHECK_THROWS_AS(logistic_fit(bad, y), argument_error);
  CHECK_THROWS_AS(logistic_holdout(X, y, {}, 1.0), argument_error);
}

TEST_CASE("logistic holdout: a seeded split of the stated size") {
  Eigen::MatrixXd X(1, 100);
  std::vector<int> y(100);
  for (Index i = 0; i < 100; ++i) {
    X(0, i) = static_cast<double>(i % 10) - 4.5;
    y[static_cast<std::size_t>(i)] = (i % 7) < 4 ? (X(0, i) > 0) : (X(0, i) < 0);
  }
  const auto a = logistic_holdout(X, y, {}, 0.33, 4), b = logistic_holdout(X, y, {}, 0.33, 4);
  CHECK(a.test_samples.size() == 33);
  CHECK(a.train_samples.size() == 67);
  CHECK(a.test_samples == b.test_samples);
  CHECK(a.model.w(0) == b.model.w(0));
  CHECK(logistic_holdout(X, y, {}, 0.33, 5).test_samples != a.test_samples);
}

TEST_CASE("angles and subspace fractions on constructed vectors") {
  Eigen::VectorXd u(3), v(3);
  u << 1, 0, 0;
  v << 1, 1, 0;
  CHECK(angle_degrees(u, v) == doctest::Approx(45.0));
  CHECK(angle_degrees(u, -u) == doctest::Approx(180.0));
  Eigen::MatrixXd C = Eigen::MatrixXd::Zero(3, 2);
  C(0, 0) = 1;
  C(1, 1) = 1;
  Eigen::VectorXd w(3);
  w << 1, 1, 1;
  CHECK(fraction_in_subspace(C, w) == doctest::Approx(2.0 / 3.0));
  CHECK_THROWS_AS(angle_degrees(u, Eigen::VectorXd::Zero(3)), argument_error);
  CHECK_THROWS_AS(angle_degrees(u, Eigen::VectorXd::Ones(2)), shape_error);
}

TEST_CASE("IBL representation analysis on constructed states with known readout angles") {
  // h_t = (3 x_t, y_t, 0.01 n_t, 0.01 m_t): PC1 = unit 0, PC2 = unit 1; the block side shifts y.
  const Index T = 1200;
  auto g = make_stream(11, 0, stream_purpose::training);
  Eigen::MatrixXd H(4, T);
  std::vector<int> side(static_cast<std::size_t>(T));
  for (Index t = 0; t < T; ++t) {
    const int b = (t / 100) % 2 ? 1 : -1;
    side[static_cast<std::size_t>(t)] = b;
    H(0, t) = 3 * standard_normal(g);
    H(1, t) = 0.5 * b + 0.5 * standard_normal(g);
    H(2, t) = 0.01 * standard_normal(g);
    H(3, t) = 0.01 * standard_normal(g);
  }
  Eigen::VectorXd readout(4);
  readout << -1, 1, 0, 1;  // its PC1 projection is negative whatever the SVD's sign: PC1 gets flipped to it
  const auto r = ibl_representation_analysis(H, readout, side);
  CHECK(r.explained_variance_2 > 0.999);
  CHECK(r.axes.col(0).dot(r.trial_readout) > 0);
  CHECK(std::abs(r.axes(0, 0)) == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(r.trial_readout_fraction_in_plane == doctest::Approx(2.0 / 3.0).epsilon(1e-3));
  // Block readout ≈ +unit 1 (right block = larger y): the angles are those of (−1, 1, 0, 1) with e₁:
  // full space arccos(1/√3) = 54.7°, plane arccos(1/√2) = 45°.
  CHECK(r.block_readout(1) > 0.99);
  CHECK(r.angle_full_degrees == doctest::Approx(54.7356).epsilon(0.05));
  CHECK(r.angle_plane_degrees == doctest::Approx(45.0).epsilon(0.05));
  // Accuracy of a 1-D Gaussian classifier with means ±0.5 and sd 0.5: Φ(1) = 0.841.
  CHECK(r.block_classifier_plane.test_accuracy == doctest::Approx(0.841).epsilon(0.05));
  CHECK(r.block_classifier_full.test_accuracy == doctest::Approx(0.841).epsilon(0.05));
  // Task-aligned coordinates are the plane coordinates in the (trial, block) basis.
  CHECK(std::abs(r.task_aligned(0, 5) - r.trial_readout_plane.dot(r.pcs.col(5))) < 1e-12);
  CHECK(std::abs(r.task_aligned(1, 5) - r.block_readout_plane.dot(r.pcs.col(5))) < 1e-12);
  std::vector<int> bad = side;
  bad[3] = 0;
  CHECK_THROWS_AS(ibl_representation_analysis(H, readout, bad), argument_error);
  CHECK_THROWS_AS(ibl_representation_analysis(H, readout.head(3), side), shape_error);
}

TEST_CASE("ibl_record replays ibl_run_network and records consistent states") {
  auto g = make_stream(3, 0, stream_purpose::initialization);
  auto p = ibl_network_init(6, g);
  p.W_out *= 4.0;
  ibl_params task;
  task.min_block_length = 3;
  task.max_block_length = 5;
  task.n_blocks = 2;
  rng sg(8);
  const auto session = ibl_sample_session(task, sg);
  ibl_environment env(task);
  const auto run = ibl_run_network(p, env, session);
  const auto rec = ibl_record(p, env, session);
  REQUIRE(rec.n_steps() == static_cast<Index>(run.inputs.size()));
  Eigen::VectorXd h = Eigen::VectorXd::Zero(6);
  for (Index t = 0; t < rec.n_steps(); ++t) {
    const auto& o = run.inputs[static_cast<std::size_t>(t)];
    CHECK((rec.inputs(0, t) == o[0] && rec.inputs(1, t) == o[1] && rec.inputs(2, t) == o[2]));
    h = (p.W_rec * h + p.W_in * rec.inputs.col(t) + p.b).array().tanh().matrix();
    CHECK((rec.hidden.col(t) - h).norm() < 1e-14);
  }
  Index ends = 0;
  for (char e : rec.trial_end) ends += e;
  CHECK(ends == static_cast<Index>(rec.trials.size()));
  CHECK(rec.trials.size() == run.trials.size());
}

TEST_CASE("a RADD model plays the IBL task with its readout scale") {
  radd_model m;
  m.A = Eigen::MatrixXd::Zero(2, 2);
  m.B = Eigen::MatrixXd::Zero(2, 3);
  m.B(0, 0) = -5;
  m.B(0, 1) = 5;  // unit 0 = tanh(5 (o_R − o_L)): a one-step stimulus integrator
  m.c = Eigen::VectorXd::Zero(2);
  ibl_params task;
  task.n_blocks = 6;
  rng sg(21);
  ibl_environment env(task);
  const auto rec = ibl_record_radd(m, 3.0, env, ibl_sample_session(task, sg));
  REQUIRE(rec.hidden.rows() == 2);
  for (Index t = 0; t < rec.n_steps(); ++t) {
    const double z = std::tanh(5 * (rec.inputs(1, t) - rec.inputs(0, t)));
    CHECK(rec.hidden(0, t) == doctest::Approx(z).epsilon(1e-14));
    CHECK(rec.action_probabilities(1, t) == doctest::Approx(1 / (1 + std::exp(-6 * z))).epsilon(1e-12));
  }
  // It acts on the sign of the first observation's evidence: right far more often than chance.
  CHECK(ibl_fraction_correct(rec) > 0.65);
  CHECK_THROWS_AS(ibl_record_radd(m, 0.0, env, ibl_sample_session(task, sg)), argument_error);
  radd_model wrong = m;
  wrong.B = Eigen::MatrixXd::Zero(2, 2);
  CHECK_THROWS_AS(ibl_record_radd(wrong, 1.0, env, ibl_sample_session(task, sg)), shape_error);
}
