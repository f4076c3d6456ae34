#pragma once
/// \file study/analyses.hpp
/// The cross-network analyses of a complete store (McMahan et al. 2021 Sec. 2.6, 3; Figs. 1–5),
/// per experiment group (a task and its N: rdm, cdi, ncdi1 … ncdi8), written to
/// `<store>/analysis/<group>/`:
///
///   networks.json               the group's networks in row order (index, rule, noise, activation)
///   svcca_distances.npy         (P, P) 1 − mean SVCCA correlation on the SVCCA probes (reference §1.10)
///   topology_distances.npy      (P, P) the order- and basis-free topology distance (analysis/dynamics/topology.hpp)
///   signature_distances.npy     (S, S) Euclidean distance of the reference signatures (§1.9), over the
///                               S networks with ≥ 10 roots (signature_rows.npy: their rows in networks.json)
///   svcca_mds.npy, topology_mds.npy   (P, 2) metric SMACOF coordinates (display only)
///   silhouettes.json            silhouette scores (precomputed distances) with permutation p-values, by rule,
///                               by noise and by activation, overall and within each level of the other factor
///   attractor_counts.npy        (P, 5) stable fixed points per "large" probe input (Fig. 1c, 3a);
///                               attractor_counts.json the mean per rule and noise
///   integration.json            per network: transient / stable / no_attractor, stable points at zero evidence
///
/// and `<store>/analysis/summary.json` (every group's silhouettes and counts), the input of the
/// claims table (study/claims.hpp). Random streams: make_stream(study seed, 1000003 + group
/// number, analysis). Networks are read and factored in parallel; the matrices are bit-identical
/// whatever the thread count.

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/study/detail/config.hpp>
#include <rnnlab/study/plan.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab {
struct labelled_points;  // analysis/dynamics/topology.hpp
}  // namespace rnnlab

namespace rnnlab::study {

/// A network of the store as the analyses see it.
struct stored_network {
  network_spec spec;
  fs::path dir;
};

/// The networks of `plan` grouped by experiment group, in index order within a group; groups in
/// order of first appearance.
inline std::vector<std::pair<std::string, std::vector<stored_network>>> store_groups(const fs::path& store,
                                                                                    const study_plan& plan) {
  std::vector<std::pair<std::string, std::vector<stored_network>>> groups;
  for (const auto& s : enumerate_networks(plan)) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == s.group(); });
    if (it == groups.end()) {
      groups.emplace_back(s.group(), std::vector<stored_network>{});
      it = groups.end() - 1;
    }
    it->second.push_back({s, entry_dir(store, s)});
  }
  return groups;
}

/// The roots an entry's network has on probe set `set` ("large" or "small"), with their labels
/// and stability (fixed_points/<set>/ of docs/study.md); the value scale is the probe set's.
RNNLAB_STUDY_DECL labelled_points load_labelled_points(const fs::path& entry, const std::string& set);

/// Runs the cross-network analyses of a complete store (see the file comment). `threads` reads
/// and factors networks in parallel (0 = all cores); `log` (may be null) gets one line per group.
RNNLAB_STUDY_DECL void analyse_store(const fs::path& store, const study_plan& plan, thread_count threads,
                                     std::FILE* log);

}  // namespace rnnlab::study

#if !defined(RNNLAB_STUDY_SEPARATE_COMPILATION)
#include <rnnlab/study/detail/analyses_impl.hpp>
#endif
