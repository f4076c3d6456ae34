#pragma once
/// \file learning/hebbian.hpp
/// Miconi's reward-modulated Hebbian rule (Miconi 2017, eLife 6:e20899; McMahan et al. 2021
/// Sec. 2.3 "H", Eq. 3–4; what Miconi's program really does: reference_code_spec §1.6).
///
/// The network is a tanh CTRNN whose output is read from one unit, with clamped bias units
/// (Miconi's units 1 and 10 held at +1, unit 11 at −1: `ctrnn::set_clamped_units`,
/// `make_miconi_network` below). One update is one trial, run step by step on the per-step API
/// (make_workspace / reset / step with an observer). During the trial every unit i, at every step
/// t ≥ `first_perturbed_step`, independently with probability `perturbation_probability`,
/// receives an exploratory input p_i ~ U(−A, A) in its drive:
///
///     x_{t+1} = (1 − α) x_t + α (W_rec r_t + W_in u_t + b + p_t),     r_t = tanh(x_t)
///
/// (A = `perturbation_amplitude` = Miconi's ALPHAMODUL = 30, i.e. a kick of up to ±1 in x at his
/// α = 1/30). Each synapse w_ij (post i, pre j) accumulates an eligibility trace over the steps
/// t ≥ `first_eligible_step` (Eq. 3):
///
///     e_ij += ( r_j(t) · (x_i(t+1) − x̄_i) )³
///
/// (r_j(t) is the paper's r_j(t − 1): the rate that drove the update to x(t+1)), with one of two
/// baselines x̄ (`hebbian_baseline`):
///   - `fast_trace` (Miconi's program): x̄ ← d x̄ + (1 − d) x(t+1) after each step's δx is taken,
///     d = `trace_decay` = 0.05, x̄ = x_0 at the start, so δx ≈ x(t+1) − x(t);
///   - `trial_mean` (the paper's text): x̄_i = the mean of x_i(1) … x_i(T) over the whole trial
///     (the eligibility is then summed at the end of the trial).
///
/// At the end of the trial, with R the trial's error (`hebbian_error`: Miconi's mean |y − y*| over
/// the last `error_steps` steps, or the task's masked mean squared error) and R̄_k the running
/// average of past errors of this trial's type k, the weights change by (Eq. 4, as a descent)
///
///     ΔW_rec = clip( −η · [R̄_k] · e · (R − R̄_k),  ±`max_weight_change` )   (element-wise)
///
/// where the factor [R̄_k] is present only with `modulate_by_baseline` (Miconi's program: an
/// adaptive learning rate that Eq. 4 omits) and no update is made during the first
/// `warmup_trials` trials; then R̄_k ← c R̄_k + (1 − c) R with c = `reward_baseline_decay` (0.75).
/// Trial types: (attended context, sign of the label) for the evidence tasks (a batch type
/// derived from `evidence_batch` with metadata: RDM has 2 types, CDI 4, N-CDI 2N), one type for
/// any other task. R̄_k starts at 0 (Miconi's program; hence the warm-up).
///
/// Only W_rec changes. Initial states: x0 ~ U(−a, a) per unit and trial (Miconi: a = 0.1);
/// a < 0 uses the network's own x0. Reproducible per seed: the trial, x0 and the perturbations
/// are drawn in that order from the generator `train` passes (its training stream).
///
/// Deviations from Miconi's program, on purpose: trial types come from the task's sampled
/// condition (his program cycles the 4 types deterministically); the task (trial length, inputs,
/// noise) is rnnlab's, not his 700-step trial with evidence during steps 1 … 500.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/names.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/trial_batch.hpp>

namespace rnnlab {

/// The baseline x̄ of the eligibility trace (Eq. 3).
enum class hebbian_baseline {
  fast_trace,  ///< Miconi's program: exponential trace x̄ ← d x̄ + (1 − d) x (d = trace_decay)
  trial_mean,  ///< the paper's text: the mean pre-activation of the unit over the trial
};

/// The names of hebbian_baseline (rnnlab/names.hpp; the JSON and CLI spelling).
constexpr std::array<std::pair<hebbian_baseline, std::string_view>, 2> enum_names(hebbian_baseline) {
  return {{{hebbian_baseline::fast_trace, "fast_trace"}, {hebbian_baseline::trial_mean, "trial_mean"}}};
}

/// The trial error R the rule minimises.
enum class hebbian_error {
  /// Miconi's program: mean over the last `error_steps` steps (and the outputs) of |y − y*|.
  mean_abs_last_steps,
  /// The paper's "trial loss": the task's masked mean squared error Σ m (y − y*)² / (O Σ m).
  masked_mse,
};

/// The names of hebbian_error (rnnlab/names.hpp; the JSON and CLI spelling).
constexpr std::array<std::pair<hebbian_error, std::string_view>, 2> enum_names(hebbian_error) {
  return {{{hebbian_error::mean_abs_last_steps, "mean_abs_last_steps"}, {hebbian_error::masked_mse, "masked_mse"}}};
}

/// The per-run state of the Hebbian rule: the reward baselines and the trial count carry over
/// between trials (and into checkpoints); the rest is scratch of one trial.
template <class Scalar>
struct hebbian_state {
  using matrix_type = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using vector_type = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  std::int64_t trials_seen = 0;         ///< trials run so far (updates start after the warm-up)
  std::vector<double> reward_baseline;  ///< R̄_k per trial type k (grown as types appear)

  // Scratch of the last trial (readable after `run_trial` / `update`).
  matrix_type eligibility;  ///< e (N × N, post × pre) of the last trial
  double error = 0;         ///< R of the last trial
  int trial_type = 0;       ///< k of the last trial
  ctrnn_workspace<Scalar> workspace;
  vector_type bias, perturbation, trace, previous_rates, x0, delta;
  matrix_type states, pre_rates;  // trial_mean: x(t+1) and r(t), N × T
  sequence<Scalar> outputs;       // (T, 1, O)

  /// The fields a checkpoint stores.
  template <class Ar>
  void serialize(Ar& ar) {
    ar(trials_seen);
    ar(reward_baseline);
  }
};

namespace detail {
/// E += (δ rᵀ)∘³, column by column (no N × N temporary: the per-step hot path).
template <class Scalar, class DR>
void accumulate_eligibility(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& E,
                            const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& delta, const Eigen::MatrixBase<DR>& r) {
  for (Index j = 0; j < E.cols(); ++j) E.col(j).array() += (delta.array() * r(j)).cube();
}
}  // namespace detail

/// Miconi's reward-modulated Hebbian rule (file comment). A cheap value of hyper-parameters.
struct hebbian {
  double learning_rate = 0.01;  ///< η
  // Exploration
  double perturbation_probability = 0.003;  ///< per unit and step
  double perturbation_amplitude = 30.0;     ///< A: p ~ U(−A, A) added to the drive (enters x as α p)
  Index first_perturbed_step = 4;           ///< no perturbation before this step (Miconi: after step 3)
  // Eligibility
  hebbian_baseline baseline = hebbian_baseline::fast_trace;
  double trace_decay = 0.05;   ///< d of the fast trace
  Index first_eligible_step = 3;  ///< steps before this one add no eligibility (Miconi: after step 2)
  // Error and reward baseline
  hebbian_error error = hebbian_error::mean_abs_last_steps;
  Index error_steps = 200;             ///< window of mean_abs_last_steps
  double reward_baseline_decay = 0.75;  ///< c in R̄ ← c R̄ + (1 − c) R
  bool modulate_by_baseline = true;     ///< Miconi's extra factor R̄ in ΔW
  double max_weight_change = 2e-4;      ///< element-wise clip of ΔW; +∞ = none
  Index warmup_trials = 100;            ///< trials without weight change at the start
  // Initial states
  double x0_halfwidth = 0.1;  ///< x0 ~ U(−a, a) per unit and trial; < 0: the network's own x0

  /// Miconi's program (reference_code_spec §1.6): η 0.01, perturbation probability 0.003 and
  /// amplitude 30, fast trace (d = 0.05), error = mean |y − y*| over the last 200 steps, extra R̄
  /// factor, clip ±2e-4, R̄ decay 0.75, 100 warm-up trials, x0 ~ U(−0.1, 0.1).
  static hebbian reference_code() { return hebbian{}; }

  /// The paper's text (McMahan et al. 2021 Sec. 2.3, Eq. 3–4): x̄ = the trial mean, ΔW = −η e (R − R̄)
  /// without the R̄ factor and without clipping, R = the task's trial loss (masked MSE); the rest
  /// (exploration, R̄ decay, warm-up, x0) as in Miconi's program, which the paper cites.
  static hebbian paper_text() {
    hebbian h;
    h.baseline = hebbian_baseline::trial_mean;
    h.modulate_by_baseline = false;
    h.max_weight_change = std::numeric_limits<double>::infinity();
    h.error = hebbian_error::masked_mse;
    return h;
  }

  /// Throws argument_error naming the first bad hyper-parameter.
  void validate() const {
    constexpr std::string_view fn = "rnnlab::hebbian::validate";
    require(std::isfinite(learning_rate) && learning_rate > 0, fn, "learning_rate", "a finite value > 0", learning_rate);
    require(perturbation_probability >= 0 && perturbation_probability <= 1, fn, "perturbation_probability",
            "a probability in [0, 1]", perturbation_probability);
    require(std::isfinite(perturbation_amplitude) && perturbation_amplitude >= 0, fn, "perturbation_amplitude",
            "a finite value >= 0", perturbation_amplitude);
    require(first_perturbed_step >= 0, fn, "first_perturbed_step", ">= 0", first_perturbed_step);
    require(trace_decay >= 0 && trace_decay < 1, fn, "trace_decay", "a value in [0, 1)", trace_decay);
    require(first_eligible_step >= 0, fn, "first_eligible_step", ">= 0", first_eligible_step);
    require(error_steps >= 1, fn, "error_steps", ">= 1", error_steps);
    require(reward_baseline_decay >= 0 && reward_baseline_decay < 1, fn, "reward_baseline_decay", "a value in [0, 1)",
            reward_baseline_decay);
    require(max_weight_change > 0 && !std::isnan(max_weight_change), fn, "max_weight_change",
            "a value > 0 (+inf: no clipping)", max_weight_change);
    require(warmup_trials >= 0, fn, "warmup_trials", ">= 0", warmup_trials);
    require(std::isfinite(x0_halfwidth), fn, "x0_halfwidth", "a finite value (< 0: the network's own x0)", x0_halfwidth);
  }

  /// The per-run state for `net` (validates the rule and the network).
  template <class Scalar, Activation F>
  hebbian_state<Scalar> make_state(const ctrnn<Scalar, F>& net) const {
    validate();
    net.validate("rnnlab::hebbian::make_state");
    require(!net.has_feedback(), "rnnlab::hebbian::make_state", "net", "a network without output feedback",
            "one with W_fb");
    hebbian_state<Scalar> st;
    const Index N = net.n_units();
    st.workspace = net.make_workspace(1);
    st.eligibility.setZero(N, N);
    st.bias.resize(N);
    st.perturbation.setZero(N);
    st.trace.resize(N);
    st.previous_rates.resize(N);
    st.x0.resize(N);
    st.delta.resize(N);
    return st;
  }

  /// The trial type of trial 0 of `batch`: 2·context + (label > 0) for an evidence batch with
  /// metadata, 0 otherwise.
  template <class Batch>
  static int trial_type(const Batch& batch) {
    if constexpr (requires { batch.label; batch.context; batch.has_metadata(); }) {
      if (batch.has_metadata()) return 2 * batch.context(0) + (batch.label(0) > 0 ? 1 : 0);
    }
    return 0;
  }

  /// Runs one trial (trial 0 of `trial`) from the initial state `x0` with exploratory
  /// perturbations drawn from g, and leaves in `st` its eligibility e (N × N), outputs and
  /// error R (returned). The network is not changed (its b carries the perturbations during the
  /// trial and is restored, bit for bit, even if a step throws).
  template <class Scalar, Activation F, class G>
  double run_trial(ctrnn<Scalar, F>& net, hebbian_state<Scalar>& st, const trial_batch<Scalar>& trial,
                   const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& x0, G& g) const;

  /// ΔW_rec for eligibility e, error R and baseline R̄ (file comment, Eq. 4 with Miconi's options).
  template <class Derived>
  Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic> weight_change(
      const Eigen::MatrixBase<Derived>& e, double R, double R_bar) const {
    using S = typename Derived::Scalar;
    const double factor = -learning_rate * (modulate_by_baseline ? R_bar : 1.0) * (R - R_bar);
    Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> dW = (static_cast<S>(factor) * e.derived()).eval();
    if (std::isfinite(max_weight_change)) {
      const auto m = static_cast<S>(max_weight_change);
      dW = dW.cwiseMax(-m).cwiseMin(m);
    }
    return dW;
  }

  /// One trial: samples it from `task`, draws x0, runs it with perturbations, then (after the
  /// warm-up) W_rec += ΔW and updates the trial type's R̄. Returns {1, R}; a non-finite R or
  /// eligibility leaves the network and the baselines unchanged (the trainer reports divergence).
  template <class Scalar, Activation F, class T, class G>
    requires TaskFor<T, ctrnn<Scalar, F>>
  update_result update(ctrnn<Scalar, F>& net, hebbian_state<Scalar>& st, const T& task, G& g) const {
    constexpr std::string_view fn = "rnnlab::hebbian::update";
    check_task_fits(task, net, fn);
    require_shape(st.eligibility.rows() == net.n_units(), fn, "state", "a state made by make_state for this network",
                  st.eligibility.rows());
    const auto trial = task.template sample<Scalar>(1, g);
    const Index N = net.n_units();
    if (x0_halfwidth < 0) {
      st.x0 = net.parameters().x0;
    } else {
      for (Index i = 0; i < N; ++i) st.x0(i) = static_cast<Scalar>(x0_halfwidth * (2.0 * uniform01(g) - 1.0));
    }
    const double R = run_trial(net, st, trial, st.x0, g);
    const int k = trial_type(trial);
    st.trial_type = k;
    ++st.trials_seen;
    if (!std::isfinite(R) || !st.eligibility.allFinite()) return {1, std::isfinite(R) ? std::numeric_limits<double>::quiet_NaN() : R};
    if (static_cast<std::size_t>(k) >= st.reward_baseline.size()) st.reward_baseline.resize(static_cast<std::size_t>(k) + 1, 0.0);
    double& R_bar = st.reward_baseline[static_cast<std::size_t>(k)];
    if (st.trials_seen > warmup_trials) net.parameters().W_rec += weight_change(st.eligibility, R, R_bar);
    R_bar = reward_baseline_decay * R_bar + (1.0 - reward_baseline_decay) * R;
    return {1, R};
  }
};

/// How `make_miconi_network` builds a network (Miconi 2017's program, reference_code_spec §1.6,
/// at paper 1's size N = 50).
struct miconi_network_config {
  Index n_units = 50;
  double alpha = 1.0 / 30.0;  ///< dt / τ (Miconi: dt 1, τ 30; paper 1 analysed the networks at 0.1)
  double g = 1.5;             ///< W_rec ~ g N(0, 1) / √N
  double w_in_halfwidth = 1.0;  ///< W_in ~ U(−w, w), row of the output unit zeroed
  Index output_unit = 0;        ///< the unit read out (y = tanh(x_k))
  std::vector<clamped_unit> clamped = {{1, 1.0}, {10, 1.0}, {11, -1.0}};  ///< Miconi's bias units

  void validate() const {
    constexpr std::string_view fn = "rnnlab::miconi_network_config::validate";
    require(n_units >= 1, fn, "n_units", ">= 1", n_units);
    require(alpha > 0 && alpha <= 1, fn, "alpha", "a value in (0, 1]", alpha);
    require(std::isfinite(g) && g >= 0, fn, "g", "a finite value >= 0", g);
    require(std::isfinite(w_in_halfwidth) && w_in_halfwidth >= 0, fn, "w_in_halfwidth", "a finite value >= 0",
            w_in_halfwidth);
    require(output_unit >= 0 && output_unit < n_units, fn, "output_unit", detail::concat("a unit in [0, ", n_units, ")"),
            output_unit);
    for (const auto& c : clamped)
      require(c.unit != output_unit, fn, "clamped", "units other than the output unit",
              detail::concat("unit ", c.unit, " clamped and read out"));
  }
};

/// A tanh network as Miconi's program builds it: W_rec ~ g N(0, 1)/√N, W_in ~ U(−w, w) with the
/// output unit's row zeroed, b = 0, x0 = 0, W_out unused (zeros), one output read from
/// `output_unit` (y = tanh(x_k)), the bias units clamped. Draws W_rec row by row, then W_in.
template <class Scalar, class G>
ctrnn<Scalar, activations::tanh> make_miconi_network(const miconi_network_config& config, Index n_inputs, G& g) {
  config.validate();
  require_shape(n_inputs >= 0, "rnnlab::make_miconi_network", "n_inputs", ">= 0", n_inputs);
  const Index N = config.n_units;
  ctrnn<Scalar, activations::tanh> net(N, n_inputs, 1, static_cast<Scalar>(config.alpha), readout_source::rates);
  auto& p = net.parameters();
  const double s = config.g / std::sqrt(static_cast<double>(N));
  for (Index i = 0; i < N; ++i)
    for (Index j = 0; j < N; ++j) p.W_rec(i, j) = static_cast<Scalar>(s * standard_normal(g));
  for (Index i = 0; i < N; ++i)
    for (Index m = 0; m < n_inputs; ++m)
      p.W_in(i, m) = static_cast<Scalar>(config.w_in_halfwidth * (2.0 * uniform01(g) - 1.0));
  p.W_in.row(config.output_unit).setZero();
  net.set_clamped_units(config.clamped);
  net.set_readout_unit(config.output_unit);
  return net;
}

// ---------------------------------------------------------------------------------------------
// Definitions

template <class Scalar, Activation F, class G>
double hebbian::run_trial(ctrnn<Scalar, F>& net, hebbian_state<Scalar>& st, const trial_batch<Scalar>& trial,
                          const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& x0, G& g) const {
  constexpr std::string_view fn = "rnnlab::hebbian::run_trial";
  using matrix = typename hebbian_state<Scalar>::matrix_type;
  const Index N = net.n_units(), T = trial.n_steps(), O = net.n_outputs();
  require_shape(trial.n_trials() >= 1 && trial.n_inputs() == net.n_inputs() && trial.n_outputs() == O, fn, "trial",
                detail::concat("(T, >= 1, ", net.n_inputs(), ") inputs and ", O, " outputs"),
                detail::concat(shape_string(trial.inputs.shape()), " and ", trial.n_outputs(), " outputs"));
  require_shape(x0.size() == N, fn, "x0", detail::concat("length ", N), x0.size());
  if (st.workspace.batch_size() != 1 || st.workspace.state().rows() != N) st.workspace = net.make_workspace(1);
  const bool mean_baseline = baseline == hebbian_baseline::trial_mean;
  if (mean_baseline) {
    st.states.resize(N, T);
    st.pre_rates.resize(N, T);
  }
  st.eligibility.setZero(N, N);
  st.outputs = sequence<Scalar>({T, 1, O});
  st.bias = net.parameters().b;
  st.perturbation.setZero(N);

  // The perturbations ride on b for the step they act on; b is restored whatever happens.
  struct restore_bias {
    ctrnn<Scalar, F>& net;
    const typename hebbian_state<Scalar>::vector_type& b;
    ~restore_bias() { net.parameters().b = b; }
  } guard{net, st.bias};

  net.reset(st.workspace, x0);
  st.trace = st.workspace.state().col(0);
  st.previous_rates = st.workspace.rates().col(0);
  const auto decay = static_cast<Scalar>(trace_decay);
  const bool explore = perturbation_probability > 0 && perturbation_amplitude > 0;
  bool perturbed = false;  // whether b currently differs from st.bias
  matrix U(trial.n_inputs(), 1);
  for (Index t = 0; t < T; ++t) {
    bool any = false;
    if (explore && t >= first_perturbed_step) {
      for (Index i = 0; i < N; ++i) {
        if (uniform01(g) < perturbation_probability) {
          st.perturbation(i) = static_cast<Scalar>(perturbation_amplitude * (2.0 * uniform01(g) - 1.0));
          any = true;
        } else {
          st.perturbation(i) = Scalar(0);
        }
      }
    }
    if (any || perturbed) {
      if (any)
        net.parameters().b = st.bias + st.perturbation;
      else
        net.parameters().b = st.bias;
      net.refresh(st.workspace);
      perturbed = any;
    }
    U = trial.inputs.slice(t).col(0);
    net.step(st.workspace, U, [&](Index step, const matrix& X, const matrix& R, const matrix& Y) {
      for (Index o = 0; o < O; ++o) st.outputs(step, 0, o) = Y(o, 0);
      if (mean_baseline) {
        st.states.col(step) = X.col(0);
        st.pre_rates.col(step) = st.previous_rates;
      } else {
        if (step >= first_eligible_step) {
          st.delta = X.col(0) - st.trace;
          detail::accumulate_eligibility(st.eligibility, st.delta, st.previous_rates);
        }
        st.trace = decay * st.trace + (Scalar(1) - decay) * X.col(0);
      }
      st.previous_rates = R.col(0);
    });
  }
  if (mean_baseline) {
    const typename hebbian_state<Scalar>::vector_type mean = st.states.rowwise().mean();
    for (Index t = first_eligible_step; t < T; ++t) {
      st.delta = st.states.col(t) - mean;
      detail::accumulate_eligibility(st.eligibility, st.delta, st.pre_rates.col(t));
    }
  }

  // The trial's error R.
  double R = 0;
  if (error == hebbian_error::mean_abs_last_steps) {
    const Index t0 = std::max<Index>(0, T - error_steps);
    for (Index t = t0; t < T; ++t)
      for (Index o = 0; o < O; ++o)
        R += std::abs(static_cast<double>(st.outputs(t, 0, o)) - static_cast<double>(trial.targets(t, 0, o)));
    R /= static_cast<double>((T - t0) * O);
  } else {
    double mass = 0;
    for (Index t = 0; t < T; ++t) {
      const double m = static_cast<double>(trial.mask(t, 0));
      if (m == 0) continue;
      mass += m;
      for (Index o = 0; o < O; ++o) {
        const double d = static_cast<double>(st.outputs(t, 0, o)) - static_cast<double>(trial.targets(t, 0, o));
        R += m * d * d;
      }
    }
    R = mass > 0 ? R / (mass * static_cast<double>(O)) : 0.0;
  }
  st.error = R;
  return R;
}

namespace detail {
/// The smallest task (a Task with one input and one output) for the concept check below.
struct hebbian_probe_task {
  Index n_inputs() const { return 1; }
  Index n_outputs() const { return 1; }
  Index n_steps() const { return 1; }
  template <class S>
  trial_batch<S> sample(Index, rng&) const {
    return {};
  }
};
}  // namespace detail

static_assert(LearningRule<hebbian, ctrnn<float, activations::tanh>, detail::hebbian_probe_task>);
static_assert(LearningRule<hebbian, ctrnn<double, activations::tanh>, detail::hebbian_probe_task>);

}  // namespace rnnlab
