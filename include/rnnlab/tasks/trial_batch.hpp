#pragma once
/// \file tasks/trial_batch.hpp
/// A batch of trials as sampled from a task, and the decision accuracy of a network's outputs.

#include <Eigen/Core>

#include <cmath>
#include <string>
#include <string_view>

#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// B trials of T steps: inputs (T, B, M), targets (T, B, O), loss mask (T, B) and per-trial
/// metadata. Evidence-integration tasks fill the metadata; other tasks may leave it empty.
template <class Scalar>
struct trial_batch {
  sequence<Scalar> inputs;       ///< (T, B, M)
  sequence<Scalar> targets;      ///< (T, B, O)
  tensor<Scalar, 2> mask;        ///< (T, B): 1 where the loss counts, 0 elsewhere
  Eigen::VectorXd coherence;     ///< (B) signed mean of the attended evidence stream
  Eigen::VectorXi context;       ///< (B) index of the attended stream (0 for single-stream tasks)
  Eigen::VectorXi label;         ///< (B) correct decision: +1, −1, or 0 (no correct answer)
  Eigen::MatrixXd stream_means;  ///< (B, n_streams) mean of every evidence stream

  Index n_steps() const noexcept { return inputs.shape(0); }
  Index n_trials() const noexcept { return inputs.shape(1); }
  Index n_inputs() const noexcept { return inputs.shape(2); }
  Index n_outputs() const noexcept { return targets.shape(2); }
  bool has_metadata() const noexcept { return label.size() == n_trials(); }

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
    if (label.size() != 0)
      require_shape(label.size() == B, caller, "label", "length " + std::to_string(B), label.size());
  }
};

/// How a decision is scored.
enum class accuracy_convention {
  /// The reference code's: a trial is an error iff |label − sign(y_T)| > 1, so a trial with label
  /// 0 is always correct and an output of exactly 0 is never an error.
  reference,
  /// sign(y_T) must equal the label; trials with label 0 are left out of the denominator.
  strict,
};

/// The names of accuracy_convention (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<accuracy_convention, std::string_view>, 2> enum_names(accuracy_convention) {
  return {{{accuracy_convention::reference, "reference"},
           {accuracy_convention::strict, "strict"}}};
}

/// Decision accuracy of outputs (T, B, O ≥ 1): the sign of output channel 0 at the last step
/// against `labels` (B). Throws shape_error if the batch sizes differ.
template <class Scalar>
double decision_accuracy(const sequence<Scalar>& outputs, const Eigen::VectorXi& labels,
                         accuracy_convention convention = accuracy_convention::reference) {
  constexpr std::string_view fn = "rnnlab::decision_accuracy";
  const Index T = outputs.shape(0), B = outputs.shape(1);
  require_shape(T > 0 && B > 0 && outputs.shape(2) >= 1, fn, "outputs", "(T, B, O) with T, B, O > 0",
                shape_string(outputs.shape()));
  require_shape(labels.size() == B, fn, "labels", "length " + std::to_string(B) + " (one per trial)",
                labels.size());
  Index errors = 0, counted = 0;
  for (Index b = 0; b < B; ++b) {
    const Scalar y = outputs(T - 1, b, 0);
    const int s = (y > Scalar(0)) - (y < Scalar(0));
    const int l = labels(b);
    if (convention == accuracy_convention::reference) {
      ++counted;
      if (std::abs(l - s) > 1) ++errors;
    } else if (l != 0) {
      ++counted;
      if (s != l) ++errors;
    }
  }
  return counted == 0 ? 1.0 : static_cast<double>(counted - errors) / static_cast<double>(counted);
}

/// Decision accuracy of outputs on the trials of `batch`.
template <class Scalar>
double decision_accuracy(const sequence<Scalar>& outputs, const trial_batch<Scalar>& batch,
                         accuracy_convention convention = accuracy_convention::reference) {
  require(batch.has_metadata(), "rnnlab::decision_accuracy", "batch", "a batch with labels", "no labels");
  return decision_accuracy(outputs, batch.label, convention);
}

}  // namespace rnnlab
