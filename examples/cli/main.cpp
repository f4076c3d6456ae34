// rnnlab: a command-line front end over the library, for users who train elsewhere (PyTorch,
// JAX) or script studies. Interchange formats: docs/formats.md. Errors go to stderr with exit
// status 1 (usage errors: CLI11's status; an unknown subcommand: status 2 and the list of valid ones).
#include "commands.hpp"

#include <rnnlab/error.hpp>
#include <rnnlab/version.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
  CLI::App app{"rnnlab: train and reverse-engineer recurrent networks (library version " +
               std::string(rnnlab::version) + ")"};
  app.set_version_flag("--version", std::string(rnnlab::version));
  app.require_subcommand(1);
  auto& commands = rnnlab::cli::registry();
  std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, install] : commands) install(app);
  for (auto& [parent, install] : rnnlab::cli::nested_registry()) install(*app.get_subcommand(parent));
  // The top level has no option that takes a value, so its first word that is not an option must
  // name a subcommand. Checked before CLI11 parses: CLI11 would treat an unknown word as an extra
  // argument, and with --help after it (`rnnlab fit --help`) print the general help and exit 0,
  // as if the subcommand existed.
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (!word.empty() && word.front() == '-') {
      if (word == "-h" || word == "--help" || word == "--version") continue;
      std::cerr << "rnnlab: error: unknown option '" << word
                << "' before the subcommand (the top level takes only --help and --version; a subcommand's options "
                   "follow it: rnnlab SUBCOMMAND --help)\n";
      return 2;
    }
    if (word.empty()) continue;
    const bool known = std::any_of(commands.begin(), commands.end(), [&](const auto& c) { return c.first == word; });
    if (!known) {
      std::cerr << "rnnlab: error: unknown subcommand '" << word << "'; valid subcommands:";
      for (const auto& c : commands) std::cerr << ' ' << c.first;
      std::cerr << "\n(run 'rnnlab --help' for what each does)\n";
      return 2;
    }
    break;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const rnnlab::error& e) {
    std::cerr << "rnnlab: error: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "rnnlab: unexpected error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
