// The study plan: presets, enumeration, JSON round trip, and invalid plans rejected with a clear
// message before any work.
#include <doctest/doctest.h>

#include <rnnlab/study.hpp>

#include "support/scratch.hpp"

#include <filesystem>
#include <string>

using namespace rnnlab;
using namespace rnnlab::study;

namespace {

std::string plan_error(const study_plan& p, const rule_registry& reg = builtin_rules()) {
  try {
    validate(p, reg);
  } catch (const argument_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("study plan: presets enumerate the paper's cells") {
  const auto fig1 = study_plan::preset("fig1", study_size::paper);
  CHECK(enumerate_networks(fig1).size() == 2 * 4 * 50);
  const auto fig2 = study_plan::preset("fig2", study_size::paper);
  CHECK(enumerate_networks(fig2).size() == 6 * 2 * 50);
  const auto fig5 = study_plan::preset("fig5", study_size::small);
  const auto nets = enumerate_networks(fig5);
  CHECK(nets.size() == 6 * 3 * 3);
  CHECK(nets[0].group() == "ncdi1");
  CHECK(nets.back().group() == "ncdi6");
  CHECK(nets[0].noise_as == noise_convention::variance);
  CHECK(nets[0].noise_stddev() == doctest::Approx(std::sqrt(0.1)));
  for (std::size_t i = 0; i < nets.size(); ++i) CHECK(nets[i].index == static_cast<Index>(i));
  CHECK(nets[7].folder() == "00007");
  CHECK_THROWS_WITH_AS(study_plan::preset("fig9"), doctest::Contains("fig1"), argument_error);

  // all: the union of fig1, fig2, fig3, fig5, shared cells once — CDI at variance 1.0 is CDI at the
  // default std 1 (fig3 vs fig1: 4 rules × 50), and N-CDI bptt at variance 1.0 is fig2's bptt cells
  // (fig5 vs fig2: 6 N × 50).
  const auto all = study_plan::preset("all", study_size::paper);
  const auto every = enumerate_networks(all);
  CHECK(every.size() == 400 + 600 + 1200 + 900 - 200 - 300);
  for (std::size_t i = 0; i < every.size(); ++i) CHECK(every[i].index == static_cast<Index>(i));
  CHECK(plan_from_json(plan_to_json(all)) == all);
}

TEST_CASE("study plan: JSON round trip, strict reading") {
  auto p = study_plan::preset("fig3", study_size::small);
  p.seed = 77;
  p.noise_as = noise_convention::stddev;
  const auto j = plan_to_json(p);
  CHECK(plan_from_json(j) == p);
  auto bad = j;
  bad["colour"] = "blue";
  CHECK_THROWS_WITH_AS(plan_from_json(bad), doctest::Contains("unknown field 'colour'"), io_error);
  bad = j;
  bad.erase("rules");
  CHECK_THROWS_WITH_AS(plan_from_json(bad), doctest::Contains("missing field 'rules'"), io_error);
  bad = j;
  bad["size"] = "huge";
  CHECK_THROWS_WITH_AS(plan_from_json(bad), doctest::Contains("small, paper, custom"), io_error);
}

TEST_CASE("study plan: invalid plans are rejected before any work, with the reason") {
  study_plan ok = study_plan::preset("default");
  CHECK(plan_error(ok).empty());

  auto p = ok;
  p.rules = {"bptt", "genetic", "hebbian", "full_force"};  // the four rules of the paper are built in
  CHECK(plan_error(p).empty());
  p.rules = {"bptt", "bptt_sgd"};
  const auto e = plan_error(p);
  CHECK(e.find("'bptt_sgd'") != std::string::npos);
  CHECK(e.find("not registered") != std::string::npos);
  CHECK(e.find("bptt, bptt_single_unit, full_force") != std::string::npos);  // the available rules are listed

  p = ok;
  p.rules = {"hebbian"};
  p.size = study_size::custom;
  p.n_units = {8};  // Miconi's network clamps units 1, 10 and 11
  CHECK(plan_error(p).find("sizes >= 12 for rule 'hebbian'") != std::string::npos);
  p.n_units = {50};
  p.scale.rule_max_updates["hebbian"] = 0;
  CHECK(plan_error(p).find("rule_max_updates") != std::string::npos);

  p = ok;
  p.rules = {"hebbian"};
  p.activations = {"one_plus_tanh", "tanh"};  // Hebbian trains tanh networks only
  CHECK(plan_error(p).find("which trains tanh only") != std::string::npos);

  p = ok;
  p.networks_per_cell = 0;
  CHECK(plan_error(p).find("networks_per_cell") != std::string::npos);

  p = ok;
  p.scale.n_steps = 300;  // size small, but not small's scale
  CHECK(plan_error(p).find("size 'small' with T = 300") != std::string::npos);
  p.size = study_size::custom;
  CHECK(plan_error(p).empty());

  p = ok;
  p.tasks = {"ncdi"};
  CHECK(plan_error(p).find("contexts") != std::string::npos);
  p.contexts = {2, 9};
  CHECK(plan_error(p).find("[1, 8]") != std::string::npos);

  // A rule that cannot serve a task.
  auto reg = builtin_rules();
  auto rdm_only = reg.at("bptt");
  rdm_only.name = "rdm_only";
  rdm_only.serves = [](std::string_view task, int) { return task == "rdm"; };
  reg.add(rdm_only);
  p = ok;
  p.rules = {"rdm_only"};
  CHECK(plan_error(p, reg).find("rule 'rdm_only' cannot serve task cdi") != std::string::npos);

  // The runner refuses before touching the disk.
  const auto out = test::fresh("never_written");
  p = ok;
  p.rules = {"bptt_sgd"};
  run_options o;
  o.out = out;
  o.progress = false;
  CHECK_THROWS_AS(run_study(p, o), argument_error);
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("study: the psychometric sigmoid fit recovers known parameters") {
  const sigmoid_fit truth{fit_status::converged, 0.9, 40.0, 0.01, 0.05};
  std::vector<double> x, p;
  for (int i = -10; i <= 10; ++i) {
    x.push_back(0.02 * i);
    p.push_back(truth(0.02 * i));
  }
  const auto f = fit_sigmoid(x, p);
  CHECK(f.status == fit_status::converged);
  CHECK(f.L == doctest::Approx(0.9).epsilon(1e-6));
  CHECK(f.k == doctest::Approx(40.0).epsilon(1e-6));
  CHECK(f.x0 == doctest::Approx(0.01).epsilon(1e-6));
  CHECK(f.b == doctest::Approx(0.05).epsilon(1e-6));
  CHECK(f.rss < 1e-12);
  CHECK(fit_sigmoid(std::vector<double>{0, 1}, std::vector<double>{0, 1}).status == fit_status::too_few_points);
}
