// Uses the installed headers (core, tasks and io) and fails loudly if the results are wrong.
// It includes the headers it uses, as a user's program would, not the umbrella rnnlab/rnnlab.hpp:
// that one costs about 45 CPU-s of compile on its own (every header is installed by one
// install(DIRECTORY) rule, and tests/static compiles the umbrella on every build).
#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/io/network.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/version.hpp>

#include <cstdio>
#include <filesystem>

// The installed headers keep their contracts.
static_assert(rnnlab::Network<rnnlab::ctrnn<float>>);
static_assert(rnnlab::TaskFor<rnnlab::random_dots, rnnlab::ctrnn<float>>);

int main() {
  rnnlab::rng g(7);
  const rnnlab::random_dots task;
  auto net = rnnlab::make_ctrnn<float>(rnnlab::ctrnn_config::paper_text(), task.n_inputs(), task.n_outputs(), g);
  const auto batch = task.sample<float>(16, g);
  const auto sim = net.simulate(batch.inputs);
  const auto dir = std::filesystem::temp_directory_path() / "rnnlab_consumer_net";
  rnnlab::io::save_network(dir, net);
  const auto loaded = rnnlab::io::load_network<float>(dir);
  const bool ok = loaded == net && sim.outputs.shape(0) == 750 && sim.outputs.shape(1) == 16;
  std::printf("rnnlab %s consumer: %s\n", std::string(rnnlab::version).c_str(), ok ? "ok" : "FAILED");
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
