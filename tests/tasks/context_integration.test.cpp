#include <doctest/doctest.h>

#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/validation.hpp>

#include <cmath>

using namespace rnnlab;

TEST_CASE("N-CDI input layout: N evidence streams then N one-hot context channels") {
  rng g(12);
  for (int n = 1; n <= 8; ++n) {
    CAPTURE(n);
    const context_integration task(context_integration_params::paper_text(n));
    CHECK(task.n_inputs() == 2 * n);
    const auto b = task.sample<float>(64, g);
    REQUIRE(b.inputs.shape(2) == 2 * n);
    for (Index i = 0; i < 64; ++i)
      for (Index t : {Index(0), Index(400), Index(749)})
        for (int c = 0; c < n; ++c) CHECK(b.inputs(t, i, n + c) == (c == b.context(i) ? 1.0f : 0.0f));
  }
}

TEST_CASE("contexts are uniform and the label is the sign of the attended stream") {
  rng g(4);
  const context_integration task(context_integration_params::paper_text(4));
  const auto b = task.sample<double>(8000, g);
  for (int c = 0; c < 4; ++c) {
    const auto count = (b.context.array() == c).count();
    CHECK(std::abs(static_cast<double>(count) - 2000.0) < 5 * std::sqrt(8000 * 0.25 * 0.75));
  }
  for (Index i = 0; i < 8000; ++i) {
    CHECK(b.coherence(i) == b.stream_means(i, b.context(i)));
    CHECK(b.label(i) == (b.coherence(i) > 0) - (b.coherence(i) < 0));
  }
}

TEST_CASE("paper text: independent stream means; reference code: one shared magnitude") {
  rng g(30);
  const auto independent = context_integration(context_integration_params::paper_text(2)).sample<double>(5000, g);
  const auto shared = context_integration(context_integration_params::reference_code(2)).sample<double>(5000, g);
  // Shared: |mu_1| == |mu_2| on every trial, signs independent (about half agree).
  int same_sign = 0;
  for (Index i = 0; i < 5000; ++i) {
    CHECK(std::abs(shared.stream_means(i, 0)) == std::abs(shared.stream_means(i, 1)));
    same_sign += (shared.stream_means(i, 0) > 0) == (shared.stream_means(i, 1) > 0);
  }
  CHECK(std::abs(same_sign - 2500) < 5 * std::sqrt(1250.0));
  // Independent: the correlation of |mu_1| and |mu_2| is ~0.
  const Eigen::ArrayXd a = independent.stream_means.col(0).array().abs(), c = independent.stream_means.col(1).array().abs();
  const double corr = ((a - a.mean()) * (c - c.mean())).mean() /
                      std::sqrt((a - a.mean()).square().mean() * (c - c.mean()).square().mean());
  CHECK(std::abs(corr) < 5 / std::sqrt(5000.0));
  CHECK(independent.stream_means.cwiseAbs().maxCoeff() <= 0.1857);
}

TEST_CASE("evidence noise: variance 1 (paper) vs std 1 (reference) vs std 0.1") {
  rng g(2);
  for (const auto& [p, sigma] : {std::pair{context_integration_params::paper_text(2), 1.0},
                                 std::pair{context_integration_params::reference_code(2, 0.1), 0.1}}) {
    const auto b = context_integration(p).sample<double>(200, g);
    double ss = 0;
    for (Index t = 0; t < 750; ++t)
      for (Index i = 0; i < 200; ++i)
        for (Index s = 0; s < 2; ++s) ss += std::pow(b.inputs(t, i, s) - b.stream_means(i, s), 2);
    CHECK(std::sqrt(ss / (750.0 * 200 * 2)) == doctest::Approx(sigma).epsilon(0.01));
  }
  // The conventions: variance 0.25 is std 0.5.
  CHECK(noise_level::from_variance(0.25).stddev() == 0.5);
  CHECK(noise_level::from_stddev(0.25).stddev() == 0.25);
}

TEST_CASE("reference validation set for N-CDI: zero-magnitude trials have label 0, contexts uniform") {
  rng g(6);
  const context_integration task(context_integration_params::reference_code(3));
  const auto v = reference_validation_set<float>(task, g);
  REQUIRE(v.n_trials() == 2000);
  int zeros = 0;
  for (Index i = 0; i < 2000; ++i) {
    if (i % 20 == 0) {
      CHECK(v.label(i) == 0);
      ++zeros;
    } else {
      CHECK(std::abs(v.label(i)) == 1);
    }
  }
  CHECK(zeros == 100);
  for (int c = 0; c < 3; ++c) CHECK(std::abs(static_cast<double>((v.context.array() == c).count()) - 666.7) < 5 * std::sqrt(2000 * 2.0 / 9));
}

TEST_CASE("psychometric probes hold the coherence and context fixed") {
  rng g(1);
  const context_integration task;
  const auto b = psychometric_probe<float>(task, -0.05, 1, 30, g);
  for (Index i = 0; i < 30; ++i) {
    CHECK(b.coherence(i) == -0.05);
    CHECK(b.context(i) == 1);
    CHECK(b.label(i) == -1);
  }
  CHECK_THROWS_AS(context_integration(context_integration_params::paper_text(9)), argument_error);
  CHECK_THROWS_AS(context_integration(context_integration_params::paper_text(0)), argument_error);
}
