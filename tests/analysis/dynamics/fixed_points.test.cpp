// GCC 12 at -O3 reports a false -Wrestrict inside std::string concatenations of the core headers'
// error messages once inlined here (GCC PR 105651); not a defect of this code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <doctest/doctest.h>

#include <rnnlab/analysis/dynamics/fixed_points.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace rnnlab;

namespace {

/// f(x) = x: a linear network, whose rank-one W gives an exact line of fixed points.
struct identity_activation {
  static constexpr std::string_view name = "identity";
  static constexpr double max_abs_second_derivative = 0.0;
  static constexpr bool is_odd = true;
  static constexpr bool is_smooth = true;
  template <class D>
  static auto value(const Eigen::ArrayBase<D>& x) {
    return x.derived();
  }
  template <class D, class E>
  static auto derivative(const Eigen::ArrayBase<D>& x, const Eigen::ArrayBase<E>&) {
    using S = typename D::Scalar;
    return Eigen::Array<S, Eigen::Dynamic, 1>::Ones(x.size());
  }
  template <std::floating_point S>
  static S value(S x) {
    return x;
  }
  template <std::floating_point S>
  static S derivative(S) {
    return S(1);
  }
};
static_assert(Activation<identity_activation>);

template <class Scalar, class F = activations::tanh>
ctrnn<Scalar, F> one_unit(double w, double alpha = 0.1) {
  auto p = ctrnn_parameters<Scalar>::zeros(1, 1, 1);
  p.W_rec(0, 0) = static_cast<Scalar>(w);
  p.W_in(0, 0) = Scalar(1);
  return ctrnn<Scalar, F>(p, static_cast<Scalar>(alpha));
}

template <class F = activations::tanh>
ctrnn<double, F> random_net(Index n, double gain, std::uint64_t seed, double alpha = 0.1) {
  auto g = make_stream(seed, {7});
  auto p = ctrnn_parameters<double>::zeros(n, 1, 1);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) p.W_rec(i, j) = gain / std::sqrt(static_cast<double>(n)) * standard_normal(g);
    p.W_in(i, 0) = standard_normal(g);
  }
  return ctrnn<double, F>(p, alpha);
}

/// Root of x = w tanh(x) with x > 0 (w > 1), by bisection.
double positive_root(double w) {
  double lo = 1e-3, hi = w + 1.0;
  for (int k = 0; k < 200; ++k) {
    const double mid = 0.5 * (lo + hi);
    (w * std::tanh(mid) - mid > 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

bool contains_point(const fixed_point_result& r, const Eigen::VectorXd& x, double tol) {
  return std::any_of(r.fixed_points.begin(), r.fixed_points.end(),
                     [&](const critical_point& p) { return (p.x - x).norm() < tol; });
}

}  // namespace

TEST_CASE_TEMPLATE("1-unit bistable network (w = 2): three analytic roots, certified, classified", Scalar, float,
                   double) {
  const auto net = one_unit<Scalar>(2.0);
  auto g = make_stream(1, {1});
  const Eigen::MatrixXd starts = box_starts(1, 64, 5.0, g);
  const Eigen::VectorXd u = Eigen::VectorXd::Zero(1);
  const auto r = find_fixed_points(net, u, starts);
  REQUIRE(r.fixed_points.size() == 3);
  CHECK(r.n_certified_starts() == 64);
  const double xs = positive_root(2.0);
  for (double target : {-xs, 0.0, xs}) {
    const auto it = std::find_if(r.fixed_points.begin(), r.fixed_points.end(),
                                 [&](const critical_point& p) { return std::abs(p.x(0) - target) < 1e-9; });
    REQUIRE(it != r.fixed_points.end());
    CHECK(it->residual < 1e-12);
    // μ = 1 + α(w f′(x*) − 1)
    const double alpha = static_cast<double>(net.alpha());
    const double mu = 1.0 + alpha * (2.0 * (1.0 - std::tanh(target) * std::tanh(target)) - 1.0);
    CHECK(it->eigenvalues(0).real() == doctest::Approx(mu).epsilon(1e-12));
    CHECK(it->stability == (target == 0.0 ? stability_class::unstable : stability_class::stable));
    CHECK(it->n_unstable == (target == 0.0 ? 1 : 0));
  }
}

TEST_CASE("2-unit decoupled network: the 9 product roots with their saddle indices") {
  // W = diag(2, 3): the roots are {0, ±a} × {0, ±b}; each factor 0 contributes one unstable direction.
  auto p = ctrnn_parameters<double>::zeros(2, 1, 1);
  p.W_rec << 2.0, 0.0, 0.0, 3.0;
  const ctrnn<double, activations::tanh> net(p, 0.2);
  auto g = make_stream(2, {1});
  const Eigen::MatrixXd starts = box_starts(2, 256, 4.0, g);
  const auto r = find_fixed_points(net, Eigen::VectorXd::Zero(1), starts);
  REQUIRE(r.fixed_points.size() == 9);
  const double a = positive_root(2.0), b = positive_root(3.0);
  for (double x0 : {-a, 0.0, a})
    for (double x1 : {-b, 0.0, b}) {
      Eigen::VectorXd x(2);
      x << x0, x1;
      const auto it = std::find_if(r.fixed_points.begin(), r.fixed_points.end(),
                                   [&](const critical_point& cp) { return (cp.x - x).norm() < 1e-9; });
      REQUIRE(it != r.fixed_points.end());
      CHECK(it->residual < 1e-12);
      const Index zeros = (x0 == 0.0) + (x1 == 0.0);
      CHECK(it->n_unstable == zeros);
      CHECK(it->stability == (zeros == 0 ? stability_class::stable
                                         : zeros == 2 ? stability_class::unstable : stability_class::saddle));
    }
  CHECK(r.count(stability_class::saddle) == 4);
  CHECK(r.count(stability_class::stable) == 4);
}

TEST_CASE("2-unit coupled network: a root placed by construction is found to 1e-12") {
  // Choose x*, then b = x* − W f(x*) − W_in u makes x* a root of F.
  auto p = ctrnn_parameters<double>::zeros(2, 1, 1);
  p.W_rec << 0.5, -1.2, 0.8, 0.3;
  p.W_in << 1.0, -0.5;
  Eigen::VectorXd xstar(2), u(1);
  xstar << 0.4, -0.7;
  u << 0.3;
  const Eigen::VectorXd fx = (xstar.array().tanh() + 1.0).matrix();
  p.b = xstar - p.W_rec * fx - p.W_in * u;
  const ctrnn<double> net(p, 0.1);
  auto g = make_stream(3, {1});
  const auto r = find_fixed_points(net, u, box_starts(2, 64, 5.0, g));
  REQUIRE(contains_point(r, xstar, 1e-10));
  for (const auto& cp : r.fixed_points) CHECK(cp.residual < 1e-12);
}

TEST_CASE("rank-one W_rec of a linear network: a line of certified, marginal fixed points") {
  const Index n = 6;
  Eigen::VectorXd v(n);
  v << 1, -2, 0.5, 3, -1, 0.25;
  v.normalize();
  auto p = ctrnn_parameters<double>::zeros(n, 1, 1);
  p.W_rec = v * v.transpose();
  const ctrnn<double, identity_activation> net(p, 0.1);
  auto g = make_stream(4, {1});
  const auto r = find_fixed_points(net, Eigen::VectorXd::Zero(1), box_starts(n, 32, 3.0, g));
  CHECK(r.n_certified_starts() == 32);
  REQUIRE(r.fixed_points.size() > 10);  // a continuum: distinct starts land on distinct points
  const Eigen::MatrixXd P = Eigen::MatrixXd::Identity(n, n) - v * v.transpose();
  for (const auto& cp : r.fixed_points) {
    CHECK(cp.residual < 1e-10);
    CHECK((P * cp.x).norm() < 1e-9);  // on the line span(v)
    CHECK(cp.stability == stability_class::marginal);
    CHECK(cp.n_marginal == 1);
    CHECK(cp.n_unstable == 0);
  }
}

TEST_CASE("analytic Jacobian agrees with central finite differences") {
  const auto check = [](const auto& sys, std::uint64_t seed) {
    const Index n = sys.n_units();
    auto g = make_stream(seed, {2});
    const Eigen::VectorXd x = box_starts(n, 1, 1.5, g).col(0);
    const Eigen::MatrixXd J = sys.jacobian(x);
    const double h = 1e-6;
    for (Index j = 0; j < n; ++j) {
      Eigen::VectorXd xp = x, xm = x;
      xp(j) += h;
      xm(j) -= h;
      const Eigen::VectorXd col = (sys.residual(xp) - sys.residual(xm)) / (2 * h);
      CHECK((col - J.col(j)).norm() < 1e-8 * (1.0 + J.col(j).norm()));
    }
    const Eigen::MatrixXd M = sys.map_jacobian(x);
    CHECK((M - J - Eigen::MatrixXd::Identity(n, n)).norm() == doctest::Approx(0.0));
  };
  const Eigen::VectorXd u = Eigen::VectorXd::Constant(1, 0.3);
  check(fixed_point_system<activations::tanh>(random_net<activations::tanh>(7, 1.5, 1), u), 1);
  check(fixed_point_system<activations::one_plus_tanh>(random_net<activations::one_plus_tanh>(7, 1.5, 2), u), 2);
  check(fixed_point_system<activations::softplus>(random_net<activations::softplus>(7, 1.5, 3), u), 3);
}

TEST_CASE("stability class agrees with simulating the map from a perturbed point") {
  const auto net = random_net(12, 1.6, 11, 0.5);
  const fixed_point_system<activations::tanh> sys(net, Eigen::VectorXd::Zero(1));
  auto g = make_stream(5, {1});
  const auto r = find_fixed_points(sys, box_starts(12, 400, 3.0, g));
  REQUIRE(r.fixed_points.size() >= 3);
  Index n_stable = 0, n_saddle = 0;
  for (const auto& cp : r.fixed_points) {
    if (cp.stability == stability_class::marginal) continue;
    Eigen::VectorXd d(12);
    for (Index i = 0; i < 12; ++i) d(i) = standard_normal(g);
    d *= 1e-7 / d.norm();
    Eigen::VectorXd x = cp.x + d;
    for (int t = 0; t < 400; ++t) x += sys.residual(x);
    const double dist = (x - cp.x).norm();
    if (cp.stability == stability_class::stable) {
      ++n_stable;
      CHECK(dist < 1e-7);
    } else {
      ++n_saddle;
      CHECK(dist > 1e-5);
    }
  }
  CHECK(n_stable >= 1);
  CHECK(n_saddle >= 1);
}

TEST_CASE("capture and merging change the work, not the set of roots; threads change nothing") {
  const auto net = random_net(20, 1.5, 21);
  auto g = make_stream(6, {1});
  const Eigen::MatrixXd starts = box_starts(20, 300, 3.0, g);
  const Eigen::VectorXd u = Eigen::VectorXd::Zero(1);
  fixed_point_params plain;
  plain.capture = false;
  plain.merge_radius = 0.0;
  plain.n_threads = 1;
  const auto a = find_fixed_points(net, u, starts, plain);
  fixed_point_params fast;
  fast.n_threads = 1;
  const auto b = find_fixed_points(net, u, starts, fast);
  fast.n_threads = 2;
  const auto c = find_fixed_points(net, u, starts, fast);
  REQUIRE(a.fixed_points.size() >= 3);
  CHECK(a.fixed_points.size() == b.fixed_points.size());
  for (const auto& cp : a.fixed_points) CHECK(contains_point(b, cp.x, 1e-8));
  CHECK(b.total_iterations() < a.total_iterations());
  CHECK(b.count(fp_status::captured) > 0);
  // The same starts end at the same roots with and without capture (up to a few starts whose
  // damped path differs from pure Newton's).
  Index agree = 0, both = 0;
  for (std::size_t k = 0; k < a.starts.size(); ++k) {
    if (a.starts[k].point < 0 || b.starts[k].point < 0) continue;
    ++both;
    agree += (a.fixed_points[static_cast<std::size_t>(a.starts[k].point)].x -
              b.fixed_points[static_cast<std::size_t>(b.starts[k].point)].x)
                 .norm() < 1e-8;
  }
  CHECK(agree >= both - 3);
  // One thread or two: bit-identical.
  REQUIRE(b.fixed_points.size() == c.fixed_points.size());
  for (std::size_t i = 0; i < b.fixed_points.size(); ++i) CHECK(b.fixed_points[i].x == c.fixed_points[i].x);
  for (std::size_t k = 0; k < b.starts.size(); ++k) CHECK(b.starts[k].iterations == c.starts[k].iterations);
}

TEST_CASE("slow point: the ghost of a saddle-node is a local minimum of q at the analytic place") {
  // F = α(−x + 2 tanh x + u). F′ = 0 at x_f = arccosh(√2); the fold is at u_f = x_f − 2 tanh x_f.
  // Just past the fold the upper pair of roots is gone and q has a positive minimum at x_f.
  const double xf = std::acosh(std::sqrt(2.0));
  const double uf = xf - 2.0 * std::tanh(xf);
  const auto net = one_unit<double>(2.0);
  const Eigen::VectorXd u = Eigen::VectorXd::Constant(1, uf - 0.005);
  Eigen::MatrixXd starts(1, 5);
  starts << 0.5, 0.8, 1.0, 1.3, 1.6;
  const auto r = find_fixed_points(net, u, starts);
  REQUIRE(r.slow_points.size() == 1);
  CHECK(r.slow_points[0].x(0) == doctest::Approx(xf).epsilon(1e-6));
  CHECK(r.slow_points[0].q == doctest::Approx(0.5 * (0.1 * 0.005) * (0.1 * 0.005)).epsilon(1e-6));
  CHECK(r.count(fp_status::local_minimum) >= 1);
  // The only root, on the negative branch, is certified from the other starts or not at all;
  // the slow point is never reported as a fixed point.
  for (const auto& cp : r.fixed_points) CHECK(cp.x(0) < 0.0);
}

TEST_CASE("misuse is reported before any work") {
  const auto net = one_unit<double>(2.0);
  Eigen::MatrixXd starts = Eigen::MatrixXd::Zero(1, 4);
  CHECK_THROWS_AS(find_fixed_points(net, Eigen::VectorXd::Zero(2), starts), shape_error);
  CHECK_THROWS_AS(find_fixed_points(net, Eigen::VectorXd::Zero(1), Eigen::MatrixXd::Zero(3, 4)), shape_error);
  fixed_point_params bad;
  bad.tolerance = -1.0;
  CHECK_THROWS_AS(find_fixed_points(net, Eigen::VectorXd::Zero(1), starts, bad), argument_error);
  starts(0, 0) = std::nan("");
  CHECK_THROWS_AS(find_fixed_points(net, Eigen::VectorXd::Zero(1), starts), argument_error);
  try {
    find_fixed_points(net, Eigen::VectorXd::Zero(3), Eigen::MatrixXd::Zero(1, 4));
  } catch (const shape_error& e) {
    CHECK(std::string(e.what()).find("n_inputs = 1") != std::string::npos);
  }
}

TEST_CASE("trajectory starts come from the network's own visited states") {
  const auto net = random_net(8, 1.2, 3);
  sequence<double> inputs({20, 3, 1}, 0.1);
  auto g = make_stream(9, {1});
  const Eigen::MatrixXd X = trajectory_starts(net, inputs, 10, g);
  const auto sim = net.simulate(inputs, {.record_states = true});
  for (Index k = 0; k < X.cols(); ++k) {
    bool found = false;
    for (Index t = 0; t < 20 && !found; ++t)
      for (Index b = 0; b < 3 && !found; ++b) found = (sim.states.slice(t).col(b) - X.col(k)).norm() == 0.0;
    CHECK(found);
  }
}

TEST_CASE("small dense LU and Cholesky of the Newton loop agree with Eigen; singular J is flagged") {
  auto g = make_stream(31, {1});
  for (const Index n : {1, 3, 7, 50}) {
    Eigen::MatrixXd A(n, n);
    for (Index i = 0; i < A.size(); ++i) A.data()[i] = standard_normal(g);
    Eigen::VectorXd b(n);
    for (Index i = 0; i < n; ++i) b(i) = standard_normal(g);
    detail::dense_lu<> lu(n);
    lu.matrix() = A;
    REQUIRE(lu.factor());
    Eigen::VectorXd x = b;
    lu.solve_in_place(x);
    const Eigen::VectorXd ref = A.partialPivLu().solve(b);
    CHECK((x - ref).norm() <= 1e-10 * (1.0 + ref.norm()));
    CHECK((A * x - b).norm() <= 1e-10 * (1.0 + b.norm()));
    // symmetric positive definite AᵀA + I
    Eigen::MatrixXd S = A.transpose() * A;
    S.diagonal().array() += 1.0;
    Eigen::MatrixXd L = S;
    REQUIRE(detail::cholesky_in_place(L));
    Eigen::VectorXd y = b;
    detail::cholesky_solve_in_place(L, y);
    CHECK((S * y - b).norm() <= 1e-10 * (1.0 + b.norm()));
  }
  // rank-deficient: two equal columns
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(5, 5);
  A(0, 1) = 1.0;
  A.col(4) = A.col(1);
  detail::dense_lu<> lu(5);
  lu.matrix() = A;
  CHECK_FALSE(lu.factor());
  Eigen::MatrixXd N = -Eigen::MatrixXd::Identity(3, 3);
  CHECK_FALSE(detail::cholesky_in_place(N));
}

TEST_CASE("odd network (tanh, zero drive): the origin and both members of every ± pair are reported") {
  const auto net = random_net(30, 1.5, 44);
  const Eigen::VectorXd u = Eigen::VectorXd::Zero(1);  // b = 0 in random_net: W_in u + b = 0
  const fixed_point_system<activations::tanh> sys(net, u);
  REQUIRE(sys.is_odd());
  auto g = make_stream(8, {1});
  const Eigen::MatrixXd starts = box_starts(30, 200, 4.0, g);
  const auto r = find_fixed_points(sys, starts);
  REQUIRE(r.fixed_points.size() >= 3);
  // the origin comes first, certified by its own residual (exactly 0: tanh(0) = 0)
  CHECK(r.fixed_points[0].x.norm() == 0.0);
  CHECK(r.fixed_points[0].residual == 0.0);
  CHECK(r.fixed_points[0].by_symmetry);
  // J_F(0) = α(W − I): its eigenvalues with Re > 1 give the continuous-time unstable directions
  const Eigen::VectorXcd ev = (net.parameters().W_rec).eigenvalues();
  Index expect_unstable = 0;
  for (Index i = 0; i < ev.size(); ++i) expect_unstable += ev(i).real() > 1.0;
  CHECK(r.fixed_points[0].n_unstable_continuous == expect_unstable);
  // closed under x ↦ −x, and every reported point is certified
  for (const auto& cp : r.fixed_points) {
    CHECK(cp.residual < 1e-10);
    CHECK(sys.residual(cp.x).norm() < 1e-10);
    CHECK(contains_point(r, -cp.x, 1e-9));
  }
  // the plain per-start solve (no symmetry) finds a subset of these roots
  fixed_point_params plain;
  plain.capture = false;
  plain.merge_radius = 0.0;
  plain.stall_decrease = 0.0;
  plain.minimum_capture_radius = 0.0;
  plain.use_symmetry = false;
  plain.chord_steps = false;
  const auto a = find_fixed_points(sys, starts, plain);
  for (const auto& cp : a.fixed_points) {
    CHECK_FALSE(cp.by_symmetry);
    CHECK(contains_point(r, cp.x, 1e-8));
  }
  CHECK(a.fixed_points.size() <= r.fixed_points.size());
  // a nonzero drive breaks the symmetry: nothing is added
  auto p2 = net.parameters();
  p2.b(0) = 0.1;
  const ctrnn<double, activations::tanh> shifted(p2, 0.1);
  const fixed_point_system<activations::tanh> sys2(shifted, u);
  CHECK_FALSE(sys2.is_odd());
  const auto r2 = find_fixed_points(sys2, starts);
  for (const auto& cp : r2.fixed_points) CHECK_FALSE(cp.by_symmetry);
  // 1 + tanh is not odd
  CHECK_FALSE(fixed_point_system<activations::one_plus_tanh>(net.parameters().W_rec, Eigen::VectorXd::Zero(30), 0.1)
                  .is_odd());
}

TEST_CASE("fast and plain solvers find the same roots on a 50-unit g = 1.5 tanh network (fixed seed)") {
  const auto net = random_net(50, 1.5, 2024);
  const Eigen::VectorXd u = Eigen::VectorXd::Zero(1);
  auto g = make_stream(5, {1});
  const Eigen::MatrixXd starts = box_starts(50, 160, 5.0, g);
  fixed_point_params plain;
  plain.capture = false;
  plain.merge_radius = 0.0;
  plain.stall_decrease = 0.0;
  plain.minimum_capture_radius = 0.0;
  plain.use_symmetry = false;
  plain.chord_steps = false;
  plain.n_threads = 1;
  const auto a = find_fixed_points(net, u, starts, plain);
  fixed_point_params fast;
  fast.n_threads = 1;
  const auto b = find_fixed_points(net, u, starts, fast);
  fast.n_threads = 2;
  const auto c = find_fixed_points(net, u, starts, fast);
  REQUIRE(a.fixed_points.size() >= 2);
  for (const auto& cp : a.fixed_points) CHECK(contains_point(b, cp.x, 1e-8));
  CHECK(b.total_iterations() < a.total_iterations());
  Index chords = 0;
  for (const auto& rec : b.starts) chords += rec.chord_steps;
  CHECK(chords > 0);
  // saddles with several unstable directions are among them
  Index max_unstable = 0;
  for (const auto& cp : b.fixed_points) max_unstable = std::max(max_unstable, cp.n_unstable);
  CHECK(max_unstable >= 2);
  // deterministic for any thread count: same roots in the same order, same per-start records
  REQUIRE(b.fixed_points.size() == c.fixed_points.size());
  for (std::size_t i = 0; i < b.fixed_points.size(); ++i) CHECK(b.fixed_points[i].x == c.fixed_points[i].x);
  for (std::size_t k = 0; k < b.starts.size(); ++k) {
    CHECK(b.starts[k].iterations == c.starts[k].iterations);
    CHECK(b.starts[k].status == c.starts[k].status);
    CHECK(b.starts[k].point == c.starts[k].point);
  }
}

TEST_CASE("normal equations of the LM step (JᵀJ and JᵀF from WᵀW) equal the explicit products") {
  const auto net = random_net<activations::one_plus_tanh>(23, 1.5, 91);
  Eigen::VectorXd u(1);
  u << 0.3;
  const fixed_point_system<activations::one_plus_tanh> sys(net, u);
  auto g = make_stream(5, {2});
  for (int trial = 0; trial < 4; ++trial) {
    Eigen::VectorXd x(23), fx(23), Fx(23), JtF, d;
    for (Index i = 0; i < 23; ++i) x(i) = 2.0 * standard_normal(g);
    sys.evaluate(x, fx, Fx);
    Eigen::MatrixXd JtJ;
    sys.normal_equations_from_rates(x, fx.array(), Fx, JtJ, JtF, d);
    const Eigen::MatrixXd J = sys.jacobian(x);
    CHECK((JtJ - J.transpose() * J).norm() <= 1e-13 * (1.0 + J.squaredNorm()));
    CHECK((JtF - J.transpose() * Fx).norm() <= 1e-13 * (1.0 + J.norm() * Fx.norm()));
  }
}

TEST_CASE("linear activation: the one fixed point is the solution of (I - W_rec) x = W_in u + b") {
  const Index n = 5;
  auto g = make_stream(17, {1});
  auto p = ctrnn_parameters<double>::zeros(n, 2, 1);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) p.W_rec(i, j) = 0.4 * standard_normal(g);
    p.W_in(i, 0) = standard_normal(g);
    p.W_in(i, 1) = standard_normal(g);
    p.b(i) = 0.1 * standard_normal(g);
  }
  const ctrnn<double, activations::linear> net(p, 0.2);
  const Eigen::VectorXd u = (Eigen::VectorXd(2) << 0.7, -0.3).finished();
  const Eigen::VectorXd expected =
      (Eigen::MatrixXd::Identity(n, n) - p.W_rec).partialPivLu().solve(p.W_in * u + p.b);
  const auto r = find_fixed_points(net, u, box_starts(n, 16, 3.0, g));
  REQUIRE(r.fixed_points.size() == 1);
  CHECK(r.n_certified_starts() == 16);
  CHECK((r.fixed_points[0].x - expected).norm() < 1e-10 * (1 + expected.norm()));
  // The map's eigenvalues are 1 + alpha (lambda(W_rec) - 1): compare their largest modulus.
  const Eigen::VectorXcd lam = p.W_rec.eigenvalues();
  double expected_radius = 0;
  for (Index i = 0; i < n; ++i) expected_radius = std::max(expected_radius, std::abs(1.0 + 0.2 * (lam(i) - 1.0)));
  double radius = 0;
  for (Index i = 0; i < r.fixed_points[0].eigenvalues.size(); ++i) radius = std::max(radius, std::abs(r.fixed_points[0].eigenvalues(i)));
  CHECK(radius == doctest::Approx(expected_radius).epsilon(1e-10));
}

TEST_CASE("a network with clamped units (Miconi's bias units) is analysed on its free units") {
  // 12 tanh units, units 1, 10 held at +1 and 11 at −1, recurrent gain 1.5 (several roots).
  rng g(21);
  ctrnn<double, activations::tanh> net(12, 1, 1, 0.1, readout_source::rates);
  for (Index i = 0; i < 12; ++i)
    for (Index j = 0; j < 12; ++j) net.parameters().W_rec(i, j) = 1.5 / std::sqrt(12.0) * standard_normal(g);
  net.parameters().W_in.setConstant(0.3);
  net.set_clamped_units({{1, 1.0}, {10, 1.0}, {11, -1.0}});
  Eigen::VectorXd u(1);
  u << 0.2;
  // The plain system refuses the network, naming the way out.
  CHECK_THROWS_WITH_AS(fixed_point_system<activations::tanh>(net, u), doctest::Contains("free_unit_system"),
                       argument_error);
  const auto sys = free_unit_system(net, u);
  CHECK(sys.n_units() == 9);
  const Eigen::MatrixXd starts = box_starts(12, 60, 3.0, g);
  const auto r = find_fixed_points(net, u, starts);
  REQUIRE(!r.fixed_points.empty());
  for (const auto& p : r.fixed_points) {
    REQUIRE(p.x.size() == 12);
    CHECK(p.x(1) == 1.0);
    CHECK(p.x(10) == 1.0);
    CHECK(p.x(11) == -1.0);
    CHECK(p.eigenvalues.size() == 9);
    // The full network, clamps included, stays at x*: one step moves it by ~0.
    auto ws = net.make_workspace(1);
    net.reset(ws, p.x);
    net.step(ws, u);
    CHECK((ws.state().col(0) - p.x).norm() < 1e-9);
  }
}
