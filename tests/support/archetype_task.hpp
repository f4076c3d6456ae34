#pragma once
// Archetype of the `Task` / `ScoredTask` concepts (tasks/concepts.hpp): the smallest task without
// decision labels, written in one file as a newcomer would. Each trial holds one value
// c ~ U(−amplitude, amplitude) on its single input for all T steps; the network must output c
// during the last `response_steps` steps (the loss mask is 1 there). With Scored = true it owns
// its evaluation: `validation_set` (fresh trials) and `score` = the fraction of trials whose
// final output is within `tolerance` of c — a score without labels, like the sine and
// path-integration tasks'. With Scored = false it is a bare Task: the trainer can still stop on
// the validation loss.

#include <cmath>
#include <string_view>

#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/trial_batch.hpp>

namespace rnnlab::archetypes {

template <bool Scored>
class hold_value_task {
public:
  Index steps = 20;
  Index response_steps = 5;
  double amplitude = 0.5;
  double tolerance = 0.1;
  Index validation_trials = 200;

  Index n_inputs() const noexcept { return 1; }
  Index n_outputs() const noexcept { return 1; }
  Index n_steps() const noexcept { return steps; }

  template <class Scalar = float, class G>
  trial_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "archetypes::hold_value_task::sample", "batch", "> 0", batch);
    trial_batch<Scalar> b;
    b.inputs = sequence<Scalar>({steps, batch, 1});
    b.targets = sequence<Scalar>({steps, batch, 1});
    b.mask = tensor<Scalar, 2>({steps, batch});
    for (Index i = 0; i < batch; ++i) {
      const auto c = static_cast<Scalar>((2.0 * uniform01(g) - 1.0) * amplitude);
      for (Index t = 0; t < steps; ++t) {
        const bool respond = t >= steps - response_steps;
        b.inputs(t, i, 0) = c;
        b.targets(t, i, 0) = respond ? c : Scalar(0);
        b.mask(t, i) = respond ? Scalar(1) : Scalar(0);
      }
    }
    return b;
  }

  template <class Scalar = float, class G>
    requires Scored
  trial_batch<Scalar> validation_set(G& g) const {
    return sample<Scalar>(validation_trials, g);
  }

  template <class Scalar>
    requires Scored
  double score(const sequence<Scalar>& outputs, const trial_batch<Scalar>& batch) const {
    const Index T = outputs.shape(0), B = outputs.shape(1);
    Index hits = 0;
    for (Index b = 0; b < B; ++b)
      hits += std::abs(static_cast<double>(outputs(T - 1, b, 0)) - static_cast<double>(batch.targets(T - 1, b, 0))) <
              tolerance;
    return static_cast<double>(hits) / static_cast<double>(B);
  }

  static constexpr std::string_view score_name() noexcept
    requires Scored
  {
    return "fraction within tolerance";
  }
};

static_assert(Task<hold_value_task<false>, float> && !ScoredTask<hold_value_task<false>, float>);
static_assert(ScoredTask<hold_value_task<true>, float> && ScoredTask<hold_value_task<true>, double>);

}  // namespace rnnlab::archetypes
