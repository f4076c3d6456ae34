#include <doctest/doctest.h>

#include <rnnlab/tasks/multisensory.hpp>

#include <cmath>
#include <vector>

using namespace rnnlab;

TEST_CASE("multisensory: inputs and targets by hand for each modality") {
  auto p = multisensory_params::reference_code();
  p.noise_std = 0;
  const multisensory task(p);
  const std::vector<multisensory_condition> conds{
      {10.0, modality::auditory}, {14.0, modality::visual}, {12.5, modality::both}};
  rng g(1);
  const auto b = task.sample_conditions<float>(conds, g);
  CHECK(b.inputs(199, 0, 0) == 0.0f);
  CHECK(b.inputs(200, 0, 0) == doctest::Approx(10.0 / 16));
  CHECK(b.inputs(749, 0, 1) == 0.0f);
  CHECK(b.inputs(200, 1, 0) == 0.0f);
  CHECK(b.inputs(749, 1, 1) == doctest::Approx(14.0 / 16));
  CHECK(b.inputs(300, 2, 0) == doctest::Approx(12.5 / 16));
  CHECK(b.inputs(300, 2, 1) == doctest::Approx(12.5 / 16));
  CHECK(b.label(0) == -1);
  CHECK(b.label(1) == 1);
  CHECK(b.label(2) == 1);  // 2 floor(12.5 / 12.5) - 1
  for (Index i = 0; i < 3; ++i) {
    CHECK(b.targets(199, i, 0) == 0.0f);
    CHECK(b.targets(200, i, 0) == static_cast<float>(b.label(i)));
  }
  CHECK(b.mask.flat().sum() == doctest::Approx(3 * 750.0));
}

TEST_CASE("multisensory: rates, modalities, labels and noise follow the reference definitions") {
  const multisensory task;
  rng g(2);
  const auto b = task.sample<double>(6000, g);
  CHECK(b.rate.minCoeff() >= 9.0);
  CHECK(b.rate.maxCoeff() <= 16.0);
  CHECK(b.rate.mean() == doctest::Approx(12.5).epsilon(0.01));
  const double positive = static_cast<double>((b.label.array() > 0).count());
  CHECK(std::abs(positive - 3000) < 5 * std::sqrt(1500.0));
  for (int m = 0; m < 3; ++m) {
    const double n = static_cast<double>((b.modality.array() == m).count());
    CHECK(std::abs(n - 2000) < 5 * std::sqrt(6000.0 / 3 * 2 / 3));
  }
  double ss = 0;
  for (Index i = 0; i < 6000; ++i)
    for (Index t = 0; t < 200; ++t) ss += b.inputs(t, i, 0) * b.inputs(t, i, 0);
  CHECK(std::sqrt(ss / 1.2e6) == doctest::Approx(0.05 / 16).epsilon(0.01));
  rng a1(3), a2(3);
  CHECK(task.sample<float>(4, a1).inputs == task.sample<float>(4, a2).inputs);
  CHECK(task.score(b.targets, b) == 1.0);
}

TEST_CASE("multisensory: invalid parameters are rejected") {
  multisensory_params p;
  p.rate_min = -1;
  CHECK_THROWS_WITH_AS(multisensory{p}, doctest::Contains("'rate_min'"), argument_error);
  p = {};
  p.stimulus_on = 750;
  CHECK_THROWS_AS(multisensory{p}, argument_error);
  p = {};
  p.boundary = 20;
  CHECK_THROWS_AS(multisensory{p}, argument_error);
  rng g(1);
  const std::vector<multisensory_condition> bad{{20.0, modality::both}};
  CHECK_THROWS_AS(multisensory{}.sample_conditions<float>(bad, g), argument_error);
}
