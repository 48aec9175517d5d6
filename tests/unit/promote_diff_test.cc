// The promoted rule file and the rule-set diff, at the library level.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "targeting/measure.h"
#include "test_util.h"

namespace targeting {
namespace {

namespace fs = std::filesystem;
using testing::Fields;
using testing::MakeRecord;
using testing::MustCompile;

class PromotedRule : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("targeting-promoted-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "pack");
    Write("pack/targeting.yaml",
          "priorities: [ipr]\n"
          "lists:\n  brands: {values: [GUCCI, CHANEL]}\n");
    Write("pack/queries.yaml", R"(rules:
  - id: Q-LAX-0142
    kind: query
    name: "Handbags: HK routing"
    description: |
      Two lines
      of description.
    owner: LAX
    version: 4
    status: shadow
    weight: 25.5
    priority: ipr
    scope: {ports: ["2704", "4601"], modes: [SEA]}
    effective: {from: 2026-01-01, until: 2026-12-31}
    when:
      all:
        - hts_code: {prefix: ["4202.21", "4202.22"]}
        - routing: HK
        - description: {contains_any: {list: brands}}
        - not: {consignee_name: {in: ["null", "x"]}}
    tests:
      fires:
        - {hts_code: "4202.21.6000", routing: [CN, HK], description: gucci bag, port_of_entry: "2704", mode: SEA, arrival_date: 2026-05-01}
      not_fires:
        - {hts_code: "4202.21.6000", routing: [CN], description: gucci bag, port_of_entry: "2704", mode: SEA, arrival_date: 2026-05-01}
)");
    CompileResult r = CompilePath((dir_ / "pack").string());
    for (const Issue& i : r.issues) ADD_FAILURE() << i.ToString();
    ASSERT_TRUE(r.ok());
    rules_ = r.rule_set;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }

  fs::path dir_;
  std::shared_ptr<const RuleSet> rules_;
};

TEST_F(PromotedRule, CompilesWithThePackAndKeepsTheCondition) {
  int q = rules_->FindEntry("Q-LAX-0142");
  ASSERT_GE(q, 0);
  Record hit = MakeRecord(*rules_, Fields{{"record_id", "B-77"},
                                         {"hts_code", "4202.22.1000"},
                                         {"routing", "CN;HK;US"},
                                         {"description", "CHANEL purse"},
                                         {"consignee_name", "Acme Co."},
                                         {"port_of_entry", "4601"},
                                         {"mode", "SEA"},
                                         {"declared_value_usd", "1e3"},
                                         {"gross_weight_kg", "12.5"},
                                         {"arrival_date", "2026-07-04"}});
  auto yaml = PromotedRuleYaml(*rules_, q, "UDR-PROMOTED-Q-LAX-0142", {hit});
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  const std::string& text = yaml.value();
  if (std::getenv("SHOW_YAML")) std::fputs(text.c_str(), stderr);
  EXPECT_NE(text.find("promoted_from: Q-LAX-0142"), std::string::npos) << text;
  EXPECT_NE(text.find("{list: brands}"), std::string::npos) << text;
  EXPECT_NE(text.find("\"2704\""), std::string::npos) << text;  // still a quoted string
  EXPECT_NE(text.find("\"null\""), std::string::npos) << text;  // not a YAML null

  Compiler compiler;
  ASSERT_TRUE(compiler.AddPath((dir_ / "pack").string()).ok());
  compiler.AddSource((dir_ / "pack/promoted.yaml").string(), text, SourceRole::kRules);
  CompileResult r = compiler.Build();
  for (const Issue& i : r.issues) ADD_FAILURE() << i.ToString() << "\n" << text;
  ASSERT_TRUE(r.ok());
  TestReport tests = RunInlineTests(*r.rule_set, *ParseDate("2026-06-01"));
  EXPECT_TRUE(tests.failures.empty()) << tests.failures[0].ToString() << "\n" << text;
  EXPECT_EQ(tests.run, 5u);  // the query's 2; the promoted rule's 2 copied + 1 hit

  const EntryInfo& e = r.rule_set->entries()[static_cast<std::size_t>(
      r.rule_set->FindEntry("UDR-PROMOTED-Q-LAX-0142"))];
  EXPECT_EQ(e.kind, EntryKind::kRule);
  EXPECT_EQ(e.status, EntryStatus::kShadow);
  EXPECT_EQ(e.version, 1);
  EXPECT_EQ(e.weight, 25.5);
  EXPECT_EQ(e.name, "Handbags: HK routing");
  EXPECT_EQ(e.description, "Two lines\nof description.\n");
  EXPECT_EQ(e.owner, "LAX");
  EXPECT_EQ(e.priorities, std::vector<std::string>{"ipr"});

  // The same condition: both fire on the same records, scope and window included.
  Scorer scorer(r.rule_set, ScoreOptions{*ParseDate("2026-06-01")});
  const int qi = r.rule_set->FindEntry("Q-LAX-0142");
  const int pi = r.rule_set->FindEntry("UDR-PROMOTED-Q-LAX-0142");
  const Fields variants[] = {
      {{"hts_code", "4202.22"}, {"routing", "HK"}, {"description", "gucci"}, {"port_of_entry", "2704"}, {"mode", "SEA"}, {"arrival_date", "2026-02-01"}},
      {{"hts_code", "4202.22"}, {"routing", "HK"}, {"description", "gucci"}, {"port_of_entry", "9999"}, {"mode", "SEA"}, {"arrival_date", "2026-02-01"}},
      {{"hts_code", "4202.22"}, {"routing", "HK"}, {"description", "gucci"}, {"port_of_entry", "2704"}, {"mode", "AIR"}, {"arrival_date", "2026-02-01"}},
      {{"hts_code", "4202.22"}, {"routing", "HK"}, {"description", "gucci"}, {"port_of_entry", "2704"}, {"mode", "SEA"}, {"arrival_date", "2027-02-01"}},
      {{"hts_code", "4202.22"}, {"routing", "HK"}, {"description", "gucci"}, {"port_of_entry", "2704"}, {"mode", "SEA"}, {"consignee_name", "null"}},
  };
  for (const Fields& f : variants) {
    Record rec = MakeRecord(*r.rule_set, f);
    ScoreResult res;
    ASSERT_TRUE(scorer.Score(rec, &res).ok());
    auto has = [&](int i) {
      return std::find(res.fired.begin(), res.fired.end(), static_cast<std::uint32_t>(i)) !=
             res.fired.end();
    };
    EXPECT_EQ(has(qi), has(pi));
  }
}

// An aggregate query's hit rarely fires alone: its test is the sequence of
// the records before it that it needs, cut from the stream.
TEST(PromotedAggregateRule, HitsBecomeSequenceTestsThatPass) {
  const fs::path dir =
      fs::temp_directory_path() / ("targeting-promoted-agg-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "pack");
  std::ofstream(dir / "pack/queries.yaml", std::ios::binary) << R"(rules:
  - id: Q-SPLIT
    kind: query
    when:
      all:
        - mode: [EXPRESS, MAIL]
        - aggregate:
            by: [consignee_name]
            days: 2
            where: {mode: [EXPRESS, MAIL]}
            sum: {field: declared_value_usd, gt: 800}
)";
  CompileResult compiled = CompilePath((dir / "pack").string());
  for (const Issue& i : compiled.issues) ADD_FAILURE() << i.ToString();
  ASSERT_TRUE(compiled.ok());
  auto rules = compiled.rule_set;
  const int q = rules->FindEntry("Q-SPLIT");
  auto rec = [&](const char* id, const char* name, const char* mode, const char* value,
                 const char* date) {
    return MakeRecord(*rules, Fields{{"record_id", id}, {"consignee_name", name}, {"mode", mode},
                                     {"declared_value_usd", value}, {"arrival_date", date}});
  };
  const std::vector<Record> stream = {
      rec("R1", "Ann Lee", "EXPRESS", "500", "2026-05-01"),  // outside the window
      rec("R2", "Bob Roe", "EXPRESS", "700", "2026-05-03"),  // another key
      rec("R3", "Ann Lee", "SEA", "900", "2026-05-03"),      // not counted (where)
      rec("R4", "Ann Lee", "MAIL", "300", "2026-05-02"),
      rec("R5", "ANN LEE", "EXPRESS", "350", "2026-05-03"),
      rec("R6", "Ann Lee", "EXPRESS", "200", "2026-05-03"),  // the hit: 300 + 350 + 200
  };
  const Days as_of = *ParseDate("2026-06-01");
  const Record& hit = stream.back();
  EXPECT_FALSE(InAggregateWindow(*rules, q, stream[0], hit, as_of));
  EXPECT_FALSE(InAggregateWindow(*rules, q, stream[1], hit, as_of));
  EXPECT_TRUE(InAggregateWindow(*rules, q, stream[2], hit, as_of));  // the key and window
  EXPECT_TRUE(InAggregateWindow(*rules, q, stream[3], hit, as_of));
  std::vector<Record> context;
  for (std::size_t i = 0; i + 1 < stream.size(); ++i) {
    if (InAggregateWindow(*rules, q, stream[i], hit, as_of)) context.push_back(stream[i]);
  }
  context.push_back(hit);
  auto seq = FiringSequence(rules, q, context, as_of);
  ASSERT_TRUE(seq.has_value());
  std::vector<std::string> ids;
  for (const Record& r : *seq) ids.emplace_back(r.record_id());
  EXPECT_EQ(ids, (std::vector<std::string>{"R4", "R5", "R6"}));
  EXPECT_FALSE(FiringSequence(rules, q, {stream[3], hit}, as_of).has_value());  // 500 is not > 800

  auto yaml = PromotedRuleYaml(*rules, q, "UDR-PROMOTED-Q-SPLIT", {}, {*seq});
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  const std::string& text = yaml.value();
  EXPECT_NE(text.find("sequence:"), std::string::npos) << text;
  Compiler compiler;
  ASSERT_TRUE(compiler.AddPath((dir / "pack").string()).ok());
  compiler.AddSource((dir / "pack/promoted.yaml").string(), text, SourceRole::kRules);
  CompileResult r = compiler.Build();
  for (const Issue& i : r.issues) ADD_FAILURE() << i.ToString() << "\n" << text;
  ASSERT_TRUE(r.ok());
  TestReport tests = RunInlineTests(*r.rule_set, as_of);
  EXPECT_TRUE(tests.failures.empty()) << tests.failures[0].ToString() << "\n" << text;
  EXPECT_EQ(tests.run, 1u);
  fs::remove_all(dir);
}

TEST(PromotedRuleSource, EntryNotOnDiskIsAnError) {
  auto rules = MustCompile("rules:\n  - {id: Q, kind: query, when: {mode: AIR}}\n");
  auto yaml = PromotedRuleYaml(*rules, rules->FindEntry("Q"), "UDR-Q", {});
  EXPECT_FALSE(yaml.ok());
}

// ---------------------------------------------------------------------------

TEST(RuleSetDiff, EntriesGainedLostAndLaneMoves) {
  auto before = MustCompile(R"(
lanes: {red: 60, yellow: 30}
rules:
  - {id: A, weight: 40, when: {mode: AIR}}
  - {id: B, weight: 30, when: {mode: SEA}}
)");
  auto after = MustCompile(R"(
lanes: {red: 60, yellow: 30}
rules:
  - {id: A, weight: 60, when: {mode: AIR}}
  - {id: C, kind: query, status: shadow, when: {mode: SEA}}
)");
  auto diff = RuleSetDiff::Create(before, after, nullptr);
  ASSERT_TRUE(diff.ok());
  for (const char* mode : {"AIR", "SEA", "RAIL"}) {
    Record r = MakeRecord(*before, Fields{{"record_id", mode}, {"mode", mode}});
    ASSERT_TRUE(diff.value()->Add(r).ok());
  }
  DiffReport rep = diff.value()->Report();
  // AIR: A fired both times, 40 -> 60, yellow -> red. SEA: B lost, C gained,
  // 30 -> 0, yellow -> green. RAIL: nothing.
  EXPECT_EQ(rep.records, 3u);
  EXPECT_EQ(rep.changed, 2u);
  EXPECT_EQ(rep.fired_changed, 1u);
  EXPECT_EQ(rep.score_changed, 2u);
  EXPECT_EQ(rep.lane_changed, 2u);
  ASSERT_EQ(rep.entries.size(), 2u);
  EXPECT_EQ(rep.entries[0].id, "B");
  EXPECT_EQ(rep.entries[0].lost, 1u);
  EXPECT_EQ(rep.entries[1].id, "C");
  EXPECT_EQ(rep.entries[1].gained, 1u);
  EXPECT_EQ(rep.old_lanes[static_cast<int>(Lane::kYellow)], 2u);
  EXPECT_EQ(rep.new_lanes[static_cast<int>(Lane::kRed)], 1u);
  EXPECT_EQ(rep.lane_moves[static_cast<int>(Lane::kYellow)][static_cast<int>(Lane::kGreen)], 1u);
  ASSERT_EQ(rep.changes.size(), 2u);
  EXPECT_EQ(rep.changes[1].record_id, "SEA");
  EXPECT_EQ(rep.changes[1].lost, std::vector<std::string>{"B"});
  EXPECT_EQ(rep.changes[1].gained, std::vector<std::string>{"C"});
}

TEST(RuleSetDiff, ListingIsCappedButEverythingIsCounted) {
  auto before = MustCompile("rules:\n  - {id: A, when: {mode: AIR}}\n");
  auto after = MustCompile("rules:\n  - {id: B, when: {mode: AIR}}\n");
  DiffOptions options;
  options.limit = 2;
  auto diff = RuleSetDiff::Create(before, after, nullptr, options);
  ASSERT_TRUE(diff.ok());
  for (int i = 0; i < 5; ++i) {
    Record r = MakeRecord(*before, Fields{{"record_id", "R" + std::to_string(i)}, {"mode", "AIR"}});
    ASSERT_TRUE(diff.value()->Add(r).ok());
  }
  DiffReport rep = diff.value()->Report();
  EXPECT_EQ(rep.changed, 5u);
  EXPECT_EQ(rep.changes.size(), 2u);
  EXPECT_EQ(rep.entries[0].lost, 5u);
  EXPECT_EQ(rep.entries[1].gained, 5u);
}

}  // namespace
}  // namespace targeting
