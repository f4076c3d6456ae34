#pragma once
/// \file tasks/evidence.hpp
/// What the evidence-integration tasks (RDM, CDI, N-CDI) share: noise conventions, loss windows,
/// per-trial conditions, the batch type with their metadata (`evidence_batch`), their score
/// (`decision_accuracy`), the validation set's parameters, and the sampler itself.
///
/// A trial has S noisy evidence streams, u_s(t) = μ_s + σ ε_s(t) with ε iid N(0, 1), and (for
/// contextual tasks) S one-hot context channels, constant over the trial, that say which stream to
/// integrate. The correct decision is the sign of the attended stream's mean μ_c. The network
/// should output 0 during the first `fixation_steps` steps and the decision (±1) during the last
/// `decision_steps` steps; the loss mask is 1 on exactly those steps (reference code: the first
/// and the last step only).

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// Whether a noise level is a standard deviation or a variance. The papers' text gives variances;
/// the reference code uses the same numbers as standard deviations (reference_code_spec §1.2).
enum class noise_convention { stddev, variance };

/// The names of noise_convention (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<noise_convention, std::string_view>, 2> enum_names(noise_convention) {
  return {{{noise_convention::stddev, "std"},
           {noise_convention::variance, "variance"}}};
}

/// A noise level with an explicit convention.
struct noise_level {
  double value = 1.0;
  noise_convention convention = noise_convention::variance;

  static constexpr noise_level from_stddev(double s) { return {s, noise_convention::stddev}; }
  static constexpr noise_level from_variance(double v) { return {v, noise_convention::variance}; }
  /// The standard deviation σ of the noise.
  double stddev() const { return convention == noise_convention::stddev ? value : std::sqrt(value); }
};

/// Which steps the loss counts: the first `fixation_steps` (target 0) and the last
/// `decision_steps` (target ±1). The reference code's is {1, 1}.
struct loss_window {
  Index fixation_steps = 1;
  Index decision_steps = 1;

  static constexpr loss_window first_and_last() { return {1, 1}; }
  /// A decision window over the last `decision_steps` steps (and `fixation_steps` at the start).
  static constexpr loss_window decision_window(Index decision_steps, Index fixation_steps = 1) {
    return {fixation_steps, decision_steps};
  }
};

/// The label of a trial whose attended mean is exactly 0.
enum class zero_coherence_label {
  random_sign,  ///< ±1 at random (reference RDM: the sign branch is drawn before the magnitude)
  zero,         ///< 0: no correct answer, always scored correct (reference N-CDI)
};

/// The names of zero_coherence_label (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<zero_coherence_label, std::string_view>, 2> enum_names(zero_coherence_label) {
  return {{{zero_coherence_label::random_sign, "random_sign"},
           {zero_coherence_label::zero, "zero"}}};
}

/// One trial's condition: the signed mean of the attended stream and which stream is attended.
struct trial_condition {
  double coherence = 0.0;
  int context = 0;
};

/// A batch of evidence-integration trials: the generic inputs, targets and mask, plus the
/// per-trial metadata only these tasks have (and only their `score` reads). A loaded batch may
/// lack the metadata (all four vectors empty).
template <class Scalar>
struct evidence_batch : trial_batch<Scalar> {
  Eigen::VectorXd coherence;     ///< (B) signed mean of the attended evidence stream
  Eigen::VectorXi context;       ///< (B) index of the attended stream (0 for single-stream tasks)
  Eigen::VectorXi label;         ///< (B) correct decision: +1, −1, or 0 (no correct answer)
  Eigen::MatrixXd stream_means;  ///< (B, n_streams) mean of every evidence stream

  bool has_metadata() const noexcept { return label.size() == this->n_trials(); }

  /// trial_batch::validate, and the metadata's length when present.
  void validate(std::string_view caller) const {
    trial_batch<Scalar>::validate(caller);
    const Index B = this->n_trials();
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

/// Errors and counted trials among trials [b0, b1) of `outputs` (T, B, O ≥ 1): the sign of output
/// channel 0 at the last step against `labels` (B). Reference convention: every trial counts, an error
/// when |label − sign| > 1 (a zero output is half right); sign convention: trials with label 0 are
/// not counted, an error when sign ≠ label. No shape checks (decision_accuracy makes them); the lazy
/// validation of learning/trainer.hpp counts blocks of trials with it.
template <class Scalar>
std::pair<Index, Index> decision_errors(const sequence<Scalar>& outputs, const Eigen::VectorXi& labels, Index b0,
                                        Index b1, accuracy_convention convention) {
  const Index T = outputs.shape(0);
  Index errors = 0, counted = 0;
  for (Index b = b0; b < b1; ++b) {
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
  return {errors, counted};
}

/// Decision accuracy of outputs (T, B, O ≥ 1): the sign of output channel 0 at the last step
/// against `labels` (B), by the rule of decision_errors; 1 when no trial counts. Throws shape_error
/// if the batch sizes differ.
template <class Scalar>
double decision_accuracy(const sequence<Scalar>& outputs, const Eigen::VectorXi& labels,
                         accuracy_convention convention = accuracy_convention::reference) {
  constexpr std::string_view fn = "rnnlab::decision_accuracy";
  const Index T = outputs.shape(0), B = outputs.shape(1);
  require_shape(T > 0 && B > 0 && outputs.shape(2) >= 1, fn, "outputs", "(T, B, O) with T, B, O > 0",
                shape_string(outputs.shape()));
  require_shape(labels.size() == B, fn, "labels", "length " + std::to_string(B) + " (one per trial)",
                labels.size());
  const auto [errors, counted] = decision_errors(outputs, labels, 0, B, convention);
  return counted == 0 ? 1.0 : static_cast<double>(counted - errors) / static_cast<double>(counted);
}

/// Decision accuracy of outputs on the trials of `batch`.
template <class Scalar>
double decision_accuracy(const sequence<Scalar>& outputs, const evidence_batch<Scalar>& batch,
                         accuracy_convention convention = accuracy_convention::reference) {
  require(batch.has_metadata(), "rnnlab::decision_accuracy", "batch", "a batch with labels", "no labels");
  return decision_accuracy(outputs, batch.label, convention);
}

/// The reference validation set's parameters (reference_code_spec §1.3): 2,000 trials whose
/// attended magnitudes cycle linspace(0, 0.1875, 20).
struct validation_set_params {
  Index n_trials = 2000;
  Index n_levels = 20;
  double max_coherence = 0.1875;

  void validate(std::string_view caller) const {
    require(n_trials > 0, caller, "n_trials", "> 0", n_trials);
    require(n_levels >= 1, caller, "n_levels", ">= 1", n_levels);
    require(std::isfinite(max_coherence) && max_coherence >= 0.0, caller, "max_coherence", "a finite value >= 0",
            max_coherence);
  }
};

/// Parameters shared by RDM, CDI and N-CDI.
struct evidence_params {
  Index n_steps = 750;                                   ///< T
  double coherence_max = 0.1857;                         ///< means are drawn from [−max, max]
  noise_level noise = noise_level::from_variance(1.0);   ///< σ of the evidence noise
  bool shared_magnitude = false;     ///< one |μ| for all streams, independent signs (reference N-CDI)
  loss_window loss = loss_window::first_and_last();
  std::optional<Index> evidence_off_step;  ///< pulse variant: evidence is 0 from this step on
  zero_coherence_label zero_label = zero_coherence_label::zero;
  validation_set_params validation{};  ///< the task's `validation_set` (the reference set)
  accuracy_convention convention = accuracy_convention::reference;  ///< how `score` counts errors

  void validate(std::string_view caller) const {
    require(n_steps > 0, caller, "n_steps", "> 0", n_steps);
    require(std::isfinite(coherence_max) && coherence_max >= 0.0, caller, "coherence_max", "a finite value >= 0",
            coherence_max);
    require(std::isfinite(noise.value) && noise.value >= 0.0, caller, "noise", "a finite level >= 0", noise.value);
    require(loss.fixation_steps >= 0 && loss.decision_steps >= 1 && loss.fixation_steps + loss.decision_steps <= n_steps,
            caller, "loss", "fixation_steps >= 0, decision_steps >= 1, their sum <= n_steps = " + std::to_string(n_steps),
            std::to_string(loss.fixation_steps) + " and " + std::to_string(loss.decision_steps));
    if (evidence_off_step)
      require(*evidence_off_step >= 0 && *evidence_off_step <= n_steps, caller, "evidence_off_step",
              "a step in [0, n_steps]", *evidence_off_step);
    validation.validate(caller);
  }
};

namespace detail {

/// Draws the conditions of `n` trials: a uniformly chosen context and the attended mean, either
/// ±U(0, 1)·max (shared magnitude, reference) or U(−max, max) (independent means, paper).
template <class G>
std::vector<trial_condition> draw_conditions(const evidence_params& p, int n_streams, Index n, G& g) {
  std::vector<trial_condition> conds(static_cast<std::size_t>(n));
  for (auto& c : conds) {
    c.context = static_cast<int>(uniform_index(g, static_cast<std::uint64_t>(n_streams)));
    if (p.shared_magnitude)
      c.coherence = random_sign(g) * uniform01(g) * p.coherence_max;
    else
      c.coherence = (2.0 * uniform01(g) - 1.0) * p.coherence_max;
  }
  return conds;
}

/// Samples the trials of the given conditions. Streams other than the attended one get the same
/// magnitude with a random sign (shared magnitude) or an independent U(−max, max) mean.
template <class Scalar, class G>
evidence_batch<Scalar> sample_evidence(const evidence_params& p, int n_streams, bool context_inputs,
                                    std::span<const trial_condition> conds, G& g, std::string_view caller) {
  const Index T = p.n_steps, B = static_cast<Index>(conds.size()), S = n_streams;
  const Index M = context_inputs ? 2 * S : S;
  require_shape(B > 0, caller, "batch", "at least one trial", B);
  for (const auto& c : conds) {
    require(c.context >= 0 && c.context < n_streams, caller, "context", "an index in [0, " + std::to_string(S) + ")",
            c.context);
    require(std::isfinite(c.coherence), caller, "coherence", "a finite value", c.coherence);
  }

  evidence_batch<Scalar> batch;
  batch.inputs = sequence<Scalar>({T, B, M});
  batch.targets = sequence<Scalar>({T, B, 1});
  batch.mask = tensor<Scalar, 2>({T, B});
  batch.coherence.resize(B);
  batch.context.resize(B);
  batch.label.resize(B);
  batch.stream_means.resize(B, S);

  for (Index b = 0; b < B; ++b) {
    const auto& c = conds[static_cast<std::size_t>(b)];
    batch.coherence(b) = c.coherence;
    batch.context(b) = c.context;
    for (Index s = 0; s < S; ++s) {
      if (s == c.context)
        batch.stream_means(b, s) = c.coherence;
      else if (p.shared_magnitude)
        batch.stream_means(b, s) = random_sign(g) * std::abs(c.coherence);
      else
        batch.stream_means(b, s) = (2.0 * uniform01(g) - 1.0) * p.coherence_max;
    }
    int label = (c.coherence > 0.0) - (c.coherence < 0.0);
    if (label == 0 && p.zero_label == zero_coherence_label::random_sign) label = random_sign(g);
    batch.label(b) = label;
  }

  // Evidence: mean + σ·ε for every (t, b, s), in memory order. Noise is drawn for every step even
  // in the pulse variant, so that a pulsed batch and a full one from the same seed share their
  // noise up to the switch-off.
  const double sigma = p.noise.stddev();
  const Index off = p.evidence_off_step.value_or(T);
  for (Index t = 0; t < T; ++t) {
    auto U = batch.inputs.slice(t);  // M × B
    for (Index b = 0; b < B; ++b)
      for (Index s = 0; s < S; ++s) {
        const double u = batch.stream_means(b, s) + sigma * standard_normal(g);
        U(s, b) = t < off ? static_cast<Scalar>(u) : Scalar(0);
      }
    if (context_inputs)
      for (Index b = 0; b < B; ++b) U(S + batch.context(b), b) = Scalar(1);
  }

  // Targets: 0 during fixation, the label afterwards; mask on fixation and decision steps.
  for (Index t = 0; t < T; ++t) {
    const bool fixation = t < p.loss.fixation_steps;
    const bool decision = t >= T - p.loss.decision_steps;
    for (Index b = 0; b < B; ++b) {
      batch.targets(t, b, 0) = fixation ? Scalar(0) : static_cast<Scalar>(batch.label(b));
      batch.mask(t, b) = (fixation || decision) ? Scalar(1) : Scalar(0);
    }
  }
  return batch;
}

}  // namespace detail
}  // namespace rnnlab
