#pragma once
/// \file tasks/ibl.hpp
/// The International Brain Laboratory (IBL) biased-block task as posed to recurrent networks by
/// Schaeffer, Khona, Meshulam, IBL & Fiete (NeurIPS 2020), Sec. 2.1 and Fig. 1, with the published
/// code's choices (reference_code_spec part 2.1) as the default preset.
///
/// Generative model of one session (trials n, steps t within a trial):
///
///     block lengths  L ~ truncated geometric(p_b0) on [20, 100]        (reference; default)
///                    or the paper's semi-Markov hazard: switch after a trial with probability
///                    0 while l < 20, p_b0 while 20 <= l <= 100, 1 when l > 100 (lengths 20..101)
///     block sides    b ∈ {−1 left, +1 right}: first uniform, then alternating (reference; default)
///                    or Markov: the next block's side flips with probability `p_side_flip`
///     stimulus side  s_n = b_n with probability p_s = 0.8, −b_n otherwise
///     contrast       μ_n ~ U{0, 0.5, 1, 1.5, 2, 2.5}
///     observations   o^S_{n,t} ~ N(μ_n, 1) on the stimulus side, o^{~S}_{n,t} ~ N(0, 1) on the other
///
/// A trial has `n_blank_steps` = 2 blank steps (o = (0, 0)) then at most `max_observations` = 10
/// observation steps. The input at each step is (o_L, o_R, r), r the feedback the previous step
/// produced: 0 after a blank step, −0.05 (`waiting_penalty`) after an observation step without an
/// action, +1 / −1 after a correct / wrong action, −1 after a timeout (no action by the last step).
/// The first step of a trial carries the previous trial's outcome (reference; 0 at the session
/// start) or is all zero (the paper's text: `first_step_feedback::zero`).
///
/// An action is taken at an observation step when the agent's larger action probability exceeds
/// `action_threshold` = 0.9; it ends the trial. Blank steps ignore the agent's output.
///
/// Two ways to use the task:
///   - `ibl_sample_session(params, g)`: an open-loop draw of a whole session (latents and all
///     observations of every possible step), e.g. one training example;
///   - `ibl_environment`: the closed loop (tasks/concepts.hpp `Environment`): the agent's action
///     ends trials, the session's stream of trials and blocks continues, and every finished trial is
///     logged (`trials()`) for the behaviour analyses (ibl/behaviour.hpp). It plays a session drawn
///     at `reset(g)` or given to `reset(session)`.

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>

namespace rnnlab {

/// How block lengths are drawn (see the file comment).
enum class ibl_block_lengths {
  truncated_geometric,  ///< reference: geometric(p_b0) draws rejected until in [min, max]
  semi_markov_hazard,   ///< paper Sec. 2.1: hazard 0 / p_b0 / 1; lengths min..max+1
};

/// How the side of the next block is chosen.
enum class ibl_block_sides {
  alternating,  ///< reference: strictly alternating after a uniform first block
  markov,       ///< flips with probability `p_side_flip`, stays otherwise
};

/// What the feedback input of a trial's first step holds.
enum class ibl_first_step_feedback {
  previous_outcome,  ///< reference: the previous trial's ±1 (0 at the session start)
  zero,              ///< paper Sec. 2.1: "On the first step, all three are 0"
};

/// Parameters of the IBL task. Defaults = the reference code (reference_code_spec 2.1).
struct ibl_params {
  double p_b0 = 0.02;              ///< per-trial block-switch probability (geometric parameter)
  int min_block_length = 20;       ///< trials
  int max_block_length = 100;      ///< trials
  ibl_block_lengths block_lengths = ibl_block_lengths::truncated_geometric;
  ibl_block_sides block_sides = ibl_block_sides::alternating;
  double p_side_flip = 0.5;        ///< only for `ibl_block_sides::markov`
  double p_s = 0.8;                ///< P(stimulus side = block side)
  std::vector<double> contrasts{0.0, 0.5, 1.0, 1.5, 2.0, 2.5};  ///< μ values, drawn uniformly
  int n_blank_steps = 2;           ///< steps with o = (0, 0) at the start of each trial
  int max_observations = 10;       ///< observation steps before a timeout
  double waiting_penalty = -0.05;  ///< feedback after an observation step without an action
  double action_threshold = 0.9;   ///< an action when max(p_L, p_R) > threshold
  ibl_first_step_feedback first_step = ibl_first_step_feedback::previous_outcome;
  int n_blocks = 4;                ///< blocks per session (reference: 4 training, 1000 analysis)

  /// The published code (reference_code_spec 2.1).
  static ibl_params reference_code() { return {}; }
  /// The paper's text (Sec. 2.1): semi-Markov hazard, all-zero first step.
  static ibl_params paper_text() {
    ibl_params p;
    p.block_lengths = ibl_block_lengths::semi_markov_hazard;
    p.first_step = ibl_first_step_feedback::zero;
    return p;
  }

  /// Steps per trial at most (blank + observation steps).
  int max_steps() const noexcept { return n_blank_steps + max_observations; }

  /// Throws argument_error naming `caller`, the field, expected and actual values.
  void validate(std::string_view caller) const {
    auto prob = [&](double v, std::string_view name, bool open) {
      require(std::isfinite(v) && (open ? (v > 0 && v < 1) : (v >= 0 && v <= 1)), caller, name,
              open ? "a probability in (0, 1)" : "a probability in [0, 1]", v);
    };
    prob(p_b0, "params.p_b0", true);
    prob(p_s, "params.p_s", false);
    prob(p_side_flip, "params.p_side_flip", false);
    require(min_block_length >= 1, caller, "params.min_block_length", ">= 1", min_block_length);
    require(max_block_length >= min_block_length, caller, "params.max_block_length",
            ">= min_block_length (" + std::to_string(min_block_length) + ")", max_block_length);
    require(!contrasts.empty(), caller, "params.contrasts", "at least one contrast", "none");
    for (double c : contrasts)
      require(std::isfinite(c) && c >= 0, caller, "params.contrasts", "finite values >= 0", c);
    require(n_blank_steps >= 0, caller, "params.n_blank_steps", ">= 0", n_blank_steps);
    require(max_observations >= 1, caller, "params.max_observations", ">= 1", max_observations);
    require(std::isfinite(waiting_penalty), caller, "params.waiting_penalty", "a finite value", waiting_penalty);
    require(std::isfinite(action_threshold) && action_threshold >= 0.5 && action_threshold < 1, caller,
            "params.action_threshold", "a value in [0.5, 1)", action_threshold);
    require(n_blocks >= 1, caller, "params.n_blocks", ">= 1", n_blocks);
  }
};

/// One trial's latents and observations (all `max_observations` steps drawn; the agent may use
/// fewer). Sides: −1 left, +1 right.
struct ibl_trial {
  int block_index = 0;        ///< 0-based block of the session
  int trial_in_block = 0;     ///< 0-based index within its block
  int block_side = 0;         ///< b_n
  int stimulus_side = 0;      ///< s_n
  double contrast = 0;        ///< μ_n >= 0
  std::vector<std::array<double, 2>> observations;  ///< (o_L, o_R) per observation step

  bool concordant() const noexcept { return block_side == stimulus_side; }
  /// μ_n signed by the side: negative = left.
  double signed_contrast() const noexcept { return stimulus_side * contrast; }
};

/// A whole session drawn ahead of time.
struct ibl_session {
  std::vector<int> block_lengths;  ///< trials per block
  std::vector<ibl_trial> trials;   ///< all trials in order
};

/// One draw of a block length under `params` (see `ibl_block_lengths`).
template <class G>
int ibl_draw_block_length(const ibl_params& params, G& g) {
  if (params.block_lengths == ibl_block_lengths::truncated_geometric) {
    // Geometric on {1, 2, ...} by inversion, rejected until inside [min, max] (as the reference).
    const double log_q = std::log1p(-params.p_b0);
    for (;;) {
      const double k = std::ceil(std::log(uniform_open01(g)) / log_q);
      if (k >= params.min_block_length && k <= params.max_block_length) return static_cast<int>(k);
    }
  }
  // Semi-Markov hazard: the block has l trials so far; after trial l it ends with probability
  // 0 (l < min), p_b0 (min <= l <= max), 1 (l > max).
  int l = params.min_block_length;
  while (l <= params.max_block_length) {
    if (uniform01(g) < params.p_b0) return l;
    ++l;
  }
  return l;  // max + 1: forced switch
}

/// P(block length = k) under `params`: the definition the sampler is tested against.
inline double ibl_block_length_probability(const ibl_params& params, int k) {
  const double q = 1 - params.p_b0;
  const int lo = params.min_block_length, hi = params.max_block_length;
  if (params.block_lengths == ibl_block_lengths::truncated_geometric) {
    if (k < lo || k > hi) return 0;
    const double mass = std::pow(q, lo - 1) - std::pow(q, hi);  // P(lo <= K <= hi)
    return std::pow(q, k - 1) * params.p_b0 / mass;
  }
  if (k < lo || k > hi + 1) return 0;
  if (k == hi + 1) return std::pow(q, hi - lo + 1);
  return std::pow(q, k - lo) * params.p_b0;
}

/// Draws a whole session of `params.n_blocks` blocks: the open-loop sampler (training examples).
template <class G>
ibl_session ibl_sample_session(const ibl_params& params, G& g) {
  params.validate("rnnlab::ibl_sample_session");
  ibl_session session;
  int side = random_sign(g);
  const auto n_obs = static_cast<std::size_t>(params.max_observations);
  for (int block = 0; block < params.n_blocks; ++block) {
    if (block > 0) {
      const bool flip = params.block_sides == ibl_block_sides::alternating || uniform01(g) < params.p_side_flip;
      if (flip) side = -side;
    }
    const int length = ibl_draw_block_length(params, g);
    session.block_lengths.push_back(length);
    for (int i = 0; i < length; ++i) {
      ibl_trial trial;
      trial.block_index = block;
      trial.trial_in_block = i;
      trial.block_side = side;
      trial.stimulus_side = uniform01(g) < params.p_s ? side : -side;
      trial.contrast = params.contrasts[uniform_index(g, params.contrasts.size())];
      trial.observations.resize(n_obs);
      for (auto& o : trial.observations) {
        const double a = standard_normal(g), b = standard_normal(g);
        // Index 0 = left, 1 = right; the stimulus side's channel has mean μ.
        o = trial.stimulus_side < 0 ? std::array<double, 2>{trial.contrast + a, b}
                                    : std::array<double, 2>{a, trial.contrast + b};
      }
      session.trials.push_back(std::move(trial));
    }
  }
  return session;
}

/// What happened in one trial of the closed loop: the latents and the agent's behaviour.
struct ibl_trial_outcome {
  int block_index = 0, trial_in_block = 0, block_side = 0, stimulus_side = 0;
  double contrast = 0;
  int action = 0;          ///< −1 left, +1 right, 0 timeout
  bool correct = false;    ///< action == stimulus side
  int n_observations = 0;  ///< observation steps seen up to and including the action step
                           ///< (max_observations on a timeout): the chronometric "steps to act"
  bool concordant() const noexcept { return block_side == stimulus_side; }
  double signed_contrast() const noexcept { return stimulus_side * contrast; }
};

/// The closed-loop IBL environment (tasks/concepts.hpp `Environment`). Observation = (o_L, o_R, r);
/// action = the agent's (p_left, p_right) at the step it just saw. `step` consumes no randomness:
/// the session is drawn at `reset(g)` (or given), so a session and a sequence of actions fix
/// everything.
class ibl_environment {
public:
  using observation_type = std::array<double, 3>;
  using action_type = std::array<double, 2>;

  explicit ibl_environment(ibl_params params = ibl_params::reference_code()) : m_params(std::move(params)) {
    m_params.validate("rnnlab::ibl_environment::ibl_environment");
  }

  const ibl_params& params() const noexcept { return m_params; }
  static constexpr Index n_observations() noexcept { return 3; }
  static constexpr Index n_actions() noexcept { return 2; }

  /// Draws a new session of `params().n_blocks` blocks and returns its first observation.
  template <class G>
  observation_type reset(G& g) {
    return reset(ibl_sample_session(m_params, g));
  }

  /// Plays the given session from its start; returns the first observation.
  observation_type reset(ibl_session session) {
    require(!session.trials.empty(), "rnnlab::ibl_environment::reset", "session", "at least one trial", "none");
    for (const auto& t : session.trials)
      require_shape(t.observations.size() >= static_cast<std::size_t>(m_params.max_observations),
                    "rnnlab::ibl_environment::reset", "session",
                    "trials with " + std::to_string(m_params.max_observations) + " observation steps",
                    t.observations.size());
    m_session = std::move(session);
    m_log.clear();
    m_trial = 0;
    m_step = 0;
    m_started = true;
    return observation(0.0);
  }

  /// Applies the agent's output at the current step. Returns the next observation, the feedback
  /// this step produced (the `r` of the next input: 0 blank, waiting penalty, ±1 action, −1
  /// timeout) and whether the session ended. Throws when called before `reset` or after the end.
  template <class G>
  environment_step<observation_type> step(const action_type& action, G&) {
    return step(action);
  }

  environment_step<observation_type> step(const action_type& action) {
    constexpr const char* fn = "rnnlab::ibl_environment::step";
    require(m_started && m_trial < m_session.trials.size(), fn, "this", "a session in progress (call reset first)",
            "no trial left");
    require(std::isfinite(action[0]) && std::isfinite(action[1]), fn, "action", "finite probabilities",
            std::to_string(action[0]) + ", " + std::to_string(action[1]));
    const ibl_trial& trial = m_session.trials[m_trial];
    const int n_blank = m_params.n_blank_steps;
    double feedback = 0;
    bool trial_over = false;
    int chosen = 0;
    if (m_step >= n_blank) {
      if (std::max(action[0], action[1]) > m_params.action_threshold) {
        chosen = action[1] > action[0] ? 1 : -1;
        feedback = chosen == trial.stimulus_side ? 1.0 : -1.0;
        trial_over = true;
      } else if (m_step + 1 >= m_params.max_steps()) {
        feedback = -1.0;  // timeout
        trial_over = true;
      } else {
        feedback = m_params.waiting_penalty;
      }
    }
    if (!trial_over) {
      ++m_step;
      return {observation(feedback), feedback, false};
    }
    ibl_trial_outcome out;
    out.block_index = trial.block_index;
    out.trial_in_block = trial.trial_in_block;
    out.block_side = trial.block_side;
    out.stimulus_side = trial.stimulus_side;
    out.contrast = trial.contrast;
    out.action = chosen;
    out.correct = chosen == trial.stimulus_side;
    out.n_observations = m_step - n_blank + 1;
    m_log.push_back(out);
    ++m_trial;
    m_step = 0;
    if (m_trial == m_session.trials.size()) return {observation_type{0, 0, 0}, feedback, true};
    const double first = m_params.first_step == ibl_first_step_feedback::previous_outcome ? feedback : 0.0;
    return {observation(first), feedback, false};
  }

  /// The session being played.
  const ibl_session& session() const noexcept { return m_session; }
  /// Finished trials, in order.
  const std::vector<ibl_trial_outcome>& trials() const noexcept { return m_log; }
  /// Index of the current trial in the session and the step within it (0-based).
  std::size_t trial_index() const noexcept { return m_trial; }
  int step_in_trial() const noexcept { return m_step; }
  /// True when the current step is a blank step.
  bool blank_step() const noexcept { return m_step < m_params.n_blank_steps; }

private:
  observation_type observation(double feedback) const {
    if (m_step < m_params.n_blank_steps) return {0, 0, feedback};
    const auto& o = m_session.trials[m_trial].observations[static_cast<std::size_t>(m_step - m_params.n_blank_steps)];
    return {o[0], o[1], feedback};
  }

  ibl_params m_params;
  ibl_session m_session;
  std::vector<ibl_trial_outcome> m_log;
  std::size_t m_trial = 0;
  int m_step = 0;
  bool m_started = false;
};

static_assert(Environment<ibl_environment>);

}  // namespace rnnlab
