#include <doctest/doctest.h>

#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/tasks/validation.hpp>

#include "../support/archetype_environment.hpp"
#include "../support/archetype_task.hpp"

using namespace rnnlab;

TEST_CASE("an evidence task's validation_set is the reference set with its validation parameters") {
  rdm_params p = rdm_params::reference_code();
  p.validation.n_trials = 300;
  const random_dots task(p);
  auto g1 = make_stream(3, 0, stream_purpose::validation), g2 = g1;
  const auto own = task.validation_set<float>(g1);
  const auto ref = reference_validation_set<float>(task, g2, validation_set_params{300, 20, 0.1875});
  CHECK(own.n_trials() == 300);
  CHECK(own.inputs == ref.inputs);
  CHECK(own.label == ref.label);
  CHECK(own.coherence == ref.coherence);
}

TEST_CASE("an evidence task's score is the decision accuracy under its convention") {
  // Hand-made outputs: 4 trials, labels +1, −1, 0, +1; final outputs +, +, −, 0.
  context_integration_params p = context_integration_params::reference_code(2);
  p.n_steps = 3;
  p.loss = loss_window::first_and_last();
  evidence_batch<float> b;
  b.inputs = sequence<float>({3, 4, 4});
  b.targets = sequence<float>({3, 4, 1});
  b.mask = tensor<float, 2>({3, 4});
  b.label = Eigen::VectorXi(4);
  b.label << 1, -1, 0, 1;
  sequence<float> y({3, 4, 1});
  y(2, 0, 0) = 0.3f;
  y(2, 1, 0) = 0.2f;
  y(2, 2, 0) = -0.1f;
  y(2, 3, 0) = 0.0f;
  // reference: errors iff |label − sign(y)| > 1: trial 1 only → 3/4.
  CHECK(context_integration(p).score(y, b) == doctest::Approx(0.75));
  // strict: label-0 trials left out; sign(0) = 0 ≠ +1 is an error → 1/3.
  p.convention = accuracy_convention::strict;
  CHECK(context_integration(p).score(y, b) == doctest::Approx(1.0 / 3.0));
  CHECK(context_integration::score_name() == "decision accuracy");
  b.label.resize(0);
  CHECK_THROWS_AS(context_integration(p).score(y, b), argument_error);  // no labels to score against
}

TEST_CASE("the label-free archetype task scores outputs within its tolerance") {
  archetypes::hold_value_task<true> task;
  rng g(1);
  const auto b = task.sample<double>(4, g);
  sequence<double> y({task.steps, 4, 1});
  for (Index i = 0; i < 4; ++i) y(task.steps - 1, i, 0) = b.targets(task.steps - 1, i, 0) + (i < 3 ? 0.05 : 0.2);
  CHECK(task.score(y, b) == doctest::Approx(0.75));
  for (Index i = 0; i < 4; ++i) {
    CHECK(b.mask(task.steps - 1, i) == 1.0);
    CHECK(b.mask(0, i) == 0.0);
    CHECK(b.targets(task.steps - 1, i, 0) == b.inputs(0, i, 0));
  }
}

TEST_CASE("the archetype environment follows its rules on scripted actions") {
  archetypes::cue_environment env;
  rng g(7);
  const auto first = env.reset(g);
  REQUIRE(first.size() == 1);
  CHECK(std::abs(first(0)) == 1.0);
  const int correct = env.cue() > 0 ? 2 : 1, wrong = 3 - correct;
  SUBCASE("waiting costs, the correct side earns 1 and ends the episode") {
    auto s = env.step(0, g);
    CHECK(s.reward == doctest::Approx(-0.05));
    CHECK_FALSE(s.done);
    CHECK(s.observation(0) == 0.0);
    s = env.step(correct, g);
    CHECK(s.reward == 1.0);
    CHECK(s.done);
    CHECK_THROWS_AS(env.step(0, g), argument_error);  // a step after the end
  }
  SUBCASE("the wrong side earns −1") {
    const auto s = env.step(wrong, g);
    CHECK(s.reward == -1.0);
    CHECK(s.done);
  }
  SUBCASE("a timeout after max_steps") {
    environment_step<Eigen::VectorXd> s;
    for (Index k = 0; k < env.max_steps; ++k) s = env.step(0, g);
    CHECK(s.done);
    CHECK(s.reward == -1.0);
  }
  SUBCASE("same seed, same cues") {
    rng a(11), b(11);
    archetypes::cue_environment e1, e2;
    for (int k = 0; k < 20; ++k) CHECK(e1.reset(a)(0) == e2.reset(b)(0));
  }
}
