// The analysis concepts (analysis/concepts.hpp) driven through their archetypes
// (tests/support/analysis_archetypes.hpp): a hand-written rate RNN through the fixed-point
// solver, with roots known independently, and a hand-written metric through distance_matrix.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include <rnnlab/analysis/concepts.hpp>
#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/random.hpp>

#include "../support/analysis_archetypes.hpp"
#include "../support/random_matrices.hpp"

using namespace rnnlab;
using rnnlab::test::gaussian;
using rnnlab::test::gram_cka_metric;
using rnnlab::test::rate_rnn_system;

namespace {

/// The roots of g(h) = tanh(w h + c) − h, by bisection on every sign change of a fine grid over
/// [−1.5, 1.5] (|tanh| < 1 keeps every root inside), each to the last bit.
std::vector<double> scalar_roots(double w, double c) {
  const auto g = [&](double h) { return std::tanh(w * h + c) - h; };
  std::vector<double> roots;
  const int n = 30000;
  for (int k = 0; k < n; ++k) {
    double a = -1.5 + 3.0 * k / n, b = -1.5 + 3.0 * (k + 1) / n;
    double ga = g(a), gb = g(b);
    if (ga == 0.0) roots.push_back(a);
    if (ga * gb >= 0.0) continue;
    for (int it = 0; it < 200 && b - a > 0.0; ++it) {
      const double m = 0.5 * (a + b);
      if (m == a || m == b) break;
      const double gm = g(m);
      if ((gm < 0.0) == (ga < 0.0)) {
        a = m;
        ga = gm;
      } else {
        b = m;
      }
    }
    roots.push_back(0.5 * (a + b));
  }
  return roots;
}

struct missing_jacobian {  // negative: no jacobian_from_cache
  Index n_units() const { return 1; }
  void evaluate(const Eigen::VectorXd&, Eigen::VectorXd&, Eigen::VectorXd&) const {}
  Eigen::VectorXd residual(const Eigen::VectorXd& x) const { return x; }
  double jacobian_lipschitz() const { return 0.0; }
  bool is_odd() const { return false; }
};

struct no_factor_type {  // negative: a distance without a factor type
  double distance(const Eigen::MatrixXd&, const Eigen::MatrixXd&) const { return 0.0; }
};

}  // namespace

static_assert(!FixedPointSystem<missing_jacobian>);
static_assert(!FixedPointSystem<int>);
static_assert(!SimilarityMetric<no_factor_type>);
static_assert(!SimilarityMetric<distance_matrix_params>);

TEST_CASE("FixedPointSystem archetype: one tanh unit h = tanh(2h) has the roots 0 and ±r with known stability") {
  const rate_rnn_system sys{Eigen::MatrixXd::Constant(1, 1, 2.0), Eigen::VectorXd::Zero(1)};
  REQUIRE(sys.is_odd());
  const auto roots = scalar_roots(2.0, 0.0);
  REQUIRE(roots.size() == 3);
  const double r = roots[2];
  CHECK(r == doctest::Approx(0.9575040240772687).epsilon(1e-12));  // r = tanh(2r)
  const Eigen::MatrixXd starts = Eigen::RowVectorXd::LinSpaced(25, -3.0, 3.0);
  const auto res = find_fixed_points(sys, starts);
  REQUIRE(res.fixed_points.size() == 3);
  CHECK(res.n_certified_starts() == 25);
  for (const auto& fp : res.fixed_points) {
    const double x = fp.x(0);
    const double root = *std::min_element(roots.begin(), roots.end(), [&](double a, double b) {
      return std::abs(a - x) < std::abs(b - x);
    });
    CHECK(std::abs(x - root) <= 1e-12);
    CHECK(fp.residual < 1e-10);
    // the map's derivative 1 + F′(h) = 2(1 − tanh²(2h)): 2 at the origin, 2(1 − r²) at ±r
    const double mu = 2.0 * (1.0 - std::tanh(2.0 * root) * std::tanh(2.0 * root));
    CHECK(std::abs(fp.eigenvalues(0).real() - mu) <= 1e-10);
    CHECK(fp.stability == (root == 0.0 ? stability_class::unstable : stability_class::stable));
  }
}

TEST_CASE("FixedPointSystem archetype: two decoupled tanh units with biases have the 9 product roots") {
  // Unit i's roots are those of tanh(w_i h + c_i) − h; the system's roots are all pairs of them.
  // Stable where both units are stable, unstable where both are unstable, saddle otherwise.
  const double w0 = 2.0, c0 = 0.1, w1 = 3.0, c1 = -0.2;
  const auto r0 = scalar_roots(w0, c0), r1 = scalar_roots(w1, c1);
  REQUIRE(r0.size() == 3);
  REQUIRE(r1.size() == 3);
  rate_rnn_system sys{Eigen::MatrixXd::Zero(2, 2), (Eigen::VectorXd(2) << c0, c1).finished()};
  sys.W(0, 0) = w0;
  sys.W(1, 1) = w1;
  REQUIRE_FALSE(sys.is_odd());
  rng g(5);
  const Eigen::MatrixXd starts = box_starts(2, 400, 2.0, g);
  const auto res = find_fixed_points(sys, starts);
  REQUIRE(res.fixed_points.size() == 9);
  for (const auto& fp : res.fixed_points) {
    double best = 1e300;
    std::size_t i0 = 0, i1 = 0;
    for (std::size_t a = 0; a < 3; ++a)
      for (std::size_t b = 0; b < 3; ++b) {
        const double d = std::hypot(fp.x(0) - r0[a], fp.x(1) - r1[b]);
        if (d < best) {
          best = d;
          i0 = a;
          i1 = b;
        }
      }
    CHECK(best <= 1e-12);
    // the middle root of each unit (index 1) is its unstable one
    const int n_unstable = (i0 == 1) + (i1 == 1);
    CHECK(fp.n_unstable == n_unstable);
    CHECK(fp.stability == (n_unstable == 0   ? stability_class::stable
                           : n_unstable == 2 ? stability_class::unstable
                                             : stability_class::saddle));
  }
  CHECK(res.count(stability_class::stable) == 4);
  CHECK(res.count(stability_class::saddle) == 4);
  CHECK(res.count(stability_class::unstable) == 1);
  // analyse_point takes the same system: the residual of a known root is at rounding level
  const Eigen::VectorXd known = (Eigen::VectorXd(2) << r0[0], r1[2]).finished();
  const auto cp = analyse_point(sys, known);
  CHECK(cp.residual <= 1e-15);
  CHECK(cp.stability == stability_class::stable);
}

TEST_CASE("SimilarityMetric archetype: distance_matrix with a user metric equals 1 − linear CKA") {
  rng g(23);
  std::vector<Eigen::MatrixXd> acts;
  const Eigen::MatrixXd latent = gaussian(4, 300, g);
  for (Index i = 0; i < 6; ++i) acts.push_back(gaussian(7 + i, 4, g) * latent + 0.5 * gaussian(7 + i, 300, g));
  const std::span<const Eigen::MatrixXd> s(acts);
  const auto user = distance_matrix(s, gram_cka_metric{}, 2);
  REQUIRE(user.status == similarity_status::ok);
  CHECK(user.distances.diagonal().cwiseAbs().maxCoeff() == 0.0);
  CHECK((user.distances - user.distances.transpose()).cwiseAbs().maxCoeff() == 0.0);
  const auto lib = distance_matrix(s, cka_metric{}, 2);  // the library's factored CKA
  REQUIRE(lib.status == similarity_status::ok);
  CHECK((user.distances - lib.distances).cwiseAbs().maxCoeff() <= 1e-10);
  CHECK(user.distances.maxCoeff() > 0.05);  // not a degenerate population
  // an orthogonal transform and a scaling of a network's units leave CKA unchanged
  const Eigen::MatrixXd Q = rnnlab::test::orthogonal(7, g);
  const gram_cka_metric m;
  CHECK(m.distance(m.factor(acts[0]), m.factor(3.0 * Q * acts[0])) <= 1e-12);
  // a metric's own preconditions are enforced by its factor, for every network
  acts[3].setConstant(1.0);
  CHECK_THROWS_AS(distance_matrix(std::span<const Eigen::MatrixXd>(acts), gram_cka_metric{}), argument_error);
}

TEST_CASE("distance_matrix: the metric policies give the enum entry point's matrix, and equal their pairwise distance") {
  rng g(41);
  std::vector<Eigen::MatrixXd> acts;
  const Eigen::MatrixXd latent = gaussian(5, 400, g);
  for (Index i = 0; i < 5; ++i) acts.push_back(gaussian(9 + i, 5, g) * latent + 0.4 * gaussian(9 + i, 400, g));
  const std::span<const Eigen::MatrixXd> s(acts);
  distance_matrix_params p;
  const auto check_policy = [&](const auto& metric) {
    const auto by_enum = distance_matrix(s, p);
    const auto by_policy = distance_matrix(s, metric);
    REQUIRE(by_policy.status == similarity_status::ok);
    CHECK((by_enum.distances - by_policy.distances).cwiseAbs().maxCoeff() == 0.0);
    CHECK(by_enum.components == by_policy.components);
    std::vector<activity_factor> f;
    for (const auto& X : acts) f.push_back(metric.factor(X));
    for (std::size_t i = 0; i < acts.size(); ++i)
      for (std::size_t j = 0; j < acts.size(); ++j)
        if (i != j)
          CHECK(std::abs(metric.distance(f[i], f[j]) - by_policy.distances(static_cast<Index>(i), static_cast<Index>(j))) <=
                1e-10);
    const auto from_factors = distance_matrix_from_factors(std::span<const activity_factor>(f), metric, 1);
    CHECK((from_factors.distances - by_policy.distances).cwiseAbs().maxCoeff() <= 1e-12);
  };
  p.metric = similarity_metric::svcca;
  check_policy(svcca_metric{p.svcca});
  p.metric = similarity_metric::cca;
  check_policy(cca_metric{p.reduction, p.cca_epsilon});
  p.metric = similarity_metric::cka;
  p.cka_debiased = true;
  check_policy(cka_metric{p.reduction, true});
  p.metric = similarity_metric::procrustes;
  check_policy(procrustes_metric{p.reduction});
}
