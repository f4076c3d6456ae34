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
static_assert(!Activation<no_derivative>);
static_assert(!Activation<int>);
