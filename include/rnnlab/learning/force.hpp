#pragma once
/// \file learning/force.hpp
/// Classic FORCE learning (Sussillo & Abbott 2009, Neuron 63:544, "Generating coherent patterns of
/// activity from chaotic neural networks", architecture A): a network with output feedback
///
///     x_{t+1} = (1 − α) x_t + α (W_rec f(x_t) + W_in u_t + W_fb y_t + b),   y = W_out s + b_out,
///
/// W_rec fixed (typically random with gain g = 1.5, chaotic), W_fb fixed (U(−1, 1)), and only the
/// readout W_out trained by recursive least squares (learning/rls.hpp) at the scheduled steps,
/// with the a-priori error (S&A Eq. 4–5):
///
///     e = W_out s_{t+1} + b_out − y*_t,   k = P s / (1 + sᵀ P s),   P ← P − k sᵀ P,   W_out ← W_out − e kᵀ,
///
/// s = f(x) or x (the network's readout), P₀ = I/α_P. Because y feeds back, changing W_out changes
/// the dynamics the readout sees: the rapid, strong updates keep the output near the target from
/// the start ("first-order reduced and controlled error"). As a `LearningRule`, one update = one
/// trial from x₀ ~ N(0, x0_std²) (or the network's x0); P is kept across trials.
///
/// Single-unit readout (`ctrnn::set_readout_unit(k)`, the McMahan et al. Appendix Fig. 11
/// control): W_out is unused and row k of W_rec, the output unit's incoming weights, is trained
/// instead (S&A's architecture C in spirit) on the drive that puts the unit's output at the target
/// one step later (learning/full_force.hpp states the formula; W_fb's feedback to unit k is part
/// of the known drive).
///
/// The fixed-point analysis (analysis/dynamics) takes networks without feedback: `fold_feedback`
/// gives the equivalent one (W_rec + W_fb W_out, b + W_fb b_out) for a linear readout of the rates.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/learning/detail/force_common.hpp>
#include <rnnlab/learning/rls.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>

namespace rnnlab {

/// The per-run state of `force`.
template <class Scalar>
struct force_state {
  rls P;                               ///< regressor s (or f(x) for the single-unit readout)
  rls_status status = rls_status::ok;  ///< the last RLS update's status
  // Scratch.
  ctrnn_workspace<Scalar> ws;
  Eigen::MatrixXd W_out, W_rec;
  Eigen::VectorXd s, r, x, e, u_next;

  /// What a checkpoint stores: P.
  template <class Ar>
  void serialize(Ar& ar) {
    ar(P);
  }
};

/// Classic FORCE (see the file comment): hyper-parameters only.
struct force {
  double rls_alpha = 1.0;       ///< α_P: P₀ = I / α_P (S&A 2009: α = 1 … 100)
  Index first_update_step = 0;  ///< updates at t₁, t₁ + k, …
  Index update_interval = 1;    ///< k
  bool update_at_start = false; ///< also update at t = 0
  double x0_std = 0.5;          ///< initial state per trial ~ N(0, x0_std²); < 0: the network's x0
  double unit_state_cap = 3.0;  ///< single-unit readout: |x*| ≤ cap

  /// Sussillo & Abbott 2009's values where they apply to trials: P₀ = I (α = 1), an update at every
  /// step. (Their network — N = 1000, g = 1.5, W_fb ~ U(−1, 1), W_out = 0 — is `make_force_network`.)
  static force sussillo_abbott() { return {}; }

  void validate() const {
    constexpr std::string_view fn = "rnnlab::force::validate";
    require(std::isfinite(rls_alpha) && rls_alpha > 0, fn, "rls_alpha", "a finite value > 0 (P0 = I / rls_alpha)",
            rls_alpha);
    detail::check_force_schedule(fn, first_update_step, update_interval);
    require(std::isfinite(x0_std), fn, "x0_std", "a finite value (< 0: the network's x0)", x0_std);
    require(std::isfinite(unit_state_cap) && unit_state_cap > 0, fn, "unit_state_cap", "a finite value > 0",
            unit_state_cap);
  }

  /// The state for `net`: P = I/α_P. Throws argument_error for bad hyper-parameters, a network
  /// without output feedback (FORCE needs W_fb: `make_force_network` draws one) or with clamped units.
  template <class Scalar, Activation F>
  force_state<Scalar> make_state(const ctrnn<Scalar, F>& net) const {
    constexpr std::string_view fn = "rnnlab::force::make_state";
    validate();
    require(net.has_feedback(), fn, "net",
            "a network with output feedback W_fb (N x O): classic FORCE trains the readout inside the loop "
            "(make_force_network draws W_fb ~ U(-1, 1))",
            "a network without W_fb");
    require(net.clamped_units().empty(), fn, "net", "a network without clamped units", "clamped units");
    force_state<Scalar> st;
    st.P.reset(net.n_units(), rls_alpha);
    st.ws = net.make_workspace(1);
    return st;
  }

  /// One trial (see the file comment). Returns {1, Σ_t m_t ‖y_t − y*_t‖² of the trial}.
  template <class Scalar, Activation F, class Task, class G>
    requires TaskFor<Task, ctrnn<Scalar, F>>
  update_result update(ctrnn<Scalar, F>& net, force_state<Scalar>& st, const Task& task, G& g) const {
    constexpr std::string_view fn = "rnnlab::force::update";
    detail::check_force_task(task, net, fn);
    using matrix = typename ctrnn<Scalar, F>::matrix_type;
    auto& p = net.parameters();
    const Index N = net.n_units(), M = net.n_inputs(), O = net.n_outputs();
    const auto trial = task.template sample<Scalar>(1, g);
    const Index T = trial.n_steps();
    matrix x0 = p.x0;
    if (x0_std >= 0)
      for (Index i = 0; i < N; ++i) x0(i, 0) = static_cast<Scalar>(x0_std * standard_normal(g));
    net.reset(st.ws, x0);
    const Index k_unit = net.readout_unit();
    const bool from_rates = net.readout() == readout_source::rates;
    double (*g_out)(double) = k_unit >= 0 ? detail::output_function(net.output_activation()) : nullptr;
    const double a = static_cast<double>(net.alpha());
    st.W_out = p.W_out.template cast<double>();
    if (k_unit >= 0) st.W_rec = p.W_rec.row(k_unit).template cast<double>();
    const Eigen::VectorXd b_out_d = p.b_out.template cast<double>();
    const detail::force_schedule due{first_update_step, update_interval, update_at_start};

    double loss = 0;
    for (Index t = 0; t < T; ++t) {
      const Eigen::Map<const matrix> U(trial.inputs.slice(t).data(), M, 1);
      net.step(st.ws, U);
      const auto& Y = st.ws.outputs();
      const double m_t = static_cast<double>(trial.mask(t, 0));
      if (m_t != 0.0)
        for (Index o = 0; o < O; ++o) {
          const double e = static_cast<double>(Y(o, 0)) - static_cast<double>(trial.targets(t, 0, o));
          loss += m_t * e * e;
        }
      if (!due(t)) continue;
      st.x = st.ws.state().col(0).template cast<double>();
      if (k_unit < 0) {
        st.s = from_rates ? Eigen::VectorXd(st.ws.rates().col(0).template cast<double>()) : st.x;
        st.e.noalias() = st.W_out * st.s;
        st.e += b_out_d;
        for (Index o = 0; o < O; ++o) st.e(o) -= static_cast<double>(trial.targets(t, 0, o));
        st.status = st.P.update(st.s);
        if (st.status != rls_status::ok) return {1, std::numeric_limits<double>::quiet_NaN()};
        st.P.correct(st.W_out, st.e);
        p.W_out = st.W_out.template cast<Scalar>();
      } else {
        // Row k of W_rec, on the drive that puts the unit's output at y*_{t+1} one step later.
        const Index tn = std::min(t + 1, T - 1);
        st.r = st.ws.rates().col(0).template cast<double>();
        const double xs = detail::unit_state_for_output<F>(static_cast<double>(trial.targets(tn, 0, 0)), from_rates,
                                                           g_out, unit_state_cap);
        st.u_next = trial.inputs.slice(tn).template cast<double>();
        const double known = p.W_in.row(k_unit).template cast<double>().dot(st.u_next) +
                             static_cast<double>(p.b(k_unit)) +
                             p.W_fb.row(k_unit).template cast<double>().dot(Y.col(0).template cast<double>());
        const double zs = (xs - (1.0 - a) * st.x(k_unit)) / a - known;
        st.e.resize(1);
        st.e(0) = st.W_rec.row(0).dot(st.r) - zs;
        st.status = st.P.update(st.r);
        if (st.status != rls_status::ok) return {1, std::numeric_limits<double>::quiet_NaN()};
        st.P.correct(st.W_rec, st.e);
        p.W_rec.row(k_unit) = st.W_rec.row(0).template cast<Scalar>();
        net.refresh(st.ws);
      }
    }
    return {1, loss};
  }
};

/// A FORCE network (Sussillo & Abbott 2009): tanh units, W_rec ~ N(0, g²/N) (g = 1.5: chaotic),
/// W_in ~ N(0, w_in_std²), W_fb ~ U(−1, 1) (N × O), W_out = 0, b = 0, x0 = 0, linear readout of the
/// rates, α = dt/τ.
struct force_network_spec {
  Index n_units = 300;
  double g = 1.5;
  double alpha = 0.1;
  double w_in_std = 1.0;
  double feedback_scale = 1.0;  ///< W_fb ~ U(−scale, scale)

  void validate() const {
    constexpr std::string_view fn = "rnnlab::force_network_spec::validate";
    require(n_units >= 1, fn, "n_units", ">= 1", n_units);
    require(std::isfinite(g) && g >= 0, fn, "g", "a finite value >= 0", g);
    require(alpha > 0 && alpha <= 1, fn, "alpha", "a value in (0, 1]", alpha);
    require(std::isfinite(w_in_std) && w_in_std >= 0, fn, "w_in_std", "a finite value >= 0", w_in_std);
    require(std::isfinite(feedback_scale) && feedback_scale >= 0, fn, "feedback_scale", "a finite value >= 0",
            feedback_scale);
  }
};

/// Draws a FORCE network (see `force_network_spec`): W_rec, then W_in, then W_fb, row by row.
template <class Scalar, Activation F = activations::tanh, class G>
ctrnn<Scalar, F> make_force_network(const force_network_spec& spec, Index n_inputs, Index n_outputs, G& g) {
  spec.validate();
  require_shape(n_outputs >= 1, "rnnlab::make_force_network", "n_outputs", ">= 1 (the feedback carries the output)",
                n_outputs);
  auto p = ctrnn_parameters<Scalar>::zeros(spec.n_units, n_inputs, n_outputs);
  const double w = spec.g / std::sqrt(static_cast<double>(spec.n_units));
  for (Index i = 0; i < spec.n_units; ++i)
    for (Index j = 0; j < spec.n_units; ++j) p.W_rec(i, j) = static_cast<Scalar>(w * standard_normal(g));
  for (Index i = 0; i < spec.n_units; ++i)
    for (Index j = 0; j < n_inputs; ++j) p.W_in(i, j) = static_cast<Scalar>(spec.w_in_std * standard_normal(g));
  p.W_fb.resize(spec.n_units, n_outputs);
  for (Index i = 0; i < spec.n_units; ++i)
    for (Index j = 0; j < n_outputs; ++j)
      p.W_fb(i, j) = static_cast<Scalar>(spec.feedback_scale * (2.0 * uniform01(g) - 1.0));
  return ctrnn<Scalar, F>(std::move(p), static_cast<Scalar>(spec.alpha), readout_source::rates);
}

/// The network without output feedback that has the same dynamics: for y = W_out f(x) + b_out
/// (or y = f(x_k)), W_fb y folds into W_rec' = W_rec + W_fb W_out (W_fb added to column k) and
/// b' = b + W_fb b_out. The fixed-point analysis (analysis/dynamics) takes the result. Throws
/// argument_error for a network whose feedback does not fold: a readout of the state x or a
/// non-linear output nonlinearity g (y is then not linear in f(x)), or clamped units.
template <class Scalar, Activation F>
ctrnn<Scalar, F> fold_feedback(const ctrnn<Scalar, F>& net) {
  constexpr std::string_view fn = "rnnlab::fold_feedback";
  if (!net.has_feedback()) return net;
  require(net.readout() == readout_source::rates, fn, "net", "a readout of the rates f(x) (feedback linear in f(x))",
          "a readout of the state x");
  require(net.output_activation() == activations::linear::name, fn, "net",
          "the linear output nonlinearity (feedback linear in f(x))", net.output_activation());
  require(net.clamped_units().empty(), fn, "net", "a network without clamped units", "clamped units");
  auto p = net.parameters();
  if (net.readout_unit() >= 0) {
    p.W_rec.col(net.readout_unit()) += p.W_fb.col(0);
  } else {
    p.W_rec.noalias() += p.W_fb * p.W_out;
    p.b.noalias() += p.W_fb * p.b_out;
  }
  p.W_fb.resize(0, 0);
  ctrnn<Scalar, F> out(std::move(p), net.alpha(), net.readout());
  if (net.readout_unit() >= 0) out.set_readout_unit(net.readout_unit());
  return out;
}

}  // namespace rnnlab
