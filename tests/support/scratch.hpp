// Scratch folders for tests that write files. CTest gives every test its own folder through the
// environment variable RNNLAB_TEST_TMP (tests/CMakeLists.txt), so tests of one executable that run
// at the same time (ctest -j) never share files; a test executable run by hand falls back to
// RNNLAB_TEST_TMP_ROOT/manual (a compile definition).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace rnnlab::test {

/// This test's scratch folder (created if missing).
inline std::filesystem::path scratch_dir() {
  const char* env = std::getenv("RNNLAB_TEST_TMP");
  const std::filesystem::path dir =
      env && *env ? std::filesystem::path(env) : std::filesystem::path(RNNLAB_TEST_TMP_ROOT) / "manual";
  std::filesystem::create_directories(dir);
  return dir;
}

/// An empty path `name` under this test's scratch folder (removed if it exists; its parent created).
inline std::filesystem::path fresh(const std::string& name) {
  const std::filesystem::path dir = scratch_dir() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  return dir;
}

}  // namespace rnnlab::test
