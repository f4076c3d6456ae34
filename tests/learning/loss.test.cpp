#include <doctest/doctest.h>

#include <rnnlab/learning/loss.hpp>

#include <cmath>

using namespace rnnlab;

namespace {
// T = 2, B = 2, O = 2; mask (t, b): (0,0) = 1, (1,0) = 0, (0,1) = 0.5, (1,1) = 1.
trial_batch<double> loss_small_batch() {
  trial_batch<double> b;
  b.inputs = sequence<double>({2, 2, 1});
  b.targets = sequence<double>({2, 2, 2});
  b.mask = tensor<double, 2>({2, 2});
  b.mask(0, 0) = 1;
  b.mask(1, 0) = 0;
  b.mask(0, 1) = 0.5;
  b.mask(1, 1) = 1;
  b.targets(0, 0, 0) = 1;   // one-hot targets, for the cross-entropy too
  b.targets(0, 1, 1) = 1;
  b.targets(1, 1, 0) = 1;
  b.targets(1, 0, 1) = 1;
  return b;
}
}  // namespace

TEST_CASE("masked_loss matches a hand computation for every kind and normalisation") {
  const auto b = loss_small_batch();
  sequence<double> y({2, 2, 2});
  y(0, 0, 0) = 0.5;  // errors (−0.5, 0) at (0,0): 0.25
  y(0, 1, 0) = 1.0;  // (0,1): (1, −1) → 2, weight 0.5 → 1
  y(1, 1, 1) = 2.0;  // (1,1): (−1, 2) → 5
  y(1, 0, 0) = 9.0;  // masked out
  const double sum = 0.25 + 1.0 + 5.0;
  CHECK(masked_loss(y, b, {loss_kind::mse, loss_normalization::sum}) == doctest::Approx(sum));
  CHECK(masked_loss(y, b, {loss_kind::mse, loss_normalization::per_trial}) == doctest::Approx(sum / 2));
  CHECK(masked_loss(y, b, {loss_kind::mse, loss_normalization::per_element}) == doctest::Approx(sum / (2 * 2.5)));
  // Cross-entropy: −Σ m Σ_o y*_o log softmax(y)_o.
  const auto lsm = [](double a, double c) { return a - std::log(std::exp(a) + std::exp(c)); };
  const double ce = -(1.0 * lsm(0.5, 0.0) + 0.5 * lsm(0.0, 1.0) + 1.0 * lsm(0.0, 2.0));
  CHECK(masked_loss(y, b, {loss_kind::cross_entropy, loss_normalization::sum}) == doctest::Approx(ce));
  // Shapes must agree.
  CHECK_THROWS_AS(masked_loss(sequence<double>({2, 2, 1}), b, loss_spec{}), shape_error);
}
