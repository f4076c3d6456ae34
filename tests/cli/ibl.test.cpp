// Tests `rnnlab ibl ...` (examples/cli/ibl.cpp) from outside, as a user runs it.
#include <doctest/doctest.h>

#include <rnnlab/ibl/mouse_csv.hpp>
#include <rnnlab/io/atomic.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../support/cli_runner.hpp"

namespace {

// The rows of curves.csv for one agent, curve and split: (x, n, value) as text fields.
std::size_t ibl_cli_count_rows(const std::filesystem::path& csv, const std::string& prefix) {
  std::ifstream in(csv);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) n += line.rfind(prefix, 0) == 0;
  return n;
}

}  // namespace

TEST_CASE("rnnlab ibl behaviour: the mice's curves, and bad rows fail or are skipped") {
  const std::filesystem::path data = std::filesystem::path(RNNLAB_DATA_DIR) / "fixtures" / "ibl_mouse_behaviour";
  const auto out = rnnlab::test::fresh("ibl_behaviour");
  REQUIRE(rnnlab::test::run("ibl behaviour --csv " + (data / "KS004.csv").string() + " --out " + out.string()) == 0);
  // Signed contrasts of KS004: 9 values (±1, ±0.25, ±0.125, ±0.0625, 0) in the psychometric curve.
  CHECK(ibl_cli_count_rows(out / "curves.csv", "KS004,psychometric,all,") == 9);
  CHECK(ibl_cli_count_rows(out / "curves.csv", "KS004,block_change,all,") > 50);
  const std::string summary = rnnlab::io::read_text(out / "summary.json");
  CHECK(summary.find("\"KS004\"") != std::string::npos);
  CHECK(summary.find("\"trials\": 2443") != std::string::npos);

  const auto bad = rnnlab::test::fresh("ibl_bad") / "bad.csv";
  std::filesystem::create_directories(bad.parent_path());
  std::ofstream(bad) << "trial_num,session_num,stim_probability_left,contrast,position,response_choice,trial_correct,"
                        "reaction_time\n1,1,0.5,0.3,12,1,1,0.2\n2,1,0.5,0.25,35,1,1,0.2\n";
  const auto out_bad = rnnlab::test::fresh("ibl_bad_out");
  CHECK(rnnlab::test::run("ibl behaviour --csv " + bad.string() + " --out " + out_bad.string()) == 1);
  CHECK(rnnlab::test::run("ibl behaviour --csv " + bad.string() + " --out " + out_bad.string() + " --skip-bad-rows") == 0);
  CHECK(rnnlab::io::read_text(out_bad / "summary.json").find("\"skipped_rows\": 1") != std::string::npos);
}

TEST_CASE("rnnlab ibl bayes, train and evaluate write their curves and summaries") {
  const auto bayes = rnnlab::test::fresh("ibl_bayes");
  REQUIRE(rnnlab::test::run("ibl bayes --blocks 10 --out " + bayes.string()) == 0);
  CHECK(ibl_cli_count_rows(bayes / "curves.csv", "bayesian_actor_exact,psychometric,all,") == 11);
  const auto net = rnnlab::test::fresh("ibl_net");
  REQUIRE(rnnlab::test::run("ibl train --steps 5 --units 8 --eval-blocks 5 --out " + net.string()) == 0);
  for (const char* f : {"W_rec.npy", "W_in.npy", "W_out.npy", "b.npy", "b_out.npy", "losses.npy", "curves.csv"})
    CHECK(std::filesystem::exists(net / f));
  const auto eval = rnnlab::test::fresh("ibl_eval");
  REQUIRE(rnnlab::test::run("ibl evaluate --eval-blocks 5 --net " + net.string() + " --out " + eval.string()) == 0);
  // Same network, same seed, same held-out session: the same curves.
  CHECK(rnnlab::io::read_text(eval / "curves.csv") == rnnlab::io::read_text(net / "curves.csv"));
  CHECK(rnnlab::test::run("ibl bayes --variant nonsense --out " + bayes.string()) != 0);
}
