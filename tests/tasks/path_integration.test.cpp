#include <doctest/doctest.h>

#include <rnnlab/tasks/path_integration.hpp>

#include <cmath>

using namespace rnnlab;

TEST_CASE("path integration: targets are the running sum of the velocity inputs, inside the arena") {
  path_integration_params p;
  p.speed_max = 0.2;  // fast enough to reach the walls often
  p.n_steps = 200;
  const path_integration task(p);
  rng g(6);
  const auto b = task.sample<double>(300, g);
  Index reflections_seen = 0;
  for (Index i = 0; i < 300; ++i) {
    double x = 0, y = 0;
    for (Index t = 0; t < 200; ++t) {
      x += b.inputs(t, i, 0);
      y += b.inputs(t, i, 1);
      CHECK(b.targets(t, i, 0) == doctest::Approx(x).epsilon(1e-12));
      CHECK(b.targets(t, i, 1) == doctest::Approx(y).epsilon(1e-12));
      CHECK(std::abs(x) <= 1.0 + 1e-12);
      CHECK(std::abs(y) <= 1.0 + 1e-12);
      const double speed = std::hypot(b.inputs(t, i, 0), b.inputs(t, i, 1));
      CHECK(speed <= 0.2 + 1e-12);
      reflections_seen += std::abs(x) > 0.9 || std::abs(y) > 0.9;
    }
  }
  CHECK(reflections_seen > 0);
  // Mean speed of U[0, speed_max] is speed_max / 2 (a reflection keeps the step's length only
  // approximately, so compare on a run that never reaches the walls).
  const path_integration slow;
  const auto s = slow.sample<double>(500, g);
  double speed_sum = 0;
  for (Index i = 0; i < 500; ++i)
    for (Index t = 0; t < 100; ++t) speed_sum += std::hypot(s.inputs(t, i, 0), s.inputs(t, i, 1));
  CHECK(speed_sum / 50000.0 == doctest::Approx(0.025).epsilon(0.02));
  CHECK(s.mask.flat().sum() == doctest::Approx(50000.0));
}

TEST_CASE("path integration: same seed same batch; score; invalid parameters") {
  const path_integration task;
  rng a1(3), a2(3);
  const auto x = task.sample<float>(4, a1);
  CHECK(x.inputs == task.sample<float>(4, a2).inputs);
  CHECK(task.score(x.targets, x) == 1.0);
  auto off = x.targets;
  off(10, 2, 1) += 0.2f;  // tolerance 0.05 * 2 = 0.1
  CHECK(task.score(off, x) == doctest::Approx(1.0 - 1.0 / 800.0));
  path_integration_params p;
  p.arena_size = 0;
  CHECK_THROWS_WITH_AS(path_integration{p}, doctest::Contains("'arena_size'"), argument_error);
  p = {};
  p.speed_max = 1.5;
  CHECK_THROWS_AS(path_integration{p}, argument_error);
  p = {};
  p.n_steps = 0;
  CHECK_THROWS_AS(path_integration{p}, argument_error);
}
