#pragma once
/// \file tasks/delayed_match.hpp
/// Delayed match-to-sample / non-match-to-sample (the reference code's `dnms.py`, class `DMC`,
/// reference_code_spec §1.2; the learning-rules paper's appendix working-memory task is this
/// task as the reference code runs it — our copy of the paper lacks the appendix text).
///
/// Two input channels at a constant `baseline`; the sample stimulus sets channel k ∈ {0, 1} to 1
/// during [sample_on, sample_off); after the delay, the test stimulus sets channel j ∈ {0, 1} to 1
/// during [test_on, test_off); k and j are independent and uniform, so half the trials match.
/// N(0, σ²) noise on both channels at every step. The network reports +1 for a match (k = j) and
/// −1 otherwise (`delayed_match_rule::match_to_sample`), or the reverse (`non_match_to_sample`).
/// Target 0 during the first `loss.fixation_steps` steps and the label during the last
/// `loss.decision_steps` steps; the mask is 1 on exactly those steps (reference: the first and the
/// last step). Trial length: T steps, fixed; delay = test_on − sample_off.
///
/// Score: decision accuracy, the sign of output channel 0 at the last step against the label.

#include <string_view>

#include <rnnlab/names.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/scores.hpp>

namespace rnnlab {

/// Which answer is +1.
enum class delayed_match_rule {
  match_to_sample,      ///< +1 when the test equals the sample (reference DMC)
  non_match_to_sample,  ///< +1 when the test differs from the sample (DNMS)
};

/// The names of delayed_match_rule (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<delayed_match_rule, std::string_view>, 2> enum_names(delayed_match_rule) {
  return {{{delayed_match_rule::match_to_sample, "match"}, {delayed_match_rule::non_match_to_sample, "non_match"}}};
}

struct delayed_match_params {
  Index n_steps = 750;   ///< T
  Index sample_on = 0;   ///< first step of the sample stimulus
  Index sample_off = 300;  ///< first step after it
  Index test_on = 400;   ///< first step of the test stimulus
  Index test_off = 700;  ///< first step after it
  double baseline = 0.2;     ///< value of both channels outside the stimuli
  double noise_std = 0.05;   ///< σ (a standard deviation)
  delayed_match_rule rule = delayed_match_rule::match_to_sample;
  loss_window loss = loss_window::first_and_last();
  Index validation_trials = 2000;

  void validate(std::string_view caller) const {
    detail::require_positive_steps(n_steps, caller, "n_steps");
    require(sample_on >= 0 && sample_on < sample_off, caller, "sample_off",
            detail::concat("after sample_on = ", sample_on), sample_off);
    require(test_on >= sample_off, caller, "test_on",
            detail::concat("at or after sample_off = ", sample_off, " (the delay is test_on - sample_off >= 0)"), test_on);
    require(test_off > test_on, caller, "test_off", detail::concat("after test_on = ", test_on), test_off);
    require(test_off <= n_steps, caller, "test_off",
            detail::concat("within the trial (n_steps = ", n_steps, "): the delay is too long for the trial"), test_off);
    require(loss.fixation_steps >= 0 && loss.decision_steps >= 1 &&
                loss.fixation_steps + loss.decision_steps <= n_steps,
            caller, "loss", detail::concat("fixation_steps >= 0, decision_steps >= 1, together <= ", n_steps),
            detail::concat(loss.fixation_steps, " + ", loss.decision_steps));
    require(std::isfinite(baseline), caller, "baseline", "a finite value", baseline);
    require(noise_std >= 0 && std::isfinite(noise_std), caller, "noise_std", "a finite value >= 0", noise_std);
    require(validation_trials > 0, caller, "validation_trials", "> 0", validation_trials);
  }

  /// `dnms.py` (class DMC): baseline 0.2, sample [0, 300), test [400, 700), T = 750, σ = 0.05.
  static delayed_match_params reference_code(delayed_match_rule rule = delayed_match_rule::match_to_sample) {
    delayed_match_params p;
    p.rule = rule;
    return p;
  }
  /// `dnms_backup.py`: baseline 0, sample [0, 200), test [400, 600), σ = 0.1.
  static delayed_match_params reference_backup(delayed_match_rule rule = delayed_match_rule::match_to_sample) {
    delayed_match_params p;
    p.rule = rule;
    p.baseline = 0.0;
    p.sample_off = 200;
    p.test_off = 600;
    p.noise_std = 0.1;
    return p;
  }
};

/// The delayed match / non-match sampler: 2 inputs, 1 output.
class delayed_match {
public:
  explicit delayed_match(delayed_match_params params = delayed_match_params::reference_code()) : m_params(params) {
    m_params.validate("rnnlab::delayed_match::delayed_match");
  }

  const delayed_match_params& params() const noexcept { return m_params; }
  static constexpr Index n_inputs() noexcept { return 2; }
  static constexpr Index n_outputs() noexcept { return 1; }
  Index n_steps() const noexcept { return m_params.n_steps; }

  /// B random trials.
  template <class Scalar = float, class G>
  decision_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "rnnlab::delayed_match::sample", "batch", "> 0", batch);
    std::vector<std::pair<int, int>> stimuli(static_cast<std::size_t>(batch));
    for (auto& [k, j] : stimuli) {
      k = static_cast<int>(uniform_index(g, 2));
      j = static_cast<int>(uniform_index(g, 2));
    }
    return sample_stimuli<Scalar>(stimuli, g);
  }

  /// Trials with the given (sample k, test j) channels, each 0 or 1.
  template <class Scalar = float, class G>
  decision_batch<Scalar> sample_stimuli(std::span<const std::pair<int, int>> stimuli, G& g) const {
    constexpr std::string_view fn = "rnnlab::delayed_match::sample_stimuli";
    const Index T = m_params.n_steps, B = static_cast<Index>(stimuli.size());
    require_shape(B > 0, fn, "stimuli", "at least one trial", B);
    for (const auto& [k, j] : stimuli)
      require((k == 0 || k == 1) && (j == 0 || j == 1), fn, "stimuli", "channels 0 or 1",
              detail::concat("(", k, ", ", j, ")"));
    auto out = detail::make_task_batch<decision_batch<Scalar>>(T, B, 2, 1);
    out.label.resize(B);
    out.decision_step.setConstant(B, static_cast<int>(T - 1));
    out.inputs.fill(static_cast<Scalar>(m_params.baseline));
    for (Index b = 0; b < B; ++b) {
      const auto [k, j] = stimuli[static_cast<std::size_t>(b)];
      for (Index t = m_params.sample_on; t < m_params.sample_off; ++t) out.inputs(t, b, k) = Scalar(1);
      for (Index t = m_params.test_on; t < m_params.test_off; ++t) out.inputs(t, b, j) = Scalar(1);
      const bool match = k == j;
      out.label(b) = (match == (m_params.rule == delayed_match_rule::match_to_sample)) ? 1 : -1;
      for (Index t = 0; t < m_params.loss.fixation_steps; ++t) out.mask(t, b) = Scalar(1);
      for (Index t = T - m_params.loss.decision_steps; t < T; ++t) {
        out.mask(t, b) = Scalar(1);
        out.targets(t, b, 0) = static_cast<Scalar>(out.label(b));
      }
    }
    detail::add_input_noise(out.inputs, m_params.noise_std, g);
    return out;
  }

  /// `params().validation_trials` random trials.
  template <class Scalar = float, class G>
  decision_batch<Scalar> validation_set(G& g) const {
    return sample<Scalar>(m_params.validation_trials, g);
  }

  template <class Scalar>
  double score(const sequence<Scalar>& outputs, const decision_batch<Scalar>& batch) const {
    return decision_step_accuracy(outputs, batch);
  }
  static constexpr std::string_view score_name() noexcept { return "decision accuracy"; }

private:
  delayed_match_params m_params;
};

static_assert(ScoredTask<delayed_match, float> && ScoredTask<delayed_match, double>);

}  // namespace rnnlab
