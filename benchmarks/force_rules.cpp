// full-FORCE and FORCE (learning/full_force.hpp, learning/force.hpp): trials/s at the paper's sizes
// (N = 50, T = 750, float; RDM, reference presets), next to the machine's rate for the rules'
// dominant operations, measured in the same binary: the N × N matrix–vector product and the
// rank-1 update in double (RLS keeps P, and the weights it corrects, in double).
//
// Nominal work of one trial (flops), counted from the code: every step runs the learner's step
// (2N² in float, feedback aside) and, for full-FORCE, D's step (2N², double); every RLS update
// (551 per trial for full-FORCE's reference schedule, 750 for FORCE at every step) costs
//   full-FORCE: W_rec r (2N²) + P r (2N², symmetric) + P's rank-1 update (N², lower half)
//               + W_rec −= e kᵀ (2N²) + the float copy and repacking of W_rec (≈ 2N² moves)
//   FORCE:      P s (2N²) + P's rank-1 update (N²) + W_out (O·N).
// The "GFLOP/s" counters use the flop part of these counts; the yardsticks report the same unit.
#include <benchmark/benchmark.h>

#include <rnnlab/learning/force.hpp>
#include <rnnlab/learning/full_force.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <Eigen/Core>

namespace {

using namespace rnnlab;

constexpr Index bench_N = 50, bench_T = 750;

double full_force_trial_flops(Index N, Index T, Index updates) {
  const double n2 = double(N) * double(N);
  return double(T) * 4.0 * n2 + double(updates) * 7.0 * n2;
}
double force_trial_flops(Index N, Index T, Index updates) {
  const double n2 = double(N) * double(N);
  return double(T) * 2.0 * n2 + double(updates) * 3.0 * n2;
}

void BM_full_force_trial(benchmark::State& state) {
  const random_dots task(rdm_params::reference_code());
  auto g = make_stream(1, 0, stream_purpose::initialization);
  auto net = make_full_force_network<float>(bench_N, 1, 1, g);
  auto rule = full_force::reference_code_rdm();
  rule.restart_after = 0;
  auto st = rule.make_state(net);
  auto gt = make_stream(1, 0, stream_purpose::training);
  (void)rule.update(net, st, task, gt);  // the first update also draws D and runs its warm-up trials
  for (auto _ : state) benchmark::DoNotOptimize(rule.update(net, st, task, gt));
  const Index updates = 1 + (bench_T - rule.first_update_step);
  const double it = static_cast<double>(state.iterations());
  state.counters["trials/s"] = benchmark::Counter(it, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(full_force_trial_flops(bench_N, bench_T, updates) * it / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_full_force_trial)->Unit(benchmark::kMillisecond);

void BM_force_trial(benchmark::State& state) {
  const random_dots task(rdm_params::reference_code());
  auto g = make_stream(1, 0, stream_purpose::initialization);
  force_network_spec spec;
  spec.n_units = bench_N;
  auto net = make_force_network<float>(spec, 1, 1, g);
  const auto rule = force::sussillo_abbott();
  auto st = rule.make_state(net);
  auto gt = make_stream(1, 0, stream_purpose::training);
  for (auto _ : state) benchmark::DoNotOptimize(rule.update(net, st, task, gt));
  const double it = static_cast<double>(state.iterations());
  state.counters["trials/s"] = benchmark::Counter(it, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(force_trial_flops(bench_N, bench_T, bench_T) * it / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_force_trial)->Unit(benchmark::kMillisecond);

// Yardstick 1: y = A x, N × N, repeated T times per iteration with the result fed back (as the
// per-step products are: each depends on the previous step).
template <class Scalar>
void BM_matvec_peak(benchmark::State& state) {
  using M = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using V = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const M A = M::Random(bench_N, bench_N) * Scalar(0.1);
  V x = V::Random(bench_N), y(bench_N);
  for (auto _ : state) {
    for (Index t = 0; t < bench_T; ++t) {
      y.noalias() = A * x;
      x.swap(y);
    }
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(bench_N * bench_N) * double(bench_T) *
                                                     static_cast<double>(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_matvec_peak<float>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_matvec_peak<double>)->Unit(benchmark::kMicrosecond);

// Yardstick 2: the RLS step alone in double: P r (symmetric), P's rank-1 update (lower half) and
// W −= e kᵀ on an N × N W, T times per iteration: the rules' dominant operations at their best.
void BM_rls_step_peak(benchmark::State& state) {
  rls P(bench_N, 5e4);
  Eigen::MatrixXd W = Eigen::MatrixXd::Zero(bench_N, bench_N);
  Eigen::VectorXd r = Eigen::VectorXd::Random(bench_N), e(bench_N);
  for (auto _ : state) {
    for (Index t = 0; t < bench_T; ++t) {
      e.noalias() = W * r;
      e -= r;
      benchmark::DoNotOptimize(P.update(r));
      P.correct(W, e);
      r(t % bench_N) = -r(t % bench_N);  // a new regressor each step
    }
    benchmark::DoNotOptimize(W.data());
  }
  // W r (2N²) + P r (2N²) + rank-1 (N²) + W correction (2N²) per step.
  state.counters["GFLOP/s"] = benchmark::Counter(7.0 * double(bench_N * bench_N) * double(bench_T) *
                                                     static_cast<double>(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_rls_step_peak)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
