// Tests examples/cli/main.cpp: the rnnlab program's dispatch to subcommands.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

struct cli_outcome {
  int status = -1;    ///< exit status (−1 if the program did not exit normally)
  std::string text;   ///< stdout and stderr together
};

cli_outcome run_cli_capturing(const std::string& args) {
  const std::string cmd = std::string(RNNLAB_CLI) + " " + args + " 2>&1";
  cli_outcome o;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) o.text.append(buf.data(), n);
  const int status = pclose(pipe);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

bool cli_text_has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an unknown subcommand is an error that lists the valid subcommands") {
  for (const std::string args : {"fit --help", "bogus", "bogus --out x", "--version-not-a-flag bogus"}) {
    CAPTURE(args);
    const auto o = run_cli_capturing(args);
    CHECK(o.status != 0);
    if (args.rfind("--version-not", 0) == 0) continue;  // CLI11 rejects the unknown flag first
    CHECK(cli_text_has(o.text, "unknown subcommand '" + args.substr(0, args.find(' ')) + "'"));
    for (const char* valid : {"distances", "embed", "fixed-points", "grad", "init", "sample", "similarity",
                              "simulate", "study", "train"})
      CHECK(cli_text_has(o.text, valid));
    CHECK_FALSE(cli_text_has(o.text, "Usage"));  // not the general help
  }
}

TEST_CASE("an unknown option before the subcommand is an error naming it") {
  for (const std::string opt : {"-x", "--bogus"}) {
    CAPTURE(opt);
    const auto o = run_cli_capturing(opt + " train --help");
    CHECK(o.status == 2);
    CHECK(cli_text_has(o.text, "unknown option '" + opt + "'"));
    CHECK_FALSE(cli_text_has(o.text, "A subcommand is required"));
  }
}

TEST_CASE("known subcommands, help and version still work") {
  const auto help = run_cli_capturing("--help");
  CHECK(help.status == 0);
  CHECK(cli_text_has(help.text, "Subcommands"));
  const auto sub_help = run_cli_capturing("train --help");
  CHECK(sub_help.status == 0);
  CHECK(cli_text_has(sub_help.text, "train"));
  CHECK_FALSE(cli_text_has(sub_help.text, "unknown subcommand"));
  const auto version = run_cli_capturing("--version");
  CHECK(version.status == 0);
  // No subcommand at all stays a usage error (CLI11's message), not an unknown-subcommand one.
  const auto none = run_cli_capturing("");
  CHECK(none.status != 0);
  CHECK_FALSE(cli_text_has(none.text, "unknown subcommand"));
}
