#pragma once
/// \file analysis/detail/fp_parallel.hpp
/// A minimal fork-join loop for the fixed-point solvers: splits [0, n) into contiguous chunks, one
/// per thread. Results never depend on the thread count because every index is processed by the
/// same code on its own data; only the wall time does.

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include <rnnlab/tensor.hpp>

namespace rnnlab::detail {

/// The number of threads to use: `requested` if > 0, else the hardware's (at least 1).
inline int fp_thread_count(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

/// Calls fn(thread_index, begin, end) on contiguous chunks of [0, n), chunk t on thread t.
/// Exceptions thrown by fn are rethrown on the calling thread (the first one wins).
template <class Fn>
void fp_parallel_chunks(Index n, int n_threads, Fn&& fn) {
  if (n <= 0) return;
  const Index T = std::max<Index>(1, std::min<Index>(n_threads, n));
  if (T == 1 || n < 8) {
    fn(0, Index{0}, n);
    return;
  }
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(T));
  const auto run = [&](Index t) {
    const Index begin = n * t / T, end = n * (t + 1) / T;
    try {
      fn(static_cast<int>(t), begin, end);
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
    }
  };
  workers.reserve(static_cast<std::size_t>(T - 1));
  for (Index t = 1; t < T; ++t) workers.emplace_back(run, t);
  run(0);
  for (auto& w : workers) w.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

/// Calls fn(thread_index, i) for every i in [0, n), handing out blocks of `grain` indices to
/// whichever thread is free (the per-index cost of a Newton round varies several-fold: backtracking,
/// LM retries). Which thread runs an index never changes what fn computes for it, so results do not
/// depend on the thread count or the schedule as long as fn(t, i) touches only index i's data and
/// thread t's scratch.
template <class Fn>
void fp_parallel_dynamic(Index n, int n_threads, Index grain, Fn&& fn) {
  if (n <= 0) return;
  grain = std::max<Index>(1, grain);
  const Index T = std::max<Index>(1, std::min<Index>(n_threads, (n + grain - 1) / grain));
  if (T == 1) {
    for (Index i = 0; i < n; ++i) fn(0, i);
    return;
  }
  std::atomic<Index> next{0};
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(T));
  const auto run = [&](Index t) {
    try {
      for (;;) {
        const Index b = next.fetch_add(grain, std::memory_order_relaxed);
        if (b >= n) break;
        const Index e = std::min(n, b + grain);
        for (Index i = b; i < e; ++i) fn(static_cast<int>(t), i);
      }
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
      next.store(n, std::memory_order_relaxed);  // stop handing out work
    }
  };
  workers.reserve(static_cast<std::size_t>(T - 1));
  for (Index t = 1; t < T; ++t) workers.emplace_back(run, t);
  run(0);
  for (auto& w : workers) w.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace rnnlab::detail
