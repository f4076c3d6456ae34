// Compile-only checks of the fixed-point analyses' contracts (built, not run).
#include <rnnlab/analysis/dynamics/continuation.hpp>
#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/analysis/dynamics/integration_mechanism.hpp>
#include <rnnlab/analysis/dynamics/topology.hpp>

#include <concepts>

namespace {

using namespace rnnlab;

template <class Net, class U>
concept FixedPointsFor = requires(const Net& net, const U& u, const Eigen::MatrixXd& starts) {
  { find_fixed_points(net, u, starts) } -> std::same_as<fixed_point_result>;
};

template <class A>
concept HasSystem = requires { typename fixed_point_system<A>; };

// The driver takes any FixedPointSystem; a network must go through the (net, u, starts) overload.
template <class S>
concept Solvable = requires(const S& s, const Eigen::MatrixXd& starts) {
  { find_fixed_points(s, starts) } -> std::same_as<fixed_point_result>;
};

template <class Net>
concept Classifiable = requires(const Net& net) {
  { classify_integration(net) } -> std::same_as<integration_report>;
};

// Any shipped activation, float or double networks, any Eigen vector expression for u.
static_assert(FixedPointsFor<ctrnn<float>, Eigen::VectorXd>);
static_assert(FixedPointsFor<ctrnn<double, activations::tanh>, Eigen::VectorXf>);
static_assert(FixedPointsFor<ctrnn<double, activations::relu>, Eigen::VectorXd>);
static_assert(FixedPointsFor<ctrnn<float, activations::softplus>, Eigen::Matrix<double, 1, Eigen::Dynamic>>);
static_assert(HasSystem<activations::one_plus_tanh>);
static_assert(FixedPointSystem<fixed_point_system<activations::softplus>>);
static_assert(Solvable<fixed_point_system<activations::tanh>>);
static_assert(!Solvable<int>);
static_assert(!Solvable<ctrnn<double>>);
static_assert(!FixedPointSystem<ctrnn<double>>);
static_assert(Classifiable<ctrnn<float>>);
static_assert(Classifiable<ctrnn<double, activations::tanh>>);

// Negative: a non-activation has no system; a non-network and a non-Eigen input are rejected.
static_assert(!HasSystem<int>);
static_assert(!HasSystem<double>);
static_assert(!FixedPointsFor<int, Eigen::VectorXd>);
static_assert(!FixedPointsFor<ctrnn<double>, std::vector<double>>);
static_assert(!Classifiable<Eigen::MatrixXd>);

// Curvature bounds used by the certified capture.
static_assert(detail::fp_max_abs_second_derivative<activations::tanh>() > 0.7698);
static_assert(detail::fp_max_abs_second_derivative<activations::softplus>() == 0.25);
static_assert(detail::fp_max_abs_second_derivative<activations::relu>() > 1e300);  // none: no capture

}  // namespace
