// Running the rnnlab program from the CLI tests (RNNLAB_CLI comes from CMake; scratch folders from
// tests/support/scratch.hpp).
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "scratch.hpp"

namespace rnnlab::test {

/// Runs `rnnlab ARGS` with its output discarded; its exit status (−1 if it did not exit).
inline int run(const std::string& args) {
  const std::string cmd = std::string(RNNLAB_CLI) + " " + args + " > /dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace rnnlab::test
