#pragma once
// Trains a small network on a task with BPTT to the task's criterion (tests/tasks/training.*).

#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/trainer.hpp>

#include <cstdio>
#include <string>

namespace rnnlab::test_support {

/// BPTT on a small network (64 tanh units, float, α = 0.2, Adam 3e-3, batch 64, all weights and
/// biases) until the task's score is >= 0.9 at 3 evaluations in a row (every 10 updates); seed 7.
template <class T>
training_report train_small_bptt(const T& task, const char* name, Index max_updates = 3000) {
  auto g = make_stream(7, 0, stream_purpose::initialization);
  auto net = make_ctrnn<float, activations::tanh>(ctrnn_config{64, 0.2, readout_source::rates, init_spec::paper_text(64, 1.0)},
                                                  task.n_inputs(), task.n_outputs(), g);
  bptt<adam> rule = bptt<adam>::paper_text();
  rule.optimizer.learning_rate = 3e-3;
  rule.batch_size = 64;
  rule.params = param_set{param::W_rec, param::W_in, param::W_out, param::b, param::b_out};
  rule.initial_state = {initial_state_mode::per_trial_random, 0.1};
  train_options opt;
  opt.stop = {stopping_rule::min_of_last, 0.9, 3};
  opt.max_updates = max_updates;
  opt.validate_every = 10;
  opt.validation_x0_std = 0.1;
  opt.seed = 7;
  opt.progress = progress_display::never;
  const auto report = train(net, task, rule, opt);
  std::printf("%s: %s after %lld updates, %.1f s, final %s %.4f\n", name, std::string(to_name(report.status)).c_str(),
              static_cast<long long>(report.updates), report.wall_seconds, std::string(task.score_name()).c_str(),
              report.final_accuracy);
  std::fflush(stdout);
  return report;
}

}  // namespace rnnlab::test_support
