// The `targeting` command: dispatches to the registered commands.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace targeting::cli {

namespace {
std::vector<Command>& Registry() {
  static std::vector<Command> commands;
  return commands;
}

void PrintOverview(std::FILE* out) {
  std::fputs(
      "usage: targeting COMMAND [ARGS...]\n\n"
      "Rule-based cargo targeting: compile rules, score manifest records, and measure\n"
      "which rules and queries find discrepancies.\n\ncommands:\n",
      out);
  std::size_t column = 12;
  for (const Command& c : Commands()) column = std::max(column, c.spec.name.size() + 4);
  for (const Command& c : Commands()) {
    std::string line = "  " + c.spec.name;
    line.resize(column, ' ');
    std::string first = c.spec.description.substr(0, c.spec.description.find('\n'));
    std::fprintf(out, "%s%s\n", line.c_str(), first.c_str());
  }
  std::fputs("\nRun 'targeting COMMAND --help' for a command's arguments.\n", out);
}
}  // namespace

bool RegisterCommand(Command command) {
  Registry().push_back(std::move(command));
  std::stable_sort(Registry().begin(), Registry().end(),
                   [](const Command& a, const Command& b) { return a.order < b.order; });
  return true;
}

const std::vector<Command>& Commands() { return Registry(); }

}  // namespace targeting::cli

int main(int argc, char** argv) {
  using namespace targeting::cli;
  if (argc < 2) {
    PrintOverview(stderr);
    return kExitUsage;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintOverview(stdout);
    return kExitOk;
  }
  if (name == "--version") {
    std::puts("targeting 0.1.0");
    return kExitOk;
  }
  for (const Command& c : Commands()) {
    if (c.spec.name != name) continue;
    std::vector<std::string> rest(argv + 2, argv + argc);
    std::string error;
    auto args = Args::Parse(c.spec, rest, &error);
    if (!args) {
      std::fprintf(stderr, "targeting %s: %s\n", name.c_str(), error.c_str());
      return kExitUsage;
    }
    if (args->help()) {
      std::fputs(HelpText(c.spec).c_str(), stdout);
      return kExitOk;
    }
    try {
      return c.run(*args);
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "targeting %s: out of memory\n", name.c_str());
      return kExitUsage;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "targeting %s: internal error: %s\n", name.c_str(), e.what());
      return kExitUsage;
    }
  }
  std::fprintf(stderr, "targeting: unknown command '%s' (see targeting --help)\n", name.c_str());
  return kExitUsage;
}
