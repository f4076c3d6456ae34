// The machine's GEMM peak, as a tuned BLAS (OpenBLAS) reaches it: the reference against which
// rnnlab's own kernels are judged (docs/performance.md). Not part of rnnlab: built only when CMake
// finds a BLAS (e.g. Debian's libopenblas-pthread-dev), and linked to nothing of the library.
//
//   build/benchmarks/bench_blas_peak                          # OpenBLAS picks its thread count
//   OPENBLAS_NUM_THREADS=1 build/benchmarks/bench_blas_peak   # one core
//
// Cases: large square products (the sustained peak) and the shapes of rnnlab's hot loops —
// the recurrent step of BPTT (50 × 50 times 50 × B, float) and a tile of a population Gram matrix
// (256 × 7,500 times 7,500 × 256, double).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

extern "C" {
// The Fortran BLAS interface, which every BLAS exports (no cblas.h needed).
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha,
            const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
            const int* ldc);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc);
}

namespace {

template <class S>
void gemm(int m, int n, int k, const S* a, const S* b, S* c) {
  const S one = 1, zero = 0;
  const char no = 'N';
  if constexpr (sizeof(S) == 4)
    sgemm_(&no, &no, &m, &n, &k, &one, a, &m, b, &k, &zero, c, &m);
  else
    dgemm_(&no, &no, &m, &n, &k, &one, a, &m, b, &k, &zero, c, &m);
}

template <class S>
void BM_blas_gemm(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1)),
            k = static_cast<int>(state.range(2));
  std::vector<S> a(static_cast<std::size_t>(m) * static_cast<std::size_t>(k)),
      b(static_cast<std::size_t>(k) * static_cast<std::size_t>(n)), c(static_cast<std::size_t>(m) * static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<S>(static_cast<double>(i % 7) * 0.1);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<S>(static_cast<double>(i % 5) * 0.1);
  for (auto _ : state) {
    gemm<S>(m, n, k, a.data(), b.data(), c.data());
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_blas_gemm, float)->Args({4096, 4096, 4096})->Args({50, 500, 50})->Args({50, 250, 50})
    ->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_blas_gemm, double)->Args({4096, 4096, 4096})->Args({256, 256, 7500})->Args({50, 500, 50})
    ->UseRealTime()->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
