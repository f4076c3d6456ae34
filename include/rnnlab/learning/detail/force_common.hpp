#pragma once
/// \file learning/detail/force_common.hpp
/// What FORCE (learning/force.hpp) and full-FORCE (learning/full_force.hpp) share besides the RLS
/// core (learning/rls.hpp): the update schedule, the checks of the task and network, and the
/// single-unit readout's target drive.

#include <Eigen/Core>

#include <cmath>
#include <string_view>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/tasks/concepts.hpp>

namespace rnnlab::detail {

/// When the RLS updates happen within a trial of T steps: at t = 0 if `at_start`, and at t₁, t₁ + k,
/// t₁ + 2k, … (t₁ = first, k = interval).
struct force_schedule {
  Index first = 0;
  Index interval = 1;
  bool at_start = false;
  bool operator()(Index t) const noexcept {
    return (at_start && t == 0) || (t >= first && (t - first) % interval == 0);
  }
};

inline void check_force_schedule(std::string_view fn, Index first, Index interval) {
  require(first >= 0, fn, "first_update_step", ">= 0", first);
  require(interval >= 1, fn, "update_interval", ">= 1", interval);
}

/// The task shapes a FORCE-type rule can serve: targets on at least one output channel (the RLS
/// regresses the readout onto them at every scheduled step), sizes matching the network.
template <class T, class Net>
void check_force_task(const T& task, const Net& net, std::string_view fn) {
  require_shape(task.n_outputs() >= 1, fn, "task",
                "a task with at least one output channel (FORCE regresses the readout onto its targets)",
                detail::concat("n_outputs = ", task.n_outputs()));
  require_shape(task.n_steps() >= 1, fn, "task", "trials of at least one step", task.n_steps());
  check_task_fits(task, net, fn);
}

/// The scalar output nonlinearity g of a network (its `output_activation()` name), as a function
/// pointer on double.
inline double (*output_function(std::string_view name))(double) {
  double (*out)(double) = nullptr;
  visit_activation(name, [&]<class G>(G) { out = [](double z) { return static_cast<double>(G::value(z)); }; });
  return out;
}

/// Single-unit readout y = g(s(x_k)) with s = f or the identity: the state x* in [−cap, cap] at
/// which h(x) = g(s(x)) is closest to y*, by bisection (h is non-decreasing for every shipped
/// activation and output nonlinearity); the ends when y* lies outside h's range on [−cap, cap].
template <Activation F>
double unit_state_for_output(double y_target, bool from_rates, double (*g)(double), double cap) {
  const auto h = [&](double x) { return g(from_rates ? static_cast<double>(F::value(x)) : x); };
  double lo = -cap, hi = cap;
  if (h(lo) >= y_target) return lo;
  if (h(hi) <= y_target) return hi;
  for (int i = 0; i < 80 && hi - lo > 1e-12; ++i) {
    const double mid = 0.5 * (lo + hi);
    (h(mid) < y_target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace rnnlab::detail
