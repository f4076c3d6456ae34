// `rnnlab study`: the population study of McMahan et al. 2021 (study/*.hpp, docs/study.md): train
// and analyse the networks of a plan in parallel, resumably, on one machine, a shard of a Slurm
// job array, or MPI ranks (when built with MPI); then the cross-network analyses and the claims
// table. The plan is a preset (--preset, --size) with optional overrides, or a JSON file (--plan).
// --mpi (a build with MPI, RNNLAB_WITH_MPI): `mpirun -np R rnnlab study --mpi ...` shares the
// networks over the R ranks and rank 0 runs the analyses (study/mpi.hpp); the store is the one a
// single process writes (CTest cli/study_mpi).
#include "commands.hpp"

#include <rnnlab/study.hpp>
#if defined(RNNLAB_WITH_MPI)
#include <rnnlab/study/mpi.hpp>
#endif

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace rnnlab::cli {
namespace {

struct study_args {
  std::string preset = "default";
  std::string size = "small";
  std::string plan_file;
  std::string out = "out/study";
  thread_count threads = 0;
  bool resume = false;
  std::string shard = "0/1";
  std::optional<std::uint64_t> seed;
  std::optional<Index> per_cell;
  std::vector<std::string> rules, tasks;
  bool no_analysis = false;
  bool print_plan = false;
  bool quiet = false;
  bool mpi = false;
};

/// One process (or one --shard): prints the plan's line and runs it.
study::run_summary run_local(const study::study_plan& plan, const study::run_options& opt,
                             const study::rule_registry& registry, const study_args& a, std::size_t n_networks) {
  std::printf("study '%s' (size %s): %zu networks (%s); rules: %s; store %s\n", plan.name.c_str(),
              std::string(to_name(plan.size)).c_str(), n_networks, [&] {
                std::string t;
                for (const auto& x : plan.tasks) t += (t.empty() ? "" : ", ") + x;
                return t;
              }().c_str(),
              registry.names_text().c_str(), a.out.c_str());
  std::fflush(stdout);
  return study::run_study(plan, opt, registry);
}

void do_study(const study_args& a) {
  const auto registry = study::builtin_rules();
  study::study_plan plan;
  if (!a.plan_file.empty()) {
    plan = study::plan_from_json(io::read_json(a.plan_file), a.plan_file);
  } else {
    plan = study::study_plan::preset(a.preset, from_name<study::study_size>(a.size, "rnnlab study", "--size"),
                                     registry.default_names());
  }
  if (a.seed) plan.seed = *a.seed;
  if (a.per_cell) plan.networks_per_cell = *a.per_cell;
  if (!a.rules.empty()) plan.rules = a.rules;
  if (!a.tasks.empty()) plan.tasks = a.tasks;
  study::validate(plan, registry);
  if (a.print_plan) {
    std::cout << study::plan_to_json(plan).dump(2) << "\n";
    return;
  }
  study::run_options opt;
  opt.out = a.out;
  opt.threads = a.threads;
  opt.resume = a.resume;
  opt.analyse = !a.no_analysis;
  opt.progress = !a.quiet;
  const auto slash = a.shard.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    opt.shard = std::stoi(a.shard.substr(0, slash));
    opt.n_shards = std::stoi(a.shard.substr(slash + 1));
  } catch (const std::exception&) {
    throw argument_error("rnnlab study: --shard expects i/n (e.g. 0/4), got '" + a.shard + "'");
  }
  const auto nets = study::enumerate_networks(plan);
  int rank = 0;
  study::run_summary sum;
  if (a.mpi) {
#if defined(RNNLAB_WITH_MPI)
    require(opt.shard == 0 && opt.n_shards == 1, "rnnlab study", "--shard", "0/1 with --mpi (the ranks are the shards)",
            a.shard);
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int ranks = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (rank == 0) {
      std::printf("study '%s' (size %s): %zu networks over %d MPI ranks; store %s\n", plan.name.c_str(),
                  std::string(to_name(plan.size)).c_str(), nets.size(), ranks, a.out.c_str());
      std::fflush(stdout);
    }
    try {
      sum = study::run_study_mpi(plan, opt, registry, study::analyse_and_claim, MPI_COMM_WORLD);
    } catch (...) {
      MPI_Finalize();
      throw;
    }
    MPI_Finalize();
#else
    throw argument_error(
        "rnnlab study: --mpi needs a build with MPI (CMake found no MPI: apt-get install libopenmpi-dev openmpi-bin)");
#endif
  } else {
    sum = run_local(plan, opt, registry, a, nets.size());
  }
  if (rank != 0) {
    if (sum.failed > 0) throw error("rnnlab study: " + std::to_string(sum.failed) + " networks failed");
    return;
  }
  std::printf("shard %d/%d: %lld networks owned, %lld trained now, %lld kept, %lld corrupted and redone, %lld failed; "
              "%.1f s\n",
              opt.shard, opt.n_shards, static_cast<long long>(sum.owned), static_cast<long long>(sum.trained),
              static_cast<long long>(sum.already_done), static_cast<long long>(sum.corrupted),
              static_cast<long long>(sum.failed), sum.seconds);
  if (sum.analysed) {
    std::printf("\nClaims of McMahan et al. 2021 (%s/analysis/claims.md):\n\n%s", a.out.c_str(),
                io::read_text(opt.out / "analysis" / "claims.md").c_str());
    std::printf("\nfigures: python3 scripts/plot_study.py %s\n", a.out.c_str());
  }
  if (sum.failed > 0) throw error("rnnlab study: " + std::to_string(sum.failed) + " networks failed (see above)");
}

const bool registered_study = register_command("study", [](CLI::App& app) {
  auto args = std::make_shared<study_args>();
  auto* sub = app.add_subcommand(
      "study",
      "Population study of McMahan et al. 2021: train networks per task x rule x noise x N contexts x seed in "
      "parallel, analyse each (fixed points, topology, SVCCA activity, psychometric curve, integration "
      "mechanism), then the cross-network analyses (distance matrices, MDS, silhouettes) and the claims table. "
      "Resumable; the store is .npy + JSON (docs/study.md)");
  sub->add_option("--preset", args->preset, "Plan preset: default, fig1, fig2, fig3, fig5, fig11, activation, all")
      ->check(CLI::IsMember(study::study_plan::preset_names()))
      ->capture_default_str();
  sub->add_option("--size", args->size, "small (T = 150, noise scaled to keep the evidence, 3 networks per cell) or "
                                        "paper (T = 750, 50 per cell)")
      ->check(CLI::IsMember({"small", "paper"}))
      ->capture_default_str();
  sub->add_option("--plan", args->plan_file, "A plan as JSON (see --print-plan) instead of --preset/--size")
      ->check(CLI::ExistingFile);
  sub->add_option("--out", args->out, "Store folder")->capture_default_str();
  sub->add_option("--threads", args->threads, "Networks trained at once (0 = all cores); never changes the store")
      ->capture_default_str();
  sub->add_flag("--resume", args->resume, "Continue an existing store: keep complete networks, redo corrupted ones");
  sub->add_option("--shard", args->shard, "Run only networks with index = i mod n (Slurm arrays: $SLURM_ARRAY_TASK_ID/n)")
      ->capture_default_str();
  sub->add_option("--seed", args->seed, "Study seed (default: the plan's, 1)");
  sub->add_option("--networks-per-cell", args->per_cell, "Seeds per (task, N, noise, activation, size, rule)");
  sub->add_option("--rules", args->rules, "Override the plan's rules (registered: " +
                                              study::builtin_rules().names_text() + ")");
  sub->add_option("--tasks", args->tasks, "Override the plan's tasks (rdm, cdi, ncdi)");
  sub->add_flag("--no-analysis", args->no_analysis, "Only train and analyse networks (no cross-network analyses)");
  sub->add_flag("--print-plan", args->print_plan, "Print the plan as JSON and exit (a starting point for --plan)");
  sub->add_flag("--quiet", args->quiet, "No live progress");
  sub->add_flag("--mpi", args->mpi,
                "Share the networks over MPI ranks (mpirun -np R rnnlab study --mpi ...; rank 0 runs the analyses); "
                "needs a build with MPI");
  sub->callback([args] { do_study(*args); });
});

}  // namespace
}  // namespace rnnlab::cli
