#pragma once
/// \file study/runner.hpp
/// Runs a study: validates the plan (before any work), writes or checks the manifest, checks
/// every entry this process owns, trains and analyses the missing and corrupted ones in
/// parallel, then — when the store is complete — runs the cross-network analyses and the claims
/// table (study/analyses.hpp, study/claims.hpp).
///
/// Parallelism: networks in parallel on the executor's dynamic loop (kernels/parallel.hpp) with
/// `threads` workers; each network runs under a thread_budget of 1, so nothing inside it starts
/// threads of its own (no oversubscription). A network's result depends only on the plan and its
/// index, so the store is byte-identical whatever the thread count, after a resume, or split
/// into shards (`shard` i of `n_shards` owns the networks whose index ≡ i mod n) — except
/// timings/, which holds wall-clock times.
///
/// Resume: an existing store is reused only with `resume` (or when it is empty); complete entries
/// are kept, corrupted or half-written ones are reported and redone, nothing else is touched.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/study/detail/config.hpp>
#include <rnnlab/study/plan.hpp>
#include <rnnlab/study/rules.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

/// Options of `run_study`.
struct run_options {
  fs::path out = "study";
  thread_count threads = 0;   ///< networks trained at once; 0 = the hardware's thread count
  bool resume = false;        ///< reuse an existing store (keep its complete entries)
  int shard = 0;              ///< this process's shard …
  int n_shards = 1;           ///< … of this many (Slurm job arrays: --shard $SLURM_ARRAY_TASK_ID/$N)
  bool analyse = true;        ///< run the cross-network analyses once the store is complete
  bool progress = true;       ///< live progress on `log` (networks done/total per rule, ETA)
  std::FILE* log = stderr;
  /// Called after each network is committed (with its index); returning false stops the run
  /// (networks already started finish; no new one starts), as an interruption would.
  std::function<bool(Index)> on_network_done;

  void validate() const {
    constexpr std::string_view fn = "rnnlab::study::run_options::validate";
    require(threads >= 0, fn, "threads", ">= 0 (0 = automatic)", threads);
    require(n_shards >= 1, fn, "n_shards", ">= 1", n_shards);
    require(shard >= 0 && shard < n_shards, fn, "shard", "an index in [0, n_shards)", shard);
    require(!out.empty(), fn, "out", "a store folder", "''");
  }
};

/// What a run did.
struct run_summary {
  Index total = 0;          ///< networks in the plan
  Index owned = 0;          ///< networks of this shard
  Index already_done = 0;   ///< complete entries found and kept
  Index corrupted = 0;      ///< corrupted or half-written entries found (and redone)
  Index trained = 0;        ///< networks trained and analysed by this run
  Index failed = 0;         ///< networks whose pipeline threw (reported; the store lacks them)
  bool complete = false;    ///< every network of the plan has a complete entry
  bool analysed = false;    ///< the cross-network analyses were written
  double seconds = 0;
  std::vector<std::string> messages;  ///< corrupted entries and failures, in words
};

/// Which networks of `plan` the store `out` holds complete (by index).
inline std::vector<entry_check> check_store(const fs::path& out, const study_plan& plan) {
  std::vector<entry_check> out_checks;
  for (const auto& s : enumerate_networks(plan)) out_checks.push_back(check_entry(out, s));
  return out_checks;
}

/// Hook for the cross-network analyses (defined in study/analyses.hpp, which includes this file's
/// users); `run_study` calls it when the store is complete and `analyse` is set.
using analysis_hook = std::function<void(const fs::path& store, const study_plan& plan, thread_count threads,
                                         std::FILE* log)>;

/// Runs (or resumes, or runs one shard of) a study; see the file comment. Throws argument_error
/// for an invalid plan or options and io_error for a store holding another plan, before any work.
RNNLAB_STUDY_DECL run_summary run_study(const study_plan& plan, const run_options& opt, const rule_registry& rules,
                             const analysis_hook& analyse_store);

}  // namespace rnnlab::study

#if !defined(RNNLAB_STUDY_SEPARATE_COMPILATION)
#include <rnnlab/study/detail/runner_impl.hpp>
#endif
