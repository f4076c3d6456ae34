#include <doctest/doctest.h>

#include <rnnlab/tasks/ibl.hpp>

#include <cmath>
#include <map>

using namespace rnnlab;

namespace {

// Chi-square statistic of `counts` (length k -> count) against ibl_block_length_probability, with
// bins of expected count < 5 pooled into their neighbour; returns (statistic, degrees of freedom).
std::pair<double, int> ibl_test_chi_square(const ibl_params& p, const std::map<int, int>& counts, int n) {
  double stat = 0, pooled_expected = 0, pooled_observed = 0;
  int bins = 0;
  for (int k = 1; k <= p.max_block_length + 1; ++k) {
    const double e = n * ibl_block_length_probability(p, k);
    const auto it = counts.find(k);
    const double o = it == counts.end() ? 0 : it->second;
    if (e == 0) {
      CHECK(o == 0);  // no length outside the support
      continue;
    }
    pooled_expected += e;
    pooled_observed += o;
    if (pooled_expected >= 5) {
      stat += std::pow(pooled_observed - pooled_expected, 2) / pooled_expected;
      ++bins;
      pooled_expected = pooled_observed = 0;
    }
  }
  if (pooled_expected > 0) {
    stat += std::pow(pooled_observed - pooled_expected, 2) / pooled_expected;
    ++bins;
  }
  return {stat, bins - 1};
}

// Plays a scripted agent: `decide(step_in_trial, trial_index)` gives the (p_L, p_R) output.
template <class F>
std::vector<environment_step<ibl_environment::observation_type>> ibl_test_play(ibl_environment& env, F decide,
                                                                                std::size_t max_steps) {
  std::vector<environment_step<ibl_environment::observation_type>> out;
  for (std::size_t i = 0; i < max_steps; ++i) {
    auto s = env.step(decide(env.step_in_trial(), env.trial_index()));
    out.push_back(s);
    if (s.done) break;
  }
  return out;
}

}  // namespace

TEST_CASE("IBL block lengths follow their definition (chi-square, fixed seed)") {
  for (auto kind : {ibl_block_lengths::truncated_geometric, ibl_block_lengths::semi_markov_hazard}) {
    ibl_params p;
    p.block_lengths = kind;
    // The definition sums to one.
    double total = 0;
    for (int k = 1; k <= 102; ++k) total += ibl_block_length_probability(p, k);
    CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
    rng g(2024);
    std::map<int, int> counts;
    const int n = 40000;
    for (int i = 0; i < n; ++i) ++counts[ibl_draw_block_length(p, g)];
    const auto [stat, dof] = ibl_test_chi_square(p, counts, n);
    // dof ~ 80: the 99.9% quantile of chi-square(80) is 124.8; of chi-square(81) 126.
    INFO("chi-square " << stat << " on " << dof << " dof");
    CHECK(dof >= 75);
    CHECK(stat < 1.56 * dof);
    if (kind == ibl_block_lengths::semi_markov_hazard) {
      // The forced switch: a point mass at 101 of 0.98^81 = 0.1949.
      CHECK(counts[101] / double(n) == doctest::Approx(std::pow(0.98, 81)).epsilon(0.05));
    } else {
      CHECK(counts.count(101) == 0);
    }
  }
}

TEST_CASE("IBL sessions: block sides, stimulus sides, contrasts and observations follow the model") {
  ibl_params p;
  p.n_blocks = 200;
  rng g(7);
  const auto s = ibl_sample_session(p, g);
  REQUIRE(s.block_lengths.size() == 200);
  std::size_t trials = 0;
  for (int l : s.block_lengths) trials += static_cast<std::size_t>(l);
  REQUIRE(s.trials.size() == trials);
  int concordant = 0, alternations = 0, prev_block_side = 0, prev_block = -1;
  std::map<double, int> by_contrast;
  double sum_signal = 0, sum_other = 0, ss_other = 0;
  std::size_t n_obs = 0;
  for (const auto& t : s.trials) {
    concordant += t.concordant();
    ++by_contrast[t.contrast];
    if (t.block_index != prev_block) {
      if (prev_block >= 0) alternations += t.block_side == -prev_block_side;
      prev_block = t.block_index;
      prev_block_side = t.block_side;
    }
    REQUIRE(t.observations.size() == 10);
    for (const auto& o : t.observations) {
      const double signal = t.stimulus_side > 0 ? o[1] : o[0];
      const double other = t.stimulus_side > 0 ? o[0] : o[1];
      sum_signal += signal - t.contrast;
      sum_other += other;
      ss_other += other * other;
      ++n_obs;
    }
  }
  CHECK(alternations == 199);  // reference: strictly alternating
  const double n = static_cast<double>(trials);
  // p_s = 0.8 with ~10,000 trials: standard error 0.004.
  CHECK(concordant / n == doctest::Approx(0.8).epsilon(0.02));
  REQUIRE(by_contrast.size() == 6);
  for (const auto& [c, k] : by_contrast) CHECK(k / n == doctest::Approx(1.0 / 6).epsilon(0.08));
  CHECK(std::abs(sum_signal / double(n_obs)) < 0.01);
  CHECK(std::abs(sum_other / double(n_obs)) < 0.01);
  CHECK(ss_other / double(n_obs) == doctest::Approx(1.0).epsilon(0.02));

  SUBCASE("Markov block sides flip with p_side_flip") {
    ibl_params m = p;
    m.block_sides = ibl_block_sides::markov;
    m.p_side_flip = 0.3;
    m.n_blocks = 3000;
    rng g2(8);
    const auto sm = ibl_sample_session(m, g2);
    int flips = 0, last = sm.trials.front().block_side, last_block = 0;
    for (const auto& t : sm.trials)
      if (t.block_index != last_block) {
        flips += t.block_side != last;
        last = t.block_side;
        last_block = t.block_index;
      }
    CHECK(flips / 2999.0 == doctest::Approx(0.3).epsilon(0.08));
  }
}

TEST_CASE("IBL same seed, same session; different seeds differ") {
  rng a(99), b(99), c(100);
  const auto s1 = ibl_sample_session(ibl_params{}, a);
  const auto s2 = ibl_sample_session(ibl_params{}, b);
  const auto s3 = ibl_sample_session(ibl_params{}, c);
  REQUIRE(s1.trials.size() == s2.trials.size());
  for (std::size_t i = 0; i < s1.trials.size(); ++i) {
    CHECK(s1.trials[i].stimulus_side == s2.trials[i].stimulus_side);
    CHECK(s1.trials[i].contrast == s2.trials[i].contrast);
    CHECK(s1.trials[i].observations == s2.trials[i].observations);
  }
  CHECK(s1.trials.front().observations != s3.trials.front().observations);
}

TEST_CASE("IBL environment: feedback inputs, rewards and trial ends on scripted actions") {
  // A hand-made session of 3 trials with known sides.
  ibl_session s;
  s.block_lengths = {3};
  for (int i = 0; i < 3; ++i) {
    ibl_trial t;
    t.block_side = 1;
    t.trial_in_block = i;
    t.stimulus_side = i == 1 ? -1 : 1;
    t.contrast = 1.0;
    for (int k = 0; k < 10; ++k) t.observations.push_back({0.1 * k, 10.0 + i});
    s.trials.push_back(t);
  }
  const std::array<double, 2> wait{0.5, 0.5}, left{0.95, 0.05}, right{0.05, 0.95}, almost{0.1, 0.9};

  SUBCASE("reference: outcome carried into the first step") {
    ibl_environment env;
    auto first = env.reset(s);
    CHECK(first == std::array<double, 3>{0, 0, 0});
    // Trial 0 (right): an action during a blank step is ignored; act right at the 2nd observation
    // step. Trial 1 (left): act right (wrong) at the first observation step. Trial 2: time out.
    const auto steps = ibl_test_play(
        env,
        [&](int step, std::size_t trial) {
          if (trial == 0) return step == 0 ? right : step == 3 ? right : step == 2 ? almost : wait;
          if (trial == 1) return step == 2 ? right : wait;
          return wait;
        },
        100);
    // Trial 0: steps 0, 1 blank (feedback 0), step 2 observation without action (−0.05), step 3 acts.
    REQUIRE(steps.size() == 4 + 3 + 12);
    CHECK(steps[0].reward == 0);
    CHECK(steps[0].observation == std::array<double, 3>{0, 0, 0});  // 2nd blank
    CHECK(steps[1].reward == 0);
    CHECK(steps[1].observation == std::array<double, 3>{0.0, 10.0, 0});  // first observation step
    CHECK(steps[2].reward == doctest::Approx(-0.05));  // 0.9 is not over the threshold
    CHECK(steps[2].observation[2] == doctest::Approx(-0.05));
    CHECK(steps[2].observation[0] == doctest::Approx(0.1));
    CHECK(steps[3].reward == 1);
    CHECK(steps[3].observation == std::array<double, 3>{0, 0, 1});  // next trial's first step
    // Trial 1: wrong action at the first observation step.
    CHECK(steps[6].reward == -1);
    CHECK(steps[6].observation == std::array<double, 3>{0, 0, -1});
    // Trial 2: timeout at the 12th step, session over.
    for (std::size_t i = 7; i < 7 + 11; ++i) CHECK(steps[i].reward == (i < 9 ? 0.0 : -0.05));
    CHECK(steps.back().reward == -1);
    CHECK(steps.back().done);
    const auto& log = env.trials();
    REQUIRE(log.size() == 3);
    CHECK(log[0].action == 1);
    CHECK(log[0].correct);
    CHECK(log[0].n_observations == 2);
    CHECK(log[1].action == 1);
    CHECK_FALSE(log[1].correct);
    CHECK(log[1].n_observations == 1);
    CHECK_FALSE(log[1].concordant());
    CHECK(log[2].action == 0);
    CHECK_FALSE(log[2].correct);
    CHECK(log[2].n_observations == 10);
    CHECK_THROWS_AS(env.step(wait), argument_error);  // after the end
  }

  SUBCASE("paper: all-zero first step") {
    ibl_environment env(ibl_params::paper_text());
    env.reset(s);
    const auto steps = ibl_test_play(env, [&](int step, std::size_t) { return step == 2 ? left : wait; }, 3);
    CHECK(steps[2].reward == -1);  // trial 0 is right
    CHECK(steps[2].observation == std::array<double, 3>{0, 0, 0});
  }
}

TEST_CASE("IBL invalid parameters are rejected with the field named") {
  auto message = [](ibl_params p) {
    try {
      ibl_environment env(std::move(p));
    } catch (const argument_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ibl_params p;
  p.p_b0 = 1.5;
  CHECK(message(p).find("params.p_b0") != std::string::npos);
  p = {};
  p.max_block_length = 10;
  CHECK(message(p).find("params.max_block_length") != std::string::npos);
  p = {};
  p.contrasts = {0.5, -1};
  CHECK(message(p).find("params.contrasts") != std::string::npos);
  p = {};
  p.action_threshold = 1.0;
  CHECK(message(p).find("params.action_threshold") != std::string::npos);
  ibl_environment env;
  CHECK_THROWS_AS(env.step({0.5, 0.5}), argument_error);  // before reset
  ibl_session bad;
  bad.trials.resize(1);  // no observations
  CHECK_THROWS_AS(env.reset(bad), shape_error);
}
