// Runs the built `targeting` command in a shell and captures its exit code,
// standard output and standard error, for command-line tests.
#ifndef TARGETING_TESTS_CLI_RUN_COMMAND_H_
#define TARGETING_TESTS_CLI_RUN_COMMAND_H_

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "file_util.h"

namespace targeting::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// `args` is appended to the command as shell text (quote paths with spaces);
// `stdin_file`, when given, is fed to standard input.
inline CommandResult RunTargeting(const std::string& args, const std::string& stdin_file = "") {
  auto dir = FreshDir("run");
  std::string cmd = std::string(TARGETING_CLI) + " " + args + " >" + (dir / "out").string() +
                    " 2>" + (dir / "err").string();
  if (!stdin_file.empty()) cmd += " <" + stdin_file;
  int rc = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = Slurp(dir / "out");
  r.err = Slurp(dir / "err");
  std::filesystem::remove_all(dir);
  return r;
}

inline std::string Src(const std::string& rel) { return std::string(TARGETING_SOURCE_DIR) + "/" + rel; }

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_CLI_RUN_COMMAND_H_
