// Shared by the backtest, promote and diff command tests: the small pack in
// tests/golden/measure (figures worked out by hand in
// tests/unit/measure_test.cc) and helpers to run commands on it.
#ifndef TARGETING_TESTS_CLI_MEASURE_FIXTURE_H_
#define TARGETING_TESTS_CLI_MEASURE_FIXTURE_H_

#include <gtest/gtest.h>

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cli_util.h"
#include "targeting/targeting.h"

namespace targeting::testing {

namespace fs = std::filesystem;

inline constexpr const char* kAsOf = "2026-06-01";

inline std::string MeasureDir() { return std::string(TARGETING_SOURCE_DIR) + "/tests/golden/measure"; }

inline void WriteFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline std::vector<std::string> Keys(simdjson::dom::object o) {
  std::vector<std::string> keys;
  for (auto field : o) keys.emplace_back(field.key);
  return keys;
}

// Runs backtest on the measure pack and returns the JSON report.
inline std::string BacktestJson(const std::string& tmp, const std::vector<std::string>& extra = {},
                                const std::string& outcomes = "outcomes.csv") {
  std::vector<std::string> args = {"backtest", "pack", "records.csv", "--outcomes", outcomes,
                                   "-o", tmp + "/report.json", "--as-of", kAsOf};
  args.insert(args.end(), extra.begin(), extra.end());
  CliResult r = RunCli(MeasureDir(), args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Slurp(tmp + "/report.json");
}

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_CLI_MEASURE_FIXTURE_H_
