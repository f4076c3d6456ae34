// Compile-only checks of the Activation, Network and ParameterGroups/Optimizer concepts with the
// archetypes of tests/support/core_archetypes.hpp: building this file is the test.
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/learning/adam.hpp>

#include "../support/core_archetypes.hpp"

namespace rnnlab::static_checks {

// The archetypes satisfy their concepts, and so does every shipped model.
static_assert(Activation<archetypes::activation>);
static_assert(Network<archetypes::network>);
static_assert(ParameterGroups<archetypes::parameters>);
static_assert(Optimizer<adam, archetypes::parameters> && Optimizer<sgd, archetypes::parameters>);
static_assert(Activation<activations::linear>);
static_assert(Network<ctrnn<float, activations::linear>> && Network<ctrnn<double, activations::linear>>);
static_assert(ParameterGroups<ctrnn_parameters<float>> && ParameterGroups<ctrnn_parameters<double>>);
static_assert(Optimizer<adam, ctrnn_parameters<double>> && Optimizer<adam, double>);

// Negative cases: one requirement missing each.
struct network_without_step : archetypes::network {
  template <class D>
  void step(workspace_type&, const Eigen::MatrixBase<D>&) const = delete;
};
static_assert(!Network<network_without_step>);
struct network_without_workspace {
  using scalar_type = double;
  using activation_type = archetypes::activation;
  using parameters_type = archetypes::network::parameters_type;
  Index n_units() const { return 1; }
  Index n_inputs() const { return 1; }
  Index n_outputs() const { return 1; }
  double alpha() const { return 1; }
  const parameters_type& parameters() const;
  archetypes::network::simulation_type simulate(const sequence<double>&) const;
};
static_assert(!Network<network_without_workspace>);
struct activation_without_traits {
  static constexpr std::string_view name = "no_traits";
  template <class D> static auto value(const Eigen::ArrayBase<D>& x) { return x.derived(); }
  template <class D, class E> static auto derivative(const Eigen::ArrayBase<D>& x, const Eigen::ArrayBase<E>&) { return x.derived(); }
  template <class S> static S value(S x) { return x; }
  template <class S> static S derivative(S) { return S(1); }
};
static_assert(!Activation<activation_without_traits>);
struct non_smooth_without_kinks : archetypes::activation {
  static constexpr bool is_smooth = false;
};
static_assert(!Activation<non_smooth_without_kinks>);
struct parameters_without_groups {
  using scalar_type = double;
  static parameters_without_groups zeros_like(const parameters_without_groups&);
};
static_assert(!ParameterGroups<parameters_without_groups>);

}  // namespace rnnlab::static_checks
