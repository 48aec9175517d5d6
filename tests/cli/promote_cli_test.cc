// targeting promote: criteria, near misses, and written rule files that pass
// `targeting check` inside the pack.
#include <gtest/gtest.h>

#include "cli/measure_fixture.h"

namespace targeting {
namespace {

using namespace targeting::testing;  // NOLINT(google-build-using-namespace)

TEST(PromoteCli, WrittenRulesPassCheckInThePack) {
  const std::string tmp = testing::TempDir("promote");
  fs::copy(MeasureDir() + "/pack", tmp + "/pack", fs::copy_options::recursive);
  const std::string dir = MeasureDir();
  CliResult w = RunCli(dir, {"promote", tmp + "/pack", "records.csv", "--outcomes",
                             "outcomes.csv", "--as-of", kAsOf, "--write", tmp + "/out"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.out.find("wrote " + tmp + "/out/UDR-PROMOTED-Q1.yaml"), std::string::npos) << w.out;
  ASSERT_TRUE(fs::exists(tmp + "/out/UDR-PROMOTED-Q1.yaml"));
  EXPECT_FALSE(fs::exists(tmp + "/out/UDR-PROMOTED-Q2.yaml"));  // a near miss, not a candidate

  // The must-show: copied into the pack, `targeting check` passes.
  fs::create_directories(tmp + "/pack/promoted");
  fs::copy(tmp + "/out/UDR-PROMOTED-Q1.yaml", tmp + "/pack/promoted/UDR-PROMOTED-Q1.yaml");
  CliResult check = RunCli(dir, {"check", tmp + "/pack"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("0 errors"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("7 inline tests, 0 failed"), std::string::npos) << check.out;

  CompileResult compiled = CompilePath(tmp + "/pack");
  ASSERT_TRUE(compiled.ok());
  int e = compiled.rule_set->FindEntry("UDR-PROMOTED-Q1");
  ASSERT_GE(e, 0);
  const EntryInfo& info = compiled.rule_set->entries()[static_cast<std::size_t>(e)];
  EXPECT_EQ(info.kind, EntryKind::kRule);
  EXPECT_EQ(info.status, EntryStatus::kShadow);
  EXPECT_EQ(info.version, 1);
  EXPECT_EQ(info.promoted_from, "Q1");
  EXPECT_EQ(info.weight, 10);
  EXPECT_EQ(info.priorities, std::vector<std::string>{"health"});
  EXPECT_EQ(info.owner, "PORT-2704");

  // The condition came over faithfully: the new rule fires where Q1 does.
  CliResult bt = RunCli(dir, {"backtest", tmp + "/pack", "records.csv", "--outcomes",
                              "outcomes.csv", "-o", tmp + "/r.json", "--as-of", kAsOf});
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string json = Slurp(tmp + "/r.json");
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS);
  std::map<std::string, std::vector<int64_t>> figures;
  for (auto m : doc["entries"].get_array()) {
    figures[std::string(std::string_view(m["id"].get_string()))] = {
        int64_t(m["fired"]), int64_t(m["examined"]), int64_t(m["discrepant"]),
        int64_t(m["ports"])};
  }
  EXPECT_EQ(figures["UDR-PROMOTED-Q1"], figures["Q1"]);

  // Promoting again names the earlier promotion and writes nothing.
  CliResult again = RunCli(dir, {"promote", tmp + "/pack", "records.csv", "--outcomes",
                                 "outcomes.csv", "--as-of", kAsOf, "--write", tmp + "/out2"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already promoted as UDR-PROMOTED-Q1"), std::string::npos) << again.out;
  EXPECT_FALSE(fs::exists(tmp + "/out2/UDR-PROMOTED-Q1.yaml"));
  fs::remove_all(tmp);
}

TEST(PromoteCli, NewIdAvoidsRetiredEntries) {
  // A retired entry is not in the RuleSet but its id is still taken.
  const std::string tmp = testing::TempDir("promote-retired");
  fs::copy(MeasureDir() + "/pack", tmp + "/pack", fs::copy_options::recursive);
  WriteFile(tmp + "/pack/old.yaml",
            "rules:\n  - {id: UDR-PROMOTED-Q1, status: retired, when: {mode: AIR}}\n");
  CliResult w = RunCli(MeasureDir(), {"promote", tmp + "/pack", "records.csv", "--outcomes",
                                      "outcomes.csv", "--as-of", kAsOf, "--write", tmp + "/out"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_TRUE(fs::exists(tmp + "/out/UDR-PROMOTED-Q1-2.yaml")) << w.out;
  fs::copy(tmp + "/out/UDR-PROMOTED-Q1-2.yaml", tmp + "/pack/UDR-PROMOTED-Q1-2.yaml");
  CliResult check = RunCli(MeasureDir(), {"check", tmp + "/pack"});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  fs::remove_all(tmp);
}

TEST(PromoteCli, ListsCriteriaCandidatesAndNearMisses) {
  CliResult r = RunCli(MeasureDir(), {"promote", "pack", "records.csv", "--outcomes",
                                      "outcomes.csv", "--as-of", kAsOf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("examined >= 3, ci_low >= 21.0%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("candidates (1):\n  Q1 (active query)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Q2 (active query): ci_low 20.8% < 21.0% (0.2 points short)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("after 4 exams (1 more)"), std::string::npos) << r.out;
}

TEST(PromoteCli, RatesBelowTheBarAreNotNearMisses) {
  // With the bar at 90%, Q1 (rate 80%) and Q2 (66.7%) can never qualify.
  const std::string tmp = testing::TempDir("promote-bar");
  fs::copy(MeasureDir() + "/pack", tmp + "/pack", fs::copy_options::recursive);
  std::string config = Slurp(tmp + "/pack/targeting.yaml");
  const std::string from = "min_discrepancy_rate: 0.21";
  config.replace(config.find(from), from.size(), "min_discrepancy_rate: 0.9");
  WriteFile(tmp + "/pack/targeting.yaml", config);
  CliResult r = RunCli(MeasureDir(), {"promote", tmp + "/pack", "records.csv", "--outcomes",
                                      "outcomes.csv", "--as-of", kAsOf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("candidates (0):\n  none"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("near misses (0;"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("other queries (2):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("its rate 80.0% is itself below the bar"), std::string::npos) << r.out;
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace targeting
