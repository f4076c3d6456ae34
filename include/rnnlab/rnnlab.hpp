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
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/tasks/validation.hpp>

#include <rnnlab/learning/adam.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/callbacks.hpp>
#include <rnnlab/learning/loss.hpp>
#include <rnnlab/learning/trainer.hpp>

#include <rnnlab/analysis/activity.hpp>
#include <rnnlab/analysis/cca.hpp>
#include <rnnlab/analysis/cka.hpp>
#include <rnnlab/analysis/continuation.hpp>
#include <rnnlab/analysis/distance_matrix.hpp>
#include <rnnlab/analysis/fixed_points.hpp>
#include <rnnlab/analysis/integration_mechanism.hpp>
#include <rnnlab/analysis/mds.hpp>
#include <rnnlab/analysis/pca.hpp>
#include <rnnlab/analysis/probe_sets.hpp>
#include <rnnlab/analysis/procrustes.hpp>
#include <rnnlab/analysis/silhouette.hpp>
#include <rnnlab/analysis/svcca.hpp>
#include <rnnlab/analysis/topology.hpp>
