// Forward simulation of a CTRNN: the paper's sizes N = 50, B = 500, T = 750 (RDM, 1 input), float
// and double, and a small regime. Reports trials/s; the state trajectory is not recorded.
#include <benchmark/benchmark.h>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>

namespace {

template <class Scalar, class F>
void BM_simulate(benchmark::State& state) {
  using namespace rnnlab;
  const Index B = state.range(0), T = state.range(1), M = state.range(2);
  rng g(1);
  const auto net = make_ctrnn<Scalar, F>(ctrnn_config::paper_text(50), M, 1, g);
  sequence<Scalar> u({T, B, M});
  fill_normal(g, u.span());
  for (auto _ : state) {
    auto sim = net.simulate(u);
    benchmark::DoNotOptimize(sim.outputs.data());
  }
  state.counters["trials/s"] = benchmark::Counter(static_cast<double>(B * state.iterations()), benchmark::Counter::kIsRate);
  // 2 N^2 + 2 N M + 2 N O flops per trial step for the products.
  const double flops = static_cast<double>(T * B) * (2.0 * 50 * 50 + 2.0 * 50 * static_cast<double>(M) + 2.0 * 50);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

using rnnlab::activations::one_plus_tanh;
using rnnlab::activations::relu;
BENCHMARK_TEMPLATE(BM_simulate, float, one_plus_tanh)->Args({500, 750, 1})->Args({500, 750, 4})->Args({50, 100, 1})->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_simulate, double, one_plus_tanh)->Args({500, 750, 1})->Args({50, 100, 1})->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_simulate, float, relu)->Args({500, 750, 1})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
