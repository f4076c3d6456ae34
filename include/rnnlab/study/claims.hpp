#pragma once
/// \file study/claims.hpp
/// The paper's claims (McMahan et al. 2021, Sec. 3 and the abstract), each with the numbers the
/// store measures and a verdict, computed from `<store>/analysis/` (study/analyses.hpp):
///
///   (a) attractor topology does not cluster by learning rule on RDM and CDI (Fig. 1e): topology
///       silhouette by rule near 0 — verdict "agrees" if |s| < 0.25 on each task;
///   (b) SVCCA separates the Hebbian networks from BPTT / GA / full-FORCE (Fig. 1a/b): silhouette of
///       Hebbian vs the rest on the SVCCA distances — "agrees" if s > 0.25 with p < 0.05;
///   (c) on N-CDI the BPTT-vs-GA SVCCA silhouette grows with N while the topology silhouette does
///       not (Fig. 2c/e) — "agrees" if the Spearman correlation of the SVCCA silhouette with N is
///       > 0.5 and that of the topology silhouette is not;
///   (d) on RDM more zero-input attractors with larger input noise, and the transient vs stable
///       integration split (Figs. 3a, 4) — "agrees" if the mean number of stable fixed points at zero
///       evidence is larger at the largest noise than at the smallest, and both mechanisms occur;
///   (e) noise stops mattering to topology for N > 3 (Fig. 5c/d): topology silhouette by noise per N
///       — "agrees" if its mean over N > 3 is below 0.25 and below its mean over N ≤ 3.
///
/// The thresholds are this library's reading of "near 0" / "separates"; the numbers are printed
/// beside every verdict. A claim whose networks are not in the store says "not measured (needs …)";
/// a measured result that disagrees with the paper says "disagrees" — a finding, not a failure.

#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/study/detail/config.hpp>
#include <rnnlab/study/plan.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

/// One row of the claims table.
struct claim_row {
  std::string id;
  std::string claim;
  std::string measured;  ///< the numbers
  std::string verdict;   ///< agrees | disagrees | not measured (needs …)
};

/// The claims table of a store whose analyses are written (analysis/summary.json and the groups'
/// distance matrices); throws io_error if they are missing.
RNNLAB_STUDY_DECL std::vector<claim_row> compute_claims(const fs::path& store, const study_plan& plan);

/// The claims as a Markdown table.
RNNLAB_STUDY_DECL std::string claims_markdown(const std::vector<claim_row>& rows);

/// Computes the claims, writes analysis/claims.json and analysis/claims.md, returns the table.
RNNLAB_STUDY_DECL std::string write_claims(const fs::path& store, const study_plan& plan);

/// The analysis hook of `run_study`: cross-network analyses, then the claims table.
RNNLAB_STUDY_DECL void analyse_and_claim(const fs::path& store, const study_plan& plan, thread_count threads,
                                         std::FILE* log);

}  // namespace rnnlab::study

#if !defined(RNNLAB_STUDY_SEPARATE_COMPILATION)
#include <rnnlab/study/detail/claims_impl.hpp>
#endif
