// Aggregate conditions (SPEC section 8): compile errors, measures worked out
// by hand from the words of the section, state files, hot reload, inline
// sequence tests and explain. The streams here are small enough to check
// each measure with pencil and paper; the comments show the arithmetic.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace targeting {
namespace {

using testing::AnyContains;
using testing::Errors;
using testing::Join;
using testing::MustCompile;

constexpr const char* kSplit = R"(
rules:
  - id: UDR-DM-0001
    weight: 40
    when:
      all:
        - mode: [EXPRESS, MAIL]
        - aggregate:
            by: [consignee_name, consignee_address]
            days: 1
            where: {mode: [EXPRESS, MAIL]}
            sum: {field: declared_value_usd, gt: 800}
)";

// A stream of records given as CSV text, scored by the index and the
// reference; returns per record the ids fired (which must agree).
struct Streamed {
  std::vector<std::vector<std::string>> fired;
  std::vector<AggregateMeasures> measures;
};

Streamed Stream(const std::shared_ptr<const RuleSet>& rules, const std::string& csv,
                Days as_of = *ParseDate("2026-03-31")) {
  Streamed out;
  auto reader = RecordReader::FromString(csv, "s.csv", InputFormat::kCsv, rules->schema());
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return out;
  Scorer scorer(rules, ScoreOptions{as_of});
  Record r(rules->schema());
  Reject reject;
  ScoreResult idx, ref;
  while (reader.value()->Read(&r, &reject) == RecordReader::Next::kRecord) {
    EXPECT_TRUE(scorer.Score(r, &idx).ok());
    EXPECT_TRUE(scorer.ScoreReference(r, &ref).ok());
    EXPECT_EQ(idx.fired, ref.fired) << r.record_id();
    EXPECT_EQ(idx.measures.value, ref.measures.value) << r.record_id();
    EXPECT_EQ(idx.measures.keyed, ref.measures.keyed) << r.record_id();
    std::vector<std::string> ids;
    for (auto e : idx.fired) ids.push_back(rules->entries()[e].id);
    out.fired.push_back(ids);
    out.measures.push_back(idx.measures);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The language

TEST(AggregateCompile, EveryMistakeIsReportedAtOnceWithItsPlace) {
  auto errors = Errors(R"(rules:
  - id: Q-1
    kind: query
    when:
      aggregate:
        by: [routing, nosuch, mode, mode]
        days: 0
        where: {aggregate: {by: [mode], days: 1, count: {ge: 1}}}
        sum: {field: description, gt: abc, foo: 3}
        count: {ge: 1}
  - id: Q-2
    kind: query
    when:
      not:
        aggregate: {by: [], days: 1.5}
  - id: Q-3
    kind: query
    when: {any: [{aggregate: {by: mode, days: 2, distinct: {field: shipper_name}}}, {aggregate: {days: 1, count: {between: [5, 2]}}}]}
  - id: Q-4
    kind: query
    when: {aggregate: {by: mode, days: 2, count: {field: mode, ge: 1}, sum: {gt: 1}, extra: 1}}
)");
  const std::string all = Join(errors);
  EXPECT_TRUE(AnyContains(errors, "test.yaml:6:14: error: [Q-1] 'routing' is a list field")) << all;
  EXPECT_TRUE(AnyContains(errors, "test.yaml:6:23: error: [Q-1] unknown field 'nosuch' in 'by'")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-1] 'mode' is named twice in 'by'")) << all;
  EXPECT_TRUE(AnyContains(errors, "test.yaml:7:15: error: [Q-1] days must be a whole number from 1")) << all;
  EXPECT_TRUE(AnyContains(errors, "test.yaml:8:17: error: [Q-1] an aggregate may not appear inside the 'where'")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-1] sum needs a number field; 'description' is a text field")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-1] the operand of gt in sum must be a number, not 'abc'")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-1] unknown operator 'foo' in the test of sum")) << all;
  EXPECT_TRUE(AnyContains(errors, "test.yaml:10:9: error: [Q-1] an aggregate takes one measure, not both 'sum' and 'count'")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-2] 'by' is empty")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-2] days must be a whole number, not '1.5'")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-2] an aggregate needs one measure: count, sum or distinct")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-3] distinct needs a test")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-3] an aggregate needs 'by'")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-3] between [5, 2] in count is out of order")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-4] count takes no field")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-4] sum needs 'field'")) << all;
  EXPECT_TRUE(AnyContains(errors, "[Q-4] an aggregate takes one measure")) << all;
  EXPECT_TRUE(AnyContains(errors, "extra")) << all;
  EXPECT_GE(errors.size(), 19u) << all;
}

TEST(AggregateCompile, NeedsTheSchemasDateField) {
  Compiler c;
  c.AddSource("targeting.yaml", "schema: {file: s.yaml}\n", SourceRole::kConfig);
  c.AddSource("s.yaml", "fields:\n  record_id: string\n  who: name\n  value: number\n",
              SourceRole::kData);
  c.AddSource("r.yaml",
              "rules:\n  - id: A\n    when: {aggregate: {by: who, days: 1, count: {ge: 2}}}\n"
              "  - id: B\n    when: {who: X}\n",
              SourceRole::kRules);
  CompileResult r = c.Build();
  ASSERT_FALSE(r.ok());
  std::string all;
  for (const Issue& i : r.issues) all += i.ToString() + "\n";
  EXPECT_NE(all.find("r.yaml:3:12: error: [A] an aggregate needs the schema's date_field"),
            std::string::npos)
      << all;
  EXPECT_EQ(r.error_count(), 1u) << all;
}

TEST(AggregateCompile, DefinitionsAreSharedAndTestsKeptApart) {
  auto rules = MustCompile(R"(rules:
  - {id: A, when: {aggregate: {by: [consignee_name], days: 7, count: {ge: 3}}}}
  - {id: B, when: {aggregate: {by: consignee_name, days: 7, count: {ge: 5, lt: 9}}}}
  - {id: C, when: {aggregate: {by: [consignee_name], days: 7, count: {lt: 9, ge: 5}}}}
  - {id: D, when: {aggregate: {by: [consignee_name], days: 1, count: {ge: 3}}}}
  - {id: E, when: {aggregate: {by: [consignee_name], days: 7, where: {mode: SEA}, count: {ge: 3}}}}
)");
  ASSERT_TRUE(rules);
  // A, B and C share (by, days, measure); D and E differ in days and where.
  EXPECT_EQ(rules->aggregate_count(), 3u);
  EXPECT_EQ(rules->aggregate_label(0), "by [consignee_name] days 7 count");
  // The fingerprint sees the aggregate: a different window is a different set.
  auto other = MustCompile(R"(rules:
  - {id: A, when: {aggregate: {by: [consignee_name], days: 6, count: {ge: 3}}}}
)");
  auto same = MustCompile(R"(rules:
  - {id: A, when: {aggregate: {by: [consignee_name], days: 7, count: {ge: 3}}}}
)");
  ASSERT_TRUE(other && same);
  EXPECT_NE(other->fingerprint(), same->fingerprint());
}

// ---------------------------------------------------------------------------
// Measures, from the words of section 8

TEST(AggregateMeasure, SplitShipmentsSumOverTheDayAndWhereDecidesWhatCounts) {
  auto rules = MustCompile(kSplit);
  ASSERT_TRUE(rules);
  auto s = Stream(rules,
                  "record_id,arrival_date,mode,consignee_name,consignee_address,declared_value_usd\n"
                  "A,2026-03-01,EXPRESS,Ann Lee,1 Main St,300\n"  // 300
                  "B,2026-03-01,SEA,Ann Lee,1 Main St,5000\n"     // not counted (where); 300
                  "C,2026-03-01,MAIL,Ann Lee,1 Main St,300\n"     // 600
                  "D,2026-03-01,MAIL,ANN LEE.,1 Main St,250\n"   // the same name once normalized: 850
                  "E,2026-03-02,MAIL,Ann Lee,1 Main St,700\n"     // a new day: 700
                  "F,2026-03-02,MAIL,Bob,1 Main St,900\n"          // another key: 900
                  "G,2026-03-02,MAIL,,1 Main St,900\n");           // no key: false
  ASSERT_EQ(s.fired.size(), 7u);
  const std::vector<double> sums = {300, 300, 600, 850, 700, 900, 0};
  for (std::size_t i = 0; i < sums.size(); ++i) EXPECT_EQ(s.measures[i].value[0], sums[i]) << i;
  EXPECT_EQ(s.fired[1], std::vector<std::string>{});  // SEA: the mode test fails
  EXPECT_EQ(s.fired[3], std::vector<std::string>{"UDR-DM-0001"});
  EXPECT_EQ(s.fired[5], std::vector<std::string>{"UDR-DM-0001"});
  EXPECT_TRUE(s.fired[6].empty());
  EXPECT_EQ(s.measures[6].keyed[0], 0);
}

TEST(AggregateMeasure, WindowsLateRecordsAndForgetting) {
  auto rules = MustCompile(R"(rules:
  - {id: W3, when: {aggregate: {by: shipper_name, days: 3, count: {ge: 1}}}}
  - {id: W7, when: {aggregate: {by: shipper_name, days: 7, count: {ge: 1}}}}
)");
  ASSERT_TRUE(rules);
  auto s = Stream(rules,
                  "record_id,arrival_date,shipper_name\n"
                  "A,2026-03-05,S\n"   // H=5. W3 [3,5]: A -> 1. W7: 1
                  "B,2026-03-06,S\n"   // H=6. W3 [4,6]: A B -> 2. W7: 2
                  "C,2026-03-10,S\n"   // H=10. W3 [8,10]: C -> 1. W7 [4,10] > 3: A B C -> 3
                  "D,2026-03-06,S\n"   // late, H=10. W3 [4,6] and > 7: only D -> 1.
                                       //   W7 [0,6] and > 3: A B D -> 3 (C is after D's day)
                  "E,2026-03-09,S\n"   // H=10. W3 [7,9] > 7: E -> 1. W7 [3,9] > 3: A B D E -> 4
                  "F,,S\n");           // no date: as-of 2026-03-31 = H. W3 [29,31]: F -> 1.
                                       //   W7 [25,31] > 24: F -> 1 (all else forgotten)
  ASSERT_EQ(s.measures.size(), 6u);
  const std::vector<double> w3 = {1, 2, 1, 1, 1, 1}, w7 = {1, 2, 3, 3, 4, 1};
  for (std::size_t i = 0; i < w3.size(); ++i) {
    EXPECT_EQ(s.measures[i].value[0], w3[i]) << "W3 record " << i;
    EXPECT_EQ(s.measures[i].value[1], w7[i]) << "W7 record " << i;
  }
}

TEST(AggregateMeasure, ARecordOlderThanTheWindowOfTheLatestDayStillCountsItself) {
  auto rules = MustCompile(R"(rules:
  - {id: C, when: {aggregate: {by: shipper_name, days: 2, count: {eq: 1}}}}
)");
  ASSERT_TRUE(rules);
  auto s = Stream(rules,
                  "record_id,arrival_date,shipper_name\n"
                  "A,2026-03-10,S\n"
                  "B,2026-03-01,S\n"   // H=10: day 1 <= H - 2, yet B is r itself: 1
                  "C,2026-03-01,S\n");  // B is forgotten, C counts itself: 1
  ASSERT_EQ(s.fired.size(), 3u);
  for (const auto& f : s.fired) EXPECT_EQ(f, std::vector<std::string>{"C"});
}

TEST(AggregateMeasure, DistinctCountsListElementsAndSumsAddInStreamOrder) {
  auto rules = MustCompile(R"(rules:
  - {id: D, when: {aggregate: {by: consignee_name, days: 5, distinct: {field: routing, ge: 3}}}}
  - {id: S, when: {aggregate: {by: consignee_name, days: 5, sum: {field: declared_value_usd, gt: 1e16}}}}
  - {id: N, when: {aggregate: {by: consignee_name, days: 5, count: {ne: 2}}}}
)");
  ASSERT_TRUE(rules);
  // 1e16 + 1 rounds back to 1e16 (the spacing of doubles there is 2), so
  // the order of addition decides: 1e16 then 1 then 1 stays 1e16, while
  // 1 then 1 then 1e16 is 1e16 + 2.
  auto s = Stream(rules,
                  "record_id,arrival_date,consignee_name,routing,declared_value_usd\n"
                  "A,2026-03-01,X,CN;HK,1e16\n"
                  "B,2026-03-01,X,HK,1\n"
                  "C,2026-03-02,X,SG,1\n"     // (1e16 + 1) + 1 = 1e16; CN HK SG; 3 records
                  "D,2026-03-01,Y,,1\n"
                  "E,2026-03-01,Y,,1\n"       // 2 records: ne 2 fails
                  "F,2026-03-02,Y,HK,1e16\n"  // (1 + 1) + 1e16 = 1e16 + 2
                  "G,2026-03-02,Y,,\n");      // no value: the sum stays, the count is 4
  ASSERT_EQ(s.measures.size(), 7u);
  EXPECT_EQ(s.measures[2].value[0], 3);
  EXPECT_EQ(s.measures[2].value[1], 1e16);
  EXPECT_EQ(s.measures[5].value[1], 1e16 + 2);
  EXPECT_EQ(s.measures[6].value[1], 1e16 + 2);
  EXPECT_EQ(s.measures[6].value[2], 4);
  EXPECT_EQ(s.measures[5].value[0], 1);
  EXPECT_EQ(s.fired[2], std::vector<std::string>({"D", "N"}));
  EXPECT_EQ(s.fired[4], std::vector<std::string>{});
  EXPECT_EQ(s.fired[5], std::vector<std::string>({"N", "S"}));
  EXPECT_EQ(s.fired[6], std::vector<std::string>({"N", "S"}));
}

TEST(AggregateMeasure, TheMeasureDoesNotDependOnWhichEntriesFireOrTheirStatus) {
  // The draft entry and the entry whose other test fails still see every
  // record of the key: the counting is the stream's, not the entries'.
  auto rules = MustCompile(R"(rules:
  - {id: A, when: {all: [{mode: SEA}, {aggregate: {by: shipper_name, days: 1, count: {ge: 3}}}]}}
  - {id: B, status: draft, when: {aggregate: {by: shipper_name, days: 1, count: {ge: 1}}}}
  - {id: C, when: {not: {aggregate: {by: shipper_name, days: 1, count: {ge: 2}}}}}
  - {id: D, when: {at_least: 1, of: [{mode: RAIL}, {aggregate: {by: shipper_name, days: 1, count: {eq: 2}}}]}}
)");
  ASSERT_TRUE(rules);
  auto s = Stream(rules,
                  "record_id,arrival_date,mode,shipper_name\n"
                  "A,2026-03-01,AIR,S\n"
                  "B,2026-03-01,AIR,S\n"
                  "C,2026-03-01,SEA,S\n");
  ASSERT_EQ(s.fired.size(), 3u);
  EXPECT_EQ(s.fired[0], std::vector<std::string>{"C"});
  EXPECT_EQ(s.fired[1], std::vector<std::string>{"D"});
  EXPECT_EQ(s.fired[2], std::vector<std::string>{"A"});
}

TEST(AggregateMeasure, WithoutAStreamAnAggregateNeverHolds) {
  auto rules = MustCompile(kSplit);
  ASSERT_TRUE(rules);
  Record r = testing::MakeRecord(*rules, {{"arrival_date", "2026-03-01"},
                                          {"mode", "MAIL"},
                                          {"consignee_name", "A"},
                                          {"consignee_address", "B"},
                                          {"declared_value_usd", "900"}});
  Scorer scorer(rules);
  ScoreResult res;
  res.measures.Clear();
  ASSERT_TRUE(scorer.ScoreMeasured(r, &res).ok());  // no measures given
  EXPECT_TRUE(res.fired.empty());
  ASSERT_TRUE(scorer.Score(r, &res).ok());  // a stream of one record: 900 > 800
  EXPECT_EQ(res.fired.size(), 1u);
}

// ---------------------------------------------------------------------------
// State across runs

std::string Csv(const std::string& rows) {
  return "record_id,arrival_date,mode,consignee_name,consignee_address,declared_value_usd\n" + rows;
}

TEST(AggregateState, TwoRunsThroughAStateEqualOneRun) {
  auto rules = MustCompile(kSplit);
  ASSERT_TRUE(rules);
  const std::string a = "A,2026-03-01,MAIL,X,Y,500\nB,2026-03-01,MAIL,Z,Y,100\n";
  const std::string b = "C,2026-03-01,MAIL,X,Y,400\nD,2026-03-02,MAIL,Z,Y,750\n";
  auto one = Stream(rules, Csv(a + b));
  Scorer first(rules, ScoreOptions{*ParseDate("2026-03-31")});
  ScoreResult res;
  auto feed = [&](Scorer& s, const std::string& rows, std::vector<std::vector<std::string>>* out) {
    auto reader = RecordReader::FromString(Csv(rows), "x", InputFormat::kCsv, rules->schema());
    Record r(rules->schema());
    Reject rej;
    while (reader.value()->Read(&r, &rej) == RecordReader::Next::kRecord) {
      ASSERT_TRUE(s.Score(r, &res).ok());
      std::vector<std::string> ids;
      for (auto e : res.fired) ids.push_back(rules->entries()[e].id);
      out->push_back(ids);
    }
  };
  std::vector<std::vector<std::string>> two;
  feed(first, a, &two);
  const std::string bytes = first.stream()->Save();
  Scorer second(rules, ScoreOptions{*ParseDate("2026-03-31")});
  std::vector<std::string> missing;
  ASSERT_TRUE(second.stream()->Load(bytes, "st", &missing).ok());
  EXPECT_TRUE(missing.empty());
  feed(second, b, &two);
  EXPECT_EQ(two, one.fired);
  EXPECT_EQ(two[2], std::vector<std::string>{"UDR-DM-0001"});  // 500 + 400 across the runs
  // The same history writes the same bytes.
  EXPECT_EQ(second.stream()->Save(), [&] {
    Scorer s(rules, ScoreOptions{*ParseDate("2026-03-31")});
    std::vector<std::vector<std::string>> ignored;
    feed(s, a + b, &ignored);
    return s.stream()->Save();
  }());
}

TEST(AggregateState, BadFilesAreRefusedWithAReasonAndChangeNothing) {
  auto rules = MustCompile(kSplit);
  ASSERT_TRUE(rules);
  Scorer s(rules, ScoreOptions{*ParseDate("2026-03-31")});
  ScoreResult res;
  Record r = testing::MakeRecord(*rules, {{"arrival_date", "2026-03-01"},
                                          {"mode", "MAIL"},
                                          {"consignee_name", "A"},
                                          {"consignee_address", "B"},
                                          {"declared_value_usd", "500"}});
  ASSERT_TRUE(s.Score(r, &res).ok());
  const std::string good = s.stream()->Save();
  auto refused = [&](std::string bytes, const std::string& why) {
    StreamState fresh(rules, *ParseDate("2026-03-31"));
    Status st = fresh.Load(bytes, "f.state");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << why;
    EXPECT_NE(st.message().find("f.state: "), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(why), std::string::npos) << st.message();
    EXPECT_EQ(st.message().find('\n'), std::string::npos);
    // Left as it was: a stream that starts from nothing.
    AggregateMeasures m;
    EXPECT_TRUE(fresh.Advance(r, &m).ok());
    EXPECT_EQ(m.value[0], 500);
  };
  refused("", "truncated");
  refused("hello, world\n and more bytes than a header", "not a targeting state file");
  refused(good.substr(0, 10), "truncated");
  refused(good.substr(0, good.size() - 3), "checksum mismatch");
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x20;
  refused(flipped, "checksum mismatch");
  std::string newer = good;
  newer[16] = 9;
  refused(newer, "newer state format (version 9");
  // Every prefix of a good file is refused, none crashes.
  for (std::size_t n = 0; n < good.size(); ++n) {
    StreamState fresh(rules, 0);
    EXPECT_FALSE(fresh.Load(good.substr(0, n), "p").ok()) << n;
  }
  StreamState ok(rules, 0);
  EXPECT_TRUE(ok.Load(good, "g").ok());
}

TEST(AggregateState, AggregatesTheFileDoesNotHoldStartEmptyAndAreNamed) {
  auto old_rules = MustCompile(R"(rules:
  - {id: A, when: {aggregate: {by: shipper_name, days: 2, count: {ge: 2}}}}
)");
  auto new_rules = MustCompile(R"(rules:
  - {id: A, when: {aggregate: {by: shipper_name, days: 2, count: {ge: 2}}}}
  - {id: B, when: {aggregate: {by: shipper_name, days: 3, count: {ge: 2}}}}
)");
  ASSERT_TRUE(old_rules && new_rules);
  StreamState old_stream(old_rules, 0);
  AggregateMeasures m;
  Record r = testing::MakeRecord(*old_rules, {{"arrival_date", "2026-03-01"}, {"shipper_name", "S"}});
  ASSERT_TRUE(old_stream.Advance(r, &m).ok());
  StreamState next(new_rules, 0);
  std::vector<std::string> missing;
  ASSERT_TRUE(next.Load(old_stream.Save(), "s", &missing).ok());
  EXPECT_EQ(missing, std::vector<std::string>{"by [shipper_name] days 3 count"});
  ASSERT_TRUE(next.Advance(r, &m).ok());
  EXPECT_EQ(m.value[0], 2);  // kept
  EXPECT_EQ(m.value[1], 1);  // started empty
}

TEST(AggregateState, SaveFileReplacesTheFileAndLoadFileReportsAMissingOne) {
  namespace fs = std::filesystem;
  auto rules = MustCompile(kSplit);
  ASSERT_TRUE(rules);
  const fs::path dir = fs::temp_directory_path() / ("targeting-state-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "s.state").string();
  StreamState s(rules, 0);
  EXPECT_EQ(s.LoadFile(path).code(), StatusCode::kNotFound);
  { std::ofstream(path) << "old contents"; }
  ASSERT_TRUE(s.SaveFile(path).ok());
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);  // no temporary left behind
  StreamState t(rules, 0);
  EXPECT_TRUE(t.LoadFile(path).ok());
  EXPECT_EQ(StreamState(rules, 0).SaveFile((dir / "no" / "such" / "dir").string()).code(),
            StatusCode::kIoError);
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------
// Hot reload

TEST(AggregateReload, UnchangedDefinitionsKeepTheirHistory) {
  auto v1 = MustCompile(R"(rules:
  - {id: A, weight: 10, when: {aggregate: {by: shipper_name, days: 2, count: {ge: 2}}}}
  - {id: B, weight: 10, when: {aggregate: {by: consignee_name, days: 2, count: {ge: 2}}}}
)");
  auto v2 = MustCompile(R"(rules:
  - {id: A2, weight: 30, when: {aggregate: {by: shipper_name, days: 2, count: {ge: 3}}}}
  - {id: C, weight: 10, when: {aggregate: {by: consignee_name, days: 5, count: {ge: 2}}}}
)");
  ASSERT_TRUE(v1 && v2);
  Engine engine(v1);
  Scorer scorer = engine.NewScorer(ScoreOptions{0});
  ScoreResult res;
  Record r = testing::MakeRecord(*v1, {{"arrival_date", "2026-03-01"},
                                       {"shipper_name", "S"},
                                       {"consignee_name", "X"}});
  ASSERT_TRUE(scorer.Score(r, &res).ok());
  ASSERT_TRUE(scorer.Score(r, &res).ok());
  EXPECT_EQ(res.fired.size(), 2u);
  engine.Swap(v2);
  std::vector<std::string> started_empty;
  ASSERT_TRUE(engine.Refresh(&scorer, &started_empty).ok());
  EXPECT_EQ(&scorer.rules(), v2.get());
  EXPECT_EQ(started_empty, std::vector<std::string>{"by [consignee_name] days 5 count"});
  ASSERT_TRUE(scorer.Score(r, &res).ok());
  // shipper S: 3 records (kept history); consignee X: 1 (started empty).
  EXPECT_EQ(res.measures.value, (std::vector<double>{3, 1}));
  ASSERT_EQ(res.fired.size(), 1u);
  EXPECT_EQ(scorer.rules().entries()[res.fired[0]].id, "A2");
  started_empty.clear();
  EXPECT_TRUE(engine.Refresh(&scorer, &started_empty).ok());  // already current
  EXPECT_TRUE(started_empty.empty());
}

// Entries edited, aggregates not: the history goes on as it is, without
// being carried over key by key, re-pointed at the new set (whose `where`
// nodes have other ids), and the stream keeps no reference to the old set:
// here the only other reference to it goes before the stream continues (ASan
// would see a history left referring to a freed set). The measures are those
// of a stream that was never rebound, over sums in stream order, distinct
// values and late records, and a save says the same bytes.
TEST(AggregateReload, SameDefinitionsKeepTheHistoryAsItIs) {
  for (StreamState::Kind kind : {StreamState::Kind::kIndexed, StreamState::Kind::kReference}) {
    SCOPED_TRACE(kind == StreamState::Kind::kIndexed ? "indexed" : "reference");
  const char* kText = R"(rules:
  - {id: A, when: {aggregate: {by: shipper_name, days: 3, count: {ge: 2}}}}
  - {id: B, when: {aggregate: {by: shipper_name, days: 2, sum: {field: declared_value_usd, gt: 800}}}}
  - {id: C, when: {aggregate: {by: consignee_name, days: 7, where: {mode: MAIL}, distinct: {field: shipper_name, ge: 2}}}}
)";
  const char* kOtherEntries = R"(rules:
  - {id: A, weight: 5, when: {aggregate: {by: shipper_name, days: 3, count: {ge: 4}}}}
  - {id: B, when: {any: [{mode: SEA}, {aggregate: {by: shipper_name, days: 2, sum: {field: declared_value_usd, gt: 900}}}]}}

  - {id: C2, weight: 40, when: {all: [{mode: MAIL}, {aggregate: {by: consignee_name, days: 7, where: {mode: MAIL}, distinct: {field: shipper_name, ge: 3}}}]}}
)";
  std::shared_ptr<const RuleSet> v1 = MustCompile(kText);
  std::shared_ptr<const RuleSet> v2 = MustCompile(kOtherEntries);
  std::shared_ptr<const RuleSet> v3 = MustCompile(kText);
  ASSERT_TRUE(v1 && v2 && v3);
  ASSERT_EQ(v1->aggregate_count(), 3u);
  ASSERT_EQ(v2->aggregate_count(), 3u);
  const char* kDays[] = {"2026-03-01", "2026-03-01", "2026-03-02", "2026-02-28", "2026-03-03", "2026-03-05", "2026-03-04"};
  const char* kShippers[] = {"S1", "S2", "S1"};
  const char* kModes[] = {"MAIL", "EXPRESS"};
  auto record = [&](const RuleSet& rules, int i) {
    return testing::MakeRecord(rules, {{"arrival_date", kDays[i % 7]},
                                       {"mode", kModes[i % 2]},
                                       {"shipper_name", kShippers[i % 3]},
                                       {"consignee_name", i % 5 == 0 ? "Y" : "X"},
                                       {"declared_value_usd", std::to_string(100.1 * (i % 9) + 0.3)}});
  };
  StreamState never(MustCompile(kText), 0, kind);  // its own compile: v1 is the rebound stream's alone
  auto rebound = std::make_unique<StreamState>(v1, 0, kind);
  std::weak_ptr<const RuleSet> w1 = v1, w2 = v2;
  AggregateMeasures a, b;
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(never.Advance(record(never.rules(), i), &a).ok());
    ASSERT_TRUE(rebound->Advance(record(rebound->rules(), i), &b).ok());
    ASSERT_EQ(a.value, b.value) << i;
    if (i == 12 || i == 25) {
      std::vector<std::string> started_empty;
      ASSERT_TRUE(rebound->Rebind(i == 12 ? v2 : v3, &started_empty).ok());
      EXPECT_TRUE(started_empty.empty());
      if (i == 12) {
        v1.reset();
        EXPECT_TRUE(w1.expired()) << "the stream still holds the set it was rebound from";
      }
      if (i == 25) {
        v2.reset();
        EXPECT_TRUE(w2.expired());
      }
    }
  }
  EXPECT_EQ(&rebound->rules(), v3.get());
  EXPECT_EQ(rebound->Save(), never.Save());
  EXPECT_EQ(rebound->stats().keys, never.stats().keys);
  }
}

// ---------------------------------------------------------------------------
// Inline tests and explain

TEST(AggregateInlineTests, SequencesAreStreamsOfTheirOwnAndFailuresNameThePosition) {
  auto rules = MustCompile(std::string(kSplit) + R"(    tests:
      fires:
        - sequence:
          - {arrival_date: 2026-03-01, mode: EXPRESS, consignee_name: A, consignee_address: B, declared_value_usd: 500}
          - {arrival_date: 2026-03-01, mode: MAIL, consignee_name: A, consignee_address: B, declared_value_usd: 400}
        - sequence:
          - {mode: MAIL, consignee_name: A, consignee_address: B, declared_value_usd: 500}
          - {mode: MAIL, consignee_name: A, consignee_address: B, declared_value_usd: 400}
        - sequence:
          - {arrival_date: 2026-03-01, mode: MAIL, consignee_name: A, consignee_address: B, declared_value_usd: 500}
          - {arrival_date: 2026-03-02, mode: MAIL, consignee_name: A, consignee_address: B, declared_value_usd: 400}
      not_fires:
        - {arrival_date: 2026-03-01, mode: MAIL, consignee_name: A, consignee_address: B, declared_value_usd: 500}
        - {arrival_date: 2026-03-01, mode: MAIL, consignee_name: A, consignee_address: B, declared_value_usd: 900}
)");
  ASSERT_TRUE(rules);
  TestReport report = RunInlineTests(*rules, *ParseDate("2026-03-05"));
  EXPECT_EQ(report.run, 5u);
  ASSERT_EQ(report.failures.size(), 2u);
  EXPECT_EQ(report.failures[0].ToString(),
            "test.yaml:21:11: test failed: [UDR-DM-0001] fires[3] (a sequence; record 2 of 2, "
            "the last) did not fire");
  EXPECT_EQ(report.failures[1].ToString(),
            "test.yaml:26:11: test failed: [UDR-DM-0001] not_fires[2] fired");
}

TEST(AggregateExplain, ShowsTheKeyTheMeasureAndTheTest) {
  auto rules = MustCompile(kSplit);
  ASSERT_TRUE(rules);
  Scorer scorer(rules, ScoreOptions{0});
  ScoreResult res;
  auto rec = [&](const char* value) {
    return testing::MakeRecord(*rules, {{"arrival_date", "2026-03-01"},
                                        {"mode", "MAIL"},
                                        {"consignee_name", "Ann Lee"},
                                        {"consignee_address", "1 MAIN ST"},
                                        {"declared_value_usd", value}});
  };
  ASSERT_TRUE(scorer.Score(rec("500"), &res).ok());
  Record second = rec("450");
  ASSERT_TRUE(scorer.Score(second, &res).ok());
  Explanation ex = Explain(*rules, second, 0, 0, &res.measures);
  EXPECT_TRUE(ex.fires);
  const ExplainNode* agg = nullptr;
  for (const ExplainNode& n : ex.nodes) {
    if (n.aggregate) agg = &n;
  }
  ASSERT_NE(agg, nullptr);
  EXPECT_EQ(agg->key, (std::vector<std::string>{"ANN LEE", "1 MAIN ST"}));
  EXPECT_TRUE(agg->measured);
  EXPECT_EQ(agg->measure, 950);
  EXPECT_EQ(agg->test, "sum declared_value_usd gt 800");
  const std::string text = FormatExplanation(*rules, ex);
  EXPECT_NE(text.find("<- key [\"ANN LEE\", \"1 MAIN ST\"], measure 950, test sum declared_value_usd gt 800"),
            std::string::npos)
      << text;
  std::string json;
  AppendExplanationJson(*rules, ex, &json);
  EXPECT_NE(json.find("\"aggregate\":{\"key\":[\"ANN LEE\",\"1 MAIN ST\"],\"value\":950,"
                      "\"test\":\"sum declared_value_usd gt 800\"}"),
            std::string::npos)
      << json;
  // Without measures the leaf says so and does not hold.
  Explanation bare = Explain(*rules, second, 0, 0);
  EXPECT_FALSE(bare.fires);
}

}  // namespace
}  // namespace targeting

namespace targeting::fuzz {
std::string RunState(std::string_view input);
const char* StateFuzzRules();
}  // namespace targeting::fuzz

namespace targeting {
namespace {

// The seeds of the state fuzz target reach past the checksum: a real state
// of its rule set loads, and one of another rule set loads with every
// aggregate missing.
TEST(AggregateState, FuzzSeedsAreRealStateFiles) {
  auto rules = CompileString(fuzz::StateFuzzRules()).rule_set;
  ASSERT_TRUE(rules);
  for (const char* name : {"history", "one_record", "other_rules"}) {
    const std::string bytes =
        testing::Slurp(std::string(TARGETING_SOURCE_DIR) + "/tests/fuzz/corpus/state/" + name + ".state");
    ASSERT_GT(bytes.size(), 1u) << name;
    StreamState s(rules, 0);
    std::vector<std::string> missing;
    EXPECT_TRUE(s.Load(bytes.substr(1), name, &missing).ok()) << name;
    EXPECT_EQ(missing.size(), std::string(name) == "other_rules" ? 3u : 0u) << name;
    EXPECT_EQ(fuzz::RunState(bytes), "") << name;
  }
}

}  // namespace
}  // namespace targeting

namespace targeting {
namespace {

TEST(AggregateCompile, AnEntryOfAggregatesAloneIsVerifiedOnEveryRecordAndCheckSaysWhy) {
  CompileResult r = CompileString(R"(rules:
  - {id: A, when: {aggregate: {by: shipper_name, days: 1, count: {ge: 2}}}}
  - {id: B, when: {all: [{mode: SEA}, {aggregate: {by: shipper_name, days: 1, count: {ge: 2}}}]}}
)", "test.yaml");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.warning_count(), 1u);
  EXPECT_NE(r.issues[0].ToString().find("[A] nothing in this entry's condition can be indexed "
                                        "(only negations, exists, effective or aggregates)"),
            std::string::npos)
      << r.issues[0].ToString();
  EXPECT_TRUE(r.rule_set->entries()[0].always_verify);
  EXPECT_FALSE(r.rule_set->entries()[1].always_verify);  // anchored on its mode test
}

}  // namespace
}  // namespace targeting
