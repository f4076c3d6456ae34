#include <doctest/doctest.h>

#include <rnnlab/tasks/sine_wave.hpp>

#include <cmath>
#include <numbers>
#include <vector>

using namespace rnnlab;

TEST_CASE("sine wave: input and target by hand") {
  const sine_wave task;
  const std::vector<double> f{1.0, 5.0};
  rng g(1);
  const auto b = task.sample_frequencies<double>(f, g);
  for (Index t : {0, 13, 99}) {
    CHECK(b.inputs(t, 0, 0) == doctest::Approx(0.25 + 1.0 / 5));
    CHECK(b.inputs(t, 1, 0) == doctest::Approx(0.25 + 1.0));
    CHECK(b.targets(t, 1, 0) == doctest::Approx(std::sin(2 * std::numbers::pi * 5 * 0.01 * static_cast<double>(t))));
  }
  CHECK(b.targets(25, 0, 0) == doctest::Approx(1.0));  // a quarter period of 1 Hz at 10 ms steps
  CHECK(b.targets(5, 1, 0) == doctest::Approx(1.0));   // a quarter period of 5 Hz
  CHECK(b.mask.flat().sum() == doctest::Approx(200.0));
}

TEST_CASE("sine wave: levels uniform, validation cycles the levels, tolerance score, invalid parameters") {
  const sine_wave task;
  rng g(4);
  const auto b = task.sample<float>(5000, g);
  for (double f : {1.0, 2.0, 3.0, 4.0, 5.0}) {
    const double n = static_cast<double>((b.frequency.array() == f).count());
    CHECK(std::abs(n - 1000) < 5 * std::sqrt(800.0));
  }
  const auto v = task.validation_set<float>(g);
  REQUIRE(v.n_trials() == 500);
  for (Index i = 0; i < 500; ++i) CHECK(v.frequency(i) == doctest::Approx(1.0 + static_cast<double>(i % 5)));
  CHECK(task.score(v.targets, v) == 1.0);
  sequence<float> zero(v.targets.shape());
  // |sin| <= 0.2 on a known fraction of steps; compare with a direct count.
  double within = 0;
  for (Index t = 0; t < 100; ++t)
    for (Index i = 0; i < 500; ++i) within += std::abs(v.targets(t, i, 0)) <= 0.2f;
  CHECK(task.score(zero, v) == doctest::Approx(within / 50000.0));
  rng a1(3), a2(3);
  CHECK(task.sample<float>(4, a1).targets == task.sample<float>(4, a2).targets);

  sine_wave_params p;
  p.f_min = -1;
  CHECK_THROWS_WITH_AS(sine_wave{p}, doctest::Contains("'f_min'"), argument_error);
  p = {};
  p.dt = 0;
  CHECK_THROWS_AS(sine_wave{p}, argument_error);
  p = {};
  p.mask_start = 100;
  CHECK_THROWS_AS(sine_wave{p}, argument_error);
  const std::vector<double> bad{-2.0};
  CHECK_THROWS_AS(task.sample_frequencies<float>(bad, g), argument_error);
}
