// Tests include/rnnlab/random.hpp (top-level headers are tested under tests/misc/).
#include <doctest/doctest.h>

#include <rnnlab/random.hpp>

#include <cmath>
#include <vector>

using namespace rnnlab;

TEST_CASE("standard_normal has the moments and tails of N(0, 1)") {
  rng g(2024);
  const int n = 2'000'000;
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  int beyond2 = 0, beyond3 = 0, beyond_r = 0;
  for (int i = 0; i < n; ++i) {
    const double z = standard_normal(g);
    s1 += z;
    s2 += z * z;
    s3 += z * z * z;
    s4 += z * z * z * z;
    beyond2 += std::abs(z) > 2.0;
    beyond3 += std::abs(z) > 3.0;
    beyond_r += std::abs(z) > 3.442619855899;  // the ziggurat's tail region
  }
  const double mean = s1 / n, var = s2 / n - mean * mean;
  // Tolerances are ~5 standard errors at n = 2e6.
  CHECK(std::abs(mean) < 5 * std::sqrt(1.0 / n));
  CHECK(var == doctest::Approx(1.0).epsilon(5 * std::sqrt(2.0 / n)));
  CHECK(std::abs(s3 / n) < 5 * std::sqrt(15.0 / n));
  CHECK(s4 / n == doctest::Approx(3.0).epsilon(5 * std::sqrt(96.0 / n) / 3.0));
  const auto near = [&](int count, double p) { return std::abs(count - n * p) < 5 * std::sqrt(n * p * (1 - p)); };
  CHECK(near(beyond2, 0.0455002638963584));
  CHECK(near(beyond3, 0.0026997960632602));
  CHECK(near(beyond_r, 5.761e-4));
}

TEST_CASE("uniform helpers stay in range and are unbiased") {
  rng g(1);
  std::vector<int> counts(7, 0);
  const int n = 700'000;
  for (int i = 0; i < n; ++i) ++counts[static_cast<std::size_t>(uniform_index(g, 7))];
  for (int c : counts) CHECK(std::abs(c - n / 7) < 5 * std::sqrt(n / 7.0));
  double lo = 1, hi = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = uniform_open01(g);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  CHECK(lo > 0.0);
  CHECK(hi < 1.0);
}

TEST_CASE("streams are reproducible and distinct") {
  auto a = make_stream(7, 3, stream_purpose::training);
  auto b = make_stream(7, 3, stream_purpose::training);
  auto c = make_stream(7, 4, stream_purpose::training);
  auto d = make_stream(7, 3, stream_purpose::validation);
  auto e = make_stream(8, 3, stream_purpose::training);
  CHECK(a == b);
  const auto x = a();
  CHECK(x == b());
  CHECK(x != c());
  CHECK(x != d());
  CHECK(x != e());
  // Neighbouring indices are not correlated: the mean of the product of their normals is ~0.
  double sum = 0;
  auto s0 = make_stream(1, 0, stream_purpose::training), s1 = make_stream(1, 1, stream_purpose::training);
  for (int i = 0; i < 200000; ++i) sum += standard_normal(s0) * standard_normal(s1);
  CHECK(std::abs(sum / 200000) < 5 / std::sqrt(200000.0));
}

TEST_CASE("a generator's state can be saved and restored") {
  rng g(99);
  for (int i = 0; i < 10; ++i) g();
  const auto saved = g.state();
  const auto next = g();
  rng h;
  h.set_state(saved);
  CHECK(h() == next);
  CHECK_THROWS_AS(h.set_state({0, 0, 0, 0}), argument_error);
}
