// targeting diff: a set against itself changes nothing; without one entry,
// exactly that entry's losses.
#include <gtest/gtest.h>

#include "cli/measure_fixture.h"

namespace targeting {
namespace {

using namespace targeting::testing;  // NOLINT(google-build-using-namespace)

std::string DiffJson(const std::string& old_rules, const std::string& new_rules) {
  CliResult r = RunCli(MeasureDir(), {"diff", old_rules, new_rules, "records.csv", "--format",
                                      "json", "--as-of", kAsOf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(DiffCli, AgainstItselfNoChanges) {
  std::string json = DiffJson("pack", "pack");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(int64_t(doc["records"]), 8);
  EXPECT_EQ(int64_t(doc["changed"]), 0);
  EXPECT_EQ(doc["entries"].get_array().size(), 0u);
  EXPECT_EQ(doc["changes"].get_array().size(), 0u);
  CliResult text = RunCli(MeasureDir(), {"diff", "pack", "pack", "records.csv"});
  EXPECT_NE(text.out.find("no changes"), std::string::npos) << text.out;
}

// Removing any one entry loses exactly the records it fired on, and nothing else.
TEST(DiffCli, WithoutEachEntryExactlyItsLosses) {
  const std::string tmp = testing::TempDir("diff-minus");
  // Fired counts from backtest, the independent path.
  std::string report = BacktestJson(tmp);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(report).get(doc), simdjson::SUCCESS);
  std::map<std::string, int64_t> fired;
  for (auto m : doc["entries"].get_array()) {
    fired[std::string(std::string_view(m["id"].get_string()))] = int64_t(m["fired"]);
  }
  const std::string rules = Slurp(MeasureDir() + "/pack/rules.yaml");
  for (const char* id : {"D1", "Q1", "Q2", "R1", "R2", "X1"}) {
    SCOPED_TRACE(id);
    const std::string marker = std::string("  - id: ") + id + "\n";
    std::size_t from = rules.find(marker);
    ASSERT_NE(from, std::string::npos);
    std::size_t to = rules.find("  - id: ", from + 1);
    if (to == std::string::npos) to = rules.size();
    const std::string pack = tmp + "/minus-" + id;
    fs::create_directories(pack);
    fs::copy(MeasureDir() + "/pack/targeting.yaml", pack + "/targeting.yaml");
    WriteFile(pack + "/rules.yaml", rules.substr(0, from) + rules.substr(to));

    std::string json = DiffJson("pack", pack);
    simdjson::dom::element d;
    ASSERT_EQ(parser.parse(json).get(d), simdjson::SUCCESS) << json;
    auto entries = d["entries"].get_array();
    if (fired.count(id) == 0 || fired[id] == 0) {  // draft or retired: nothing changes
      EXPECT_EQ(int64_t(d["fired_changed"]), 0);
      EXPECT_EQ(entries.size(), 0u);
      continue;
    }
    ASSERT_EQ(entries.size(), 1u) << json;
    EXPECT_EQ(std::string_view(entries.at(0)["id"].get_string()), id);
    EXPECT_EQ(int64_t(entries.at(0)["gained"]), 0);
    EXPECT_EQ(int64_t(entries.at(0)["lost"]), fired[id]);
    EXPECT_EQ(int64_t(d["fired_changed"]), fired[id]);
    for (auto c : d["changes"].get_array()) {
      EXPECT_EQ(c["gained"].get_array().size(), 0u);
      ASSERT_EQ(c["lost"].get_array().size(), 1u);
      EXPECT_EQ(std::string_view(c["lost"].get_array().at(0).get_string()), id);
    }
  }
  fs::remove_all(tmp);
}

TEST(DiffCli, DiscrepantGainedAndLost) {
  // Without R1 (weight 40) A1 is still found (Q1 and Q2 are active), so
  // nothing is lost; without Q1 and R1 nothing finds A3 (R2 is shadow).
  const std::string tmp = testing::TempDir("diff-found");
  fs::create_directories(tmp + "/small");
  fs::copy(MeasureDir() + "/pack/targeting.yaml", tmp + "/small/targeting.yaml");
  WriteFile(tmp + "/small/rules.yaml",
            "rules:\n  - {id: Q2, kind: query, when: {mode: AIR}}\n"
            "  - {id: R2, status: shadow, when: {country_of_origin: CN}}\n");
  CliResult r = RunCli(MeasureDir(), {"diff", "pack", tmp + "/small", "records.csv",
                                      "--outcomes", "outcomes.csv", "--format", "json",
                                      "--as-of", kAsOf});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element d;
  ASSERT_EQ(parser.parse(r.out).get(d), simdjson::SUCCESS) << r.out;
  // Discrepant records: A1 A3 A4 A5 A4'. Old finds A1 A3 A4 A4' (A5: nothing fired).
  // New (Q2 only active): A1 and A4 (AIR); loses A3 and the SEA record A4'.
  EXPECT_EQ(int64_t(d["discrepant"]["records"]), 5);
  EXPECT_EQ(int64_t(d["discrepant"]["found_old"]), 4);
  EXPECT_EQ(int64_t(d["discrepant"]["found_new"]), 2);
  EXPECT_EQ(int64_t(d["discrepant"]["gained"]), 0);
  EXPECT_EQ(int64_t(d["discrepant"]["lost"]), 2);
  auto lost = d["discrepant"]["lost_ids"].get_array();
  ASSERT_EQ(lost.size(), 2u);
  EXPECT_EQ(std::string_view(lost.at(0).get_string()), "A3");
  EXPECT_EQ(std::string_view(lost.at(1).get_string()), "A4");
  fs::remove_all(tmp);
}

TEST(DiffCli, DifferentSchemasAreRefused) {
  const std::string tmp = testing::TempDir("diff-schema");
  WriteFile(tmp + "/custom/schema.yaml",
            "record_id: record_id\nfields:\n  record_id: string\n  mode: code\n");
  WriteFile(tmp + "/custom/targeting.yaml", "schema: {file: schema.yaml}\n");
  WriteFile(tmp + "/custom/rules.yaml", "rules:\n  - {id: Q2, when: {mode: AIR}}\n");
  CliResult r = RunCli(MeasureDir(), {"diff", "pack", tmp + "/custom", "records.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("different schemas"), std::string::npos) << r.err;
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace targeting
