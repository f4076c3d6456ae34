#include <doctest/doctest.h>

#include <rnnlab/ibl/behaviour.hpp>

#include <cmath>

using namespace rnnlab;

namespace {

ibl_behaviour_trial ibl_bh_trial(double signed_contrast, int block, int action, double reaction, int since = -1) {
  ibl_behaviour_trial t;
  t.signed_contrast = signed_contrast;
  t.stimulus_side = signed_contrast < 0 ? -1 : 1;
  t.block_side = block;
  t.action = action;
  t.correct = action == t.stimulus_side;
  t.reaction = reaction;
  t.trials_since_change = since;
  return t;
}

}  // namespace

TEST_CASE("IBL behaviour curves equal hand-computed values") {
  // Right block (+1). Trials: (signed contrast, action, reaction, trials since change).
  std::vector<ibl_behaviour_trial> trials{
      ibl_bh_trial(0.5, 1, 1, 3, 0),    // concordant, correct
      ibl_bh_trial(0.5, 1, -1, 5, 1),   // concordant, wrong
      ibl_bh_trial(0.5, 1, 1, 4, 2),    // concordant, correct
      ibl_bh_trial(-0.5, 1, -1, 8, 0),  // discordant, correct
      ibl_bh_trial(-0.5, 1, 1, 2, 1),   // discordant, wrong
      ibl_bh_trial(-0.5, 1, 0, 10, 2),  // discordant, timeout: left out
      ibl_bh_trial(2.0, 0, 1, 1),       // unbiased block: neither concordant nor discordant
  };
  // Zero contrast with a known (right) side, after a change.
  auto z = ibl_bh_trial(0.0, 1, 1, 6, 0);
  z.reaction = std::numeric_limits<double>::quiet_NaN();  // unknown reaction: not in chronometric
  trials.push_back(z);

  const auto all = ibl_psychometric(trials);
  REQUIRE(all.x == std::vector<double>{-0.5, 0.0, 0.5, 2.0});
  CHECK(all.n == std::vector<std::size_t>{2, 1, 3, 1});
  CHECK(all.value[0] == doctest::Approx(0.5));
  CHECK(all.value[1] == 1.0);
  CHECK(all.value[2] == doctest::Approx(2.0 / 3));
  CHECK(all.value[3] == 1.0);

  const auto conc = ibl_psychometric(trials, ibl_trial_split::concordant);
  CHECK(conc.x == std::vector<double>{0.0, 0.5});
  CHECK(conc.value[1] == doctest::Approx(2.0 / 3));
  const auto disc = ibl_psychometric(trials, ibl_trial_split::discordant);
  REQUIRE(disc.x == std::vector<double>{-0.5});
  CHECK(disc.n[0] == 2);
  CHECK(disc.value[0] == doctest::Approx(0.5));

  const auto absolute = ibl_psychometric(trials, ibl_trial_split::all, ibl_contrast_axis::absolute_contrast);
  REQUIRE(absolute.x == std::vector<double>{0.0, 0.5, 2.0});
  CHECK(absolute.n[1] == 5);
  CHECK(absolute.value[1] == doctest::Approx(3.0 / 5));

  const auto chrono = ibl_chronometric(trials);
  REQUIRE(chrono.x == std::vector<double>{-0.5, 0.5, 2.0});
  CHECK(chrono.value[0] == doctest::Approx(5.0));  // (8 + 2) / 2; the timeout's 10 left out
  CHECK(chrono.value[1] == doctest::Approx(4.0));  // (3 + 5 + 4) / 3
  const auto chrono_d = ibl_chronometric(trials, ibl_trial_split::discordant);
  CHECK(chrono_d.value == std::vector<double>{5.0});

  const auto change = ibl_block_change_curve(trials, 1);
  REQUIRE(change.x == std::vector<double>{0, 1});
  CHECK(change.n == std::vector<std::size_t>{3, 2});
  CHECK(change.value[0] == doctest::Approx(1.0));  // 0.5 correct, -0.5 correct, 0 correct
  CHECK(change.value[1] == doctest::Approx(0.0));  // both wrong
  const auto change0 = ibl_block_change_curve(trials, 10, true);
  REQUIRE(change0.x == std::vector<double>{0});
  CHECK(change0.n[0] == 1);
  CHECK_THROWS_AS(ibl_block_change_curve(trials, -1), argument_error);
}

TEST_CASE("IBL behaviour records from an environment log and from the observer") {
  std::vector<ibl_trial_outcome> log(3);
  log[0] = {0, 5, 1, 1, 0.5, 1, true, 3};
  log[1] = {1, 0, -1, 1, 1.0, -1, false, 1};
  log[2] = {1, 1, -1, -1, 0.0, 0, false, 10};
  const auto b = ibl_behaviour_from(log);
  CHECK(b[0].trials_since_change == -1);  // first block of the session: no change before it
  CHECK(b[1].trials_since_change == 0);
  CHECK(b[2].trials_since_change == 1);
  CHECK(b[1].signed_contrast == 1.0);
  CHECK(b[1].discordant());
  CHECK(b[2].concordant());
  CHECK(b[0].reaction == 3);
  std::vector<ibl_observer_trial> obs(3);
  obs[2].action = -1;
  obs[2].correct = true;
  const auto bo = ibl_behaviour_from(log, obs);
  CHECK(bo[2].action == -1);
  CHECK(bo[2].correct);
  obs.pop_back();
  CHECK_THROWS_AS(ibl_behaviour_from(log, obs), shape_error);
}
