#pragma once
// The `rnnlab` command-line program is assembled from self-registering subcommands: each
// examples/cli/<group>.cpp calls register_command() from a static initialiser, so adding a
// subcommand never touches another file.

#include <CLI/CLI.hpp>

#include <rnnlab/names.hpp>

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

/// The names of an enum's values (rnnlab/names.hpp), for CLI11's IsMember checks and help texts.
template <NamedEnum E>
std::vector<std::string> names_of() {
  std::vector<std::string> out;
  for (E e : enum_values<E>()) out.emplace_back(to_name(e));
  return out;
}

/// Installers of subcommands of a subcommand defined in another file (e.g. `ibl analyse`, in
/// ibl_analysis.cpp, under `ibl` of ibl.cpp): run by main after every top-level installer.
using nested_installer = std::function<void(CLI::App& parent)>;

inline std::vector<std::pair<std::string, nested_installer>>& nested_registry() {
  static std::vector<std::pair<std::string, nested_installer>> commands;
  return commands;
}

/// Registers subcommands under the top-level subcommand `parent`.
inline bool register_nested_command(std::string parent, nested_installer install) {
  nested_registry().emplace_back(std::move(parent), std::move(install));
  return true;
}

/// Registers a subcommand; returns a dummy value so it can initialise a static.
inline bool register_command(std::string name, command_installer install) {
  registry().emplace_back(std::move(name), std::move(install));
  return true;
}

}  // namespace rnnlab::cli
