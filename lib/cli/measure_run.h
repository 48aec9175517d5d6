// What backtest and promote share: scoring every input into a Backtest
// joined with an outcomes file, reporting the join on stderr, and number
// formatting for the tables.
#ifndef TARGETING_LIB_CLI_MEASURE_RUN_H_
#define TARGETING_LIB_CLI_MEASURE_RUN_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/common.h"
#include "targeting/measure.h"

namespace targeting::cli {

OptionSpec OutcomesOption(bool required);
OptionSpec ThreadsOption();

// --threads N (default 1); nullopt after printing an error.
std::optional<int> Threads(const std::string& command, const Args& args);

// --capacity, --capacity-curve, --by and --idle-periods, and reading them
// into *options (false after printing a one-line reason).
std::vector<OptionSpec> CapacityOptions();
bool MeasureOptionsFrom(const std::string& command, const Args& args, const Schema& schema,
                        BacktestOptions* options);

// Reads --outcomes for `schema`, printing bad rows on stderr. Null after
// printing a one-line reason (exit 2).
std::shared_ptr<const Outcomes> LoadOutcomes(const std::string& command, const Args& args,
                                             const Schema& schema);

// A backtest over RULES INPUT... --outcomes FILE.
struct BacktestRun {
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const Outcomes> outcomes;
  std::unique_ptr<Backtest> backtest;
  BacktestReport report;
  RunCounts counts;
  Days as_of = 0;
};

// Runs it; on failure returns nullopt with *exit_code set (after printing).
// `adjust`, when given, sets options from the compiled rule set.
std::optional<BacktestRun> RunBacktest(
    const std::string& command, const Args& args, BacktestOptions options, int* exit_code,
    const std::function<void(const RuleSet&, BacktestOptions*)>& adjust = nullptr);

// The backtest table (backtest and merge): `first_line`, the counts, every
// entry, priority coverage, marginal contribution and overlap.
std::string FormatBacktestTable(const BacktestReport& report, const std::string& first_line);

// Prints the outcome join (rows, unmatched with a few ids, bad, duplicates) on stderr.
void PrintOutcomeJoin(const std::string& command, const std::string& path,
                      const OutcomeCounts& counts, const std::vector<std::string>& unmatched);

// "12.3%", or "-" when absent.
std::string Percent(std::optional<double> v, int decimals = 1);
// "[37.6%, 96.4%]" or "-".
std::string PercentInterval(std::optional<double> low, std::optional<double> high);
// "1.07" or "-".
std::string Fixed(std::optional<double> v, int decimals);
// Pads (or leaves) `s` to `width` columns, left or right aligned.
std::string Pad(const std::string& s, std::size_t width, bool right = false);

}  // namespace targeting::cli

#endif  // TARGETING_LIB_CLI_MEASURE_RUN_H_
