#pragma once
/// \file ibl/behaviour.hpp
/// Behaviour curves of the IBL task for any agent — a network or a Bayesian agent in
/// `ibl_environment`, the Bayesian observer, a distilled model, a mouse (ibl/mouse_csv.hpp) —
/// from one common trial record (Schaeffer et al. 2020, Figs. 2 and 3):
///
///   - psychometric: fraction of actions that are correct by (signed or absolute) contrast, over all
///     trials or split concordant / discordant (stimulus on / against the block side; Fig. 3a);
///   - chronometric: mean reaction (steps to act for agents, seconds for mice) by contrast, split
///     likewise (Figs. 2b, 2c);
///   - block change: fraction correct by trial index after a block change-point, over all contrasts
///     or at zero contrast only (Figs. 3b, 3c).
///
/// Conventions: sides −1 = left, +1 = right, 0 = none / unknown; signed contrast < 0 = left.
/// "Fraction correct" counts trials with an action (a timeout or a mouse's no-go is left out, as
/// in Fig. 2a's "fraction of actions that are correct"); the point's n says how many were counted.

#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <rnnlab/error.hpp>

#include <rnnlab/ibl/bayes.hpp>
#include <rnnlab/tasks/ibl.hpp>

namespace rnnlab {

/// One trial as the behaviour curves see it.
struct ibl_behaviour_trial {
  double signed_contrast = 0;  ///< stimulus side × contrast (< 0 left); 0 at zero contrast
  int stimulus_side = 0;       ///< −1, +1; 0 when unknown
  int block_side = 0;          ///< −1, +1; 0 for an unbiased or unknown block
  int action = 0;              ///< −1, +1; 0 = no action (timeout, no-go)
  bool correct = false;
  double reaction = std::numeric_limits<double>::quiet_NaN();  ///< steps or seconds; NaN unknown
  int trials_since_change = -1;  ///< 0 on the first trial of a block that follows a block change;
                                 ///< −1 when the block did not start with a change

  bool concordant() const noexcept { return block_side != 0 && stimulus_side == block_side; }
  bool discordant() const noexcept { return block_side != 0 && stimulus_side == -block_side; }
};

/// Which trials a curve uses.
enum class ibl_trial_split { all, concordant, discordant };
/// The x axis of psychometric and chronometric curves.
enum class ibl_contrast_axis { signed_contrast, absolute_contrast };

/// A curve: x values (ascending), the number of trials behind each point and the value.
struct ibl_curve {
  std::vector<double> x;
  std::vector<std::size_t> n;
  std::vector<double> value;
};

/// Behaviour records of an agent's session in `ibl_environment` (its `trials()` log). Reaction =
/// observation steps to the action.
inline std::vector<ibl_behaviour_trial> ibl_behaviour_from(const std::vector<ibl_trial_outcome>& log) {
  std::vector<ibl_behaviour_trial> out;
  out.reserve(log.size());
  for (const auto& t : log) {
    ibl_behaviour_trial b;
    b.signed_contrast = t.signed_contrast();
    b.stimulus_side = t.stimulus_side;
    b.block_side = t.block_side;
    b.action = t.action;
    b.correct = t.correct;
    b.reaction = t.n_observations;
    b.trials_since_change = t.block_index > 0 ? t.trial_in_block : -1;
    out.push_back(b);
  }
  return out;
}

/// Behaviour records of the Bayesian observer on an agent's session (the agent's log gives the
/// latents and the trial lengths; the observer's decisions replace the agent's actions).
inline std::vector<ibl_behaviour_trial> ibl_behaviour_from(const std::vector<ibl_trial_outcome>& log,
                                                           const std::vector<ibl_observer_trial>& observer) {
  require_shape(log.size() == observer.size(), "rnnlab::ibl_behaviour_from", "observer",
                std::to_string(log.size()) + " trials (the log's)", observer.size());
  auto out = ibl_behaviour_from(log);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].action = observer[i].action;
    out[i].correct = observer[i].correct;
  }
  return out;
}

namespace detail {

inline bool ibl_in_split(const ibl_behaviour_trial& t, ibl_trial_split split) {
  switch (split) {
    case ibl_trial_split::all: return true;
    case ibl_trial_split::concordant: return t.concordant();
    case ibl_trial_split::discordant: return t.discordant();
  }
  return false;
}

struct ibl_accumulator {
  std::size_t n = 0;
  double sum = 0;
};

inline ibl_curve ibl_to_curve(const std::map<double, ibl_accumulator>& bins) {
  ibl_curve c;
  for (const auto& [x, a] : bins) {
    c.x.push_back(x);
    c.n.push_back(a.n);
    c.value.push_back(a.sum / static_cast<double>(a.n));
  }
  return c;
}

inline double ibl_axis(const ibl_behaviour_trial& t, ibl_contrast_axis axis) {
  const double x = axis == ibl_contrast_axis::absolute_contrast ? std::abs(t.signed_contrast) : t.signed_contrast;
  return x == 0 ? 0.0 : x;  // one bin for ±0
}

}  // namespace detail

/// Fraction of actions that are correct, by contrast (Figs. 2a, 3a).
inline ibl_curve ibl_psychometric(const std::vector<ibl_behaviour_trial>& trials,
                                  ibl_trial_split split = ibl_trial_split::all,
                                  ibl_contrast_axis axis = ibl_contrast_axis::signed_contrast) {
  std::map<double, detail::ibl_accumulator> bins;
  for (const auto& t : trials) {
    if (t.action == 0 || !detail::ibl_in_split(t, split)) continue;
    auto& a = bins[detail::ibl_axis(t, axis)];
    ++a.n;
    a.sum += t.correct ? 1.0 : 0.0;
  }
  return detail::ibl_to_curve(bins);
}

/// Mean reaction (steps to act, or seconds) of trials with an action and a known reaction, by
/// contrast (Figs. 2b, 2c).
inline ibl_curve ibl_chronometric(const std::vector<ibl_behaviour_trial>& trials,
                                  ibl_trial_split split = ibl_trial_split::all,
                                  ibl_contrast_axis axis = ibl_contrast_axis::signed_contrast) {
  std::map<double, detail::ibl_accumulator> bins;
  for (const auto& t : trials) {
    if (t.action == 0 || !std::isfinite(t.reaction) || !detail::ibl_in_split(t, split)) continue;
    auto& a = bins[detail::ibl_axis(t, axis)];
    ++a.n;
    a.sum += t.reaction;
  }
  return detail::ibl_to_curve(bins);
}

/// Fraction of actions that are correct by trial index after a block change (0 = the first trial
/// of the new block), up to `max_index`; all contrasts or zero contrast only (Figs. 3b, 3c).
inline ibl_curve ibl_block_change_curve(const std::vector<ibl_behaviour_trial>& trials, int max_index = 100,
                                        bool zero_contrast_only = false) {
  require(max_index >= 0, "rnnlab::ibl_block_change_curve", "max_index", ">= 0", max_index);
  std::map<double, detail::ibl_accumulator> bins;
  for (const auto& t : trials) {
    if (t.action == 0 || t.trials_since_change < 0 || t.trials_since_change > max_index) continue;
    if (zero_contrast_only && t.signed_contrast != 0) continue;
    auto& a = bins[static_cast<double>(t.trials_since_change)];
    ++a.n;
    a.sum += t.correct ? 1.0 : 0.0;
  }
  return detail::ibl_to_curve(bins);
}

/// Appends every behaviour curve of one agent to a CSV stream, one row per point, columns
/// agent,curve,split,x,n,value (the header is the caller's): psychometric and chronometric curves
/// split all / concordant / discordant, and the block-change curves (100 trials; all, zero contrast).
/// What `rnnlab ibl` and examples/ibl.cpp write as curves.csv (scripts/plot_ibl.py reads it).
template <class Stream>
void append_ibl_curves_csv(Stream& csv, const std::string& agent, const std::vector<ibl_behaviour_trial>& b) {
  auto put = [&](const char* curve, const char* split, const ibl_curve& c) {
    for (std::size_t i = 0; i < c.x.size(); ++i)
      csv << agent << ',' << curve << ',' << split << ',' << c.x[i] << ',' << c.n[i] << ',' << c.value[i] << '\n';
  };
  const std::pair<ibl_trial_split, const char*> splits[] = {
      {ibl_trial_split::all, "all"}, {ibl_trial_split::concordant, "concordant"}, {ibl_trial_split::discordant, "discordant"}};
  for (const auto& [s, name] : splits) {
    put("psychometric", name, ibl_psychometric(b, s));
    put("chronometric", name, ibl_chronometric(b, s));
  }
  put("block_change", "all", ibl_block_change_curve(b, 100, false));
  put("block_change", "zero_contrast", ibl_block_change_curve(b, 100, true));
}

}  // namespace rnnlab
