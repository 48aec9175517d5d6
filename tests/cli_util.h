// Running the built `targeting` command from tests: arguments, working
// directory, standard output, standard error and exit code.
#ifndef TARGETING_TESTS_CLI_UTIL_H_
#define TARGETING_TESTS_CLI_UTIL_H_

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "file_util.h"

namespace targeting::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

// A fresh empty directory under the system temp dir, removed by the caller
// (or left for inspection when a test fails).
inline std::string TempDir(const std::string& name) { return FreshDir(name).string(); }

// Runs TARGETING_CLI with `args` in directory `cwd`.
inline CliResult RunCli(const std::string& cwd, const std::vector<std::string>& args) {
  static int counter = 0;
  const std::string base = std::filesystem::temp_directory_path().string() + "/targeting-cli-" +
                           std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::string cmd = "cd " + ShellQuote(cwd) + " && " + ShellQuote(TARGETING_CLI);
  for (const std::string& a : args) cmd += " " + ShellQuote(a);
  cmd += " >" + ShellQuote(base + ".out") + " 2>" + ShellQuote(base + ".err") + " </dev/null";
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(base + ".out");
  r.err = Slurp(base + ".err");
  std::filesystem::remove(base + ".out");
  std::filesystem::remove(base + ".err");
  return r;
}

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_CLI_UTIL_H_
