#pragma once
/// \file learning/trainer.hpp
/// The one training loop every learning rule uses:
///
///     auto report = train(net, task, rule, options, callbacks...);
///
/// It draws the fixed validation set once (the reference validation set of McMahan et al. 2021,
/// reference_code_spec §1.3: 2,000 trials, magnitudes cycling linspace(0, 0.1875, 20)), then
/// repeats `rule.update(net, state, task, rng)` and, every `validate_every` updates, measures the
/// decision accuracy on the validation set, until a stopping rule fires:
///
///   - `min_of_last` (the reference code's): the minimum of the last `window` (10) validation
///     accuracies ≥ `accuracy` (0.9); at least `window` validations are needed;
///   - `threshold` (the paper's text, "exceeded 90 %"): the latest accuracy ≥ `accuracy`;
///   - a budget: `max_updates`, `max_trials` (trials consumed, as the rule reports them), or
///     `max_seconds` of wall-clock time → status budget_exhausted;
///   - a NaN or infinite loss, or non-finite parameters after an update → status diverged, and the
///     parameters are restored to those before that update (finite: the last good ones);
///   - a callback asking to stop → status stopped.
///
/// Callbacks are optional and found by detection; any object may provide any of
///     void on_update(const training_progress&)          after every update
///     void on_validation(const training_progress&)      after every validation
///     void on_checkpoint(const Net&, const training_progress&)   every `checkpoint_every` updates
///     bool stop_requested(const training_progress&)     asked after every update
///
/// When stderr is a terminal (or `progress = always`), a live line shows updates/s, trials/s, the
/// loss, the validation accuracy (and the stopping window's minimum) and the time left in the
/// budget. The rule knows nothing of this loop, so GA, Hebbian or full-FORCE rules reuse it as is.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>  // isatty, fileno

#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/tasks/validation.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// When training stops on accuracy.
enum class stopping_rule {
  min_of_last,  ///< min of the last `window` validation accuracies ≥ accuracy (reference code)
  threshold,    ///< the latest validation accuracy ≥ accuracy (paper text)
  never,        ///< only budgets, divergence or a callback stop training
};

/// The names of stopping_rule (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<stopping_rule, std::string_view>, 3> enum_names(stopping_rule) {
  return {{{stopping_rule::min_of_last, "min_of_last"},
           {stopping_rule::threshold, "threshold"},
           {stopping_rule::never, "never"}}};
}

struct stopping_criterion {
  stopping_rule rule = stopping_rule::min_of_last;
  double accuracy = 0.9;
  Index window = 10;
};

/// Whether to draw the live progress line on stderr.
enum class progress_display { automatic, always, never };

/// The names of progress_display (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<progress_display, std::string_view>, 3> enum_names(progress_display) {
  return {{{progress_display::automatic, "automatic"},
           {progress_display::always, "always"},
           {progress_display::never, "never"}}};
}

/// Options of `train`.
struct train_options {
  stopping_criterion stop{};
  Index max_updates = 20000;  ///< the reference code's cap (10 · 2000 iterations); 0 = none
  Index max_trials = 0;       ///< 0 = no cap
  double max_seconds = 0;     ///< wall-clock budget; 0 = none
  Index validate_every = 1;   ///< validation after every k-th update (the reference code: 1)
  validation_set_params validation{};  ///< 2,000 trials, 20 levels up to 0.1875
  /// Initial states of the validation trials: an independent N(0, std²) per trial, drawn once with
  /// the set (the reference code's `feed` draws std 0.3 per trial, afresh at every evaluation);
  /// a negative value uses the network's own x0.
  double validation_x0_std = 0.3;
  accuracy_convention convention = accuracy_convention::reference;
  std::uint64_t seed = 0;  ///< training stream make_stream(seed, 0, training), validation (…, validation)
  progress_display progress = progress_display::automatic;
  Index checkpoint_every = 0;  ///< on_checkpoint every k updates (and at the end); 0 = at the end only
  shard_options evaluation{};  ///< shards and threads of the validation forward pass

  /// The reference code's stopping: min of last 10 ≥ 0.9, validation after every update, at most
  /// 20,000 updates.
  static train_options reference_code() { return {}; }
  /// The paper's text: stop when the validation accuracy exceeds 90 %.
  static train_options paper_text() {
    train_options o;
    o.stop = {stopping_rule::threshold, 0.9, 1};
    return o;
  }

  void validate() const {
    constexpr std::string_view fn = "rnnlab::train_options::validate";
    require(std::isfinite(stop.accuracy) && stop.accuracy >= 0 && stop.accuracy <= 1, fn, "stop.accuracy",
            "a value in [0, 1]", stop.accuracy);
    require(stop.window >= 1, fn, "stop.window", ">= 1", stop.window);
    require(max_updates >= 0, fn, "max_updates", ">= 0 (0 = no cap)", max_updates);
    require(max_trials >= 0, fn, "max_trials", ">= 0 (0 = no cap)", max_trials);
    require(std::isfinite(max_seconds) && max_seconds >= 0, fn, "max_seconds", "a finite value >= 0 (0 = none)",
            max_seconds);
    require(max_updates > 0 || max_trials > 0 || max_seconds > 0 || stop.rule != stopping_rule::never, fn,
            "max_updates", "some budget or stopping rule (all are off)", 0);
    require(validate_every >= 1, fn, "validate_every", ">= 1", validate_every);
    require(checkpoint_every >= 0, fn, "checkpoint_every", ">= 0", checkpoint_every);
    require(std::isfinite(validation_x0_std), fn, "validation_x0_std", "a finite value", validation_x0_std);
    require(evaluation.shards >= 1, fn, "evaluation.shards", ">= 1", evaluation.shards);
    validation.validate(fn);
  }
};

enum class training_status {
  converged,         ///< the stopping rule on validation accuracy fired
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
  double accuracy = std::numeric_limits<double>::quiet_NaN();  ///< the latest validation accuracy
  double window_min = std::numeric_limits<double>::quiet_NaN();  ///< min over the stopping window
  double seconds = 0;
  double updates_per_second = 0;
  double trials_per_second = 0;
};

/// The outcome of `train`.
struct training_report {
  training_status status = training_status::budget_exhausted;
  std::string reason;  ///< which rule or budget ended training, in words
  Index updates = 0;
  Index trials = 0;
  double wall_seconds = 0;
  double validation_seconds = 0;  ///< part of wall_seconds spent on validation
  double final_accuracy = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> loss_history;        ///< one per update (the update's loss)
  std::vector<Index> validation_updates;   ///< update count at each validation
  std::vector<double> accuracy_history;    ///< accuracy at each validation
};

/// Trains `net` on `task` with `rule` until a stopping rule or budget fires; see the file comment.
template <class Net, class T, class R, class... Callbacks>
  requires LearningRule<R, Net, T>
training_report train(Net& net, const T& task, const R& rule, const train_options& options = {},
                      Callbacks&&... callbacks);

// ---------------------------------------------------------------------------------------------

namespace detail {

template <class P>
bool parameters_finite(const P& params) {
  if constexpr (requires { params.for_each([](param, const auto&) {}); }) {
    bool ok = true;
    params.for_each([&](param, const auto& m) { ok = ok && m.allFinite(); });
    return ok;
  } else {
    return true;
  }
}

/// Validation outputs: the sharded forward pass for CTRNNs, the network's own simulate otherwise.
template <class Scalar, Activation F, class X0>
sequence<Scalar> validation_outputs(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs, const X0& x0,
                                    const shard_options& opt) {
  return simulate_sharded(net, inputs, x0, opt);
}
template <class Net, class X0>
auto validation_outputs(const Net& net, const sequence<typename Net::scalar_type>& inputs, const X0& x0,
                        const shard_options&) {
  if constexpr (requires { net.simulate(inputs, x0).outputs; })
    return net.simulate(inputs, x0).outputs;
  else
    return net.simulate(inputs).outputs;
}

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

template <class Net, class T, class R, class... Callbacks>
  requires LearningRule<R, Net, T>
training_report train(Net& net, const T& task, const R& rule, const train_options& options, Callbacks&&... callbacks) {
  using Scalar = typename Net::scalar_type;
  using clock = std::chrono::steady_clock;
  constexpr std::string_view fn = "rnnlab::train";
  options.validate();
  rule.validate();
  check_task_fits(task, net, fn);

  // The fixed validation set and its initial states, drawn once.
  auto gv = make_stream(options.seed, 0, stream_purpose::validation);
  trial_batch<Scalar> val;
  if constexpr (ConditionedTask<T, Scalar>)
    val = reference_validation_set<Scalar>(task, gv, options.validation);
  else
    val = task.template sample<Scalar>(options.validation.n_trials, gv);
  const bool can_validate = val.has_metadata();
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> val_x0;
  if (options.validation_x0_std >= 0)
    val_x0 = draw_initial_states<Scalar>(init_spec{0, 0, 0, options.validation_x0_std, 0, 0}, net.n_units(),
                                         val.n_trials(), gv);

  auto g = make_stream(options.seed, 0, stream_purpose::training);
  auto state = rule.make_state(net);

  training_report report;
  training_progress prog;
  std::vector<double> window;  // accuracies of the last `stop.window` validations
  const auto t0 = clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };
  const bool live = options.progress == progress_display::always ||
                    (options.progress == progress_display::automatic && ::isatty(::fileno(stderr)));
  double last_draw = -1;

  const auto draw = [&](bool final_line) {
    if (!live) return;
    const double now = prog.seconds;
    if (!final_line && now - last_draw < 0.25) return;
    last_draw = now;
    double left = std::numeric_limits<double>::infinity();
    if (options.max_updates > 0 && prog.updates_per_second > 0)
      left = std::min(left, static_cast<double>(options.max_updates - prog.updates) / prog.updates_per_second);
    if (options.max_trials > 0 && prog.trials_per_second > 0)
      left = std::min(left, static_cast<double>(options.max_trials - prog.trials) / prog.trials_per_second);
    if (options.max_seconds > 0) left = std::min(left, options.max_seconds - now);
    std::fprintf(stderr,
                 "\r\033[K[train] update %lld | %.1f upd/s %.0f trials/s | loss %.4g | val acc %.4f (min of last %lld: "
                 "%.4f) | %s elapsed, budget ends in ≤ %s",
                 static_cast<long long>(prog.updates), prog.updates_per_second, prog.trials_per_second, prog.loss,
                 prog.accuracy, static_cast<long long>(options.stop.window), prog.window_min,
                 detail::format_duration(now).c_str(), detail::format_duration(left).c_str());
    if (final_line) std::fputc('\n', stderr);
    std::fflush(stderr);
  };

  auto snapshot = net.parameters();
  bool done = false;
  while (!done) {
    snapshot = net.parameters();
    const update_result u = rule.update(net, state, task, g);
    const bool finite = std::isfinite(u.loss) && detail::parameters_finite(net.parameters());
    if (!finite) {
      net.parameters() = snapshot;
      report.status = training_status::diverged;
      report.reason = std::isfinite(u.loss) ? "non-finite parameters after an update" : "non-finite loss";
      report.loss_history.push_back(u.loss);
      ++prog.updates;
      prog.trials += u.trials;
      break;
    }
    ++prog.updates;
    prog.trials += u.trials;
    prog.loss = u.loss;
    report.loss_history.push_back(u.loss);
    prog.seconds = elapsed();
    prog.updates_per_second = static_cast<double>(prog.updates) / std::max(prog.seconds, 1e-9);
    prog.trials_per_second = static_cast<double>(prog.trials) / std::max(prog.seconds, 1e-9);

    if (can_validate && prog.updates % options.validate_every == 0) {
      const auto tv = clock::now();
      const auto out = options.validation_x0_std >= 0
                           ? detail::validation_outputs(net, val.inputs, val_x0, options.evaluation)
                           : detail::validation_outputs(net, val.inputs, net.parameters().x0, options.evaluation);
      prog.accuracy = decision_accuracy(out, val.label, options.convention);
      report.validation_seconds += std::chrono::duration<double>(clock::now() - tv).count();
      report.validation_updates.push_back(prog.updates);
      report.accuracy_history.push_back(prog.accuracy);
      window.push_back(prog.accuracy);
      if (static_cast<Index>(window.size()) > options.stop.window) window.erase(window.begin());
      prog.window_min = *std::min_element(window.begin(), window.end());
      (
          [&] {
            if constexpr (requires { callbacks.on_validation(prog); }) callbacks.on_validation(prog);
          }(),
          ...);
      const auto& st = options.stop;
      if (st.rule == stopping_rule::min_of_last && static_cast<Index>(window.size()) == st.window &&
          prog.window_min >= st.accuracy) {
        report.status = training_status::converged;
        report.reason = "min of the last " + std::to_string(st.window) + " validation accuracies >= " +
                        std::to_string(st.accuracy);
        done = true;
      } else if (st.rule == stopping_rule::threshold && prog.accuracy >= st.accuracy) {
        report.status = training_status::converged;
        report.reason = "validation accuracy >= " + std::to_string(st.accuracy);
        done = true;
      }
    }
    prog.seconds = elapsed();
    (
        [&] {
          if constexpr (requires { callbacks.on_update(prog); }) callbacks.on_update(prog);
        }(),
        ...);
    if (options.checkpoint_every > 0 && prog.updates % options.checkpoint_every == 0)
      (
          [&] {
            if constexpr (requires { callbacks.on_checkpoint(std::as_const(net), prog); })
              callbacks.on_checkpoint(std::as_const(net), prog);
          }(),
          ...);
    draw(false);
    if (done) break;
    bool stop = false;
    (
        [&] {
          if constexpr (requires { { callbacks.stop_requested(prog) } -> std::convertible_to<bool>; })
            stop = stop || static_cast<bool>(callbacks.stop_requested(prog));
        }(),
        ...);
    if (stop) {
      report.status = training_status::stopped;
      report.reason = "a callback asked to stop";
      break;
    }
    if (options.max_updates > 0 && prog.updates >= options.max_updates) {
      report.status = training_status::budget_exhausted;
      report.reason = "max_updates = " + std::to_string(options.max_updates) + " reached";
      break;
    }
    if (options.max_trials > 0 && prog.trials >= options.max_trials) {
      report.status = training_status::budget_exhausted;
      report.reason = "max_trials = " + std::to_string(options.max_trials) + " reached";
      break;
    }
    if (options.max_seconds > 0 && prog.seconds >= options.max_seconds) {
      report.status = training_status::budget_exhausted;
      report.reason = "max_seconds = " + std::to_string(options.max_seconds) + " reached";
      break;
    }
  }

  prog.seconds = elapsed();
  report.updates = prog.updates;
  report.trials = prog.trials;
  report.wall_seconds = prog.seconds;
  report.final_accuracy = prog.accuracy;
  (
      [&] {
        if constexpr (requires { callbacks.on_checkpoint(std::as_const(net), prog); })
          callbacks.on_checkpoint(std::as_const(net), prog);
      }(),
      ...);
  draw(true);
  return report;
}

}  // namespace rnnlab
