// Tests of analysis/radd.hpp (kept in test_ibl, next to the IBL network it distils, to spare a rebuild
// of the larger test_analysis).
#include <doctest/doctest.h>

#include <rnnlab/analysis/radd.hpp>

#include <cmath>

using namespace rnnlab;

namespace {

struct radd_test_system {
  Eigen::MatrixXd A, B, Z, U;
  Eigen::VectorXd c, z0;
};

// A known 2-unit tanh RNN driven by 3 random inputs (IBL-like: two stimulus channels and feedback).
radd_test_system radd_test_make(Index T, std::uint64_t seed) {
  radd_test_system s;
  s.A.resize(2, 2);
  s.A << 0.9, -0.3, 0.25, 0.7;
  s.B.resize(2, 3);
  s.B << 0.4, -0.5, 0.1, -0.2, 0.3, 0.6;
  s.c.resize(2);
  s.c << 0.05, -0.1;
  s.z0 = Eigen::VectorXd::Zero(2);
  auto g = make_stream(seed, 0, stream_purpose::training);
  s.U.resize(3, T);
  for (Index i = 0; i < s.U.size(); ++i) s.U.data()[i] = standard_normal(g);
  s.Z.resize(2, T);
  Eigen::VectorXd z = s.z0;
  for (Index t = 0; t < T; ++t) {
    z = (s.A * z + s.B * s.U.col(t) + s.c).array().tanh().matrix();
    s.Z.col(t) = z;
  }
  return s;
}

}  // namespace

TEST_CASE("RADD recovers a known 2-unit tanh RNN's A, B, c from its own trajectory") {
  const auto s = radd_test_make(400, 3);
  radd_params p;
  p.scale = 1.0;  // the teacher is itself in tanh's units
  const auto r = radd_fit(s.Z, s.U, s.z0, p);
  CHECK(r.status == radd_status::ok);
  CHECK((r.model.A - s.A).cwiseAbs().maxCoeff() < 1e-8);
  CHECK((r.model.B - s.B).cwiseAbs().maxCoeff() < 1e-8);
  CHECK((r.model.c - s.c).cwiseAbs().maxCoeff() < 1e-8);
  CHECK(r.train_steps.size() + r.test_steps.size() == 400);
  CHECK(r.test_steps.size() == 132);  // floor(0.33 · 400)
  REQUIRE(r.r2_test.size() == 2);
  CHECK(r.r2_test.minCoeff() > 1 - 1e-12);
  // The closed loop of the recovered model retraces the teacher.
  const auto e = radd_closed_loop_error(r.model, s.Z, s.U, s.z0);
  CHECK(e.rmse < 1e-8);
  // The random-parameter control does not.
  const auto control = radd_random_model(2, 3, 7);
  CHECK(radd_closed_loop_error(control, s.Z, s.U, s.z0).rmse > 0.1);
}

TEST_CASE("RADD with the automatic scale fits in z / s units and is seeded") {
  const auto s = radd_test_make(300, 5);
  const auto r = radd_fit(s.Z, s.U, s.z0);
  const double zmax = s.Z.cwiseAbs().maxCoeff();
  CHECK(r.model.scale == doctest::Approx(1.01 * zmax).epsilon(1e-15));
  // z/s is not the teacher's own tanh state: the fit is approximate but close, and its closed loop
  // tracks the scaled teacher far better than the random control.
  CHECK(r.r2_test_mean > 0.9);
  const double fitted = radd_closed_loop_error(r.model, s.Z, s.U, s.z0).rmse;
  const double control = radd_closed_loop_error(radd_random_model(2, 3, 1, r.model.scale), s.Z, s.U, s.z0).rmse;
  CHECK(fitted < 0.5 * control);
  const auto again = radd_fit(s.Z, s.U, s.z0);
  CHECK(again.test_steps == r.test_steps);
  CHECK(again.model.A == r.model.A);
  radd_params other;
  other.seed = 2;
  CHECK(radd_fit(s.Z, s.U, s.z0, other).test_steps != r.test_steps);
}

TEST_CASE("RADD time-difference table on a quadratic trajectory") {
  // z_t = t² (M = 1): Δ¹ = 2t + 1, Δ² = 2, Δ³ = 0.
  Eigen::MatrixXd Z(1, 6);
  for (Index t = 0; t < 6; ++t) Z(0, t) = static_cast<double>(t * t);
  const auto tab = time_difference_table(Z, 4);
  REQUIRE(tab.size() == 4);
  CHECK(tab[0].norm_mean == 0.0);
  CHECK(tab[1].norm_mean == doctest::Approx(5.0));  // mean of 1, 3, 5, 7, 9
  CHECK(tab[1].norm_var == doctest::Approx(8.0));   // population variance of 1 … 9 step 2
  CHECK(tab[2].norm_mean == doctest::Approx(2.0));
  CHECK(tab[2].norm_var == doctest::Approx(0.0));
  CHECK(tab[3].norm_mean == doctest::Approx(0.0));
  // M = 2 divides by √2: two identical rows give ‖·‖ = √2 |Δ|, so the same mean.
  Eigen::MatrixXd Z2(2, 6);
  Z2.row(0) = Z.row(0);
  Z2.row(1) = Z.row(0);
  CHECK(time_difference_table(Z2, 2)[1].norm_mean == doctest::Approx(5.0));
}

TEST_CASE("RADD rejects malformed input before any work") {
  const auto s = radd_test_make(50, 1);
  CHECK_THROWS_AS(radd_fit(s.Z, s.U.topRows(2).leftCols(49), s.z0), shape_error);
  CHECK_THROWS_AS(radd_fit(s.Z, s.U, Eigen::VectorXd::Zero(3)), shape_error);
  Eigen::MatrixXd bad = s.Z;
  bad(1, 7) = std::nan("");
  CHECK_THROWS_AS(radd_fit(bad, s.U, s.z0), argument_error);
  radd_params small;
  small.scale = 0.5 * s.Z.cwiseAbs().maxCoeff();  // z / s outside (−1, 1): arctanh undefined
  CHECK_THROWS_WITH_AS(radd_fit(s.Z, s.U, s.z0, small), doctest::Contains("params.scale"), argument_error);
  radd_params frac;
  frac.test_fraction = 1.0;
  CHECK_THROWS_AS(radd_fit(s.Z, s.U, s.z0, frac), argument_error);
  CHECK_THROWS_AS(radd_fit(s.Z.leftCols(5), s.U.leftCols(5), s.z0), argument_error);  // 3 rows < 6 coefficients
  CHECK_THROWS_AS(time_difference_table(s.Z, 0), argument_error);
  CHECK_THROWS_AS(radd_random_model(0, 3, 1), shape_error);
}
