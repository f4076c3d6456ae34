// Fixed points where the Jacobian is singular or nearly so (issue 16, kind 1) and at the kink of a
// non-smooth activation (kind 2). The right values are analytic (acosh √2 is the fold of
// −x + 2 tanh x + b) or computed here by bisection in long double, independently of the Newton
// solver; stability at a kink is checked against iterating the map itself.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <doctest/doctest.h>

#include <rnnlab/analysis/dynamics/fixed_points.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace rnnlab;

namespace {

constexpr double hr_alpha = 0.1;

/// The fold of g(x) = −x + 2 tanh x + b: g′ = −1 + 2 sech² x = 0 at x* = acosh √2.
double hr_fold() { return std::acosh(std::sqrt(2.0)); }
double hr_fold_bias() { return hr_fold() - 2.0 * std::tanh(hr_fold()); }

/// A root of −x + 2 tanh x + b in [lo, hi] (g changes sign there), by bisection in long double.
long double hr_bisect(long double b, long double lo, long double hi) {
  const auto g = [b](long double x) { return -x + 2.0L * std::tanh(x) + b; };
  const bool up = g(lo) < 0.0L;
  for (int i = 0; i < 200; ++i) {
    const long double mid = 0.5L * (lo + hi);
    if ((g(mid) < 0.0L) == up)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5L * (lo + hi);
}

/// μ of the 1-unit map at x: 1 + α(2 sech² x − 1).
double hr_mu(double x) {
  const double t = std::tanh(x);
  return 1.0 + hr_alpha * (2.0 * (1.0 - t * t) - 1.0);
}

fixed_point_result hr_solve_one_unit(double b, Index n_starts) {
  Eigen::MatrixXd W(1, 1);
  W << 2.0;
  const fixed_point_system<activations::tanh> sys(W, Eigen::VectorXd::Constant(1, b), hr_alpha);
  auto g = make_stream(1, {16});
  const Eigen::MatrixXd starts = box_starts(1, n_starts, 5.0, g);
  return find_fixed_points(sys, starts);
}

}  // namespace

TEST_CASE("tanh unit at a fold: the simple root certified and stable, the double root once, marginal") {
  const double b = hr_fold_bias();
  const auto r = hr_solve_one_unit(b, 512);
  const double neg = static_cast<double>(hr_bisect(b, -4.0L, -1.0L));
  REQUIRE(r.fixed_points.size() == 2);
  std::vector<critical_point> pts = r.fixed_points;
  std::sort(pts.begin(), pts.end(), [](const critical_point& a, const critical_point& c) { return a.x(0) < c.x(0); });
  // the simple root: certified, its true position within the bound, stable
  CHECK(pts[0].certified);
  CHECK(std::abs(pts[0].x(0) - neg) <= pts[0].error_bound + 1e-15);
  CHECK(pts[0].error_bound < 1e-12);
  CHECK(pts[0].stability == stability_class::stable);
  // the double root at the fold: one point (not hundreds), within 1e-6 of x*, marginal
  CHECK(std::abs(pts[1].x(0) - hr_fold()) < 1e-6);
  CHECK(pts[1].stability == stability_class::marginal);
  // every start that converged went to one of the two
  Index n_at = 0;
  for (const auto& s : r.starts)
    if (s.status == fp_status::converged || s.status == fp_status::captured) ++n_at;
  CHECK(n_at == pts[0].n_starts + pts[1].n_starts);
}

TEST_CASE("tanh unit 1e-10 past a fold: three roots, the two 2.4e-5 apart certified with opposite classes") {
  const double b = hr_fold_bias() + 1e-10;
  const auto r = hr_solve_one_unit(b, 512);
  const double xs = hr_fold();
  const double exact[3] = {static_cast<double>(hr_bisect(b, -4.0L, -1.0L)),
                           static_cast<double>(hr_bisect(b, 0.5L, static_cast<long double>(xs))),
                           static_cast<double>(hr_bisect(b, static_cast<long double>(xs), 1.5L))};
  REQUIRE(exact[2] - exact[1] > 1e-5);  // the analytic picture: two simple roots either side of x*
  REQUIRE(r.fixed_points.size() == 3);
  std::vector<critical_point> pts = r.fixed_points;
  std::sort(pts.begin(), pts.end(), [](const critical_point& a, const critical_point& c) { return a.x(0) < c.x(0); });
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(pts[static_cast<std::size_t>(i)].certified);
    CHECK(std::abs(pts[static_cast<std::size_t>(i)].x(0) - exact[i]) <= pts[static_cast<std::size_t>(i)].error_bound + 1e-13);
    const double mu = hr_mu(exact[i]);
    CHECK(pts[static_cast<std::size_t>(i)].stability == (mu < 1.0 ? stability_class::stable : stability_class::unstable));
  }
}

TEST_CASE("tanh unit 1e-10 before a fold: no root there, so no fixed point there (a slow point at most)") {
  const double b = hr_fold_bias() - 1e-10;
  const auto r = hr_solve_one_unit(b, 512);
  REQUIRE(r.fixed_points.size() == 1);
  CHECK(std::abs(r.fixed_points[0].x(0) - static_cast<double>(hr_bisect(b, -4.0L, -1.0L))) < 1e-12);
  for (const auto& sp : r.slow_points) CHECK(std::abs(sp.x(0) - hr_fold()) < 1e-3);
}

TEST_CASE("2-D line attractor (linear units, W = diag(1, 0.5)): every point on the line and marginal") {
  Eigen::MatrixXd W(2, 2);
  W << 1.0, 0.0, 0.0, 0.5;
  Eigen::VectorXd c(2);
  c << 0.0, 0.3;  // roots: x₂ = 0.3 / (1 − 0.5) = 0.6, x₁ free
  const fixed_point_system<activations::linear> sys(W, c, 0.2);
  auto g = make_stream(2, {16});
  const auto r = find_fixed_points(sys, box_starts(2, 32, 3.0, g));
  REQUIRE(!r.fixed_points.empty());
  for (const auto& cp : r.fixed_points) {
    CHECK(std::abs(cp.x(1) - 0.6) < 1e-12);
    CHECK(cp.stability == stability_class::marginal);
  }
  // de-duplication is on final positions: no two reported points closer than the tolerance
  for (std::size_t a = 0; a < r.fixed_points.size(); ++a)
    for (std::size_t b2 = a + 1; b2 < r.fixed_points.size(); ++b2)
      CHECK((r.fixed_points[a].x - r.fixed_points[b2].x).norm() > fixed_point_params{}.dedup_tolerance);
}

TEST_CASE("merging close points is transitive: a chain 0.8e-6 apart with tolerance 1e-6 is one point") {
  fixed_point_result r;
  for (int i = 0; i < 4; ++i) {
    critical_point cp;
    cp.x = Eigen::VectorXd::Constant(1, 0.8e-6 * i);
    cp.n_starts = 1;
    cp.certified = true;
    cp.error_bound = i == 2 ? 1e-14 : 1e-12;
    r.fixed_points.push_back(cp);
  }
  critical_point far;
  far.x = Eigen::VectorXd::Constant(1, 1.0);
  far.n_starts = 2;
  r.fixed_points.push_back(far);
  r.starts.resize(5);
  for (Index k = 0; k < 5; ++k) {
    r.starts[static_cast<std::size_t>(k)].status = fp_status::converged;
    r.starts[static_cast<std::size_t>(k)].point = k;
  }
  detail::fp_merge_close_points(r, 1e-6);
  REQUIRE(r.fixed_points.size() == 2);
  CHECK(r.fixed_points[0].n_starts == 4);
  CHECK(r.fixed_points[0].x(0) == 1.6e-6);  // the member with the smallest error bound
  CHECK(r.starts[3].point == 0);
  CHECK(r.starts[4].point == 1);
}

TEST_CASE("a certified point whose error bound could move |mu| across 1 is marginal") {
  critical_point cp;
  cp.x = Eigen::VectorXd::Zero(1);
  cp.certified = true;
  cp.eigenvalues = Eigen::VectorXcd::Constant(1, std::complex<double>(1.0 - 1e-6, 0.0));
  cp.stability = stability_class::stable;
  fixed_point_params p;
  cp.error_bound = 1e-8;  // L·e = 1e-8 < gap 1e-6: the class stands
  detail::fp_margin_check(cp, 1.0, p);
  CHECK(cp.stability == stability_class::stable);
  cp.error_bound = 1e-5;  // L·e = 1e-5 > gap: could be either side
  detail::fp_margin_check(cp, 1.0, p);
  CHECK(cp.stability == stability_class::marginal);
  CHECK(cp.n_marginal == 1);
}

namespace {

/// The Euler map of a ReLU network x ↦ (1 − α)x + α(W relu(x) + c), iterated T steps.
// A 2-vector built as a dynamic vector: converting a fixed Eigen::Vector2d into the VectorXd parameter
// below trips GCC 12's -Warray-bounds at -O3 -march=native on a 512-bit packet path it never takes.
Eigen::VectorXd hr_vec2(double a, double b) {
  Eigen::VectorXd v(2);
  v(0) = a;
  v(1) = b;
  return v;
}

Eigen::VectorXd hr_iterate_relu(const Eigen::MatrixXd& W, double alpha, Eigen::VectorXd x, int T) {
  for (int t = 0; t < T; ++t) x = (1.0 - alpha) * x + alpha * (W * x.cwiseMax(0.0));
  return x;
}

critical_point hr_relu_origin(const Eigen::MatrixXd& W, double alpha) {
  const fixed_point_system<activations::relu> sys(W, Eigen::VectorXd::Zero(W.rows()), alpha);
  auto g = make_stream(3, {16});
  const auto r = find_fixed_points(sys, box_starts(W.rows(), 256, 2.0, g));
  const auto it = std::find_if(r.fixed_points.begin(), r.fixed_points.end(),
                               [](const critical_point& cp) { return cp.x.norm() < 1e-9; });
  REQUIRE(it != r.fixed_points.end());
  return *it;
}

}  // namespace

TEST_CASE("ReLU origin on every kink: a growing ray (1, 1) makes it a saddle, never 'stable'") {
  Eigen::MatrixXd W(2, 2);
  W << 1.2, 0.5, 0.5, 1.2;
  const auto cp = hr_relu_origin(W, 0.5);
  CHECK(cp.stability == stability_class::saddle);
  CHECK(std::abs(cp.eigenvalues(0)) == doctest::Approx(1.35).epsilon(1e-12));  // the growing piece
  // the map itself: from (1e-6, 1e-6) growth by 1.35 per step; from (−1e-6, −1e-6) decay by 0.5
  const Eigen::VectorXd up = hr_iterate_relu(W, 0.5, hr_vec2(1e-6, 1e-6), 30);
  CHECK(up.norm() == doctest::Approx(std::sqrt(2.0) * 1e-6 * std::pow(1.35, 30)).epsilon(1e-9));
  CHECK(hr_iterate_relu(W, 0.5, hr_vec2(-1e-6, -1e-6), 30).norm() < 1e-14);
}

TEST_CASE("ReLU origin where every one-sided piece contracts: stable, and the map agrees") {
  Eigen::MatrixXd W(2, 2);
  W << 0.2, 0.1, 0.1, 0.2;
  const auto cp = hr_relu_origin(W, 0.5);
  CHECK(cp.stability == stability_class::stable);
  for (const Eigen::VectorXd& x0 : {hr_vec2(1e-3, 1e-3), hr_vec2(-1e-3, 2e-3), hr_vec2(1e-3, -1e-3)})
    CHECK(hr_iterate_relu(W, 0.5, x0, 200).norm() < 1e-12);
}

TEST_CASE("ReLU origin where the pieces decide nothing: non_smooth, not a confident class") {
  Eigen::MatrixXd W(2, 2);
  W << 0.0, 2.5, -2.5, 0.0;  // the all-positive piece rotates (complex μ), the others do not contract
  const fixed_point_system<activations::relu> sys(W, Eigen::VectorXd::Zero(2), 0.5);
  const critical_point cp = analyse_point(sys, Eigen::VectorXd::Zero(2));
  CHECK(cp.stability == stability_class::non_smooth);
  CHECK(to_name(cp.stability) == "non_smooth");
}
