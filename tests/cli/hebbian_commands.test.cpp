// Tests the rnnlab program's Hebbian subcommands from outside, as a user would run them:
// import-miconi (examples/cli/import_miconi.cpp) and train --rule hebbian (learning.cpp).
#include <doctest/doctest.h>

#include <rnnlab/io.hpp>
#include <rnnlab/io/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "../support/cli_runner.hpp"

using namespace rnnlab;

TEST_CASE("rnnlab import-miconi writes a network folder with the bias units clamped") {
  const auto dir = test::fresh("heb_import");
  std::filesystem::create_directories(dir);
  {
    std::ofstream win(dir / "m_win.txt"), J(dir / "m_J.txt");
    for (int i = 0; i < 12; ++i) {
      win << "7 " << 0.1 * i << "\n";
      for (int j = 0; j < 12; ++j) J << 0.01 * (i + j) << (j < 11 ? " " : "\n");
    }
  }
  const auto out = dir / "net";
  REQUIRE(test::run("import-miconi " + (dir / "m").string() + " --out " + out.string()) == 0);
  const auto net = io::load_network<double, activations::tanh>(out);
  CHECK(net.n_units() == 12);
  CHECK(net.n_inputs() == 1);
  CHECK(net.parameters().W_in(3, 0) == doctest::Approx(0.3));
  CHECK(net.parameters().W_rec(2, 5) == doctest::Approx(0.07));
  CHECK(net.readout_unit() == 0);
  CHECK(net.clamped_units().size() == 3);
  // A bad file fails with a message, and no folder.
  {
    std::ofstream J(dir / "m_J.txt");
    J << "0.1 oops\n";
  }
  CHECK(test::run("import-miconi " + (dir / "m").string() + " --out " + (dir / "bad").string()) != 0);
  CHECK_FALSE(std::filesystem::exists(dir / "bad" / "network.json"));
}

TEST_CASE("rnnlab train --rule hebbian trains Miconi's network trial by trial and saves it with its report") {
  const auto out = test::fresh("heb_train");
  REQUIRE(test::run("train --task rdm --preset reference --steps 80 --units 16 --rule hebbian --rule-preset reference "
                    "--stop never --max-updates 30 --seed 2 --out " + out.string()) == 0);
  const auto net = io::load_network<float, activations::tanh>(out);
  CHECK(net.n_units() == 16);
  CHECK(net.readout_unit() == 0);
  CHECK(net.clamped_units().size() == 3);
  CHECK(net.alpha() == doctest::Approx(1.0 / 30.0));
  const auto report = io::read_json(out / "report.json");
  CHECK(report["updates"].get<Index>() == 30);
  CHECK(report["trials"].get<Index>() == 30);
  const auto info = io::read_network_info(out);
  CHECK(info.extra["rule"]["name"] == "hebbian");
  CHECK(info.extra["rule"]["baseline"] == "fast_trace");
}
