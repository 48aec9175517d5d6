// targeting scorecard RULES INPUT... --outcomes F: keep, tune, retire or
// promote for every active and shadow entry, with the reasons in numbers.
#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/measure_run.h"

namespace targeting::cli {
namespace {

int RunScorecard(const Args& args) {
  const std::string cmd = "scorecard";
  const std::string format = args.get("format", "text");
  if (format != "text" && format != "json") {
    Fail(cmd, "--format takes text or json, not '" + format + "'");
    return kExitUsage;
  }
  // The backtest follows the rule set's own scorecard criteria.
  int exit_code = kExitUsage;
  auto run = RunBacktest(cmd, args, BacktestOptions{}, &exit_code, [](const RuleSet& rules, BacktestOptions* o) {
    const ScorecardCriteria& sc = rules.config().scorecard;
    o->by = sc.by == "week" ? TrendPeriod::kWeek : TrendPeriod::kMonth;
    o->idle_periods = sc.idle_periods;
    o->redundant_jaccard = sc.redundant_jaccard;
  });
  if (!run) return exit_code;
  const ScorecardCriteria& criteria = run->rules->config().scorecard;
  Scorecard card = MakeScorecard(run->report, criteria);
  std::string out;
  if (format == "json") {
    AppendScorecardJson(card, &out);
  } else {
    out = "scorecard of rule set " + args.positional()[0] + " (" + card.fingerprint + ") over " +
          std::to_string(run->report.records) + " records; criteria: by " + criteria.by +
          ", idle after " + std::to_string(criteria.idle_periods) + " periods, redundant at Jaccard " +
          Fixed(criteria.redundant_jaccard, 2) + ", judged from " + std::to_string(criteria.min_examined) +
          " exams\n";
    std::size_t counts[4] = {0, 0, 0, 0};
    std::size_t idw = 5;
    for (const EntryVerdict& v : card.entries) idw = std::max(idw, v.id.size());
    for (const EntryVerdict& v : card.entries) {
      ++counts[static_cast<int>(v.verdict)];
      out += "  " + Pad(v.id, idw) + "  " + Pad(VerdictName(v.verdict), 8);
      for (std::size_t i = 0; i < v.reasons.size(); ++i) {
        out += (i ? "\n  " + std::string(idw + 10, ' ') : std::string()) + v.reasons[i];
      }
      out += "\n";
    }
    out += "verdicts: keep " + std::to_string(counts[0]) + ", tune " + std::to_string(counts[1]) +
           ", retire " + std::to_string(counts[2]) + ", promote " + std::to_string(counts[3]) + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return run->counts.rejected > 0 ? kExitFindings : kExitOk;
}

std::vector<OptionSpec> ScorecardOptions() {
  std::vector<OptionSpec> o = {
      OutcomesOption(true),
      {"format", true, "text|json", "text (default) or json: {fingerprint, criteria, entries: [{id, verdict, reasons}]}"},
      ThreadsOption(),
  };
  return RecordCommandOptions(std::move(o));
}

const bool kScorecardRegistered = RegisterCommand(Command{
    CommandSpec{"scorecard", "RULES INPUT... --outcomes FILE [--format text|json] [--as-of DATE]",
                "Give every active and shadow entry a verdict: keep, tune, retire or promote, with\n"
                "the reasons in numbers (docs/measurement.md, \"Scorecard\").\n\n"
                "Intervals, not point estimates, decide: retire when the Wilson interval's high end\n"
                "is below the random sample's base rate, or the entry fired nowhere or not in the\n"
                "last N periods; tune when its latest period's rate is significantly below its\n"
                "earlier rate, or it fires with another entry on nearly the same records and finds\n"
                "nothing alone; promote a query that meets the promotion criteria. An entry that is\n"
                "the only one carrying a priority says so when retired. The criteria are\n"
                "targeting.yaml's `scorecard:` (by, idle_periods, redundant_jaccard, min_examined).",
                ScorecardOptions(), 2, -1},
    45, RunScorecard});

}  // namespace
}  // namespace targeting::cli
