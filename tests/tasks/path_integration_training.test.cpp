// BPTT trains a small network (64 tanh units, float) to 2-D path
// integration's criterion (>= 90 % of outputs within 0.05 L, min of the last 3 evaluations) from a
// fixed seed (2.8 s in Release, 13 s at -O1; the other tasks' runs are in training.test.cpp).
#include <doctest/doctest.h>

#include <rnnlab/tasks/path_integration.hpp>

#include "support/task_training.hpp"

using namespace rnnlab;
using rnnlab::test_support::train_small_bptt;

TEST_CASE("BPTT trains 2-D path integration to its criterion") {
  path_integration_params p;
  p.n_steps = 50;
  p.validation_trials = 200;
  const auto r = train_small_bptt(path_integration(p), "path integration");
  CHECK(r.status == training_status::converged);
  CHECK(r.final_accuracy >= 0.9);
}
