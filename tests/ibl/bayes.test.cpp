#include <doctest/doctest.h>

#include <rnnlab/ibl/bayes.hpp>

#include <cmath>
#include <functional>
#include <numbers>

using namespace rnnlab;

namespace {

double ibl_bf_phi(double x) { return std::exp(-x * x / 2) / std::sqrt(2 * std::numbers::pi); }

// One trial as the brute force sees it: a known side (0 = unknown, a timeout) and observations.
struct ibl_bf_trial {
  int side = 0;
  std::vector<std::array<double, 2>> obs;
};

// P(o_{≤T} | s, μ) with full densities under a within-trial model (exact: both channels; difference:
// d = o_R − o_L only).
double ibl_bf_obs_density(const ibl_bayes_params& p, const std::vector<std::array<double, 2>>& obs, int s,
                          double mu) {
  double f = 1;
  for (const auto& o : obs) {
    if (p.within_trial == ibl_within_trial::exact) {
      const double os = s > 0 ? o[1] : o[0], on = s > 0 ? o[0] : o[1];
      f *= ibl_bf_phi(os - mu) * ibl_bf_phi(on);
    } else {
      const double d = o[1] - o[0];
      f *= ibl_bf_phi((d - s * mu) / std::sqrt(2.0)) / std::sqrt(2.0);
    }
  }
  return f;
}

// Brute force: sums the joint over every path of block sides b_1..b_n (Markov, b_1 uniform), every
// unknown stimulus side and every contrast of every trial with observations. Returns
// (P(s_n = R | data), P(b_n = R | data)) where trial n is the last of `trials` (its side unknown).
std::pair<double, double> ibl_bf_posterior(const ibl_bayes_params& p, const std::vector<ibl_bf_trial>& trials) {
  const std::size_t n = trials.size();
  double total = 0, s_right = 0, b_right = 0;
  std::function<void(std::size_t, int, double, int)> rec = [&](std::size_t k, int prev_b, double joint, int last_s) {
    if (k == n) {
      total += joint;
      if (last_s > 0) s_right += joint;
      if (prev_b > 0) b_right += joint;
      return;
    }
    for (int b : {-1, 1}) {
      const double pb = k == 0 ? 0.5 : (b == prev_b ? 1 - p.p_b : p.p_b);
      for (int s : {-1, 1}) {
        if (trials[k].side != 0 && s != trials[k].side) continue;
        const double ps = s == b ? p.p_s : 1 - p.p_s;
        if (trials[k].obs.empty()) {
          rec(k + 1, b, joint * pb * ps, s);
          continue;
        }
        for (double mu : p.contrasts) {
          const double f = ibl_bf_obs_density(p, trials[k].obs, s, mu) / static_cast<double>(p.contrasts.size());
          rec(k + 1, b, joint * pb * ps * f, s);
        }
      }
    }
  };
  rec(0, 0, 1.0, 0);
  return {s_right / total, b_right / total};
}

std::vector<std::array<double, 2>> ibl_bf_draw_obs(rng& g, int t, int side, double mu) {
  std::vector<std::array<double, 2>> o;
  for (int i = 0; i < t; ++i) {
    const double a = standard_normal(g), b = standard_normal(g);
    o.push_back(side > 0 ? std::array<double, 2>{a, mu + b} : std::array<double, 2>{mu + a, b});
  }
  return o;
}

}  // namespace

TEST_CASE("IBL exact Bayesian posteriors equal brute-force enumeration over latent paths") {
  rng g(31);
  for (auto mode : {ibl_within_trial::exact, ibl_within_trial::difference}) {
    ibl_bayes_params p;
    p.within_trial = mode;
    p.p_b = 0.15;  // a short-block filter makes the history matter more
    for (int rep = 0; rep < 20; ++rep) {
      // 5 past trials with known sides, one of them timed out (side unknown, observations known).
      std::vector<ibl_bf_trial> trials;
      ibl_block_filter filter(p);
      for (int k = 0; k < 5; ++k) {
        ibl_bf_trial t;
        const int side = random_sign(g);
        if (k == 2) {
          t.obs = ibl_bf_draw_obs(g, 3, side, 1.0);
          ibl_trial_posterior tp(p, 0.5);
          for (const auto& o : t.obs) tp.observe(o[0], o[1]);
          const auto [lr, ll] = tp.log_likelihoods();
          filter.update_weighted(std::exp(lr), std::exp(ll));
        } else {
          t.side = side;
          filter.update(side);
        }
        trials.push_back(t);
      }
      // The current trial: T observation steps.
      const int steps = 1 + static_cast<int>(uniform_index(g, 4));
      ibl_bf_trial now;
      now.obs = ibl_bf_draw_obs(g, steps, random_sign(g), 0.5 * static_cast<double>(uniform_index(g, 6)));
      ibl_trial_posterior post(p, filter.stimulus_prior_right());
      for (const auto& o : now.obs) post.observe(o[0], o[1]);
      trials.push_back(now);
      const auto [bf_s, bf_b] = ibl_bf_posterior(p, trials);
      CHECK(post.posterior_right() == doctest::Approx(bf_s).epsilon(1e-12));
      // Block posterior before the current trial's side is known: enumerate without its observations.
      trials.back().obs.clear();
      const auto [prior_s, pred_b] = ibl_bf_posterior(p, trials);
      CHECK(filter.predicted_block_right() == doctest::Approx(pred_b).epsilon(1e-12));
      CHECK(filter.stimulus_prior_right() == doctest::Approx(prior_s).epsilon(1e-12));
    }
  }
}

TEST_CASE("IBL reference within-trial variant: per-step remarginalisation equals enumeration of a contrast per step") {
  rng g(5);
  const auto p = ibl_bayes_params::reference_actor();
  for (int rep = 0; rep < 10; ++rep) {
    const double prior = 0.1 + 0.8 * uniform01(g);
    const auto obs = ibl_bf_draw_obs(g, 3, 1, 1.5);
    ibl_trial_posterior post(p, prior);
    for (const auto& o : obs) post.observe(o[0], o[1]);
    // Enumerate μ_1, μ_2, μ_3 independently (6^3 paths) for each side.
    double jr = 0, jl = 0;
    for (double m1 : p.contrasts)
      for (double m2 : p.contrasts)
        for (double m3 : p.contrasts) {
          const std::array<double, 3> mus{m1, m2, m3};
          for (int s : {-1, 1}) {
            double f = s > 0 ? prior : 1 - prior;
            for (int t = 0; t < 3; ++t) {
              const double d = obs[static_cast<std::size_t>(t)][1] - obs[static_cast<std::size_t>(t)][0];
              f *= ibl_bf_phi((d - s * mus[static_cast<std::size_t>(t)]) / std::sqrt(2.0)) / 6;
            }
            (s > 0 ? jr : jl) += f;
          }
        }
    CHECK(post.posterior_right() == doctest::Approx(jr / (jr + jl)).epsilon(1e-12));
    // And it differs from the exact difference-only posterior (μ shared by the trial).
    auto pd = ibl_bayes_params::reference_observer();
    ibl_trial_posterior exact(pd, prior);
    for (const auto& o : obs) exact.observe(o[0], o[1]);
    CHECK(std::abs(exact.posterior_right() - post.posterior_right()) > 1e-6);
  }
}

TEST_CASE("IBL stimulus-prior variants: reference observer skips the transition, reference actor the emission") {
  ibl_bayes_params exact;
  auto obs = ibl_bayes_params::reference_observer();
  auto act = ibl_bayes_params::reference_actor();
  ibl_block_filter fe(exact), fo(obs), fa(act);
  for (int k = 0; k < 30; ++k) {
    fe.update(1);
    fo.update(1);
    fa.update(1);
  }
  const double post = fe.block_posterior_right();
  const double pred = 0.98 * post + 0.02 * (1 - post);
  CHECK(fe.stimulus_prior_right() == doctest::Approx(0.8 * pred + 0.2 * (1 - pred)).epsilon(1e-14));
  CHECK(fo.stimulus_prior_right() == doctest::Approx(0.8 * post + 0.2 * (1 - post)).epsilon(1e-14));
  CHECK(fa.stimulus_prior_right() == doctest::Approx(pred).epsilon(1e-14));
  CHECK(fa.stimulus_prior_right() > 0.97);       // "0.98 rather than 0.79"
  CHECK(fe.stimulus_prior_right() < 0.8);
  ibl_bayes_params blockless;
  blockless.prior = ibl_stimulus_prior::blockless;
  ibl_block_filter fb(blockless);
  fb.update(1);
  CHECK(fb.stimulus_prior_right() == 0.5);
  ibl_bayes_params ew;
  ew.prior = ibl_stimulus_prior::exponential;
  ibl_block_filter fx(ew);
  fx.update(1);
  fx.update(-1);
  CHECK(fx.stimulus_prior_right() == doctest::Approx(0.9 * (0.9 * 0.5 + 0.1) + 0.0).epsilon(1e-14));
}

TEST_CASE("IBL blockless accuracy: the known-contrast formula matches simulation; the reference formula is its own") {
  CHECK(ibl_blockless_accuracy_reference(1.0, 4) == doctest::Approx(ibl_normal_cdf(2.0)).epsilon(1e-14));
  CHECK(ibl_normal_cdf(0) == 0.5);
  CHECK(ibl_normal_cdf(1.959963984540054) == doctest::Approx(0.975).epsilon(1e-12));
  rng g(3);
  const double mu = 0.5;
  const int n = 3, trials = 200000;
  int correct = 0;
  for (int i = 0; i < trials; ++i) {
    double sum = 0;
    for (int t = 0; t < n; ++t) sum += (mu + standard_normal(g)) - standard_normal(g);
    correct += sum > 0;
  }
  const double expected = ibl_blockless_accuracy_known_contrast(mu, n);  // Φ(0.612) = 0.7298
  CHECK(correct / double(trials) == doctest::Approx(expected).epsilon(0.005));
  CHECK(std::abs(ibl_blockless_accuracy_reference(mu, n) - expected) > 0.05);
}

TEST_CASE("IBL Bayesian actor plays the environment; the observer at its action steps agrees with it") {
  ibl_params tp;
  tp.n_blocks = 20;
  rng g(11);
  const auto session = ibl_sample_session(tp, g);
  ibl_environment env(tp);
  ibl_bayesian_actor actor;
  const auto log = ibl_run_agent(env, actor, session);
  REQUIRE(log.size() == session.trials.size());
  const auto obs = ibl_bayesian_observer(session, log);
  std::size_t correct = 0, agree = 0, timeouts = 0, checked = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    correct += log[i].correct;
    if (log[i].action == 0) {
      ++timeouts;
      continue;
    }
    // Before the first timeout both filters saw the same true sides and the same observations.
    if (timeouts == 0) {
      ++checked;
      agree += obs[i].action == log[i].action;
      CHECK(std::max(obs[i].posterior_right, 1 - obs[i].posterior_right) > 0.9);
    }
  }
  CHECK(checked > 10);
  CHECK(agree == checked);
  // Fig. 2a's measure: the fraction of actions that are correct. Every action is taken at a
  // posterior > 0.9, so the expected accuracy of the actions is > 0.9.
  const double actions = static_cast<double>(log.size() - timeouts);
  const double accuracy = static_cast<double>(correct) / actions;
  INFO("exact Bayesian actor: accuracy of actions " << accuracy << ", timeouts " << timeouts << " of " << log.size());
  CHECK(accuracy > 0.88);
  CHECK(accuracy < 0.98);
}

TEST_CASE("IBL Bayesian parameters are checked") {
  ibl_bayes_params p;
  p.p_s = 1.2;
  CHECK_THROWS_AS(ibl_bayesian_actor{p}, argument_error);
  ibl_session s;
  std::vector<ibl_trial_outcome> too_many(3);
  CHECK_THROWS_AS(ibl_bayesian_observer(s, too_many), shape_error);
}
