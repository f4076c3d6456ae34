// Miconi's Hebbian rule (learning/hebbian.hpp): trials/s at the paper's sizes N = 50, T = 750,
// float, one trial per update (sample the RDM trial, draw x0, 750 steps with perturbations and the
// eligibility trace, the weight change), for both presets. Next to it, in the same binary, the
// yardsticks of a trial-by-trial rule on one core:
//   - BM_matvec_peak: 750 dependent matrix–vector products y ← W tanh(y) at N = 50 (Eigen,
//     float): the recurrence a trial cannot avoid; its trials/s is the ceiling of any rule that
//     steps one trial at a time;
//   - BM_eligibility_peak: 750 element-wise updates E += (δx rᵀ)∘³ on a 50 × 50 matrix: the
//     Hebbian rule's own per-step work, which is as large as the product.
// FLOP counts per step: 2N² (matrix–vector), 4N² (outer product, cube = 2 multiplies, add).
// Rates (trials/s, GFLOP/s) are per CPU second (Google Benchmark's default): on the shared 2-core
// machine the wall time of a single-threaded loop includes other processes' time slices.
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <rnnlab/learning/hebbian.hpp>
#include <rnnlab/tasks/rdm.hpp>

namespace {

using namespace rnnlab;

constexpr Index heb_N = 50, heb_T = 750;

void BM_hebbian_trial(benchmark::State& state) {
  const bool paper = state.range(0) != 0;
  const random_dots task(rdm_params::reference_code());
  auto g = make_stream(1, 0, stream_purpose::initialization);
  auto net = make_miconi_network<float>(miconi_network_config{}, 1, g);
  hebbian rule = paper ? hebbian::paper_text() : hebbian::reference_code();
  rule.warmup_trials = 0;
  rule.learning_rate = 1e-6;  // keep the network where it is over millions of trials
  auto st = rule.make_state(net);
  auto tg = make_stream(1, 0, stream_purpose::training);
  for (auto _ : state) {
    const auto r = rule.update(net, st, task, tg);
    benchmark::DoNotOptimize(r.loss);
  }
  state.counters["trials/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
  state.SetLabel(paper ? "paper_text (trial mean)" : "reference_code (fast trace)");
}

void BM_matvec_peak(benchmark::State& state) {
  // A constant drive c keeps x away from 0 (a decaying x reaches subnormal floats, which are slow).
  Eigen::MatrixXf W = Eigen::MatrixXf::Random(heb_N, heb_N) * 0.1f;
  const Eigen::VectorXf c = Eigen::VectorXf::Random(heb_N);
  Eigen::VectorXf x = Eigen::VectorXf::Random(heb_N), r(heb_N), y(heb_N);
  for (auto _ : state) {
    for (Index t = 0; t < heb_T; ++t) {
      r = x.array().tanh().matrix();
      y.noalias() = W * r;
      x = 0.9f * x + 0.1f * (y + c);
    }
    benchmark::DoNotOptimize(x.data());
  }
  const double it = double(state.iterations());
  state.counters["trials/s"] = benchmark::Counter(it, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * double(heb_N * heb_N) * double(heb_T) * it / 1e9, benchmark::Counter::kIsRate);
}

void BM_eligibility_peak(benchmark::State& state) {
  Eigen::MatrixXf E = Eigen::MatrixXf::Zero(heb_N, heb_N);
  const Eigen::VectorXf d = Eigen::VectorXf::Random(heb_N) * 0.1f, r = Eigen::VectorXf::Random(heb_N);
  for (auto _ : state) {
    for (Index t = 0; t < heb_T; ++t) E.array() += (d * r.transpose()).array().cube();
    benchmark::DoNotOptimize(E.data());
    benchmark::ClobberMemory();
  }
  const double it = double(state.iterations());
  state.counters["trials/s"] = benchmark::Counter(it, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(4.0 * double(heb_N * heb_N) * double(heb_T) * it / 1e9, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_hebbian_trial)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_matvec_peak)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_eligibility_peak)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
