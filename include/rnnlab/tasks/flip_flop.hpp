#pragma once
/// \file tasks/flip_flop.hpp
/// The N-bit flip-flop (Sussillo & Barak 2013; the degeneracy study's "flip-flop memory"): N input
/// channels receive brief pulses of +1 or −1 at random times; output channel i must hold the sign
/// of the last pulse on input i (0 before its first pulse) until the next one.
///
/// Sampler (the reference code's `ThreeBit.py`, reference_code_spec §1.2): on each channel,
/// `pulses_per_channel` pulses of random sign (±1, p = ½), each `pulse_steps` long, with onsets
/// drawn uniformly from {0, …, T − pulse_steps − 1} and sorted (a later pulse overwrites an earlier
/// one where they overlap); N(0, σ²) noise on every input entry. Target of channel i at step t =
/// the sign of the latest pulse on i with onset ≤ t, 0 before the first. The loss mask is 1 on
/// every step. Trial length: T steps, fixed; expected pulse rate per channel = pulses_per_channel / T.
///
/// Score: fraction of (step, trial, channel) entries within `tolerance` (0.5) of the target.

#include <algorithm>
#include <string_view>
#include <vector>

#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/scores.hpp>

namespace rnnlab {

struct flip_flop_params {
  int n_bits = 3;                  ///< N, input = output channels (≥ 1)
  Index n_steps = 500;             ///< T
  Index pulses_per_channel = 3;    ///< pulses per channel per trial
  Index pulse_steps = 25;          ///< duration of one pulse (steps)
  double noise_std = 0.1;          ///< σ of the input noise (a standard deviation)
  double tolerance = 0.5;          ///< score: |y − y*| ≤ tolerance
  Index validation_trials = 500;   ///< size of the validation set

  void validate(std::string_view caller) const {
    require(n_bits >= 1, caller, "n_bits", "at least 1 channel", n_bits);
    detail::require_positive_steps(n_steps, caller, "n_steps");
    detail::require_positive_steps(pulse_steps, caller, "pulse_steps");
    require(pulses_per_channel >= 0, caller, "pulses_per_channel", ">= 0", pulses_per_channel);
    require(pulse_steps < n_steps, caller, "pulse_steps",
            detail::concat("shorter than the trial (n_steps = ", n_steps, ")"), pulse_steps);
    require(noise_std >= 0 && std::isfinite(noise_std), caller, "noise_std", "a finite value >= 0", noise_std);
    require(tolerance > 0 && std::isfinite(tolerance), caller, "tolerance", "a finite value > 0", tolerance);
    require(validation_trials > 0, caller, "validation_trials", "> 0", validation_trials);
  }

  /// The reference code's `ThreeBit.py`: 3 bits, 3 pulses of 25 steps per channel, noise std 0.1
  /// (its comment says variance; the code uses it as a standard deviation), T = 750.
  static flip_flop_params reference_code(int n_bits = 3) {
    flip_flop_params p;
    p.n_bits = n_bits;
    p.n_steps = 750;
    return p;
  }
};

/// The N-bit flip-flop sampler: N inputs, N outputs.
class flip_flop {
public:
  explicit flip_flop(flip_flop_params params = {}) : m_params(params) { m_params.validate("rnnlab::flip_flop::flip_flop"); }

  const flip_flop_params& params() const noexcept { return m_params; }
  Index n_inputs() const noexcept { return m_params.n_bits; }
  Index n_outputs() const noexcept { return m_params.n_bits; }
  Index n_steps() const noexcept { return m_params.n_steps; }

  /// B random trials: inputs (T, B, N), targets (T, B, N), mask (T, B) of ones.
  template <class Scalar = float, class G>
  trial_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "rnnlab::flip_flop::sample", "batch", "> 0", batch);
    const Index T = m_params.n_steps, N = m_params.n_bits, L = m_params.pulse_steps;
    auto out = detail::make_task_batch<trial_batch<Scalar>>(T, batch, N, N);
    out.mask.fill(Scalar(1));
    std::vector<Index> onsets(static_cast<std::size_t>(m_params.pulses_per_channel));
    std::vector<int> signs(onsets.size());
    for (Index b = 0; b < batch; ++b)
      for (Index i = 0; i < N; ++i) {
        for (auto& s : onsets) s = static_cast<Index>(uniform_index(g, static_cast<std::uint64_t>(T - L)));
        std::sort(onsets.begin(), onsets.end());
        for (auto& s : signs) s = random_sign(g);
        for (std::size_t k = 0; k < onsets.size(); ++k) {
          for (Index t = onsets[k]; t < onsets[k] + L; ++t) out.inputs(t, b, i) = static_cast<Scalar>(signs[k]);
          const Index until = k + 1 < onsets.size() ? onsets[k + 1] : T;
          for (Index t = onsets[k]; t < until; ++t) out.targets(t, b, i) = static_cast<Scalar>(signs[k]);
        }
      }
    detail::add_input_noise(out.inputs, m_params.noise_std, g);
    return out;
  }

  /// `params().validation_trials` random trials.
  template <class Scalar = float, class G>
  trial_batch<Scalar> validation_set(G& g) const {
    return sample<Scalar>(m_params.validation_trials, g);
  }

  template <class Scalar>
  double score(const sequence<Scalar>& outputs, const trial_batch<Scalar>& batch) const {
    return fraction_within_tolerance(outputs, batch, m_params.tolerance);
  }
  static constexpr std::string_view score_name() noexcept { return "fraction within tolerance"; }

private:
  flip_flop_params m_params;
};

static_assert(ScoredTask<flip_flop, float> && ScoredTask<flip_flop, double>);

}  // namespace rnnlab
