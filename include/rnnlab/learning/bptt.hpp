#pragma once
/// \file learning/bptt.hpp
/// Backpropagation through time: the exact gradient of a masked loss over whole trials, by a
/// hand-derived backward pass over the stored activity, and the BPTT learning rule (gradient +
/// Adam or SGD) of McMahan et al. 2021 Sec. 2.3.
///
/// Model (core/ctrnn.hpp), for t = 0 … T−1 and every trial b of a batch:
///
///     z_t = W_rec r_t + W_in u_t + b,      r_t = f(x_t)
///     x_{t+1} = (1 − α) x_t + α z_t
///     y_t = W_out s_{t+1} + b_out,         s = f(x) (readout `rates`) or s = x (`state`)
///
/// Loss, with mask weights m_{t,b} ≥ 0 and normalisation c (see `loss_normalization`):
///
///     MSE:            L = c Σ_{t,b} m_{t,b} ‖y_{t,b} − y*_{t,b}‖²
///     cross-entropy:  L = −c Σ_{t,b} m_{t,b} Σ_o y*_{t,b,o} log softmax(y_{t,b})_o
///
/// Backward pass (δy_t = ∂L/∂y_t: 2 c m (y − y*) for MSE, c m (softmax(y) Σ_o y*_o − y*) for
/// cross-entropy; a_t = ∂L/∂x_t, a_T starts at 0):
///
///     a_t   += W_outᵀ δy_{t−1} ⊙ f′(x_t)   (rates readout; without ⊙ f′ for the state readout)
///     g_t    = α a_t                         (= ∂L/∂z_{t−1})
///     a_{t−1} = (1 − α) a_t + f′(x_{t−1}) ⊙ W_recᵀ g_t
///
///     ∂L/∂W_rec = Σ_t g_t r_{t−1}ᵀ     ∂L/∂W_in = Σ_t g_t u_{t−1}ᵀ     ∂L/∂b = Σ_t g_t 1
///     ∂L/∂W_out = Σ_t δy_t s_{t+1}ᵀ    ∂L/∂b_out = Σ_t δy_t 1          ∂L/∂x0 = a_0 1
///
/// (sums over the batch columns too). The x0 group is Σ_b ∂L/∂x_0^{(b)}: the gradient with
/// respect to the network's own x0 when every trial starts from it (the initial states passed in
/// are x0 broadcast), and in general the gradient of a shift common to all initial states.
///
/// Cost per step: one GEMM W_rec·r forward and one W_recᵀ·g backward; the W_rec gradient is
/// accumulated as one larger GEMM every k steps (learning/detail/bptt_kernel.hpp). The batch is
/// split into a fixed number of shards, each swept on its own thread; shard results are summed in
/// shard order, so the result does not depend on the number of threads (only on `shards`).
///
/// The reference code (reference_code_spec §1.4): Adam lr 5e-4, batch 500, only W_rec trained,
/// loss = Σ over the batch of the squared errors at the first and the last step (`sum`), one
/// initial state x0 ~ N(0, 0.3²) shared by the 500 trials of a batch, no clipping.

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/learning/adam.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/learning/detail/bptt_kernel.hpp>
#include <rnnlab/learning/loss.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// L1 / L2 penalties added to the task loss (structural and activity regularisation; the
/// solution-degeneracy study's "regularisation" control):
///
///     L = L_task + λ¹_W Σ_{W ∈ weights} Σ|W_ij| + λ²_W Σ_{W ∈ weights} Σ W_ij²
///                + (λ¹_r Σ_{t,b,i} |r_{t,b,i}| + λ²_r Σ_{t,b,i} r_{t,b,i}²) / (T B N)
///
/// over the rates r_1 … r_T of every trial (the rate terms are means over steps, trials and units,
/// so their size does not depend on T, B or N). The L1 terms use sign(0) = 0 as the subgradient.
/// All zero (the default, and the reference code's: no regularisation, reference_code_spec §1.4).
struct penalty_spec {
  double weight_l1 = 0;  ///< λ¹_W
  double weight_l2 = 0;  ///< λ²_W
  param_set weights{param::W_rec, param::W_in, param::W_out};  ///< the penalised weight groups
  double rate_l1 = 0;    ///< λ¹_r
  double rate_l2 = 0;    ///< λ²_r

  bool any() const noexcept { return weight_l1 != 0 || weight_l2 != 0 || rate_l1 != 0 || rate_l2 != 0; }

  void validate(std::string_view caller) const {
    for (const auto& [v, name] : {std::pair{weight_l1, "penalty.weight_l1"}, std::pair{weight_l2, "penalty.weight_l2"},
                                  std::pair{rate_l1, "penalty.rate_l1"}, std::pair{rate_l2, "penalty.rate_l2"}})
      require(std::isfinite(v) && v >= 0, caller, name, "a finite value >= 0", v);
  }
};

/// The weight part of `penalty` for parameters `p`; when `grad` is given, adds its gradient to the
/// groups of `grad` that are in `differentiated`.
template <class Scalar>
double weight_penalty(const ctrnn_parameters<Scalar>& p, const penalty_spec& penalty,
                      ctrnn_parameters<Scalar>* grad = nullptr, param_set differentiated = param_set::all()) {
  if (penalty.weight_l1 == 0 && penalty.weight_l2 == 0) return 0.0;
  double value = 0;
  const auto l1 = static_cast<Scalar>(penalty.weight_l1), l2 = static_cast<Scalar>(2 * penalty.weight_l2);
  const auto one = [&](param which, const auto& W, auto* G) {
    if (!penalty.weights.contains(which)) return;
    value += penalty.weight_l1 * static_cast<double>(W.cwiseAbs().sum()) +
             penalty.weight_l2 * static_cast<double>(W.squaredNorm());
    if (G != nullptr && differentiated.contains(which)) G->array() += l1 * W.array().sign() + l2 * W.array();
  };
  one(param::W_rec, p.W_rec, grad ? &grad->W_rec : nullptr);
  one(param::W_in, p.W_in, grad ? &grad->W_in : nullptr);
  one(param::W_out, p.W_out, grad ? &grad->W_out : nullptr);
  one(param::b, p.b, grad ? &grad->b : nullptr);
  one(param::b_out, p.b_out, grad ? &grad->b_out : nullptr);
  one(param::x0, p.x0, grad ? &grad->x0 : nullptr);
  return value;
}

/// Options of `bptt_gradient`.
struct gradient_options {
  param_set params = param_set::all();  ///< which groups to differentiate (others are left zero)
  loss_spec loss{};
  Index shards = 2;   ///< the batch is split into this many column blocks (fixes the summation order)
  thread_count threads = 0;  ///< threads sweeping the shards; 0 = automatic (kernels/parallel.hpp)
  penalty_spec penalty{};    ///< L1 / L2 penalties on weights and rates (none by default)

  void validate(std::string_view caller) const {
    require(shards >= 1, caller, "shards", ">= 1", shards);
    require(threads >= 0, caller, "threads", ">= 0 (0 = automatic)", threads);
    penalty.validate(caller);
  }
};

/// A loss and its gradient. Groups outside `params` are zero.
template <class Scalar>
struct gradient_result {
  double loss = 0;
  ctrnn_parameters<Scalar> grad;
  param_set params;
};

/// Reusable buffers for repeated gradients of same-shaped batches (no allocation after the first).
template <class Scalar>
using bptt_workspace = detail::bptt_workspace<Scalar>;

/// The loss of `net` on `batch` from initial states `x0` (N × 1 shared or N × B), computed with a
/// plain forward simulation (no gradient; an independent check of the BPTT forward sweep).
template <class Scalar, Activation F, class DX0>
double evaluate_loss(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch, const Eigen::MatrixBase<DX0>& x0,
                     const loss_spec& loss);

/// The loss plus `penalty` (penalty_spec), by the same plain forward simulation.
template <class Scalar, Activation F, class DX0>
double evaluate_loss(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch, const Eigen::MatrixBase<DX0>& x0,
                     const loss_spec& loss, const penalty_spec& penalty);

/// Loss and gradient into `grad` (resized to the network's shapes), reusing `ws`. Returns the loss;
/// a NaN or infinite loss is returned as it is (never thrown).
template <class Scalar, Activation F, class DX0>
double loss_and_gradient(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch,
                         const Eigen::MatrixBase<DX0>& x0, const gradient_options& options,
                         ctrnn_parameters<Scalar>& grad, bptt_workspace<Scalar>& ws);

/// Loss and gradient from initial states `x0` (N × 1 shared or N × B).
template <class Scalar, Activation F, class DX0>
gradient_result<Scalar> bptt_gradient(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch,
                                      const Eigen::MatrixBase<DX0>& x0, const gradient_options& options = {}) {
  gradient_result<Scalar> r;
  bptt_workspace<Scalar> ws;
  r.loss = loss_and_gradient(net, batch, x0, options, r.grad, ws);
  r.params = options.params;
  return r;
}

/// Loss and gradient with every trial starting from the network's own x0.
template <class Scalar, Activation F>
gradient_result<Scalar> bptt_gradient(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch,
                                      const gradient_options& options = {}) {
  return bptt_gradient(net, batch, net.parameters().x0, options);
}

// ---------------------------------------------------------------------------------------------
// The learning rule

/// Where each training trial starts.
enum class initial_state_mode {
  network,           ///< the network's own x0 (trainable as the group x0)
  shared_random,     ///< one x0 ~ N(0, std²) per batch, shared by its trials (the reference code's)
  per_trial_random,  ///< an independent x0 ~ N(0, std²) per trial (the paper's text)
};

/// The names of initial_state_mode (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<initial_state_mode, std::string_view>, 3> enum_names(initial_state_mode) {
  return {{{initial_state_mode::network, "network"},
           {initial_state_mode::shared_random, "shared_random"},
           {initial_state_mode::per_trial_random, "per_trial_random"}}};
}

struct initial_state_policy {
  initial_state_mode mode = initial_state_mode::per_trial_random;
  double stddev = 0.3;

  static initial_state_policy reference_code() { return {initial_state_mode::shared_random, 0.3}; }
  /// The paper's N(0, 0.3), read as a variance.
  static initial_state_policy paper_text() { return {initial_state_mode::per_trial_random, std::sqrt(0.3)}; }
};

/// The per-run state of `bptt`: optimiser moments, gradient and workspace.
template <class Scalar, class Opt>
struct bptt_state {
  typename Opt::template state<Scalar> optimizer;
  ctrnn_parameters<Scalar> grad;
  bptt_workspace<Scalar> workspace;
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> x0;

  /// What a checkpoint stores: the optimiser's moments and step count. The gradient, workspace
  /// and x0 are scratch, rewritten by every update.
  template <class Ar>
  void serialize(Ar& ar) {
    ar(optimizer);
  }
};

/// BPTT: one update = a fresh batch from the task, the exact gradient of the loss over the whole
/// trial, one optimiser step on the trainable groups.
template <class Opt = adam>
struct bptt {
  Opt optimizer{};
  param_set params{param::W_rec, param::W_in, param::W_out};
  loss_spec loss = loss_spec::paper_text();
  Index batch_size = 500;
  initial_state_policy initial_state = initial_state_policy::paper_text();
  Index shards = 2;   ///< see gradient_options::shards (fixes the result)
  thread_count threads = 0;  ///< see gradient_options::threads (never changes the result)
  penalty_spec penalty{};    ///< L1 / L2 penalties on weights and rates (none: the reference code's)

  /// The published code: Adam lr 5e-4, batch 500, W_rec only, summed first+last-step squared
  /// errors (the tasks' reference masks), one x0 ~ N(0, 0.3²) shared by the batch.
  static bptt reference_code()
    requires std::same_as<Opt, adam>
  {
    bptt r;
    r.optimizer = adam::reference_code();
    r.params = param_set{param::W_rec};
    r.loss = loss_spec::reference_code();
    r.batch_size = 500;
    r.initial_state = initial_state_policy::reference_code();
    return r;
  }

  /// The paper's text: Adam lr 5e-4, batch 500, mean squared error; it does not say which groups
  /// are trained, so all weights of Eq. 1–2 (W_rec, W_in, W_out); x0 ~ N(0, 0.3) per trial.
  static bptt paper_text()
    requires std::same_as<Opt, adam>
  {
    bptt r;
    r.optimizer = adam::reference_code();
    r.params = param_set{param::W_rec, param::W_in, param::W_out};
    r.loss = loss_spec::paper_text();
    r.batch_size = 500;
    r.initial_state = initial_state_policy::paper_text();
    return r;
  }

  void validate() const {
    constexpr std::string_view fn = "rnnlab::bptt::validate";
    optimizer.validate();
    require(!params.empty(), fn, "params", "a non-empty set of trainable groups", "an empty set");
    require(batch_size >= 1, fn, "batch_size", ">= 1", batch_size);
    require(std::isfinite(initial_state.stddev) && initial_state.stddev >= 0, fn, "initial_state.stddev",
            "a finite value >= 0", initial_state.stddev);
    gradient_options{params, loss, shards, threads, penalty}.validate(fn);
  }

  template <Network Net>
  bptt_state<typename Net::scalar_type, Opt> make_state(const Net& net) const {
    validate();
    net.require_standard("rnnlab::bptt::make_state");
    using Scalar = typename Net::scalar_type;
    return {optimizer.make_state(net.parameters()), ctrnn_parameters<Scalar>::zeros_like(net.parameters()), {}, {}};
  }

  template <class Scalar, Activation F, class T, class G>
    requires TaskFor<T, ctrnn<Scalar, F>>
  update_result update(ctrnn<Scalar, F>& net, bptt_state<Scalar, Opt>& state, const T& task, G& g) const {
    check_task_fits(task, net, "rnnlab::bptt::update");
    const auto batch = task.template sample<Scalar>(batch_size, g);
    const Index N = net.n_units();
    switch (initial_state.mode) {
      case initial_state_mode::network: state.x0 = net.parameters().x0; break;
      case initial_state_mode::shared_random:
        state.x0 = draw_initial_states<Scalar>(init_spec{0, 0, 0, initial_state.stddev, 0, 0}, N, 1, g);
        break;
      case initial_state_mode::per_trial_random:
        state.x0 = draw_initial_states<Scalar>(init_spec{0, 0, 0, initial_state.stddev, 0, 0}, N, batch_size, g);
        break;
    }
    const gradient_options go{params, loss, shards, threads, penalty};
    const double L = loss_and_gradient(net, batch, state.x0, go, state.grad, state.workspace);
    // A non-finite loss leaves the parameters untouched: the trainer reports divergence.
    if (std::isfinite(L)) optimizer.step(net.parameters(), state.grad, params, state.optimizer);
    return {batch_size, L};
  }
};

// LearningRule<bptt<…>, Net, Task> for every shipped task: tests/static/learning.cpp (this header
// knows no concrete task).

// ---------------------------------------------------------------------------------------------
// Definitions

namespace detail {

template <class Scalar, class DX0>
void check_gradient_inputs(Index N, Index M, Index O, const trial_batch<Scalar>& batch,
                           const Eigen::MatrixBase<DX0>& x0, const loss_spec& loss, std::string_view fn) {
  batch.validate(fn);
  const Index B = batch.n_trials();
  require_shape(batch.n_inputs() == M, fn, "batch", "inputs with " + std::to_string(M) + " channels (the network's)",
                shape_string(batch.inputs.shape()));
  require_shape(batch.n_outputs() == O, fn, "batch", "targets with " + std::to_string(O) + " channels (the network's)",
                shape_string(batch.targets.shape()));
  require_shape(x0.rows() == N && (x0.cols() == 1 || x0.cols() == B), fn, "x0",
                "(" + std::to_string(N) + ", 1) or (" + std::to_string(N) + ", " + std::to_string(B) + ")",
                "(" + std::to_string(x0.rows()) + ", " + std::to_string(x0.cols()) + ")");
  require(x0.allFinite(), fn, "x0", "finite values", "NaN or infinity");
  require((batch.mask.flat() >= Scalar(0)).all(), fn, "batch.mask", "weights >= 0", "a negative weight");
  if (loss.kind == loss_kind::cross_entropy)
    require_shape(O >= 2, fn, "net", "at least 2 outputs for a softmax cross-entropy loss", O);
}

}  // namespace detail

template <class Scalar, Activation F, class DX0>
double evaluate_loss(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch, const Eigen::MatrixBase<DX0>& x0,
                     const loss_spec& loss) {
  constexpr std::string_view fn = "rnnlab::evaluate_loss";
  detail::check_gradient_inputs(net.n_units(), net.n_inputs(), net.n_outputs(), batch, x0, loss, fn);
  return masked_loss(net.simulate(batch.inputs, x0).outputs, batch, loss);
}

template <class Scalar, Activation F, class DX0>
double evaluate_loss(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch, const Eigen::MatrixBase<DX0>& x0,
                     const loss_spec& loss, const penalty_spec& penalty) {
  constexpr std::string_view fn = "rnnlab::evaluate_loss";
  detail::check_gradient_inputs(net.n_units(), net.n_inputs(), net.n_outputs(), batch, x0, loss, fn);
  penalty.validate(fn);
  const auto sim = net.simulate(batch.inputs, x0, simulate_options{.record_states = penalty.rate_l1 != 0 || penalty.rate_l2 != 0});
  double value = masked_loss(sim.outputs, batch, loss) + weight_penalty(net.parameters(), penalty);
  if (penalty.rate_l1 != 0 || penalty.rate_l2 != 0) {
    const Index T = batch.n_steps(), B = batch.n_trials(), N = net.n_units();
    double l1 = 0, l2 = 0;
    for (Index t = 0; t < T; ++t)  // states x_1 … x_T
      for (Index b = 0; b < B; ++b)
        for (Index i = 0; i < N; ++i) {
          const double r = static_cast<double>(F::value(sim.states(t, b, i)));
          l1 += std::abs(r);
          l2 += r * r;
        }
    value += (penalty.rate_l1 * l1 + penalty.rate_l2 * l2) / static_cast<double>(T * B * N);
  }
  return value;
}

template <class Scalar, Activation F, class DX0>
double loss_and_gradient(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch,
                         const Eigen::MatrixBase<DX0>& x0, const gradient_options& options,
                         ctrnn_parameters<Scalar>& grad, bptt_workspace<Scalar>& ws) {
  constexpr std::string_view fn = "rnnlab::bptt_gradient";
  options.validate(fn);
  net.require_standard(fn);  // no gradient yet through feedback, clamped units or a readout policy
  const Index N = net.n_units(), M = net.n_inputs(), O = net.n_outputs();
  detail::check_gradient_inputs(N, M, O, batch, x0, options.loss, fn);
  const Index T = batch.n_steps(), B = batch.n_trials();

  // Steps whose mask is non-zero somewhere: the only steps with an output to compute.
  ws.slot_of.assign(static_cast<std::size_t>(T), -1);
  Index n_active = 0;
  for (Index t = 0; t < T; ++t)
    if ((batch.mask.row(t).array() != Scalar(0)).any()) ws.slot_of[static_cast<std::size_t>(t)] = n_active++;
  ws.active_steps.resize(static_cast<std::size_t>(n_active));
  for (Index t = 0; t < T; ++t)
    if (ws.slot_of[static_cast<std::size_t>(t)] >= 0)
      ws.active_steps[static_cast<std::size_t>(ws.slot_of[static_cast<std::size_t>(t)])] = t;

  const param_set& ps = options.params;
  detail::sweep_plan plan;
  plan.W_rec = ps.contains(param::W_rec);
  plan.W_in = ps.contains(param::W_in);
  plan.W_out = ps.contains(param::W_out);
  plan.b = ps.contains(param::b);
  plan.b_out = ps.contains(param::b_out);
  plan.x0 = ps.contains(param::x0);
  const double rate_norm = 1.0 / static_cast<double>(T * B * N);
  plan.rate_l1 = options.penalty.rate_l1 * rate_norm;
  plan.rate_l2 = options.penalty.rate_l2 * rate_norm;
  const bool store_states = !detail::has_derivative_from_rate<F>;
  const bool store_readout = plan.W_out && net.readout() == readout_source::state;

  detail::prepare_workspace(ws, N, M, O, T, B, options.shards, store_states, store_readout, n_active);

  detail::pack_weights(ws, net, plan.recurrence());
  const auto kind = options.loss.kind == loss_kind::mse ? detail::loss_kind_id::mse : detail::loss_kind_id::cross_entropy;
  const double scale = detail::loss_scale(batch, options.loss);
  const auto n_shards = static_cast<Index>(ws.shards.size());
  const work_estimate work{3.0 * static_cast<double>(N) * static_cast<double>(N) * static_cast<double>(B * T)};
  parallel_shards(n_shards, options.threads, work, [&](Index s) {
    detail::bptt_sweep(net, batch, x0, ws, ws.shards[static_cast<std::size_t>(s)], plan, kind,
                       static_cast<Scalar>(scale));
  });

  // Fixed-order reduction over shards.
  if (grad.n_units() != N || grad.n_inputs() != M || grad.n_outputs() != O)
    grad = ctrnn_parameters<Scalar>::zeros(N, M, O);
  grad.for_each([](param, auto& m) { m.setZero(); });
  double loss = 0, rate_penalty = 0;
  for (const auto& sh : ws.shards) {
    loss += sh.loss;
    rate_penalty += sh.penalty;
    grad.W_rec += sh.grad.W_rec;
    grad.W_in += sh.grad.W_in;
    grad.W_out += sh.grad.W_out;
    grad.b += sh.grad.b;
    grad.b_out += sh.grad.b_out;
    grad.x0 += sh.grad.x0;
  }
  return scale * loss + rate_penalty + weight_penalty(net.parameters(), options.penalty, &grad, ps);
}

}  // namespace rnnlab
