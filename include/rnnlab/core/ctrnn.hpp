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
/// the initial state x_0 has no output.
///
/// Batched state is an Eigen column-major N × B matrix, one column per trial, so that one step of a
/// whole batch is one GEMM. Simulation allocates everything up front: nothing inside the time loop.

#include <Eigen/Core>

#include <concepts>
#include <string>
#include <string_view>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/detail/small_gemm.hpp>
#include <rnnlab/core/fast_math.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// What the linear readout reads: the rates r = f(x) (paper Eq. 2) or the state x (reference code).
enum class readout_source { rates, state };

/// The names of readout_source (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<readout_source, std::string_view>, 2> enum_names(readout_source) {
  return {{{readout_source::rates, "rates"},
           {readout_source::state, "state"}}};
}

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

/// Continuous-time RNN with element type `Scalar` and activation `F`.
template <std::floating_point Scalar, Activation F = activations::one_plus_tanh>
class ctrnn {
public:
  using scalar_type = Scalar;
  using activation_type = F;
  using parameters_type = ctrnn_parameters<Scalar>;
  using matrix_type = typename parameters_type::matrix_type;
  using vector_type = typename parameters_type::vector_type;

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

  const parameters_type& parameters() const noexcept { return m_params; }
  /// Mutable access for learning rules and users; `validate` checks the result.
  parameters_type& parameters() noexcept { return m_params; }

  /// Throws shape_error / argument_error if the parameters or α are invalid.
  void validate(std::string_view caller) const {
    m_params.validate(caller);
    check_alpha(m_alpha, caller);
  }

  /// One Euler step of a batch, in place: X (N × B) ← (1−α)X + α(W_rec f(X) + W_in U + b).
  /// Convenience form (allocates temporaries); `simulate` is the allocation-free hot path.
  template <class DX, class DU>
  void step(Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DU>& U) const {
    check_batch(X.rows(), X.cols(), U.rows(), U.cols(), "rnnlab::ctrnn::step");
    const matrix_type R = F::value(X.array()).matrix();
    matrix_type Z = m_params.W_rec * R;
    Z.noalias() += m_params.W_in * U;
    X.derived().array() = (Scalar(1) - m_alpha) * X.array() + m_alpha * (Z.colwise() + m_params.b).array();
  }

  /// The readout of states X (N × B): W_out r + b_out with r = f(X) or X.
  template <class DX>
  matrix_type output(const Eigen::MatrixBase<DX>& X) const {
    require_shape(X.rows() == n_units(), "rnnlab::ctrnn::output", "X", detail::concat("rows = n_units = ", n_units()),
                  X.rows());
    matrix_type Y;
    if (m_readout == readout_source::rates)
      Y = m_params.W_out * F::value(X.array()).matrix();
    else
      Y = m_params.W_out * X;
    Y.colwise() += m_params.b_out;
    return Y;
  }

  /// Simulates a batch of input sequences (T, B, M) from the network's own initial state x0.
  simulation<Scalar> simulate(const sequence<Scalar>& inputs, const simulate_options& options = {}) const {
    return simulate(inputs, m_params.x0, options);
  }

  /// Simulates a batch from the initial states `x0`: N × 1 (shared by every trial) or N × B.
  template <class D>
  simulation<Scalar> simulate(const sequence<Scalar>& inputs, const Eigen::MatrixBase<D>& x0,
                              const simulate_options& options = {}) const {
    constexpr std::string_view fn = "rnnlab::ctrnn::simulate";
    const Index T = inputs.shape(0), B = inputs.shape(1), N = n_units(), O = n_outputs();
    require_shape(inputs.shape(2) == n_inputs(), fn, "inputs",
                  detail::concat("(T, B, ", n_inputs(), ") to match n_inputs"), shape_string(inputs.shape()));
    require_shape(T > 0 && B > 0, fn, "inputs", "T > 0 and B > 0", shape_string(inputs.shape()));
    require_shape(x0.rows() == N && (x0.cols() == 1 || x0.cols() == B), fn, "x0",
                  detail::concat("(", N, ", 1) or (", N, ", ", B, ")"), detail::concat("(", x0.rows(), ", ", x0.cols(), ")"));

    simulation<Scalar> result;
    result.outputs = sequence<Scalar>({T, B, O});
    if (options.record_states) result.states = sequence<Scalar>({T, B, N});

    matrix_type X(N, B), R(N, B);
    if (x0.cols() == 1)
      X = x0.col(0).replicate(1, B);
    else
      X = x0;
    detail::apply_activation<F>(X.data(), R.data(), X.size());
    const Scalar keep = Scalar(1) - m_alpha;
    // [W_rec | W_in] and b packed once for the register-blocked kernel (core/detail/small_gemm.hpp).
    detail::packed_lhs<Scalar> packed;
    packed.pack(m_params.W_rec, m_params.W_in, m_params.b);
    const Index M = n_inputs();
    for (Index t = 0; t < T; ++t) {
      // X ← (1 − α) X + α (W_rec R + W_in u_t + b), then R ← f(X) chunk by chunk (column j of R is
      // read only for column j of X).
      detail::small_gemm(packed, R.data(), N, inputs.slice(t).data(), M, B, X.data(), N, m_alpha, keep,
                         [&](Index cc, Index nc) {
                           detail::apply_activation<F>(X.data() + cc * N, R.data() + cc * N, nc * N);
                         });
      auto Y = result.outputs.slice(t);
      if (m_readout == readout_source::rates)
        Y.noalias() = m_params.W_out * R;
      else
        Y.noalias() = m_params.W_out * X;
      Y.colwise() += m_params.b_out;
      if (options.record_states) result.states.slice(t) = X;
    }
    return result;
  }

  friend bool operator==(const ctrnn& a, const ctrnn& b) {
    return a.m_alpha == b.m_alpha && a.m_readout == b.m_readout && a.m_params == b.m_params;
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

  parameters_type m_params;
  Scalar m_alpha;
  readout_source m_readout;
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
    return {g / std::sqrt(static_cast<double>(n_units)), std::sqrt(0.5), std::sqrt(0.1), std::sqrt(0.3), 0.0, 0.0};
  }
  static init_spec reference_code(double g = 1.0) { return {g * g / 50.0, 0.5, 0.1, 0.3, 0.0, 0.0}; }

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
