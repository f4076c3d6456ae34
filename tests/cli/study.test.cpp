// Tests examples/cli/study.cpp: `rnnlab study` killed with SIGKILL mid-run and resumed gives the
// store of an uninterrupted run byte for byte; shards through the CLI; an invalid plan is refused
// before any work; scripts/plot_study.py writes every figure from the tiny store.
#include <doctest/doctest.h>

#include <rnnlab/study/plan.hpp>
#include <rnnlab/study/store.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/cli_runner.hpp"
#include "../support/study_store.hpp"

extern char** environ;

using namespace rnnlab;
namespace fs = std::filesystem;

namespace {

/// The tiny plan with a few more updates, so that a network takes long enough to be killed in.
fs::path cli_study_plan_file() {
  auto p = test::tiny_study_plan();
  p.scale.max_updates = 40;
  const auto f = test::scratch_dir() / "plan.json";
  io::write_json(f, study::plan_to_json(p));
  return f;
}

Index cli_complete_entries(const fs::path& store) {
  const auto plan = study::read_store_plan(store);
  Index n = 0;
  for (const auto& s : study::enumerate_networks(plan)) n += study::check_entry(store, s).state == study::entry_state::complete;
  return n;
}

}  // namespace

TEST_CASE("rnnlab study: SIGKILL mid-run, then --resume, gives the uninterrupted store byte for byte") {
  const auto plan = cli_study_plan_file();
  const auto full = test::fresh("full"), part = test::fresh("part");
  REQUIRE(test::run("study --plan " + plan.string() + " --out " + full.string() + " --threads 1 --quiet") == 0);
  CHECK(fs::exists(full / "analysis" / "claims.md"));

  // Start a run, kill it as soon as its first network is committed.
  const std::string cli = RNNLAB_CLI;
  std::vector<std::string> args{cli, "study", "--plan", plan.string(), "--out", part.string(), "--threads", "1", "--quiet"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, cli.c_str(), &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  const auto t0 = std::chrono::steady_clock::now();
  while (!fs::exists(part / "networks" / "00000" / "entry.json") &&
         std::chrono::steady_clock::now() - t0 < std::chrono::seconds(120))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(::kill(pid, SIGKILL) == 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  const Index done = cli_complete_entries(part);
  CHECK(done >= 1);
  CHECK(done < 4);  // killed midway
  CHECK_FALSE(fs::exists(part / "analysis"));

  // Without --resume the store is refused; with it, the run completes to the same bytes.
  CHECK(test::run("study --plan " + plan.string() + " --out " + part.string() + " --threads 2 --quiet") != 0);
  REQUIRE(test::run("study --plan " + plan.string() + " --out " + part.string() + " --threads 2 --quiet --resume") == 0);
  CHECK(test::study_store_differences(full, part).empty());

  // Shards (as a Slurm job array would run them) give the same store.
  const auto sh = test::fresh("shards");
  REQUIRE(test::run("study --plan " + plan.string() + " --out " + sh.string() + " --shard 1/2 --quiet") == 0);
  REQUIRE(test::run("study --plan " + plan.string() + " --out " + sh.string() + " --shard 0/2 --quiet") == 0);
  CHECK(test::study_store_differences(full, sh).empty());

  // The plotting script writes every figure it lists (skipped without matplotlib).
  const fs::path script = fs::path(RNNLAB_DATA_DIR) / ".." / "scripts" / "plot_study.py";
  const auto figs = test::fresh("figures");
  const auto listing = test::scratch_dir() / "plot_listing.txt";
  const std::string cmd = "/usr/bin/python3 " + script.string() + " " + full.string() + " --out " + figs.string() +
                          " > " + listing.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  const int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  if (code == 77) {
    MESSAGE("scripts/plot_study.py skipped: matplotlib is not installed (apt-get install python3-matplotlib)");
  } else {
    REQUIRE_MESSAGE(code == 0, test::study_file_bytes(listing));
    std::ifstream in(listing);
    std::vector<std::string> pngs;
    for (std::string line; std::getline(in, line);)
      if (line.size() > 4 && line.substr(line.size() - 4) == ".png") pngs.push_back(line);
    // rdm and cdi: 5 figures each, plus fig2, fig5 and fig4.
    CHECK(pngs.size() == 13);
    for (const auto& p : pngs) {
      CHECK_MESSAGE(fs::exists(p), p);
      CHECK(test::study_file_bytes(p).substr(1, 3) == "PNG");
    }
  }
}

TEST_CASE("scripts/plot_study.py draws every figure of a tiny study with the four rules of the paper") {
  // Each rule on its own network (Hebbian: Miconi's 12-unit minimum, 3 clamped units; full-FORCE and
  // Hebbian: tanh): the figures must handle them all (a BPTT-only store missed a 50-vs-47
  // coordinate bug in the attractor figure of Hebbian networks).
  auto p = test::tiny_study_plan({"bptt", "genetic", "hebbian", "full_force"});
  p.n_units = {12};
  p.scale.rule_max_updates = {{"genetic", 3}, {"hebbian", 120}, {"full_force", 3}};
  const auto plan = test::scratch_dir() / "plan4.json";
  io::write_json(plan, study::plan_to_json(p));
  const auto store = test::fresh("four_rules");
  REQUIRE(test::run("study --plan " + plan.string() + " --out " + store.string() + " --threads 2 --quiet") == 0);
  const fs::path script = fs::path(RNNLAB_DATA_DIR) / ".." / "scripts" / "plot_study.py";
  const auto figs = test::fresh("figures4");
  const auto listing = test::scratch_dir() / "plot_listing4.txt";
  const std::string cmd = "/usr/bin/python3 " + script.string() + " " + store.string() + " --out " + figs.string() +
                          " > " + listing.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  const int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  if (code == 77) {
    MESSAGE("scripts/plot_study.py skipped: matplotlib is not installed (apt-get install python3-matplotlib)");
    return;
  }
  REQUIRE_MESSAGE(code == 0, test::study_file_bytes(listing));
  std::ifstream in(listing);
  std::vector<std::string> pngs;
  for (std::string line; std::getline(in, line);)
    if (line.size() > 4 && line.substr(line.size() - 4) == ".png") pngs.push_back(line);
  CHECK(pngs.size() == 13);  // rdm and cdi: 5 figures each, plus fig2, fig5 and fig4
  for (const auto& f : pngs) {
    CHECK_MESSAGE(fs::exists(f), f);
    CHECK(test::study_file_bytes(f).substr(1, 3) == "PNG");
  }
}

TEST_CASE("rnnlab study: an invalid plan is refused before any work, naming the rules available") {
  const auto out = test::fresh("refused");
  const auto err = test::scratch_dir() / "refused.txt";
  const std::string cmd = std::string(RNNLAB_CLI) + " study --rules bptt no_such_rule --out " + out.string() + " > " +
                          err.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  CHECK(WIFEXITED(rc));
  CHECK(WEXITSTATUS(rc) != 0);
  const std::string msg = test::study_file_bytes(err);
  CHECK(msg.find("'no_such_rule'") != std::string::npos);
  CHECK(msg.find("registered rules (bptt, bptt_single_unit, full_force, full_force_single_unit, genetic, "
                 "genetic_single_unit, hebbian)") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  CHECK(test::run("study --networks-per-cell 0 --out " + out.string()) != 0);
  CHECK_FALSE(fs::exists(out));
}
