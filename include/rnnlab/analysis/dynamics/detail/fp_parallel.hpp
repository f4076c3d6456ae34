#pragma once
/// \file analysis/dynamics/detail/fp_parallel.hpp
/// A minimal fork-join loop for the fixed-point solvers: splits [0, n) into contiguous chunks, one
/// per thread. Results never depend on the thread count because every index is processed by the
/// same code on its own data; only the wall time does.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
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

/// A team of threads kept for the whole of a solve, for loops run many times in a row (the
/// lock-step Newton rounds of find_fixed_points: ~40 rounds of a few ms each, where starting and
/// joining fresh threads every round cost ≈ 45 µs a round on the 2-core VM). `run` has the
/// semantics of fp_parallel_dynamic: fn(thread_index, i) for every i in [0, n), blocks of `grain`
/// indices handed to whichever thread is free, the calling thread taking part as thread 0.
/// Between rounds a worker spins briefly (≈ 0.2 ms, as OpenMP runtimes do) before it sleeps, so
/// that the next round, which follows after a short serial step, starts on all threads at once.
class fp_thread_team {
public:
  explicit fp_thread_team(int n_threads) {
    for (int t = 1; t < n_threads; ++t) m_workers.emplace_back([this, t] { work(t); });
  }
  fp_thread_team(const fp_thread_team&) = delete;
  fp_thread_team& operator=(const fp_thread_team&) = delete;
  ~fp_thread_team() {
    {
      std::lock_guard lock(m_mutex);
      m_stop.store(true);
    }
    m_start.notify_all();
    for (auto& w : m_workers) w.join();
  }

  template <class Fn>
  void run(Index n, Index grain, Fn&& fn) {
    if (n <= 0) return;
    grain = std::max<Index>(1, grain);
    std::atomic<Index> next{0};
    std::vector<std::exception_ptr> errors(m_workers.size() + 1);
    const auto share = [&](int t) {
      try {
        for (;;) {
          const Index b = next.fetch_add(grain, std::memory_order_relaxed);
          if (b >= n) break;
          const Index e = std::min(n, b + grain);
          for (Index i = b; i < e; ++i) fn(t, i);
        }
      } catch (...) {
        errors[static_cast<std::size_t>(t)] = std::current_exception();
        next.store(n, std::memory_order_relaxed);  // stop handing out work
      }
    };
    if (m_workers.empty() || n <= grain) {
      share(0);
    } else {
      m_job = share;
      m_busy.store(static_cast<int>(m_workers.size()));
      {
        std::lock_guard lock(m_mutex);
        m_generation.fetch_add(1, std::memory_order_release);
      }
      m_start.notify_all();
      share(0);
      if (!spin_until([&] { return m_busy.load(std::memory_order_acquire) == 0; })) {
        std::unique_lock lock(m_mutex);
        m_done.wait(lock, [&] { return m_busy.load(std::memory_order_acquire) == 0; });
      }
      m_job = nullptr;
    }
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  }

private:
  /// Polls `ready` for about 0.2 ms; true as soon as it holds.
  template <class Pred>
  static bool spin_until(Pred&& ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
    for (int k = 0;; ++k) {
      if (ready()) return true;
      if ((k & 63) == 63 && std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
  }

  void work(int t) {
    std::uint64_t seen = 0;
    for (;;) {
      const auto posted = [&] {
        return m_stop.load(std::memory_order_acquire) || m_generation.load(std::memory_order_acquire) != seen;
      };
      if (!spin_until(posted)) {
        std::unique_lock lock(m_mutex);
        m_start.wait(lock, posted);
      }
      if (m_stop.load(std::memory_order_acquire)) return;
      seen = m_generation.load(std::memory_order_acquire);
      m_job(t);
      if (m_busy.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard lock(m_mutex);
        m_done.notify_one();
      }
    }
  }

  std::vector<std::thread> m_workers;
  std::mutex m_mutex;
  std::condition_variable m_start, m_done;
  std::function<void(int)> m_job;  // written before the generation is published, read after
  std::atomic<std::uint64_t> m_generation{0};
  std::atomic<int> m_busy{0};
  std::atomic<bool> m_stop{false};
};

/// Calls fn(thread_index, i) for every i in [0, n), handing out blocks of `grain` indices to
/// whichever thread is free (the per-index cost of a Newton round varies several-fold: backtracking,
/// LM retries). Which thread runs an index never changes what fn computes for it, so results do not
/// depend on the thread count or the schedule as long as fn(t, i) touches only index i's data and
/// thread t's scratch. (A one-off loop: a team of threads for just this call.)
template <class Fn>
void fp_parallel_dynamic(Index n, int n_threads, Index grain, Fn&& fn) {
  if (n <= 0) return;
  grain = std::max<Index>(1, grain);
  const Index T = std::max<Index>(1, std::min<Index>(n_threads, (n + grain - 1) / grain));
  fp_thread_team team(static_cast<int>(T));
  team.run(n, grain, fn);
}

}  // namespace rnnlab::detail
