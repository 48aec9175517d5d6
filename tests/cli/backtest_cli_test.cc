// targeting backtest: the section 6 JSON shape, nulls, threads and exit codes.
#include <gtest/gtest.h>

#include "cli/measure_fixture.h"

namespace targeting {
namespace {

using namespace targeting::testing;  // NOLINT(google-build-using-namespace)

TEST(BacktestCli, JsonHasExactlyTheSectionSixKeysInOrder) {
  const std::string tmp = testing::TempDir("bt-keys");
  std::string json = BacktestJson(tmp);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  simdjson::dom::object top = doc.get_object();
  EXPECT_EQ(Keys(top), (std::vector<std::string>{
                           "fingerprint", "records", "rejected", "outcomes", "examined",
                           "discrepant", "sampled", "base_rate", "discrepant_by", "identified_by",
                           "priorities", "entries"}));
  EXPECT_EQ(Keys(top["outcomes"].get_object()),
            (std::vector<std::string>{"rows", "unmatched", "bad", "duplicates"}));
  EXPECT_EQ(Keys(top["discrepant_by"].get_object()),
            (std::vector<std::string>{"rule", "query_only", "missed"}));
  EXPECT_EQ(Keys(top["identified_by"].get_object()),
            (std::vector<std::string>{"rule", "query", "observation", "tip", "random", "unknown"}));
  EXPECT_EQ(Keys(top["priorities"].get_object()),
            (std::vector<std::string>{"health", "ipr", "unused"}));
  for (auto p : top["priorities"].get_object()) {
    EXPECT_EQ(Keys(p.value.get_object()), (std::vector<std::string>{"entries", "discrepant"}));
  }
  const std::vector<std::string> entry_keys = {
      "id",        "kind",     "status",       "fired",      "hit_rate",
      "examined",  "discrepant", "discrepancy_rate", "ci_low", "ci_high",
      "lift",      "unique_discrepant", "new_discrepant", "seizures", "msrp_usd",
      "ports",     "candidate"};
  std::vector<std::string> ids;
  for (auto e : top["entries"].get_array()) {
    EXPECT_EQ(Keys(e.get_object()), entry_keys);
    ids.emplace_back(std::string_view(e["id"].get_string()));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"Q1", "Q2", "R1", "R2"}));
  EXPECT_EQ(std::string_view(top["fingerprint"].get_string()).substr(0, 7), "sha256:");
  fs::remove_all(tmp);
}

TEST(BacktestCli, NullsWhenNothingWasExamined) {
  const std::string tmp = testing::TempDir("bt-nulls");
  WriteFile(tmp + "/none.csv", "record_id,examined,finding\n");
  std::string json = BacktestJson(tmp, {}, tmp + "/none.csv");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_TRUE(doc["base_rate"].is_null());
  EXPECT_EQ(int64_t(doc["outcomes"]["rows"]), 0);
  for (auto e : doc["entries"].get_array()) {
    EXPECT_EQ(int64_t(e["examined"]), 0);
    EXPECT_TRUE(e["discrepancy_rate"].is_null());
    EXPECT_TRUE(e["ci_low"].is_null());
    EXPECT_TRUE(e["ci_high"].is_null());
    EXPECT_TRUE(e["lift"].is_null());
    EXPECT_FALSE(bool(e["candidate"]));
  }
  fs::remove_all(tmp);
}

TEST(BacktestCli, ThreadsDoNotChangeTheReport) {
  const std::string tmp = testing::TempDir("bt-threads");
  std::string one = BacktestJson(tmp);
  std::string three = BacktestJson(tmp, {"--threads", "3"});
  EXPECT_EQ(one, three);
  fs::remove_all(tmp);
}

TEST(BacktestCli, ExitCodes) {
  const std::string tmp = testing::TempDir("bt-exit");
  const std::string dir = MeasureDir();
  // A rejected record: exit 1, shown like score shows it, and counted.
  WriteFile(tmp + "/records.csv",
            "record_id,arrival_date,mode\nA1,2026-03-01,AIR\nA2,2026-02-30,SEA\n");
  CliResult r = RunCli(dir, {"backtest", "pack", tmp + "/records.csv", "--outcomes",
                             "outcomes.csv", "-o", tmp + "/r.json", "--as-of", kAsOf});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("records.csv:3: rejected:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("read 2 = scored 1 + rejected 1"), std::string::npos) << r.err;
  EXPECT_NE(Slurp(tmp + "/r.json").find("\"records\":1,\"rejected\":1"), std::string::npos);

  r = RunCli(dir, {"backtest", "pack", "records.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--outcomes FILE is required"), std::string::npos) << r.err;

  r = RunCli(dir, {"backtest", "pack", "records.csv", "--outcomes", "no-such.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read outcomes"), std::string::npos) << r.err;

  WriteFile(tmp + "/noexam.csv", "record_id,finding\nA1,discrepant\n");
  r = RunCli(dir, {"backtest", "pack", "records.csv", "--outcomes", tmp + "/noexam.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no 'examined' column"), std::string::npos) << r.err;

  WriteFile(tmp + "/bad/rules.yaml", "rules:\n  - {id: X, when: {nope: 1}}\n");
  r = RunCli(dir, {"backtest", tmp + "/bad", "records.csv", "--outcomes", "outcomes.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does not compile"), std::string::npos) << r.err;
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace targeting
