#pragma once
/// \file study/mpi.hpp
/// A study over MPI ranks (optional: include this header only in a program that links MPI, e.g.
/// CMake's MPI::MPI_CXX; rnnlab/study.hpp does not include it). The ranks share the networks by
/// the split of `--shard` (rank r of n runs the networks whose index ≡ r mod n), so the store is
/// byte-identical to one process's (tested: the CTest test study/mpi, `mpirun -np 2`); after a
/// barrier rank 0 runs the cross-network analyses and the claims on the gathered store (a shared
/// file system for multi-node runs).
///
///     MPI_Init(&argc, &argv);
///     auto sum = rnnlab::study::run_study_mpi(plan, options, rnnlab::study::builtin_rules(),
///                                             rnnlab::study::analyse_and_claim, MPI_COMM_WORLD);
///     MPI_Finalize();
///
/// Errors: an invalid plan or options, or a store that cannot be used, throw on every rank
/// (argument_error / io_error), before any network is trained; a network whose pipeline throws is
/// reported by its rank and counted in the summary's `failed` on every rank.

#include <mpi.h>

#include <cstdint>
#include <string>

#include <rnnlab/study/runner.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

/// Runs `plan` over the ranks of `comm` (see the file comment). `options.shard` / `n_shards` must
/// be 0 / 1 (the ranks are the shards). Every rank returns the totals over all ranks (`trained`,
/// `failed`, `corrupted`, `already_done`, `owned` summed); `analysed` is true on every rank when
/// rank 0 wrote the analyses.
inline run_summary run_study_mpi(const study_plan& plan, const run_options& options, const rule_registry& rules,
                                 const analysis_hook& analyse_store, MPI_Comm comm) {
  constexpr std::string_view fn = "rnnlab::study::run_study_mpi";
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  require(options.n_shards == 1 && options.shard == 0, fn, "options.shard",
          "0/1 (under MPI the ranks are the shards)",
          std::to_string(options.shard) + "/" + std::to_string(options.n_shards));
  // Rank 0 checks the plan and the store and writes the manifest before any rank starts, so that
  // no rank sees a half-created store; its verdict is broadcast.
  std::string message;
  int kind = 0;  // 0 ok, 1 argument_error, 2 io_error, 3 other
  if (rank == 0) {
    try {
      validate(plan, rules);
      options.validate();
      const bool has_manifest = fs::exists(options.out / "manifest.json");
      if (has_manifest && !options.resume && fs::exists(options.out / "networks") &&
          !fs::is_empty(options.out / "networks"))
        throw io_error("rnnlab::study::run_study_mpi: store '" + options.out.string() +
                       "' already holds networks; pass resume (--resume) to continue it, or another --out");
      if (!has_manifest && fs::exists(options.out) && !fs::is_empty(options.out))
        throw io_error("rnnlab::study::run_study_mpi: '" + options.out.string() +
                       "' exists, is not empty and is not a study store (no manifest.json)");
      ensure_manifest(options.out, plan);
      io::ensure_directory(options.out / "networks", "rnnlab::study::run_study_mpi");
    } catch (const argument_error& e) {
      kind = 1;
      message = e.what();
    } catch (const io_error& e) {
      kind = 2;
      message = e.what();
    } catch (const std::exception& e) {
      kind = 3;
      message = e.what();
    }
  }
  MPI_Bcast(&kind, 1, MPI_INT, 0, comm);
  if (kind != 0) {
    int n = static_cast<int>(message.size());
    MPI_Bcast(&n, 1, MPI_INT, 0, comm);
    message.resize(static_cast<std::size_t>(n));
    MPI_Bcast(message.data(), n, MPI_CHAR, 0, comm);
    if (kind == 1) throw argument_error(message);
    if (kind == 2) throw io_error(message);
    throw rnnlab::error(message);
  }

  // Every rank: its share of the networks, no analyses (the store exists now: resume it).
  run_options mine = options;
  mine.shard = rank;
  mine.n_shards = size;
  mine.resume = true;
  mine.analyse = false;
  run_summary sum = run_study(plan, mine, rules, analyse_store);
  long long counts[5] = {sum.owned, sum.already_done, sum.corrupted, sum.trained, sum.failed};
  long long totals[5] = {0, 0, 0, 0, 0};
  MPI_Allreduce(counts, totals, 5, MPI_LONG_LONG, MPI_SUM, comm);
  sum.owned = totals[0];
  sum.already_done = totals[1];
  sum.corrupted = totals[2];
  sum.trained = totals[3];
  sum.failed = totals[4];
  MPI_Barrier(comm);

  // Rank 0: the cross-network analyses on the gathered store.
  int flags[2] = {0, 0};  // complete, analysed
  if (rank == 0) {
    flags[0] = 1;
    for (const auto& c : check_store(options.out, plan))
      if (c.state != entry_state::complete) flags[0] = 0;
    if (flags[0] && options.analyse && analyse_store) {
      analyse_store(options.out, plan, options.threads, options.progress ? options.log : nullptr);
      flags[1] = 1;
    }
  }
  MPI_Bcast(flags, 2, MPI_INT, 0, comm);
  sum.complete = flags[0] != 0;
  sum.analysed = flags[1] != 0;
  return sum;
}

}  // namespace rnnlab::study
