// The built-in rules of the study (study/rules.hpp): each builds the network it needs through its
// construction hook (Miconi's clamped net for Hebbian, full-FORCE's zero-weight tanh-readout net),
// trains in its own budget, and every network — converged or not — is in the store and counted by
// the analyses and the claims.
#include <doctest/doctest.h>

#include <rnnlab/io/network.hpp>
#include <rnnlab/study.hpp>

#include "support/scratch.hpp"
#include "support/study_store.hpp"

#include <string>

using namespace rnnlab;
using namespace rnnlab::study;

TEST_CASE("study rules: the four rules of the paper in one tiny study, each on its own network") {
  auto plan = test::tiny_study_plan({"bptt", "genetic", "hebbian", "full_force"});
  plan.n_units = {12};  // Miconi's network clamps units 1, 10 and 11
  plan.scale.rule_max_updates = {{"genetic", 3}, {"hebbian", 120}, {"full_force", 3}};
  const auto reg = builtin_rules();
  CHECK(reg.names() == std::vector<std::string>{"bptt", "bptt_single_unit", "full_force", "full_force_single_unit",
                                                "genetic", "genetic_single_unit", "hebbian"});
  // README's main job (the `default` preset) trains the paper's four rules, not the Fig. 11 controls.
  CHECK(reg.default_names() == std::vector<std::string>{"bptt", "full_force", "genetic", "hebbian"});
  const auto out = test::fresh("four_rules");
  run_options o;
  o.out = out;
  o.threads = 2;
  o.progress = false;
  const auto sum = run_study(plan, o, reg);
  CHECK(sum.total == 16);
  CHECK(sum.failed == 0);
  REQUIRE(sum.analysed);

  for (const auto& s : enumerate_networks(plan)) {
    const auto dir = entry_dir(out, s);
    REQUIRE(check_entry(out, s).state == entry_state::complete);
    const auto t = io::read_json(dir / "training.json");
    CHECK(t.at("rule") == s.rule);
    CHECK(t.at("max_updates").get<Index>() == plan.scale.max_updates_for(s.rule));
    CHECK(t.at("updates").get<Index>() <= plan.scale.max_updates_for(s.rule));
    CHECK(t.at("converged").get<bool>() == (t.at("status") == "converged"));
    const auto A = io::read_npy_matrix<float>(dir / "activity.npy");
    if (s.rule == "hebbian") {
      CHECK(t.at("activation") == "tanh");
      const auto net = io::load_network<float, activations::tanh>(dir / "network");
      CHECK(net.clamped_units().size() == 3);
      CHECK(net.readout_unit() == 0);
      CHECK(A.rows() == 9);  // the clamped units are left out of the SVCCA activity
    } else if (s.rule == "full_force") {
      CHECK(t.at("activation") == "tanh");
      const auto net = io::load_network<float, activations::tanh>(dir / "network");
      CHECK(net.output_activation() == "tanh");
      CHECK(net.alpha() == doctest::Approx(0.1f));
      CHECK(net.parameters().W_rec.cwiseAbs().maxCoeff() > 0.0f);  // trained from W_rec = 0
      CHECK(A.rows() == 12);
    } else {
      CHECK(t.at("activation") == "one_plus_tanh");
      CHECK(A.rows() == 12);
    }
  }

  // Every network is analysed and counted, converged or not.
  const auto summary = io::read_json(out / "analysis" / "summary.json");
  for (const char* g : {"rdm", "cdi"}) {
    const auto& grp = summary.at("groups").at(g);
    CHECK(grp.at("n_networks").get<Index>() == 8);
    for (const char* r : {"bptt", "genetic", "hebbian", "full_force"}) {
      Index n = 0;
      for (const auto& [k, v] : grp.at("training_status_by_rule").at(r).items()) n += v.get<Index>();
      CHECK(n == 2);
    }
    CHECK(io::read_npy_matrix<double>(out / "analysis" / g / "svcca_distances.npy").rows() == 8);
  }
  // Claims (a) and (b) are measured now that four rules are in the store.
  const auto claims = io::read_json(out / "analysis" / "claims.json");
  REQUIRE(claims.size() == 5);
  for (int i : {0, 1}) {
    const auto v = claims[static_cast<std::size_t>(i)].at("verdict").get<std::string>();
    CHECK_MESSAGE((v == "agrees" || v == "disagrees"), v);
    const auto m = claims[static_cast<std::size_t>(i)].at("measured").get<std::string>();
    CHECK(m.find("rdm: s = ") != std::string::npos);
    CHECK(m.find("n = 8 (bptt ") != std::string::npos);
    CHECK(m.find("hebbian ") != std::string::npos);
  }
}

TEST_CASE("study rules: a rule trained on the wrong activation says so") {
  const auto reg = builtin_rules();
  auto plan = test::tiny_study_plan({"hebbian"});
  plan.n_units = {12};
  const auto spec = enumerate_networks(plan).front();
  const auto task = make_study_task(plan, spec);
  rng g(1);
  study_network net = make_ctrnn<float, activations::one_plus_tanh>(ctrnn_config::reference_code(), 1, 1, g);
  train_options opt;
  opt.max_updates = 1;
  CHECK_THROWS_WITH_AS(reg.at("hebbian").train(net, task, plan.scale, opt), doctest::Contains("a tanh network"),
                       argument_error);
}

TEST_CASE("study rules: the Appendix Fig. 11 controls read out from unit 0 and train through the study") {
  const auto reg = builtin_rules();
  // The fig11 preset names the three controls and hebbian, and is a valid plan of this build.
  const auto fig11 = study_plan::preset("fig11");
  CHECK(fig11.rules ==
        std::vector<std::string>{"bptt_single_unit", "genetic_single_unit", "full_force_single_unit", "hebbian"});
  CHECK_NOTHROW(validate(fig11, reg));

  auto plan = test::tiny_study_plan({"bptt_single_unit", "genetic_single_unit", "full_force_single_unit"});
  plan.tasks = {"rdm"};
  plan.networks_per_cell = 1;
  plan.scale.rule_max_updates = {{"genetic_single_unit", 3}, {"full_force_single_unit", 3}};
  const auto out = test::fresh("single_unit_rules");
  run_options o;
  o.out = out;
  o.threads = 2;
  o.progress = false;
  o.analyse = false;
  const auto sum = run_study(plan, o, reg);
  CHECK(sum.failed == 0);
  for (const auto& s : enumerate_networks(plan)) {
    const auto dir = entry_dir(out, s);
    REQUIRE(check_entry(out, s).state == entry_state::complete);
    const auto t = io::read_json(dir / "training.json");
    CHECK(t.at("updates").get<Index>() >= 1);
    if (s.rule == "bptt_single_unit") {
      // BPTT's linear readout held at e_0: y = x_0 (the reference reads the state), W_rec trained.
      const auto net = io::load_network<float, activations::one_plus_tanh>(dir / "network");
      const auto& p = net.parameters();
      CHECK(net.readout() == readout_source::state);
      CHECK(p.W_out(0, 0) == 1.0f);
      CHECK(p.W_out.cwiseAbs().sum() == 1.0f);
      CHECK(p.b_out.cwiseAbs().sum() == 0.0f);
      // Untrained from the same stream, W_rec differs: it was trained.
      auto gi = make_stream(plan.seed, static_cast<std::uint64_t>(s.index), stream_purpose::initialization);
      const auto fresh = make_ctrnn<float, activations::one_plus_tanh>(ctrnn_config::reference_code(plan.n_units[0]),
                                                                      1, 1, gi);
      CHECK(fresh.parameters().W_rec != p.W_rec);
    } else if (s.rule == "genetic_single_unit") {
      const auto net = io::load_network<float, activations::one_plus_tanh>(dir / "network");
      CHECK(net.readout_unit() == 0);
    } else {
      const auto net = io::load_network<float, activations::tanh>(dir / "network");
      CHECK(net.readout_unit() == 0);
      CHECK(net.output_activation() == "tanh");
      CHECK(net.parameters().W_rec.row(0).cwiseAbs().maxCoeff() > 0.0f);  // unit 0's weights learnt from W_rec = 0
    }
  }
}
