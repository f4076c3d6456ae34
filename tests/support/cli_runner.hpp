// Running the rnnlab program from the CLI tests (RNNLAB_CLI and RNNLAB_TEST_TMP come from CMake).
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace rnnlab::test {

/// An empty path under this test's scratch folder (removed if it exists; its parent created).
inline std::filesystem::path fresh(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(RNNLAB_TEST_TMP) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  return dir;
}

/// Runs `rnnlab ARGS` with its output discarded; its exit status (−1 if it did not exit).
inline int run(const std::string& args) {
  const std::string cmd = std::string(RNNLAB_CLI) + " " + args + " > /dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace rnnlab::test
