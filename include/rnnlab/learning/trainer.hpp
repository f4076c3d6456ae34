#pragma once
/// \file learning/trainer.hpp
/// The one training loop every learning rule uses:
///
///     auto report = train(net, task, rule, options, callbacks...);
///
/// It draws the task's validation set once (`task.validation_set(rng)`: for the evidence tasks
/// the reference validation set of McMahan et al. 2021, reference_code_spec §1.3: 2,000 trials,
/// magnitudes cycling linspace(0, 0.1875, 20)), then repeats
///
///     before_update → rule.update(net, state, task, rng) → after_update
///       → (every `validate_every` updates) validation → on_validation
///       → on_update → check_stop
///
/// until a callback requests a stop. Everything but the update and the validation is a callback
/// (learning/callbacks.hpp), built from `options` and listed before/after the user's:
///
///   - `divergence_guard`: a NaN or infinite loss, or non-finite parameters after an update →
///     status diverged, the parameters restored to those before that update;
///   - the stopping rule (`options.stop`): on the task's score (`stop_on_score`: min of the last
///     10 ≥ 0.9, the reference code's; or the latest ≥ 0.9, the paper's text) or on the
///     validation loss (`stop_on_loss`, for tasks without a score) → status converged;
///   - the user's callbacks (a `checkpoint_file`, a logger, an early stop → status stopped);
///   - `update_budget`, `trial_budget`, `time_budget` → status budget_exhausted;
///   - `progress_line`: the live line on stderr.
///
/// The validation is the trainer's: the task scores the network's outputs (`task.score`) and/or
/// the masked loss is computed (`stop_on_loss`); a rule knows nothing of it, so a rule that
/// updates per batch (BPTT), per generation (GA) or per trial (Hebbian, FORCE) reuses the loop as
/// is.
///
/// Exact lazy validation (`validation = validation_mode::lazy`, issue 17): the rule "min of the
/// last W scores ≥ θ" only needs to know, at each validation point, whether the score reaches θ,
/// and a stop at point k needs all of k−W+1 … k. After a point below θ no stop is possible for
/// the next W−1 points, so those are not evaluated; at the first point where a stop is possible
/// the current network is evaluated, and only if it reaches θ are the earlier points of its
/// window evaluated, newest first, from parameter snapshots kept for the last W points; the first
/// one below θ moves the next possible stop W points past it. A pass itself ends early when the
/// task scores by decision accuracy (`scores_decision_accuracy`: RDM, CDI, N-CDI) and the network
/// is a CTRNN: the trials are run in blocks of 256, and once the errors so far exceed what θ
/// allows the pass stops (its score, below θ, is then not recorded). The stopping point, the
/// returned network and the final score are exactly those of eager validation (tested on fixed
/// seeds): both run the same blocked pass, so every output is the same bits. The work is about
/// one (often partial) evaluation per W points while the network is below θ, plus the final
/// window. At the end of a run that did not converge, the last validation point is evaluated
/// in full if its score is not known, so `final_accuracy` matches too. on_validation is called
/// for complete evaluations of the current network only.
///
/// A stopping rule the task cannot drive (a score stop on a task without `score`) is an
/// argument_error before any work, never a run that silently cannot stop.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <rnnlab/names.hpp>
#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/callbacks.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/learning/loss.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/evidence.hpp>

namespace rnnlab {

class random_dots;
class context_integration;

/// Whether `task.score(outputs, batch)` of a task type is `decision_accuracy(outputs, batch,
/// task.params().convention)` (tasks/evidence.hpp) on a batch with `label`s: then lazy validation
/// ends a pass of a CTRNN as soon as its errors exceed what the threshold allows (the score can
/// no longer reach it). True for random_dots and context_integration; specialise it for a task of
/// your own that scores the same way. Any other task is scored on whole passes.
template <class T>
inline constexpr bool scores_decision_accuracy = false;
template <>
inline constexpr bool scores_decision_accuracy<random_dots> = true;
template <>
inline constexpr bool scores_decision_accuracy<context_integration> = true;

/// When training stops on validation.
struct stopping_criterion {
  stopping_rule rule = stopping_rule::min_of_last;
  double accuracy = 0.9;  ///< score threshold (metric score; decision accuracy for the evidence tasks)
  Index window = 10;
  stopping_metric metric = stopping_metric::score;
  double max_loss = 0;                       ///< loss threshold (metric loss)
  loss_spec loss = loss_spec::paper_text();  ///< the validation loss (metric loss)
};

/// How the trainer validates for a score-based stopping rule.
enum class validation_mode {
  /// Every `validate_every`-th update on the whole validation set: the full score curve.
  eager,
  /// Only what the stopping rule needs, with exactly the eager run's stopping update, returned
  /// network and final score (see the file comment); the score curve is sparse.
  lazy,
};

/// The names of validation_mode (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<validation_mode, std::string_view>, 2> enum_names(validation_mode) {
  return {{{validation_mode::eager, "eager"},
           {validation_mode::lazy, "lazy"}}};
}

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
  /// eager (the default: every validation point evaluated) or lazy (score-based stopping rules
  /// only; loss-based rules always validate eagerly).
  validation_mode validation = validation_mode::eager;
  /// Trials of the validation batch of a task without its own `validation_set` (drawn with
  /// `sample` from the validation stream).
  Index validation_trials = 2000;
  /// Initial states of the validation trials: an independent N(0, std²) per trial, drawn once with
  /// the set (the reference code's `feed` draws std 0.3 per trial, afresh at every evaluation);
  /// a negative value uses the network's own x0.
  double validation_x0_std = 0.3;
  std::uint64_t seed = 0;  ///< training stream make_stream(seed, 0, training), validation (…, validation)
  progress_display progress = progress_display::automatic;
  Index checkpoint_every = 0;  ///< legacy on_checkpoint hook every k updates (and at the end); 0 = at the end
  shard_options evaluation{};  ///< shards and threads of the validation forward pass

  /// The reference code's stopping: min of last 10 ≥ 0.9, validation after every update, at most
  /// 20,000 updates.
  static train_options reference_code() { return {}; }
  /// The paper's text: stop when the validation accuracy exceeds 90 %; validation initial states
  /// x0 ~ N(0, 0.3) read as a variance (std √0.3), as the paper-text network and BPTT presets read
  /// it (init_spec::paper_text, initial_state_policy::paper_text; docs/presets.md row 15).
  static train_options paper_text() {
    train_options o;
    o.stop = {stopping_rule::threshold, 0.9, 1};
    o.validation_x0_std = std::sqrt(0.3);
    return o;
  }

  void validate() const {
    constexpr std::string_view fn = "rnnlab::train_options::validate";
    require(std::isfinite(stop.accuracy) && stop.accuracy >= 0 && stop.accuracy <= 1, fn, "stop.accuracy",
            "a value in [0, 1]", stop.accuracy);
    require(stop.window >= 1, fn, "stop.window", ">= 1", stop.window);
    require(std::isfinite(stop.max_loss) && stop.max_loss >= 0, fn, "stop.max_loss", "a finite value >= 0",
            stop.max_loss);
    // A loss-based stop needs a threshold it can reach: the default 0 would never fire, and training would
    // silently run to its budget.
    require(stop.metric != stopping_metric::loss || stop.rule == stopping_rule::never || stop.max_loss > 0, fn,
            "stop.max_loss", "a threshold > 0 when stop.metric is loss (set the validation loss to stop at)",
            stop.max_loss);
    require(max_updates >= 0, fn, "max_updates", ">= 0 (0 = no cap)", max_updates);
    require(max_trials >= 0, fn, "max_trials", ">= 0 (0 = no cap)", max_trials);
    require(std::isfinite(max_seconds) && max_seconds >= 0, fn, "max_seconds", "a finite value >= 0 (0 = none)",
            max_seconds);
    require(max_updates > 0 || max_trials > 0 || max_seconds > 0 || stop.rule != stopping_rule::never, fn,
            "max_updates", "some budget or stopping rule (all are off)", 0);
    require(validate_every >= 1, fn, "validate_every", ">= 1", validate_every);
    require(validation_trials >= 1, fn, "validation_trials", ">= 1", validation_trials);
    require(checkpoint_every >= 0, fn, "checkpoint_every", ">= 0", checkpoint_every);
    require(std::isfinite(validation_x0_std), fn, "validation_x0_std", "a finite value", validation_x0_std);
    require(evaluation.shards >= 1, fn, "evaluation.shards", ">= 1", evaluation.shards);
  }
};

/// Trains `net` on `task` with `rule` until a stopping rule, budget or callback ends it; see the
/// file comment. Throws argument_error / shape_error on invalid options, rule, task–network sizes,
/// or a stopping rule the task cannot drive, before any work.
template <class Net, class T, class R, class... Callbacks>
  requires LearningRule<R, Net, T>
training_report train(Net& net, const T& task, const R& rule, const train_options& options = {},
                      Callbacks&&... callbacks);

// ---------------------------------------------------------------------------------------------

namespace detail {

/// Trials per block of the CTRNN validation pass (each block split into `shard_options::shards`).
inline constexpr Index validation_block = 256;

/// Validation outputs of a CTRNN: the trials in blocks of `validation_block`, each block's shards
/// on the executor (ctrnn::run, the loop of simulate / simulate_sharded), blocks in order;
/// `after_block(end)` is called once trials [0, end) are final and ends the pass early by
/// returning true (the later trials' outputs are then left zero); it is called as
/// `after_block(outputs, begin, end)` for the block [begin, end). Eager and lazy validation run
/// this same pass with the same split, so a trial's output is the same bits in both (the readout
/// product's rounding depends on the column split; the values are simulate's to rounding, and the
/// same bits whatever the thread count: tested).
template <class Scalar, Activation F, class X0, class AfterBlock>
sequence<Scalar> validation_outputs_blocked(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs, const X0& x0,
                                            const shard_options& opt, AfterBlock&& after_block) {
  const Index T = inputs.shape(0), B = inputs.shape(1), N = net.n_units(), O = net.n_outputs();
  sequence<Scalar> outputs({T, B, O});  // zero-filled
  for (Index b0 = 0; b0 < B; b0 += validation_block) {
    const Index nb = std::min(validation_block, B - b0);
    const Index shards = std::min(opt.shards, nb);
    const work_estimate work{static_cast<double>(N) * static_cast<double>(N + net.n_inputs()) *
                             static_cast<double>(nb * T)};
    parallel_shards(shards, opt.threads, work, [&](Index s) {
      const auto [c0, Bs] = shard_columns(nb, shards, s);
      auto ws = net.make_workspace(Bs);
      if (x0.cols() == 1)
        net.reset(ws, x0);
      else
        net.reset(ws, x0.middleCols(b0 + c0, Bs));
      net.run(ws, inputs, b0 + c0, outputs);
    });
    if (after_block(std::as_const(outputs), b0, b0 + nb)) break;
  }
  return outputs;
}

/// Validation outputs: the blocked pass above for CTRNNs, the network's own simulate otherwise.
template <class Scalar, Activation F, class X0>
sequence<Scalar> validation_outputs(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs, const X0& x0,
                                    const shard_options& opt) {
  return validation_outputs_blocked(net, inputs, x0, opt, [](const sequence<Scalar>&, Index, Index) { return false; });
}
template <class Net, class X0>
auto validation_outputs(const Net& net, const sequence<typename Net::scalar_type>& inputs, const X0& x0,
                        const shard_options&) {
  if constexpr (requires { net.simulate(inputs, x0).outputs; })
    return net.simulate(inputs, x0).outputs;
  else
    return net.simulate(inputs).outputs;
}

template <class Net>
inline constexpr bool is_ctrnn = false;
template <class Scalar, Activation F>
inline constexpr bool is_ctrnn<ctrnn<Scalar, F>> = true;

// Hooks, found by detection (learning/callbacks.hpp lists them).
template <class Cb, class Ctx>
void hook_on_begin(Cb& cb, Ctx& ctx) {
  if constexpr (requires { cb.on_begin(ctx); }) cb.on_begin(ctx);
}
template <class Cb, class Ctx>
void hook_before_update(Cb& cb, Ctx& ctx) {
  if constexpr (requires { cb.before_update(ctx); }) cb.before_update(ctx);
}
template <class Cb, class Ctx>
void hook_after_update(Cb& cb, Ctx& ctx) {
  if constexpr (requires { cb.after_update(ctx); }) cb.after_update(ctx);
}
template <class Cb, class Ctx>
void hook_on_validation(Cb& cb, Ctx& ctx) {
  if constexpr (requires { cb.on_validation(ctx); }) cb.on_validation(ctx);
}
template <class Cb, class Ctx>
void hook_on_update(Cb& cb, Ctx& ctx) {
  if constexpr (requires { cb.on_update(ctx); }) cb.on_update(ctx);
}
template <class Cb, class Ctx>
void hook_on_checkpoint(Cb& cb, Ctx& ctx) {
  const training_progress& p = ctx;
  if constexpr (requires { cb.on_checkpoint(std::as_const(ctx.net), p); }) cb.on_checkpoint(std::as_const(ctx.net), p);
}
template <class Cb, class Ctx>
void hook_check_stop(Cb& cb, Ctx& ctx) {
  if constexpr (requires { cb.check_stop(ctx); }) cb.check_stop(ctx);
  const training_progress& p = ctx;
  if constexpr (requires {
                  { cb.stop_requested(p) } -> std::convertible_to<bool>;
                })
    if (!ctx.stop_pending() && static_cast<bool>(cb.stop_requested(p)))
      ctx.request_stop(training_status::stopped, "a callback asked to stop");
}
template <class Cb, class Ctx>
void hook_on_end(Cb& cb, Ctx& ctx) {
  if constexpr (requires { cb.on_end(ctx); }) cb.on_end(ctx);
}

}  // namespace detail

template <class Net, class T, class R, class... Callbacks>
  requires LearningRule<R, Net, T>
training_report train(Net& net, const T& task, const R& rule, const train_options& options, Callbacks&&... callbacks) {
  using Scalar = typename Net::scalar_type;
  using clock = std::chrono::steady_clock;
  constexpr std::string_view fn = "rnnlab::train";
  constexpr bool scored = ScoredTask<T, Scalar>;
  options.validate();
  rule.validate();
  check_task_fits(task, net, fn);
  const auto& st = options.stop;
  const bool on_loss = st.metric == stopping_metric::loss && st.rule != stopping_rule::never;
  if constexpr (!scored)
    require(st.metric == stopping_metric::loss || st.rule == stopping_rule::never, fn, "options.stop.metric",
            "stopping_metric::loss or stopping_rule::never (the task has no validation_set/score: it is not a "
            "ScoredTask, so a score-based rule could never stop)",
            "stopping_metric::score");
  const bool can_validate = scored || on_loss;

  // The fixed validation set and its initial states, drawn once from the validation stream.
  auto gv = make_stream(options.seed, 0, stream_purpose::validation);
  const auto val = [&] {
    if constexpr (requires { task.template validation_set<Scalar>(gv); })
      return task.template validation_set<Scalar>(gv);
    else
      return task.template sample<Scalar>(options.validation_trials, gv);
  }();
  // An empty or non-finite validation set is the task's error, said before any training (a NaN
  // target would otherwise surface as a "diverged" run).
  if constexpr (requires { val.validate(std::string_view{}); })
    if (can_validate) val.validate("rnnlab::train (the task's validation set)");
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> val_x0;
  if (options.validation_x0_std >= 0)
    val_x0 = draw_initial_states<Scalar>(init_spec{0, 0, 0, options.validation_x0_std, 0, 0}, net.n_units(),
                                         val.n_trials(), gv);

  auto g = make_stream(options.seed, 0, stream_purpose::training);
  auto state = rule.make_state(net);
  training_report report;
  if constexpr (scored) report.score_name = std::string(task.score_name());
  training_context<Net, decltype(state)> ctx(net, state, g, report);

  // The built-in callbacks, from the options.
  divergence_guard<std::remove_cvref_t<decltype(net.parameters())>> guard;
  stop_on_score score_stop{on_loss || options.validation == validation_mode::lazy ? stopping_rule::never : st.rule,
                           st.accuracy, st.window};
  stop_on_loss loss_stop{on_loss ? st.rule : stopping_rule::never, st.max_loss, st.window};
  update_budget updates_cap{options.max_updates};
  trial_budget trials_cap{options.max_trials};
  time_budget time_cap{options.max_seconds};
  progress_line line{options.progress, st.window, options.max_updates, options.max_trials, options.max_seconds};
  auto all = std::forward_as_tuple(guard, score_stop, loss_stop, callbacks..., updates_cap, trials_cap, time_cap, line);
  const auto each = [&](auto hook) { std::apply([&](auto&... cb) { (hook(cb, ctx), ...); }, all); };

  const auto t0 = clock::now();
  const auto elapsed = [&] { return ctx.seconds_before + std::chrono::duration<double>(clock::now() - t0).count(); };
  const auto outputs_of = [&](const Net& n) {
    return options.validation_x0_std >= 0
               ? detail::validation_outputs(n, val.inputs, val_x0, options.evaluation)
               : detail::validation_outputs(n, val.inputs, n.parameters().x0, options.evaluation);
  };
  const auto update_window_min = [&] {
    const auto& h = report.accuracy_history;
    if (h.empty()) return;
    const auto w = std::min<std::size_t>(h.size(), static_cast<std::size_t>(st.window));
    ctx.window_min = *std::min_element(h.end() - static_cast<std::ptrdiff_t>(w), h.end());
  };
  const auto validate = [&] {
    const auto tv = clock::now();
    const auto out = outputs_of(net);
    report.validation_updates.push_back(ctx.updates);
    if constexpr (scored) {
      ctx.accuracy = task.score(out, val);
      report.accuracy_history.push_back(ctx.accuracy);
      update_window_min();
    }
    if (on_loss) {
      ctx.validation_loss = masked_loss(out, val, st.loss);
      report.validation_loss_history.push_back(ctx.validation_loss);
    }
    report.validation_seconds += std::chrono::duration<double>(clock::now() - tv).count();
    ctx.validated = true;
  };

  // Exact lazy validation (file comment). Validation point k = updates / validate_every.
  const bool lazy = scored && !on_loss && options.validation == validation_mode::lazy &&
                    st.rule != stopping_rule::never;
  const Index W = st.rule == stopping_rule::min_of_last ? st.window : 1;
  auto& lz = ctx.lazy;
  if (lazy) {
    lz.candidate = W;
    lz.snapshots.assign(static_cast<std::size_t>(W), net.parameters());
    lz.point.assign(static_cast<std::size_t>(W), 0);
    lz.verdict.assign(static_cast<std::size_t>(W), -1);
  }
  // One score pass of network n. With `may_end_early`, a CTRNN on a task that scores by decision
  // accuracy (scores_decision_accuracy) stops once its errors exceed what the threshold allows:
  // then the score is below θ but unknown (nullopt). Otherwise the whole set is scored.
  constexpr bool countable = scored && scores_decision_accuracy<T> && detail::is_ctrnn<Net>;
  [[maybe_unused]] Index counted_total = 0;  // trials decision_accuracy counts on the validation set
  if constexpr (countable) {
    for (Index b = 0; b < val.n_trials(); ++b)
      if (task.params().convention == accuracy_convention::reference || val.label(b) != 0) ++counted_total;
  }
  [[maybe_unused]] const auto score_pass = [&](const Net& n, bool may_end_early) -> std::optional<double> {
    if constexpr (countable) {
      if (may_end_early && counted_total > 0) {
        Index errors = 0;
        bool below = false;
        const auto after_block = [&](const sequence<Scalar>& out, Index b0, Index b1) {
          errors += decision_errors(out, val.label, b0, b1, task.params().convention).first;
          below = static_cast<double>(counted_total - errors) / static_cast<double>(counted_total) < st.accuracy;
          return below;
        };
        const auto out = options.validation_x0_std >= 0
                             ? detail::validation_outputs_blocked(n, val.inputs, val_x0, options.evaluation, after_block)
                             : detail::validation_outputs_blocked(n, val.inputs, n.parameters().x0, options.evaluation,
                                                                  after_block);
        if (below) return std::nullopt;
        return task.score(out, val);
      }
    }
    if constexpr (scored)
      return task.score(outputs_of(n), val);
    else
      return std::nullopt;
  };

  // Scores the parameters held for validation point k (slot k % W) and records a known score in
  // update order; `exact`: the whole set, even when the score falls below θ early. Returns whether
  // the score reaches θ.
  [[maybe_unused]] const auto lazy_evaluate = [&](Index k, bool current, bool exact) -> bool {
    if constexpr (scored) {
      const auto slot = static_cast<std::size_t>(k % W);
      const auto tv = clock::now();
      std::optional<double> score;
      if (current) {
        score = score_pass(net, !exact);
      } else {
        Net past = net;
        past.parameters() = lz.snapshots[slot];
        score = score_pass(past, !exact);
      }
      report.validation_seconds += std::chrono::duration<double>(clock::now() - tv).count();
      const bool pass = score.has_value() && *score >= st.accuracy;
      lz.verdict[slot] = pass ? 1 : 0;
      if (!score) return false;  // ended early: below θ, the score itself unknown and not recorded
      const Index u = k * options.validate_every;
      const auto at = std::lower_bound(report.validation_updates.begin(), report.validation_updates.end(), u);
      const auto i = at - report.validation_updates.begin();
      report.validation_updates.insert(at, u);
      report.accuracy_history.insert(report.accuracy_history.begin() + i, *score);
      if (current) {
        ctx.accuracy = *score;
        ctx.validated = true;
        update_window_min();
      }
      return pass;
    } else {
      return false;
    }
  };

  [[maybe_unused]] const auto lazy_point = [&] {
    if constexpr (scored) {
      const Index k = ctx.updates / options.validate_every;
      const auto slot = static_cast<std::size_t>(k % W);
      lz.snapshots[slot] = net.parameters();
      lz.point[slot] = k;
      lz.verdict[slot] = -1;
      if (k < lz.candidate) return;
      const bool pass = lazy_evaluate(k, true, false);
      if (ctx.validated) each([](auto& cb, auto& c) { detail::hook_on_validation(cb, c); });
      if (!pass) {
        lz.candidate = k + W;
        return;
      }
      for (Index j = k - 1; j > k - W; --j) {
        const auto sj = static_cast<std::size_t>(j % W);
        if (lz.verdict[sj] == 1) continue;
        if (!lazy_evaluate(j, false, false)) {
          lz.candidate = j + W;
          return;
        }
      }
      ctx.request_stop(training_status::converged,
                       W > 1 ? "min of the last " + std::to_string(W) + " validation " + report.score_name +
                                   " values >= " + std::to_string(st.accuracy) + " (lazy validation)"
                             : "validation " + report.score_name + " >= " + std::to_string(st.accuracy) +
                                   " (lazy validation)");
    }
  };

  each([](auto& cb, auto& c) { detail::hook_on_begin(cb, c); });
  while (!ctx.finished) {
    each([](auto& cb, auto& c) { detail::hook_before_update(cb, c); });
    const update_result u = rule.update(net, state, task, g);
    ++ctx.updates;
    ctx.trials += u.trials;
    ctx.loss = u.loss;
    report.loss_history.push_back(u.loss);
    ctx.validated = false;
    ctx.seconds = elapsed();
    ctx.updates_per_second = static_cast<double>(ctx.updates) / std::max(ctx.seconds, 1e-9);
    ctx.trials_per_second = static_cast<double>(ctx.trials) / std::max(ctx.seconds, 1e-9);
    each([](auto& cb, auto& c) { detail::hook_after_update(cb, c); });
    if (ctx.stop_pending()) break;  // diverged: no validation of the restored parameters
    if (can_validate && ctx.updates % options.validate_every == 0) {
      if (lazy) {
        lazy_point();
      } else {
        validate();
        each([](auto& cb, auto& c) { detail::hook_on_validation(cb, c); });
      }
    }
    ctx.seconds = elapsed();
    each([](auto& cb, auto& c) { detail::hook_on_update(cb, c); });
    if (options.checkpoint_every > 0 && ctx.updates % options.checkpoint_every == 0)
      each([](auto& cb, auto& c) { detail::hook_on_checkpoint(cb, c); });
    each([](auto& cb, auto& c) { detail::hook_check_stop(cb, c); });
    if (ctx.stop_pending()) break;
  }

  // Lazy validation: the final score is the last validation point's, as in an eager run (after a
  // divergence the diverging update is not a validation point: it was rolled back).
  if constexpr (scored) {
    if (lazy && !ctx.finished) {
      const bool diverged = ctx.stop_pending() && report.status == training_status::diverged;
      const Index last = (ctx.updates - (diverged ? 1 : 0)) / options.validate_every;
      const auto slot = static_cast<std::size_t>(last % W);
      const bool known = std::binary_search(report.validation_updates.begin(), report.validation_updates.end(),
                                            last * options.validate_every);
      if (last >= 1 && lz.point[slot] == last && !known) {
        lazy_evaluate(last, false, true);
        const auto at = std::lower_bound(report.validation_updates.begin(), report.validation_updates.end(),
                                         last * options.validate_every);
        ctx.accuracy = report.accuracy_history[static_cast<std::size_t>(at - report.validation_updates.begin())];
      }
    }
  }
  ctx.seconds = elapsed();
  if (!ctx.finished) {
    report.updates = ctx.updates;
    report.trials = ctx.trials;
    report.wall_seconds = ctx.seconds;
    report.final_accuracy = ctx.accuracy;
  }
  each([](auto& cb, auto& c) { detail::hook_on_checkpoint(cb, c); });
  each([](auto& cb, auto& c) { detail::hook_on_end(cb, c); });
  return report;
}

}  // namespace rnnlab
