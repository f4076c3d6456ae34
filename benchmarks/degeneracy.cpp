// Benchmarks of the degeneracy measures (analysis/degeneracy.hpp, analysis/similarity/dsa.hpp).
// DSA population matrix at P = 100 networks (the figure) next to the yardstick the
// reference DSA package uses: every pair optimised by Adam on a Cayley parametrisation of C
// (here 1,000 steps at learning rate 0.01; written out below in the same Eigen terms, so the
// ratio compares algorithms, not languages).
//
// Activity: 50-unit random tanh networks x_{t+1} = tanh(W x_t + h), gain 1.3, 8 conditions
// (initial states) × 60 steps; DSA with 5 delays and rank 10 (Hankel 250 × 448).
#include <benchmark/benchmark.h>

#include <Eigen/LU>

#include <cmath>
#include <span>
#include <vector>

#include <rnnlab/analysis/degeneracy.hpp>
#include <rnnlab/random.hpp>

using namespace rnnlab;

namespace {

constexpr Index degen_units = 50, degen_conditions = 8, degen_steps = 60;

Eigen::MatrixXd degen_activity(std::uint64_t seed) {
  rng g = make_stream(seed, 0, stream_purpose::analysis);
  Eigen::MatrixXd W(degen_units, degen_units), X(degen_units, degen_steps * degen_conditions);
  fill_normal(g, std::span<double>(W.data(), static_cast<std::size_t>(W.size())), 0.0,
              1.3 / std::sqrt(static_cast<double>(degen_units)));
  Eigen::VectorXd h(degen_units);
  fill_normal(g, std::span<double>(h.data(), static_cast<std::size_t>(h.size())), 0.0, 0.1);
  for (Index c = 0; c < degen_conditions; ++c) {
    Eigen::VectorXd x(degen_units);
    fill_normal(g, std::span<double>(x.data(), static_cast<std::size_t>(x.size())), 0.0, 1.0);
    for (Index t = 0; t < degen_steps; ++t) {
      X.col(t * degen_conditions + c) = x;
      x = (W * x + h).array().tanh().matrix();
    }
  }
  return X;
}

dsa_params degen_params() {
  dsa_params p;
  p.n_conditions = degen_conditions;
  p.n_delays = 5;
  p.rank = 10;
  return p;
}

const std::vector<Eigen::MatrixXd>& degen_population(Index P) {
  static std::vector<Eigen::MatrixXd> acts;
  while (static_cast<Index>(acts.size()) < P) acts.push_back(degen_activity(acts.size() + 1));
  return acts;
}

// The yardstick: Adam on X (S = X − Xᵀ, C = (I − S)(I + S)⁻¹) minimising ‖A − C B Cᵀ‖²_F.
double degen_adam_pair(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B, int steps, double lr) {
  const Index r = A.rows();
  const Eigen::MatrixXd I = Eigen::MatrixXd::Identity(r, r);
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(r, r), m1 = X, m2 = X;
  double loss = 0.0;
  for (int k = 1; k <= steps; ++k) {
    const Eigen::MatrixXd S = X - X.transpose();
    const Eigen::MatrixXd K = (I + S).partialPivLu().inverse();
    const Eigen::MatrixXd C = (I - S) * K;
    const Eigen::MatrixXd R = A - C * B * C.transpose();
    loss = R.squaredNorm();
    const Eigen::MatrixXd GC = -2.0 * (R * C * B.transpose() + R.transpose() * C * B);
    const Eigen::MatrixXd GS = -(I + C).transpose() * GC * K.transpose();
    const Eigen::MatrixXd G = GS - GS.transpose();
    m1 = 0.9 * m1 + 0.1 * G;
    m2 = 0.999 * m2 + 0.001 * G.cwiseAbs2();
    const double c1 = 1.0 - std::pow(0.9, k), c2 = 1.0 - std::pow(0.999, k);
    X -= lr * ((m1 / c1).array() / ((m2 / c2).array().sqrt() + 1e-8)).matrix();
  }
  return std::sqrt(loss);
}

void BM_dsa_operator(benchmark::State& state) {
  const auto& acts = degen_population(1);
  const dsa_params p = degen_params();
  for (auto _ : state) benchmark::DoNotOptimize(dmd_operator_of(acts[0], p));
  state.counters["networks/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_dsa_operator)->Unit(benchmark::kMillisecond);

void BM_dsa_pair_procrustes_steps(benchmark::State& state) {
  const auto& acts = degen_population(2);
  const dsa_params p = degen_params();
  const dmd_operator a = dmd_operator_of(acts[0], p), b = dmd_operator_of(acts[1], p);
  dsa_result r;
  for (auto _ : state) benchmark::DoNotOptimize(r = dsa_compare(a, b, p));
  dsa_params pe = p;
  pe.score = dsa_score::euclidean;
  state.counters["euclidean"] = dsa_compare(a, b, pe).distance;
  state.counters["steps"] = r.iterations;
}
BENCHMARK(BM_dsa_pair_procrustes_steps)->Unit(benchmark::kMicrosecond);

void BM_dsa_pair_gradient_only(benchmark::State& state) {
  const auto& acts = degen_population(2);
  dsa_params p = degen_params();
  p.procrustes_steps = false;
  p.max_iterations = static_cast<int>(state.range(0));
  const dmd_operator a = dmd_operator_of(acts[0], p), b = dmd_operator_of(acts[1], p);
  dsa_result r;
  for (auto _ : state) benchmark::DoNotOptimize(r = dsa_compare(a, b, p));
  dsa_params pe = p;
  pe.score = dsa_score::euclidean;
  state.counters["euclidean"] = dsa_compare(a, b, pe).distance;
  state.counters["steps"] = r.iterations;
}
BENCHMARK(BM_dsa_pair_gradient_only)->Arg(300)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_dsa_pair_adam_yardstick(benchmark::State& state) {
  const auto& acts = degen_population(2);
  const dsa_params p = degen_params();
  const dmd_operator a = dmd_operator_of(acts[0], p), b = dmd_operator_of(acts[1], p);
  double d = 0.0;
  for (auto _ : state) benchmark::DoNotOptimize(d = degen_adam_pair(a.A, b.A, 1000, 0.01));
  state.counters["euclidean"] = d;
}
BENCHMARK(BM_dsa_pair_adam_yardstick)->Unit(benchmark::kMillisecond);

void BM_dsa_matrix(benchmark::State& state) {
  const Index P = state.range(0);
  const auto& all = degen_population(P);
  const std::span<const Eigen::MatrixXd> acts(all.data(), static_cast<std::size_t>(P));
  const dsa_params p = degen_params();
  for (auto _ : state) benchmark::DoNotOptimize(dsa_distance_matrix(acts, p, static_cast<thread_count>(state.range(1))));
  state.counters["pairs/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * P * (P - 1) / 2), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_dsa_matrix)->Args({100, 1})->Args({100, 2})->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
