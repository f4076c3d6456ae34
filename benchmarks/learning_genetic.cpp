// Genetic algorithm (learning/genetic.hpp): one generation at the paper's sizes — population
// P = 50, batch B = 500, N = 50, T = 750 (RDM, reference preset), float — next to its yardstick
// measured in the same run: P independent forward passes `ctrnn::simulate` of the same 500 trials
// (the GA's scoring work without its selection, mutation, sampling and loss), serially and as P
// tasks on the executor. A generation is P·B = 25,000 trials; its forward GEMMs are
// 2 N (N + M) B T P = 94 GFLOP.
#include <benchmark/benchmark.h>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/learning/genetic.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <vector>

namespace {

using namespace rnnlab;

constexpr Index ga_N = 50, ga_B = 500, ga_T = 750, ga_P = 50;

random_dots ga_task() { return random_dots(rdm_params::reference_code()); }

void ga_counters(benchmark::State& state) {
  const double it = static_cast<double>(state.iterations());
  state.counters["generations/s"] = benchmark::Counter(it, benchmark::Counter::kIsRate);
  state.counters["trials/s"] = benchmark::Counter(it * double(ga_P * ga_B), benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] = benchmark::Counter(
      it * 2.0 * double(ga_N) * double(ga_N + 1) * double(ga_B * ga_T * ga_P) / 1e9, benchmark::Counter::kIsRate);
}

// One GA generation (rule.update: sample the batch, build P members, score them, select). Arg: threads.
void BM_ga_generation(benchmark::State& state) {
  auto g = make_stream(1, 0, stream_purpose::initialization);
  const auto task = ga_task();
  auto net = make_ctrnn<float>(ctrnn_config::reference_code(ga_N), 1, 1, g);
  auto rule = genetic::reference_code(ga_P);
  rule.threads = static_cast<thread_count>(state.range(0));
  auto s = rule.make_state(net);
  rule.update(net, s, task, g);  // generation 0 (fresh draw) outside the timing
  for (auto _ : state) benchmark::DoNotOptimize(rule.update(net, s, task, g).loss);
  ga_counters(state);
}

// The yardstick: P × simulate of the same 500 trials (P distinct networks), serially (threads = 1)
// or one network per task on the executor (threads = 2). Arg: threads.
void BM_population_simulate(benchmark::State& state) {
  auto g = make_stream(1, 0, stream_purpose::initialization);
  const auto task = ga_task();
  std::vector<ctrnn<float>> nets;
  for (Index i = 0; i < ga_P; ++i) nets.push_back(make_ctrnn<float>(ctrnn_config::reference_code(ga_N), 1, 1, g));
  const auto batch = task.sample<float>(ga_B, g);
  const auto x0 = draw_initial_states<float>(init_spec::reference_code(), ga_N, 1, g);
  const auto threads = static_cast<thread_count>(state.range(0));
  std::vector<double> sink(static_cast<std::size_t>(ga_P));
  for (auto _ : state) {
    parallel_dynamic(ga_P, threads, 1, [&](int, Index i) {
      const auto out = nets[static_cast<std::size_t>(i)].simulate(batch.inputs, x0).outputs;
      sink[static_cast<std::size_t>(i)] = static_cast<double>(out(ga_T - 1, 0, 0));
    });
    benchmark::DoNotOptimize(sink.data());
  }
  ga_counters(state);
}

}  // namespace

BENCHMARK(BM_ga_generation)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_population_simulate)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

BENCHMARK_MAIN();
