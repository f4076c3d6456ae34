#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <rnnlab/analysis/degeneracy.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/random.hpp>

#include "../support/random_matrices.hpp"

using namespace rnnlab;

namespace {

ctrnn_parameters<double> degen_test_params(Index N, Index M, Index O, rng& g) {
  auto p = ctrnn_parameters<double>::zeros(N, M, O);
  p.W_rec = test::gaussian(N, N, g) / std::sqrt(static_cast<double>(N));
  p.W_in = test::gaussian(N, M, g);
  p.W_out = test::gaussian(O, N, g);
  p.b = test::gaussian(N, 1, g);
  p.b_out = test::gaussian(O, 1, g);
  return p;
}

/// Relabels the units of p: unit i of the result is unit perm[i] of p.
ctrnn_parameters<double> degen_test_permuted(const ctrnn_parameters<double>& p, const std::vector<Index>& perm) {
  auto q = p;
  const Index N = p.n_units();
  for (Index i = 0; i < N; ++i) {
    const Index pi = perm[static_cast<std::size_t>(i)];
    q.W_in.row(i) = p.W_in.row(pi);
    q.W_out.col(i) = p.W_out.col(pi);
    q.b(i) = p.b(pi);
    q.x0(i) = p.x0(pi);
    for (Index k = 0; k < N; ++k) q.W_rec(i, k) = p.W_rec(pi, perm[static_cast<std::size_t>(k)]);
  }
  return q;
}

std::vector<Index> degen_test_shuffle(Index N, rng& g) {
  std::vector<Index> perm(static_cast<std::size_t>(N));
  std::iota(perm.begin(), perm.end(), Index{0});
  for (Index i = N - 1; i > 0; --i)
    std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(uniform_index(g, static_cast<std::uint64_t>(i + 1)))]);
  return perm;
}

}  // namespace

TEST_CASE("weight_distance: 0 for a permuted copy, which the identity matching does not see") {
  rng g(601);
  for (Index N : {5, 40}) {
    const auto a = degen_test_params(N, 3, 2, g);
    const auto perm = degen_test_shuffle(N, g);
    const auto b = degen_test_permuted(a, perm);
    const auto r = weight_distance(a, b);
    CHECK(r.distance < 1e-12);
    CHECK(r.unmatched_distance > 1.0);
    // The matching found is the inverse relabelling: unit perm[i] of a is unit i of b.
    for (Index i = 0; i < N; ++i) CHECK(r.matching[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] == i);
  }
}

TEST_CASE("weight_distance: hand-computed 2-unit case, symmetric, never above the identity matching") {
  auto a = ctrnn_parameters<double>::zeros(2, 1, 1), b = a;
  a.W_in << 1.0, 0.0;
  b.W_in << 0.0, 1.0;  // b is a with its two units swapped, plus 0.5 on one recurrent weight
  a.W_rec << 0.0, 2.0, 0.0, 0.0;
  b.W_rec << 0.0, 0.0, 2.5, 0.0;
  const auto r = weight_distance(a, b);
  CHECK(r.distance == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(r.matching == std::vector<Index>{1, 0});
  CHECK(r.unmatched_distance == doctest::Approx(std::sqrt(2.0 + 4.0 + 6.25)).epsilon(1e-14));
  rng g(602);
  for (int k = 0; k < 5; ++k) {
    const auto x = degen_test_params(12, 2, 2, g), y = degen_test_params(12, 2, 2, g);
    const auto xy = weight_distance(x, y), yx = weight_distance(y, x);
    CHECK(xy.distance <= xy.unmatched_distance + 1e-12);
    CHECK(xy.distance > 0.0);
    // Not guaranteed to be exactly symmetric (a local optimum), but the same to a few per cent here.
    CHECK(yx.distance == doctest::Approx(xy.distance).epsilon(0.05));
  }
  std::vector<ctrnn_parameters<double>> nets;
  for (int k = 0; k < 4; ++k) nets.push_back(degen_test_params(8, 2, 1, g));
  nets.push_back(degen_test_permuted(nets[1], degen_test_shuffle(8, g)));
  const Eigen::MatrixXd D1 = weight_distance_matrix(std::span<const ctrnn_parameters<double>>(nets), {}, 1);
  const Eigen::MatrixXd D2 = weight_distance_matrix(std::span<const ctrnn_parameters<double>>(nets), {}, 2);
  CHECK((D1 - D2).cwiseAbs().maxCoeff() == 0.0);
  CHECK(D1(1, 4) < 1e-12);
  CHECK(D1(0, 2) == weight_distance(nets[0], nets[2]).distance);
  CHECK(D1.minCoeff() >= 0.0);
}

TEST_CASE("weight_distance: different shapes are refused, naming the network") {
  rng g(603);
  const auto a = degen_test_params(6, 2, 1, g), b = degen_test_params(7, 2, 1, g);
  CHECK_THROWS_WITH_AS(weight_distance(a, b), doctest::Contains("N = 7"), shape_error);
  std::vector<ctrnn_parameters<double>> nets{a, a, b};
  CHECK_THROWS_WITH_AS(weight_distance_matrix(std::span<const ctrnn_parameters<double>>(nets)),
                       doctest::Contains("networks[2]"), shape_error);
  weight_distance_params bad;
  bad.max_refinements = -1;
  CHECK_THROWS_WITH_AS(weight_distance(a, a, bad), doctest::Contains("'max_refinements'"), argument_error);
}

TEST_CASE("behaviour_divergence_matrix: RMS output difference over the mask, by hand") {
  rng g(604);
  // Two networks that differ only in their readout bias: y_1 − y_0 = δ everywhere, so D = RMS(δ).
  auto p = degen_test_params(10, 2, 2, g);
  p.W_in = test::gaussian(10, 2, g);
  auto q = p;
  q.b_out(0) += 0.3;
  q.b_out(1) -= 0.4;
  const ctrnn<double> n0(p, 0.2), n1(q, 0.2);
  trial_batch<double> batch;
  batch.inputs = sequence<double>({30, 4, 2});
  batch.targets = sequence<double>({30, 4, 2});
  batch.mask = tensor<double, 2>({30, 4});
  for (Index k = 0; k < batch.inputs.size(); ++k) batch.inputs.data()[k] = standard_normal(g);
  for (Index t = 10; t < 30; ++t)
    for (Index b = 0; b < 4; ++b) batch.mask(t, b) = 1.0;
  std::vector<ctrnn<double>> nets{n0, n1, n0};
  const Eigen::MatrixXd D = behaviour_divergence_matrix(std::span<const ctrnn<double>>(nets), batch, 2);
  CHECK(D(0, 1) == doctest::Approx(std::sqrt((0.09 + 0.16) / 2.0)).epsilon(1e-12));
  CHECK(D(0, 2) == 0.0);
  CHECK(D(1, 2) == D(2, 1));
  // A network with the wrong input count, and an all-zero mask, are refused.
  const ctrnn<double> wrong(degen_test_params(10, 3, 2, g), 0.2);
  std::vector<ctrnn<double>> bad{n0, wrong};
  CHECK_THROWS_WITH_AS(behaviour_divergence_matrix(std::span<const ctrnn<double>>(bad), batch),
                       doctest::Contains("networks[1]"), shape_error);
  batch.mask.fill(0.0);
  CHECK_THROWS_WITH_AS(behaviour_divergence_matrix(std::span<const ctrnn<double>>(nets), batch),
                       doctest::Contains("all-zero mask"), argument_error);
}
