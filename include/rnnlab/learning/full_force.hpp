#pragma once
/// \file learning/full_force.hpp
/// full-FORCE (DePasquale, Cueva, Rajan, Escola & Abbott 2018, PLOS ONE 13(2) e0191527), the FF
/// rule of McMahan et al. 2021 Sec. 2.3, as the published code runs it (reference_code_spec §1.7).
///
/// A target-generating ("driven") network D of the same size as the learner, driven by the task
/// input, the target y* and a hint h,
///
///     x^D_{t+1} = (1 − α) x^D_t + α (J^D f(x^D_t) + W^D_in u_t + u^D y*_t + u^H h_t + b),
///
/// supplies at every scheduled step t the recurrent drive the learner's W_rec must produce, and the
/// readout is regressed onto the target. With r = f(x_{t+1}) and r^D = f(x^D_{t+1}) (the states
/// after step t), recursive least squares (learning/rls.hpp, P₀ = I/α_P, one P shared by W_rec
/// and W_out) minimises
///
///     e_rec = W_rec r − (J^D r^D + u^D y*_{t+1} + u^H h_{t+1})      (DePasquale et al. Eq. 9)
///     e_out = W_out r + b_out − y*_t                                  (Eq. 10)
///
/// (y*_{t+1}: the target the next step's drive carries; the last step uses y*_t). The error of the
/// readout is linear in r, as in the reference code, even when the network's output is
/// g(W_out r + b_out) with g = tanh (its readout tanh(W_out tanh(x)), `make_full_force_network`).
/// When the learner reads out from the state x instead of f(x), W_out gets its own P (regressor x).
///
/// One update of the rule = one trial (learning/concepts.hpp): the learner starts from x₀ ~ N(0,
/// x0_std²) (std 1 in the reference), D's state carries over between trials, updates happen at
/// the steps of the schedule (t = 0 and every step from t = 200 in the reference: 551 updates per
/// 750-step trial). An "attempt" starts at the first update and after every restart: W_rec and
/// W_out are set to zero (reference) or to the network's initial values, P = I/α_P, a new D is
/// drawn (J^D ~ g_D N(0, 1/N), its input, target and hint weights ~ N(0, 0.5²)) and D runs
/// `warmup_trials` trials without learning. After `restart_after` trials of an attempt (5,000 in
/// the reference) the rule restarts: the training loop keeps counting updates and trials, the
/// accuracy history shows the drop, and the rule's state records when (`full_force_state::
/// restart_trials`; `full_force_restarts` copies it out of `train`).
///
/// The reference's quirk, kept by `reference_code_*`: D's task-input weights W^D_in are drawn
/// independently of the learner's W_in, so e_rec asks W_rec to produce J^D r^D + u^D y* + u^H h
/// while D's own input drive W^D_in u differs from the learner's. The full-FORCE of the paper text
/// (DePasquale et al.) shares the input weights: `target_shares_inputs = true`.
///
/// Single-unit readout (McMahan et al. Appendix Fig. 11 control; `ctrnn::set_readout_unit(k)`):
/// W_out is unused, and row k of W_rec is trained on the drive that would put the unit's output
/// at the target one step later instead of on D's drive:
///
///     e_rec,k = (W_rec r)_k − z*_k,   z*_k = (x*_{t+1} − (1 − α) x_k) / α − (W_in u_{t+1} + b)_k,
///
/// x* the state at which g(s(x)) = y*_{t+1} (s = f or the identity; by bisection, clipped to
/// [−unit_state_cap, unit_state_cap]).
///
/// Numerical trouble in the RLS (P losing positive definiteness, learning/rls.hpp) ends the update
/// with a NaN loss: `train` then reports `diverged` and restores the parameters from before the
/// trial; the state's `status` says why.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/learning/detail/force_common.hpp>
#include <rnnlab/learning/rls.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>

namespace rnnlab {

/// The per-run state of `full_force` (made by `full_force::make_state`).
template <class Scalar>
struct full_force_state {
  rls P;      ///< shared by W_rec and W_out (regressor f(x))
  rls P_out;  ///< W_out's own, when the readout reads the state x
  // The target-generating network D (double).
  Eigen::MatrixXd J_D, W_in_D, u_target, u_hint;
  Eigen::VectorXd x_D, drive_D;  ///< D's state and its recurrent drive J_D f(x_D)
  // W_rec and W_out as the attempt started (restored at a restart when not zeroed).
  Eigen::MatrixXd W_rec_start, W_out_start;
  bool started = false;
  Index attempt_trials = 0;          ///< trials of the current attempt
  Index total_trials = 0;            ///< trials of every attempt, warm-up trials included
  std::vector<Index> restart_trials;  ///< total_trials at each restart (empty: never restarted)
  rls_status status = rls_status::ok;  ///< the last RLS update's status
  // Scratch, rewritten by every update.
  ctrnn_workspace<Scalar> ws;
  Eigen::MatrixXd W_rec, W_out;  // double copies the updates accumulate in during a trial
  Eigen::VectorXd r, s, x, e_rec, e_out, z, u, u_next;

  Index restarts() const noexcept { return static_cast<Index>(restart_trials.size()); }

  /// What a checkpoint stores: P, D, the attempt's counters and starting weights.
  template <class Ar>
  void serialize(Ar& ar) {
    ar(P);
    ar(P_out);
    ar(J_D);
    ar(W_in_D);
    ar(u_target);
    ar(u_hint);
    ar(x_D);
    ar(drive_D);
    ar(W_rec_start);
    ar(W_out_start);
    ar(started);
    ar(attempt_trials);
    ar(total_trials);
    ar(restart_trials);
  }
};

/// full-FORCE: one update = one trial with RLS updates of W_rec and W_out at the scheduled steps
/// (see the file comment). Hyper-parameters only; the per-run state is `full_force_state`.
struct full_force {
  double rls_alpha = 1e4;         ///< α_P: P₀ = I / α_P (reference: 10⁴ N-CDI, 5·10⁴ RDM)
  Index first_update_step = 200;  ///< t₁: updates at t₁, t₁ + k, … (reference: 200)
  Index update_interval = 1;      ///< k (reference: 1)
  bool update_at_start = true;    ///< also update at t = 0 (reference: yes)
  double target_gain = 1.0;       ///< g_D: J^D ~ N(0, g_D²/N) (reference: 1)
  double target_input_std = 0.5;  ///< std of D's input, target and hint weights (reference: 0.5)
  bool target_shares_inputs = false;  ///< D uses the learner's W_in (paper text) or its own (reference quirk)
  bool use_hint = true;           ///< D also receives the hint h = y* (reference: yes)
  double x0_std = 1.0;            ///< learner's initial state per trial ~ N(0, x0_std²); < 0: the network's x0
  double target_x0_std = 1.0;     ///< D's initial state at the start of an attempt
  Index warmup_trials = 3;        ///< trials D runs without learning at the start of an attempt
  bool zero_initial_weights = true;  ///< W_rec, W_out = 0 at the start of an attempt (reference)
  Index restart_after = 5000;     ///< restart after this many trials of an attempt; 0 = never
  double unit_state_cap = 3.0;    ///< single-unit readout: |x*| ≤ cap

  /// The published code for N-CDI / CDI (reference_code_spec §1.7): P₀ = I/10⁴.
  static full_force reference_code_ncdi() { return {}; }
  /// The published code for RDM: P₀ = I/(5·10⁴).
  static full_force reference_code_rdm() {
    full_force r;
    r.rls_alpha = 5e4;
    return r;
  }
  /// The paper's text (McMahan et al. Sec. 2.3, with DePasquale et al.'s full-FORCE): D receives
  /// the task inputs through the learner's W_in and the target, no hint; the learner starts from
  /// its initialisation (Sec. 2.1), no restart. What the text leaves open (α_P, the schedule, x₀)
  /// is the reference's; `rls_alpha` is the RDM value, 5·10⁴.
  static full_force paper_text() {
    full_force r = reference_code_rdm();
    r.target_shares_inputs = true;
    r.use_hint = false;
    r.zero_initial_weights = false;
    r.restart_after = 0;
    return r;
  }

  void validate() const {
    constexpr std::string_view fn = "rnnlab::full_force::validate";
    require(std::isfinite(rls_alpha) && rls_alpha > 0, fn, "rls_alpha", "a finite value > 0 (P0 = I / rls_alpha)",
            rls_alpha);
    detail::check_force_schedule(fn, first_update_step, update_interval);
    require(std::isfinite(target_gain) && target_gain >= 0, fn, "target_gain", "a finite value >= 0", target_gain);
    require(std::isfinite(target_input_std) && target_input_std >= 0, fn, "target_input_std", "a finite value >= 0",
            target_input_std);
    require(std::isfinite(x0_std), fn, "x0_std", "a finite value (< 0: the network's x0)", x0_std);
    require(std::isfinite(target_x0_std) && target_x0_std >= 0, fn, "target_x0_std", "a finite value >= 0",
            target_x0_std);
    require(warmup_trials >= 0, fn, "warmup_trials", ">= 0", warmup_trials);
    require(restart_after >= 0, fn, "restart_after", ">= 0 (0 = never)", restart_after);
    require(std::isfinite(unit_state_cap) && unit_state_cap > 0, fn, "unit_state_cap", "a finite value > 0",
            unit_state_cap);
  }

  /// The state for `net`: P = I/α_P, D's matrices allocated (drawn at the first update). Throws
  /// argument_error for bad hyper-parameters or a network with output feedback or clamped units.
  template <class Scalar, Activation F>
  full_force_state<Scalar> make_state(const ctrnn<Scalar, F>& net) const {
    constexpr std::string_view fn = "rnnlab::full_force::make_state";
    validate();
    require(!net.has_feedback(), fn, "net", "a network without output feedback (full-FORCE trains W_rec instead)",
            "W_fb present");
    require(net.clamped_units().empty(), fn, "net", "a network without clamped units", "clamped units");
    const Index N = net.n_units(), M = net.n_inputs(), O = net.n_outputs();
    full_force_state<Scalar> st;
    st.P.reset(N, rls_alpha);
    st.P_out.reset(N, rls_alpha);
    st.J_D.setZero(N, N);
    st.W_in_D.setZero(N, M);
    st.u_target.setZero(N, O);
    st.u_hint.setZero(N, O);
    st.x_D.setZero(N);
    st.drive_D.setZero(N);
    st.W_rec_start.setZero(N, N);
    st.W_out_start.setZero(O, N);
    st.ws = net.make_workspace(1);
    return st;
  }

  /// One trial (see the file comment). Returns {trials run, Σ_t m_t ‖y_t − y*_t‖² of the trial}.
  template <class Scalar, Activation F, class Task, class G>
    requires TaskFor<Task, ctrnn<Scalar, F>>
  update_result update(ctrnn<Scalar, F>& net, full_force_state<Scalar>& st, const Task& task, G& g) const;

private:
  template <class Scalar, Activation F, class Task, class G>
  Index begin_attempt(ctrnn<Scalar, F>& net, full_force_state<Scalar>& st, const Task& task, G& g) const;
  template <class Scalar, Activation F, class B>
  void step_target(const ctrnn<Scalar, F>& net, full_force_state<Scalar>& st, const B& trial, Index t) const;
};

/// A callback for `train` that keeps, after training, when full-FORCE restarted: pass it to
/// `train(net, task, rule, options, restarts)`; `restarts.trials` then lists the trial count
/// (warm-up trials included) at each restart, `restarts.updates` the update count.
struct full_force_restarts {
  std::vector<Index> trials;
  std::vector<Index> updates;
  template <class Ctx>
  void on_update(Ctx& ctx) {
    if constexpr (requires { ctx.state.restart_trials; }) {
      while (trials.size() < ctx.state.restart_trials.size()) {
        trials.push_back(ctx.state.restart_trials[trials.size()]);
        updates.push_back(ctx.updates);
      }
    }
  }
};

/// The reference code's full-FORCE network (reference_code_spec §1.7): tanh units, α = 0.1,
/// W_in ~ N(0, 0.5²), W_rec = 0, W_out = 0, b = 0, readout tanh(W_out tanh(x)) (rates readout,
/// output nonlinearity tanh). x0 = 0 (the rule draws x₀ per trial).
template <class Scalar, class G>
ctrnn<Scalar, activations::tanh> make_full_force_network(Index n_units, Index n_inputs, Index n_outputs, G& g) {
  ctrnn<Scalar, activations::tanh> net(n_units, n_inputs, n_outputs, Scalar(0.1), readout_source::rates);
  auto& W_in = net.parameters().W_in;
  for (Index i = 0; i < W_in.rows(); ++i)
    for (Index j = 0; j < W_in.cols(); ++j) W_in(i, j) = static_cast<Scalar>(0.5 * standard_normal(g));
  net.template set_output_activation<activations::tanh>();
  return net;
}

// LearningRule<full_force, ctrnn<S, F>, Task> for every shipped task: tests/static/learning.cpp.

// ---------------------------------------------------------------------------------------------
// Definitions

template <class Scalar, Activation F, class Task, class G>
Index full_force::begin_attempt(ctrnn<Scalar, F>& net, full_force_state<Scalar>& st, const Task& task, G& g) const {
  auto& p = net.parameters();
  const Index N = net.n_units();
  if (!st.started) {
    st.W_rec_start = p.W_rec.template cast<double>();
    st.W_out_start = p.W_out.template cast<double>();
    st.started = true;
  } else {
    st.restart_trials.push_back(st.total_trials);
  }
  if (zero_initial_weights) {
    p.W_rec.setZero();
    p.W_out.setZero();
  } else {
    p.W_rec = st.W_rec_start.template cast<Scalar>();
    p.W_out = st.W_out_start.template cast<Scalar>();
  }
  st.P.reset(N, rls_alpha);
  st.P_out.reset(N, rls_alpha);
  st.attempt_trials = 0;
  // A new D: J^D, then its input, target and hint weights, then its state.
  const auto draw = [&](Eigen::MatrixXd& m, double stddev) {
    for (Index i = 0; i < m.rows(); ++i)
      for (Index j = 0; j < m.cols(); ++j) m(i, j) = stddev * standard_normal(g);
  };
  draw(st.J_D, target_gain / std::sqrt(static_cast<double>(N)));
  if (!target_shares_inputs) draw(st.W_in_D, target_input_std);
  draw(st.u_target, target_input_std);
  if (use_hint)
    draw(st.u_hint, target_input_std);
  else
    st.u_hint.setZero();
  for (Index i = 0; i < N; ++i) st.x_D(i) = target_x0_std * standard_normal(g);
  st.drive_D.noalias() = st.J_D * F::value(st.x_D.array()).matrix();
  // Warm-up: D runs on fresh trials without learning.
  for (Index w = 0; w < warmup_trials; ++w) {
    const auto trial = task.template sample<Scalar>(1, g);
    if (target_shares_inputs) st.W_in_D = p.W_in.template cast<double>();
    for (Index t = 0; t < trial.n_steps(); ++t) step_target(net, st, trial, t);
  }
  st.total_trials += warmup_trials;
  return warmup_trials;
}

template <class Scalar, Activation F, class B>
void full_force::step_target(const ctrnn<Scalar, F>& net, full_force_state<Scalar>& st, const B& trial,
                             Index t) const {
  const double a = static_cast<double>(net.alpha());
  const Index M = trial.n_inputs(), O = trial.n_outputs();
  st.z = st.drive_D + net.parameters().b.template cast<double>();
  for (Index m = 0; m < M; ++m) st.z.noalias() += st.W_in_D.col(m) * static_cast<double>(trial.inputs(t, 0, m));
  for (Index o = 0; o < O; ++o) {
    const double y = static_cast<double>(trial.targets(t, 0, o));
    st.z.noalias() += (st.u_target.col(o) + st.u_hint.col(o)) * y;  // the hint is the target (reference)
  }
  st.x_D = (1.0 - a) * st.x_D + a * st.z;
  st.drive_D.noalias() = st.J_D * F::value(st.x_D.array()).matrix();
}

template <class Scalar, Activation F, class Task, class G>
  requires TaskFor<Task, ctrnn<Scalar, F>>
update_result full_force::update(ctrnn<Scalar, F>& net, full_force_state<Scalar>& st, const Task& task, G& g) const {
  constexpr std::string_view fn = "rnnlab::full_force::update";
  detail::check_force_task(task, net, fn);
  using matrix = typename ctrnn<Scalar, F>::matrix_type;
  Index trials = 0;
  if (!st.started || (restart_after > 0 && st.attempt_trials >= restart_after)) trials += begin_attempt(net, st, task, g);

  auto& p = net.parameters();
  const Index N = net.n_units(), M = net.n_inputs(), O = net.n_outputs();
  const auto trial = task.template sample<Scalar>(1, g);
  const Index T = trial.n_steps();
  matrix x0 = p.x0;
  if (x0_std >= 0)
    for (Index i = 0; i < N; ++i) x0(i, 0) = static_cast<Scalar>(x0_std * standard_normal(g));
  net.reset(st.ws, x0);
  if (target_shares_inputs) st.W_in_D = p.W_in.template cast<double>();
  st.W_rec = p.W_rec.template cast<double>();
  st.W_out = p.W_out.template cast<double>();
  const Eigen::VectorXd b_d = p.b.template cast<double>();
  const Eigen::VectorXd b_out_d = p.b_out.template cast<double>();
  const Eigen::MatrixXd W_in_d = p.W_in.template cast<double>();
  const double a = static_cast<double>(net.alpha());
  const Index k_unit = net.readout_unit();
  const bool from_rates = net.readout() == readout_source::rates;
  double (*g_out)(double) = k_unit >= 0 ? detail::output_function(net.output_activation()) : nullptr;
  const detail::force_schedule due{first_update_step, update_interval, update_at_start};

  double loss = 0;
  for (Index t = 0; t < T; ++t) {
    const Eigen::Map<const matrix> U(trial.inputs.slice(t).data(), M, 1);
    net.step(st.ws, U);
    step_target(net, st, trial, t);
    const auto& Y = st.ws.outputs();
    const double m_t = static_cast<double>(trial.mask(t, 0));
    if (m_t != 0.0)
      for (Index o = 0; o < O; ++o) {
        const double e = static_cast<double>(Y(o, 0)) - static_cast<double>(trial.targets(t, 0, o));
        loss += m_t * e * e;
      }
    if (!due(t)) continue;

    const Index tn = std::min(t + 1, T - 1);
    st.r = st.ws.rates().col(0).template cast<double>();
    st.x = st.ws.state().col(0).template cast<double>();
    // e_rec = W_rec r − (J^D r^D + (u^D + u^H) y*_{t+1})
    st.e_rec.noalias() = st.W_rec * st.r;
    st.e_rec -= st.drive_D;
    for (Index o = 0; o < O; ++o)
      st.e_rec.noalias() -= (st.u_target.col(o) + st.u_hint.col(o)) * static_cast<double>(trial.targets(tn, 0, o));
    if (k_unit >= 0) {
      const double xs =
          detail::unit_state_for_output<F>(static_cast<double>(trial.targets(tn, 0, 0)), from_rates, g_out, unit_state_cap);
      st.u_next = trial.inputs.slice(tn).template cast<double>();
      const double zs = (xs - (1.0 - a) * st.x(k_unit)) / a - W_in_d.row(k_unit).dot(st.u_next) - b_d(k_unit);
      st.e_rec(k_unit) = st.W_rec.row(k_unit).dot(st.r) - zs;
    }
    st.status = st.P.update(st.r);
    if (st.status != rls_status::ok) return {trials + 1, std::numeric_limits<double>::quiet_NaN()};
    st.P.correct(st.W_rec, st.e_rec);
    p.W_rec = st.W_rec.template cast<Scalar>();
    if (k_unit < 0) {
      const Eigen::VectorXd& s = from_rates ? st.r : st.x;
      st.e_out.noalias() = st.W_out * s;
      st.e_out += b_out_d;
      for (Index o = 0; o < O; ++o) st.e_out(o) -= static_cast<double>(trial.targets(t, 0, o));
      if (from_rates) {
        st.P.correct(st.W_out, st.e_out);
      } else {
        st.status = st.P_out.update(s);
        if (st.status != rls_status::ok) return {trials + 1, std::numeric_limits<double>::quiet_NaN()};
        st.P_out.correct(st.W_out, st.e_out);
      }
      p.W_out = st.W_out.template cast<Scalar>();
    }
    net.refresh(st.ws);
  }
  ++st.attempt_trials;
  ++st.total_trials;
  return {trials + 1, loss};
}

}  // namespace rnnlab
