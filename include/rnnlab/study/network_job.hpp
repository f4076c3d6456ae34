#pragma once
/// \file study/network_job.hpp
/// One network of a study, from its seed to its entry in the store: build the task, initialise,
/// train with the plan's rule, then analyse the trained network as the paper does, and write
/// everything into the entry's folder (study/store.hpp). Single-threaded by design: the runner
/// runs networks in parallel (study/runner.hpp).
///
/// Random streams, all from (study seed, network index, purpose) (random.hpp): initialization
/// (weights), training (train_options::seed is derived from it: batches and the validation
/// set), analysis (fixed-point starts, SVCCA-probe initial states, psychometric trials, the
/// integration experiment).
///
/// Files of an entry (docs/study.md):
///   network/                      the trained network folder (io/network.hpp; float32)
///   training.json                 the training report without wall-clock times (status, updates, trials,
///                                 final accuracy, loss and accuracy histories)
///   fixed_points/<set>/points.npy     (R, N) certified roots, float64, in probe order then discovery order
///   fixed_points/<set>/probe.npy      (R,) int32: the probe input each root was found at
///   fixed_points/<set>/stability.npy  (R,) int32: 0 stable, 1 saddle, 2 unstable, 3 marginal
///   fixed_points/<set>/inputs.npy     (P, M) the probe inputs; values.npy (P,), contexts.npy (P,) int32
///     <set> = large (Fig. 1c/d, Fig. 3 attractors) and small (the topology probe set, §1.9)
///   topology.json, topology_signature.npy   the reference signature (labels (context, value)) and status
///   activity.npy                  (units, T·C) float32: pre-activation x on the SVCCA probes (§1.10)
///   psychometric.json             coherences, fraction of positive decisions, fitted sigmoid L, k, x0, b
///   integration.json              transient vs stable (Fig. 4): per context n_stable, both verdicts, retention
///   integration_outputs.npy       (contexts, 2, T_pulse + T_relax) output 0 for the + and − pulse trials

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <rnnlab/study/detail/config.hpp>
#include <rnnlab/study/plan.hpp>
#include <rnnlab/study/rules.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

/// Wall-clock seconds of one network's stages (kept out of the entry: they differ between runs).
struct network_timing {
  double train = 0, fixed_points = 0, activity = 0, psychometric = 0, integration = 0, total = 0;
  double cpu = 0;        ///< CPU seconds of the whole network (its one thread: holds under load)
  double train_cpu = 0;  ///< CPU seconds of its training
  Index updates = 0;
  std::string status;
};

/// The task of a network of the plan (reference presets at the plan's scale).
inline study_task make_study_task(const study_plan& plan, const network_spec& s) {
  const double sigma = s.noise_stddev() * plan.scale.noise_std_factor;
  if (s.task == "rdm") {
    auto p = rdm_params::reference_code(sigma);
    p.n_steps = plan.scale.n_steps;
    p.validation.n_trials = plan.scale.validation_trials;
    return random_dots(p);
  }
  auto p = context_integration_params::reference_code(s.contexts, sigma);
  p.n_steps = plan.scale.n_steps;
  p.validation.n_trials = plan.scale.validation_trials;
  return context_integration(p);
}

/// The probe-set names stored per network.
inline const std::vector<std::string>& stored_probe_sets() {
  static const std::vector<std::string> names{"large", "small"};
  return names;
}

/// Trains and analyses network `spec` of `plan` with `rules`, writing its files into `dir`.
/// Single-threaded (call it under a thread_budget of 1). Returns the stages' wall-clock times.
RNNLAB_STUDY_DECL network_timing run_network(const study_plan& plan, const network_spec& spec, const rule_registry& rules,
                                  const fs::path& dir);

}  // namespace rnnlab::study

#if !defined(RNNLAB_STUDY_SEPARATE_COMPILATION)
#include <rnnlab/study/detail/network_job_impl.hpp>
#endif
