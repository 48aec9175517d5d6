// targeting completion bash: a bash completion script made from the same
// command and option tables the parser and --help use, so it cannot drift.
#include <cstdio>
#include <string>

#include "cli/commands.h"

namespace targeting::cli {
namespace {

// A shell word list, each word plain ASCII from our own tables.
std::string Words(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string BashScript() {
  std::vector<std::string> names;
  for (const Command& c : Commands()) names.push_back(c.spec.name);
  std::string s =
      "# bash completion for targeting; load with:\n"
      "#   source <(targeting completion bash)\n"
      "_targeting() {\n"
      "  local cur prev cmd opts\n"
      "  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
      "  prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  if [[ $COMP_CWORD -eq 1 ]]; then\n"
      "    COMPREPLY=($(compgen -W \"" + Words(names) + " --help --version\" -- \"$cur\"))\n"
      "    return\n"
      "  fi\n"
      "  cmd=\"${COMP_WORDS[1]}\"\n"
      "  case \"$cmd\" in\n";
  for (const Command& c : Commands()) {
    std::vector<std::string> opts{"--help"};
    std::vector<std::string> with_value;
    for (const OptionSpec& o : c.spec.options) {
      opts.push_back("--" + o.name);
      if (o.takes_value) with_value.push_back("--" + o.name);
      if (o.short_name) {
        opts.push_back(std::string("-") + o.short_name);
        if (o.takes_value) with_value.push_back(std::string("-") + o.short_name);
      }
    }
    s += "    " + c.spec.name + ")\n      opts=\"" + Words(opts) + "\"\n";
    if (!with_value.empty()) {
      // After an option that takes a value, complete file names.
      std::string alternatives;
      for (const std::string& w : with_value) alternatives += (alternatives.empty() ? "" : "|") + w;
      s += "      case \"$prev\" in " + alternatives +
           ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;; esac\n";
    }
    s += "      ;;\n";
  }
  s +=
      "    *) return ;;\n"
      "  esac\n"
      "  if [[ \"$cur\" == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
      "  else\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}\n"
      "complete -o filenames -F _targeting targeting\n";
  return s;
}

int RunCompletion(const Args& args) {
  const std::string& shell = args.positional()[0];
  if (shell != "bash") {
    std::fprintf(stderr, "targeting completion: only bash is supported, not '%s'\n",
                 shell.c_str());
    return kExitUsage;
  }
  std::fputs(BashScript().c_str(), stdout);
  return kExitOk;
}

const bool registered = RegisterCommand({
    {
        "completion",
        "bash",
        "Print a bash completion script for the targeting command.\n"
        "\n"
        "It completes commands, each command's options, and file names where a file is\n"
        "expected.\n"
        "\n"
        "example:\n"
        "  source <(targeting completion bash)\n"
        "  # or, for every shell: targeting completion bash > /etc/bash_completion.d/targeting",
        {},
        1,
        1,
    },
    90,
    RunCompletion,
});

}  // namespace
}  // namespace targeting::cli
