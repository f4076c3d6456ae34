#pragma once
/// \file analysis/similarity/activity.hpp
/// Activity recording on the SVCCA probe inputs of McMahan et al. 2021 (§2.5; reference_code_spec §1.10):
/// the matrix every similarity metric of this module compares.
///
/// Probe inputs: noise-free, constant over all T = 750 steps; `n_levels` = 10 evidence values
/// linspace(−0.1857, 0.1857, 10). RDM: the value on the one input. N-CDI (N ≥ 1, inputs 2N): for each
/// context k, the value on stream k and 1 on context channel N + k, everything else 0, so C = 10·N
/// conditions, ordered c = k·n_levels + level.
///
/// Activity: the state after every update, x_1 … x_T (pre-activation x, the reference's choice, or the
/// rates f(x)), all conditions, as an N × (T·C) matrix with column t·C + c (the reference's order;
/// CCA, CKA and Procrustes do not depend on the column order as long as two networks share it).
/// Initial states: the reference draws an independent x0 ~ N(0, 0.3²) per condition (`x0_std`);
/// `x0_std` < 0 uses the network's own x0 for every condition instead. Units can be dropped (the
/// reference drops the Hebbian networks' clamped units 1, 10, 11).

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/validation.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// The probe set: levels and length.
struct svcca_probe_params {
  Index n_levels = 10;       ///< evidence values per context
  double max_level = 0.1857; ///< values linspace(−max_level, max_level, n_levels)
  Index n_steps = 750;       ///< T

  void validate(std::string_view fn = "rnnlab::svcca_probe_params::validate") const {
    require(n_levels >= 1, fn, "n_levels", ">= 1", n_levels);
    require(std::isfinite(max_level), fn, "max_level", "a finite value", max_level);
    require(n_steps >= 1, fn, "n_steps", ">= 1", n_steps);
  }
};

/// What is recorded.
enum class activity_kind { state, rates };

/// The names of activity_kind (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<activity_kind, std::string_view>, 2> enum_names(activity_kind) {
  return {{{activity_kind::state, "state"},
           {activity_kind::rates, "rates"}}};
}

/// Parameters of `record_activity`.
struct activity_params {
  activity_kind kind = activity_kind::state;  ///< pre-activation x (reference) or rates f(x)
  double x0_std = 0.3;                        ///< std of the independent x0 per condition; < 0: the network's x0
  std::vector<Index> drop_units;              ///< units left out of the matrix (e.g. {1, 10, 11} for Hebbian)

  void validate(std::string_view fn = "rnnlab::activity_params::validate") const {
    require(std::isfinite(x0_std), fn, "x0_std", "a finite value (< 0 for the network's own x0)", x0_std);
  }
  /// The reference code's Hebbian convention: drop the clamped bias units 1, 10 and 11.
  static activity_params reference_hebbian() { return {activity_kind::state, 0.3, {1, 10, 11}}; }
};

/// The SVCCA probe inputs (T, C, M) for a task with `n_contexts` evidence streams; with
/// `context_channels` the input has 2N channels (N-CDI), otherwise N (RDM: N = 1).
template <class Scalar = double>
sequence<Scalar> svcca_probe_inputs(int n_contexts, bool context_channels, const svcca_probe_params& params = {});

/// The SVCCA probe inputs of an evidence-integration task (RDM or N-CDI).
template <class Scalar = double, class T>
  requires ConditionedTask<T, Scalar>
sequence<Scalar> svcca_probe_inputs(const T& task, const svcca_probe_params& params = {});

/// Runs `net` on `inputs` (T, C, M) and returns its activity, units × (T·C), column t·C + c, in double.
template <class Scalar, class F, class G>
Eigen::MatrixXd record_activity(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs,
                                const activity_params& params, G& g);

// ---------------------------------------------------------------------------------------------

template <class Scalar>
sequence<Scalar> svcca_probe_inputs(int n_contexts, bool context_channels, const svcca_probe_params& params) {
  constexpr std::string_view fn = "rnnlab::svcca_probe_inputs";
  params.validate(fn);
  require(n_contexts >= 1, fn, "n_contexts", ">= 1", n_contexts);
  const Index N = n_contexts, L = params.n_levels, C = N * L, M = context_channels ? 2 * N : N;
  sequence<Scalar> u({params.n_steps, C, M});
  for (Index k = 0; k < N; ++k)
    for (Index l = 0; l < L; ++l) {
      const double v = L == 1 ? 0.0 : -params.max_level + 2.0 * params.max_level * static_cast<double>(l) / static_cast<double>(L - 1);
      const Index c = k * L + l;
      for (Index t = 0; t < params.n_steps; ++t) {
        u(t, c, k) = static_cast<Scalar>(v);
        if (context_channels) u(t, c, N + k) = Scalar(1);
      }
    }
  return u;
}

template <class Scalar, class T>
  requires ConditionedTask<T, Scalar>
sequence<Scalar> svcca_probe_inputs(const T& task, const svcca_probe_params& params) {
  const Index N = task.n_contexts();
  require_shape(task.n_inputs() == N || task.n_inputs() == 2 * N, "rnnlab::svcca_probe_inputs", "task",
                "N evidence inputs, optionally with N context channels", task.n_inputs());
  return svcca_probe_inputs<Scalar>(static_cast<int>(N), task.n_inputs() == 2 * N, params);
}

template <class Scalar, class F, class G>
Eigen::MatrixXd record_activity(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs,
                                const activity_params& params, G& g) {
  constexpr std::string_view fn = "rnnlab::record_activity";
  params.validate(fn);
  const Index N = net.n_units(), T = inputs.shape(0), C = inputs.shape(1);
  std::vector<Index> keep;
  for (Index i = 0; i < N; ++i)
    if (std::find(params.drop_units.begin(), params.drop_units.end(), i) == params.drop_units.end()) keep.push_back(i);
  for (Index d : params.drop_units)
    require(d >= 0 && d < N, fn, "drop_units", detail::concat("unit indices in [0, ", N, ")"), d);
  require(!keep.empty(), fn, "drop_units", "to leave at least one unit", "every unit dropped");
  simulation<Scalar> sim;
  if (params.x0_std < 0.0) {
    sim = net.simulate(inputs, simulate_options{.record_states = true});
  } else {
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> X0(N, C);
    fill_normal(g, std::span<Scalar>(X0.data(), static_cast<std::size_t>(X0.size())), 0.0, params.x0_std);
    sim = net.simulate(inputs, X0, simulate_options{.record_states = true});
  }
  Eigen::MatrixXd A(static_cast<Index>(keep.size()), T * C);
  for (Index t = 0; t < T; ++t) {
    const auto S = sim.states.slice(t);  // N × C
    for (std::size_t r = 0; r < keep.size(); ++r) {
      auto row = A.row(static_cast<Index>(r)).segment(t * C, C);
      if (params.kind == activity_kind::state)
        row = S.row(keep[r]).template cast<double>();
      else
        row = F::value(S.row(keep[r]).array()).matrix().template cast<double>();
    }
  }
  return A;
}

}  // namespace rnnlab
