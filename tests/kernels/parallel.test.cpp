#include <doctest/doctest.h>

#include <rnnlab/kernels/parallel.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// The executor of kernels/parallel.hpp: results independent of the thread count, every index run
// exactly once, exceptions thrown on worker threads arriving in the caller (the lowest shard's /
// index's / member's), the thread budget (a scope caps a call, workers run with budget 1, a worker
// can be handed more), and a persistent team reused for many runs. Thread counts above the
// machine's cores are requested on purpose (no budget is in force outside a scope).

using namespace rnnlab;

namespace {

/// An exception type of the tests' own, carrying the shard or index that threw.
struct shard_failure : std::runtime_error {
  explicit shard_failure(Index where) : std::runtime_error("failed at " + std::to_string(where)), at(where) {}
  Index at;
};

/// A float reduction whose value depends on the order of its terms: shard s sums 1000 terms of
/// very different magnitudes, so running a shard twice, skipping one or mixing two would change
/// the total in its last bits.
float shard_partial(Index s) {
  float acc = 0.0f;
  for (int k = 0; k < 1000; ++k) acc += 1.0f / static_cast<float>(1 + (s * 7919 + k * 104729) % 997) + 1e-3f * static_cast<float>(k % 13);
  return acc;
}

/// Thread ids seen by a call (thread-safe).
struct thread_ids {
  std::mutex m;
  std::set<std::thread::id> ids;
  void add() {
    std::lock_guard lock(m);
    ids.insert(std::this_thread::get_id());
  }
  std::size_t size() {
    std::lock_guard lock(m);
    return ids.size();
  }
};

}  // namespace

TEST_CASE("resolve_threads: explicit, automatic, useful parallelism, small work, bad input") {
  CHECK(resolve_threads(3) == 3);
  CHECK(resolve_threads(7, 4) == 4);   // never more than the useful parallelism
  CHECK(resolve_threads(5, 0) == 1);   // at least one
  CHECK(resolve_threads(0) == hardware_threads());
  CHECK(resolve_threads(0, 1) == 1);
  // An automatic setting runs small work on one thread; an explicit one is honoured.
  CHECK(resolve_threads(0, 8, work_estimate{1e6}) == 1);
  CHECK(resolve_threads(2, 8, work_estimate{1e6}) == 2);
  CHECK(resolve_threads(0, 8, work_estimate{1e9}) == std::min(8, hardware_threads()));
  CHECK_THROWS_WITH_AS(resolve_threads(-1), doctest::Contains("rnnlab::resolve_threads: argument 'requested'"),
                       argument_error);
  CHECK_THROWS_WITH_AS(parallel_dynamic(10, 2, 0, [](int, Index) {}),
                       doctest::Contains("rnnlab::parallel_dynamic: argument 'grain': expected >= 1, got 0"),
                       argument_error);
}

TEST_CASE("parallel_shards: a per-shard reduction is bit-identical for 1, 2, 3 and 7 threads") {
  constexpr Index n = 23;
  std::vector<float> reference(n);
  for (Index s = 0; s < n; ++s) reference[static_cast<std::size_t>(s)] = shard_partial(s);
  float expected = 0.0f;
  for (float v : reference) expected += v;
  for (thread_count T : {1, 2, 3, 7}) {
    CAPTURE(T);
    std::vector<float> partial(n, -1.0f);
    std::vector<std::atomic<int>> runs(n);
    thread_ids seen;
    parallel_shards(n, T, [&](Index s) {
      seen.add();
      ++runs[static_cast<std::size_t>(s)];
      partial[static_cast<std::size_t>(s)] = shard_partial(s);
    });
    float total = 0.0f;
    for (float v : partial) total += v;  // the caller's fixed-order reduction
    CHECK(total == expected);
    CHECK(partial == reference);
    for (const auto& r : runs) CHECK(r.load() == 1);
    // Worker w runs shards w, w + T, ...: every one of the T threads takes part.
    CHECK(seen.size() == static_cast<std::size_t>(T));
  }
}

TEST_CASE("parallel_dynamic: every index exactly once, worker numbers below the thread count") {
  for (thread_count T : {1, 2, 3, 7})
    for (Index grain : {1, 3, 64}) {
      CAPTURE(T);
      CAPTURE(grain);
      constexpr Index n = 1000;
      std::vector<std::atomic<int>> visits(n);
      std::atomic<int> bad_worker{0};
      std::vector<double> value(n, 0.0);
      parallel_dynamic(n, T, grain, [&](int w, Index i) {
        if (w < 0 || w >= T) ++bad_worker;
        ++visits[static_cast<std::size_t>(i)];
        value[static_cast<std::size_t>(i)] = static_cast<double>(shard_partial(i));
      });
      int wrong = 0;
      for (const auto& v : visits) wrong += v.load() != 1;
      CHECK(wrong == 0);
      CHECK(bad_worker.load() == 0);
      double total = 0.0;
      for (double v : value) total += v;
      double expected = 0.0;
      for (Index i = 0; i < n; ++i) expected += static_cast<double>(shard_partial(i));
      CHECK(total == expected);
    }
  // Nothing to do is not an error.
  bool ran = false;
  parallel_dynamic(0, 3, 1, [&](int, Index) { ran = true; });
  parallel_shards(0, 3, [&](Index) { ran = true; });
  CHECK_FALSE(ran);
}

TEST_CASE("parallel_shards: an exception thrown on a worker thread arrives in the caller") {
  const auto caller = std::this_thread::get_id();
  SUBCASE("one worker throws") {
    std::atomic<bool> thrown_off_caller{false};
    try {
      parallel_shards(9, 3, [&](Index s) {
        if (s == 4) {  // shard 4 runs on worker 1, not on the caller (worker 0)
          thrown_off_caller = std::this_thread::get_id() != caller;
          throw shard_failure(s);
        }
      });
      FAIL("no exception arrived");
    } catch (const shard_failure& e) {
      CHECK(e.at == 4);
    }
    CHECK(thrown_off_caller.load());
  }
  SUBCASE("several throw: the lowest shard's exception, whatever the schedule") {
    for (int repeat = 0; repeat < 20; ++repeat) {
      std::vector<std::atomic<int>> runs(12);
      try {
        parallel_shards(12, 3, [&](Index s) {
          ++runs[static_cast<std::size_t>(s)];
          if (s == 10) throw shard_failure(s);  // worker 1, may well throw first
          if (s == 5) {                         // worker 2, slower
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            throw shard_failure(s);
          }
        });
        FAIL("no exception arrived");
      } catch (const shard_failure& e) {
        CHECK(e.at == 5);
      }
      for (Index s = 0; s < 5; ++s) CHECK(runs[static_cast<std::size_t>(s)].load() == 1);  // below it: all ran
    }
  }
  // The executor is usable afterwards.
  std::vector<int> out(6, 0);
  parallel_shards(6, 3, [&](Index s) { out[static_cast<std::size_t>(s)] = static_cast<int>(s) * 2; });
  CHECK(out == std::vector<int>{0, 2, 4, 6, 8, 10});
}

TEST_CASE("parallel_dynamic: worker exceptions arrive in the caller; the lowest index wins") {
  const auto caller = std::this_thread::get_id();
  SUBCASE("an index run by a worker thread throws") {
    std::atomic<bool> thrown_off_caller{false};
    try {
      parallel_dynamic(400, 3, 1, [&](int, Index i) {
        if (std::this_thread::get_id() == caller) {
          std::this_thread::sleep_for(std::chrono::microseconds(500));  // leave indices to the workers
          return;
        }
        thrown_off_caller = true;
        throw shard_failure(i);
      });
      FAIL("no exception arrived");
    } catch (const shard_failure& e) {
      CHECK(e.at >= 0);
    }
    CHECK(thrown_off_caller.load());
  }
  SUBCASE("several indices throw") {
    for (int repeat = 0; repeat < 20; ++repeat) {
      std::vector<std::atomic<int>> visits(1000);
      try {
        parallel_dynamic(1000, 3, 4, [&](int, Index i) {
          ++visits[static_cast<std::size_t>(i)];
          if (i == 600) throw shard_failure(i);
          if (i == 300) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            throw shard_failure(i);
          }
        });
        FAIL("no exception arrived");
      } catch (const shard_failure& e) {
        CHECK(e.at == 300);
      }
      int wrong = 0;
      for (Index i = 0; i < 300; ++i) wrong += visits[static_cast<std::size_t>(i)].load() != 1;
      CHECK(wrong == 0);
    }
  }
  std::atomic<Index> sum{0};
  parallel_dynamic(100, 3, 1, [&](int, Index i) { sum += i; });
  CHECK(sum.load() == 4950);
}

TEST_CASE("thread_team: reused for many runs; member exceptions; not reentrant") {
  thread_team team(3);
  REQUIRE(team.size() == 3);
  std::vector<std::atomic<int>> count(3);
  std::atomic<int> bad{0};
  thread_ids seen;
  for (int r = 0; r < 300; ++r)
    team.run([&](int w) {
      if (w < 0 || w >= 3) {
        ++bad;
        return;
      }
      seen.add();
      ++count[static_cast<std::size_t>(w)];
    });
  CHECK(bad.load() == 0);
  for (const auto& c : count) CHECK(c.load() == 300);
  CHECK(seen.size() == 3);  // three distinct threads, the same ones every run

  // Members 2 and 1 throw (not the caller, member 0): member 1's exception arrives.
  for (int repeat = 0; repeat < 10; ++repeat) {
    try {
      team.run([&](int w) {
        if (w == 2) throw shard_failure(2);
        if (w == 1) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          throw shard_failure(1);
        }
      });
      FAIL("no exception arrived");
    } catch (const shard_failure& e) {
      CHECK(e.at == 1);
    }
  }
  // Still usable: the dynamic loop on the team visits every index once, the lowest failure wins.
  std::vector<std::atomic<int>> visits(500);
  parallel_dynamic(team, 500, 4, [&](int w, Index i) {
    if (w >= 0 && w < 3) ++visits[static_cast<std::size_t>(i)];
  });
  int wrong = 0;
  for (const auto& v : visits) wrong += v.load() != 1;
  CHECK(wrong == 0);
  CHECK_THROWS_AS(parallel_dynamic(team, 500, 4,
                                   [&](int, Index i) {
                                     if (i == 77 || i == 400) throw shard_failure(i);
                                   }),
                  shard_failure);
  try {
    parallel_dynamic(team, 500, 4, [&](int, Index i) {
      if (i == 77 || i == 400) throw shard_failure(i);
    });
  } catch (const shard_failure& e) {
    CHECK(e.at == 77);
  }
  // A run from inside a run of the same team would deadlock: refused.
  CHECK_THROWS_WITH_AS(team.run([&](int w) {
    if (w == 0) team.run([](int) {});
  }),
                       doctest::Contains("rnnlab::thread_team::run"), argument_error);
  team.run([&](int w) { ++count[static_cast<std::size_t>(w)]; });
  for (const auto& c : count) CHECK(c.load() == 301);
}

TEST_CASE("thread_budget: a scope caps calls; workers run with budget 1 unless handed more") {
  const auto caller = std::this_thread::get_id();
  CHECK(thread_budget::current() == 0);  // no budget outside a scope
  {
    thread_budget scope(1);
    CHECK(scope.limit() == 1);
    CHECK(thread_budget::current() == 1);
    CHECK(resolve_threads(0) == 1);
    CHECK(resolve_threads(7) == 1);
    thread_ids seen;
    bool only_caller = true;
    std::mutex m;
    parallel_shards(8, 4, [&](Index) {
      seen.add();
      std::lock_guard lock(m);
      only_caller = only_caller && std::this_thread::get_id() == caller;
    });
    parallel_dynamic(50, 4, 1, [&](int, Index) { seen.add(); });
    CHECK(seen.size() == 1);
    CHECK(only_caller);
    thread_team team(4);
    CHECK(team.size() == 1);
    {
      thread_budget wider(3);  // a nested scope sets the budget
      CHECK(resolve_threads(7) == 3);
    }
    CHECK(thread_budget::current() == 1);  // restored
  }
  CHECK(thread_budget::current() == 0);

  // Nested calls from inside a multi-threaded call run serially on the calling worker.
  {
    std::vector<std::atomic<int>> budget_seen(4), inner_threads(4);
    parallel_shards(4, 4, [&](Index s) {
      budget_seen[static_cast<std::size_t>(s)] = thread_budget::current();
      thread_ids inner;
      parallel_shards(6, 6, [&](Index) { inner.add(); });
      parallel_dynamic(30, 6, 1, [&](int, Index) { inner.add(); });
      inner_threads[static_cast<std::size_t>(s)] = static_cast<int>(inner.size());
    });
    for (std::size_t s = 0; s < 4; ++s) {
      CHECK(budget_seen[s].load() == 1);
      CHECK(inner_threads[s].load() == 1);
    }
  }
  // The same inside a team's run, on every member including the caller.
  {
    thread_team team(3);
    std::vector<std::atomic<int>> budget_seen(3);
    team.run([&](int w) { budget_seen[static_cast<std::size_t>(w)] = thread_budget::current(); });
    for (const auto& b : budget_seen) CHECK(b.load() == 1);
  }
  CHECK(thread_budget::current() == 0);  // the caller's budget is restored after it served as worker 0
  // A worker handed more threads by its caller uses them.
  {
    std::vector<std::atomic<int>> inner_threads(2);
    parallel_shards(2, 2, [&](Index s) {
      thread_budget handed(2);
      thread_ids inner;
      parallel_shards(2, 2, [&](Index) {
        inner.add();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      });
      inner_threads[static_cast<std::size_t>(s)] = static_cast<int>(inner.size());
    });
    CHECK(inner_threads[0].load() == 2);
    CHECK(inner_threads[1].load() == 2);
  }
  // A serial call (one thread) leaves the caller's budget to nested calls.
  {
    thread_budget scope(2);
    int inner_threads = 0;
    parallel_shards(3, 1, [&](Index s) {
      if (s != 0) return;
      thread_ids inner;
      parallel_shards(2, 2, [&](Index) { inner.add(); });
      inner_threads = static_cast<int>(inner.size());
    });
    CHECK(inner_threads == 2);
  }
  CHECK_THROWS_WITH_AS(thread_budget(-2), doctest::Contains("rnnlab::thread_budget: argument 'n'"), argument_error);
  {
    thread_budget outer(2);
    thread_budget automatic(0);  // 0: the budget in force
    CHECK(automatic.limit() == std::min(2, hardware_threads()));
  }
}
