// The backtest against an independent implementation: tools/cross-check-backtest
// recomputes every section 6 field from `targeting score` output and the
// outcomes, over a corpus `targeting gen` writes for the example pack.
#include <gtest/gtest.h>

#include <cstdlib>

#include "cli/measure_fixture.h"

namespace targeting {
namespace {

using namespace targeting::testing;  // NOLINT(google-build-using-namespace)

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

  const std::string cmd = "python3 " + ShellQuote(src + "/tools/cross-check-backtest") +
                          " --manifest " + ShellQuote(tmp + "/manifest.csv") + " --outcomes " +
                          ShellQuote(tmp + "/outcomes.csv") + " --scores " +
                          ShellQuote(tmp + "/scores.jsonl") + " --report " +
                          ShellQuote(tmp + "/report.json") + " > " +
                          ShellQuote(tmp + "/cross-check.txt") + " 2>&1";
  int status = std::system(cmd.c_str());
  EXPECT_EQ(status, 0) << Slurp(tmp + "/cross-check.txt");
  if (status == 0) fs::remove_all(tmp);
}

}  // namespace
}  // namespace targeting
