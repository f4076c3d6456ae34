// The population study of McMahan et al. 2021 through the library API (the `rnnlab study`
// subcommand does the same with more options): train and analyse the networks of a preset,
// resumably, in parallel, then print the claims table.
//
//   study [OUT_DIR] [--preset default|fig1|fig2|fig3|fig5|fig11|activation|all] [--size small|paper]
//         [--plan FILE] [--threads K] [--resume] [--shard i/n] [--seed S] [--networks-per-cell K] [--mpi]
//
// --plan runs a plan from its JSON (rnnlab study --print-plan) instead of a preset. --mpi (when
// built with MPI, RNNLAB_WITH_MPI): `mpirun -np R study --mpi ...` shares the networks over the R
// ranks, rank 0 runs the analyses (study/mpi.hpp); the store is the one a single process writes.
//
// The store (OUT_DIR, default out/study) is described in docs/study.md; scripts/plot_study.py
// turns it into the paper's figures.
#include <rnnlab/study.hpp>
#if defined(RNNLAB_WITH_MPI)
#include <rnnlab/study/mpi.hpp>
#endif

#include <cstdio>
#include <iostream>
#include <string>

using namespace rnnlab;

int main(int argc, char** argv) try {
  study::run_options opt;
  opt.out = "out/study";
  std::string preset = "default", size = "small", plan_file;
  bool mpi = false;
  std::uint64_t seed = 1;
  Index per_cell = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw argument_error("study: option " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--preset") preset = next();
    else if (a == "--size") size = next();
    else if (a == "--threads") opt.threads = std::stoi(next());
    else if (a == "--resume") opt.resume = true;
    else if (a == "--plan") plan_file = next();
    else if (a == "--mpi") mpi = true;
    else if (a == "--quiet") opt.progress = false;
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--networks-per-cell") per_cell = std::stol(next());
    else if (a == "--shard") {
      const std::string s = next();
      const auto slash = s.find('/');
      if (slash == std::string::npos) throw argument_error("study: --shard expects i/n, got " + s);
      opt.shard = std::stoi(s.substr(0, slash));
      opt.n_shards = std::stoi(s.substr(slash + 1));
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: study [OUT_DIR] [--preset NAME] [--size small|paper] [--plan FILE] [--threads K] [--resume]\n"
                   "             [--shard i/n] [--seed S] [--networks-per-cell K] [--quiet] [--mpi]\n";
      return 0;
    } else
      opt.out = a;
  }
  const auto rules = study::builtin_rules();
  auto plan = plan_file.empty()
                  ? study::study_plan::preset(preset, from_name<study::study_size>(size, "study", "--size"), rules.default_names())
                  : study::plan_from_json(io::read_json(plan_file), plan_file);
  if (plan_file.empty()) plan.seed = seed;
  if (per_cell > 0) plan.networks_per_cell = per_cell;
  const auto nets = study::enumerate_networks(plan);
  int rank = 0;
  study::run_summary sum;
  if (mpi) {
#if defined(RNNLAB_WITH_MPI)
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    try {
      sum = study::run_study_mpi(plan, opt, rules, study::analyse_and_claim, MPI_COMM_WORLD);
    } catch (...) {
      MPI_Finalize();
      throw;
    }
    MPI_Finalize();
#else
    throw argument_error("study: --mpi needs a build with MPI (CMake found no MPI: apt-get install libopenmpi-dev)");
#endif
  } else {
    std::printf("study '%s' (%s): %zu networks; rules: %s; store %s\n", plan.name.c_str(),
                std::string(to_name(plan.size)).c_str(), nets.size(), rules.names_text().c_str(),
                opt.out.string().c_str());
    sum = study::run_study(plan, opt, rules);
  }
  if (rank != 0) return sum.failed == 0 ? 0 : 2;
  std::printf("%lld networks trained now, %lld kept, %lld corrupted and redone, %lld failed; %.1f s\n",
              static_cast<long long>(sum.trained), static_cast<long long>(sum.already_done),
              static_cast<long long>(sum.corrupted), static_cast<long long>(sum.failed), sum.seconds);
  if (sum.analysed) std::printf("\n%s", io::read_text(opt.out / "analysis" / "claims.md").c_str());
  return sum.failed == 0 ? 0 : 2;
} catch (const std::exception& e) {
  std::cerr << "study: error: " << e.what() << "\n";
  return 1;
}
