// The study runner end to end on a tiny study: every file of the store, numpy-readable arrays,
// the same store whatever the thread count, shards, an interrupted run resumed, and a corrupted
// entry detected and redone without touching the others.
#include <doctest/doctest.h>

#include <rnnlab/study.hpp>

#include "support/scratch.hpp"
#include "support/study_store.hpp"

#include <filesystem>
#include <fstream>
#include <string>

using namespace rnnlab;
using namespace rnnlab::study;

namespace {

/// The built-in rules plus a second BPTT that stops after half the updates, so that the analyses
/// have two rules to compare. It wraps the built-in entry's training function instead of
/// instantiating a training loop of its own: the study's heavy code is compiled once, in the
/// rnnlab_study library (study/detail/config.hpp).
rule_registry runner_test_rules() {
  auto reg = builtin_rules();
  rule_entry half = reg.at("bptt");
  half.name = "bptt_half";
  half.description = "BPTT + Adam with half the update budget (test)";
  half.train = [full = reg.at("bptt").train](study_network& net, const study_task& task, const study_scale& scale,
                                             const train_options& options) {
    train_options o = options;
    o.max_updates = std::max<Index>(1, options.max_updates / 2);
    return full(net, task, scale, o);
  };
  reg.add(half);
  return reg;
}

run_summary runner_run(const study_plan& p, const std::filesystem::path& out, int threads, int shard = 0,
                       int n_shards = 1, bool resume = false) {
  run_options o;
  o.out = out;
  o.threads = threads;
  o.shard = shard;
  o.n_shards = n_shards;
  o.resume = resume;
  o.progress = false;
  return run_study(p, o, runner_test_rules(), analyse_and_claim);
}

}  // namespace

TEST_CASE("study runner: a tiny study end to end (2 rules x 2 seeds x RDM, CDI)") {
  const auto plan = test::tiny_study_plan({"bptt", "bptt_half"});
  const auto out = test::fresh("tiny");
  const auto sum = runner_run(plan, out, 2);
  CHECK(sum.total == 8);
  CHECK(sum.trained == 8);
  CHECK(sum.failed == 0);
  CHECK(sum.complete);
  CHECK(sum.analysed);
  const auto nets = enumerate_networks(plan);
  for (const auto& s : nets) {
    CHECK(check_entry(out, s).state == entry_state::complete);
    const auto dir = entry_dir(out, s);
    for (const char* f : {"network/W_rec.npy", "network/network.json", "training.json", "fixed_points/large/points.npy",
                          "fixed_points/small/stability.npy", "topology.json", "topology_signature.npy", "activity.npy",
                          "psychometric.json", "integration.json", "integration_outputs.npy", "entry.json"})
      CHECK_MESSAGE(std::filesystem::exists(dir / f), s.folder() << "/" << f);
    // The activity on the SVCCA probes: units × (T · 10 · N).
    const auto A = io::read_npy_matrix<float>(dir / "activity.npy");
    CHECK(A.rows() == 8);
    CHECK(A.cols() == 40 * 10 * s.contexts);
    const auto psy = io::read_json(dir / "psychometric.json");
    CHECK(psy.at("fraction_positive").size() == psy.at("coherence").size());
    CHECK(psy.at("fit").contains("L"));
  }
  for (const char* g : {"rdm", "cdi"}) {
    const auto D = io::read_npy_matrix<double>(out / "analysis" / g / "svcca_distances.npy");
    CHECK(D.rows() == 4);
    CHECK((D - D.transpose()).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(D.diagonal().cwiseAbs().maxCoeff() == 0.0);
    CHECK(D.maxCoeff() > 0.0);
    const auto T = io::read_npy_matrix<double>(out / "analysis" / g / "topology_distances.npy");
    CHECK(T.rows() == 4);
    CHECK(io::read_npy_matrix<double>(out / "analysis" / g / "svcca_mds.npy").cols() == 2);
    const auto sil = io::read_json(out / "analysis" / g / "silhouettes.json");
    const auto& s = sil.at("svcca").at("rule").at("overall");
    CHECK(s.at("score").get<double>() >= -1.0);
    CHECK(s.at("score").get<double>() <= 1.0);
    CHECK(s.at("p_value").get<double>() > 0.0);
  }
  const auto claims = io::read_json(out / "analysis" / "claims.json");
  REQUIRE(claims.size() == 5);
  // Two rules are in the store, but not hebbian nor genetic: (b), (c), (e) are not measured.
  CHECK(claims[0].at("verdict").get<std::string>().rfind("not measured", 0) == std::string::npos);
  CHECK(claims[1].at("verdict").get<std::string>().rfind("not measured (needs hebbian", 0) == 0);
  CHECK(claims[2].at("verdict").get<std::string>().rfind("not measured", 0) == 0);
  CHECK(claims[4].at("verdict").get<std::string>().rfind("not measured", 0) == 0);

  SUBCASE("the same store with 1 thread, and from two shards") {
    const auto one = test::fresh("tiny_1thread");
    runner_run(plan, one, 1);
    CHECK(test::study_store_differences(out, one).empty());

    const auto sh = test::fresh("tiny_shards");
    const auto s0 = runner_run(plan, sh, 1, 0, 2);
    CHECK(s0.owned == 4);
    CHECK_FALSE(s0.complete);
    CHECK_FALSE(std::filesystem::exists(sh / "analysis"));
    const auto s1 = runner_run(plan, sh, 1, 1, 2);
    CHECK(s1.complete);
    CHECK(s1.analysed);
    CHECK(test::study_store_differences(out, sh).empty());
  }

  SUBCASE("a corrupted entry is detected and redone; nothing else changes") {
    const auto c = test::fresh("tiny_corrupt");
    std::filesystem::copy(out, c, std::filesystem::copy_options::recursive);
    const auto victim = entry_dir(c, nets[5]) / "activity.npy";
    {
      std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(200);
      f.put('\x7f');
    }
    const auto half = entry_dir(c, nets[2]) / "entry.json";  // a half-written entry
    std::filesystem::remove(half);
    CHECK(check_entry(c, nets[5]).state == entry_state::corrupted);
    CHECK(check_entry(c, nets[2]).state == entry_state::corrupted);
    const auto before = std::filesystem::last_write_time(entry_dir(c, nets[0]) / "activity.npy");
    const auto sum2 = runner_run(plan, c, 2, 0, 1, true);
    CHECK(sum2.corrupted == 2);
    CHECK(sum2.trained == 2);
    CHECK(sum2.already_done == 6);
    REQUIRE(sum2.messages.size() == 2);
    CHECK(sum2.messages[0].find("no entry.json") != std::string::npos);  // network 2 comes first
    CHECK(sum2.messages[1].find("checksum mismatch in activity.npy") != std::string::npos);
    CHECK(std::filesystem::last_write_time(entry_dir(c, nets[0]) / "activity.npy") == before);
    CHECK(test::study_store_differences(out, c).empty());
  }

  SUBCASE("an existing store is reused only with resume, and only for the same plan") {
    CHECK_THROWS_WITH_AS(runner_run(plan, out, 1), doctest::Contains("--resume"), io_error);
    auto other = plan;
    other.seed = 6;
    CHECK_THROWS_WITH_AS(runner_run(other, out, 1, 0, 1, true), doctest::Contains("another plan"), io_error);
    const auto again = runner_run(plan, out, 1, 0, 1, true);
    CHECK(again.trained == 0);
    CHECK(again.already_done == 8);
  }
}

TEST_CASE("study runner: a run stopped midway and resumed gives the uninterrupted store") {
  const auto plan = test::tiny_study_plan();
  const auto full = test::fresh("tiny_full");
  runner_run(plan, full, 1);
  const auto part = test::fresh("tiny_part");
  run_options o;
  o.out = part;
  o.threads = 1;
  o.progress = false;
  o.on_network_done = [](Index i) { return i != 1; };  // stop after the second network
  const auto first = run_study(plan, o, runner_test_rules(), analyse_and_claim);
  CHECK(first.trained == 2);
  CHECK(first.failed == 0);
  CHECK_FALSE(first.complete);
  CHECK_FALSE(std::filesystem::exists(part / "analysis"));
  o.on_network_done = nullptr;
  o.resume = true;
  const auto second = run_study(plan, o, runner_test_rules(), analyse_and_claim);
  CHECK(second.already_done == 2);
  CHECK(second.trained == 2);
  CHECK(test::study_store_differences(full, part).empty());
}
