#include <doctest/doctest.h>

#include <rnnlab/core/fast_math.hpp>

#include <cmath>
#include <limits>
#include <vector>

// The vectorised double tanh against std::tanh: relative error below 2e-15 on a dense grid over
// the whole line, both branches (|x| < 1/4 and beyond), tiny arguments, the clamp at 20, signed
// zeros and the +1 shift.
TEST_CASE("tanh_array matches std::tanh to a few ulp") {
  std::vector<double> x;
  for (int i = -400000; i <= 400000; ++i) x.push_back(i * 1e-4);  // [−40, 40]
  for (int i = -2000; i <= 2000; ++i) x.push_back(i * 1e-7);      // around 0
  for (double v : {1e-300, -1e-300, 1e-12, 0.25, -0.25, std::nextafter(0.25, 0.0), 19.999, 20.0, 700.0, -1e6})
    x.push_back(v);
  std::vector<double> y(x.size());
  rnnlab::detail::tanh_array(x.data(), y.data(), x.size());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double t = std::tanh(x[i]);
    const double rel = t == 0 ? std::abs(y[i]) : std::abs(y[i] - t) / std::abs(t);
    worst = std::max(worst, rel);
  }
  CHECK(worst < 2e-15);

  const double z[2] = {0.0, -0.0};
  double out[2];
  rnnlab::detail::tanh_array(z, out, 2);
  CHECK(out[0] == 0.0);
  CHECK(std::signbit(out[1]));

  double s[3] = {-0.7, 0.1, 3.0};  // in place, with the 1 + tanh shift
  rnnlab::detail::tanh_array(s, s, 3, 1.0);
  CHECK(s[0] == doctest::Approx(1.0 + std::tanh(-0.7)).epsilon(1e-15));
  CHECK(s[1] == doctest::Approx(1.0 + std::tanh(0.1)).epsilon(1e-15));
  CHECK(s[2] == doctest::Approx(1.0 + std::tanh(3.0)).epsilon(1e-15));
}
