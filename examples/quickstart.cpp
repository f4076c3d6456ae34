// quickstart: sample RDM and CDI trials, run a randomly initialised CTRNN on them, report decision
// accuracy (chance level, since the network is untrained) and speed, and write everything as .npy
// files that numpy loads:
//
//     quickstart [OUT_DIR] [--batch B] [--seed S]
//
//     OUT_DIR/<task>/batch/{inputs,targets,mask,label,coherence,context,stream_means}.npy
//     OUT_DIR/<task>/net/{W_rec,W_in,W_out,b,b_out,x0}.npy + network.json
//     OUT_DIR/<task>/outputs.npy (T, B, 1), states.npy (T, B, N)
#include <rnnlab/io.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/version.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

template <class T>
void run_task(const std::string& name, const T& task, const std::filesystem::path& out, rnnlab::Index batch_size,
              std::uint64_t seed) {
  using namespace rnnlab;
  auto g_init = make_stream(seed, 0, stream_purpose::initialization);
  auto g_task = make_stream(seed, 0, stream_purpose::training);
  auto g_x0 = make_stream(seed, 0, stream_purpose::initial_state);

  const auto config = ctrnn_config::paper_text(50);
  const auto net = make_ctrnn<float>(config, task.n_inputs(), task.n_outputs(), g_init);

  auto t0 = clock_type::now();
  const auto batch = task.template sample<float>(batch_size, g_task);
  const double t_sample = seconds_since(t0);

  // Independent initial states per trial, N(0, 0.3) as in the paper's text.
  const auto X0 = draw_initial_states<float>(config.init, net.n_units(), batch_size, g_x0);
  t0 = clock_type::now();
  const auto sim = net.simulate(batch.inputs, X0, {.record_states = true});
  const double t_sim = seconds_since(t0);
  const double acc = decision_accuracy(sim.outputs, batch);

  t0 = clock_type::now();
  const auto dir = out / name;
  io::save_trial_batch(dir / "batch", batch, {{"task", name}, {"seed", seed}});
  io::save_network(dir / "net", net, {"paper_text", seed});
  io::write_npy(dir / "outputs.npy", sim.outputs);
  io::write_npy(dir / "states.npy", sim.states);
  const double t_write = seconds_since(t0);

  std::printf("%-4s  %4ld trials x %ld steps, %ld inputs | sample %6.1f ms | simulate %6.1f ms (%8.0f trials/s) | "
              "untrained accuracy %.3f | write %5.1f ms\n",
              name.c_str(), static_cast<long>(batch.n_trials()), static_cast<long>(batch.n_steps()),
              static_cast<long>(batch.n_inputs()), 1e3 * t_sample, 1e3 * t_sim,
              static_cast<double>(batch.n_trials()) / t_sim, acc, 1e3 * t_write);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path out = "out/quickstart";
  rnnlab::Index batch = 500;
  std::uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--batch" && i + 1 < argc) batch = std::atol(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--help" || a == "-h") {
      std::puts("usage: quickstart [OUT_DIR] [--batch B] [--seed S]");
      return 0;
    } else out = a;
  }
  try {
    std::printf("rnnlab %s quickstart: a random 50-unit CTRNN (1+tanh, alpha 0.1) on freshly sampled trials\n",
                std::string(rnnlab::version).c_str());
    run_task("rdm", rnnlab::random_dots(rnnlab::rdm_params::paper_text()), out, batch, seed);
    run_task("cdi", rnnlab::context_integration(rnnlab::context_integration_params::paper_text(2)), out, batch, seed);
    run_task("ncdi4", rnnlab::context_integration(rnnlab::context_integration_params::paper_text(4)), out, batch, seed);
    std::printf("wrote inputs, targets, masks, labels, networks, outputs and states as .npy under %s\n",
                out.string().c_str());
    std::printf("in Python: np.load('%s/rdm/states.npy').shape == (750, %ld, 50)\n", out.string().c_str(),
                static_cast<long>(batch));
  } catch (const rnnlab::error& e) {
    std::fprintf(stderr, "quickstart: %s\n", e.what());
    return 1;
  }
  return 0;
}
