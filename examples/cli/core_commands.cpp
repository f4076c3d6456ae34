// Subcommands over the foundation: `init` (a random network for a task), `sample` (a trial batch)
// and `simulate` (a network on a trial batch).
#include "commands.hpp"
#include "task_options.hpp"

#include <rnnlab/io.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/tasks/evidence.hpp>

#include <chrono>
#include <iostream>

namespace rnnlab::cli {
namespace {

struct init_args {
  task_options task;
  network_options net;
  std::uint64_t seed = 0;
  std::string out;
};

struct sample_args {
  task_options task;
  Index batch = 500;
  std::uint64_t seed = 0;
  std::string out;
  bool validation = false;
  std::string dtype = "float32";
};

struct simulate_args {
  std::string net_dir, batch_dir, out;
  std::string x0 = "network";  // network | random
  double x0_std = 0.3;
  std::uint64_t seed = 0;
  bool states = true;
  std::string dtype = "float64";
};

void run_init(const init_args& a) {
  std::visit(
      [&](const auto& task) {
        auto g = make_stream(a.seed, 0, stream_purpose::initialization);
        a.net.with_activation([&]<class F>() {
          const auto net = make_ctrnn<float, F>(a.net.config(), task.n_inputs(), task.n_outputs(), g);
          io::json extra{{"task", a.task.describe()}};
          io::save_network(a.out, net, {a.net.preset == "reference" ? "reference_code" : "paper_text", a.seed, extra});
          std::cout << "wrote a random " << net.n_units() << "-unit " << F::name << " network for " << a.task.name
                    << " (" << net.n_inputs() << " inputs) to " << a.out << "\n";
        });
      },
      a.task.make());
}

template <class Scalar>
void do_sample(const sample_args& a) {
  std::visit(
      [&](const auto& task) {
        auto g = make_stream(a.seed, 0, a.validation ? stream_purpose::validation : stream_purpose::training);
        const auto t0 = std::chrono::steady_clock::now();
        const auto batch =
            a.validation ? reference_validation_set<Scalar>(task, g, {a.batch, 20, 0.1875}) : task.template sample<Scalar>(a.batch, g);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        io::json desc = a.task.describe();
        desc["seed"] = a.seed;
        desc["validation_set"] = a.validation;
        io::save_trial_batch(a.out, batch, desc);
        std::cout << "sampled " << batch.n_trials() << " " << a.task.name << " trials of " << batch.n_steps()
                  << " steps (" << batch.n_inputs() << " inputs) in " << ms << " ms; wrote " << a.out << "\n";
      },
      a.task.make());
}

template <class Scalar>
void do_simulate(const simulate_args& a) {
  const auto batch = io::load_evidence_batch<Scalar>(a.batch_dir);
  io::visit_network<Scalar>(a.net_dir, [&](const auto& net) {
    require_shape(net.n_inputs() == batch.n_inputs(), "rnnlab simulate", "BATCH_DIR",
                  "a batch with " + std::to_string(net.n_inputs()) + " inputs (the network's)",
                  std::to_string(batch.n_inputs()) + " inputs");
    // The accuracy below compares the outputs with the batch's targets and labels: a batch for another
    // output count is refused, as `rnnlab grad` does.
    require_shape(batch.targets.shape(2) == net.n_outputs(), "rnnlab simulate", "BATCH_DIR",
                  "targets with " + std::to_string(net.n_outputs()) + " channels (the network's outputs)",
                  shape_string(batch.targets.shape()));
    typename std::decay_t<decltype(net)>::matrix_type X0;
    if (a.x0 == "random") {
      auto g = make_stream(a.seed, 0, stream_purpose::initial_state);
      init_spec spec;
      spec.x0_std = a.x0_std;
      X0 = draw_initial_states<Scalar>(spec, net.n_units(), batch.n_trials(), g);
    } else {
      X0 = net.parameters().x0;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto sim = net.simulate(batch.inputs, X0, {.record_states = a.states});
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    io::ensure_directory(a.out, "rnnlab simulate");
    io::write_npy(std::filesystem::path(a.out) / "outputs.npy", sim.outputs);
    if (a.states) io::write_npy(std::filesystem::path(a.out) / "states.npy", sim.states);
    io::json summary{{"n_trials", batch.n_trials()}, {"n_steps", batch.n_steps()}, {"dtype", a.dtype},
                     {"x0", a.x0},           {"seconds", ms / 1000.0}};
    std::cout << "simulated " << batch.n_trials() << " trials x " << batch.n_steps() << " steps in " << ms << " ms ("
              << static_cast<double>(batch.n_trials()) / (ms / 1000.0) << " trials/s)";
    if (batch.has_metadata()) {
      const double acc = decision_accuracy(sim.outputs, batch);
      summary["accuracy"] = acc;
      std::cout << "; decision accuracy " << acc;
    }
    std::cout << "; wrote " << a.out << "\n";
    io::write_json(std::filesystem::path(a.out) / "summary.json", summary);
  });
}

const bool registered_init = register_command("init", [](CLI::App& app) {
  auto args = std::make_shared<init_args>();
  auto* sub = app.add_subcommand("init", "Write a randomly initialised network folder for a task");
  args->task.add_to(sub, false);
  args->net.add_to(sub);
  sub->add_option("--seed", args->seed, "Seed of the initialisation")->capture_default_str();
  sub->add_option("--out", args->out, "Network folder to write")->required();
  sub->callback([args] { run_init(*args); });
});

const bool registered_sample = register_command("sample", [](CLI::App& app) {
  auto args = std::make_shared<sample_args>();
  auto* sub = app.add_subcommand("sample", "Sample a batch of trials of a task and write a trial-batch folder");
  args->task.add_to(sub, true);
  sub->add_option("--batch", args->batch, "Number of trials B")->capture_default_str();
  sub->add_option("--seed", args->seed, "Seed")->capture_default_str();
  sub->add_option("--out", args->out, "Trial-batch folder to write")->required();
  sub->add_flag("--validation", args->validation,
                "The reference validation set instead: magnitudes cycling linspace(0, 0.1875, 20) (use --batch 2000)");
  sub->add_option("--dtype", args->dtype, "float32 or float64")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  sub->callback([args] { args->dtype == "float64" ? do_sample<double>(*args) : do_sample<float>(*args); });
});

const bool registered_simulate = register_command("simulate", [](CLI::App& app) {
  auto args = std::make_shared<simulate_args>();
  auto* sub = app.add_subcommand("simulate", "Run a network folder on a trial-batch folder; write outputs and states");
  sub->add_option("net_dir", args->net_dir, "Network folder")->required()->check(CLI::ExistingDirectory);
  sub->add_option("batch_dir", args->batch_dir, "Trial-batch folder")->required()->check(CLI::ExistingDirectory);
  sub->add_option("--out", args->out, "Folder for outputs.npy (T,B,O), states.npy (T,B,N), summary.json")->required();
  sub->add_option("--x0", args->x0, "Initial state: the network's own x0, or random per trial")
      ->check(CLI::IsMember({"network", "random"}))
      ->capture_default_str();
  sub->add_option("--x0-std", args->x0_std, "Std of random initial states")->capture_default_str();
  sub->add_option("--seed", args->seed, "Seed of random initial states")->capture_default_str();
  sub->add_flag("!--no-states", args->states, "Do not write states.npy");
  sub->add_option("--dtype", args->dtype, "Precision of the simulation: float32 or float64")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  sub->callback([args] { args->dtype == "float32" ? do_simulate<float>(*args) : do_simulate<double>(*args); });
});

}  // namespace
}  // namespace rnnlab::cli
