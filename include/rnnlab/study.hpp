#pragma once
/// \file study.hpp
/// Population studies (McMahan et al. 2021): plan, rule registry, store, runner, cross-network
/// analyses and the claims table. Opt-in (needs xtensor and nlohmann_json, as rnnlab/io.hpp):
///
///     auto plan = rnnlab::study::study_plan::preset("default", rnnlab::study::study_size::small);
///     auto summary = rnnlab::study::run_study(plan, {.out = "out/study"});
///
/// docs/study.md describes the store and how to run at each scale.

#include <rnnlab/study/analyses.hpp>
#include <rnnlab/study/claims.hpp>
#include <rnnlab/study/network_job.hpp>
#include <rnnlab/study/plan.hpp>
#include <rnnlab/study/rules.hpp>
#include <rnnlab/study/runner.hpp>
#include <rnnlab/study/sigmoid_fit.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

/// Runs a study with the built-in rules (or `rules`), then the analyses and the claims table.
inline run_summary run_study(const study_plan& plan, const run_options& options,
                             const rule_registry& rules = builtin_rules()) {
  return run_study(plan, options, rules, analyse_and_claim);
}

}  // namespace rnnlab::study
