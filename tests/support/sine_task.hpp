#pragma once
// A sine-generation task for the FORCE rules' tests (learning/force.hpp, learning/full_force.hpp):
// one input carries a cue (1 during the first `cue_steps` steps, 0 afterwards) that sets the phase;
// the single output must follow y*(t) = amplitude · sin(2π t / period) at every step (mask 1
// everywhere). Trials are identical (no noise): the rules' random initial states make them differ.

#include <cmath>
#include <numbers>

#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/trial_batch.hpp>

namespace rnnlab::test_support {

struct sine_task {
  Index steps = 300;
  Index cue_steps = 20;
  double period = 100;
  double amplitude = 1.0;

  Index n_inputs() const noexcept { return 1; }
  Index n_outputs() const noexcept { return 1; }
  Index n_steps() const noexcept { return steps; }

  double target(Index t) const {
    return amplitude * std::sin(2.0 * std::numbers::pi * static_cast<double>(t) / period);
  }

  template <class Scalar = float, class G>
  trial_batch<Scalar> sample(Index batch, G&) const {
    trial_batch<Scalar> b;
    b.inputs = sequence<Scalar>({steps, batch, 1});
    b.targets = sequence<Scalar>({steps, batch, 1});
    b.mask = tensor<Scalar, 2>({steps, batch});
    for (Index i = 0; i < batch; ++i)
      for (Index t = 0; t < steps; ++t) {
        b.inputs(t, i, 0) = t < cue_steps ? Scalar(1) : Scalar(0);
        b.targets(t, i, 0) = static_cast<Scalar>(target(t));
        b.mask(t, i) = Scalar(1);
      }
    return b;
  }
};

static_assert(Task<sine_task, float> && Task<sine_task, double>);

}  // namespace rnnlab::test_support
