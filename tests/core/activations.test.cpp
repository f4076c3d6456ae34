#include <doctest/doctest.h>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/concepts.hpp>

#include <cmath>

using namespace rnnlab;

namespace {
// Central finite difference of F::value at every point of x, compared with F::derivative.
template <class F>
void check_derivative(const Eigen::ArrayXd& x) {
  const double h = 1e-6;
  const Eigen::ArrayXd fx = F::value(x);
  const Eigen::ArrayXd analytic = F::derivative(x, fx);
  const Eigen::ArrayXd numeric = (Eigen::ArrayXd(F::value((x + h).eval())) - Eigen::ArrayXd(F::value((x - h).eval()))) / (2 * h);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    CAPTURE(x(i));
    CHECK(analytic(i) == doctest::Approx(numeric(i)).epsilon(1e-8).scale(1.0));
    CHECK(F::derivative(x(i)) == doctest::Approx(analytic(i)).epsilon(1e-12));
    CHECK(F::value(x(i)) == doctest::Approx(fx(i)).epsilon(1e-12));
  }
}
}  // namespace

TEST_CASE("activation derivatives agree with central finite differences") {
  // Points away from ReLU's kink at 0.
  const Eigen::ArrayXd x = Eigen::ArrayXd::LinSpaced(41, -6.05, 5.95);
  check_derivative<activations::tanh>(x);
  check_derivative<activations::one_plus_tanh>(x);
  check_derivative<activations::relu>(x);
  check_derivative<activations::softplus>(x);
}

TEST_CASE("activation values match their definitions") {
  CHECK(activations::one_plus_tanh::value(0.0) == 1.0);
  CHECK(activations::one_plus_tanh::value(0.5) == doctest::Approx(1.0 + std::tanh(0.5)));
  CHECK(activations::relu::value(-2.0) == 0.0);
  CHECK(activations::relu::value(3.0) == 3.0);
  CHECK(activations::relu::derivative(0.0) == 0.0);
  CHECK(activations::softplus::value(0.0) == doctest::Approx(std::log(2.0)));
  // Softplus must not overflow for large arguments: log(1 + e^800) = 800 to double precision.
  CHECK(activations::softplus::value(800.0) == doctest::Approx(800.0));
  CHECK(activations::softplus::value(-800.0) >= 0.0);
  const Eigen::ArrayXf big = Eigen::ArrayXf::Constant(3, 200.0f);
  const Eigen::ArrayXf sp = activations::softplus::value(big);
  CHECK(sp.allFinite());
  CHECK(sp(0) == doctest::Approx(200.0f));
}

TEST_CASE("float and double arrays agree") {
  const Eigen::ArrayXd xd = Eigen::ArrayXd::LinSpaced(13, -3, 3);
  const Eigen::ArrayXf xf = xd.cast<float>();
  const Eigen::ArrayXf yf = activations::one_plus_tanh::value(xf);
  const Eigen::ArrayXd yd = activations::one_plus_tanh::value(xd);
  CHECK((yf.cast<double>() - yd).abs().maxCoeff() < 1e-6);
}

// The shipped activations satisfy the concept; a type missing its derivative does not.
struct no_derivative {
  static constexpr std::string_view name = "x";
  template <class D> static auto value(const Eigen::ArrayBase<D>& x) { return x; }
  template <class S> static S value(S x) { return x; }
};
static_assert(Activation<activations::tanh>);
static_assert(Activation<activations::one_plus_tanh>);
static_assert(Activation<activations::relu>);
static_assert(Activation<activations::softplus>);
static_assert(Activation<activations::linear>);
static_assert(!Activation<no_derivative>);
static_assert(!Activation<int>);

// ---------------------------------------------------------------------------------------------
// Traits

namespace {
template <class F>
void check_traits(const Eigen::ArrayXd& x) {
  CAPTURE(F::name);
  const Eigen::ArrayXd fx = F::value(x);
  const Eigen::ArrayXd fminus = F::value((-x).eval());
  // Oddness, exactly in floating point (fixed-point analyses rely on it), or a witness against it.
  if constexpr (F::is_odd)
    CHECK((fminus == -fx).all());
  else
    CHECK((fminus != -fx).any());
  // sup |f''| from central second differences on a fine grid: below the bound and close to it
  // (the grid includes the maximiser's neighbourhood); +inf for a non-smooth f.
  const double h = 1e-4;
  double worst = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double xi = x(i);
    const double d2 = (F::value(xi + h) - 2 * F::value(xi) + F::value(xi - h)) / (h * h);
    worst = std::max(worst, std::abs(d2));
  }
  if constexpr (F::is_smooth) {
    CHECK(worst <= F::max_abs_second_derivative + 1e-5);
    CHECK(worst >= F::max_abs_second_derivative - 1e-3);
  } else {
    CHECK(std::isinf(F::max_abs_second_derivative));
  }
  // The derivative from the rate alone agrees with the derivative from x where it exists.
  if constexpr (detail::has_derivative_from_rate<F>) {
    const Eigen::ArrayXd from_rate = F::derivative_from_rate(fx);
    const Eigen::ArrayXd from_x = F::derivative(x, fx);
    CHECK((from_rate - from_x).abs().maxCoeff() < 1e-12);
  }
  // The fast array path (used by every kernel) equals the definition, in double and float.
  Eigen::ArrayXd out(x.size());
  detail::apply_activation<F>(x.data(), out.data(), x.size());
  CHECK((out - fx).abs().maxCoeff() <= 2e-15 * (1 + fx.abs().maxCoeff()));
  const Eigen::ArrayXf xf = x.cast<float>();
  Eigen::ArrayXf outf(xf.size());
  detail::apply_activation<F>(xf.data(), outf.data(), xf.size());
  CHECK((outf - Eigen::ArrayXf(F::value(xf))).abs().maxCoeff() == 0.0f);
}
}  // namespace

TEST_CASE("activation traits hold: oddness, curvature bound, derivative from the rate, fast path") {
  // Grid of step 1e-3 over [-4, 4], symmetric, through tanh''s maximiser atanh(1/sqrt(3)) ~ 0.658.
  const Eigen::ArrayXd x = Eigen::ArrayXd::LinSpaced(8001, -4.0, 4.0);
  check_traits<activations::tanh>(x);
  check_traits<activations::one_plus_tanh>(x);
  check_traits<activations::relu>(x);
  check_traits<activations::softplus>(x);
  check_traits<activations::linear>(x);
  // Hand values of the bounds: 4 / (3 sqrt 3) for tanh, 1/4 for softplus, 0 for linear.
  CHECK(activations::tanh::max_abs_second_derivative == doctest::Approx(4.0 / (3.0 * std::sqrt(3.0))).epsilon(1e-15));
  CHECK(activations::softplus::max_abs_second_derivative == 0.25);
  CHECK(activations::linear::max_abs_second_derivative == 0.0);
  // ReLU is the one non-smooth shipped activation; its kink is at 0, where f' jumps from 0 to 1.
  static_assert(!activations::relu::is_smooth && activations::relu::kinks.size() == 1);
  CHECK(activations::relu::kinks[0] == 0.0);
  CHECK(activations::relu::derivative(-1e-12) == 0.0);
  CHECK(activations::relu::derivative(1e-12) == 1.0);
  // Which activations give f' from the rate (documented in core/activations.hpp).
  static_assert(detail::has_derivative_from_rate<activations::tanh> &&
                detail::has_derivative_from_rate<activations::one_plus_tanh> &&
                detail::has_derivative_from_rate<activations::relu> &&
                detail::has_derivative_from_rate<activations::linear> &&
                !detail::has_derivative_from_rate<activations::softplus>);
}

TEST_CASE("the linear activation is the identity with derivative 1") {
  const Eigen::ArrayXd x = Eigen::ArrayXd::LinSpaced(41, -6.05, 5.95);
  check_derivative<activations::linear>(x);
  CHECK((Eigen::ArrayXd(activations::linear::value(x)) == x).all());
  CHECK(activations::linear::value(-2.5f) == -2.5f);
}

TEST_CASE("visit_activation maps every name to its type and rejects unknown names") {
  REQUIRE(activation_names.size() == 5);
  CHECK(activation_names[0] == "tanh");
  CHECK(activation_names[4] == "linear");
  for (std::string_view name : activation_names) {
    const std::string_view got = visit_activation(name, []<class F>(F) { return F::name; });
    CHECK(got == name);
  }
  // The value each type computes, through the table: f(0.5).
  CHECK(visit_activation("one_plus_tanh", []<class F>(F) { return F::value(0.5); }) == doctest::Approx(1 + std::tanh(0.5)));
  CHECK(visit_activation("linear", []<class F>(F) { return F::value(0.5); }) == 0.5);
  int calls = 0;
  CHECK_THROWS_WITH_AS(visit_activation("sigmoid", [&]<class F>(F) { ++calls; }),
                       doctest::Contains("tanh, one_plus_tanh, relu, softplus, linear"), argument_error);
  CHECK(calls == 0);
  CHECK(activation_names_text() == "tanh, one_plus_tanh, relu, softplus, linear");
}
