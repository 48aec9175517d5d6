// The quality measure, the admission bar, the pruning rule, the ranking and
// the holdout figures of Suggester, on small tables worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "targeting/suggest.h"
#include "test_util.h"

namespace targeting {
namespace {

using testing::Fields;
using testing::MakeRecord;
using testing::MustCompile;

constexpr double kTol = 1e-9;

// One active rule fires on carrier A to residences: what it finds is not new.
const char* kRules = R"(
promotion: {min_examined: 5, min_discrepancy_rate: 0.2, confidence: 0.95, min_ports: 1, min_new_discrepant: 1}
rules:
  - id: R-A-RES
    weight: 10
    when: {carrier: A, consignee_type: RESIDENTIAL}
)";

struct Row {
  const char* carrier;
  const char* mode;
  const char* type;
  const char* date;
  int count;
  int discrepant;      // examined and discrepant
  int clean;           // examined, no discrepancy
};

// Training (before 2026-02-01), 40 exams, 12 discrepant, base rate 0.30:
//   A SEA BUSINESS      5 exams  4 discrepant
//   A SEA RESIDENTIAL   5 exams  4 discrepant (R-A-RES fires: not new)
//   A AIR BUSINESS     10 exams  2 discrepant
//   B SEA BUSINESS     10 exams  2 discrepant
//   B AIR RESIDENTIAL  10 exams  0 discrepant
// plus 3 unexamined A SEA BUSINESS records. Holdout: A SEA BUSINESS 6 exams,
// 3 discrepant, and 1 unexamined; B AIR BUSINESS 10 exams, 1 discrepant;
// base rate 4/16 = 0.25.
const Row kTable[] = {
    {"A", "SEA", "BUSINESS", "2026-01-10", 5, 4, 1},
    {"A", "SEA", "RESIDENTIAL", "2026-01-11", 5, 4, 1},
    {"A", "AIR", "BUSINESS", "2026-01-12", 10, 2, 8},
    {"B", "SEA", "BUSINESS", "2026-01-13", 10, 2, 8},
    {"B", "AIR", "RESIDENTIAL", "2026-01-14", 10, 0, 10},
    {"A", "SEA", "BUSINESS", "2026-01-15", 3, 0, 0},
    {"A", "SEA", "BUSINESS", "2026-03-10", 7, 3, 3},
    {"B", "AIR", "BUSINESS", "2026-03-11", 10, 1, 9},
};

struct TableRun {
  std::shared_ptr<const RuleSet> rules;
  SuggestReport report;
};

TableRun RunTable(const Row* rows, std::size_t n, SuggestOptions options) {
  TableRun run;
  run.rules = MustCompile(kRules);
  std::vector<Record> records;
  std::string csv = "record_id,examined,finding\n";
  int id = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Row& row = rows[i];
    for (int k = 0; k < row.count; ++k) {
      const std::string rid = "R" + std::to_string(++id);
      records.push_back(MakeRecord(*run.rules, Fields{{"record_id", rid},
                                                      {"carrier", row.carrier},
                                                      {"mode", row.mode},
                                                      {"consignee_type", row.type},
                                                      {"arrival_date", row.date}}));
      if (k < row.discrepant) csv += rid + ",true,discrepant\n";
      else if (k < row.discrepant + row.clean) csv += rid + ",true,no_discrepancy\n";
    }
  }
  auto outcomes = Outcomes::ReadCsvString(csv, "outcomes.csv", run.rules->schema());
  EXPECT_TRUE(outcomes.ok());
  options.holdout_from = *ParseDate("2026-02-01");
  options.as_of = *ParseDate("2026-06-01");
  if (options.fields.empty()) options.fields = {"carrier", "mode", "consignee_type"};
  auto created = Suggester::Create(run.rules, std::make_shared<const Outcomes>(std::move(outcomes).value()),
                                   options);
  EXPECT_TRUE(created.ok()) << created.status().message();
  Suggester& s = *created.value();
  Scorer scorer(run.rules, ScoreOptions{options.as_of});
  ScoreResult res;
  for (const Record& r : records) {
    EXPECT_TRUE(scorer.Score(r, &res).ok());
    s.Add(r, res);
  }
  s.Search();
  for (const Record& r : records) s.AddForFired(r);
  run.report = s.Report();
  return run;
}

TEST(Suggest, SplitCountsAndBaseRates) {
  TableRun run = RunTable(kTable, std::size(kTable), SuggestOptions{});
  const SuggestReport& r = run.report;
  EXPECT_EQ(r.training.records, 43u);
  EXPECT_EQ(r.training.examined, 40u);
  EXPECT_EQ(r.training.discrepant, 12u);
  EXPECT_NEAR(*r.training.base_rate, 0.30, kTol);
  EXPECT_EQ(r.holdout.records, 17u);
  EXPECT_EQ(r.holdout.examined, 16u);
  EXPECT_EQ(r.holdout.discrepant, 4u);
  EXPECT_NEAR(*r.holdout.base_rate, 0.25, kTol);
  EXPECT_EQ(r.min_examined, 5u);  // promotion.min_examined
}

TEST(Suggest, FindsTheConjunctionNeitherTermFindsAlone) {
  // carrier A: 10 of 20, Wilson 95% low 0.29929 < the base rate 0.30, so
  // not admitted; mode SEA likewise (10 of 20). A and SEA: 8 of 10, low
  // 0.490162 (z = 1.959964: center 0.99207/1.38415 = 0.71674, half
  // 0.25063/1.38415 = 0.18107... see measure_test's EightOfTenAt95).
  SuggestOptions o;
  o.max_terms = 2;
  TableRun run = RunTable(kTable, std::size(kTable), o);
  const SuggestReport& r = run.report;
  ASSERT_EQ(r.suggestions.size(), 1u);
  const Suggestion& s = r.suggestions[0];
  EXPECT_EQ(SuggestionText(s), "mode = SEA and carrier = A");
  EXPECT_EQ(SuggestionWhenJson(s), "{\"all\": [{\"mode\": \"SEA\"}, {\"carrier\": \"A\"}]}");
  EXPECT_EQ(s.train.examined, 10u);
  EXPECT_EQ(s.train.discrepant, 8u);
  EXPECT_EQ(s.train.fired, 13u);  // the 3 unexamined records too
  EXPECT_NEAR(*s.train.ci_low, 0.4901624715366418, kTol);
  EXPECT_NEAR(s.quality, 0.4901624715366418, kTol);
  EXPECT_NEAR(*s.train.lift, 0.8 / 0.3, kTol);
  // The 4 discrepant A SEA RESIDENTIAL records are R-A-RES's: not new.
  EXPECT_EQ(s.train.new_discrepant, 4u);
  // Holdout: 3 of 6, low = (0.5 + 0.320121 - 0.512396) / 1.640243 = 0.187610,
  // below the holdout base rate 0.25: it does not keep its lift (lift 2).
  EXPECT_EQ(s.holdout.fired, 7u);
  EXPECT_EQ(s.holdout.examined, 6u);
  EXPECT_EQ(s.holdout.discrepant, 3u);
  EXPECT_NEAR(*s.holdout.ci_low, 0.18761, 1e-5);
  EXPECT_NEAR(*s.holdout.lift, 2.0, kTol);
  EXPECT_FALSE(s.keeps_lift);
  // Inline tests from the data: three discrepant hits, and near misses.
  EXPECT_EQ(s.fires.size(), 3u);
  EXPECT_EQ(s.not_fires.size(), 3u);
  for (const Record& rec : s.fires) EXPECT_TRUE(SuggestTermHolds(s.terms[0], rec, {}) && SuggestTermHolds(s.terms[1], rec, {}));
  for (const Record& rec : s.not_fires) EXPECT_FALSE(SuggestTermHolds(s.terms[0], rec, {}) && SuggestTermHolds(s.terms[1], rec, {}));
}

TEST(Suggest, AConjunctionMustBeatEverySubConjunction) {
  // A SEA BUSINESS at 5 of 5, A AIR BUSINESS moved to carrier C, B SEA at 0
  // of 10: carrier A is then the 10 A SEA records, 9 of 10, Wilson low
  // 0.595850. A and BUSINESS (A SEA BUSINESS, 5 of 5) has a rate of 100% but
  // a low of only 0.565518 (center 1.384146/1.768292 = 0.782758, half
  // 0.384146/1.768292 = 0.217241), so it is pruned; A and SEA holds on the
  // same records as A and does not beat it either. Base rate 11/40.
  Row rows[std::size(kTable)];
  std::copy(std::begin(kTable), std::end(kTable), rows);
  rows[0].discrepant = 5;
  rows[0].clean = 0;
  rows[2].carrier = "C";
  rows[3].discrepant = 0;
  rows[3].clean = 10;
  SuggestOptions o;
  o.max_terms = 3;
  TableRun run = RunTable(rows, std::size(rows), o);
  EXPECT_NEAR(WilsonInterval(5, 5, 0.95).low, 0.565518, 1e-6);
  EXPECT_NEAR(WilsonInterval(9, 10, 0.95).low, 0.595850, 1e-6);
  ASSERT_EQ(run.report.suggestions.size(), 1u);
  const Suggestion& s = run.report.suggestions[0];
  EXPECT_EQ(SuggestionText(s), "carrier = A");
  EXPECT_NEAR(s.quality, WilsonInterval(9, 10, 0.95).low, kTol);
  EXPECT_EQ(s.train.new_discrepant, 5u);  // A SEA RESIDENTIAL's 4 are R-A-RES's
}

TEST(Suggest, ARefinementThatBeatsItsParentStays) {
  // With A SEA BUSINESS at 5 of 5 and A SEA RESIDENTIAL at 1 of 5, the
  // parent A and SEA is 6 of 10 (low 0.312679) and A SEA BUSINESS (5 of 5,
  // low 0.565518) beats it and its other sub-conjunctions: it is listed,
  // and the parent, whose every new discrepant record it finds, is not.
  Row rows[std::size(kTable)];
  std::copy(std::begin(kTable), std::end(kTable), rows);
  rows[0].discrepant = 5;
  rows[0].clean = 0;
  rows[1].discrepant = 1;
  rows[1].clean = 4;
  SuggestOptions o;
  o.max_terms = 3;
  TableRun run = RunTable(rows, std::size(rows), o);
  ASSERT_FALSE(run.report.suggestions.empty());
  const Suggestion& s = run.report.suggestions[0];
  EXPECT_EQ(s.terms.size(), 3u) << SuggestionText(s);
  EXPECT_EQ(s.train.examined, 5u);
  EXPECT_EQ(s.train.new_discrepant, 5u);
  EXPECT_NEAR(s.quality, 0.565518, 1e-6);
  for (const Suggestion& x : run.report.suggestions) {
    EXPECT_NE(SuggestionText(x), "mode = SEA and carrier = A");
  }
}

TEST(Suggest, SupportBelowMinExaminedIsNeverSuggested) {
  SuggestOptions o;
  o.max_terms = 3;
  o.min_examined = 11;  // A and SEA has 10 training exams
  TableRun run = RunTable(kTable, std::size(kTable), o);
  for (const Suggestion& s : run.report.suggestions) EXPECT_GE(s.train.examined, 11u);
  for (const Suggestion& s : run.report.suggestions) {
    EXPECT_NE(SuggestionText(s), "mode = SEA and carrier = A");
  }
}

TEST(Suggest, JsonHasTheIssueShape) {
  SuggestOptions o;
  o.max_terms = 2;
  TableRun run = RunTable(kTable, std::size(kTable), o);
  std::string json;
  AppendSuggestJson(run.report, &json);
  EXPECT_EQ(json.rfind("{\"fingerprint\": \"sha256:", 0), 0u) << json;
  EXPECT_NE(json.find("\"training\": {\"records\": 43, \"examined\": 40, \"discrepant\": 12, \"base_rate\": 0.3}"),
            std::string::npos) << json;
  EXPECT_NE(json.find("\"when\": {\"all\": [{\"mode\": \"SEA\"}, {\"carrier\": \"A\"}]}, \"train\": {\"fired\": 13, "
                      "\"examined\": 10, \"discrepant\": 8, \"rate\": 0.8, \"ci_low\": 0.49016247153664"),
            std::string::npos) << json;
  EXPECT_NE(json.find("\"new_discrepant\": 4}, \"holdout\": {\"fired\": 7, \"examined\": 6, \"discrepant\": 3, \"rate\": 0.5"),
            std::string::npos) << json;
  EXPECT_NE(json.find("\"keeps_lift\": false}"), std::string::npos) << json;
}

TEST(Suggest, WrittenDraftCompilesAndItsTestsPass) {
  SuggestOptions o;
  o.max_terms = 2;
  TableRun run = RunTable(kTable, std::size(kTable), o);
  ASSERT_EQ(run.report.suggestions.size(), 1u);
  const std::string yaml = SuggestionYaml(run.report, run.report.suggestions[0]);
  EXPECT_NE(yaml.find("kind: query\n    status: draft\n"), std::string::npos) << yaml;
  Compiler compiler;
  compiler.AddSource("pack.yaml", kRules, SourceRole::kConfig);
  compiler.AddSource("draft.yaml", yaml, SourceRole::kRules);
  CompileResult c = compiler.Build();
  std::string issues;
  for (const Issue& i : c.issues) issues += i.ToString() + "\n";
  ASSERT_TRUE(c.ok()) << issues << yaml;
  const int e = c.rule_set->FindEntry(run.report.suggestions[0].id);
  ASSERT_GE(e, 0);
  EXPECT_EQ(c.rule_set->entries()[static_cast<std::size_t>(e)].status, EntryStatus::kDraft);
  TestReport tests = RunInlineTests(*c.rule_set, *ParseDate("2026-06-01"));
  EXPECT_TRUE(tests.failures.empty());
  EXPECT_GE(tests.run, 6u);
}

TEST(Suggest, BadOptionsAreErrorsNotCrashes) {
  auto rules = MustCompile(kRules);
  auto outcomes = std::make_shared<const Outcomes>(
      std::move(Outcomes::ReadCsvString("record_id,examined,finding\n", "o.csv", rules->schema())).value());
  SuggestOptions o;
  o.fields = {"no_such_field"};
  EXPECT_FALSE(Suggester::Create(rules, outcomes, o).ok());
  o.fields = {"arrival_date"};
  EXPECT_FALSE(Suggester::Create(rules, outcomes, o).ok());
  o.fields = {};
  o.max_terms = 0;
  EXPECT_FALSE(Suggester::Create(rules, outcomes, o).ok());
  o.max_terms = 2;
  o.lists = {SuggestList{"l", "quantity", {"1"}}};
  EXPECT_FALSE(Suggester::Create(rules, outcomes, o).ok());
}

}  // namespace
}  // namespace targeting

namespace targeting {
namespace {

// Every kind of term holds exactly where the engine says its written `when`
// does, on values that sit on each side of every operand.
TEST(Suggest, TermsHoldWhereTheirWrittenConditionFires) {
  auto base = MustCompile("rules: []\n");
  const Schema& schema = base->schema();
  auto term = [&](const char* field, SuggestOp op, std::string value, double number = 0) {
    return SuggestTerm{schema.Find(field), field, op, std::move(value), number};
  };
  const std::vector<SuggestList> lists = {SuggestList{"suggest_names", "shipper_name", {"ACME TRADING", "BETA"}}};
  const std::vector<SuggestTerm> terms = {
      term("carrier", SuggestOp::kEq, "D0"),
      term("routing", SuggestOp::kEq, "HK"),
      term("hts_code", SuggestOp::kPrefix, "4202"),
      term("value_per_kg", SuggestOp::kLt, "", 12.5),
      term("quantity", SuggestOp::kGe, "", 10),
      term("description", SuggestOp::kContains, "BAG"),
      term("shipper_name", SuggestOp::kInList, "suggest_names"),
  };
  const std::vector<Fields> records = {
      {{"carrier", "d0"}, {"routing", "CN;HK"}, {"hts_code", "4202.21.6000"}, {"declared_value_usd", "100"},
       {"gross_weight_kg", "10"}, {"quantity", "10"}, {"description", "Leather handbags"},
       {"shipper_name", "Acme Trading Co., Ltd."}},
      {{"carrier", "D1"}, {"routing", "CN"}, {"hts_code", "4203.10"}, {"declared_value_usd", "125"},
       {"gross_weight_kg", "10"}, {"quantity", "9.99"}, {"description", "belts"}, {"shipper_name", "Gamma"}},
      {{"record_id", "R3"}},
  };
  for (const SuggestTerm& t : terms) {
    Suggestion s;
    s.terms = {t};
    const std::string yaml = "rules:\n  - id: T\n    when: " + SuggestionWhenJson(s) + "\n";
    Compiler compiler;
    compiler.AddSource("t.yaml", yaml, SourceRole::kRules);
    compiler.AddSource("lists.yaml", SuggestListsYaml(lists), SourceRole::kRules);
    CompileResult c = compiler.Build();
    std::string issues;
    for (const Issue& i : c.issues) issues += i.ToString() + "\n";
    ASSERT_TRUE(c.ok()) << yaml << issues;
    Scorer scorer(c.rule_set);
    ScoreResult res;
    for (const Fields& f : records) {
      Record r = MakeRecord(*c.rule_set, f);
      ASSERT_TRUE(scorer.Score(r, &res).ok());
      EXPECT_EQ(!res.fired.empty(), SuggestTermHolds(t, r, lists)) << yaml << " on " << r.record_id();
    }
    // The first record meets every term, the second none.
    EXPECT_TRUE(SuggestTermHolds(t, MakeRecord(*c.rule_set, records[0]), lists)) << yaml;
    EXPECT_FALSE(SuggestTermHolds(t, MakeRecord(*c.rule_set, records[1]), lists)) << yaml;
  }
}

}  // namespace
}  // namespace targeting
