#include <doctest/doctest.h>

#include <rnnlab/io/miconi.hpp>
#include <rnnlab/io/network.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "../support/scratch.hpp"

using namespace rnnlab;

namespace {

void miconi_write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
}

}  // namespace

TEST_CASE("Miconi's text format: a hand-written 2-unit network, the unused input column dropped") {
  const auto dir = test::fresh("miconi2");
  std::filesystem::create_directories(dir);
  // 2 units, 1 + 2 input columns (column 0 unused), J row = receiving unit.
  miconi_write(dir / "net_win.txt", "9 0.5 -1.25\n9 2e-1 3\n\n");
  miconi_write(dir / "net_J.txt", "0.1 -0.2\n  0.3\t0.4\n");
  io::miconi_import_options o;
  o.clamped = {};  // units 1, 10, 11 do not all exist in a 2-unit network
  const auto net = io::read_miconi_network<double>(dir / "net", o);
  REQUIRE(net.n_units() == 2);
  REQUIRE(net.n_inputs() == 2);
  CHECK(net.parameters().W_in(0, 0) == 0.5);
  CHECK(net.parameters().W_in(0, 1) == -1.25);
  CHECK(net.parameters().W_in(1, 0) == 0.2);
  CHECK(net.parameters().W_in(1, 1) == 3.0);
  CHECK(net.parameters().W_rec(0, 1) == -0.2);
  CHECK(net.parameters().W_rec(1, 0) == 0.3);
  CHECK(net.parameters().W_rec(1, 1) == 0.4);
  CHECK(net.readout_unit() == 0);
  CHECK(net.alpha() == 0.1);
  CHECK(net.parameters().W_out.isZero(0));
  // y = tanh(x_0) after one step from x0 = 0 with u = (1, 0): x_0 = 0.1 · 0.5.
  sequence<double> u({1, 1, 2});
  u(0, 0, 0) = 1.0;
  CHECK(net.simulate(u).outputs(0, 0, 0) == doctest::Approx(std::tanh(0.05)).epsilon(1e-15));
}

TEST_CASE("Miconi's text format: a 12-unit network imported into a network folder keeps its bias units") {
  const auto dir = test::fresh("miconi12");
  std::filesystem::create_directories(dir);
  std::string win, J;
  for (int i = 0; i < 12; ++i) {
    win += "0 " + std::to_string(0.25 * (i - 6)) + "\n";
    for (int j = 0; j < 12; ++j) J += std::to_string(0.01 * (i - 2 * j)) + (j < 11 ? " " : "\n");
  }
  miconi_write(dir / "m_win.txt", win);
  miconi_write(dir / "m_J.txt", J);
  const auto out = dir / "net";
  const auto net = io::import_miconi_network<float>(dir / "m_win.txt", dir / "m_J.txt", out);
  const auto loaded = io::load_network<float, activations::tanh>(out);
  CHECK(loaded == net);
  REQUIRE(loaded.clamped_units().size() == 3);
  CHECK(loaded.clamped_units()[0] == clamped_unit{1, 1.0});
  CHECK(loaded.clamped_units()[1] == clamped_unit{10, 1.0});
  CHECK(loaded.clamped_units()[2] == clamped_unit{11, -1.0});
  CHECK(loaded.readout_unit() == 0);
  CHECK(loaded.parameters().W_in(3, 0) == doctest::Approx(-0.75));
  CHECK(loaded.parameters().W_rec(5, 2) == doctest::Approx(0.01f));
  const auto info = io::read_network_info(out);
  CHECK(info.preset == "miconi_import");
  // The clamped units hold their values along a trajectory.
  sequence<float> u({5, 1, 1});
  u.flat().setConstant(0.3f);
  const auto sim = loaded.simulate(u, Eigen::VectorXf::Zero(12), simulate_options{true});
  for (Index t = 0; t < 5; ++t) {
    CHECK(sim.states(t, 0, 1) == 1.0f);
    CHECK(sim.states(t, 0, 10) == 1.0f);
    CHECK(sim.states(t, 0, 11) == -1.0f);
  }
}

TEST_CASE("Miconi's text format: bad files give io_error naming the file and the line") {
  const auto dir = test::fresh("miconi_bad");
  std::filesystem::create_directories(dir);
  io::miconi_import_options o;
  o.clamped = {};
  miconi_write(dir / "a_win.txt", "0 1\n0 2\n");
  miconi_write(dir / "a_J.txt", "0.1 0.2\n0.3 x4\n");
  CHECK_THROWS_WITH_AS(io::read_miconi_network<double>(dir / "a", o), doctest::Contains("a_J.txt', line 2"), io_error);
  CHECK_THROWS_WITH_AS(io::read_miconi_network<double>(dir / "a", o), doctest::Contains("'x4'"), io_error);
  miconi_write(dir / "a_J.txt", "0.1 0.2\n0.3\n");
  CHECK_THROWS_WITH_AS(io::read_miconi_network<double>(dir / "a", o), doctest::Contains("line 2: expected 2 numbers"),
                       io_error);
  miconi_write(dir / "a_J.txt", "0.1 0.2 0.3\n0.3 0.4 0.5\n0 0 0\n");
  CHECK_THROWS_WITH_AS(io::read_miconi_network<double>(dir / "a", o), doctest::Contains("expected 3 rows"), io_error);
  miconi_write(dir / "a_J.txt", "0.1 0.2 0.3\n0.3 0.4 0.5\n");
  CHECK_THROWS_WITH_AS(io::read_miconi_network<double>(dir / "a", o), doctest::Contains("square"), io_error);
  CHECK_THROWS_WITH_AS(io::read_miconi_network<double>(dir / "missing", o), doctest::Contains("missing_win.txt"),
                       io_error);
  // The default bias units 10, 11 need N >= 12.
  miconi_write(dir / "a_J.txt", "0.1 0.2\n0.3 0.4\n");
  CHECK_THROWS_WITH_AS(io::read_miconi_network<double>(dir / "a"), doctest::Contains("clamped units"), io_error);
}
