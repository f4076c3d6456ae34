#include <doctest/doctest.h>

#include <rnnlab/tasks/delayed_discrimination.hpp>

#include <cmath>
#include <vector>

using namespace rnnlab;

TEST_CASE("delayed discrimination: trial layout by hand on scripted conditions") {
  delayed_discrimination_params p;
  p.noise_std = 0;
  const delayed_discrimination task(p);
  REQUIRE(task.n_steps() == 10 + 40 + 60 + 20);
  const std::vector<discrimination_condition> conds{{30, 14, 20}, {12, 26, 60}};
  rng g(1);
  const auto b = task.sample_conditions<float>(conds, g);
  // Trial 0: f1 on [10, 30), delay 20, f2 on [50, 70), response [70, 90), padding after.
  CHECK(b.inputs(9, 0, 0) == 0.0f);
  CHECK(b.inputs(10, 0, 0) == doctest::Approx(30.0 / 34));
  CHECK(b.inputs(29, 0, 0) == doctest::Approx(30.0 / 34));
  CHECK(b.inputs(30, 0, 0) == 0.0f);
  CHECK(b.inputs(50, 0, 0) == doctest::Approx(14.0 / 34));
  CHECK(b.inputs(69, 0, 0) == doctest::Approx(14.0 / 34));
  CHECK(b.inputs(70, 0, 0) == 0.0f);
  CHECK(b.label(0) == 1);
  CHECK(b.decision_step(0) == 89);
  CHECK(b.targets(69, 0, 0) == 0.0f);
  CHECK(b.targets(70, 0, 0) == 1.0f);
  CHECK(b.targets(89, 0, 0) == 1.0f);
  CHECK(b.mask(89, 0) == 1.0f);
  CHECK(b.mask(90, 0) == 0.0f);
  // Trial 1: the longest delay fills the batch.
  CHECK(b.label(1) == -1);
  CHECK(b.decision_step(1) == 129);
  CHECK(b.inputs(90, 1, 0) == doctest::Approx(26.0 / 34));
  CHECK(b.mask.flat().sum() == doctest::Approx(90.0 + 130.0));
  // The score reads each trial's own decision step.
  sequence<float> y({130, 2, 1});
  y(89, 0, 0) = 0.3f;
  y(129, 1, 0) = -0.1f;
  CHECK(task.score(y, b) == 1.0);
  y(129, 1, 0) = 0.1f;
  CHECK(task.score(y, b) == 0.5);
}

TEST_CASE("delayed discrimination: frequencies, differences, delays and labels follow their definitions") {
  const delayed_discrimination task;
  rng g(7);
  const auto b = task.sample<double>(6000, g);
  CHECK(b.f1.minCoeff() >= 10.0);
  CHECK(b.f1.maxCoeff() <= 34.0);
  CHECK(((b.f1 - b.f2).cwiseAbs().array() >= 2.0).all());
  const double positive = static_cast<double>((b.label.array() > 0).count());
  CHECK(std::abs(positive - 3000) < 5 * std::sqrt(1500.0));
  // Delay uniform on {20, ..., 60}: mean 40, every value reached.
  CHECK(b.delay.cast<double>().mean() == doctest::Approx(40.0).epsilon(0.02));
  CHECK(b.delay.minCoeff() == 20);
  CHECK(b.delay.maxCoeff() == 60);
  // Trial length = decision step + 1 = 70 + delay.
  for (Index i = 0; i < 6000; ++i) CHECK(b.decision_step(i) == 70 + b.delay(i) - 1);
  rng a1(3), a2(3);
  CHECK(task.sample<float>(4, a1).inputs == task.sample<float>(4, a2).inputs);
}

TEST_CASE("delayed discrimination: invalid parameters are rejected") {
  delayed_discrimination_params p;
  p.f_min = -5;
  CHECK_THROWS_WITH_AS(delayed_discrimination{p}, doctest::Contains("'f_min'"), argument_error);
  p = {};
  p.delay_max = 10;
  CHECK_THROWS_WITH_AS(delayed_discrimination{p}, doctest::Contains("'delay_max'"), argument_error);
  p = {};
  p.min_difference = 30;
  CHECK_THROWS_AS(delayed_discrimination{p}, argument_error);
  rng g(1);
  const std::vector<discrimination_condition> bad{{20, 20, 30}};
  CHECK_THROWS_AS(delayed_discrimination{}.sample_conditions<float>(bad, g), argument_error);
  const std::vector<discrimination_condition> late{{20, 25, 61}};
  CHECK_THROWS_AS(delayed_discrimination{}.sample_conditions<float>(late, g), argument_error);
}
