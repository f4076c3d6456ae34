#pragma once
/// \file study/detail/runner_impl.hpp
/// Definitions of study/runner.hpp (see study/detail/config.hpp).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/study/network_job.hpp>
#include <rnnlab/study/runner.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

// Runs (or resumes, or runs one shard of) a study; see the file comment. Throws argument_error
// for an invalid plan or options and io_error for a store holding another plan, before any work.
RNNLAB_STUDY_DECL run_summary run_study(const study_plan& plan, const run_options& opt, const rule_registry& rules,
                             const analysis_hook& analyse_store) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  validate(plan, rules);
  opt.validate();
  run_summary sum;
  const auto nets = enumerate_networks(plan);
  sum.total = static_cast<Index>(nets.size());

  // The store: new, or resumed.
  if (fs::exists(opt.out / "manifest.json")) {
    if (!opt.resume && fs::exists(opt.out / "networks") && !fs::is_empty(opt.out / "networks") && opt.n_shards == 1)
      throw io_error("rnnlab::study::run_study: store '" + opt.out.string() +
                     "' already holds networks; pass resume (--resume) to continue it, or another --out");
  } else if (fs::exists(opt.out) && !fs::is_empty(opt.out)) {
    throw io_error("rnnlab::study::run_study: '" + opt.out.string() +
                   "' exists, is not empty and is not a study store (no manifest.json)");
  }
  ensure_manifest(opt.out, plan);
  io::ensure_directory(opt.out / "networks", "rnnlab::study::run_study");

  std::vector<network_spec> todo;
  for (const auto& s : nets) {
    if (s.index % opt.n_shards != opt.shard) continue;
    ++sum.owned;
    const entry_check c = check_entry(opt.out, s);
    if (c.state == entry_state::complete) {
      ++sum.already_done;
      continue;
    }
    if (c.state == entry_state::corrupted) {
      ++sum.corrupted;
      const std::string msg = "network " + s.folder() + ": corrupted entry (" + c.problem + "), redoing it";
      sum.messages.push_back(msg);
      if (opt.log) std::fprintf(opt.log, "rnnlab study: %s\n", msg.c_str());
    }
    todo.push_back(s);
  }

  // Progress per rule.
  std::map<std::string, std::pair<Index, Index>> per_rule;  // rule → (done, total) over this shard
  for (const auto& s : nets)
    if (s.index % opt.n_shards == opt.shard) ++per_rule[s.rule].second;
  for (const auto& s : nets)
    if (s.index % opt.n_shards == opt.shard &&
        std::find_if(todo.begin(), todo.end(), [&](const network_spec& t) { return t.index == s.index; }) == todo.end())
      ++per_rule[s.rule].first;
  std::mutex mu;
  Index done_now = 0;
  const int workers = resolve_threads(opt.threads, std::max<Index>(1, static_cast<Index>(todo.size())));
  const auto report_progress = [&](const network_spec& s, const network_timing& tm) {
    if (!opt.progress || !opt.log) return;
    const double el = std::chrono::duration<double>(clock::now() - t0).count();
    const double left = static_cast<double>(static_cast<Index>(todo.size()) - done_now);
    const double eta = done_now > 0 ? el / static_cast<double>(done_now) * left : 0.0;
    std::string line = "[study] " + std::to_string(done_now) + "/" + std::to_string(todo.size()) + " this run |";
    for (const auto& [r, dt] : per_rule) line += " " + r + " " + std::to_string(dt.first) + "/" + std::to_string(dt.second);
    char buf[256];
    std::snprintf(buf, sizeof buf, " | net %s %s %s: %s after %lld updates, %.1f s | ETA %.0f s",
                  s.folder().c_str(), s.group().c_str(), s.rule.c_str(), tm.status.c_str(),
                  static_cast<long long>(tm.updates), tm.total, eta);
    std::fprintf(opt.log, "%s%s\n", line.c_str(), buf);
    std::fflush(opt.log);
  };

  std::atomic<bool> stop{false};
  parallel_dynamic(static_cast<Index>(todo.size()), workers, 1, [&](int, Index i) {
    if (stop.load()) return;
    const network_spec& s = todo[static_cast<std::size_t>(i)];
    thread_budget one(1);
    try {
      entry_writer w(opt.out, s);
      const network_timing tm = run_network(plan, s, rules, w.dir());
      w.commit();
      io::write_json(opt.out / "timings" / (s.folder() + ".json"),
                     {{"train", tm.train}, {"fixed_points", tm.fixed_points}, {"activity", tm.activity},
                      {"psychometric", tm.psychometric}, {"integration", tm.integration}, {"total", tm.total},
                      {"cpu", tm.cpu}, {"train_cpu", tm.train_cpu},
                      {"updates", tm.updates}, {"status", tm.status}, {"rule", s.rule}, {"task", s.group()}});
      {
        std::lock_guard lock(mu);
        ++sum.trained;
        ++done_now;
        ++per_rule[s.rule].first;
        report_progress(s, tm);
      }
      if (opt.on_network_done && !opt.on_network_done(s.index)) stop = true;
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      ++sum.failed;
      ++done_now;
      const std::string msg = "network " + s.folder() + " (" + s.group() + ", " + s.rule + ") failed: " + e.what();
      sum.messages.push_back(msg);
      if (opt.log) std::fprintf(opt.log, "rnnlab study: %s\n", msg.c_str());
    }
  });

  // Complete? Then the cross-network analyses (any process that finds the store complete may
  // write them: they depend only on the entries).
  sum.complete = true;
  for (const auto& s : nets)
    if (check_entry(opt.out, s).state != entry_state::complete) {
      sum.complete = false;
      break;
    }
  if (sum.complete && opt.analyse && analyse_store) {
    analyse_store(opt.out, plan, opt.threads, opt.progress ? opt.log : nullptr);
    sum.analysed = true;
  } else if (!sum.complete && opt.log && opt.progress) {
    std::fprintf(opt.log, "[study] the store is not complete yet (other shards, or failures): analyses wait\n");
  }
  sum.seconds = std::chrono::duration<double>(clock::now() - t0).count();
  return sum;
}

}  // namespace rnnlab::study
