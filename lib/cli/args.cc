#include "cli/args.h"

#include <algorithm>
#include <charconv>

namespace targeting::cli {

std::optional<Args> Args::Parse(const CommandSpec& spec, const std::vector<std::string>& argv,
                                std::string* error) {
  Args args;
  auto find_long = [&](std::string_view name) -> const OptionSpec* {
    for (const OptionSpec& o : spec.options) {
      if (o.name == name) return &o;
    }
    return nullptr;
  };
  auto find_short = [&](char c) -> const OptionSpec* {
    for (const OptionSpec& o : spec.options) {
      if (o.short_name == c) return &o;
    }
    return nullptr;
  };
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a == "-" || a.empty() || a[0] != '-') {
      args.positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      args.help_ = true;
      continue;
    }
    const OptionSpec* opt = nullptr;
    std::optional<std::string> inline_value;
    std::string shown = a;
    if (a.rfind("--", 0) == 0) {
      std::string body = a.substr(2);
      std::size_t eq = body.find('=');
      if (eq != std::string::npos) {
        inline_value = body.substr(eq + 1);
        body = body.substr(0, eq);
        shown = "--" + body;
      }
      opt = find_long(body);
    } else if (a.size() == 2) {
      opt = find_short(a[1]);
    }
    if (!opt) {
      *error = "unknown option " + shown + " for '" + spec.name + "' (see targeting " +
               spec.name + " --help)";
      return std::nullopt;
    }
    if (!opt->takes_value) {
      if (inline_value) {
        *error = "option --" + opt->name + " takes no value";
        return std::nullopt;
      }
      args.values_.emplace(opt->name, "true");
      continue;
    }
    if (inline_value) {
      args.values_.emplace(opt->name, *inline_value);
    } else if (i + 1 < argv.size()) {
      args.values_.emplace(opt->name, argv[++i]);
    } else {
      *error = "option --" + opt->name + " needs a value (" + opt->value_name + ")";
      return std::nullopt;
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
