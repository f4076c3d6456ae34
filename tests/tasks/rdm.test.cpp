#include <doctest/doctest.h>

#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/tasks/validation.hpp>

#include <cmath>

using namespace rnnlab;

TEST_CASE("RDM evidence has the mean and noise of the preset") {
  rng g(17);
  SUBCASE("paper text: variance 1") {
    const random_dots task(rdm_params::paper_text());
    const auto b = task.sample<double>(400, g);
    REQUIRE(b.inputs.shape() == std::array<Index, 3>{750, 400, 1});
    // Per-trial residual u - mu has std 1 (300,000 draws: 1% tolerance is > 5 standard errors).
    double ss = 0, s = 0;
    for (Index t = 0; t < 750; ++t)
      for (Index i = 0; i < 400; ++i) {
        const double r = b.inputs(t, i, 0) - b.coherence(i);
        s += r;
        ss += r * r;
      }
    const double n = 750.0 * 400.0;
    CHECK(std::abs(s / n) < 0.01);
    CHECK(std::sqrt(ss / n) == doctest::Approx(1.0).epsilon(0.01));
  }
  SUBCASE("reference code: std 0.5") {
    const random_dots task(rdm_params::reference_code(0.5));
    const auto b = task.sample<double>(400, g);
    double ss = 0;
    for (Index t = 0; t < 750; ++t)
      for (Index i = 0; i < 400; ++i) ss += std::pow(b.inputs(t, i, 0) - b.coherence(i), 2);
    CHECK(std::sqrt(ss / (750.0 * 400.0)) == doctest::Approx(0.5).epsilon(0.01));
  }
}

TEST_CASE("RDM coherences are uniform on [-0.1857, 0.1857] with balanced labels") {
  rng g(3);
  const random_dots task;
  const auto b = task.sample<float>(20000, g);
  CHECK(b.coherence.maxCoeff() <= 0.1857);
  CHECK(b.coherence.minCoeff() >= -0.1857);
  // U[-c, c]: mean 0, variance c^2 / 3.
  const double c = 0.1857;
  CHECK(std::abs(b.coherence.mean()) < 5 * c / std::sqrt(3.0 * 20000));
  CHECK(b.coherence.array().square().mean() == doctest::Approx(c * c / 3).epsilon(0.03));
  const auto positive = static_cast<double>((b.label.array() > 0).count());
  CHECK(std::abs(positive - 10000) < 5 * std::sqrt(5000.0));
  for (Index i = 0; i < 20000; ++i) CHECK(b.label(i) == (b.coherence(i) > 0 ? 1 : -1));
}

TEST_CASE("targets and mask: 0 at the first step, the label at the last, loss only there") {
  rng g(8);
  const random_dots task;
  const auto b = task.sample<float>(50, g);
  for (Index i = 0; i < 50; ++i) {
    CHECK(b.targets(0, i, 0) == 0.0f);
    CHECK(b.targets(749, i, 0) == static_cast<float>(b.label(i)));
    CHECK(b.mask(0, i) == 1.0f);
    CHECK(b.mask(749, i) == 1.0f);
  }
  CHECK(b.mask.flat().sum() == doctest::Approx(100.0));
  // A decision window over the last 100 steps.
  rdm_params p;
  p.loss = loss_window::decision_window(100);
  const auto w = random_dots(p).sample<float>(5, g);
  CHECK(w.mask.flat().sum() == doctest::Approx(5 * 101.0));
  CHECK(w.mask(649, 0) == 0.0f);
  CHECK(w.mask(650, 0) == 1.0f);
}

TEST_CASE("the same seed gives identical batches; different seeds do not") {
  const random_dots task;
  rng a(5), b(5), c(6);
  const auto x = task.sample<float>(32, a);
  const auto y = task.sample<float>(32, b);
  const auto z = task.sample<float>(32, c);
  CHECK(x.inputs == y.inputs);
  CHECK(x.label == y.label);
  CHECK_FALSE(x.inputs == z.inputs);
}

TEST_CASE("pulse variant: evidence is switched off after step k, same noise before") {
  rdm_params p;
  p.evidence_off_step = 50;
  const random_dots pulsed(p), full;
  rng a(21), b(21);
  const auto x = pulsed.sample<double>(10, a);
  const auto y = full.sample<double>(10, b);
  for (Index i = 0; i < 10; ++i) {
    CHECK(x.inputs(49, i, 0) == y.inputs(49, i, 0));
    CHECK(x.inputs(50, i, 0) == 0.0);
    CHECK(x.inputs(749, i, 0) == 0.0);
  }
}

TEST_CASE("reference validation set: 2000 trials cycling 20 magnitudes up to 0.1875") {
  rng g(1);
  const random_dots task(rdm_params::reference_code());
  const auto v = reference_validation_set<float>(task, g);
  REQUIRE(v.n_trials() == 2000);
  for (Index i = 0; i < 2000; ++i) CHECK(std::abs(v.coherence(i)) == doctest::Approx(0.1875 * static_cast<double>(i % 20) / 19.0));
  // The 100 zero-magnitude trials get a random +-1 label in RDM.
  int zero_trials = 0, positive_zero = 0;
  for (Index i = 0; i < 2000; ++i)
    if (i % 20 == 0) {
      ++zero_trials;
      CHECK(std::abs(v.label(i)) == 1);
      positive_zero += v.label(i) > 0;
    }
  CHECK(zero_trials == 100);
  CHECK(positive_zero > 25);
  CHECK(positive_zero < 75);
}

TEST_CASE("decision accuracy follows the reference convention") {
  sequence<float> y({2, 4, 1});
  y(1, 0, 0) = 0.5f;   // label +1: correct
  y(1, 1, 0) = -0.1f;  // label +1: error
  y(1, 2, 0) = 0.0f;   // label -1, output exactly 0: not an error (reference)
  y(1, 3, 0) = 0.7f;   // label 0: always correct (reference); left out (strict)
  Eigen::VectorXi labels(4);
  labels << 1, 1, -1, 0;
  CHECK(decision_accuracy(y, labels) == doctest::Approx(0.75));
  CHECK(decision_accuracy(y, labels, accuracy_convention::strict) == doctest::Approx(1.0 / 3.0));
  CHECK_THROWS_AS(decision_accuracy(y, Eigen::VectorXi(3)), shape_error);
}

TEST_CASE("invalid parameters are rejected before any work") {
  rdm_params p;
  p.n_steps = 0;
  CHECK_THROWS_AS(random_dots{p}, argument_error);
  p = {};
  p.loss = loss_window::decision_window(800);
  CHECK_THROWS_WITH_AS(random_dots{p}, doctest::Contains("'loss'"), argument_error);
  p = {};
  p.noise.value = std::nan("");
  CHECK_THROWS_AS(random_dots{p}, argument_error);
  rng g(1);
  CHECK_THROWS_AS(random_dots{}.sample<float>(0, g), shape_error);
  const trial_condition bad{0.1, 1};
  CHECK_THROWS_WITH_AS(random_dots{}.sample_conditions<float>(std::span(&bad, 1), g), doctest::Contains("'context'"),
                       argument_error);
}
