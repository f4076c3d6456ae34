// Compile-only checks of the core and tasks concepts: building this file is the test.
#include <rnnlab/rnnlab.hpp>

namespace rnnlab::static_checks {

// Positive cases: every shipped activation, network and task.
static_assert(Activation<activations::tanh> && Activation<activations::one_plus_tanh> &&
              Activation<activations::relu> && Activation<activations::softplus>);
static_assert(Network<ctrnn<float>> && Network<ctrnn<double>>);
static_assert(Network<ctrnn<float, activations::relu>> && Network<ctrnn<double, activations::softplus>>);
static_assert(Task<random_dots, float> && Task<random_dots, double>);
static_assert(Task<context_integration, float> && Task<context_integration, double>);
static_assert(ConditionedTask<random_dots> && ConditionedTask<context_integration>);
static_assert(TaskFor<random_dots, ctrnn<float>> && TaskFor<context_integration, ctrnn<double, activations::tanh>>);

// Negative cases: types that lack a requirement are rejected.
struct not_an_activation {
  static constexpr std::string_view name = "half";
};
struct network_without_simulate {
  using scalar_type = float;
  using activation_type = activations::tanh;
  using parameters_type = ctrnn_parameters<float>;
  Index n_units() const { return 1; }
  Index n_inputs() const { return 1; }
  Index n_outputs() const { return 1; }
  float alpha() const { return 1; }
  const parameters_type& parameters() const;
};
struct task_without_sample {
  Index n_inputs() const { return 1; }
  Index n_outputs() const { return 1; }
  Index n_steps() const { return 1; }
};
struct task_returning_wrong_type {
  Index n_inputs() const { return 1; }
  Index n_outputs() const { return 1; }
  Index n_steps() const { return 1; }
  template <class S, class G>
  int sample(Index, G&) const { return 0; }
};
static_assert(!Activation<not_an_activation>);
static_assert(!Network<network_without_simulate>);
static_assert(!Network<random_dots>);
static_assert(!Task<task_without_sample>);
static_assert(!Task<task_returning_wrong_type>);
static_assert(!Task<random_dots, int>);
static_assert(!TaskFor<random_dots, random_dots>);

}  // namespace rnnlab::static_checks
