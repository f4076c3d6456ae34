// BPTT trains a small network (64 tanh units, float) to each new task's criterion — score >= 0.9
// on the task's own validation set, min of the last 3 evaluations — from a fixed seed, on shortened
// trials (tens of steps, not the reference 750). Updates and wall time are printed; docs/tasks.md.
// Path integration is in path_integration_training.test.cpp.
#include <doctest/doctest.h>

#include <rnnlab/tasks/delayed_discrimination.hpp>
#include <rnnlab/tasks/delayed_match.hpp>
#include <rnnlab/tasks/flip_flop.hpp>
#include <rnnlab/tasks/multisensory.hpp>
#include <rnnlab/tasks/sine_wave.hpp>

#include "support/task_training.hpp"

using namespace rnnlab;
using rnnlab::test_support::train_small_bptt;

TEST_CASE("BPTT trains the 3-bit flip-flop to its criterion") {
  flip_flop_params p;
  p.n_steps = 100;
  p.pulse_steps = 5;
  p.noise_std = 0.05;
  p.validation_trials = 200;
  const auto r = train_small_bptt(flip_flop(p), "3-bit flip-flop");
  CHECK(r.status == training_status::converged);
  CHECK(r.final_accuracy >= 0.9);
}

TEST_CASE("BPTT trains delayed match-to-sample to its criterion") {
  delayed_match_params p;
  p.n_steps = 60;
  p.sample_off = 10;
  p.test_on = 30;
  p.test_off = 40;
  p.loss = loss_window::decision_window(10, 10);
  p.validation_trials = 200;
  const auto r = train_small_bptt(delayed_match(p), "delayed match");
  CHECK(r.status == training_status::converged);
  CHECK(r.final_accuracy >= 0.9);
}

TEST_CASE("BPTT trains delayed discrimination to its criterion") {
  delayed_discrimination_params p;
  p.fixation_steps = 5;
  p.stimulus_steps = 10;
  p.delay_min = 10;
  p.delay_max = 20;
  p.response_steps = 10;
  p.validation_trials = 200;
  const auto r = train_small_bptt(delayed_discrimination(p), "delayed discrimination");
  CHECK(r.status == training_status::converged);
  CHECK(r.final_accuracy >= 0.9);
}

TEST_CASE("BPTT trains multisensory rate discrimination to its criterion") {
  multisensory_params p;
  p.n_steps = 60;
  p.stimulus_on = 20;
  p.validation_trials = 300;
  const auto r = train_small_bptt(multisensory(p), "multisensory");
  CHECK(r.status == training_status::converged);
  CHECK(r.final_accuracy >= 0.9);
}

TEST_CASE("BPTT trains sine-wave generation to its criterion") {
  sine_wave_params p;
  p.f_min = 1;
  p.f_max = 3;
  p.n_frequencies = 3;
  p.n_steps = 100;
  p.validation_trials = 30;
  const auto r = train_small_bptt(sine_wave(p), "sine wave");
  CHECK(r.status == training_status::converged);
  CHECK(r.final_accuracy >= 0.9);
}
