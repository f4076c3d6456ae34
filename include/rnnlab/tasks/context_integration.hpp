#pragma once
/// \file tasks/context_integration.hpp
/// Context-dependent integration (CDI, Mante et al. 2013) and its N-context generalisation (N-CDI),
/// McMahan et al. 2021 Sec. 2.2: N noisy evidence streams and N one-hot context channels; the
/// network reports the sign of the attended stream's mean. Input layout (T, B, 2N): channels
/// 0 … N−1 are the evidence streams, N … 2N−1 the context channels (the reference code's order).
/// N = 2 is the CDI task; N = 1 (one stream plus a constant context input) is trained in the
/// reference code too; N goes up to 8.
///
/// Presets: `paper_text(N)` (independent μ_s ~ U[−0.1857, 0.1857], noise variance 1) and
/// `reference_code(N, σ)` (one magnitude shared by all streams with independent signs, noise std
/// σ = 1, label 0 when the magnitude is 0).

#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/validation.hpp>

namespace rnnlab {

struct context_integration_params : evidence_params {
  int n_contexts = 2;  ///< N, 1 … 8

  void validate(std::string_view caller) const {
    require(n_contexts >= 1 && n_contexts <= 8, caller, "n_contexts", "an integer in [1, 8]", n_contexts);
    evidence_params::validate(caller);
  }

  static context_integration_params paper_text(int n_contexts = 2) {
    context_integration_params p;
    p.n_contexts = n_contexts;
    return p;
  }
  static context_integration_params reference_code(int n_contexts = 2, double noise_std = 1.0) {
    context_integration_params p;
    p.n_contexts = n_contexts;
    p.noise = noise_level::from_stddev(noise_std);
    p.shared_magnitude = true;
    return p;
  }
};

/// The CDI / N-CDI task sampler: 2N inputs, 1 output.
class context_integration {
public:
  explicit context_integration(context_integration_params params = context_integration_params::paper_text())
      : m_params(std::move(params)) {
    m_params.validate("rnnlab::context_integration::context_integration");
  }

  const context_integration_params& params() const noexcept { return m_params; }
  Index n_inputs() const noexcept { return 2 * m_params.n_contexts; }
  static constexpr Index n_outputs() noexcept { return 1; }
  int n_contexts() const noexcept { return m_params.n_contexts; }
  Index n_steps() const noexcept { return m_params.n_steps; }

  /// B random trials (context uniform over the N streams).
  template <class Scalar = float, class G>
  evidence_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "rnnlab::context_integration::sample", "batch", "> 0", batch);
    const auto conds = detail::draw_conditions(m_params, m_params.n_contexts, batch, g);
    return sample_conditions<Scalar>(conds, g);
  }

  /// Trials with the given attended means and contexts.
  template <class Scalar = float, class G>
  evidence_batch<Scalar> sample_conditions(std::span<const trial_condition> conds, G& g) const {
    return detail::sample_evidence<Scalar>(m_params, m_params.n_contexts, true, conds, g,
                                           "rnnlab::context_integration::sample_conditions");
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
  context_integration_params m_params;
};

static_assert(Task<context_integration, float>);
static_assert(Task<context_integration, double>);
static_assert(ScoredTask<context_integration, float> && ScoredTask<context_integration, double>);
static_assert(ConditionedTask<context_integration, float>);

}  // namespace rnnlab
