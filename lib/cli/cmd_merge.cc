// targeting merge PARTIAL... -o REPORT.json: the backtest report of the
// records behind several partial backtests (backtest --partial), exactly as
// one backtest over all of them would give it.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/measure_run.h"

namespace targeting::cli {
namespace {

// Partials are whole JSON documents; a large one is bounded by what the
// machine can hold, as the reports they stand for are.
bool ReadWhole(const std::string& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot be opened";
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) {
    *error = path + ": cannot be read";
    return false;
  }
  *text = std::move(s).str();
  return true;
}

int RunMerge(const Args& args) {
  const std::string cmd = "merge";
  std::string error;
  std::unique_ptr<Output> report_out, overlap_out;
  if (!OpenOptionalOutput(cmd, args, "output", &report_out) ||
      !OpenOptionalOutput(cmd, args, "overlap", &overlap_out)) {
    return kExitUsage;
  }
  std::vector<std::string> texts, names;
  for (const std::string& path : args.positional()) {
    std::string text;
    if (!ReadWhole(path, &text, &error)) {
      Fail(cmd, error);
      return kExitUsage;
    }
    texts.push_back(std::move(text));
    names.push_back(path);
  }
  auto merged = MergeBacktestPartials(texts, names);
  if (!merged.ok()) {
    Fail(cmd, merged.status().message());
    return kExitUsage;
  }
  const BacktestReport& r = merged.value();
  std::fprintf(stderr, "targeting merge: %zu partials of rule set %s: %llu records\n", texts.size(),
               r.fingerprint.c_str(), static_cast<unsigned long long>(r.records + r.rejected));
  std::string json, overlap;
  if (report_out) AppendBacktestJson(r, &json);
  if (overlap_out) AppendOverlapJson(r, &overlap);
  if (!WriteAndClose(cmd, report_out.get(), json) || !WriteAndClose(cmd, overlap_out.get(), overlap)) {
    return kExitUsage;
  }
  const bool json_on_stdout = (args.has("output") && args.get("output") == "-") ||
                              (args.has("overlap") && args.get("overlap") == "-");
  if (!json_on_stdout) {
    std::string table = FormatBacktestTable(
        r, "merged " + std::to_string(texts.size()) + " partial backtests of rule set " + r.fingerprint);
    std::fwrite(table.data(), 1, table.size(), stdout);
  }
  return kExitOk;
}

const bool kMergeRegistered = RegisterCommand(Command{
    CommandSpec{"merge", "PARTIAL... [-o REPORT.json] [--overlap FILE]",
                "Merge partial backtests into one report.\n\n"
                "Each PARTIAL is what 'targeting backtest ... --partial FILE' wrote for one shard\n"
                "of the records; give them in the order of their shards. The report (-o, SPEC\n"
                "section 6) and the table are exactly those of one backtest over every shard's\n"
                "records. Partials of different rule sets (fingerprints), schemas, outcomes files\n"
                "or backtest options are refused with the first difference. Exit 0, or 2 when a\n"
                "partial cannot be read or merged.\n\n"
                "example:\n"
                "  targeting backtest rules/ part1.csv --outcomes outcomes.csv --partial p1.json\n"
                "  targeting backtest rules/ part2.csv --outcomes outcomes.csv --partial p2.json\n"
                "  targeting merge p1.json p2.json -o report.json",
                {
                    {"output", true, "FILE", "write the SPEC section 6 JSON report here ('-': standard "
                                             "output, and no table)", 'o'},
                    {"overlap", true, "FILE", "write the marginal-contribution and overlap JSON here"},
                },
                1, -1},
    35, RunMerge});

}  // namespace
}  // namespace targeting::cli
