#pragma once
// The `rnnlab` command-line program is assembled from self-registering subcommands: each
// examples/cli/<group>.cpp calls register_command() from a static initialiser, so adding a
// subcommand never touches another file.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace rnnlab::cli {

/// Adds one subcommand (with its options and callback) to the application.
using command_installer = std::function<void(CLI::App& app)>;

inline std::vector<std::pair<std::string, command_installer>>& registry() {
  static std::vector<std::pair<std::string, command_installer>> commands;
  return commands;
}

/// Registers a subcommand; returns a dummy value so it can initialise a static.
inline bool register_command(std::string name, command_installer install) {
  registry().emplace_back(std::move(name), std::move(install));
  return true;
}

}  // namespace rnnlab::cli
