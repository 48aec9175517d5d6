// The backtest against an independent implementation: tools/cross-check-backtest
// recomputes every section 6 field from `targeting score` output and the
// outcomes, over a corpus `targeting gen` writes for the example pack.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <cstdlib>
#include <set>
#include <string>

#include "cli/measure_fixture.h"

namespace targeting {
namespace {

using namespace targeting::testing;  // NOLINT(google-build-using-namespace)

// Runs tools/cross-check-backtest on DIR's manifest.csv, outcomes.csv,
// scores.jsonl and report.json with `extra` options; its output goes to
// DIR/cross-check.txt. The exit status of the shell.
int CrossCheck(const std::string& src, const std::string& dir, const std::string& extra = "") {
  const std::string command = "python3 " + ShellQuote(src + "/tools/cross-check-backtest") +
                              " --manifest " + ShellQuote(dir + "/manifest.csv") + " --outcomes " +
                              ShellQuote(dir + "/outcomes.csv") + " --scores " +
                              ShellQuote(dir + "/scores.jsonl") + " --report " +
                              ShellQuote(dir + "/report.json") + extra + " > " +
                              ShellQuote(dir + "/cross-check.txt") + " 2>&1";
  return std::system(command.c_str());
}

TEST(BacktestCrossCheck, GeneratedCorpusAgreesWithPythonRecomputation) {
  if (std::system("python3 -c 'import statistics' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 is not available";
  }
  const std::string src = TARGETING_SOURCE_DIR;
  const std::string tmp = testing::TempDir("cross-check");
  CliResult gen = RunCli(src, {"gen", "--records", "20000", "--seed", "11", "-o", tmp});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  CliResult score = RunCli(src, {"score", "rules", tmp + "/manifest.csv", "--as-of", "2026-09-30",
                                 "-o", tmp + "/scores.jsonl"});
  ASSERT_EQ(score.exit_code, 0) << score.err;
  CliResult bt = RunCli(src, {"backtest", "rules", tmp + "/manifest.csv", "--outcomes",
                              tmp + "/outcomes.csv", "--as-of", "2026-09-30", "-o",
                              tmp + "/report.json", "--threads", "2"});
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  // The JSON Lines copy of the corpus must give the same report.
  CliResult bt_jsonl = RunCli(src, {"backtest", "rules", tmp + "/manifest.jsonl", "--outcomes",
                                    tmp + "/outcomes.csv", "--as-of", "2026-09-30", "-o",
                                    tmp + "/report-jsonl.json"});
  ASSERT_EQ(bt_jsonl.exit_code, 0) << bt_jsonl.err;
  EXPECT_EQ(Slurp(tmp + "/report.json"), Slurp(tmp + "/report-jsonl.json"));

  int status = CrossCheck(src, tmp);
  EXPECT_EQ(status, 0) << Slurp(tmp + "/cross-check.txt");
  if (status == 0) fs::remove_all(tmp);
}

// Capacity budgets (a share, a curve, exams a day) and rules over time,
// against the same independent recomputation.
TEST(BacktestCrossCheck, CapacityAndPeriodsAgreeWithPythonRecomputation) {
  if (std::system("python3 -c 'import statistics' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 is not available";
  }
  const std::string src = TARGETING_SOURCE_DIR;
  const std::string tmp = testing::TempDir("cross-check-capacity");
  ASSERT_EQ(RunCli(src, {"gen", "--records", "30000", "--seed", "12", "-o", tmp}).exit_code, 0);
  ASSERT_EQ(RunCli(src, {"score", "rules", tmp + "/manifest.csv", "--as-of", "2026-09-30", "-o",
                         tmp + "/scores.jsonl"}).exit_code, 0);
  for (const char* by : {"month", "week"}) {
    for (const char* budget : {"5%", "40/day"}) {
      CliResult bt = RunCli(src, {"backtest", "rules", tmp + "/manifest.csv", "--outcomes",
                                  tmp + "/outcomes.csv", "--as-of", "2026-09-30", "-o",
                                  tmp + "/report.json", "--capacity", budget, "--capacity-curve",
                                  "1,2,5,10,20,50", "--by", by});
      ASSERT_EQ(bt.exit_code, 0) << bt.err;
      const std::string report = Slurp(tmp + "/report.json");
      EXPECT_NE(report.find("\"capacity\":{\"budget\":\"" + std::string(budget) + "\""), std::string::npos);
      EXPECT_NE(report.find("\"periods\":{\"by\":\"" + std::string(by) + "\""), std::string::npos);
      EXPECT_EQ(CrossCheck(src, tmp, " --salt fy2026 --as-of 2026-09-30"), 0) << by << " " << budget << ": " << Slurp(tmp + "/cross-check.txt");
      EXPECT_NE(Slurp(tmp + "/cross-check.txt").find("7 capacity budgets"), std::string::npos);
    }
  }
  // Exams per port and day: three ports with budgets, the rest with none.
  WriteFile(tmp + "/ports.csv", "port,exams_per_day\n4196,6\n2095,3\n 4701 ,1\n");
  const std::string spec = "per-port:" + tmp + "/ports.csv";
  CliResult bt = RunCli(src, {"backtest", "rules", tmp + "/manifest.csv", "--outcomes",
                              tmp + "/outcomes.csv", "--as-of", "2026-09-30", "-o",
                              tmp + "/report.json", "--capacity", spec});
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  EXPECT_NE(Slurp(tmp + "/report.json").find("\"capacity\":{\"budget\":\"" + spec + "\""),
            std::string::npos);
  EXPECT_EQ(CrossCheck(src, tmp, " --salt fy2026 --as-of 2026-09-30"), 0) << "per-port: " << Slurp(tmp + "/cross-check.txt");
  EXPECT_NE(Slurp(tmp + "/cross-check.txt").find("1 capacity budgets"), std::string::npos);

  // The scorecard's verdicts, recomputed from the same records and outcomes.
  CliResult card = RunCli(src, {"scorecard", "rules", tmp + "/manifest.csv", "--outcomes",
                                tmp + "/outcomes.csv", "--as-of", "2026-09-30", "--format", "json"});
  ASSERT_EQ(card.exit_code, 0) << card.err;
  WriteFile(tmp + "/card.json", card.out);
  CliResult by_month = RunCli(src, {"backtest", "rules", tmp + "/manifest.csv", "--outcomes",
                                    tmp + "/outcomes.csv", "--as-of", "2026-09-30", "--by", "month",
                                    "-o", tmp + "/report.json"});
  ASSERT_EQ(by_month.exit_code, 0) << by_month.err;
  EXPECT_EQ(CrossCheck(src, tmp, " --scorecard " + ShellQuote(tmp + "/card.json")), 0) << "scorecard: " << Slurp(tmp + "/cross-check.txt");
  EXPECT_NE(Slurp(tmp + "/cross-check.txt").find("scorecard verdicts"), std::string::npos);
  fs::remove_all(tmp);
}

// Rules over time on a corpus large enough to see a rate fall: gen plants
// one query whose pattern ends partway through (truth.json "decaying"); the
// latest month must flag it, and no other entry (the steady ones).
TEST(BacktestTrends, PlantedDecayingQueryIsFlaggedAndNoSteadyEntryIs) {
  const std::string src = TARGETING_SOURCE_DIR;
  const std::string tmp = testing::TempDir("trends-decay");
  ASSERT_EQ(RunCli(src, {"gen", "--records", "300000", "--seed", "7", "-o", tmp}).exit_code, 0);
  CliResult bt = RunCli(src, {"backtest", "rules", tmp + "/manifest.jsonl", "--outcomes",
                              tmp + "/outcomes.csv", "--as-of", "2026-09-30", "--by", "month",
                              "-o", tmp + "/report.json"});
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  simdjson::dom::parser parser;
  std::set<std::string> planted;
  simdjson::dom::element truth = parser.load(tmp + "/truth.json").value();
  for (auto id : truth["queries"]["decaying"].get_array()) {
    planted.insert(std::string(id.get_string().value()));
  }
  ASSERT_FALSE(planted.empty()) << "gen plants no decaying query";
  simdjson::dom::parser report_parser;
  simdjson::dom::element report = report_parser.load(tmp + "/report.json").value();
  std::set<std::string> flagged;
  std::size_t entries = 0;
  for (simdjson::dom::element e : report["periods"]["entries"].get_array()) {
    ++entries;
    if (e["decaying"].get_bool().value()) flagged.insert(std::string(e["id"].get_string().value()));
  }
  EXPECT_GT(entries, 20u);
  EXPECT_EQ(flagged, planted) << bt.out;
  fs::remove_all(tmp);
}

TEST(BacktestCapacity, BadSpecsAreUsageErrors) {
  const std::string src = TARGETING_SOURCE_DIR;
  const std::string tmp = testing::TempDir("capacity-usage");
  WriteFile(tmp + "/ports.csv", "port,exams_per_day\n2704,10\n2704,3\n");
  struct Case { std::vector<std::string> extra; std::string message; } cases[] = {
      {{"--capacity", "0%"}, "capacity '0%': a share must be above 0% and at most 100%"},
      {{"--capacity", "lots"}, "capacity 'lots': expected a share (5%), exams a day (2000/day) or per-port:FILE"},
      {{"--capacity", "per-port:" + tmp + "/ports.csv"}, tmp + "/ports.csv:3: port '2704' is listed twice"},
      {{"--capacity-curve", "1,x"}, "--capacity-curve: capacity 'x%'"},
      {{"--by", "day"}, "--by takes week or month, not 'day'"},
  };
  for (const Case& k : cases) {
    std::vector<std::string> args = {"backtest", "rules", "examples/data/manifest.csv", "--outcomes",
                                     "examples/data/outcomes.csv", "--as-of", "2026-09-30"};
    args.insert(args.end(), k.extra.begin(), k.extra.end());
    CliResult r = RunCli(src, args);
    EXPECT_EQ(r.exit_code, 2) << k.message;
    EXPECT_NE(r.err.find(k.message), std::string::npos) << r.err;
  }
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace targeting
