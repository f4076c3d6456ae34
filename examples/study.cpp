// The population study of McMahan et al. 2021 through the library API (the `rnnlab study`
// subcommand does the same with more options): train and analyse the networks of a preset,
// resumably, in parallel, then print the claims table.
//
//   study [OUT_DIR] [--preset default|fig1|fig2|fig3|fig5|fig11|activation|all] [--size small|paper]
//         [--threads K] [--resume] [--shard i/n] [--seed S] [--networks-per-cell K]
//
// The store (OUT_DIR, default out/study) is described in docs/study.md; scripts/plot_study.py
// turns it into the paper's figures.
#include <rnnlab/study.hpp>

#include <cstdio>
#include <iostream>
#include <string>

using namespace rnnlab;

int main(int argc, char** argv) try {
  study::run_options opt;
  opt.out = "out/study";
  std::string preset = "default", size = "small";
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
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--networks-per-cell") per_cell = std::stol(next());
    else if (a == "--shard") {
      const std::string s = next();
      const auto slash = s.find('/');
      if (slash == std::string::npos) throw argument_error("study: --shard expects i/n, got " + s);
      opt.shard = std::stoi(s.substr(0, slash));
      opt.n_shards = std::stoi(s.substr(slash + 1));
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: study [OUT_DIR] [--preset NAME] [--size small|paper] [--threads K] [--resume]\n"
                   "             [--shard i/n] [--seed S] [--networks-per-cell K]\n";
      return 0;
    } else
      opt.out = a;
  }
  const auto rules = study::builtin_rules();
  auto plan = study::study_plan::preset(preset, from_name<study::study_size>(size, "study", "--size"), rules.names());
  plan.seed = seed;
  if (per_cell > 0) plan.networks_per_cell = per_cell;
  const auto nets = study::enumerate_networks(plan);
  std::printf("study '%s' (%s): %zu networks; rules: %s; store %s\n", plan.name.c_str(), size.c_str(), nets.size(),
              rules.names_text().c_str(), opt.out.string().c_str());
  const auto sum = study::run_study(plan, opt, rules);
  std::printf("%lld networks trained now, %lld kept, %lld corrupted and redone, %lld failed; %.1f s\n",
              static_cast<long long>(sum.trained), static_cast<long long>(sum.already_done),
              static_cast<long long>(sum.corrupted), static_cast<long long>(sum.failed), sum.seconds);
  if (sum.analysed) std::printf("\n%s", io::read_text(opt.out / "analysis" / "claims.md").c_str());
  return sum.failed == 0 ? 0 : 2;
} catch (const std::exception& e) {
  std::cerr << "study: error: " << e.what() << "\n";
  return 1;
}
