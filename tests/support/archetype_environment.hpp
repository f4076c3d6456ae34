#pragma once
// Archetype of the `Environment` concept (tasks/concepts.hpp): the smallest closed-loop task.
// An episode shows a cue ±1 on the first step (then 0); each step the agent answers with an
// action in {0 = wait, 1 = left, 2 = right}. "Left" on a cue −1 or "right" on +1 earns reward 1
// and ends the episode, the other side earns −1 and ends it; waiting costs `wait_cost` per step,
// and after `max_steps` steps without an answer the episode ends with reward −1 (a timeout) —
// the same shape as the IBL task's trials.

#include <Eigen/Core>

#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>

namespace rnnlab::archetypes {

class cue_environment {
public:
  using observation_type = Eigen::VectorXd;
  using action_type = int;

  Index max_steps = 5;
  double wait_cost = 0.05;

  Index n_observations() const noexcept { return 1; }
  Index n_actions() const noexcept { return 3; }

  template <class G>
  observation_type reset(G& g) {
    m_cue = random_sign(g);
    m_step = 0;
    m_done = false;
    return observation_type::Constant(1, m_cue);
  }

  template <class G>
  environment_step<observation_type> step(const action_type& action, G&) {
    require(!m_done, "archetypes::cue_environment::step", "action", "reset() after the episode ended",
            "a step after its end");
    require(action >= 0 && action <= 2, "archetypes::cue_environment::step", "action", "0, 1 or 2", action);
    ++m_step;
    environment_step<observation_type> r{observation_type::Zero(1), 0.0, false};
    if (action != 0) {
      r.reward = (action == 2) == (m_cue > 0) ? 1.0 : -1.0;
      r.done = true;
    } else if (m_step >= max_steps) {
      r.reward = -1.0;
      r.done = true;
    } else {
      r.reward = -wait_cost;
    }
    m_done = r.done;
    return r;
  }

  int cue() const noexcept { return m_cue; }

private:
  int m_cue = 1;
  Index m_step = 0;
  bool m_done = true;
};

static_assert(Environment<cue_environment>);

}  // namespace rnnlab::archetypes
