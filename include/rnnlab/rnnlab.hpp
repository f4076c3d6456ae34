#pragma once
/// \file rnnlab.hpp
/// Umbrella header: core, tasks (and, as they arrive, learning and analysis). Needs Eigen only.
/// The io/ headers (npy, network and trial-batch folders) are a separate, opt-in include:
/// <rnnlab/io.hpp>.

#include <rnnlab/concepts.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/version.hpp>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/parameters.hpp>

#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/tasks/validation.hpp>
