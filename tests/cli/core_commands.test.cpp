// Tests examples/cli/core_commands.cpp: the rnnlab program's init, sample and simulate.
#include <doctest/doctest.h>

#include <rnnlab/io.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "../support/cli_runner.hpp"

using namespace rnnlab;
namespace fs = std::filesystem;
using rnnlab::test::fresh;
using rnnlab::test::run;

TEST_CASE("sample -> simulate through the CLI matches the library called directly") {
  const auto net_dir = fresh("net"), batch_dir = fresh("batch"), out_dir = fresh("sim");
  REQUIRE(run("init --task ncdi --contexts 3 --seed 11 --out " + net_dir.string()) == 0);
  REQUIRE(run("sample ncdi --contexts 3 --batch 40 --seed 5 --out " + batch_dir.string()) == 0);
  REQUIRE(run("simulate " + net_dir.string() + " " + batch_dir.string() + " --out " + out_dir.string()) == 0);

  // The same batch from the library with the same seed and stream.
  const context_integration task(context_integration_params::paper_text(3));
  auto g = make_stream(5, 0, stream_purpose::training);
  const auto batch = task.sample<float>(40, g);
  const auto from_cli = io::load_evidence_batch<float>(batch_dir);
  CHECK(from_cli.inputs == batch.inputs);
  CHECK(from_cli.label == batch.label);

  // The same network, simulated in double from its own x0.
  auto gi = make_stream(11, 0, stream_purpose::initialization);
  const auto net = make_ctrnn<float>(ctrnn_config::paper_text(50), task.n_inputs(), task.n_outputs(), gi);
  const auto loaded = io::load_network<double>(net_dir);
  CHECK(loaded.parameters().W_rec == net.parameters().W_rec.cast<double>());
  const auto sim = loaded.simulate(batch.inputs.cast<double>(), {.record_states = true});
  CHECK(io::read_npy<double, 3>(out_dir / "outputs.npy") == sim.outputs);
  CHECK(io::read_npy<double, 3>(out_dir / "states.npy") == sim.states);
  const auto summary = io::read_json(out_dir / "summary.json");
  CHECK(summary["accuracy"].get<double>() == doctest::Approx(decision_accuracy(sim.outputs, batch.label)));
}

TEST_CASE("the CLI reports bad input with a non-zero status") {
  CHECK(run("sample nonsense --out " + fresh("x").string()) != 0);
  CHECK(run("sample rdm --batch 0 --out " + fresh("y").string()) != 0);
  CHECK(run("simulate /nonexistent /nonexistent --out " + fresh("z").string()) != 0);
  const auto net_dir = fresh("net_rdm"), batch_dir = fresh("batch_cdi");
  REQUIRE(run("init --task rdm --out " + net_dir.string()) == 0);
  REQUIRE(run("sample cdi --batch 4 --out " + batch_dir.string()) == 0);
  CHECK(run("simulate " + net_dir.string() + " " + batch_dir.string() + " --out " + fresh("w").string()) == 1);
  CHECK(run("--help") == 0);
  CHECK(run("simulate --help") == 0);
}
