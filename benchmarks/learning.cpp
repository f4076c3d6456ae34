// BPTT: one Adam iteration (forward + backward + update) at the paper's sizes N = 50, B = 500,
// T = 750 (RDM, reference preset: W_rec trained, loss at the first and last step), float and
// double, 1 and 2 threads, and the small regime B = 50, T = 100. Next to it, the GEMM ceiling:
// the same GEMMs on the same shapes (W·R and Wᵀ·G per step, the blocked W_rec-gradient GEMM),
// without any element-wise work, in the same binary, with the kernels the sweep uses
// (BM_gemm_ceiling) and with Eigen's products (BM_gemm_ceiling_eigen).
//
// FLOP count of an iteration's GEMMs: 3 · 2 N² B T (forward W·r, backward Wᵀ·g, gradient g·rᵀ)
// = 5.6 GFLOP at the paper's sizes. Sampling the batch is not included (bench_tasks measures it).
#include <benchmark/benchmark.h>

#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/tasks/validation.hpp>

#include <thread>
#include <vector>

namespace {

using namespace rnnlab;

double iteration_flops(Index N, Index B, Index T) { return 3.0 * 2.0 * double(N) * double(N) * double(B) * double(T); }

void add_counters(benchmark::State& state, Index N, Index B, Index T) {
  const double it = static_cast<double>(state.iterations());
  state.counters["trials/s"] = benchmark::Counter(static_cast<double>(B) * it, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] = benchmark::Counter(iteration_flops(N, B, T) * it / 1e9, benchmark::Counter::kIsRate);
}

// Args: B, T, threads.
template <class Scalar>
void BM_adam_iteration(benchmark::State& state) {
  const Index N = 50, B = state.range(0), T = state.range(1);
  const auto threads = static_cast<thread_count>(state.range(2));
  auto g = make_stream(1, 0, stream_purpose::initialization);
  auto net = make_ctrnn<Scalar>(ctrnn_config::reference_code(N), 1, 1, g);
  rdm_params p = rdm_params::reference_code();
  p.n_steps = T;
  const random_dots task(p);
  auto rule = bptt<adam>::reference_code();
  rule.batch_size = B;
  rule.threads = threads;
  auto rs = rule.make_state(net);
  const auto batch = task.sample<Scalar>(B, g);
  const auto x0 = draw_initial_states<Scalar>(init_spec::reference_code(), N, 1, g);
  const gradient_options go{rule.params, rule.loss, rule.shards, rule.threads};
  for (auto _ : state) {
    const double L = loss_and_gradient(net, batch, x0, go, rs.grad, rs.workspace);
    rule.optimizer.step(net.parameters(), rs.grad, rule.params, rs.optimizer);
    benchmark::DoNotOptimize(L);
  }
  add_counters(state, N, B, T);
}

// The GEMMs of one iteration alone, on the same shapes, the same shard split and the same kernels
// as the sweep (kernels/small_gemm.hpp: W·r forward with [W_rec | W_in] and b packed, Wᵀ·g
// backward, the blocked W_rec gradient G Rᵀ), without any element-wise work: the ceiling the
// iteration can approach.
template <class Scalar>
void BM_gemm_ceiling(benchmark::State& state) {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Index N = 50, M = 1, B = state.range(0), T = state.range(1), shards = 2;
  const auto threads = static_cast<thread_count>(state.range(2));
  const Index Bs = B / shards, k = detail::gradient_block_steps(Bs), ldg = detail::aligned_leading_dimension<Scalar>(N);
  const matrix W = matrix::Random(N, N), W_in = matrix::Random(N, M), b = matrix::Random(N, 1);
  detail::packed_lhs<Scalar> fwd, bwd;
  fwd.pack(W, W_in, b);
  bwd.pack(W.transpose());
  struct shard_data {
    matrix R, U, G, X, D, dW;
  };
  std::vector<shard_data> sd(static_cast<std::size_t>(shards));
  for (auto& s : sd) {
    s.R = matrix::Random(N, Bs * (T + 1));
    s.U = matrix::Random(M, Bs);
    s.G = matrix::Random(ldg, Bs * k);
    s.X = matrix::Zero(N, Bs);
    s.D.resize(N, Bs);
    s.dW = matrix::Zero(N, N);
  }
  for (auto _ : state) {
    parallel_shards(shards, threads, [&](Index si) {
      auto& s = sd[static_cast<std::size_t>(si)];
      for (Index t = 0; t < T; ++t)
        detail::small_gemm(fwd, s.R.data() + t * N * Bs, N, s.U.data(), M, Bs, s.X.data(), N, Scalar(0.1), Scalar(0.9));
      for (Index t = T; t >= 1; --t) {
        detail::small_gemm(bwd, s.G.data() + ((t - 1) % k) * ldg * Bs, ldg, static_cast<const Scalar*>(nullptr), 0, Bs,
                           s.D.data(), N, Scalar(1), Scalar(0));
        if ((t - 1) % k == 0) {
          const Index steps = std::min(k, T - (t - 1));
          detail::gemm_nt_accumulate(N, N, steps * Bs, s.G.data(), ldg, s.R.data() + (t - 1) * N * Bs, N, s.dW.data(), N);
        }
      }
    });
    benchmark::DoNotOptimize(sd[0].dW.data());
  }
  add_counters(state, N, B, T);
}

// The same GEMMs with Eigen's products (what the sweep used before the kernel), for comparison.
template <class Scalar>
void BM_gemm_ceiling_eigen(benchmark::State& state) {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Index N = 50, B = state.range(0), T = state.range(1), shards = 2;
  const auto threads = static_cast<thread_count>(state.range(2));
  const Index Bs = B / shards, k = detail::gradient_block_steps(Bs);
  const matrix W = matrix::Random(N, N);
  struct shard_data {
    matrix R, G, Z, D, dW;
  };
  std::vector<shard_data> sd(static_cast<std::size_t>(shards));
  for (auto& s : sd) {
    s.R = matrix::Random(N, Bs * (T + 1));
    s.G = matrix::Random(N, Bs * k);
    s.Z.resize(N, Bs);
    s.D.resize(N, Bs);
    s.dW = matrix::Zero(N, N);
  }
  for (auto _ : state) {
    parallel_shards(shards, threads, [&](Index si) {
      auto& s = sd[static_cast<std::size_t>(si)];
      for (Index t = 0; t < T; ++t) s.Z.noalias() = W * s.R.middleCols(t * Bs, Bs);
      for (Index t = T; t >= 1; --t) {
        s.D.noalias() = W.transpose() * s.G.middleCols(((t - 1) % k) * Bs, Bs);
        if ((t - 1) % k == 0) {
          const Index steps = std::min(k, T - (t - 1));
          s.dW.noalias() += s.G.leftCols(steps * Bs) * s.R.middleCols((t - 1) * Bs, steps * Bs).transpose();
        }
      }
    });
    benchmark::DoNotOptimize(sd[0].dW.data());
  }
  add_counters(state, N, B, T);
}

// Large square sgemm/dgemm: the machine's per-core GEMM peak as Eigen reaches it.
template <class Scalar>
void BM_large_gemm(benchmark::State& state) {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Index n = state.range(0);
  const matrix A = matrix::Random(n, n), Bm = matrix::Random(n, n);
  matrix C(n, n);
  for (auto _ : state) {
    C.noalias() = A * Bm;
    benchmark::DoNotOptimize(C.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(n) * double(n) * double(n) * double(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}

// The validation forward pass the trainer runs after each update: 2,000 trials of 750 steps.
template <class Scalar>
void BM_validation_forward(benchmark::State& state) {
  const Index N = 50;
  const auto threads = static_cast<thread_count>(state.range(0));
  auto g = make_stream(1, 0, stream_purpose::initialization);
  const auto net = make_ctrnn<Scalar>(ctrnn_config::reference_code(N), 1, 1, g);
  const random_dots task(rdm_params::reference_code());
  const auto val = reference_validation_set<Scalar>(task, g);
  const auto x0 = draw_initial_states<Scalar>(init_spec::reference_code(), N, 2000, g);
  for (auto _ : state) {
    const auto out = simulate_sharded(net, val.inputs, x0, {.shards = 2, .threads = threads});
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["trials/s"] = benchmark::Counter(2000.0 * double(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_adam_iteration, float)->Args({500, 750, 1})->Args({500, 750, 2})->Args({50, 100, 1})->Args({50, 100, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_adam_iteration, double)->Args({500, 750, 1})->Args({500, 750, 2})->Args({50, 100, 1})->Args({50, 100, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_gemm_ceiling, float)->Args({500, 750, 1})->Args({500, 750, 2})->Args({50, 100, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_gemm_ceiling, double)->Args({500, 750, 1})->Args({500, 750, 2})->Args({50, 100, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_gemm_ceiling_eigen, float)->Args({500, 750, 1})->Args({500, 750, 2})->Args({50, 100, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_gemm_ceiling_eigen, double)->Args({500, 750, 1})->Args({500, 750, 2})->Args({50, 100, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_large_gemm, float)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_large_gemm, double)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_validation_forward, float)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_validation_forward, double)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
