// Tests `rnnlab train --rule ga` (examples/cli/learning.cpp) from outside, as a user runs it: the
// trained network folder, report.json and the rule's hyper-parameters in network.json, and a bad
// hyper-parameter refused before any work.
#include <doctest/doctest.h>

#include <rnnlab/io.hpp>
#include <rnnlab/io/serialize.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/learning/genetic.hpp>

#include <filesystem>
#include <string>

#include "../support/cli_runner.hpp"

using namespace rnnlab;

TEST_CASE("rnnlab train --rule ga trains, writes the network, report.json and the GA's hyper-parameters") {
  const auto out = test::fresh("ga_net");
  const std::string common = "train --task rdm --steps 40 --units 10 --rule ga --population 6 --parents 2 --batch 16 "
                             "--stop never --max-updates 3 --seed 2";
  const std::string args = common + " --rule-preset reference --threads 1 --out " + out.string();
  REQUIRE(test::run(args) == 0);
  const auto report = io::read_json(out / "report.json");
  CHECK(report["updates"].get<Index>() == 3);
  CHECK(report["trials"].get<Index>() == 3 * 6 * 16);
  CHECK(report["loss_history"].size() == 3);
  const auto meta = io::read_json(out / "network.json");
  const auto& rule = meta["extra"]["rule"];
  CHECK(rule["name"] == "ga");
  CHECK(rule["preset"] == "reference");
  CHECK(rule["population_size"].get<Index>() == 6);
  CHECK(rule["parents"].get<Index>() == 2);
  CHECK(rule["elites"].get<Index>() == 1);
  CHECK(rule["mutation_std"]["W_rec"].get<double>() == 0.005);
  CHECK(rule["loss"]["normalization"] == "per_trial");
  auto hyper = rule;  // the library's own JSON of the rule, plus its name and preset
  hyper.erase("name");
  hyper.erase("preset");
  CHECK(hyper.get<genetic>().population_size == 6);
  const auto net = io::load_network<float>(out);
  CHECK(net.n_units() == 10);

  // The same command gives the same network (the seed fixes everything, whatever the threads).
  const auto out2 = test::fresh("ga_net2");
  REQUIRE(test::run(common + " --rule-preset reference --threads 2 --out " + out2.string()) == 0);
  CHECK(io::load_network<float>(out2).parameters() == net.parameters());

  // paper-text: 5 elites, mutation variance 0.005.
  const auto out3 = test::fresh("ga_net3");
  REQUIRE(test::run("train --task rdm --steps 40 --units 10 --rule ga --rule-preset paper-text --population 7 "
                    "--batch 8 --stop never --max-updates 1 --out " + out3.string()) == 0);
  const auto rule3 = io::read_json(out3 / "network.json")["extra"]["rule"];
  CHECK(rule3["elites"].get<Index>() == 5);
  CHECK(rule3["mutation_std"]["W_in"].get<double>() == doctest::Approx(std::sqrt(0.005)));

  // More parents than members: refused before any work (no folder written).
  const auto bad = test::fresh("ga_bad");
  CHECK(test::run(common + " --parents 9 --out " + bad.string()) != 0);
  CHECK_FALSE(std::filesystem::exists(bad / "network.json"));
}

TEST_CASE("rnnlab train --rule ga --readout-unit trains the single-unit readout control (Appendix Fig. 11)") {
  const auto out = test::fresh("ga_unit");
  REQUIRE(test::run("train --task rdm --steps 40 --units 10 --rule ga --rule-preset reference --population 6 "
                    "--parents 2 --batch 16 --stop never --max-updates 2 --seed 3 --readout-unit 4 --threads 1 --out " +
                    out.string()) == 0);
  const auto net = io::load_network<float>(out);
  CHECK(net.readout_unit() == 4);
  const auto rule = io::read_json(out / "network.json")["extra"]["rule"];
  CHECK_FALSE(rule["mutation_std"].contains("W_out"));  // unused by the readout: not mutated
  CHECK(rule["mutation_std"].contains("W_rec"));
  // A unit outside the network, and a rule without a single-unit readout, are refused before any work.
  const auto bad = test::fresh("ga_unit_bad");
  CHECK(test::run("train --task rdm --steps 40 --units 10 --rule ga --readout-unit 10 --max-updates 1 --out " +
                  bad.string()) != 0);
  CHECK_FALSE(std::filesystem::exists(bad / "network.json"));
  CHECK(test::run("train --task rdm --steps 40 --units 10 --rule bptt --readout-unit 0 --max-updates 1 --out " +
                  bad.string()) != 0);
  CHECK_FALSE(std::filesystem::exists(bad / "network.json"));
}
