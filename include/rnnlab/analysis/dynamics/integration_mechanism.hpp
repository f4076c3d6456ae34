#pragma once
/// \file analysis/dynamics/integration_mechanism.hpp
/// Transient versus stable integration (McMahan et al. 2021, Sec. 3.3 and Fig. 4).
///
/// A network trained on RDM or CDI integrates evidence either *transiently* — one attractor at
/// zero evidence, to which the state relaxes (slowly, along a line of slow points) once the
/// evidence is switched off, so the output decays like a leaky integrator — or *stably* — two or
/// more attractors at zero evidence, one of which holds the sign of the integrated evidence
/// indefinitely. The classification counts the stable fixed points at zero evidence (per context
/// for CDI / N-CDI), and the pulse experiment confirms it: noise-free evidence ±c for
/// `pulse_steps` steps from the network's x0, then zero evidence (context input kept on) for
/// `relax_steps` steps. Stable integration: the end states of the + and − pulses sit at two
/// different stable fixed points. Transient: both end at the same one. Otherwise (still moving,
/// or not at a fixed point found) the pulse verdict is `undetermined`.
///
/// Input layout: M = 1 (RDM, evidence on channel 0) or M = 2N (N-CDI: evidence c, context N + c).

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/analysis/dynamics/probe_sets.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// The integration strategy of a network (or of one context).
enum class integration_mechanism {
  transient,     ///< exactly one stable fixed point at zero evidence
  stable,        ///< two or more stable fixed points at zero evidence
  no_attractor,  ///< no stable fixed point found at zero evidence
  undetermined,  ///< pulse experiment only: the end states are not at known attractors
};

/// The names of integration_mechanism (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<integration_mechanism, std::string_view>, 4> enum_names(integration_mechanism) {
  return {{{integration_mechanism::transient, "transient"},
           {integration_mechanism::stable, "stable"},
           {integration_mechanism::no_attractor, "no_attractor"},
           {integration_mechanism::undetermined, "undetermined"}}};
}

/// Parameters of `classify_integration`.
struct integration_params {
  Index n_starts = 512;            ///< fixed-point starts at zero evidence (half box, half trajectories)
  double box_half_width = 5.0;     ///< box of the reference code, U(−5, 5)^N
  double coherence = 0.1;          ///< pulse evidence ±c
  Index pulse_steps = 200;         ///< evidence on (the reference's pulse: off from step 200)
  Index relax_steps = 5000;        ///< evidence off
  double attractor_tolerance = 1e-2;  ///< an end state within this of a stable fixed point is at it
  std::uint64_t seed = 0;          ///< for the starts
  fixed_point_params fixed_points; ///< solver settings

  void validate() const {
    constexpr std::string_view fn = "rnnlab::integration_params::validate";
    require(n_starts >= 1, fn, "n_starts", ">= 1", n_starts);
    require(std::isfinite(box_half_width) && box_half_width > 0.0, fn, "box_half_width", "a finite value > 0",
            box_half_width);
    require(std::isfinite(coherence) && coherence > 0.0, fn, "coherence", "a finite value > 0", coherence);
    require(pulse_steps >= 1, fn, "pulse_steps", ">= 1", pulse_steps);
    require(relax_steps >= 1, fn, "relax_steps", ">= 1", relax_steps);
    require(std::isfinite(attractor_tolerance) && attractor_tolerance > 0.0, fn, "attractor_tolerance",
            "a finite value > 0", attractor_tolerance);
    fixed_points.validate();
  }
};

/// The verdict for one context (RDM: the only one).
struct context_mechanism {
  int context = 0;
  fixed_point_result zero_evidence;  ///< fixed points and slow points at zero evidence
  Index n_stable = 0;                ///< stable fixed points at zero evidence
  integration_mechanism by_fixed_points = integration_mechanism::no_attractor;
  integration_mechanism by_pulse = integration_mechanism::undetermined;
  Eigen::MatrixXd output_plus, output_minus;  ///< (T_total × O) outputs of the ± pulse trials (Fig. 4a/d)
  Eigen::VectorXd end_plus, end_minus;        ///< states at the end of the relaxation
  double output_retention = 0.0;  ///< mean over ± of y(end)/y(pulse off) on output 0 (1: held, 0: forgotten)
  Index attractor_plus = -1, attractor_minus = -1;  ///< indices into zero_evidence.fixed_points, −1: none
  bool consistent() const { return by_pulse == by_fixed_points; }
};

struct integration_report {
  std::vector<context_mechanism> contexts;
  /// stable if any context integrates stably, else transient if all are transient.
  integration_mechanism overall = integration_mechanism::no_attractor;
};

/// Classifies a trained RDM / CDI / N-CDI network (see the file comment).
template <class Scalar, Activation F>
integration_report classify_integration(const ctrnn<Scalar, F>& net, const integration_params& params = {});

// ---------------------------------------------------------------------------------------------
// Definitions

template <class Scalar, Activation F>
integration_report classify_integration(const ctrnn<Scalar, F>& net, const integration_params& p) {
  constexpr std::string_view fn = "rnnlab::classify_integration";
  p.validate();
  net.validate(fn);
  const Index M = net.n_inputs(), N = net.n_units();
  require_shape(M == 1 || (M >= 2 && M % 2 == 0), fn, "net", "n_inputs = 1 (RDM) or 2N (CDI / N-CDI)", M);
  require_shape(net.n_outputs() >= 1, fn, "net", "at least one output", net.n_outputs());
  const bool contextual = M > 1;
  const int n_ctx = contextual ? static_cast<int>(M / 2) : 1;
  const Index T = p.pulse_steps + p.relax_steps;
  integration_report report;
  bool any_stable = false, all_transient = true;
  for (int c = 0; c < n_ctx; ++c) {
    context_mechanism ci;
    ci.context = c;
    const probe_input zero = make_probe(n_ctx, contextual, c, 0.0);
    // Pulse trials first: their states also seed the fixed-point search.
    sequence<Scalar> inputs({T, 2, M});
    for (Index t = 0; t < p.pulse_steps; ++t)
      for (Index b = 0; b < 2; ++b) {
        const probe_input on = make_probe(n_ctx, contextual, c, b == 0 ? p.coherence : -p.coherence);
        inputs.slice(t).col(b) = on.u.cast<Scalar>();
      }
    for (Index t = p.pulse_steps; t < T; ++t)
      for (Index b = 0; b < 2; ++b) inputs.slice(t).col(b) = zero.u.cast<Scalar>();
    const auto sim = net.simulate(inputs, simulate_options{.record_states = true});
    const Index O = net.n_outputs();
    ci.output_plus.resize(T, O);
    ci.output_minus.resize(T, O);
    for (Index t = 0; t < T; ++t) {
      ci.output_plus.row(t) = sim.outputs.slice(t).col(0).template cast<double>().transpose();
      ci.output_minus.row(t) = sim.outputs.slice(t).col(1).template cast<double>().transpose();
    }
    ci.end_plus = sim.states.slice(T - 1).col(0).template cast<double>();
    ci.end_minus = sim.states.slice(T - 1).col(1).template cast<double>();
    const double off_p = ci.output_plus(p.pulse_steps - 1, 0), off_m = ci.output_minus(p.pulse_steps - 1, 0);
    const double end_p = ci.output_plus(T - 1, 0), end_m = ci.output_minus(T - 1, 0);
    const auto ratio = [](double end, double off) { return off != 0.0 ? end / off : 0.0; };
    ci.output_retention = 0.5 * (ratio(end_p, off_p) + ratio(end_m, off_m));

    // Fixed points at zero evidence: half the starts from the box, half from the pulse trials.
    auto g = make_stream(p.seed, {static_cast<std::uint64_t>(c), static_cast<std::uint64_t>(stream_purpose::analysis)});
    const Index n_box = (p.n_starts + 1) / 2, n_traj = p.n_starts - n_box;
    Eigen::MatrixXd starts(N, p.n_starts);
    starts.leftCols(n_box) = box_starts(N, n_box, p.box_half_width, g);
    for (Index k = 0; k < n_traj; ++k) {
      const auto t = static_cast<Index>(uniform_index(g, static_cast<std::uint64_t>(T)));
      starts.col(n_box + k) = sim.states.slice(t).col(k % 2).template cast<double>();
    }
    ci.zero_evidence = find_fixed_points(net, zero.u, starts, p.fixed_points);
    ci.n_stable = ci.zero_evidence.count(stability_class::stable);
    ci.by_fixed_points = ci.n_stable == 0   ? integration_mechanism::no_attractor
                         : ci.n_stable == 1 ? integration_mechanism::transient
                                            : integration_mechanism::stable;
    const auto nearest_stable = [&](const Eigen::VectorXd& x) {
      Index best = -1;
      double dist = p.attractor_tolerance;
      for (std::size_t i = 0; i < ci.zero_evidence.fixed_points.size(); ++i) {
        const auto& cp = ci.zero_evidence.fixed_points[i];
        if (cp.stability != stability_class::stable) continue;
        const double d = (cp.x - x).norm();
        if (d < dist) {
          dist = d;
          best = static_cast<Index>(i);
        }
      }
      return best;
    };
    ci.attractor_plus = nearest_stable(ci.end_plus);
    ci.attractor_minus = nearest_stable(ci.end_minus);
    if (ci.attractor_plus >= 0 && ci.attractor_minus >= 0)
      ci.by_pulse = ci.attractor_plus == ci.attractor_minus ? integration_mechanism::transient
                                                            : integration_mechanism::stable;
    any_stable = any_stable || ci.by_fixed_points == integration_mechanism::stable;
    all_transient = all_transient && ci.by_fixed_points == integration_mechanism::transient;
    report.contexts.push_back(std::move(ci));
  }
  report.overall = any_stable      ? integration_mechanism::stable
                   : all_transient ? integration_mechanism::transient
                                   : integration_mechanism::no_attractor;
  return report;
}

}  // namespace rnnlab
