#pragma once
/// \file tasks/scores.hpp
/// What the memory, timing and continuous-output tasks share (tasks/flip_flop.hpp,
/// delayed_match.hpp, delayed_discrimination.hpp, multisensory.hpp, sine_wave.hpp,
/// path_integration.hpp): the batch type of a two-choice task with its labels and decision steps
/// (`decision_batch`), its score (`decision_step_accuracy`), the score of a continuous-output task
/// (`fraction_within_tolerance`), and parameter checks with the tasks' wording.

#include <Eigen/Core>

#include <cmath>
#include <string>
#include <string_view>

#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// A batch of two-choice trials: the generic inputs, targets and mask, plus each trial's correct
/// choice and the step whose output is the choice (the last step of its response period; trials
/// of one batch may differ in length, e.g. a random delay).
template <class Scalar>
struct decision_batch : trial_batch<Scalar> {
  Eigen::VectorXi label;          ///< (B) correct choice, +1 or −1
  Eigen::VectorXi decision_step;  ///< (B) step t whose output y(t, b, 0) is scored

  bool has_metadata() const noexcept { return label.size() == this->n_trials(); }
};

/// The fraction of trials whose output channel 0 at their decision step has the label's sign
/// (an output of exactly 0 is an error). Throws shape_error on mismatched sizes, argument_error
/// on a batch without labels.
template <class Scalar>
double decision_step_accuracy(const sequence<Scalar>& outputs, const decision_batch<Scalar>& batch) {
  constexpr std::string_view fn = "rnnlab::decision_step_accuracy";
  require(batch.has_metadata() && batch.decision_step.size() == batch.n_trials(), fn, "batch",
          "a batch with labels and decision steps", "none");
  const Index T = outputs.shape(0), B = outputs.shape(1);
  require_shape(T == batch.n_steps() && B == batch.n_trials() && outputs.shape(2) >= 1, fn, "outputs",
                detail::concat("(", batch.n_steps(), ", ", batch.n_trials(), ", O >= 1)"),
                shape_string(outputs.shape()));
  Index correct = 0;
  for (Index b = 0; b < B; ++b) {
    const Scalar y = outputs(batch.decision_step(b), b, 0);
    const int s = (y > Scalar(0)) - (y < Scalar(0));
    correct += s == batch.label(b);
  }
  return static_cast<double>(correct) / static_cast<double>(B);
}

/// The mask-weighted fraction of output entries (t, b, o) with |y − y*| ≤ `tolerance`: the score
/// of a continuous-output task (1 = every counted entry within the tolerance). Throws
/// shape_error if the outputs' shape differs from the targets', argument_error on a negative
/// tolerance.
template <class Scalar>
double fraction_within_tolerance(const sequence<Scalar>& outputs, const trial_batch<Scalar>& batch, double tolerance) {
  constexpr std::string_view fn = "rnnlab::fraction_within_tolerance";
  require(tolerance >= 0 && std::isfinite(tolerance), fn, "tolerance", "a finite value >= 0", tolerance);
  require_shape(outputs.shape() == batch.targets.shape(), fn, "outputs",
                "the targets' shape " + shape_string(batch.targets.shape()), shape_string(outputs.shape()));
  const Index T = batch.n_steps(), B = batch.n_trials(), O = batch.n_outputs();
  double within = 0, counted = 0;
  for (Index t = 0; t < T; ++t)
    for (Index b = 0; b < B; ++b) {
      const double m = static_cast<double>(batch.mask(t, b));
      if (m == 0) continue;
      for (Index o = 0; o < O; ++o) {
        counted += m;
        if (std::abs(static_cast<double>(outputs(t, b, o)) - static_cast<double>(batch.targets(t, b, o))) <= tolerance)
          within += m;
      }
    }
  return counted == 0 ? 1.0 : within / counted;
}

namespace detail {

/// An empty batch of T steps, B trials, M inputs and O outputs (zeros; mask 0).
template <class Batch>
Batch make_task_batch(Index T, Index B, Index M, Index O) {
  using Scalar = typename decltype(Batch{}.inputs)::value_type;
  Batch batch;
  batch.inputs = sequence<Scalar>({T, B, M});
  batch.targets = sequence<Scalar>({T, B, O});
  batch.mask = tensor<Scalar, 2>({T, B});
  return batch;
}

inline void require_positive_steps(Index value, std::string_view caller, std::string_view name) {
  require(value > 0, caller, name, "a number of steps > 0", value);
}

/// Adds N(0, σ²) noise to every input entry (σ = 0: nothing).
template <class Scalar, class G>
void add_input_noise(sequence<Scalar>& inputs, double sigma, G& g) {
  if (sigma == 0) return;
  Scalar* v = inputs.data();
  for (Index i = 0, n = inputs.size(); i < n; ++i)
    v[i] = static_cast<Scalar>(static_cast<double>(v[i]) + sigma * standard_normal(g));
}

}  // namespace detail

}  // namespace rnnlab
