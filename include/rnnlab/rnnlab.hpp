#pragma once
/// \file rnnlab.hpp
/// Umbrella header: core, kernels (executor, SIMD switch), tasks, learning and analysis. Needs Eigen
/// only (and threads).
/// The io/ headers (npy, network and trial-batch folders) are a separate, opt-in include:
/// <rnnlab/io.hpp> (xtensor, nlohmann_json).

#include <rnnlab/concepts.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/version.hpp>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/fast_math.hpp>
#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/core/parameters.hpp>

#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/kernels/simd.hpp>

#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/delayed_discrimination.hpp>
#include <rnnlab/tasks/delayed_match.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/flip_flop.hpp>
#include <rnnlab/tasks/multisensory.hpp>
#include <rnnlab/tasks/path_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/tasks/scores.hpp>
#include <rnnlab/tasks/sine_wave.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/tasks/validation.hpp>

#include <rnnlab/learning/adam.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/callbacks.hpp>
#include <rnnlab/learning/force.hpp>
#include <rnnlab/learning/full_force.hpp>
#include <rnnlab/learning/loss.hpp>
#include <rnnlab/learning/rls.hpp>
#include <rnnlab/learning/trainer.hpp>

#include <rnnlab/analysis/dynamics/continuation.hpp>
#include <rnnlab/analysis/dynamics/fixed_point_solver.hpp>
#include <rnnlab/analysis/dynamics/fixed_point_system.hpp>
#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/analysis/dynamics/integration_mechanism.hpp>
#include <rnnlab/analysis/dynamics/probe_sets.hpp>
#include <rnnlab/analysis/dynamics/topology.hpp>
#include <rnnlab/analysis/embedding/mds.hpp>
#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/analysis/similarity/activity.hpp>
#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/cka.hpp>
#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/analysis/similarity/pca.hpp>
#include <rnnlab/analysis/similarity/procrustes.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
