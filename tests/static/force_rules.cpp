// Compile-only checks of full-FORCE and FORCE (learning/full_force.hpp, learning/force.hpp):
// building this file is the test. Both rules satisfy LearningRule on every shipped task, for float
// and double and any activation, and go through train(); a network type they do not know is not
// a fit.
#include <rnnlab/rnnlab.hpp>

namespace rnnlab::static_checks_force_rules {

static_assert(LearningRule<full_force, ctrnn<float, activations::tanh>, random_dots>);
static_assert(LearningRule<full_force, ctrnn<double, activations::tanh>, context_integration>);
static_assert(LearningRule<full_force, ctrnn<float>, context_integration>);
static_assert(LearningRule<force, ctrnn<float, activations::tanh>, random_dots>);
static_assert(LearningRule<force, ctrnn<double, activations::tanh>, context_integration>);
static_assert(LearningRule<force, ctrnn<double, activations::relu>, random_dots>);
// Only the CTRNN: another network type is refused at compile time.
static_assert(!LearningRule<full_force, int, random_dots>);

template <class Net, class Task, class Rule>
training_report train_once(Net& net, const Task& task, const Rule& rule) {
  train_options o;
  o.max_updates = 1;
  full_force_restarts restarts;
  return train(net, task, rule, o, restarts);
}

[[maybe_unused]] void instantiate_all(ctrnn<float, activations::tanh>& a, ctrnn<double, activations::tanh>& b) {
  const random_dots rdm(rdm_params::reference_code());
  const context_integration cdi(context_integration_params::reference_code(3));
  (void)train_once(a, rdm, full_force::reference_code_rdm());
  (void)train_once(b, cdi, full_force::reference_code_ncdi());
  (void)train_once(a, cdi, force::sussillo_abbott());
  (void)train_once(b, rdm, force::sussillo_abbott());
  (void)fold_feedback(a);
  (void)fold_feedback(b);
}

}  // namespace rnnlab::static_checks_force_rules
