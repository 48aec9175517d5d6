#include "cli/args.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <deque>

namespace targeting::cli {

namespace {

std::string Dashed(const OptionSpec& o) { return "--" + o.name; }

// The option a command-line word names, for messages: "--name" of
// "--name=value", or the word itself.
std::string OptionWord(const std::string& word) {
  if (word.rfind("--", 0) == 0) return word.substr(0, word.find('='));
  return word;
}

}  // namespace

std::optional<Args> Args::Parse(const CommandSpec& spec, const std::vector<std::string>& argv,
                                std::string* error) {
  // CLI11 does the parsing: long and short options, --name=value, "--", and
  // repeated options in order. The help text stays ours (HelpText), so
  // CLI11's own help flag is replaced by one that only records the request.
  CLI::App app(spec.description, "targeting " + spec.name);
  app.set_help_flag();
  app.allow_windows_style_options(false);
  bool help = false;
  app.add_flag("-h,--help", help);
  // Values land here per option; deque keeps references stable.
  std::deque<std::vector<std::string>> values;
  std::deque<std::int64_t> flags;
  std::vector<std::pair<const OptionSpec*, CLI::Option*>> added;
  for (const OptionSpec& o : spec.options) {
    std::string names = Dashed(o);
    if (o.short_name) names = std::string("-") + o.short_name + "," + names;
    CLI::Option* opt = nullptr;
    if (o.takes_value) {
      values.emplace_back();
      opt = app.add_option(names, values.back(), o.help)
                ->type_name(o.value_name)
                ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                ->expected(1)
                ->allow_extra_args(false);
    } else {
      flags.emplace_back(0);
      opt = app.add_flag(names, flags.back(), o.help)->disable_flag_override();
    }
    added.emplace_back(&o, opt);
  }
  std::vector<std::string> positional;
  app.add_option("args", positional)->expected(0, -1);
  // CLI11 takes the words in reverse order.
  std::vector<std::string> words(argv.rbegin(), argv.rend());
  try {
    app.parse(words);
  } catch (const CLI::ExtrasError&) {
    // The first word that is neither an option of the command nor a value.
    for (const std::string& w : argv) {
      if (w.size() < 2 || w[0] != '-') continue;
      if (w == "--") break;
      const std::string name = OptionWord(w);
      bool known = name == "-h" || name == "--help";
      for (const OptionSpec& o : spec.options) {
        known |= name == Dashed(o) || (o.short_name && name == std::string("-") + o.short_name);
      }
      if (!known) {
        *error = "unknown option " + name + " for '" + spec.name + "' (see targeting " +
                 spec.name + " --help)";
        return std::nullopt;
      }
    }
    *error = "usage: targeting " + spec.name + " " + spec.synopsis;
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    // A value missing after an option, or one given to a flag.
    for (std::size_t i = 0; i < argv.size(); ++i) {
      const std::string name = OptionWord(argv[i]);
      for (const OptionSpec& o : spec.options) {
        const bool named = name == Dashed(o) ||
                           (o.short_name && argv[i] == std::string("-") + o.short_name);
        if (!named) continue;
        if (!o.takes_value && argv[i].find('=') != std::string::npos) {
          *error = "option --" + o.name + " takes no value";
          return std::nullopt;
        }
        if (o.takes_value && argv[i].find('=') == std::string::npos && i + 1 == argv.size()) {
          *error = "option --" + o.name + " needs a value (" + o.value_name + ")";
          return std::nullopt;
        }
      }
    }
    *error = std::string(e.what()) + " (see targeting " + spec.name + " --help)";
    return std::nullopt;
  }
  Args args;
  args.help_ = help;
  args.positional_ = std::move(positional);
  std::size_t v = 0, f = 0;
  for (const auto& [o, opt] : added) {
    if (o->takes_value) {
      for (std::string& value : values[v++]) args.values_.emplace(o->name, std::move(value));
    } else if (flags[f++] > 0) {
      args.values_.emplace(o->name, "true");
    }
  }
  if (args.help_) return args;
  const int n = static_cast<int>(args.positional_.size());
  if (n < spec.min_positional || (spec.max_positional >= 0 && n > spec.max_positional)) {
    *error = "usage: targeting " + spec.name + " " + spec.synopsis;
    return std::nullopt;
  }
  return args;
}

std::string Args::get(std::string_view name, std::string fallback) const {
  auto range = values_.equal_range(std::string(name));
  if (range.first == range.second) return fallback;
  auto last = range.second;
  --last;
  return last->second;  // the last one given wins
}

std::vector<std::string> Args::all(std::string_view name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(std::string(name));
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

std::string HelpText(const CommandSpec& spec) {
  std::string out = "usage: targeting " + spec.name + " " + spec.synopsis + "\n\n" +
                    spec.description + "\n";
  if (!spec.options.empty()) out += "\noptions:\n";
  // Help texts start in one column, two spaces after the longest option.
  auto left_of = [](const OptionSpec& o) {
    std::string left = "  ";
    if (o.short_name) left += std::string("-") + o.short_name + ", ";
    left += "--" + o.name;
    if (o.takes_value) left += " " + o.value_name;
    return left;
  };
  std::size_t column = 28;
  for (const OptionSpec& o : spec.options) column = std::max(column, left_of(o).size() + 2);
  auto line = [&](std::string left, const std::string& help) {
    left.resize(column, ' ');
    out += left + help + "\n";
  };
  for (const OptionSpec& o : spec.options) line(left_of(o), o.help);
  line("  -h, --help", "show this help");
  return out;
}

std::optional<long long> ParseCount(std::string_view s) {
  long long v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace targeting::cli
