// Compile-only checks of the learning concepts: building this file is the test.
#include <rnnlab/learning/adam.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/genetic.hpp>
#include <rnnlab/learning/hebbian.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/rnnlab.hpp>

namespace rnnlab::static_checks_learning {

// Positive cases: the shipped optimisers and BPTT on every task × scalar × activation.
static_assert(Optimizer<adam, float> && Optimizer<adam, double> && Optimizer<sgd, float> && Optimizer<sgd, double>);
static_assert(LearningRule<bptt<adam>, ctrnn<float>, random_dots>);
static_assert(LearningRule<bptt<adam>, ctrnn<double>, context_integration>);
static_assert(LearningRule<bptt<sgd>, ctrnn<float, activations::relu>, context_integration>);
static_assert(LearningRule<bptt<adam>, ctrnn<double, activations::softplus>, random_dots>);
static_assert(LearningRule<bptt<adam>, ctrnn<float, activations::tanh>, random_dots>);
// The genetic algorithm on every task x scalar (and a non-default activation).
static_assert(LearningRule<genetic, ctrnn<float>, random_dots>);
static_assert(LearningRule<genetic, ctrnn<double>, random_dots>);
static_assert(LearningRule<genetic, ctrnn<float>, context_integration>);
static_assert(LearningRule<genetic, ctrnn<double, activations::tanh>, context_integration>);
static_assert(!LearningRule<genetic, int, random_dots>);

static_assert(LearningRule<hebbian, ctrnn<float, activations::tanh>, random_dots>);
static_assert(LearningRule<hebbian, ctrnn<double, activations::tanh>, context_integration>);

// Negative cases.
struct rule_without_update {
  void validate() const {}
  int make_state(const ctrnn<float>&) const { return 0; }
};
struct rule_with_wrong_update {
  void validate() const {}
  int make_state(const ctrnn<float>&) const { return 0; }
  void update(ctrnn<float>&, int&, const random_dots&, rng&) const {}  // reports nothing
};
struct optimizer_without_step {
  void validate() const {}
  template <class S>
  int make_state(const ctrnn_parameters<S>&) const {
    return 0;
  }
};
static_assert(!LearningRule<rule_without_update, ctrnn<float>, random_dots>);
static_assert(!LearningRule<rule_with_wrong_update, ctrnn<float>, random_dots>);
static_assert(!Optimizer<optimizer_without_step, float>);
// A float network with a task sampled in double-only form is still a fit (tasks are templates), but a
// non-network is not.
static_assert(!LearningRule<bptt<adam>, int, random_dots>);
static_assert(!LearningRule<bptt<adam>, ctrnn<float>, int>);

// A minimal user-defined rule satisfies the concept and works with train().
struct do_nothing_rule {
  void validate() const {}
  int make_state(const ctrnn<float>&) const { return 0; }
  update_result update(ctrnn<float>&, int&, const random_dots&, rng&) const { return {1, 0.0}; }
};
static_assert(LearningRule<do_nothing_rule, ctrnn<float>, random_dots>);
inline training_report use_train(ctrnn<float>& net) { return train(net, random_dots{}, do_nothing_rule{}); }

}  // namespace rnnlab::static_checks_learning
