#include <doctest/doctest.h>

#include <rnnlab/tasks/delayed_match.hpp>

#include <cmath>
#include <utility>
#include <vector>

using namespace rnnlab;

TEST_CASE("delayed match: reference inputs, targets and mask on scripted stimuli") {
  auto p = delayed_match_params::reference_code();
  p.noise_std = 0;
  const delayed_match task(p);
  const std::vector<std::pair<int, int>> stimuli{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  rng g(1);
  const auto b = task.sample_stimuli<float>(stimuli, g);
  REQUIRE(b.inputs.shape() == std::array<Index, 3>{750, 4, 2});
  for (Index i = 0; i < 4; ++i) {
    const auto [k, j] = stimuli[static_cast<std::size_t>(i)];
    for (Index t : {0, 299}) {
      CHECK(b.inputs(t, i, k) == 1.0f);
      CHECK(b.inputs(t, i, 1 - k) == doctest::Approx(0.2f));
    }
    for (Index t : {300, 399, 700, 749}) {
      CHECK(b.inputs(t, i, 0) == doctest::Approx(0.2f));
      CHECK(b.inputs(t, i, 1) == doctest::Approx(0.2f));
    }
    for (Index t : {400, 699}) {
      CHECK(b.inputs(t, i, j) == 1.0f);
      CHECK(b.inputs(t, i, 1 - j) == doctest::Approx(0.2f));
    }
    CHECK(b.label(i) == (k == j ? 1 : -1));
    CHECK(b.targets(0, i, 0) == 0.0f);
    CHECK(b.targets(749, i, 0) == static_cast<float>(b.label(i)));
    CHECK(b.mask(0, i) == 1.0f);
    CHECK(b.mask(749, i) == 1.0f);
  }
  CHECK(b.mask.flat().sum() == doctest::Approx(8.0));
  // Non-match: the labels flip.
  const delayed_match dnms(delayed_match_params::reference_code(delayed_match_rule::non_match_to_sample));
  const auto n = dnms.sample_stimuli<float>(stimuli, g);
  for (Index i = 0; i < 4; ++i) CHECK(n.label(i) == -b.label(i));
  // The backup variant: baseline 0, sample [0, 200), test [400, 600).
  auto q = delayed_match_params::reference_backup();
  q.noise_std = 0;
  const auto u = delayed_match(q).sample_stimuli<float>(stimuli, g);
  CHECK(u.inputs(199, 1, 0) == 1.0f);
  CHECK(u.inputs(200, 1, 0) == 0.0f);
  CHECK(u.inputs(599, 1, 1) == 1.0f);
  CHECK(u.inputs(600, 1, 1) == 0.0f);
}

TEST_CASE("delayed match: balanced labels, noise std, same seed same batch, accuracy") {
  const delayed_match task;
  rng g(4);
  const auto b = task.sample<double>(4000, g);
  const double positive = static_cast<double>((b.label.array() > 0).count());
  CHECK(std::abs(positive - 2000) < 5 * std::sqrt(1000.0));
  double ss = 0;  // residual from the noise-free value at the delay (baseline 0.2)
  for (Index i = 0; i < 4000; ++i)
    for (Index t = 300; t < 400; ++t) ss += std::pow(b.inputs(t, i, 0) - 0.2, 2);
  CHECK(std::sqrt(ss / 400000.0) == doctest::Approx(0.05).epsilon(0.01));
  rng a1(2), a2(2);
  CHECK(task.sample<float>(5, a1).inputs == task.sample<float>(5, a2).inputs);
  CHECK(task.score(b.targets, b) == 1.0);
  auto flipped = b.targets;
  for (Index i = 0; i < 1000; ++i) flipped(749, i, 0) *= -1;
  CHECK(task.score(flipped, b) == doctest::Approx(0.75));
}

TEST_CASE("delayed match: invalid timing is rejected") {
  auto p = delayed_match_params::reference_code();
  p.test_off = 800;
  CHECK_THROWS_WITH_AS(delayed_match{p}, doctest::Contains("delay is too long"), argument_error);
  p = delayed_match_params::reference_code();
  p.test_on = 250;
  CHECK_THROWS_WITH_AS(delayed_match{p}, doctest::Contains("'test_on'"), argument_error);
  p = delayed_match_params::reference_code();
  p.loss = loss_window::decision_window(800);
  CHECK_THROWS_AS(delayed_match{p}, argument_error);
  rng g(1);
  const std::vector<std::pair<int, int>> bad{{0, 2}};
  CHECK_THROWS_AS(delayed_match{}.sample_stimuli<float>(bad, g), argument_error);
}
