#pragma once
/// \file tasks/sine_wave.hpp
/// Sine-wave generation (Sussillo & Barak 2013; the degeneracy study's "sine wave generation"): a
/// static input sets the frequency, and the network must produce y*(t) = amplitude · sin(2π f t Δt)
/// for the whole trial.
///
/// f is one of `n_frequencies` levels linspace(f_min, f_max) Hz, uniform over the levels; the
/// input (one channel, constant over the trial, no noise by default) is
/// input_offset + f / f_max. Δt = `dt` seconds per step. Mask 1 on every step from
/// `mask_start` on. Trial length: T, fixed. The validation set cycles through the levels.
///
/// Score: fraction of masked entries within `tolerance` (0.2 · amplitude) of the target.

#include <numbers>
#include <string_view>

#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/scores.hpp>

namespace rnnlab {

struct sine_wave_params {
  double f_min = 1.0;         ///< Hz (> 0)
  double f_max = 5.0;         ///< Hz (≥ f_min)
  Index n_frequencies = 5;    ///< number of levels (1 uses f_min)
  double dt = 0.01;           ///< seconds per step
  Index n_steps = 100;        ///< T
  double amplitude = 1.0;
  double input_offset = 0.25; ///< input = input_offset + f / f_max (Sussillo & Barak: j/51 + 0.25)
  double noise_std = 0.0;     ///< σ of input noise (a standard deviation)
  Index mask_start = 0;       ///< first step the loss counts
  double tolerance = 0.2;     ///< score: |y − y*| ≤ tolerance · amplitude
  Index validation_trials = 500;

  void validate(std::string_view caller) const {
    require(f_min > 0 && std::isfinite(f_min), caller, "f_min", "a frequency > 0 Hz", f_min);
    require(f_max >= f_min && std::isfinite(f_max), caller, "f_max", detail::concat("a frequency >= f_min = ", f_min), f_max);
    require(n_frequencies >= 1, caller, "n_frequencies", ">= 1", n_frequencies);
    require(dt > 0 && std::isfinite(dt), caller, "dt", "a step > 0 s", dt);
    detail::require_positive_steps(n_steps, caller, "n_steps");
    require(amplitude > 0 && std::isfinite(amplitude), caller, "amplitude", "a finite value > 0", amplitude);
    require(std::isfinite(input_offset), caller, "input_offset", "a finite value", input_offset);
    require(noise_std >= 0 && std::isfinite(noise_std), caller, "noise_std", "a finite value >= 0", noise_std);
    require(mask_start >= 0 && mask_start < n_steps, caller, "mask_start",
            detail::concat("a step in [0, n_steps = ", n_steps, ")"), mask_start);
    require(tolerance > 0 && std::isfinite(tolerance), caller, "tolerance", "a finite value > 0", tolerance);
    require(validation_trials > 0, caller, "validation_trials", "> 0", validation_trials);
  }

  /// The k-th frequency level (Hz).
  double frequency(Index k) const {
    return n_frequencies == 1 ? f_min
                              : f_min + (f_max - f_min) * static_cast<double>(k) / static_cast<double>(n_frequencies - 1);
  }
};

/// A sine-wave batch: the trial batch and each trial's frequency.
template <class Scalar>
struct sine_wave_batch : trial_batch<Scalar> {
  Eigen::VectorXd frequency;  ///< (B) Hz
};

/// The sine-wave generation sampler: 1 input, 1 output.
class sine_wave {
public:
  explicit sine_wave(sine_wave_params params = {}) : m_params(params) { m_params.validate("rnnlab::sine_wave::sine_wave"); }

  const sine_wave_params& params() const noexcept { return m_params; }
  static constexpr Index n_inputs() noexcept { return 1; }
  static constexpr Index n_outputs() noexcept { return 1; }
  Index n_steps() const noexcept { return m_params.n_steps; }

  template <class Scalar = float, class G>
  sine_wave_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "rnnlab::sine_wave::sample", "batch", "> 0", batch);
    std::vector<double> f(static_cast<std::size_t>(batch));
    for (auto& v : f) v = m_params.frequency(static_cast<Index>(uniform_index(g, static_cast<std::uint64_t>(m_params.n_frequencies))));
    return sample_frequencies<Scalar>(f, g);
  }

  /// Trials of the given frequencies (Hz, each > 0; any value, not only the levels).
  template <class Scalar = float, class G>
  sine_wave_batch<Scalar> sample_frequencies(std::span<const double> frequencies, G& g) const {
    constexpr std::string_view fn = "rnnlab::sine_wave::sample_frequencies";
    const auto& p = m_params;
    const Index T = p.n_steps, B = static_cast<Index>(frequencies.size());
    require_shape(B > 0, fn, "frequencies", "at least one trial", B);
    for (double f : frequencies) require(f > 0 && std::isfinite(f), fn, "frequencies", "frequencies > 0 Hz", f);
    auto out = detail::make_task_batch<sine_wave_batch<Scalar>>(T, B, 1, 1);
    out.frequency.resize(B);
    for (Index b = 0; b < B; ++b) {
      // (an explicit loop: GCC 12 at -O3 flags a mapped copy of a one-element span as out of bounds)
      const double f = frequencies[static_cast<std::size_t>(b)];
      out.frequency(b) = f;
      for (Index t = 0; t < T; ++t) {
        out.inputs(t, b, 0) = static_cast<Scalar>(p.input_offset + f / p.f_max);
        out.targets(t, b, 0) =
            static_cast<Scalar>(p.amplitude * std::sin(2 * std::numbers::pi * f * static_cast<double>(t) * p.dt));
        out.mask(t, b) = t >= p.mask_start ? Scalar(1) : Scalar(0);
      }
    }
    detail::add_input_noise(out.inputs, p.noise_std, g);
    return out;
  }

  /// `params().validation_trials` trials cycling through the frequency levels.
  template <class Scalar = float, class G>
  sine_wave_batch<Scalar> validation_set(G& g) const {
    std::vector<double> f(static_cast<std::size_t>(m_params.validation_trials));
    for (std::size_t i = 0; i < f.size(); ++i) f[i] = m_params.frequency(static_cast<Index>(i) % m_params.n_frequencies);
    return sample_frequencies<Scalar>(f, g);
  }

  template <class Scalar>
  double score(const sequence<Scalar>& outputs, const sine_wave_batch<Scalar>& batch) const {
    return fraction_within_tolerance(outputs, batch, m_params.tolerance * m_params.amplitude);
  }
  static constexpr std::string_view score_name() noexcept { return "fraction within tolerance"; }

private:
  sine_wave_params m_params;
};

static_assert(ScoredTask<sine_wave, float> && ScoredTask<sine_wave, double>);

}  // namespace rnnlab
