#pragma once
/// \file tasks/multisensory.hpp
/// Multisensory rate discrimination (the reference code's `multi_sensory.py`, reference_code_spec
/// §1.2; after Raposo et al. 2012): an event rate f ~ U[rate_min, rate_max] is shown on the
/// auditory channel, the visual channel or both (probability ⅓ each); the network reports +1 if
/// f ≥ boundary (12.5 Hz) and −1 otherwise.
///
/// Inputs (T, B, 2): channel 0 auditory, 1 visual; from `stimulus_on` on, each presented channel
/// is f / rate_scale (0 before and when not presented), plus N(0, σ²) noise at every step
/// (σ = 0.05/16). Targets 0 before `stimulus_on`, the label from then on; the mask is 1 on every
/// step (the reference loss Σ_{t≥200}(y_t − label)² + Σ_{t<200} y_t²). Trial length: T, fixed.
/// With the defaults P(label = +1) = (16 − 12.5)/(16 − 9) = ½.
///
/// Score: decision accuracy, the sign of output channel 0 at the last step. (The reference code's
/// validation maps a 1 + tanh readout through 2(y − 0.5); here outputs are scored as they are.)

#include <string_view>

#include <rnnlab/names.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/scores.hpp>

namespace rnnlab {

/// Which channels carry the stimulus.
enum class modality { auditory, visual, both };

/// The names of modality (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<modality, std::string_view>, 3> enum_names(modality) {
  return {{{modality::auditory, "auditory"}, {modality::visual, "visual"}, {modality::both, "both"}}};
}

struct multisensory_params {
  Index n_steps = 750;        ///< T
  Index stimulus_on = 200;    ///< first step of the stimulus
  double rate_min = 9.0;      ///< Hz
  double rate_max = 16.0;     ///< Hz
  double boundary = 12.5;     ///< Hz: label +1 iff f ≥ boundary
  double rate_scale = 16.0;   ///< input value = f / rate_scale
  double noise_std = 0.05 / 16.0;  ///< σ (a standard deviation)
  Index validation_trials = 1500;

  void validate(std::string_view caller) const {
    detail::require_positive_steps(n_steps, caller, "n_steps");
    require(stimulus_on >= 0 && stimulus_on < n_steps, caller, "stimulus_on",
            detail::concat("a step in [0, n_steps = ", n_steps, ")"), stimulus_on);
    require(rate_min > 0 && std::isfinite(rate_min), caller, "rate_min", "a rate > 0 Hz", rate_min);
    require(rate_max > rate_min && std::isfinite(rate_max), caller, "rate_max",
            detail::concat("a rate > rate_min = ", rate_min), rate_max);
    require(boundary > rate_min && boundary < rate_max, caller, "boundary",
            detail::concat("a rate in (", rate_min, ", ", rate_max, ")"), boundary);
    require(rate_scale > 0 && std::isfinite(rate_scale), caller, "rate_scale", "a finite value > 0", rate_scale);
    require(noise_std >= 0 && std::isfinite(noise_std), caller, "noise_std", "a finite value >= 0", noise_std);
    require(validation_trials > 0, caller, "validation_trials", "> 0", validation_trials);
  }

  static multisensory_params reference_code() { return {}; }
};

/// One trial's condition.
struct multisensory_condition {
  double rate = 0;  ///< Hz
  rnnlab::modality modality = rnnlab::modality::both;
};

/// A multisensory batch: a decision batch with each trial's rate and modality.
template <class Scalar>
struct multisensory_batch : decision_batch<Scalar> {
  Eigen::VectorXd rate;      ///< (B) Hz
  Eigen::VectorXi modality;  ///< (B) 0 auditory, 1 visual, 2 both
};

/// The multisensory sampler: 2 inputs, 1 output.
class multisensory {
public:
  explicit multisensory(multisensory_params params = multisensory_params::reference_code()) : m_params(params) {
    m_params.validate("rnnlab::multisensory::multisensory");
  }

  const multisensory_params& params() const noexcept { return m_params; }
  static constexpr Index n_inputs() noexcept { return 2; }
  static constexpr Index n_outputs() noexcept { return 1; }
  Index n_steps() const noexcept { return m_params.n_steps; }

  template <class Scalar = float, class G>
  multisensory_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "rnnlab::multisensory::sample", "batch", "> 0", batch);
    std::vector<multisensory_condition> conds(static_cast<std::size_t>(batch));
    for (auto& c : conds) {
      c.rate = m_params.rate_min + (m_params.rate_max - m_params.rate_min) * uniform01(g);
      c.modality = static_cast<rnnlab::modality>(uniform_index(g, 3));
    }
    return sample_conditions<Scalar>(conds, g);
  }

  /// Trials of the given rates (in [rate_min, rate_max]) and modalities.
  template <class Scalar = float, class G>
  multisensory_batch<Scalar> sample_conditions(std::span<const multisensory_condition> conds, G& g) const {
    constexpr std::string_view fn = "rnnlab::multisensory::sample_conditions";
    const auto& p = m_params;
    const Index T = p.n_steps, B = static_cast<Index>(conds.size());
    require_shape(B > 0, fn, "conditions", "at least one trial", B);
    for (const auto& c : conds)
      require(c.rate >= p.rate_min && c.rate <= p.rate_max, fn, "conditions",
              detail::concat("a rate in [", p.rate_min, ", ", p.rate_max, "] Hz"), c.rate);
    auto out = detail::make_task_batch<multisensory_batch<Scalar>>(T, B, 2, 1);
    out.label.resize(B);
    out.decision_step.setConstant(B, static_cast<int>(T - 1));
    out.rate.resize(B);
    out.modality.resize(B);
    out.mask.fill(Scalar(1));
    for (Index b = 0; b < B; ++b) {
      const auto& c = conds[static_cast<std::size_t>(b)];
      out.rate(b) = c.rate;
      out.modality(b) = static_cast<int>(c.modality);
      out.label(b) = c.rate >= p.boundary ? 1 : -1;
      const auto u = static_cast<Scalar>(c.rate / p.rate_scale);
      for (Index t = p.stimulus_on; t < T; ++t) {
        if (c.modality != modality::visual) out.inputs(t, b, 0) = u;
        if (c.modality != modality::auditory) out.inputs(t, b, 1) = u;
        out.targets(t, b, 0) = static_cast<Scalar>(out.label(b));
      }
    }
    detail::add_input_noise(out.inputs, p.noise_std, g);
    return out;
  }

  template <class Scalar = float, class G>
  multisensory_batch<Scalar> validation_set(G& g) const {
    return sample<Scalar>(m_params.validation_trials, g);
  }

  template <class Scalar>
  double score(const sequence<Scalar>& outputs, const multisensory_batch<Scalar>& batch) const {
    return decision_step_accuracy(outputs, batch);
  }
  static constexpr std::string_view score_name() noexcept { return "decision accuracy"; }

private:
  multisensory_params m_params;
};

static_assert(ScoredTask<multisensory, float> && ScoredTask<multisensory, double>);

}  // namespace rnnlab
