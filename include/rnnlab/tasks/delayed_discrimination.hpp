#pragma once
/// \file tasks/delayed_discrimination.hpp
/// Delayed discrimination (Romo et al. 1999; the degeneracy study's "delayed discrimination"): two
/// vibrotactile frequencies f1 and f2 arrive one after the other, separated by a delay; the network
/// reports +1 if f1 > f2 and −1 otherwise, so it must hold f1 in memory across the delay.
///
/// One input channel carries the stimulus amplitude f / f_max during each stimulus (0 otherwise),
/// plus N(0, σ²) noise at every step. f1 and f2 are uniform on [f_min, f_max] Hz, redrawn until
/// |f1 − f2| ≥ min_difference, so both labels have probability ½. Per trial: `fixation_steps`
/// steps of silence, f1 for `stimulus_steps`, a delay of D steps with D uniform on
/// {delay_min, …, delay_max}, f2 for `stimulus_steps`, then `response_steps` steps of response.
/// Trial length = fixation + 2·stimulus + D + response: from T_min (D = delay_min) to T (D =
/// delay_max, the batch's length); mean T_min + (delay_max − delay_min)/2. A shorter trial is padded
/// with silent steps at its end (mask 0). Targets: 0 from the start to the end of f2 (mask 1) and
/// the label during the response (mask 1).
///
/// Score: decision accuracy, the sign of output channel 0 at the trial's last response step.

#include <string_view>

#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/scores.hpp>

namespace rnnlab {

struct delayed_discrimination_params {
  double f_min = 10.0;          ///< Hz, lowest frequency (> 0)
  double f_max = 34.0;          ///< Hz, highest frequency
  double min_difference = 2.0;  ///< Hz, smallest |f1 − f2|
  Index fixation_steps = 10;
  Index stimulus_steps = 20;    ///< duration of each of f1 and f2
  Index delay_min = 20;         ///< D_min
  Index delay_max = 60;         ///< D_max
  Index response_steps = 20;
  double noise_std = 0.05;      ///< σ (a standard deviation)
  Index validation_trials = 1000;

  Index n_steps() const noexcept { return fixation_steps + 2 * stimulus_steps + delay_max + response_steps; }

  void validate(std::string_view caller) const {
    require(f_min > 0 && std::isfinite(f_min), caller, "f_min", "a frequency > 0 Hz", f_min);
    require(f_max > f_min && std::isfinite(f_max), caller, "f_max", detail::concat("a frequency > f_min = ", f_min), f_max);
    require(min_difference >= 0 && min_difference < f_max - f_min, caller, "min_difference",
            detail::concat("in [0, f_max - f_min = ", f_max - f_min, ")"), min_difference);
    require(fixation_steps >= 0, caller, "fixation_steps", ">= 0", fixation_steps);
    detail::require_positive_steps(stimulus_steps, caller, "stimulus_steps");
    detail::require_positive_steps(response_steps, caller, "response_steps");
    require(delay_min >= 0, caller, "delay_min", ">= 0", delay_min);
    require(delay_max >= delay_min, caller, "delay_max", detail::concat(">= delay_min = ", delay_min), delay_max);
    require(noise_std >= 0 && std::isfinite(noise_std), caller, "noise_std", "a finite value >= 0", noise_std);
    require(validation_trials > 0, caller, "validation_trials", "> 0", validation_trials);
  }
};

/// One trial's condition.
struct discrimination_condition {
  double f1 = 0, f2 = 0;  ///< Hz
  Index delay = 0;        ///< steps
};

/// A delayed-discrimination batch: a decision batch with each trial's frequencies and delay.
template <class Scalar>
struct discrimination_batch : decision_batch<Scalar> {
  Eigen::VectorXd f1, f2;  ///< (B) Hz
  Eigen::VectorXi delay;   ///< (B) steps
};

/// The delayed-discrimination sampler: 1 input, 1 output.
class delayed_discrimination {
public:
  explicit delayed_discrimination(delayed_discrimination_params params = {}) : m_params(params) {
    m_params.validate("rnnlab::delayed_discrimination::delayed_discrimination");
  }

  const delayed_discrimination_params& params() const noexcept { return m_params; }
  static constexpr Index n_inputs() noexcept { return 1; }
  static constexpr Index n_outputs() noexcept { return 1; }
  Index n_steps() const noexcept { return m_params.n_steps(); }

  template <class Scalar = float, class G>
  discrimination_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "rnnlab::delayed_discrimination::sample", "batch", "> 0", batch);
    const auto& p = m_params;
    std::vector<discrimination_condition> conds(static_cast<std::size_t>(batch));
    for (auto& c : conds) {
      do {
        c.f1 = p.f_min + (p.f_max - p.f_min) * uniform01(g);
        c.f2 = p.f_min + (p.f_max - p.f_min) * uniform01(g);
      } while (std::abs(c.f1 - c.f2) < p.min_difference || c.f1 == c.f2);
      c.delay = p.delay_min + static_cast<Index>(uniform_index(g, static_cast<std::uint64_t>(p.delay_max - p.delay_min + 1)));
    }
    return sample_conditions<Scalar>(conds, g);
  }

  /// Trials of the given frequencies (in [f_min, f_max], f1 ≠ f2) and delays (in [delay_min, delay_max]).
  template <class Scalar = float, class G>
  discrimination_batch<Scalar> sample_conditions(std::span<const discrimination_condition> conds, G& g) const {
    constexpr std::string_view fn = "rnnlab::delayed_discrimination::sample_conditions";
    const auto& p = m_params;
    const Index T = p.n_steps(), B = static_cast<Index>(conds.size());
    require_shape(B > 0, fn, "conditions", "at least one trial", B);
    for (const auto& c : conds) {
      require(c.f1 >= p.f_min && c.f1 <= p.f_max && c.f2 >= p.f_min && c.f2 <= p.f_max && c.f1 != c.f2, fn,
              "conditions", detail::concat("f1 != f2, both in [", p.f_min, ", ", p.f_max, "] Hz"),
              detail::concat("(", c.f1, ", ", c.f2, ")"));
      require(c.delay >= p.delay_min && c.delay <= p.delay_max, fn, "conditions",
              detail::concat("a delay in [", p.delay_min, ", ", p.delay_max, "]"), c.delay);
    }
    auto out = detail::make_task_batch<discrimination_batch<Scalar>>(T, B, 1, 1);
    out.label.resize(B);
    out.decision_step.resize(B);
    out.f1.resize(B);
    out.f2.resize(B);
    out.delay.resize(B);
    for (Index b = 0; b < B; ++b) {
      const auto& c = conds[static_cast<std::size_t>(b)];
      out.f1(b) = c.f1;
      out.f2(b) = c.f2;
      out.delay(b) = static_cast<int>(c.delay);
      out.label(b) = c.f1 > c.f2 ? 1 : -1;
      const Index s1 = p.fixation_steps, s2 = s1 + p.stimulus_steps + c.delay, r = s2 + p.stimulus_steps;
      const Index end = r + p.response_steps;
      out.decision_step(b) = static_cast<int>(end - 1);
      for (Index t = 0; t < p.stimulus_steps; ++t) {
        out.inputs(s1 + t, b, 0) = static_cast<Scalar>(c.f1 / p.f_max);
        out.inputs(s2 + t, b, 0) = static_cast<Scalar>(c.f2 / p.f_max);
      }
      for (Index t = 0; t < end; ++t) out.mask(t, b) = Scalar(1);
      for (Index t = r; t < end; ++t) out.targets(t, b, 0) = static_cast<Scalar>(out.label(b));
    }
    detail::add_input_noise(out.inputs, p.noise_std, g);
    return out;
  }

  template <class Scalar = float, class G>
  discrimination_batch<Scalar> validation_set(G& g) const {
    return sample<Scalar>(m_params.validation_trials, g);
  }

  template <class Scalar>
  double score(const sequence<Scalar>& outputs, const discrimination_batch<Scalar>& batch) const {
    return decision_step_accuracy(outputs, batch);
  }
  static constexpr std::string_view score_name() noexcept { return "decision accuracy"; }

private:
  delayed_discrimination_params m_params;
};

static_assert(ScoredTask<delayed_discrimination, float> && ScoredTask<delayed_discrimination, double>);

}  // namespace rnnlab
