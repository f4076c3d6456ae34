// A small training problem shared by the trainer and callback tests: an easy RDM (T = 60, low
// noise, decision from the last 10 steps) that BPTT learns in a few dozen updates, so the trainer's
// logic is tested in well under a second per case.
#pragma once

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cstdint>

namespace rnnlab::test {

inline random_dots easy_rdm() {
  rdm_params p = rdm_params::reference_code(0.1);
  p.n_steps = 60;
  p.loss = loss_window::decision_window(10);
  p.validation.n_trials = 400;
  return random_dots(p);
}

inline ctrnn<float> easy_net(std::uint64_t seed) {
  auto g = make_stream(seed, 0, stream_purpose::initialization);
  return make_ctrnn<float>(ctrnn_config::reference_code(20), 1, 1, g);
}

inline bptt<adam> easy_rule() {
  auto r = bptt<adam>::reference_code();
  r.optimizer.learning_rate = 1e-2;
  r.batch_size = 64;
  return r;
}

inline train_options easy_options() {
  train_options o;
  o.max_updates = 400;
  o.progress = progress_display::never;
  return o;
}

}  // namespace rnnlab::test
