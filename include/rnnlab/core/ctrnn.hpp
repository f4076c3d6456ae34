#pragma once
/// \file core/ctrnn.hpp
/// The continuous-time recurrent network, Euler-discretised (McMahan et al. 2021, Eq. 1–2):
///
///     x_{t+1} = (1 − α) x_t + α (W_rec f(x_t) + W_in u_t + b),     α = Δt / τ ∈ (0, 1]
///     y_t     = W_out r_{t+1} + b_out,   r = f(x) (the paper's readout) or r = x (the reference code's)
///
/// α = 1 is the vanilla (discrete-time) RNN x_{t+1} = W_rec f(x_t) + W_in u_t + b.
///
/// Time convention (the reference code's): the output at step t is read from the state after the
/// t-th update, so a trial of T input steps produces T outputs and T recorded states x_1 … x_T;
/// the initial state x_0 has no recorded output (with output feedback its readout y(x_0) drives
/// the first update).
///
/// Optional structure (docs/core.md, "Parameter groups and readout policies"): output feedback
/// W_fb (FORCE), clamped units (Miconi's bias units), a readout from one unit and an output
/// nonlinearity g (full-FORCE's tanh(W_out tanh(x))).
///
/// Batched state is an Eigen column-major N × B matrix, one column per trial, so that one step of a
/// whole batch is one GEMM. Simulation allocates everything up front: nothing inside the time loop.
///
/// Per-step API (odeint's System / Stepper / Observer split): `make_workspace(B)` allocates,
/// `reset(ws, x0)` sets the state, `step(ws, U, observer)` advances one step without allocating and
/// calls the observer with (t, x, f(x), y). `simulate` and `simulate_sharded`
/// (core/parallel_simulate.hpp) are the fused fast path: one loop (`run`) over the same step.

#include <Eigen/Core>

#include <cmath>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/concepts.hpp>
#include <rnnlab/kernels/small_gemm.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// What the readout reads: the rates r = f(x) (paper Eq. 2) or the state x (reference code).
enum class readout_source { rates, state };

/// The names of readout_source (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<readout_source, std::string_view>, 2> enum_names(readout_source) {
  return {{{readout_source::rates, "rates"},
           {readout_source::state, "state"}}};
}

/// A unit whose state is held at a constant (Miconi 2017's bias units: x₁ = x₁₀ = +1, x₁₁ = −1):
/// x_unit is set to `value` at the initial state and after every update, before the readout.
struct clamped_unit {
  Index unit = 0;
  double value = 0.0;
  friend bool operator==(const clamped_unit&, const clamped_unit&) = default;
};

/// Options of `ctrnn::simulate`.
struct simulate_options {
  bool record_states = false;  ///< also return the states x_1 … x_T as (T, B, N)
};

/// The result of simulating a batch.
template <class Scalar>
struct simulation {
  sequence<Scalar> outputs;  ///< (T, B, O)
  sequence<Scalar> states;   ///< (T, B, N) states after each update; empty unless requested
};

/// An observer that does nothing (the default of `simulate` and `step`).
struct no_observer {
  template <class... A>
  constexpr void operator()(A&&...) const noexcept {}
};

/// The per-step state of a batch of B trials of a `ctrnn` (odeint's state + stepper scratch), made
/// by `ctrnn::make_workspace(B)` and set by `ctrnn::reset`; `ctrnn::step` advances it without
/// allocating. After step t (counted from 0), `state()` is x_{t+1} (N × B), `rates()` f(x_{t+1}),
/// `outputs()` y_t (O × B), and `time()` = t + 1.
template <class Scalar>
class ctrnn_workspace {
public:
  using matrix_type = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  ctrnn_workspace() = default;

  Index batch_size() const noexcept { return m_X.cols(); }
  Index time() const noexcept { return m_t; }
  const matrix_type& state() const noexcept { return m_X; }
  const matrix_type& rates() const noexcept { return m_R; }
  const matrix_type& outputs() const noexcept { return m_Y; }

private:
  template <std::floating_point S, Activation F>
  friend class ctrnn;
  matrix_type m_X, m_R, m_Y;  // N × B, N × B, O × B
  matrix_type m_Z;            // (M + O) × B: [u_t; y(x_t)] for output feedback, else empty
  detail::packed_lhs<Scalar> m_packed;
  Index m_t = 0;
  bool m_ready = false;  // set by reset
};

/// Continuous-time RNN with element type `Scalar` and activation `F`.
///
/// Besides the standard model above, three optional structures (all off by default, "standard"):
///   - output feedback: a non-empty `parameters().W_fb` (N × O) adds W_fb y(x_t) to the drive,
///     y(x_t) being the network's output for its current state (FORCE, Sussillo & Abbott 2009);
///   - clamped units (`set_clamped_units`): units held at constants (Miconi's bias units);
///   - the readout policy: y = g(W_out s + b_out) (linear readout) or y = g(s_k) (one unit,
///     `set_readout_unit(k)`, one output), s = f(x) or x (`readout_source`), with an output
///     nonlinearity g (`set_output_activation`, any shipped activation by name; default linear:
///     g(z) = z). full-FORCE's readout tanh(W_out tanh(x)) is rates + g = tanh; Miconi's
///     y = tanh(x₀) is rates + unit 0.
/// Code that supports only the standard model calls `require_standard(caller)`.
template <std::floating_point Scalar, Activation F = activations::one_plus_tanh>
class ctrnn {
public:
  using scalar_type = Scalar;
  using activation_type = F;
  using parameters_type = ctrnn_parameters<Scalar>;
  using matrix_type = typename parameters_type::matrix_type;
  using vector_type = typename parameters_type::vector_type;
  using workspace_type = ctrnn_workspace<Scalar>;

  /// A network of the given sizes with all parameters zero.
  ctrnn(Index n_units, Index n_inputs, Index n_outputs, Scalar alpha = Scalar(0.1),
        readout_source readout = readout_source::rates)
      : ctrnn(parameters_type::zeros(n_units, n_inputs, n_outputs), alpha, readout) {}

  /// A network with the given parameters (validated: shapes agree, values finite, α ∈ (0, 1]).
  ctrnn(parameters_type params, Scalar alpha, readout_source readout = readout_source::rates)
      : m_params(std::move(params)), m_alpha(alpha), m_readout(readout) {
    validate("rnnlab::ctrnn::ctrnn");
  }

  Index n_units() const noexcept { return m_params.n_units(); }
  Index n_inputs() const noexcept { return m_params.n_inputs(); }
  Index n_outputs() const noexcept { return m_params.n_outputs(); }
  Scalar alpha() const noexcept { return m_alpha; }
  readout_source readout() const noexcept { return m_readout; }

  void set_alpha(Scalar alpha) {
    check_alpha(alpha, "rnnlab::ctrnn::set_alpha");
    m_alpha = alpha;
  }
  void set_readout(readout_source r) noexcept { m_readout = r; }

  // --- Optional structure ---------------------------------------------------------------------

  /// Whether the network has output feedback (a non-empty W_fb).
  bool has_feedback() const noexcept { return m_params.has_feedback(); }

  /// The unit the output is read from, or −1 for the linear readout W_out s + b_out.
  Index readout_unit() const noexcept { return m_readout_unit; }
  /// Reads the single output from unit k (y = g(s_k); W_out and b_out are then unused), or
  /// restores the linear readout with k = −1. Throws argument_error unless −1 ≤ k < N and, for
  /// k ≥ 0, the network has exactly one output.
  void set_readout_unit(Index k) {
    constexpr std::string_view fn = "rnnlab::ctrnn::set_readout_unit";
    require(k >= -1 && k < n_units(), fn, "k", detail::concat("-1 (linear readout) or a unit in [0, ", n_units(), ")"), k);
    require(k < 0 || n_outputs() == 1, fn, "k", "a single-unit readout on a network with n_outputs = 1",
            detail::concat("n_outputs = ", n_outputs()));
    m_readout_unit = k;
  }

  /// The name of the output nonlinearity g ("linear" by default).
  std::string_view output_activation() const noexcept { return m_output_name; }
  /// Sets g to the shipped activation named `name` (visit_activation; argument_error otherwise).
  void set_output_activation(std::string_view name) {
    visit_activation(name, [&]<class G>(G) { set_output_activation<G>(); });
  }
  /// Sets g to the activation G.
  template <Activation G>
  void set_output_activation() noexcept {
    m_output_name = G::name;
    if constexpr (std::is_same_v<G, activations::linear>)
      m_output_apply = nullptr;
    else
      m_output_apply = &detail::apply_activation<G, Scalar>;
  }

  /// The clamped units, in the order given.
  const std::vector<clamped_unit>& clamped_units() const noexcept { return m_clamped; }
  /// Holds the given units at their values (an empty list frees every unit). Throws
  /// argument_error for a unit outside [0, N), a repeated unit or a non-finite value.
  void set_clamped_units(std::vector<clamped_unit> units) {
    check_clamped(units, "rnnlab::ctrnn::set_clamped_units");
    m_clamped = std::move(units);
  }

  /// Whether the network is the standard model (no feedback, no clamped unit, the linear readout
  /// with g = linear): what BPTT and the fixed-point analyses support today.
  bool is_standard() const noexcept {
    return !has_feedback() && m_clamped.empty() && m_readout_unit < 0 && m_output_apply == nullptr;
  }
  /// Throws argument_error naming `caller` and the first non-standard feature, if any.
  void require_standard(std::string_view caller) const {
    require(!has_feedback(), caller, "net", "a network without output feedback (W_fb empty)",
            detail::concat("W_fb of shape (", m_params.W_fb.rows(), ", ", m_params.W_fb.cols(), ")"));
    require(m_clamped.empty(), caller, "net", "a network without clamped units",
            detail::concat(m_clamped.size(), " clamped unit(s)"));
    require(m_readout_unit < 0, caller, "net", "the linear readout W_out s + b_out",
            detail::concat("a readout from unit ", m_readout_unit));
    require(m_output_apply == nullptr, caller, "net", "the identity output nonlinearity (linear)",
            detail::concat("'", m_output_name, "'"));
  }

  const parameters_type& parameters() const noexcept { return m_params; }
  /// Mutable access for learning rules and users; `validate` checks the result.
  parameters_type& parameters() noexcept { return m_params; }

  /// Throws shape_error / argument_error if the parameters, α or the optional structure are invalid.
  void validate(std::string_view caller) const {
    m_params.validate(caller);
    check_alpha(m_alpha, caller);
    check_clamped(m_clamped, caller);
    require(m_readout_unit < n_units() && (m_readout_unit < 0 || n_outputs() == 1), caller, "readout_unit",
            detail::concat("-1 or a unit in [0, ", n_units(), ") with n_outputs = 1"),
            detail::concat(m_readout_unit, " with n_outputs = ", n_outputs()));
  }

  // --- Per-step API (odeint's System / Stepper / Observer) -------------------------------------

  /// A workspace for batches of B trials: every buffer a step needs, allocated once.
  workspace_type make_workspace(Index batch) const {
    require_shape(batch > 0, "rnnlab::ctrnn::make_workspace", "batch", "> 0", batch);
    const Index N = n_units(), M = n_inputs(), O = n_outputs();
    workspace_type ws;
    ws.m_X.resize(N, batch);
    ws.m_R.resize(N, batch);
    ws.m_Y.resize(O, batch);
    if (has_feedback()) ws.m_Z.resize(M + O, batch);
    return ws;
  }

  /// Sets the workspace's state to `x0` (N × 1, shared by every trial, or N × B), clamps the
  /// clamped units, computes the rates (and, with feedback, the output y(x0) that drives the
  /// first step), packs the weights and sets time() = 0. Throws shape_error for a workspace of
  /// another network shape or an x0 of the wrong shape.
  template <class D>
  void reset(workspace_type& ws, const Eigen::MatrixBase<D>& x0) const {
    constexpr std::string_view fn = "rnnlab::ctrnn::reset";
    check_workspace(ws, fn);
    const Index N = n_units(), B = ws.batch_size();
    require_shape(x0.rows() == N && (x0.cols() == 1 || x0.cols() == B), fn, "x0",
                  detail::concat("(", N, ", 1) or (", N, ", ", B, ")"), detail::concat("(", x0.rows(), ", ", x0.cols(), ")"));
    if (x0.cols() == 1)
      ws.m_X = x0.col(0).replicate(1, B);
    else
      ws.m_X = x0;
    for (const clamped_unit& c : m_clamped) ws.m_X.row(c.unit).setConstant(static_cast<Scalar>(c.value));
    detail::apply_activation<F>(ws.m_X.data(), ws.m_R.data(), ws.m_X.size());
    if (has_feedback()) read_out(ws.m_X, ws.m_R, ws.m_Y);
    refresh(ws);
    ws.m_t = 0;
    ws.m_ready = true;
  }

  /// Re-reads W_rec, W_in, W_fb and b into the workspace's packed copy. `reset` does it; call it
  /// after changing those weights between steps (an online learning rule). W_out and b_out are
  /// read directly and need no refresh.
  void refresh(workspace_type& ws) const {
    if (has_feedback()) {
      matrix_type drive(n_units(), n_inputs() + n_outputs());
      drive << m_params.W_in, m_params.W_fb;
      ws.m_packed.pack(m_params.W_rec, drive, m_params.b);
    } else {
      ws.m_packed.pack(m_params.W_rec, m_params.W_in, m_params.b);
    }
  }

  /// One step of the batch: x ← (1 − α) x + α (W_rec f(x) + W_in U + W_fb y + b), clamps, then
  /// the outputs y = readout(x); U is M × B (column-major, any outer stride; a matrix or Map
  /// keeps the step allocation-free). Then calls observer(t, x, f(x), y) with t the step index
  /// (0 for the first step after reset). Throws shape_error for mismatched shapes and
  /// argument_error if the workspace was never reset.
  template <class Observer = no_observer>
  void step(workspace_type& ws, const Eigen::Ref<const matrix_type>& U, Observer&& observer = {}) const {
    constexpr std::string_view fn = "rnnlab::ctrnn::step";
    check_workspace(ws, fn);
    if (!ws.m_ready) require(false, fn, "ws", "a workspace set by reset(ws, x0)", "one never reset");
    if (U.rows() != n_inputs() || U.cols() != ws.batch_size())
      require_shape(false, fn, "U", detail::concat("(", n_inputs(), ", ", ws.batch_size(), ")"),
                    detail::concat("(", U.rows(), ", ", U.cols(), ")"));
    advance(ws, U.data(), U.outerStride(), ws.m_Y.data());
    observer(ws.m_t - 1, std::as_const(ws.m_X), std::as_const(ws.m_R), std::as_const(ws.m_Y));
  }

  /// The fused fast path shared by `simulate` and `simulate_sharded`: every step of `inputs`
  /// (T, ·, M) on the columns [c0, c0 + B) (B = ws.batch_size()) from ws's current state, the
  /// outputs written to the same columns of `outputs` (T, ·, O), observer(t, x, f(x), y) after each
  /// step. Nothing is allocated. The caller has checked the shapes.
  template <class Observer = no_observer>
  void run(workspace_type& ws, const sequence<Scalar>& inputs, Index c0, sequence<Scalar>& outputs,
           Observer&& observer = {}) const {
    const Index T = inputs.shape(0), M = n_inputs(), O = n_outputs(), B = ws.batch_size();
    for (Index t = 0; t < T; ++t) {
      Scalar* y = outputs.slice(t).data() + c0 * O;
      advance(ws, inputs.slice(t).data() + c0 * M, M, y);
      if constexpr (!std::is_same_v<std::remove_cvref_t<Observer>, no_observer>)
        observer(t, std::as_const(ws.m_X), std::as_const(ws.m_R), Eigen::Map<const matrix_type>(y, O, B));
    }
  }

  // --- Convenience and whole-sequence API ------------------------------------------------------

  /// One Euler step of a batch, in place: X (N × B) ← (1−α)X + α(W_rec f(X) + W_in U + b).
  /// Convenience form for the standard model (allocates temporaries); the workspace `step` is the
  /// allocation-free form that honours feedback, clamped units and the readout policy.
  template <class DX, class DU>
  void step(Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DU>& U) const {
    check_batch(X.rows(), X.cols(), U.rows(), U.cols(), "rnnlab::ctrnn::step");
    const matrix_type R = F::value(X.array()).matrix();
    matrix_type Z = m_params.W_rec * R;
    Z.noalias() += m_params.W_in * U;
    X.derived().array() = (Scalar(1) - m_alpha) * X.array() + m_alpha * (Z.colwise() + m_params.b).array();
  }

  /// The readout of states X (N × B): g(W_out s + b_out) or g(s_k), s = f(X) or X.
  template <class DX>
  matrix_type output(const Eigen::MatrixBase<DX>& X) const {
    require_shape(X.rows() == n_units(), "rnnlab::ctrnn::output", "X", detail::concat("rows = n_units = ", n_units()),
                  X.rows());
    const matrix_type Xm = X;
    const matrix_type R = F::value(Xm.array()).matrix();
    matrix_type Y(n_outputs(), Xm.cols());
    read_out(Xm, R, Y);
    return Y;
  }

  /// Simulates a batch of input sequences (T, B, M) from the network's own initial state x0.
  simulation<Scalar> simulate(const sequence<Scalar>& inputs, const simulate_options& options = {}) const {
    return simulate(inputs, m_params.x0, options);
  }

  /// Simulates a batch from the initial states `x0`: N × 1 (shared by every trial) or N × B;
  /// observer(t, x, f(x), y) is called after every step t (x: N × B, y: O × B).
  template <class D, class Observer = no_observer>
  simulation<Scalar> simulate(const sequence<Scalar>& inputs, const Eigen::MatrixBase<D>& x0,
                              const simulate_options& options = {}, Observer&& observer = {}) const {
    constexpr std::string_view fn = "rnnlab::ctrnn::simulate";
    const Index T = inputs.shape(0), B = inputs.shape(1), N = n_units(), O = n_outputs();
    require_shape(inputs.shape(2) == n_inputs(), fn, "inputs",
                  detail::concat("(T, B, ", n_inputs(), ") to match n_inputs"), shape_string(inputs.shape()));
    require_shape(T > 0 && B > 0, fn, "inputs", "T > 0 and B > 0", shape_string(inputs.shape()));
    require_shape(x0.rows() == N && (x0.cols() == 1 || x0.cols() == B), fn, "x0",
                  detail::concat("(", N, ", 1) or (", N, ", ", B, ")"), detail::concat("(", x0.rows(), ", ", x0.cols(), ")"));

    simulation<Scalar> result;
    result.outputs = sequence<Scalar>({T, B, O});
    workspace_type ws = make_workspace(B);
    reset(ws, x0);
    if (options.record_states) {
      // Recording is an observer like any other.
      result.states = sequence<Scalar>({T, B, N});
      run(ws, inputs, 0, result.outputs, [&](Index t, const matrix_type& X, const matrix_type& R, const auto& Y) {
        result.states.slice(t) = X;
        observer(t, X, R, Y);
      });
    } else {
      run(ws, inputs, 0, result.outputs, observer);
    }
    return result;
  }

  friend bool operator==(const ctrnn& a, const ctrnn& b) {
    return a.m_alpha == b.m_alpha && a.m_readout == b.m_readout && a.m_params == b.m_params &&
           a.m_readout_unit == b.m_readout_unit && a.m_output_name == b.m_output_name && a.m_clamped == b.m_clamped;
  }

private:
  static void check_alpha(Scalar alpha, std::string_view caller) {
    require(alpha > Scalar(0) && alpha <= Scalar(1), caller, "alpha", "a value in (0, 1] (dt / tau)", alpha);
  }
  void check_batch(Index xr, Index xc, Index ur, Index uc, std::string_view fn) const {
    require_shape(xr == n_units(), fn, "X", detail::concat("rows = n_units = ", n_units()), xr);
    require_shape(ur == n_inputs(), fn, "U", detail::concat("rows = n_inputs = ", n_inputs()), ur);
    require_shape(uc == xc, fn, "U", detail::concat("as many columns as X (", xc, ")"), uc);
  }
  void check_clamped(const std::vector<clamped_unit>& units, std::string_view caller) const {
    for (std::size_t i = 0; i < units.size(); ++i) {
      const clamped_unit& c = units[i];
      require(c.unit >= 0 && c.unit < n_units(), caller, "clamped units", detail::concat("units in [0, ", n_units(), ")"),
              c.unit);
      require(std::isfinite(c.value), caller, "clamped units", "finite values", c.value);
      for (std::size_t j = 0; j < i; ++j)
        require(units[j].unit != c.unit, caller, "clamped units", "each unit at most once",
                detail::concat("unit ", c.unit, " twice"));
    }
  }
  // Checked without building a message unless it fails (step must not allocate).
  void check_workspace(const workspace_type& ws, std::string_view fn) const {
    const Index zrows = has_feedback() ? n_inputs() + n_outputs() : 0;
    if (ws.m_X.rows() != n_units() || ws.m_X.cols() == 0 || ws.m_Y.rows() != n_outputs() || ws.m_Z.rows() != zrows)
      require_shape(false, fn, "ws",
                    detail::concat("a workspace made by this network's make_workspace (N = ", n_units(), ", O = ",
                                   n_outputs(), ", feedback ", has_feedback() ? "on" : "off", ")"),
                    detail::concat("N = ", ws.m_X.rows(), ", O = ", ws.m_Y.rows(), ", feedback rows ", ws.m_Z.rows()));
  }

  /// Y ← g(W_out S + b_out) or g(S_k), S = R (rates) or X (state).
  template <class DY>
  void read_out(const matrix_type& X, const matrix_type& R, Eigen::MatrixBase<DY>& Yb) const {
    auto& Y = Yb.derived();
    const matrix_type& S = m_readout == readout_source::rates ? R : X;
    if (m_readout_unit >= 0) {
      Y = S.row(m_readout_unit);
    } else {
      Y.noalias() = m_params.W_out * S;
      Y.colwise() += m_params.b_out;
    }
    if (m_output_apply != nullptr) m_output_apply(Y.data(), Y.data(), Y.size());
  }
  template <class DY>
  void read_out(const matrix_type& X, const matrix_type& R, Eigen::MatrixBase<DY>&& Y) const {
    read_out(X, R, Y);
  }

  /// One step of ws: the drive from the input block u (M × B, leading dimension ldu), the
  /// outputs to y (O × B, contiguous). The heart of step, run, simulate and simulate_sharded.
  void advance(workspace_type& ws, const Scalar* u, Index ldu, Scalar* y) const {
    const Index N = n_units(), M = n_inputs(), O = n_outputs(), B = ws.batch_size();
    const Scalar keep = Scalar(1) - m_alpha;
    const Scalar* drive = u;
    Index ld_drive = ldu;
    if (has_feedback()) {
      // [u_t; y(x_t)]: the packed [W_rec | W_in W_fb] takes both in one product.
      ws.m_Z.topRows(M) = Eigen::Map<const matrix_type, 0, Eigen::OuterStride<>>(u, M, B, Eigen::OuterStride<>(ldu));
      ws.m_Z.bottomRows(O) = ws.m_Y;
      drive = ws.m_Z.data();
      ld_drive = M + O;
    }
    // X ← (1 − α) X + α (W_rec R + W_in u_t (+ W_fb y) + b), then R ← f(X) chunk by chunk (column j
    // of R is read only for column j of X) by the register-blocked kernel (kernels/small_gemm.hpp).
    Scalar* X = ws.m_X.data();
    Scalar* R = ws.m_R.data();
    detail::small_gemm(ws.m_packed, R, N, drive, ld_drive, B, X, N, m_alpha, keep, [&](Index cc, Index nc) {
      detail::apply_activation<F>(X + cc * N, R + cc * N, nc * N);
    });
    for (const clamped_unit& c : m_clamped) {
      const auto v = static_cast<Scalar>(c.value);
      ws.m_X.row(c.unit).setConstant(v);
      ws.m_R.row(c.unit).setConstant(F::value(v));
    }
    Eigen::Map<matrix_type> Y(y, O, B);
    read_out(ws.m_X, ws.m_R, Y);
    if (has_feedback() && y != ws.m_Y.data()) ws.m_Y = Y;
    ++ws.m_t;
  }

  parameters_type m_params;
  Scalar m_alpha;
  readout_source m_readout;
  Index m_readout_unit = -1;
  std::string_view m_output_name = activations::linear::name;
  void (*m_output_apply)(const Scalar*, Scalar*, Eigen::Index) = nullptr;
  std::vector<clamped_unit> m_clamped;
};

static_assert(Network<ctrnn<float>>);
static_assert(Network<ctrnn<double, activations::tanh>>);

// ---------------------------------------------------------------------------------------------
// Initialisation

/// Standard deviations of the Gaussian initial parameters and initial states.
///
/// Presets (McMahan et al. 2021 Sec. 2.1 and reference_code_spec §1.1):
///   - `paper_text(N, g)`: W_rec ~ N(0, g²/N), W_in ~ N(0, 0.5), W_out ~ N(0, 0.1), x0 ~ N(0, 0.3),
///     the second argument of N(·,·) read as a variance (as written in the paper);
///   - `reference_code(g)`: every scale is a standard deviation, W_rec std g²/50 (a literal 50),
///     W_in std 0.5, W_out std 0.1, x0 std 0.3: what the published code does.
struct init_spec {
  double w_rec_std = 0.0;
  double w_in_std = 0.0;
  double w_out_std = 0.0;
  double x0_std = 0.0;     ///< std of the initial states drawn per trial or per batch
  double b_std = 0.0;      ///< recurrent bias (zero in both presets)
  double b_out_std = 0.0;  ///< readout bias (zero in both presets)

  static init_spec paper_text(Index n_units, double g = 1.0) {
    require(n_units > 0, "rnnlab::init_spec::paper_text", "n_units", "> 0", n_units);
    require(std::isfinite(g) && g >= 0.0, "rnnlab::init_spec::paper_text", "g (recurrent gain)", "a finite gain >= 0", g);
    return {g / std::sqrt(static_cast<double>(n_units)), std::sqrt(0.5), std::sqrt(0.1), std::sqrt(0.3), 0.0, 0.0};
  }
  static init_spec reference_code(double g = 1.0) {
    require(std::isfinite(g) && g >= 0.0, "rnnlab::init_spec::reference_code", "g (recurrent gain)", "a finite gain >= 0", g);
    return {g * g / 50.0, 0.5, 0.1, 0.3, 0.0, 0.0};
  }

  void validate() const {
    const auto check = [](double v, std::string_view name) {
      require(std::isfinite(v) && v >= 0.0, "rnnlab::init_spec::validate", name, "a finite std >= 0", v);
    };
    check(w_rec_std, "w_rec_std");
    check(w_in_std, "w_in_std");
    check(w_out_std, "w_out_std");
    check(x0_std, "x0_std");
    check(b_std, "b_std");
    check(b_out_std, "b_out_std");
  }
};

/// Draws the network's W_in, W_rec, W_out, b, b_out (in that order, row by row) from `spec`;
/// x0 (the network's own initial state) is left as it is.
template <class Scalar, Activation F, class G>
void initialize(ctrnn<Scalar, F>& net, const init_spec& spec, G& g) {
  spec.validate();
  auto& p = net.parameters();
  const auto draw = [&](auto& m, double stddev) {
    for (Index i = 0; i < m.rows(); ++i)
      for (Index j = 0; j < m.cols(); ++j) m(i, j) = static_cast<Scalar>(stddev * standard_normal(g));
  };
  draw(p.W_in, spec.w_in_std);
  draw(p.W_rec, spec.w_rec_std);
  draw(p.W_out, spec.w_out_std);
  draw(p.b, spec.b_std);
  draw(p.b_out, spec.b_out_std);
}

/// Initial states, N × n_columns, each entry N(0, x0_std²). One column shared by a batch, or one
/// column per trial.
template <class Scalar, class G>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> draw_initial_states(const init_spec& spec, Index n_units,
                                                                          Index n_columns, G& g) {
  spec.validate();
  require_shape(n_units > 0 && n_columns > 0, "rnnlab::draw_initial_states", "n_units, n_columns", "> 0",
                detail::concat(n_units, ", ", n_columns));
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> X0(n_units, n_columns);
  fill_normal(g, std::span<Scalar>(X0.data(), static_cast<std::size_t>(X0.size())), 0.0, spec.x0_std);
  return X0;
}

/// The architecture of a network, independent of the task's sizes.
struct ctrnn_config {
  Index n_units = 50;
  double alpha = 0.1;  ///< dt / tau; the papers use 0.1
  readout_source readout = readout_source::rates;
  init_spec init = init_spec::paper_text(50);

  /// The paper's text: readout from f(x), N(0, g²/N) recurrent weights (variances as written).
  static ctrnn_config paper_text(Index n_units = 50, double g = 1.0) {
    return {n_units, 0.1, readout_source::rates, init_spec::paper_text(n_units, g)};
  }
  /// The published code: readout from x, every scale a standard deviation, W_rec std g²/50.
  static ctrnn_config reference_code(Index n_units = 50, double g = 1.0) {
    return {n_units, 0.1, readout_source::state, init_spec::reference_code(g)};
  }
};

/// A randomly initialised network for a task with `n_inputs` inputs and `n_outputs` outputs.
template <class Scalar, Activation F = activations::one_plus_tanh, class G>
ctrnn<Scalar, F> make_ctrnn(const ctrnn_config& config, Index n_inputs, Index n_outputs, G& g) {
  ctrnn<Scalar, F> net(config.n_units, n_inputs, n_outputs, static_cast<Scalar>(config.alpha), config.readout);
  initialize(net, config.init, g);
  return net;
}

}  // namespace rnnlab
