// Golden files for what backtest, promote and diff print and write, over the
// small pack in tests/golden/measure (its figures are worked out by hand in
// tests/unit/measure_test.cc). Commands run inside that directory with
// relative paths, so the output does not depend on where the tree lives.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_util.h"
#include "golden/golden_util.h"

namespace targeting {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::ExpectGolden;
using testing::GoldenDir;
using testing::RunCli;

const char* kAsOf = "2026-06-01";

TEST(GoldenMeasure, Backtest) {
  const std::string dir = GoldenDir("measure");
  const std::string tmp = testing::TempDir("golden-backtest");
  CliResult r = RunCli(dir, {"backtest", "pack", "records.csv", "--outcomes", "outcomes.csv",
                             "-o", tmp + "/report.json", "--overlap", tmp + "/overlap.json",
                             "--as-of", kAsOf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden(dir + "/backtest.json.expected", testing::Slurp(tmp + "/report.json"));
  ExpectGolden(dir + "/overlap.json.expected", testing::Slurp(tmp + "/overlap.json"));
  ExpectGolden(dir + "/backtest.txt.expected", r.out);
  ExpectGolden(dir + "/backtest.stderr.expected", r.err);
  fs::remove_all(tmp);
}

TEST(GoldenMeasure, Promote) {
  const std::string dir = GoldenDir("measure");
  const std::string tmp = testing::TempDir("golden-promote");
  CliResult r = RunCli(dir, {"promote", "pack", "records.csv", "--outcomes", "outcomes.csv",
                             "--as-of", kAsOf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden(dir + "/promote.txt.expected", r.out);
  // The written rule file. Its inline tests are proven against today's date,
  // which does not matter here: every record has a date inside the window.
  CliResult w = RunCli(dir, {"promote", "pack", "records.csv", "--outcomes", "outcomes.csv",
                             "--as-of", kAsOf, "--write", tmp});
  EXPECT_EQ(w.exit_code, 0) << w.err;
  ExpectGolden(dir + "/UDR-PROMOTED-Q1.yaml.expected",
               testing::Slurp(tmp + "/UDR-PROMOTED-Q1.yaml"));
  fs::remove_all(tmp);
}

TEST(GoldenMeasure, DiffAgainstItself) {
  const std::string dir = GoldenDir("measure");
  CliResult r = RunCli(dir, {"diff", "pack", "pack", "records.csv", "--outcomes", "outcomes.csv",
                             "--as-of", kAsOf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden(dir + "/diff_self.txt.expected", r.out);
}

TEST(GoldenMeasure, DiffWithoutOneEntry) {
  const std::string dir = GoldenDir("measure");
  CliResult r = RunCli(dir, {"diff", "pack", "pack_minus_q2", "records.csv", "--outcomes",
                             "outcomes.csv", "--as-of", kAsOf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden(dir + "/diff_minus_q2.txt.expected", r.out);
  CliResult j = RunCli(dir, {"diff", "pack", "pack_minus_q2", "records.csv", "--outcomes",
                             "outcomes.csv", "--as-of", kAsOf, "--format", "json"});
  EXPECT_EQ(j.exit_code, 0) << j.err;
  ExpectGolden(dir + "/diff_minus_q2.json.expected", j.out);
}

}  // namespace
}  // namespace targeting
