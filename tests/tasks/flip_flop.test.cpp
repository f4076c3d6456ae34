#include <doctest/doctest.h>

#include <rnnlab/tasks/flip_flop.hpp>

#include <cmath>

using namespace rnnlab;

TEST_CASE("flip-flop: pulse count, onset window, sign balance and noise match the definition") {
  const flip_flop task(flip_flop_params::reference_code());
  REQUIRE(task.n_inputs() == 3);
  REQUIRE(task.n_outputs() == 3);
  rng g(11);
  const Index B = 400, T = 750, L = 25;
  // Noise-free copy to read the pulses exactly.
  auto p = flip_flop_params::reference_code();
  p.noise_std = 0;
  const auto b = flip_flop(p).sample<double>(B, g);
  double onsets = 0, positive = 0;
  for (Index i = 0; i < B; ++i)
    for (Index c = 0; c < 3; ++c)
      for (Index t = 0; t < T; ++t) {
        if (b.targets(t, i, c) != (t == 0 ? 0.0 : b.targets(t - 1, i, c))) {
          onsets += 1;
          positive += b.targets(t, i, c) > 0;
          CHECK(t < T - L);
        }
      }
  // 3 pulses per channel; a sign change is seen unless two successive pulses share a sign (or an
  // onset), so count target changes against their expectation: first pulse always changes 0 -> ±1,
  // each later one with probability 1/2 (same-sign repeats are invisible).
  const double expected = static_cast<double>(B * 3) * (1 + 0.5 + 0.5);
  CHECK(std::abs(onsets - expected) < 5 * std::sqrt(static_cast<double>(B * 3) * 0.5));
  CHECK(std::abs(positive / onsets - 0.5) < 0.03);
  // Onsets of the first pulse: the minimum of 3 uniforms on {0, ..., T-L-1}: mean ≈ (T-L)/4.
  double first_sum = 0;
  for (Index i = 0; i < B; ++i)
    for (Index c = 0; c < 3; ++c) {
      Index t = 0;
      while (t < T && b.targets(t, i, c) == 0) ++t;
      first_sum += static_cast<double>(t);
    }
  CHECK(first_sum / static_cast<double>(B * 3) == doctest::Approx((T - L) / 4.0).epsilon(0.05));
  // Every pulse lasts 25 steps: the input is nonzero on at most 3*25 and at least 25 steps per channel.
  for (Index i = 0; i < B; ++i)
    for (Index c = 0; c < 3; ++c) {
      Index on = 0;
      for (Index t = 0; t < T; ++t) on += b.inputs(t, i, c) != 0;
      CHECK(on >= L);
      CHECK(on <= 3 * L);
    }
  // Mask: every step.
  CHECK(b.mask.flat().sum() == doctest::Approx(static_cast<double>(B * T)));
  // Noise std 0.1 on the noisy sampler: residual against the noise-free inputs of the same stream.
  rng g1(5), g2(5);
  const auto noisy = task.sample<double>(50, g1);
  const auto clean = flip_flop(p).sample<double>(50, g2);
  double ss = 0;
  for (Index i = 0; i < noisy.inputs.size(); ++i) ss += std::pow(noisy.inputs.data()[i] - clean.inputs.data()[i], 2);
  CHECK(std::sqrt(ss / static_cast<double>(noisy.inputs.size())) == doctest::Approx(0.1).epsilon(0.02));
}

TEST_CASE("flip-flop targets hold the last pulse of each channel (checked step by step)") {
  flip_flop_params p;
  p.n_bits = 2;
  p.n_steps = 60;
  p.pulse_steps = 5;
  p.noise_std = 0;
  rng g(3);
  const auto b = flip_flop(p).sample<float>(20, g);
  for (Index i = 0; i < 20; ++i)
    for (Index c = 0; c < 2; ++c) {
      float held = 0;
      for (Index t = 0; t < 60; ++t) {
        // A pulse starts where the input becomes nonzero or changes sign, or a new pulse of the same
        // sign starts (indistinguishable, and it leaves the held value unchanged).
        const float u = b.inputs(t, i, c);
        if (u != 0 && (t == 0 || b.inputs(t - 1, i, c) != u)) held = u;
        CHECK(b.targets(t, i, c) == held);
      }
    }
}

TEST_CASE("flip-flop: same seed same batch; tolerance score; invalid parameters") {
  const flip_flop task;
  rng a(9), b(9), c(10);
  const auto x = task.sample<float>(8, a), y = task.sample<float>(8, b), z = task.sample<float>(8, c);
  CHECK(x.inputs == y.inputs);
  CHECK(x.targets == y.targets);
  CHECK_FALSE(x.inputs == z.inputs);
  CHECK(task.score(x.targets, x) == 1.0);
  auto off = x.targets;
  off(0, 0, 0) += 0.6f;  // one entry of 500*8*3 outside 0.5
  CHECK(task.score(off, x) == doctest::Approx(1.0 - 1.0 / (500.0 * 8 * 3)));
  rng gv(1);
  CHECK(task.validation_set<float>(gv).n_trials() == 500);

  flip_flop_params p;
  p.n_bits = 0;
  CHECK_THROWS_WITH_AS(flip_flop{p}, doctest::Contains("'n_bits'"), argument_error);
  p = {};
  p.pulse_steps = 500;
  CHECK_THROWS_WITH_AS(flip_flop{p}, doctest::Contains("'pulse_steps'"), argument_error);
  p = {};
  p.noise_std = -1;
  CHECK_THROWS_AS(flip_flop{p}, argument_error);
  CHECK_THROWS_AS(task.sample<float>(0, a), shape_error);
}
