#include "cli/measure_run.h"

#include <cstdio>

#include "cli/commands.h"
#include "cli/pipeline.h"

namespace targeting::cli {

OptionSpec OutcomesOption(bool required) {
  return {"outcomes", true, "FILE",
          std::string(required ? "(required) " : "") +
              "exam outcomes CSV: record_id, examined, finding, action, msrp_usd, identified_by"};
}

OptionSpec ThreadsOption() {
  return {"threads", true, "N", "score on N threads (default 1); results do not depend on it"};
}

std::optional<int> Threads(const std::string& command, const Args& args) {
  if (!args.has("threads")) return 1;
  auto n = ParseCount(args.get("threads"));
  if (!n || *n < 1 || *n > 256) {
    Fail(command, "--threads needs a whole number from 1 to 256");
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

std::shared_ptr<const Outcomes> LoadOutcomes(const std::string& command, const Args& args,
                                             const Schema& schema) {
  const std::string path = args.get("outcomes");
  auto read = Outcomes::ReadCsvFile(path, schema);
  if (!read.ok()) {
    Fail(command, "cannot read outcomes: " + read.status().message());
    return nullptr;
  }
  auto outcomes = std::make_shared<const Outcomes>(std::move(read).value());
  const auto& bad = outcomes->bad_rows();
  const std::size_t shown = std::min<std::size_t>(bad.size(), 20);
  for (std::size_t i = 0; i < shown; ++i) {
    const BadOutcomeRow& b = bad[i];
    std::fprintf(stderr, "%s:%llu: bad outcome row%s%s%s: %s\n", path.c_str(),
                 static_cast<unsigned long long>(b.line), b.record_id.empty() ? "" : " (record ",
                 b.record_id.c_str(), b.record_id.empty() ? "" : ")", b.reason.c_str());
  }
  if (bad.size() > shown) {
    std::fprintf(stderr, "%s: %zu more bad outcome rows not shown\n", path.c_str(),
                 bad.size() - shown);
  }
  return outcomes;
}

void PrintOutcomeJoin(const std::string& command, const std::string& path,
                      const OutcomeCounts& c, const std::vector<std::string>& unmatched) {
  const std::uint64_t joined = c.rows - c.bad - c.duplicates - c.unmatched;
  std::fprintf(stderr,
               "targeting %s: outcomes %s: %llu rows = %llu joined + %llu unmatched + %llu bad + "
               "%llu duplicates\n",
               command.c_str(), path.c_str(), static_cast<unsigned long long>(c.rows),
               static_cast<unsigned long long>(joined), static_cast<unsigned long long>(c.unmatched),
               static_cast<unsigned long long>(c.bad), static_cast<unsigned long long>(c.duplicates));
  if (c.unmatched > 0) {
    std::string ids;
    for (const std::string& id : unmatched) ids += (ids.empty() ? "" : ", ") + id;
    if (c.unmatched > unmatched.size()) ids += ", ...";
    std::fprintf(stderr, "targeting %s: outcome rows for records not among the scored records: %s\n",
                 command.c_str(), ids.c_str());
  }
}

std::vector<OptionSpec> CapacityOptions() {
  return {
      {"capacity", true, "SPEC",
       "also select the exams a centre can afford: 5% (of each day's records), 2000/day, or "
       "per-port:FILE (port,exams_per_day)"},
      {"capacity-curve", true, "P,P,...", "the same figures at several shares, e.g. 1,2,5,10,20,50 (percent)"},
      {"by", true, "week|month", "per-entry figures per period, flagging decaying and idle entries"},
      {"idle-periods", true, "N", "with --by: flag entries that fired in none of the last N periods (default 3)"},
  };
}

bool MeasureOptionsFrom(const std::string& command, const Args& args, const Schema& schema,
                        BacktestOptions* options) {
  if (args.has("capacity")) {
    auto b = ParseCapacity(args.get("capacity"), schema);
    if (!b.ok()) {
      Fail(command, b.status().message());
      return false;
    }
    options->capacity = std::move(b).value();
  }
  if (args.has("capacity-curve")) {
    std::string list = args.get("capacity-curve");
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string item = list.substr(start, comma - start);
      if (!item.empty() && item.back() != '%') item += '%';
      auto b = ParseCapacity(item, schema);
      if (!b.ok()) {
        Fail(command, "--capacity-curve: " + b.status().message());
        return false;
      }
      options->capacity_curve.push_back(std::move(b).value());
      start = comma + 1;
    }
  }
  if (args.has("by")) {
    const std::string by = args.get("by");
    if (by == "week") options->by = TrendPeriod::kWeek;
    else if (by == "month") options->by = TrendPeriod::kMonth;
    else {
      Fail(command, "--by takes week or month, not '" + by + "'");
      return false;
    }
  }
  if (args.has("idle-periods")) {
    auto n = ParseCount(args.get("idle-periods"));
    if (!n || *n < 1 || *n > 1000) {
      Fail(command, "--idle-periods needs a whole number from 1 to 1000");
      return false;
    }
    options->idle_periods = static_cast<std::uint64_t>(*n);
  }
  return true;
}

std::optional<BacktestRun> RunBacktest(
    const std::string& command, const Args& args, BacktestOptions options, int* exit_code,
    const std::function<void(const RuleSet&, BacktestOptions*)>& adjust) {
  *exit_code = kExitUsage;
  if (!args.has("outcomes")) {
    Fail(command, "--outcomes FILE is required (the exam outcomes to measure against)");
    return std::nullopt;
  }
  auto as_of = AsOf(command, args);
  if (!as_of) return std::nullopt;
  auto threads = Threads(command, args);
  if (!threads) return std::nullopt;
  BacktestRun run;
  run.as_of = *as_of;
  run.rules = LoadRules(command, args.positional()[0], args);
  if (!run.rules) return std::nullopt;
  PrintFingerprint(command, args.positional()[0], *run.rules);
  run.outcomes = LoadOutcomes(command, args, run.rules->schema());
  if (!run.outcomes) return std::nullopt;
  options.as_of = *as_of;
  if (adjust) adjust(*run.rules, &options);
  if (!MeasureOptionsFrom(command, args, run.rules->schema(), &options)) return std::nullopt;
  run.backtest = std::make_unique<Backtest>(run.rules, run.outcomes, options);

  std::vector<std::string> inputs(args.positional().begin() + 1, args.positional().end());
  InputSet in(command, run.rules->schema(), args, inputs);
  if (!in.Begin()) return std::nullopt;
  ScorePipeline::Options popts;
  popts.threads = *threads;
  Backtest* backtest = run.backtest.get();
  bool ok;
  {
    ScorePipeline pipeline(
        run.rules, ScoreOptions{*as_of}, popts, nullptr,
        [backtest](const Record& r, const ScoreResult& res) { backtest->Add(r, res); }, nullptr);
    StreamState* stream = pipeline.stream_scorer() ? pipeline.stream_scorer()->stream() : nullptr;
    if (!LoadState(command, args, {stream})) return std::nullopt;
    InputSet::Cursor cursor(&in, &run.counts);
    pipeline.Run([&cursor](Record* r) { return cursor.Next(r); });
    ok = cursor.ok();
    if (ok && in.End() && !SaveState(command, args, {stream})) return std::nullopt;
  }
  if (!in.End() || !ok) return std::nullopt;
  run.backtest->AddRejected(run.counts.rejected);
  PrintSummary(command, run.counts, args);
  run.report = run.backtest->Report();
  PrintOutcomeJoin(command, args.get("outcomes"), run.report.outcomes,
                   run.backtest->UnmatchedIds(10));
  *exit_code = kExitOk;
  return run;
}

std::string Percent(std::optional<double> v, int decimals) {
  if (!v) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, *v * 100);
  return buf;
}

std::string PercentInterval(std::optional<double> low, std::optional<double> high) {
  if (!low || !high) return "-";
  return "[" + Percent(low) + ", " + Percent(high) + "]";
}

std::string Fixed(std::optional<double> v, int decimals) {
  if (!v) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
  return buf;
}

std::string Pad(const std::string& s, std::size_t width, bool right) {
  if (s.size() >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

}  // namespace targeting::cli
