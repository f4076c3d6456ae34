// Tests examples/cli/main.cpp: the rnnlab program's dispatch to subcommands.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

struct outcome {
  int status = -1;    ///< exit status (−1 if the program did not exit normally)
  std::string text;   ///< stdout and stderr together
};

outcome run_capture(const std::string& args) {
  const std::string cmd = std::string(RNNLAB_CLI) + " " + args + " 2>&1";
  outcome o;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) o.text.append(buf.data(), n);
  const int status = pclose(pipe);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an unknown subcommand is an error that lists the valid subcommands") {
  for (const std::string args : {"study --help", "bogus", "bogus --out x", "--version-not-a-flag bogus"}) {
    CAPTURE(args);
    const auto o = run_capture(args);
    CHECK(o.status != 0);
    if (args.rfind("--version-not", 0) == 0) continue;  // CLI11 rejects the unknown flag first
    CHECK(has(o.text, "unknown subcommand '" + args.substr(0, args.find(' ')) + "'"));
    for (const char* valid : {"distances", "embed", "fixed-points", "grad", "init", "sample", "similarity",
                              "simulate", "train"})
      CHECK(has(o.text, valid));
    CHECK_FALSE(has(o.text, "Usage"));  // not the general help
  }
}

TEST_CASE("known subcommands, help and version still work") {
  const auto help = run_capture("--help");
  CHECK(help.status == 0);
  CHECK(has(help.text, "Subcommands"));
  const auto sub_help = run_capture("train --help");
  CHECK(sub_help.status == 0);
  CHECK(has(sub_help.text, "train"));
  CHECK_FALSE(has(sub_help.text, "unknown subcommand"));
  const auto version = run_capture("--version");
  CHECK(version.status == 0);
  // No subcommand at all stays a usage error (CLI11's message), not an unknown-subcommand one.
  const auto none = run_capture("");
  CHECK(none.status != 0);
  CHECK_FALSE(has(none.text, "unknown subcommand"));
}
