// Layout: cli/ is the targeting command, a front end over the public API and the tools.
// The commands of the `targeting` tool register themselves here; main()
// dispatches on the first argument.
#ifndef TARGETING_LIB_CLI_COMMANDS_H_
#define TARGETING_LIB_CLI_COMMANDS_H_

#include <functional>
#include <vector>

#include "cli/args.h"

namespace targeting::cli {

// Exit codes of SPEC section 7.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // errors in rules, failed tests, rejected records
inline constexpr int kExitUsage = 2;     // could not run as asked

struct Command {
  CommandSpec spec;
  int order = 100;  // position in the overview
  std::function<int(const Args&)> run;
};

// Registers a command; returns true so it can initialize a static.
bool RegisterCommand(Command command);
const std::vector<Command>& Commands();

}  // namespace targeting::cli

#endif  // TARGETING_LIB_CLI_COMMANDS_H_
