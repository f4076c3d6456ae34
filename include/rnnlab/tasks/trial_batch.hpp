#pragma once
/// \file tasks/trial_batch.hpp
/// A batch of trials as sampled from a task: what every task returns and every rule consumes.

#include <Eigen/Core>

#include <cmath>
#include <string>
#include <string_view>

#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// B trials of T steps: inputs (T, B, M), targets (T, B, O) and the loss mask (T, B). This is
/// all a learning rule or the trainer needs; a task that has per-trial metadata (the evidence
/// tasks' coherence, context and label: `evidence_batch` in tasks/evidence.hpp) returns a type
/// derived from it, and only that task's `score` reads the metadata.
template <class Scalar>
struct trial_batch {
  sequence<Scalar> inputs;       ///< (T, B, M)
  sequence<Scalar> targets;      ///< (T, B, O)
  tensor<Scalar, 2> mask;        ///< (T, B): 1 where the loss counts, 0 elsewhere

  Index n_steps() const noexcept { return inputs.shape(0); }
  Index n_trials() const noexcept { return inputs.shape(1); }
  Index n_inputs() const noexcept { return inputs.shape(2); }
  Index n_outputs() const noexcept { return targets.shape(2); }

  /// Throws shape_error if the parts disagree in T or B, or argument_error on non-finite values.
  void validate(std::string_view caller) const {
    const Index T = n_steps(), B = n_trials();
    require_shape(T > 0 && B > 0, caller, "inputs", "(T, B, M) with T, B > 0", shape_string(inputs.shape()));
    require_shape(targets.shape(0) == T && targets.shape(1) == B, caller, "targets",
                  detail::concat("(", T, ", ", B, ", O) to match inputs"),
                  shape_string(targets.shape()));
    require_shape(mask.shape(0) == T && mask.shape(1) == B, caller, "mask",
                  detail::concat("(", T, ", ", B, ") to match inputs"), shape_string(mask.shape()));
    require(inputs.flat().allFinite(), caller, "inputs", "finite values", "NaN or infinity");
    require(targets.flat().allFinite(), caller, "targets", "finite values", "NaN or infinity");
    require(mask.flat().allFinite(), caller, "mask", "finite values", "NaN or infinity");
  }
};

}  // namespace rnnlab
