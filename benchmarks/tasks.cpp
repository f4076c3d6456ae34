// Task sampling throughput at the paper's sizes (B = 500 trials of T = 750 steps).
#include <benchmark/benchmark.h>

#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

namespace {

void BM_sample_rdm(benchmark::State& state) {
  rnnlab::rng g(1);
  const rnnlab::random_dots task;
  for (auto _ : state) {
    auto b = task.sample<float>(state.range(0), g);
    benchmark::DoNotOptimize(b.inputs.data());
  }
  state.counters["trials/s"] = benchmark::Counter(static_cast<double>(state.range(0) * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["normals/s"] = benchmark::Counter(static_cast<double>(state.range(0) * 750 * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_sample_rdm)->Arg(500)->Unit(benchmark::kMillisecond);

void BM_sample_ncdi(benchmark::State& state) {
  rnnlab::rng g(1);
  const rnnlab::context_integration task(rnnlab::context_integration_params::paper_text(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    auto b = task.sample<float>(500, g);
    benchmark::DoNotOptimize(b.inputs.data());
  }
  state.counters["trials/s"] = benchmark::Counter(500.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["normals/s"] = benchmark::Counter(500.0 * 750 * static_cast<double>(state.range(0) * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_sample_ncdi)->Arg(2)->Arg(6)->Unit(benchmark::kMillisecond);

void BM_standard_normal(benchmark::State& state) {
  rnnlab::rng g(1);
  double s = 0;
  for (auto _ : state) s += rnnlab::standard_normal(g);
  benchmark::DoNotOptimize(s);
  state.counters["normals/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_standard_normal);

}  // namespace

BENCHMARK_MAIN();
