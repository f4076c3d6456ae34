#pragma once
/// \file kernels/parallel.hpp
/// The one executor of rnnlab: every parallel loop of the library (shards of a batch in BPTT and
/// simulation, Newton rounds of the fixed-point solver, networks and tiles of a distance matrix,
/// pairs of a topology matrix) runs on these four pieces.
///
///   - `parallel_shards(n, threads, fn)`: fn(s) for every shard s < n, shard s on worker s mod T
///     (T threads, in increasing s on each worker). A fixed assignment, for work split into a few
///     equal shards with per-shard state.
///   - `parallel_dynamic(n, threads, grain, fn)`: fn(worker, i) for every i < n, blocks of `grain`
///     consecutive indices handed out in increasing order to whichever worker is free (a shared
///     atomic counter), for uneven work; `worker` < T indexes per-thread scratch space.
///   - `thread_team`: a persistent team for loops run many times in a row (≈ 40 Newton rounds of a
///     few ms each, where starting and joining threads every round cost ≈ 45 µs a round on the
///     2-core development VM); `team.run(fn)` runs fn(worker) on every member and
///     `parallel_dynamic(team, n, grain, fn)` the dynamic loop on the team. Between runs a worker
///     spins ≈ 0.2 ms (as OpenMP runtimes do) and then sleeps on a condition variable, so that the
///     next run, which follows after a short serial step, starts on all members at once.
///   - `thread_budget`: a thread-local RAII scope capping every executor call made from this
///     thread (nested parallelism never oversubscribes; see below).
///
/// Threads setting. `thread_count` is the one type of every `threads` option of the library:
/// 0 = automatic (the hardware's thread count, capped by the budget in force), n ≥ 1 = at most n
/// (capped by the budget in force, if any, and by the useful parallelism of the call).
/// `resolve_threads` computes the count a call uses; with a `work_estimate` (a rough count of
/// multiply-adds) an automatic setting uses one thread below 2·10⁷ multiply-adds, where starting a
/// thread costs more than it saves.
///
/// Determinism. Which thread runs a shard or an index never changes what fn computes for it, so
/// results never depend on the thread count as long as fn(s) (fn(worker, i)) writes only shard s's
/// (index i's) data and worker-owned scratch, and any reduction over shards is done afterwards in
/// shard order by the caller. The calling thread is always worker 0.
///
/// Exceptions. An exception thrown by fn on any worker stops the call: no further shard (index)
/// above the lowest one that has thrown is started, every worker finishes what it is running, and
/// the exception of the lowest throwing shard (index; for `thread_team::run`, member) is re-thrown
/// in the caller. Every shard below it is still run, so which exception arrives does not depend on
/// the thread count or the schedule. The executor stays usable afterwards.
///
/// Budget. `thread_budget scope(n);` caps every executor call made from this thread while the
/// scope lives at n threads (the calling thread included). Workers started by the executor, and
/// the calling thread while it runs fn as worker 0 of a multi-threaded call, run with budget 1, so
/// a parallel call nested inside fn runs serially unless fn hands it more with its own
/// `thread_budget` (which sets, not narrows, the budget of its thread). Without any scope there
/// is no budget: an explicit count is honoured as given (tests run 3 or 7 threads on 2 cores).
///
/// Not used: Eigen's own threads (never nested with these) and OpenMP.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// The type of every `threads` setting: 0 = automatic, n ≥ 1 = at most n threads.
using thread_count = int;

/// A rough count of the multiply-adds of a whole parallel call, for the automatic thread count.
struct work_estimate {
  double multiply_adds = std::numeric_limits<double>::infinity();
  /// Below this an automatic thread count is 1 (measured: starting a thread costs ≈ 50–100 µs).
  static constexpr double small = 2e7;
};

/// The hardware's thread count (at least 1), read once (glibc reads it from /sys on every call).
inline int hardware_threads() noexcept {
  static const int n = [] {
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(std::min<unsigned>(hw, 1u << 20));
  }();
  return n;
}

/// The number of threads a call uses: `requested` (0 = the hardware's), capped by the budget of
/// the calling thread (if a `thread_budget` or an executor worker sets one) and by `max_useful`
/// (e.g. the number of shards); at least 1. Throws argument_error if requested < 0.
inline int resolve_threads(thread_count requested, Index max_useful = std::numeric_limits<Index>::max());

/// The same, with an automatic setting using 1 thread when `work` is below work_estimate::small.
inline int resolve_threads(thread_count requested, Index max_useful, work_estimate work);

/// A thread-local cap on the threads of every executor call made from this thread while the scope
/// lives (see the file comment). `thread_budget scope(n)` with n ≥ 1 sets the budget to n (also
/// above an enclosing one: how a caller hands more threads to a worker); n = 0 sets it to
/// `resolve_threads(0)` (the budget in force, or the hardware's). The previous budget is restored
/// when the scope ends. Throws argument_error if n < 0.
class thread_budget {
public:
  explicit thread_budget(thread_count n);
  thread_budget(const thread_budget&) = delete;
  thread_budget& operator=(const thread_budget&) = delete;
  ~thread_budget();

  /// This scope's cap.
  int limit() const noexcept { return m_limit; }
  /// The cap in force on the calling thread; 0 when no budget is set (no cap).
  static int current() noexcept;

private:
  int m_previous;
  int m_limit;
};

/// fn(s) for every shard s in [0, n_shards) on `threads` threads (resolved with max_useful =
/// n_shards), shard s on worker s mod T in increasing order; the calling thread is worker 0.
/// Exceptions: see the file comment.
template <class Fn>
void parallel_shards(Index n_shards, thread_count threads, Fn&& fn);

/// The same with a work estimate for the automatic thread count.
template <class Fn>
void parallel_shards(Index n_shards, thread_count threads, work_estimate work, Fn&& fn);

/// fn(worker, i) for every i in [0, n), blocks of `grain` ≥ 1 consecutive indices handed out in
/// increasing order to whichever worker is free; worker < resolve_threads(threads, ⌈n / grain⌉).
/// Throws argument_error if grain < 1. Exceptions of fn: see the file comment.
template <class Fn>
void parallel_dynamic(Index n, thread_count threads, Index grain, Fn&& fn);

/// A persistent team of threads (the caller being member 0); see the file comment. Not reentrant:
/// `run` must not be called from inside one of its own runs, nor from two threads at once
/// (argument_error).
class thread_team {
public:
  /// A team of resolve_threads(threads) members (threads − 1 are started here, with budget 1).
  explicit thread_team(thread_count threads);
  thread_team(const thread_team&) = delete;
  thread_team& operator=(const thread_team&) = delete;
  ~thread_team();

  int size() const noexcept { return static_cast<int>(m_workers.size()) + 1; }

  /// fn(worker) on every member, worker in [0, size()), the caller as member 0; returns when all
  /// have finished. Re-throws the exception of the lowest-numbered member that threw.
  template <class Fn>
  void run(Fn&& fn);

private:
  template <class Pred>
  static bool spin_until(Pred&& ready);
  void work(int t);
  void execute(void (*invoke)(void*, int), void* context);
  void stop_and_join() noexcept;

  std::vector<std::thread> m_workers;
  std::mutex m_mutex;
  std::condition_variable m_start, m_done;
  void (*m_invoke)(void*, int) = nullptr;  // written before the generation is published, read after
  void* m_context = nullptr;
  std::atomic<std::uint64_t> m_generation{0};
  std::atomic<int> m_busy{0};
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_running{false};
};

/// parallel_dynamic on a persistent team: fn(worker, i), worker < team.size(). With one member or
/// n ≤ grain the caller runs every index.
template <class Fn>
void parallel_dynamic(thread_team& team, Index n, Index grain, Fn&& fn);

// ---------------------------------------------------------------------------------------------
// Definitions

namespace detail {

/// This thread's budget; 0 = none.
inline int& thread_budget_slot() noexcept {
  thread_local int budget = 0;
  return budget;
}

/// Sets this thread's budget for a scope without validation (the executor's own use).
class budget_override {
public:
  explicit budget_override(int n) noexcept : m_previous(thread_budget_slot()) { thread_budget_slot() = n; }
  budget_override(const budget_override&) = delete;
  budget_override& operator=(const budget_override&) = delete;
  ~budget_override() { thread_budget_slot() = m_previous; }

private:
  int m_previous;
};

/// The lowest key (shard, index, member) whose work threw, and its exception.
class first_failure {
public:
  /// Work with a key above this need not start.
  Index bound() const noexcept { return m_bound.load(std::memory_order_relaxed); }
  void record(Index key, std::exception_ptr e) {
    std::lock_guard lock(m_mutex);
    if (key < m_key) {
      m_key = key;
      m_error = std::move(e);
      m_bound.store(key, std::memory_order_relaxed);
    }
  }
  void rethrow() const {
    if (m_error) std::rethrow_exception(m_error);
  }

private:
  std::atomic<Index> m_bound{std::numeric_limits<Index>::max()};
  std::mutex m_mutex;
  Index m_key = std::numeric_limits<Index>::max();
  std::exception_ptr m_error;
};

/// Runs member(w) for w in [0, T): w ≥ 1 on fresh threads, w = 0 on the caller, all with budget 1;
/// returns when all have finished. `member` must not throw (the callers catch inside).
template <class Member>
void fork_join(int T, Member& member) {
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(T - 1));
  try {
    for (int w = 1; w < T; ++w)
      pool.emplace_back([&member, w] {
        thread_budget_slot() = 1;
        member(w);
      });
  } catch (...) {  // a thread could not be started: finish the started ones, then report
    for (auto& th : pool) th.join();
    throw;
  }
  {
    budget_override one(1);
    member(0);
  }
  for (auto& th : pool) th.join();
}

/// The dynamic loop shared by both forms of parallel_dynamic: worker w's share.
template <class Fn>
void dynamic_share(int w, Index n, Index grain, std::atomic<Index>& next, first_failure& failure, Fn& fn) {
  for (;;) {
    const Index b = next.fetch_add(grain, std::memory_order_relaxed);
    if (b >= n) return;
    const Index e = std::min(n, b + grain);
    for (Index i = b; i < e; ++i) {
      if (i > failure.bound()) return;  // a lower index threw: later blocks are above it too
      try {
        fn(w, i);
      } catch (...) {
        failure.record(i, std::current_exception());
        return;
      }
    }
  }
}

}  // namespace detail

inline int resolve_threads(thread_count requested, Index max_useful) {
  require(requested >= 0, "rnnlab::resolve_threads", "requested", ">= 0 (0 = automatic)", requested);
  Index n = requested > 0 ? requested : hardware_threads();
  const int budget = detail::thread_budget_slot();
  if (budget > 0) n = std::min<Index>(n, budget);
  n = std::min(n, std::max<Index>(max_useful, 1));
  return static_cast<int>(std::max<Index>(n, 1));
}

inline int resolve_threads(thread_count requested, Index max_useful, work_estimate work) {
  if (requested == 0 && work.multiply_adds < work_estimate::small) return 1;
  return resolve_threads(requested, max_useful);
}

inline thread_budget::thread_budget(thread_count n) : m_previous(detail::thread_budget_slot()) {
  require(n >= 0, "rnnlab::thread_budget", "n", ">= 0 (0 = the budget in force)", n);
  m_limit = n > 0 ? n : resolve_threads(0);
  detail::thread_budget_slot() = m_limit;
}

inline thread_budget::~thread_budget() { detail::thread_budget_slot() = m_previous; }

inline int thread_budget::current() noexcept { return detail::thread_budget_slot(); }

template <class Fn>
void parallel_shards(Index n_shards, thread_count threads, work_estimate work, Fn&& fn) {
  if (n_shards <= 0) {
    resolve_threads(threads);  // still validates the setting
    return;
  }
  const int T = resolve_threads(threads, n_shards, work);
  if (T == 1) {
    for (Index s = 0; s < n_shards; ++s) fn(s);
    return;
  }
  detail::first_failure failure;
  auto member = [&](int w) {
    for (Index s = w; s < n_shards; s += T) {
      if (s > failure.bound()) return;
      try {
        fn(s);
      } catch (...) {
        failure.record(s, std::current_exception());
        return;
      }
    }
  };
  detail::fork_join(T, member);
  failure.rethrow();
}

template <class Fn>
void parallel_shards(Index n_shards, thread_count threads, Fn&& fn) {
  parallel_shards(n_shards, threads, work_estimate{}, std::forward<Fn>(fn));
}

template <class Fn>
void parallel_dynamic(Index n, thread_count threads, Index grain, Fn&& fn) {
  require(grain >= 1, "rnnlab::parallel_dynamic", "grain", ">= 1", grain);
  if (n <= 0) {
    resolve_threads(threads);
    return;
  }
  const int T = resolve_threads(threads, (n + grain - 1) / grain);
  if (T == 1) {
    for (Index i = 0; i < n; ++i) fn(0, i);
    return;
  }
  std::atomic<Index> next{0};
  detail::first_failure failure;
  auto member = [&](int w) { detail::dynamic_share(w, n, grain, next, failure, fn); };
  detail::fork_join(T, member);
  failure.rethrow();
}

inline thread_team::thread_team(thread_count threads) {
  const int n = resolve_threads(threads);
  m_workers.reserve(static_cast<std::size_t>(n - 1));
  try {
    for (int t = 1; t < n; ++t) m_workers.emplace_back([this, t] { work(t); });
  } catch (...) {  // a thread could not be started: stop and join the started ones, then report
    stop_and_join();
    throw;
  }
}

inline thread_team::~thread_team() { stop_and_join(); }

inline void thread_team::stop_and_join() noexcept {
  {
    std::lock_guard lock(m_mutex);
    m_stop.store(true);
  }
  m_start.notify_all();
  for (auto& w : m_workers)
    if (w.joinable()) w.join();
}

template <class Pred>
bool thread_team::spin_until(Pred&& ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
  for (int k = 0;; ++k) {
    if (ready()) return true;
    if ((k & 63) == 63 && std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
}

inline void thread_team::work(int t) {
  detail::thread_budget_slot() = 1;
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
    m_invoke(m_context, t);
    if (m_busy.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard lock(m_mutex);
      m_done.notify_one();
    }
  }
}

inline void thread_team::execute(void (*invoke)(void*, int), void* context) {
  m_invoke = invoke;
  m_context = context;
  m_busy.store(static_cast<int>(m_workers.size()));
  {
    std::lock_guard lock(m_mutex);
    m_generation.fetch_add(1, std::memory_order_release);
  }
  m_start.notify_all();
  {
    detail::budget_override one(1);
    invoke(context, 0);
  }
  if (!spin_until([&] { return m_busy.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [&] { return m_busy.load(std::memory_order_acquire) == 0; });
  }
  m_invoke = nullptr;
  m_context = nullptr;
}

template <class Fn>
void thread_team::run(Fn&& fn) {
  require(!m_running.exchange(true), "rnnlab::thread_team::run", "this", "a team not already running",
          "a call from inside a run of the same team (or from two threads at once)");
  struct running_guard {
    std::atomic<bool>& flag;
    ~running_guard() { flag.store(false); }
  } guard{m_running};
  if (m_workers.empty()) {
    fn(0);
    return;
  }
  detail::first_failure failure;
  auto job = [&](int w) {
    try {
      fn(w);
    } catch (...) {
      failure.record(w, std::current_exception());
    }
  };
  execute([](void* c, int w) { (*static_cast<decltype(job)*>(c))(w); }, &job);
  failure.rethrow();
}

template <class Fn>
void parallel_dynamic(thread_team& team, Index n, Index grain, Fn&& fn) {
  require(grain >= 1, "rnnlab::parallel_dynamic", "grain", ">= 1", grain);
  if (n <= 0) return;
  if (team.size() == 1 || n <= grain) {
    for (Index i = 0; i < n; ++i) fn(0, i);
    return;
  }
  std::atomic<Index> next{0};
  detail::first_failure failure;
  team.run([&](int w) { detail::dynamic_share(w, n, grain, next, failure, fn); });
  failure.rethrow();
}

}  // namespace rnnlab
