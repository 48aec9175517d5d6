// targeting check RULES: compile, print every issue, run the inline tests.
#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"

namespace targeting::cli {
namespace {

int RunCheck(const Args& args) {
  const std::string cmd = "check";
  const std::string& path = args.positional()[0];
  auto as_of = AsOf(cmd, args);
  if (!as_of) return kExitUsage;
  auto options = CompileOptionsFrom(cmd, args);
  if (!options) return kExitUsage;
  CompileResult result = CompilePath(path, *options);
  if (!result.status.ok()) {
    Fail(cmd, result.status.message());
    return kExitUsage;
  }
  const bool quiet = args.has("quiet");
  for (const Issue& issue : result.issues) {
    if (quiet && issue.severity == Severity::kWarning) continue;
    std::printf("%s\n", issue.ToString().c_str());
  }
  const std::size_t errors = result.error_count();
  const std::size_t warnings = result.warning_count();
  if (!result.ok()) {
    std::printf("%s: %zu error%s, %zu warning%s; the rule set does not compile\n", path.c_str(),
                errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    return kExitFindings;
  }
  const RuleSet& rules = *result.rule_set;
  TestReport tests = RunInlineTests(rules, *as_of);
  for (const TestFailure& f : tests.failures) std::printf("%s\n", f.ToString().c_str());

  // Every inline test also goes through the indexed matcher; a disagreement
  // with the reference is a bug in this tool, reported as such.
  const std::vector<TestDisagreement> disagreements = CrossCheckInlineTests(rules, *as_of);
  for (const TestDisagreement& d : disagreements) std::printf("%s\n", d.ToString().c_str());
  std::size_t active = 0, shadow = 0, draft = 0, rule_count = 0, query_count = 0;
  for (const EntryInfo& e : rules.entries()) {
    active += e.status == EntryStatus::kActive;
    shadow += e.status == EntryStatus::kShadow;
    draft += e.status == EntryStatus::kDraft;
    rule_count += e.kind == EntryKind::kRule;
    query_count += e.kind == EntryKind::kQuery;
  }
  std::printf("%s: %zu entries (%zu rules, %zu queries; %zu active, %zu shadow, %zu draft), "
              "%zu error%s, %zu warning%s; %zu inline tests, %zu failed\n",
              path.c_str(), rules.entries().size(), rule_count, query_count, active, shadow, draft,
              errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s", tests.run,
              tests.failures.size());
  std::printf("fingerprint %s\n", rules.fingerprint().c_str());
  return tests.failures.empty() && disagreements.empty() ? kExitOk : kExitFindings;
}

std::vector<OptionSpec> CheckOptions() {
  std::vector<OptionSpec> o = {AsOfOption(), {"quiet", false, "", "print errors and failures only, not warnings"}};
  for (OptionSpec& l : LimitOptions()) o.push_back(l);
  return o;
}

const bool kCheckRegistered = RegisterCommand(Command{
    CommandSpec{"check", "RULES [--as-of DATE] [--quiet]",
                "Compile a rule set, print every error and warning as file:line:col: message,\n"
                "and run every entry's inline tests (fires / not_fires).\n\n"
                "RULES is a directory (targeting.yaml plus *.yaml / *.yml files, searched\n"
                "recursively) or a single YAML file. Exit 0 when it compiles and every test\n"
                "passes, 1 on errors or failed tests, 2 when RULES cannot be read.",
                CheckOptions(), 1, 1},
    10, RunCheck});

}  // namespace
}  // namespace targeting::cli
