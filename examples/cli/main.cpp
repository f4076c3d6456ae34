// rnnlab: a command-line front end over the library, for users who train elsewhere (PyTorch,
// JAX) or script studies. Interchange formats: docs/formats.md. Errors go to stderr with exit
// status 1 (usage errors: CLI11's status).
#include "commands.hpp"

#include <rnnlab/error.hpp>
#include <rnnlab/version.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"rnnlab: train and reverse-engineer recurrent networks (library version " +
               std::string(rnnlab::version) + ")"};
  app.set_version_flag("--version", std::string(rnnlab::version));
  app.require_subcommand(1);
  auto& commands = rnnlab::cli::registry();
  std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, install] : commands) install(app);
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
