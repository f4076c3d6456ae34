#pragma once
/// \file learning/callbacks.hpp
/// What the training loop (learning/trainer.hpp) reports to, and the callbacks that make up its
/// run control: the progress line, the stopping rules, the budgets, divergence rollback and
/// checkpoints. As in ensmallen, `train()` is a short loop and each of these is a callback; a
/// callback is any object and implements only the hooks it needs (found by detection):
///
///     on_begin(ctx)          once, before the first update (after the validation set is drawn)
///     before_update(ctx)     before every `rule.update`
///     after_update(ctx)      right after it (the divergence guard); a stop requested here ends the
///                            loop at once, without validation or on_update
///     on_validation(ctx)     after every validation (the stopping rules)
///     on_update(ctx)         after every update (progress, checkpoints, logging)
///     check_stop(ctx)        last hook of an update (budgets); call ctx.request_stop(status, why)
///     on_end(ctx)            once, after the loop, with the report's status set
///
/// plus, for compatibility, `bool stop_requested(const training_progress&)` (a true answer stops
/// with status `stopped`) and `on_checkpoint(const Net&, const training_progress&)` (every
/// `train_options::checkpoint_every` updates and at the end). `ctx` is a
/// `training_context<Net, State>`: a `training_progress` (so a hook may take
/// `const training_progress&`) plus the network, the rule's state, the training generator and
/// the report being written. The first stop requested in an update wins; hooks run in the order
/// the callbacks are listed: the trainer's built-in ones (divergence guard, stopping rule) first,
/// then the user's, then the budgets and the progress line.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>  // isatty, fileno

#include <rnnlab/names.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/detail/archive.hpp>
#include <rnnlab/random.hpp>

namespace rnnlab {

enum class training_status {
  converged,         ///< the stopping rule on validation fired
  budget_exhausted,  ///< max_updates, max_trials or max_seconds reached first
  diverged,          ///< a NaN/inf loss or non-finite parameters; the last good parameters are kept
  stopped,           ///< a callback asked to stop
};

/// The names of training_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<training_status, std::string_view>, 4> enum_names(training_status) {
  return {{{training_status::converged, "converged"},
           {training_status::budget_exhausted, "budget_exhausted"},
           {training_status::diverged, "diverged"},
           {training_status::stopped, "stopped"}}};
}

/// What callbacks see.
struct training_progress {
  Index updates = 0;
  Index trials = 0;
  double loss = std::numeric_limits<double>::quiet_NaN();      ///< the latest update's loss
  /// The latest validation score: the task's `score` (decision accuracy for the evidence tasks).
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  double window_min = std::numeric_limits<double>::quiet_NaN();  ///< min score over the stopping window
  double validation_loss = std::numeric_limits<double>::quiet_NaN();  ///< latest (loss-based stopping only)
  double seconds = 0;
  double updates_per_second = 0;
  double trials_per_second = 0;
};

/// The outcome of `train`.
struct training_report {
  training_status status = training_status::budget_exhausted;
  std::string reason;      ///< which rule or budget ended training, in words
  std::string score_name;  ///< what accuracy_history holds (the task's score_name(); empty if unscored)
  Index updates = 0;
  Index trials = 0;
  double wall_seconds = 0;
  double validation_seconds = 0;  ///< part of wall_seconds spent on validation
  double final_accuracy = std::numeric_limits<double>::quiet_NaN();  ///< score at the last validation
  std::vector<double> loss_history;             ///< one per update (the update's loss)
  std::vector<Index> validation_updates;        ///< update count at each validation
  std::vector<double> accuracy_history;         ///< score at each validation (scored tasks)
  std::vector<double> validation_loss_history;  ///< validation loss at each validation (loss-based stopping)

  /// The fields a checkpoint stores (status and reason only matter for a finished run).
  template <class Ar>
  void serialize(Ar& ar) {
    ar(status);
    ar(reason);
    ar(updates);
    ar(trials);
    ar(wall_seconds);
    ar(validation_seconds);
    ar(final_accuracy);
    ar(loss_history);
    ar(validation_updates);
    ar(accuracy_history);
    ar(validation_loss_history);
  }
};

namespace detail {
/// The trainer's bookkeeping for exact lazy validation (learning/trainer.hpp): the next
/// validation point at which a stop is possible, and a ring of the parameters (and known
/// verdicts) of the last `window` validation points, for looking back.
template <class Params>
struct lazy_validation_state {
  Index candidate = 0;               ///< no stop is possible at a validation point before this one
  std::vector<Params> snapshots;     ///< ring: the parameters at validation point k in slot k % window
  std::vector<Index> point;          ///< which validation point each slot holds (0 = none)
  std::vector<signed char> verdict;  ///< per slot: −1 not evaluated, 0 below the threshold, 1 at or above

  template <class Ar>
  void serialize(Ar& ar) {
    ar(candidate);
    std::uint64_t n = snapshots.size();
    ar(n);
    if (ar.reading()) {
      // Slots are read into copies of slot 0's shapes, so the archive can check them.
      if (snapshots.empty() && n > 0) throw io_error("rnnlab::checkpoint_file: lazy validation state without a shape");
      snapshots.resize(static_cast<std::size_t>(n), snapshots.empty() ? Params{} : snapshots.front());
    }
    for (auto& x : snapshots) ar(x);
    ar(point);
    ar(verdict);
  }
};
}  // namespace detail

/// The loop's state as callbacks see it (see the file comment).
template <class Net, class State>
struct training_context : training_progress {
  training_context(Net& n, State& s, rng& g, training_report& r) : net(n), state(s), generator(g), report(r) {}

  Net& net;                 ///< the network being trained
  State& state;             ///< the rule's per-run state (`rule.make_state(net)`)
  rng& generator;           ///< the training stream (batches, initial states)
  training_report& report;  ///< histories so far; status and reason once a stop is requested
  bool validated = false;   ///< whether the current update was validated
  double seconds_before = 0;  ///< wall seconds of the run before a resume (from a checkpoint)
  bool finished = false;    ///< resumed from the checkpoint of a finished run: no update is made
  /// Lazy validation's bookkeeping (used only with `validation_mode::lazy`).
  detail::lazy_validation_state<std::remove_cvref_t<decltype(std::declval<Net&>().parameters())>> lazy;

  /// Asks the loop to stop after the current hook phase; the first request wins.
  void request_stop(training_status status, std::string reason) {
    if (m_stop) return;
    m_stop = true;
    report.status = status;
    report.reason = std::move(reason);
  }
  bool stop_pending() const noexcept { return m_stop; }

private:
  bool m_stop = false;
};

// ---------------------------------------------------------------------------------------------
// Stopping rules

/// When training stops on the validation score (or loss).
enum class stopping_rule {
  min_of_last,  ///< the worst of the last `window` validations reaches the threshold (reference code)
  threshold,    ///< the latest validation reaches the threshold (paper text)
  never,        ///< only budgets, divergence or a callback stop training
};

/// The names of stopping_rule (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<stopping_rule, std::string_view>, 3> enum_names(stopping_rule) {
  return {{{stopping_rule::min_of_last, "min_of_last"},
           {stopping_rule::threshold, "threshold"},
           {stopping_rule::never, "never"}}};
}

/// What the stopping rule watches.
enum class stopping_metric {
  score,  ///< the task's score (higher is better; needs a ScoredTask)
  loss,   ///< the masked loss on the validation set (lower is better; any task)
};

/// The names of stopping_metric (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<stopping_metric, std::string_view>, 2> enum_names(stopping_metric) {
  return {{{stopping_metric::score, "score"},
           {stopping_metric::loss, "loss"}}};
}

namespace detail {
/// Min (or max) of the last `window` entries of `h`; NaN when fewer.
inline double window_extreme(const std::vector<double>& h, Index window, bool minimum) {
  if (static_cast<Index>(h.size()) < window || window < 1) return std::numeric_limits<double>::quiet_NaN();
  const auto first = h.end() - static_cast<std::ptrdiff_t>(window);
  return minimum ? *std::min_element(first, h.end()) : *std::max_element(first, h.end());
}
}  // namespace detail

/// Stops (status converged) when the task's score reaches `threshold`: in the last `window`
/// validations (min_of_last; the reference code's 10 ≥ 0.9) or in the latest (threshold).
struct stop_on_score {
  stopping_rule rule = stopping_rule::min_of_last;
  double threshold = 0.9;
  Index window = 10;

  template <class Ctx>
  void on_validation(Ctx& ctx) const {
    const auto& h = ctx.report.accuracy_history;
    if (rule == stopping_rule::min_of_last && !std::isnan(detail::window_extreme(h, window, true)) &&
        detail::window_extreme(h, window, true) >= threshold)
      ctx.request_stop(training_status::converged, "min of the last " + std::to_string(window) + " validation " +
                                                        name(ctx) + " values >= " + std::to_string(threshold));
    else if (rule == stopping_rule::threshold && !h.empty() && h.back() >= threshold)
      ctx.request_stop(training_status::converged, "validation " + name(ctx) + " >= " + std::to_string(threshold));
  }

private:
  template <class Ctx>
  static std::string name(const Ctx& ctx) {
    return ctx.report.score_name.empty() ? std::string("score") : ctx.report.score_name;
  }
};

/// Stops (status converged) when the validation loss falls to `threshold`: in all of the last
/// `window` validations (min_of_last: their maximum ≤ threshold) or in the latest (threshold).
/// Drives tasks without a score (no labels) as well as scored ones.
struct stop_on_loss {
  stopping_rule rule = stopping_rule::threshold;
  double threshold = 0;
  Index window = 1;

  template <class Ctx>
  void on_validation(Ctx& ctx) const {
    const auto& h = ctx.report.validation_loss_history;
    const double worst = detail::window_extreme(h, rule == stopping_rule::min_of_last ? window : 1, false);
    if (rule != stopping_rule::never && !std::isnan(worst) && worst <= threshold)
      ctx.request_stop(training_status::converged,
                       (rule == stopping_rule::min_of_last ? "max of the last " + std::to_string(window) + " validation losses"
                                                           : std::string("validation loss")) +
                           " <= " + std::to_string(threshold));
  }
};

// ---------------------------------------------------------------------------------------------
// Budgets

/// Stops (budget_exhausted) after `max_updates` updates (0 = no cap).
struct update_budget {
  Index max_updates = 0;
  template <class Ctx>
  void check_stop(Ctx& ctx) const {
    if (max_updates > 0 && ctx.updates >= max_updates)
      ctx.request_stop(training_status::budget_exhausted, "max_updates = " + std::to_string(max_updates) + " reached");
  }
};

/// Stops (budget_exhausted) once `max_trials` trials were consumed (0 = no cap).
struct trial_budget {
  Index max_trials = 0;
  template <class Ctx>
  void check_stop(Ctx& ctx) const {
    if (max_trials > 0 && ctx.trials >= max_trials)
      ctx.request_stop(training_status::budget_exhausted, "max_trials = " + std::to_string(max_trials) + " reached");
  }
};

/// Stops (budget_exhausted) after `max_seconds` of wall-clock time, counting the time before a
/// resume (0 = none).
struct time_budget {
  double max_seconds = 0;
  template <class Ctx>
  void check_stop(Ctx& ctx) const {
    if (max_seconds > 0 && ctx.seconds >= max_seconds)
      ctx.request_stop(training_status::budget_exhausted, "max_seconds = " + std::to_string(max_seconds) + " reached");
  }
};

// ---------------------------------------------------------------------------------------------
// Divergence rollback

/// Keeps the parameters before each update; if the update's loss is NaN/inf or it left
/// non-finite parameters, restores them and stops with status diverged.
template <class Params>
struct divergence_guard {
  Params last_good{};

  template <class Ctx>
  void before_update(Ctx& ctx) {
    last_good = ctx.net.parameters();
  }
  template <class Ctx>
  void after_update(Ctx& ctx) {
    const bool loss_ok = std::isfinite(ctx.loss);
    if (loss_ok && all_finite(ctx.net.parameters())) return;
    ctx.net.parameters() = last_good;
    ctx.request_stop(training_status::diverged, loss_ok ? "non-finite parameters after an update" : "non-finite loss");
  }

private:
  static bool all_finite(const Params& p) {
    if constexpr (requires { p.for_each([](param, const auto&) {}); }) {
      bool ok = true;
      p.for_each([&](param, const auto& m) { ok = ok && m.allFinite(); });
      return ok;
    } else {
      return true;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Progress

namespace detail {
inline std::string format_duration(double s) {
  char buf[32];
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
  return buf;
}
}  // namespace detail

/// Whether to draw the live progress line on stderr.
enum class progress_display { automatic, always, never };

/// The live line on stderr (at most 4 redraws per second, and a final one): updates/s, trials/s,
/// the loss, the validation score and the stopping window's minimum, elapsed time and the time
/// left in the budgets. `automatic` draws only when stderr is a terminal.
struct progress_line {
  progress_display display = progress_display::automatic;
  Index window = 10;  ///< the stopping window shown
  Index max_updates = 0, max_trials = 0;
  double max_seconds = 0;

  progress_line() = default;
  progress_line(progress_display d, Index w, Index updates, Index trials, double seconds)
      : display(d), window(w), max_updates(updates), max_trials(trials), max_seconds(seconds) {}

  template <class Ctx>
  void on_update(Ctx& ctx) {
    draw(ctx, false);
  }
  template <class Ctx>
  void on_end(Ctx& ctx) {
    draw(ctx, true);
  }

private:
  double m_last_draw = -1;

  bool live() const {
    return display == progress_display::always ||
           (display == progress_display::automatic && ::isatty(::fileno(stderr)));
  }

  template <class Ctx>
  void draw(const Ctx& p, bool final_line) {
    if (!live()) return;
    const double now = p.seconds;
    if (!final_line && now - m_last_draw < 0.25) return;
    m_last_draw = now;
    double left = std::numeric_limits<double>::infinity();
    if (max_updates > 0 && p.updates_per_second > 0)
      left = std::min(left, static_cast<double>(max_updates - p.updates) / p.updates_per_second);
    if (max_trials > 0 && p.trials_per_second > 0)
      left = std::min(left, static_cast<double>(max_trials - p.trials) / p.trials_per_second);
    if (max_seconds > 0) left = std::min(left, max_seconds - now);
    std::fprintf(stderr,
                 "\r\033[K[train] update %lld | %.1f upd/s %.0f trials/s | loss %.4g | val %s %.4f (min of last %lld: "
                 "%.4f) | %s elapsed, budget ends in ≤ %s",
                 static_cast<long long>(p.updates), p.updates_per_second, p.trials_per_second, p.loss,
                 p.report.score_name.empty() ? "score" : p.report.score_name.c_str(), p.accuracy,
                 static_cast<long long>(window), p.window_min, detail::format_duration(now).c_str(),
                 detail::format_duration(left).c_str());
    if (final_line) std::fputc('\n', stderr);
    std::fflush(stderr);
  }
};

// ---------------------------------------------------------------------------------------------
// Checkpoints

/// Writes a checkpoint of the run to `path` every `every` updates and at the end, atomically
/// (a temporary file renamed over the previous one): the network's parameters, the rule's state
/// (optimiser moments, ...: the state's `serialize(ar)`), the training generator's state and the
/// trainer's (counters, histories, elapsed time). With `resume` (the default), a run started
/// with an existing checkpoint at `path` continues from it: with the same task, rule, options
/// and seed, it ends with bit-identical parameters and the same stopping update as an
/// uninterrupted run. A checkpoint of a finished run (any status but `stopped`) makes `train`
/// return that run's report without updating. The validation set is not stored: it is drawn
/// again from the seed.
///
/// Throws io_error (naming the file) on a file that is not a checkpoint of this network/rule.
class checkpoint_file {
public:
  explicit checkpoint_file(std::filesystem::path path, Index every = 1, bool resume = true)
      : m_path(std::move(path)), m_every(every), m_resume(resume) {
    require(!m_path.empty(), "rnnlab::checkpoint_file", "path", "a file path", "an empty path");
    require(every >= 1, "rnnlab::checkpoint_file", "every", ">= 1", every);
  }

  const std::filesystem::path& path() const noexcept { return m_path; }

  template <class Ctx>
  void on_begin(Ctx& ctx) {
    if (m_resume && std::filesystem::exists(m_path)) {
      auto ar = open(ctx, true);
      std::uint8_t finished = 0;
      fields(ar, ctx, finished);
      ar.expect_end();
      ctx.finished = finished != 0;
      m_resumed = true;
    }
  }
  template <class Ctx>
  void on_update(Ctx& ctx) {
    if (ctx.updates % m_every == 0) write(ctx, false);
  }
  template <class Ctx>
  void on_end(Ctx& ctx) {
    write(ctx, ctx.report.status != training_status::stopped);
  }

  /// Whether the last run started from an existing checkpoint.
  bool resumed() const noexcept { return m_resumed; }

private:
  std::filesystem::path m_path;
  Index m_every;
  bool m_resume;
  bool m_resumed = false;

  template <class Ctx>
  detail::checkpoint_archive open(const Ctx& ctx, bool reading) const {
    using Scalar = std::remove_cvref_t<decltype(ctx.net.alpha())>;
    return reading ? detail::checkpoint_archive::reader(m_path, sizeof(Scalar))
                   : detail::checkpoint_archive::writer(m_path, sizeof(Scalar));
  }

  template <class Ctx>
  void write(Ctx& ctx, bool finished) {
    auto ar = open(ctx, false);
    std::uint8_t f = finished ? 1 : 0;
    fields(ar, ctx, f);
    ar.commit();
  }

  template <class Ctx>
  static void fields(detail::checkpoint_archive& ar, Ctx& ctx, std::uint8_t& finished) {
    static_assert(requires(detail::checkpoint_archive& a, decltype(ctx.state)& s) { a(s); },
                  "checkpoint_file: the learning rule's state cannot be archived; give it a member "
                  "`template <class Ar> void serialize(Ar& ar)` that calls ar(field) for every field that "
                  "carries over between updates");
    ar(finished);
    ar(ctx.net.parameters());
    ar(ctx.state);
    auto g = ctx.generator.state();
    ar(g);
    if (ar.reading()) ctx.generator.set_state(g);
    training_progress& p = ctx;
    ar(p.updates);
    ar(p.trials);
    ar(p.loss);
    ar(p.accuracy);
    ar(p.window_min);
    ar(p.validation_loss);
    double seconds = p.seconds;
    ar(seconds);
    if (ar.reading()) ctx.seconds_before = seconds;
    ar(ctx.report);
    ar(ctx.lazy);
  }
};

}  // namespace rnnlab
