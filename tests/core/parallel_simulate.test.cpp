#include <doctest/doctest.h>

#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/random.hpp>

#include <cmath>
#include <limits>

// simulate_sharded against ctrnn::simulate (the same recursion, one shard, no threads) and against
// itself over thread counts: outputs are bit-identical whatever the number of threads (each shard
// is swept by the same code on its own columns), and equal to the unsharded simulation up to the
// rounding of the readout product (Eigen's GEMM may order a column's sum differently when the
// column count changes); the recurrent kernel is column-independent by construction.

using namespace rnnlab;

namespace {

template <class Scalar>
sequence<Scalar> random_inputs(Index T, Index B, Index M, rng& g) {
  sequence<double> u({T, B, M});
  fill_normal(g, u.span());
  return u.cast<Scalar>();
}

template <class Scalar>
double max_abs_difference(const sequence<Scalar>& a, const sequence<Scalar>& b) {
  return static_cast<double>((a.flat() - b.flat()).abs().maxCoeff());
}

}  // namespace

TEST_CASE_TEMPLATE("simulate_sharded equals ctrnn::simulate and does not depend on the thread count", Scalar,
                   float, double) {
  rng g(17);
  auto net = make_ctrnn<Scalar>(ctrnn_config::paper_text(50), 3, 2, g);
  net.parameters().b_out << Scalar(0.2), Scalar(-0.1);
  const Index T = 40, B = 101;  // B not a multiple of the shard count or of the kernel's tiles
  const auto u = random_inputs<Scalar>(T, B, 3, g);
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> X0 =
      draw_initial_states<Scalar>(init_spec::paper_text(50), 50, B, g);
  const auto reference = net.simulate(u, X0).outputs;
  // Measured: 12 ε (float) and 12 ε (double) at most on outputs of size ≈ 1 after 40 steps; 64 ε allowed.
  const double tol = 64 * std::numeric_limits<Scalar>::epsilon();

  const auto one = simulate_sharded(net, u, X0, {.shards = 3, .threads = 1});
  REQUIRE(one.shape() == reference.shape());
  CHECK(max_abs_difference(one, reference) <= tol);
  for (thread_count threads : {2, 3, 7}) {
    CAPTURE(threads);
    const auto many = simulate_sharded(net, u, X0, {.shards = 3, .threads = threads});
    CHECK(many == one);  // bit-identical
  }
  CHECK(simulate_sharded(net, u, X0, {.shards = 3, .threads = 0}) == one);

  // More shards than trials are capped at one trial per shard; a shared initial state (N × 1).
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> x0 = X0.col(0);
  const auto shared = simulate_sharded(net, u, x0, {.shards = 5, .threads = 2});
  CHECK(max_abs_difference(shared, net.simulate(u, x0).outputs) <= tol);
  CHECK(simulate_sharded(net, u, x0, {.shards = 5, .threads = 1}) == shared);

  // The readout from the state (reference code) goes through the same path.
  net.set_readout(readout_source::state);
  CHECK(max_abs_difference(simulate_sharded(net, u, X0, {.shards = 2, .threads = 2}), net.simulate(u, X0).outputs) <=
        tol);
}

TEST_CASE("simulate_sharded rejects bad options before any work") {
  rng g(3);
  const auto net = make_ctrnn<double>(ctrnn_config::paper_text(8), 2, 1, g);
  const auto u = random_inputs<double>(5, 4, 2, g);
  const Eigen::VectorXd x0 = Eigen::VectorXd::Zero(8);
  CHECK_THROWS_WITH_AS(simulate_sharded(net, u, x0, {.shards = 2, .threads = -1}),
                       doctest::Contains("rnnlab::simulate_sharded: argument 'options.threads'"), argument_error);
  CHECK_THROWS_WITH_AS(simulate_sharded(net, u, x0, {.shards = 0, .threads = 1}),
                       doctest::Contains("rnnlab::simulate_sharded: argument 'options.shards'"), argument_error);
  const auto wrong = random_inputs<double>(5, 4, 3, g);
  CHECK_THROWS_AS(simulate_sharded(net, wrong, x0), shape_error);
}
