#pragma once
/// \file tasks/rdm.hpp
/// Random-dots motion (RDM), McMahan et al. 2021 Sec. 2.2: one noisy evidence stream
/// u_t ~ N(μ, σ²), μ ~ U[−0.1857, 0.1857], T = 750 steps; output 0 at the first step and sign(μ)
/// at the last.
///
/// Presets: `paper_text()` (σ² = 1) and `reference_code(σ)` (the published trainer's default,
/// σ = 0.5 used as a standard deviation; μ = ±U(0,1)·0.1857 with the sign drawn first, so a zero
/// mean gets a random ±1 label).

#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/validation.hpp>

namespace rnnlab {

struct rdm_params : evidence_params {
  rdm_params() { zero_label = zero_coherence_label::random_sign; }

  /// As the paper's text reads: N(μ, 1) evidence (variance 1), μ ~ U[−0.1857, 0.1857].
  static rdm_params paper_text() { return {}; }

  /// As the published code runs: noise std `noise_std` (CLI default 0.5), sign then magnitude.
  static rdm_params reference_code(double noise_std = 0.5) {
    rdm_params p;
    p.noise = noise_level::from_stddev(noise_std);
    p.shared_magnitude = true;
    return p;
  }
};

/// The RDM task sampler: 1 input, 1 output.
class random_dots {
public:
  explicit random_dots(rdm_params params = rdm_params::paper_text()) : m_params(std::move(params)) {
    m_params.validate("rnnlab::random_dots::random_dots");
  }

  const rdm_params& params() const noexcept { return m_params; }
  static constexpr Index n_inputs() noexcept { return 1; }
  static constexpr Index n_outputs() noexcept { return 1; }
  static constexpr int n_contexts() noexcept { return 1; }
  Index n_steps() const noexcept { return m_params.n_steps; }

  /// B random trials.
  template <class Scalar = float, class G>
  evidence_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "rnnlab::random_dots::sample", "batch", "> 0", batch);
    const auto conds = detail::draw_conditions(m_params, 1, batch, g);
    return sample_conditions<Scalar>(conds, g);
  }

  /// Trials with the given signed means (context must be 0).
  template <class Scalar = float, class G>
  evidence_batch<Scalar> sample_conditions(std::span<const trial_condition> conds, G& g) const {
    return detail::sample_evidence<Scalar>(m_params, 1, false, conds, g, "rnnlab::random_dots::sample_conditions");
  }

  /// The task's validation set: the reference set (tasks/validation.hpp) with `params().validation`.
  template <class Scalar = float, class G>
  evidence_batch<Scalar> validation_set(G& g) const {
    return reference_validation_set<Scalar>(*this, g, m_params.validation);
  }

  /// The decision accuracy of `outputs` (T, B, O ≥ 1) on `batch`, by `params().convention`.
  template <class Scalar>
  double score(const sequence<Scalar>& outputs, const evidence_batch<Scalar>& batch) const {
    return decision_accuracy(outputs, batch, m_params.convention);
  }
  static constexpr std::string_view score_name() noexcept { return "decision accuracy"; }

private:
  rdm_params m_params;
};

static_assert(Task<random_dots, float>);
static_assert(Task<random_dots, double>);
static_assert(ScoredTask<random_dots, float> && ScoredTask<random_dots, double>);
static_assert(ConditionedTask<random_dots, float>);

}  // namespace rnnlab
