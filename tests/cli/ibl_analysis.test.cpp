// Tests `rnnlab ibl analyse` and `rnnlab ibl radd` (examples/cli/ibl_analysis.cpp) from outside.
#include <doctest/doctest.h>

#include <rnnlab/io/atomic.hpp>
#include <rnnlab/io/npy.hpp>

#include <filesystem>
#include <string>

#include "../support/cli_runner.hpp"

TEST_CASE("rnnlab ibl analyse and radd write their arrays and summaries, reproducibly") {
  const auto net = rnnlab::test::fresh("ibl_analysis_net");
  REQUIRE(rnnlab::test::run("ibl train --steps 20 --units 8 --eval-blocks 2 --out " + net.string()) == 0);
  const auto an = rnnlab::test::fresh("ibl_analyse");
  REQUIRE(rnnlab::test::run("ibl analyse --blocks 3 --grid 5 --net " + net.string() + " --out " + an.string()) == 0);
  for (const char* f : {"pcs.npy", "task_aligned.npy", "axes.npy", "flow_points.npy", "flow_delta_5.npy",
                        "fixed_points_0.npy", "correlation.npy", "W_rec_ordered.npy", "unit_order.npy", "summary.json"})
    CHECK(std::filesystem::exists(an / f));
  const auto axes = rnnlab::io::read_npy_matrix<double>(an / "axes.npy");
  CHECK(axes.rows() == 8);
  CHECK(axes.cols() == 2);
  CHECK((axes.transpose() * axes - Eigen::MatrixXd::Identity(2, 2)).cwiseAbs().maxCoeff() < 1e-10);
  CHECK(rnnlab::io::read_npy_matrix<double>(an / "flow_points.npy").cols() == 25);
  const std::string summary = rnnlab::io::read_text(an / "summary.json");
  CHECK(summary.find("\"angle_full_degrees\"") != std::string::npos);
  CHECK(summary.find("\"fixed_points\": [{\"input\"") != std::string::npos);

  const auto radd = rnnlab::test::fresh("ibl_radd");
  REQUIRE(rnnlab::test::run("ibl radd --blocks 3 --net " + net.string() + " --out " + radd.string()) == 0);
  CHECK(rnnlab::io::read_npy_matrix<double>(radd / "A.npy").rows() == 2);
  CHECK(rnnlab::io::read_npy_matrix<double>(radd / "B.npy").cols() == 3);
  CHECK(rnnlab::io::read_text(radd / "error_accumulation.csv").find("control,19,") != std::string::npos);
  const std::string rs = rnnlab::io::read_text(radd / "summary.json");
  CHECK(rs.find("\"radd_fraction_correct\"") != std::string::npos);
  // Same seed, same numbers (the fit's time aside).
  const auto radd2 = rnnlab::test::fresh("ibl_radd2");
  REQUIRE(rnnlab::test::run("ibl radd --blocks 3 --net " + net.string() + " --out " + radd2.string()) == 0);
  CHECK(rnnlab::io::read_text(radd2 / "error_accumulation.csv") == rnnlab::io::read_text(radd / "error_accumulation.csv"));
  CHECK(rnnlab::io::read_npy_matrix<double>(radd2 / "A.npy") == rnnlab::io::read_npy_matrix<double>(radd / "A.npy"));
  // A folder without a network fails with status 1; a bad option value too.
  CHECK(rnnlab::test::run("ibl radd --net " + an.string() + " --out " + radd2.string()) == 1);
  CHECK(rnnlab::test::run("ibl analyse --grid 1 --net " + net.string() + " --out " + an.string()) == 1);
}
