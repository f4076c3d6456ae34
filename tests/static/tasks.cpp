// Compile-only checks of the tasks concepts added with "tasks own their evaluation": ScoredTask,
// ConditionedTask and Environment, with the archetypes of tests/support. Building this file is
// the test.
#include <rnnlab/rnnlab.hpp>

#include "../support/archetype_environment.hpp"
#include "../support/archetype_task.hpp"

namespace rnnlab::static_checks_tasks {

// Positive cases.
static_assert(ScoredTask<random_dots, float> && ScoredTask<random_dots, double>);
static_assert(ScoredTask<context_integration, float> && ScoredTask<context_integration, double>);
static_assert(ConditionedTask<random_dots, double> && ConditionedTask<context_integration, double>);
static_assert(std::same_as<task_batch_t<random_dots, float>, evidence_batch<float>>);
static_assert(std::same_as<task_batch_t<archetypes::hold_value_task<true>, double>, trial_batch<double>>);
static_assert(Task<archetypes::hold_value_task<false>> && ScoredTask<archetypes::hold_value_task<true>>);
static_assert(TaskFor<archetypes::hold_value_task<false>, ctrnn<float>>);
static_assert(Environment<archetypes::cue_environment>);

// Negative cases: a task without its own evaluation, or whose score has the wrong shape; an
// environment lacking reset/step or the associated types.
static_assert(!ScoredTask<archetypes::hold_value_task<false>>);
static_assert(!ConditionedTask<archetypes::hold_value_task<true>>);
struct task_with_score_only : archetypes::hold_value_task<false> {
  double score(const sequence<float>&, const trial_batch<float>&) const { return 0; }
  static constexpr std::string_view score_name() { return "x"; }
};  // no validation_set
static_assert(Task<task_with_score_only> && !ScoredTask<task_with_score_only>);
struct environment_without_step {
  using observation_type = Eigen::VectorXd;
  using action_type = int;
  Index n_observations() const { return 1; }
  Index n_actions() const { return 2; }
  observation_type reset(rng&) { return {}; }
};
struct environment_with_wrong_step {
  using observation_type = Eigen::VectorXd;
  using action_type = int;
  Index n_observations() const { return 1; }
  Index n_actions() const { return 2; }
  observation_type reset(rng&) { return {}; }
  double step(const int&, rng&) { return 0; }  // no observation, reward, done
};
struct environment_without_types {
  Index n_observations() const { return 1; }
  Index n_actions() const { return 2; }
  Eigen::VectorXd reset(rng&) { return {}; }
  environment_step<Eigen::VectorXd> step(const int&, rng&) { return {}; }
};
static_assert(!Environment<environment_without_step>);
static_assert(!Environment<environment_with_wrong_step>);
static_assert(!Environment<environment_without_types>);
static_assert(!Environment<random_dots>);

}  // namespace rnnlab::static_checks_tasks
