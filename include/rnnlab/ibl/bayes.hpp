#pragma once
/// \file ibl/bayes.hpp
/// Exact Bayesian baselines of the IBL task (Schaeffer et al. 2020, Sec. 2.3) and the published
/// code's variants (reference_code_spec 2.3) as named options.
///
/// Both baselines assume Markov block switches (the paper's choice; the task's real block lengths
/// are truncated geometric or semi-Markov). With T = [[1−p_b, p_b], [p_b, 1−p_b]] and the emission
/// E[s][b] = P(s | b) (p_s on the diagonal):
///
///   block side   (forward filter on true stimulus sides, Sec. 2.3)
///       pred_n = T · post_{n−1}    (pred_1 = (½, ½))
///       post_n ∝ E[s_n] ⊙ pred_n
///   stimulus prior of trial n
///       exact:                P(s_n = R | s_<n) = p_s·pred_n(R) + (1 − p_s)·pred_n(L)
///       reference_observer:   the same with post_{n−1} instead of pred_n (no transition step)
///       reference_actor:      pred_n(R) itself (no emission step: e.g. 0.98 rather than 0.79)
///       blockless:            ½;   exponential: π ← d·π + (1 − d)·onehot(s_{n−1}), d = 0.9
///   within-trial likelihood (observation steps t = 1..T of trial n)
///       exact:          P(o_{≤T} | s) ∝ Σ_μ P(μ) Π_t N(o^s_t; μ, 1) N(o^{~s}_t; 0, 1) — both channels,
///                       μ shared by the whole trial (the paper's equation, Sec. 2.3)
///       difference:     the reference observer: only d_t = o_R − o_L, N(d_t; ±μ, √2), μ shared
///                       (exact given d alone; o_L + o_R also carries information on μ)
///       remarginalised: the reference actor: π_t(s) ∝ π_{t−1}(s) Σ_μ P(μ) N(d_t; ±μ, √2), as if μ
///                       were redrawn at every step
///
/// A trial that timed out reveals no side: the exact filter then weighs the block update by the
/// trial's observation likelihood P(o | s) (the side marginalised); the reference actor treats a
/// timeout as an error. The analytic blockless accuracy of the reference, 1 − Φ(−μ√n), and the
/// accuracy of the ideal known-contrast two-channel observer, Φ(μ√(n/2)), are both given.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/tasks/ibl.hpp>

namespace rnnlab {

/// The stimulus prior a Bayesian agent carries into a trial (file comment).
enum class ibl_stimulus_prior { exact, reference_observer, reference_actor, blockless, exponential };
/// The within-trial likelihood (file comment).
enum class ibl_within_trial { exact, difference, remarginalised };
/// What a timeout teaches the block filter.
enum class ibl_timeout_update { marginalise, as_error };

/// Parameters of the Bayesian agents. Defaults: the exact agents of the paper's equations.
struct ibl_bayes_params {
  double p_b = 0.02;                                            ///< Markov block-switch probability
  double p_s = 0.8;                                             ///< P(stimulus side = block side)
  std::vector<double> contrasts{0.0, 0.5, 1.0, 1.5, 2.0, 2.5};  ///< μ grid, uniform prior
  ibl_stimulus_prior prior = ibl_stimulus_prior::exact;
  ibl_within_trial within_trial = ibl_within_trial::exact;
  ibl_timeout_update timeout = ibl_timeout_update::marginalise;
  double exponential_decay = 0.9;  ///< only for ibl_stimulus_prior::exponential
  double action_threshold = 0.9;   ///< the actor acts when max(P(L), P(R)) > threshold

  /// The reference `BayesianActor` (reference_code_spec 2.3).
  static ibl_bayes_params reference_actor() {
    ibl_bayes_params p;
    p.prior = ibl_stimulus_prior::reference_actor;
    p.within_trial = ibl_within_trial::remarginalised;
    p.timeout = ibl_timeout_update::as_error;
    return p;
  }
  /// The reference Bayesian observer (reference_code_spec 2.3).
  static ibl_bayes_params reference_observer() {
    ibl_bayes_params p;
    p.prior = ibl_stimulus_prior::reference_observer;
    p.within_trial = ibl_within_trial::difference;
    return p;
  }

  void validate(std::string_view caller) const {
    require(std::isfinite(p_b) && p_b >= 0 && p_b <= 1, caller, "params.p_b", "a probability in [0, 1]", p_b);
    require(std::isfinite(p_s) && p_s >= 0 && p_s <= 1, caller, "params.p_s", "a probability in [0, 1]", p_s);
    require(!contrasts.empty(), caller, "params.contrasts", "at least one contrast", "none");
    for (double c : contrasts)
      require(std::isfinite(c) && c >= 0, caller, "params.contrasts", "finite values >= 0", c);
    require(std::isfinite(exponential_decay) && exponential_decay >= 0 && exponential_decay <= 1, caller,
            "params.exponential_decay", "a value in [0, 1]", exponential_decay);
    require(std::isfinite(action_threshold) && action_threshold >= 0.5 && action_threshold < 1, caller,
            "params.action_threshold", "a value in [0.5, 1)", action_threshold);
  }
};

/// Standard normal CDF Φ.
inline double ibl_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// The reference code's analytic blockless accuracy after n observation steps at contrast μ:
/// 1 − Φ(−μ√n) (reference_code_spec 2.3).
inline double ibl_blockless_accuracy_reference(double mu, double n) { return 1 - ibl_normal_cdf(-mu * std::sqrt(n)); }

/// The accuracy of the ideal observer that knows μ and reads both channels: the sign of
/// Σ_t (o_R − o_L) ~ N(±nμ, 2n), so Φ(μ√(n/2)).
inline double ibl_blockless_accuracy_known_contrast(double mu, double n) { return ibl_normal_cdf(mu * std::sqrt(n / 2)); }

/// The block-side forward filter and the stimulus prior it gives (file comment). Sides −1 / +1.
class ibl_block_filter {
public:
  explicit ibl_block_filter(const ibl_bayes_params& p) : m_p_b(p.p_b), m_p_s(p.p_s), m_prior(p.prior),
                                                          m_decay(p.exponential_decay) {}

  /// P(b_n = R | s_<n): the predicted block side of the coming trial.
  double predicted_block_right() const noexcept { return m_first ? 0.5 : transition(m_post_right); }
  /// P(b_{n−1} = R | s_<n): the posterior after the last trial (½ before any).
  double block_posterior_right() const noexcept { return m_post_right; }

  /// The stimulus prior P(s_n = R) of the coming trial under the chosen variant.
  double stimulus_prior_right() const noexcept {
    switch (m_prior) {
      case ibl_stimulus_prior::exact: return emit(predicted_block_right());
      case ibl_stimulus_prior::reference_observer: return emit(m_post_right);
      case ibl_stimulus_prior::reference_actor: return predicted_block_right();
      case ibl_stimulus_prior::blockless: return 0.5;
      case ibl_stimulus_prior::exponential: return m_exponential;
    }
    return 0.5;
  }

  /// The trial's true stimulus side became known.
  void update(int side) { update_weighted(side > 0 ? 1.0 : 0.0, side > 0 ? 0.0 : 1.0); }

  /// No side was revealed: weigh by the trial's likelihoods (up to a common factor)
  /// λ_R = P(o | s = R), λ_L = P(o | s = L).
  void update_weighted(double lambda_right, double lambda_left) {
    const double pred = predicted_block_right();
    // P(o | b) = Σ_s P(s | b) λ_s.
    const double like_r = m_p_s * lambda_right + (1 - m_p_s) * lambda_left;
    const double like_l = (1 - m_p_s) * lambda_right + m_p_s * lambda_left;
    const double jr = like_r * pred, jl = like_l * (1 - pred);
    if (jr + jl > 0) m_post_right = jr / (jr + jl);
    const double s_right = lambda_right / (lambda_right + lambda_left);  // 1 or 0 for a known side
    m_exponential = m_decay * m_exponential + (1 - m_decay) * s_right;
    m_first = false;
  }

private:
  double transition(double r) const noexcept { return (1 - m_p_b) * r + m_p_b * (1 - r); }
  double emit(double b_right) const noexcept { return m_p_s * b_right + (1 - m_p_s) * (1 - b_right); }

  double m_p_b, m_p_s;
  ibl_stimulus_prior m_prior;
  double m_decay;
  double m_post_right = 0.5;
  double m_exponential = 0.5;
  bool m_first = true;
};

/// The within-trial stimulus posterior (file comment), fed one observation step at a time.
class ibl_trial_posterior {
public:
  ibl_trial_posterior(const ibl_bayes_params& p, double prior_right)
      : m_contrasts(p.contrasts), m_mode(p.within_trial), m_prior_right(prior_right), m_remarg_right(prior_right),
        m_log_r(p.contrasts.size(), 0.0), m_log_l(p.contrasts.size(), 0.0) {}

  /// Adds one observation step (o_L, o_R).
  void observe(double o_left, double o_right) {
    const double d = o_right - o_left;
    if (m_mode == ibl_within_trial::remarginalised) {
      double sr = 0, sl = 0;
      for (double mu : m_contrasts) {
        sr += std::exp(-(d - mu) * (d - mu) / 4);
        sl += std::exp(-(d + mu) * (d + mu) / 4);
      }
      const double jr = m_remarg_right * sr, jl = (1 - m_remarg_right) * sl;
      m_remarg_right = jr / (jr + jl);
      ++m_n;
      return;
    }
    for (std::size_t k = 0; k < m_contrasts.size(); ++k) {
      const double mu = m_contrasts[k];
      if (m_mode == ibl_within_trial::exact) {
        // N(o_s; μ, 1) N(o_~s; 0, 1) = N(o_L; 0, 1) N(o_R; 0, 1) · exp(μ o_s − μ²/2)
        m_log_r[k] += mu * o_right - mu * mu / 2;
        m_log_l[k] += mu * o_left - mu * mu / 2;
      } else {
        // N(d; ±μ, √2) = N(d; 0, √2) · exp(±μ d / 2 − μ² / 4)
        m_log_r[k] += mu * d / 2 - mu * mu / 4;
        m_log_l[k] += -mu * d / 2 - mu * mu / 4;
      }
    }
    ++m_n;
  }

  /// log P(o | s = R) − c and log P(o | s = L) − c for a common c (exact and difference modes; the
  /// remarginalised mode returns its per-step product's log-odds split as (log π/π0, log (1−π)/(1−π0))).
  std::pair<double, double> log_likelihoods() const {
    if (m_mode == ibl_within_trial::remarginalised) {
      return {std::log(m_remarg_right / m_prior_right), std::log((1 - m_remarg_right) / (1 - m_prior_right))};
    }
    return {log_mean_exp(m_log_r), log_mean_exp(m_log_l)};
  }

  /// P(s = R | prior, observations so far).
  double posterior_right() const {
    if (m_mode == ibl_within_trial::remarginalised) return m_remarg_right;
    if (m_prior_right <= 0 || m_prior_right >= 1) return m_prior_right;
    const auto [lr, ll] = log_likelihoods();
    const double log_odds = lr - ll + std::log(m_prior_right) - std::log1p(-m_prior_right);
    return 1 / (1 + std::exp(-log_odds));
  }

  int n_observations() const noexcept { return m_n; }

private:
  static double log_mean_exp(const std::vector<double>& v) {
    const double m = *std::max_element(v.begin(), v.end());
    double s = 0;
    for (double x : v) s += std::exp(x - m);
    return m + std::log(s / static_cast<double>(v.size()));
  }

  std::vector<double> m_contrasts;
  ibl_within_trial m_mode;
  double m_prior_right, m_remarg_right;
  std::vector<double> m_log_r, m_log_l;
  int m_n = 0;
};

/// The Bayesian actor (Sec. 2.3): plays the environment itself and acts when its stimulus posterior
/// passes the threshold. The agent interface used by `ibl_run_agent`: `act(observation)` gives
/// (p_L, p_R) for the current step; `end_trial(action, feedback)` tells it how the trial ended
/// (its own action −1 / +1 or 0 for a timeout, and the feedback ±1). It uses nothing else of the
/// environment: the true side is inferred from its action and the feedback.
class ibl_bayesian_actor {
public:
  explicit ibl_bayesian_actor(ibl_bayes_params params = {}, int n_blank_steps = 2)
      : m_params(std::move(params)), m_n_blank(n_blank_steps), m_filter(m_params),
        m_trial(m_params, m_filter.stimulus_prior_right()) {
    m_params.validate("rnnlab::ibl_bayesian_actor::ibl_bayesian_actor");
    require(n_blank_steps >= 0, "rnnlab::ibl_bayesian_actor::ibl_bayesian_actor", "n_blank_steps", ">= 0",
            n_blank_steps);
  }

  std::array<double, 2> act(const std::array<double, 3>& observation) {
    if (m_step++ >= m_n_blank) m_trial.observe(observation[0], observation[1]);
    const double p = m_trial.posterior_right();
    return {1 - p, p};
  }

  void end_trial(int action, double feedback) {
    if (action != 0) {
      m_filter.update(feedback > 0 ? action : -action);
    } else if (m_params.timeout == ibl_timeout_update::as_error) {
      const int guess = m_trial.posterior_right() >= 0.5 ? 1 : -1;  // reference: round(posterior)
      m_filter.update(-guess);
    } else {
      const auto [lr, ll] = m_trial.log_likelihoods();
      const double m = std::max(lr, ll);
      m_filter.update_weighted(std::exp(lr - m), std::exp(ll - m));
    }
    m_trial = ibl_trial_posterior(m_params, m_filter.stimulus_prior_right());
    m_step = 0;
  }

  const ibl_block_filter& block_filter() const noexcept { return m_filter; }
  const ibl_trial_posterior& trial_posterior() const noexcept { return m_trial; }

private:
  ibl_bayes_params m_params;
  int m_n_blank;
  ibl_block_filter m_filter;
  ibl_trial_posterior m_trial;
  int m_step = 0;
};

/// Runs an agent (`act(observation) -> (p_L, p_R)`, `end_trial(action, feedback)`) through one
/// session of the environment; returns the environment's trial log.
template <class Agent>
const std::vector<ibl_trial_outcome>& ibl_run_agent(ibl_environment& env, Agent& agent, ibl_session session) {
  auto obs = env.reset(std::move(session));
  for (;;) {
    const std::size_t trial = env.trial_index();
    const auto s = env.step(agent.act(obs));
    if (env.trial_index() != trial) agent.end_trial(env.trials().back().action, s.reward);
    if (s.done) break;
    obs = s.observation;
  }
  return env.trials();
}

/// What the Bayesian observer concludes on one trial, at the step the agent ended it.
struct ibl_observer_trial {
  double stimulus_prior_right = 0.5;  ///< P(s_n = R | s_<n) under the chosen prior
  double block_posterior_right = 0.5; ///< P(b_n = R | s_≤n) (after the trial's true side)
  double posterior_right = 0.5;       ///< P(s_n = R | s_<n, o_n,≤T), T = the agent's steps
  int action = 0;                     ///< the side of the larger posterior (−1 / +1)
  bool correct = false;               ///< action == true stimulus side
};

/// The Bayesian observer (Sec. 2.3): reads the same observations as the agent that played
/// `session` (its log `trials`, from `ibl_environment::trials()`), up to the step the agent ended
/// each trial; the block filter runs on the true stimulus sides.
inline std::vector<ibl_observer_trial> ibl_bayesian_observer(const ibl_session& session,
                                                             const std::vector<ibl_trial_outcome>& trials,
                                                             const ibl_bayes_params& params = {}) {
  constexpr const char* fn = "rnnlab::ibl_bayesian_observer";
  params.validate(fn);
  require_shape(trials.size() <= session.trials.size(), fn, "trials",
                "at most the session's " + std::to_string(session.trials.size()) + " trials", trials.size());
  std::vector<ibl_observer_trial> out;
  out.reserve(trials.size());
  ibl_block_filter filter(params);
  for (std::size_t n = 0; n < trials.size(); ++n) {
    const auto& t = session.trials[n];
    const int steps = trials[n].n_observations;
    require_shape(steps >= 0 && static_cast<std::size_t>(steps) <= t.observations.size(), fn, "trials",
                  "n_observations within the trial's observations", steps);
    ibl_observer_trial r;
    r.stimulus_prior_right = filter.stimulus_prior_right();
    ibl_trial_posterior post(params, r.stimulus_prior_right);
    for (int k = 0; k < steps; ++k) post.observe(t.observations[static_cast<std::size_t>(k)][0],
                                                 t.observations[static_cast<std::size_t>(k)][1]);
    r.posterior_right = post.posterior_right();
    r.action = r.posterior_right >= 0.5 ? 1 : -1;
    r.correct = r.action == t.stimulus_side;
    filter.update(t.stimulus_side);
    r.block_posterior_right = filter.block_posterior_right();
    out.push_back(r);
  }
  return out;
}

}  // namespace rnnlab
