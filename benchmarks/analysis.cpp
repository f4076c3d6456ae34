// Benchmarks of the similarity analyses at the paper's sizes: 50-unit networks, 7,500 samples per
// network (750 steps × 10 probe conditions), P = 200 networks (19,900 pairs), and MDS / silhouette
// on the authors' 561 × 561 SVCCA distance matrix.
#include <benchmark/benchmark.h>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include <cmath>
#include <filesystem>
#include <map>
#include <span>
#include <vector>

#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/analysis/embedding/mds.hpp>
#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/io/npy.hpp>
#include <rnnlab/random.hpp>

using namespace rnnlab;

namespace {

constexpr Index n_units = 50, n_samples = 7500;

// Activity with a decaying spectrum like a trained network's: 16 latent signals with amplitudes
// decay^k mixed into 50 units, plus small private noise. SVCCA keeps K ≈ 9 components at 95 % with
// decay 0.85, K ≈ 5 with decay 0.7.
Eigen::MatrixXd network_activity(std::uint64_t seed, Index m = n_samples, double decay = 0.85) {
  rng g = make_stream(seed, 0, stream_purpose::analysis);
  constexpr Index r = 16;
  Eigen::MatrixXd A(n_units, r), Z(r, m), E(n_units, m);
  fill_normal(g, std::span<double>(A.data(), static_cast<std::size_t>(A.size())), 0.0, 1.0);
  fill_normal(g, std::span<double>(Z.data(), static_cast<std::size_t>(Z.size())), 0.0, 1.0);
  fill_normal(g, std::span<double>(E.data(), static_cast<std::size_t>(E.size())), 0.0, 0.02);
  for (Index k = 0; k < r; ++k) A.col(k) *= std::pow(decay, static_cast<double>(k));
  return A * Z + E;
}

const std::vector<Eigen::MatrixXd>& population(Index P, int decay_percent = 85) {
  static std::map<int, std::vector<Eigen::MatrixXd>> cache;
  auto& acts = cache[decay_percent];
  while (static_cast<Index>(acts.size()) < P)
    acts.push_back(network_activity(acts.size() + 1, n_samples, decay_percent / 100.0));
  return acts;
}

const Eigen::MatrixXd& fixture() {
  static const Eigen::MatrixXd D = io::read_npy_matrix<double>(std::filesystem::path(RNNLAB_DATA_DIR) /
                                                               "fixtures/svcca_distances_bptt_ga_ncdi.npy");
  return D;
}
std::vector<int> fixture_labels() {  // learning rule of each row (blocks BPTT1, GA1, …, GA6)
  const Index counts[12] = {24, 25, 24, 24, 63, 63, 60, 61, 59, 60, 49, 49};
  std::vector<int> labels;
  for (int b = 0; b < 12; ++b) labels.insert(labels.end(), static_cast<std::size_t>(counts[b]), b % 2);
  return labels;
}

// One pair the way the reference code does it: a full SVD of each network, then the covariance-based
// CCA of the reduced data (inverse square roots by eigen-decomposition).
double reference_style_pair(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y) {
  const auto reduce = [](const Eigen::MatrixXd& A) {
    const Eigen::MatrixXd Ac = A.colwise() - A.rowwise().mean();
    Eigen::BDCSVD<Eigen::MatrixXd> svd(Ac, Eigen::ComputeThinV);
    const Eigen::VectorXd s = svd.singularValues();
    Index K = 0;
    double cum = 0;
    while (cum / s.squaredNorm() < 0.95) cum += s(K) * s(K), ++K;
    return Eigen::MatrixXd(s.head(K).asDiagonal() * svd.matrixV().leftCols(K).transpose());
  };
  const Eigen::MatrixXd Zx = reduce(X), Zy = reduce(Y);
  const auto isqrt = [](const Eigen::MatrixXd& S) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(S);
    return Eigen::MatrixXd(e.eigenvectors() * e.eigenvalues().cwiseSqrt().cwiseInverse().asDiagonal() *
                           e.eigenvectors().transpose());
  };
  const Eigen::MatrixXd Sxx = Zx * Zx.transpose(), Syy = Zy * Zy.transpose(), Sxy = Zx * Zy.transpose();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(isqrt(Sxx) * Sxy * isqrt(Syy));
  return svd.singularValues().mean();
}

}  // namespace

static void BM_svcca_pair(benchmark::State& state) {
  const auto X = network_activity(1), Y = network_activity(2);
  svcca_result r;
  for (auto _ : state) {
    r = svcca(X, Y);
    benchmark::DoNotOptimize(r.similarity);
  }
  state.counters["K_x"] = static_cast<double>(r.k_x);
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_svcca_pair)->Unit(benchmark::kMillisecond);

static void BM_svcca_pair_reference_style(benchmark::State& state) {
  const auto X = network_activity(1, state.range(0)), Y = network_activity(2, state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(reference_style_pair(X, Y));
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_svcca_pair_reference_style)->Arg(n_samples)->Arg(100000)->Unit(benchmark::kMillisecond);

static void BM_factor_activity(benchmark::State& state) {
  const auto X = network_activity(1);
  for (auto _ : state) benchmark::DoNotOptimize(factor_activity(X).basis.data());
  state.counters["networks/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_factor_activity)->Unit(benchmark::kMillisecond);

// The whole population matrix from activity: factor 200 networks, then 19,900 pairs.
static void BM_population_distances(benchmark::State& state) {
  const Index P = state.range(0);
  const auto& all = population(P, static_cast<int>(state.range(3)));
  const std::span<const Eigen::MatrixXd> acts(all.data(), static_cast<std::size_t>(P));
  distance_matrix_params p;
  p.metric = static_cast<similarity_metric>(state.range(1));
  p.n_threads = static_cast<thread_count>(state.range(2));
  distance_matrix_result r;
  for (auto _ : state) {
    r = distance_matrix(acts, p);
    benchmark::DoNotOptimize(r.distances.data());
  }
  double k = 0;
  for (Index c : r.components) k += static_cast<double>(c);
  state.counters["mean_K"] = k / static_cast<double>(P);
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(P * (P - 1) / 2),
                                                 benchmark::Counter::kIsRate);
  state.SetLabel(std::string(to_name(p.metric)) + ", " + std::to_string(p.n_threads) + " threads");
}
BENCHMARK(BM_population_distances)
    ->ArgNames({"P", "metric", "threads", "decay%"})
    ->Args({200, static_cast<int>(similarity_metric::svcca), 2, 85})
    ->Args({200, static_cast<int>(similarity_metric::svcca), 1, 85})
    ->Args({200, static_cast<int>(similarity_metric::svcca), 2, 70})
    ->Args({200, static_cast<int>(similarity_metric::cka), 2, 85})
    ->Args({200, static_cast<int>(similarity_metric::procrustes), 2, 85})
    ->Args({200, static_cast<int>(similarity_metric::cca), 2, 85})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Only the pair stage: from the 200 factors to the matrix.
static void BM_population_pairs_from_factors(benchmark::State& state) {
  const auto& all = population(200);
  std::vector<activity_factor> factors;
  for (const auto& X : all) factors.push_back(factor_activity(X));
  distance_matrix_params p;
  p.n_threads = static_cast<thread_count>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(distance_matrix_from_factors(factors, p).distances.data());
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * 19900.0, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_population_pairs_from_factors)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

static void BM_classical_mds_561(benchmark::State& state) {
  const auto& D = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(classical_mds(D).coordinates.data());
}
BENCHMARK(BM_classical_mds_561)->Unit(benchmark::kMillisecond);

static void BM_smacof_mds_561(benchmark::State& state) {
  const auto& D = fixture();
  smacof_params p;  // 4 starts, ≤ 300 iterations each
  Index iters = 0;
  for (auto _ : state) {
    rng g(1);
    const auto r = smacof_mds(D, p, g);
    iters = r.iterations;
    benchmark::DoNotOptimize(r.coordinates.data());
  }
  state.counters["best_start_iterations"] = static_cast<double>(iters);
}
BENCHMARK(BM_smacof_mds_561)->Unit(benchmark::kMillisecond);

static void BM_silhouette_561(benchmark::State& state) {
  const auto& D = fixture();
  const auto labels = fixture_labels();
  const silhouette_params p{static_cast<silhouette_metric>(state.range(0))};
  for (auto _ : state) benchmark::DoNotOptimize(silhouette(D, labels, p).score);
  state.SetLabel(std::string(to_name(p.metric)));
}
BENCHMARK(BM_silhouette_561)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

static void BM_silhouette_permutation_561(benchmark::State& state) {
  const auto& D = fixture();
  const auto labels = fixture_labels();
  for (auto _ : state) {
    rng g(2);
    benchmark::DoNotOptimize(silhouette_permutation_test(D, labels, {silhouette_metric::precomputed, 1000}, g).p_value);
  }
  state.counters["permutations/s"] = benchmark::Counter(1000.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_silhouette_permutation_561)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
