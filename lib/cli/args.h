// A small command-line parser for the `targeting` command: positional
// arguments plus --flag / --flag=value / --flag value options, each declared
// up front so that unknown or malformed options are usage errors (exit 2).
#ifndef TARGETING_LIB_CLI_ARGS_H_
#define TARGETING_LIB_CLI_ARGS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace targeting::cli {

struct OptionSpec {
  std::string name;       // without the leading "--"
  bool takes_value = true;
  std::string value_name;  // for help: "FILE", "N"
  std::string help;
  char short_name = 0;     // e.g. 'o' for -o
};

struct CommandSpec {
  std::string name;
  std::string synopsis;     // "RULES INPUT... [-o OUT]"
  std::string description;  // a paragraph for --help
  std::vector<OptionSpec> options;
  int min_positional = 0;
  int max_positional = -1;  // -1: no limit
};

class Args {
 public:
  // Parses argv (after the command name). On failure returns nullopt and sets *error.
  static std::optional<Args> Parse(const CommandSpec& spec, const std::vector<std::string>& argv,
                                   std::string* error);

  const std::vector<std::string>& positional() const { return positional_; }
  bool has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  std::string get(std::string_view name, std::string fallback = "") const;
  // All values of a repeated option, in order.
  std::vector<std::string> all(std::string_view name) const;
  bool help() const { return help_; }

 private:
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string> values_;
  bool help_ = false;
};

std::string HelpText(const CommandSpec& spec);

// Parses a whole non-negative integer; nullopt on anything else.
std::optional<long long> ParseCount(std::string_view s);

}  // namespace targeting::cli

#endif  // TARGETING_LIB_CLI_ARGS_H_
