#pragma once
/// \file ibl/network.hpp
/// The IBL task's network and its session training (Schaeffer et al. 2020, Sec. 2.2 and SI 7.2;
/// reference_code_spec 2.2):
///
///     h_{n,t} = tanh(W_rec h_{n,t−1} + W_in o_{n,t} + b)        h = 0 at the session start
///     a_{n,t} = softmax(W_out h_{n,t} + b_out)                   (p_left, p_right)
///
/// a vanilla RNN (a CTRNN with α = 1 whose state is the rate) held in `ctrnn_parameters<double>`
/// (W_rec N × N, W_in N × 3, W_out 2 × N, b N, b_out 2; x0 unused). The state carries across
/// trials and blocks. One training step = one session (4 blocks) played in the closed loop, its
/// inputs recorded, then BPTT over the whole recorded session (no truncation): the action rule
/// and the feedback it produced are constants for the gradient, as in the reference's autograd.
///
/// Loss over the observation steps of the session, with c the correct (stimulus) side:
///     cross_entropy (default, the paper's text):   Σ_t −log a_t(c) / T
///     reference (−p(correct), reference 2.2):      Σ_t −a_t(c) / T
/// T = all steps of the session (blanks included, as the reference divides); blank steps add 0.
/// (The reference also drops the last step's loss; not reproduced.)
///
/// Initialisation (PyTorch's default, reference 2.2): every weight U(−1/√N, 1/√N); b = b_ih + b_hh,
/// the sum of two such draws; b_out U(−1/√N, 1/√N).

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/adam.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/ibl.hpp>

namespace rnnlab {

/// The loss of `ibl_session_loss` (file comment).
enum class ibl_loss { cross_entropy, reference };

/// The reference initialisation of an N-unit IBL network (3 inputs, 2 outputs).
template <class G>
ctrnn_parameters<double> ibl_network_init(Index n_units, G& g) {
  require_shape(n_units > 0, "rnnlab::ibl_network_init", "n_units", "> 0", n_units);
  auto p = ctrnn_parameters<double>::zeros(n_units, 3, 2);
  const double k = 1 / std::sqrt(static_cast<double>(n_units));
  auto fill = [&](auto& m) {
    for (Index i = 0; i < m.size(); ++i) m.data()[i] = -k + 2 * k * uniform01(g);
  };
  fill(p.W_rec);
  fill(p.W_in);
  fill(p.W_out);
  fill(p.b_out);
  for (Index i = 0; i < n_units; ++i) p.b(i) = (-k + 2 * k * uniform01(g)) + (-k + 2 * k * uniform01(g));
  return p;
}

/// A session played by a network: its inputs at every step, the correct side of each step's trial
/// (0 on blank steps: no loss there) and the environment's trial log.
struct ibl_rollout {
  std::vector<std::array<double, 3>> inputs;
  std::vector<int> target;
  std::vector<ibl_trial_outcome> trials;
};

namespace detail {
/// (p_left, p_right) = softmax(W_out h + b_out).
template <class V>
std::array<double, 2> ibl_softmax2(const ctrnn_parameters<double>& p, const V& h) {
  const double z0 = p.W_out.row(0).dot(h) + p.b_out(0), z1 = p.W_out.row(1).dot(h) + p.b_out(1);
  const double m = std::max(z0, z1);
  const double e0 = std::exp(z0 - m), e1 = std::exp(z1 - m);
  return {e0 / (e0 + e1), e1 / (e0 + e1)};
}

inline void ibl_check_network(const ctrnn_parameters<double>& p, std::string_view caller) {
  require_shape(p.n_inputs() == 3, caller, "params", "a network with 3 inputs", p.n_inputs());
  require_shape(p.n_outputs() == 2, caller, "params", "a network with 2 outputs", p.n_outputs());
}
}  // namespace detail

/// Plays `session` in `env` with the network in the loop (h = 0 at the start); records the inputs.
inline ibl_rollout ibl_run_network(const ctrnn_parameters<double>& p, ibl_environment& env, ibl_session session) {
  detail::ibl_check_network(p, "rnnlab::ibl_run_network");
  ibl_rollout r;
  Eigen::VectorXd h = Eigen::VectorXd::Zero(p.n_units()), x(3);
  auto obs = env.reset(std::move(session));
  for (;;) {
    const auto& trial = env.session().trials[env.trial_index()];
    r.inputs.push_back(obs);
    r.target.push_back(env.blank_step() ? 0 : trial.stimulus_side);
    x << obs[0], obs[1], obs[2];
    h = (p.W_rec * h + p.W_in * x + p.b).array().tanh().matrix();
    const auto s = env.step(detail::ibl_softmax2(p, h));
    if (s.done) break;
    obs = s.observation;
  }
  r.trials = env.trials();
  return r;
}

/// Loss and gradient of a recorded session (file comment).
struct ibl_loss_result {
  double loss = 0;
  ctrnn_parameters<double> gradient;
};

/// The session loss of the network on the recorded inputs, and its gradient by BPTT over the
/// whole session. Throws shape_error if the network is not 3 → 2 or the rollout is inconsistent.
inline ibl_loss_result ibl_session_loss(const ctrnn_parameters<double>& p, const ibl_rollout& r,
                                        ibl_loss loss = ibl_loss::cross_entropy) {
  constexpr const char* fn = "rnnlab::ibl_session_loss";
  detail::ibl_check_network(p, fn);
  require_shape(r.inputs.size() == r.target.size() && !r.inputs.empty(), fn, "rollout",
                "as many targets as inputs (> 0)", r.target.size());
  const auto T = static_cast<Index>(r.inputs.size());
  const Index N = p.n_units();
  Eigen::MatrixXd H(N, T + 1), X(3, T), P(2, T);
  H.col(0).setZero();
  for (Index t = 0; t < T; ++t) {
    const auto& o = r.inputs[static_cast<std::size_t>(t)];
    X.col(t) << o[0], o[1], o[2];
    H.col(t + 1) = (p.W_rec * H.col(t) + p.W_in * X.col(t) + p.b).array().tanh().matrix();
    const auto a = detail::ibl_softmax2(p, H.col(t + 1));
    P(0, t) = a[0];
    P(1, t) = a[1];
  }
  ibl_loss_result res{0, ctrnn_parameters<double>::zeros_like(p)};
  auto& g = res.gradient;
  const double scale = 1 / static_cast<double>(T);
  Eigen::MatrixXd dZ = Eigen::MatrixXd::Zero(2, T);  // ∂loss/∂logits
  for (Index t = 0; t < T; ++t) {
    const int c = r.target[static_cast<std::size_t>(t)];
    if (c == 0) continue;
    const Index k = c > 0 ? 1 : 0;
    const double pc = P(k, t);
    // Scalars, not a fixed-size Eigen 2-vector (GCC 12 -O3 flags its AVX-512 loads as out of bounds).
    for (Index j = 0; j < 2; ++j) {
      const double onehot = j == k ? 1.0 : 0.0;
      dZ(j, t) = (loss == ibl_loss::cross_entropy ? P(j, t) - onehot : -pc * (onehot - P(j, t))) * scale;
    }
    res.loss -= (loss == ibl_loss::cross_entropy ? std::log(pc) : pc) * scale;
  }
  g.W_out = dZ * H.rightCols(T).transpose();
  g.b_out = dZ.rowwise().sum();
  Eigen::VectorXd dh = Eigen::VectorXd::Zero(N), da(N);
  for (Index t = T - 1; t >= 0; --t) {
    dh += p.W_out.transpose() * dZ.col(t);
    da = dh.array() * (1 - H.col(t + 1).array().square());
    g.W_rec.noalias() += da * H.col(t).transpose();
    g.W_in.noalias() += da * X.col(t).transpose();
    g.b += da;
    dh.noalias() = p.W_rec.transpose() * da;
  }
  return res;
}

/// Options of `ibl_train`. Defaults: Adam (lr 1e-3); `reference()` = the published run (SGD lr
/// 1e-3, momentum 0.1, −p(correct) loss, 100,001 steps of one 4-block session each).
struct ibl_train_options {
  Index n_units = 50;
  long long steps = 1000;
  ibl_loss loss = ibl_loss::cross_entropy;
  bool use_adam = true;
  adam adam_options{1e-3, 0.9, 0.999, 1e-8};
  sgd sgd_options{1e-3, 0.1};
  std::uint64_t seed = 1;

  static ibl_train_options reference() {
    ibl_train_options o;
    o.steps = 100001;
    o.loss = ibl_loss::reference;
    o.use_adam = false;
    return o;
  }
  void validate(std::string_view caller) const {
    require_shape(n_units > 0, caller, "options.n_units", "> 0", n_units);
    require(steps >= 0, caller, "options.steps", ">= 0", steps);
    if (use_adam) adam_options.validate(); else sgd_options.validate();
  }
};

/// What `ibl_train` returns: the parameters and the loss of every step's session.
struct ibl_train_result {
  ctrnn_parameters<double> params;
  std::vector<double> losses;
};

/// Trains an IBL network (file comment): step k plays a fresh session drawn from
/// make_stream(seed, k, training) under `task` (the reference: 4 blocks), then one optimiser step.
/// Initial parameters from make_stream(seed, 0, initialization).
///
/// `observer(steps_done, params, loss)` is called after every optimiser step (steps_done = 1, 2,
/// ...; `loss` = that step's session loss, before the step); returning false stops training there
/// (e.g. once a held-out check reaches a target: examples/ibl.cpp). The result's `losses` then has
/// `steps_done` entries. The observer sees, and cannot change, the parameters.
template <class Observer>
ibl_train_result ibl_train(const ibl_params& task, const ibl_train_options& options, Observer&& observer) {
  constexpr const char* fn = "rnnlab::ibl_train";
  task.validate(fn);
  options.validate(fn);
  auto init = make_stream(options.seed, 0, stream_purpose::initialization);
  ibl_train_result res{ibl_network_init(options.n_units, init), {}};
  const param_set trainable{param::W_rec, param::W_in, param::W_out, param::b, param::b_out};
  auto adam_state = options.adam_options.make_state(res.params);
  auto sgd_state = options.sgd_options.make_state(res.params);
  ibl_environment env(task);
  res.losses.reserve(static_cast<std::size_t>(std::min(options.steps, 1000000LL)));
  for (long long k = 0; k < options.steps; ++k) {
    auto g = make_stream(options.seed, static_cast<std::uint64_t>(k), stream_purpose::training);
    const auto rollout = ibl_run_network(res.params, env, ibl_sample_session(task, g));
    const auto lg = ibl_session_loss(res.params, rollout, options.loss);
    res.losses.push_back(lg.loss);
    if (options.use_adam)
      options.adam_options.step(res.params, lg.gradient, trainable, adam_state);
    else
      options.sgd_options.step(res.params, lg.gradient, trainable, sgd_state);
    const ctrnn_parameters<double>& seen = res.params;
    if (!observer(k + 1, seen, lg.loss)) break;
  }
  return res;
}

/// `ibl_train` without an observer: all `options.steps` steps.
inline ibl_train_result ibl_train(const ibl_params& task, const ibl_train_options& options) {
  return ibl_train(task, options, [](long long, const ctrnn_parameters<double>&, double) { return true; });
}

}  // namespace rnnlab
