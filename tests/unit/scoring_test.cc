// Scoring semantics of SPEC sections 3 and 5: statuses, weights, lanes,
// scope, effective with as-of, and the sampling formula. Expected values are
// written from the spec (sampling values from an independent Python
// implementation of the formula, quoted in the comments).
#include <gtest/gtest.h>

#include "plan/fingerprint.h"
#include "test_util.h"

namespace targeting {
namespace {

using testing::MakeRecord;
using testing::MustCompile;

TEST(Sampling, KnownVectors) {
  // Published FNV-1a 64 test vectors and splitmix64's first output from seed 0.
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(SplitMix64(0), 0xe220a8397b1dcdafULL);
  // splitmix64(fnv1a64("fy2027:B123")) = 0xcd79a0b51605acf6 -> u = 0.802637142382102
  EXPECT_EQ(SplitMix64(Fnv1a64("fy2027:B123")), 0xcd79a0b51605acf6ULL);
  EXPECT_FALSE(IsSampled(0.8026, "fy2027", "B123"));
  EXPECT_TRUE(IsSampled(0.8027, "fy2027", "B123"));
  // Empty salt still has the colon: ":B1" -> u = 0.5213837548121185
  EXPECT_TRUE(IsSampled(0.5214, "", "B1"));
  EXPECT_FALSE(IsSampled(0.5213, "", "B1"));
  EXPECT_FALSE(IsSampled(0, "", "B1"));  // rate 0 = off
  EXPECT_TRUE(IsSampled(1, "x", "anything"));
  int n = 0;
  for (int i = 0; i < 10000; ++i) n += IsSampled(0.1, "s", "R" + std::to_string(i));
  EXPECT_EQ(n, 979);  // the same count the Python implementation gives
}

const char* kPack = R"(
lanes: {red: 60, yellow: 30}
sampling: {rate: 1, salt: x}
rules:
  - {id: B-active, weight: 40, when: {mode: SEA}}
  - {id: A-query, kind: query, version: 7, weight: 25.5, when: {mode: SEA}}
  - {id: C-shadow, status: shadow, weight: 100, when: {mode: SEA}}
  - {id: D-draft, status: draft, weight: 100, when: {mode: SEA}}
  - {id: E-retired, status: retired, weight: 100, when: {nonsense_field: 1}}
  - {id: F-air, weight: 5, when: {mode: AIR}}
)";

TEST(Scoring, StatusesWeightsLanes) {
  auto rules = MustCompile(kPack);
  ASSERT_TRUE(rules);
  // Retired entries are parsed and ignored (even with a bad field); draft is compiled.
  EXPECT_EQ(rules->FindEntry("E-retired"), -1);
  EXPECT_GE(rules->FindEntry("D-draft"), 0);
  Scorer scorer(rules);
  ScoreResult res;
  Record sea = MakeRecord(*rules, {{"mode", "SEA"}, {"record_id", "B123"}});
  ASSERT_TRUE(scorer.Score(sea, &res).ok());
  std::string json;
  AppendScoreJson(*rules, sea.record_id(), res, &json);
  EXPECT_EQ(json,
            "{\"record_id\":\"B123\",\"score\":65.5,\"lane\":\"red\",\"sampled\":true,\"fired\":["
            "{\"id\":\"A-query\",\"kind\":\"query\",\"version\":7,\"status\":\"active\",\"weight\":25.5},"
            "{\"id\":\"B-active\",\"kind\":\"rule\",\"version\":1,\"status\":\"active\",\"weight\":40},"
            "{\"id\":\"C-shadow\",\"kind\":\"rule\",\"version\":1,\"status\":\"shadow\",\"weight\":100}]}");
  Record air = MakeRecord(*rules, {{"mode", "AIR"}});
  ASSERT_TRUE(scorer.Score(air, &res).ok());
  EXPECT_EQ(res.score, 5);
  EXPECT_EQ(res.lane, Lane::kGreen);
}

TEST(Scoring, LaneBoundaries) {
  auto rules = MustCompile(R"(
lanes: {red: 60, yellow: 30}
rules:
  - {id: W30, weight: 30, when: {mode: SEA}}
  - {id: W30b, weight: 30, when: {routing: HK}}
)");
  ASSERT_TRUE(rules);
  Scorer scorer(rules);
  ScoreResult res;
  ASSERT_TRUE(scorer.Score(MakeRecord(*rules, {{"mode", "SEA"}}), &res).ok());
  EXPECT_EQ(res.lane, Lane::kYellow);  // score >= yellow
  ASSERT_TRUE(scorer.Score(MakeRecord(*rules, {{"mode", "SEA"}, {"routing", "HK"}}), &res).ok());
  EXPECT_EQ(res.lane, Lane::kRed);  // score >= red
  ASSERT_TRUE(scorer.Score(MakeRecord(*rules, {}), &res).ok());
  EXPECT_EQ(res.lane, Lane::kGreen);
  EXPECT_FALSE(res.sampled);  // sampling off by default
}

TEST(Scoring, ScopeAndEffective) {
  auto rules = MustCompile(R"(
rules:
  - id: S
    scope: {ports: ["2704", "4601"], modes: [SEA, EXPRESS]}
    effective: {from: 2026-01-01, until: 2026-12-31}
    when: {hts_code: {prefix: "9507"}}
)");
  ASSERT_TRUE(rules);
  const Days in_window = *ParseDate("2026-06-01");
  const Days before = *ParseDate("2025-12-31");
  auto fired = [&](testing::Fields f, Days as_of) {
    return !testing::Fired(rules, MakeRecord(*rules, std::move(f)), as_of).empty();
  };
  testing::Fields base = {{"hts_code", "9507.30"}, {"port_of_entry", "2704"}, {"mode", "sea"},
                          {"arrival_date", "2026-03-01"}};
  EXPECT_TRUE(fired(base, before));  // the record's own date is in the window
  auto with = [&](const std::string& k, const std::string& v) {
    testing::Fields f = base;
    for (auto& [fk, fv] : f) {
      if (fk == k) fv = v;
    }
    return f;
  };
  EXPECT_FALSE(fired(with("port_of_entry", "1001"), in_window));
  EXPECT_FALSE(fired(with("mode", "AIR"), in_window));
  EXPECT_FALSE(fired(with("arrival_date", "2027-01-01"), in_window));
  EXPECT_TRUE(fired(with("arrival_date", "2026-12-31"), before));  // inclusive
  // A missing date is compared with the as-of date instead.
  EXPECT_TRUE(fired(with("arrival_date", ""), in_window));
  EXPECT_FALSE(fired(with("arrival_date", ""), before));
  // A missing port fails scope (in is false on a missing field).
  EXPECT_FALSE(fired(with("port_of_entry", ""), in_window));
}

TEST(Fingerprint, NormalizedContent) {
  auto a = MustCompile("rules: [{id: X, weight: 10, when: {hts_code: {prefix: '4202.21'}}}]");
  auto b = MustCompile("# a comment\nrules:\n  - id: X\n    weight: 10.0\n    when:\n      hts_code: {prefix: ['420221']}\n");
  auto c = MustCompile("rules: [{id: X, weight: 11, when: {hts_code: {prefix: '4202.21'}}}]");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->fingerprint(), b->fingerprint());
  EXPECT_NE(a->fingerprint(), c->fingerprint());
  EXPECT_EQ(a->fingerprint().rfind("sha256:", 0), 0u);
  EXPECT_EQ(a->fingerprint().size(), 7u + 64u);
}

// The fingerprint is hashed while the canonical text is written, in pieces
// of 64 KiB, and canonical() writes the text again: a set whose text is
// several pieces long has the fingerprint of the text canonical() returns.
TEST(Fingerprint, IsTheHashOfTheCanonicalText) {
  std::string yaml = "rules:\n";
  for (int i = 0; i < 2000; ++i) {
    yaml += "  - {id: R" + std::to_string(i) + ", name: 'rule number " + std::to_string(i) +
            "', weight: " + std::to_string(i % 50) + ", when: {importer_id: {in: ['" +
            std::to_string(10000 + i) + "', '" + std::to_string(20000 + i) + "']}}}\n";
  }
  auto a = MustCompile(yaml);
  ASSERT_TRUE(a);
  const std::string text = a->canonical();
  EXPECT_GT(text.size(), 3u * 64 * 1024);
  EXPECT_NE(text.find("id=5:R1999;"), std::string::npos);
  EXPECT_EQ(a->fingerprint(), "sha256:" + internal::Sha256Hex(text));
}

// A compiled set keeps no predicate's canonical key but an aggregate's
// (RuleSetData::DropPredicateKeys); canonical() writes them again from the
// predicates. It must write what the fingerprint hashed while compiling, for
// every kind of operand, and a set differing in one operand must differ.
TEST(Fingerprint, CanonicalTextIsRebuiltForEveryOperator) {
  const std::string yaml = R"(rules:
  - id: A
    weight: 10
    effective: {from: 2026-01-01, until: 2026-06-30}
    when:
      all:
        - {importer_id: {in: ['1', '2', '3']}}
        - {hts_code: {prefix: ['6110', '4202']}}
        - {description: {contains: 'replica'}}
        - {description: {contains_any: ['gift', 'sample']}}
        - {description: {regex: '^\d{3}[A-Z]'}}
        - {declared_value_usd: {between: [10, 799.5]}}
        - {gross_weight_kg: {ge: 0.25}}
        - {arrival_date: {lt: 2026-03-01}}
        - {shipper_name: {similar: {to: ['ACME TRADING CO'], min: 0.9}}}
        - {consignee_name: {exists: true}}
        - aggregate:
            by: [consignee_name]
            days: 1
            where: {mode: [EXPRESS, MAIL]}
            sum: {field: declared_value_usd, gt: 800}
  - id: B
    weight: 5
    when: {not: {country_of_origin: {eq: CN}}}
)";
  auto a = MustCompile(yaml);
  ASSERT_TRUE(a);
  const std::string text = a->canonical();
  EXPECT_EQ(a->fingerprint(), "sha256:" + internal::Sha256Hex(text));
  for (const char* piece : {"in|1:11:21:3", "prefix|4:42024:6110", "between|10;799.5;",
                            "arrival_date|lt|20513;", "aggregate|", "similar|",
                            "effective|2026-01-01|2026-06-30"}) {
    EXPECT_NE(text.find(piece), std::string::npos) << piece << " in\n" << text;
  }
  std::string other = yaml;
  other.replace(other.find("799.5"), 5, "799.6");
  auto b = MustCompile(other);
  ASSERT_TRUE(b);
  EXPECT_NE(a->fingerprint(), b->fingerprint());
  EXPECT_EQ(b->fingerprint(), "sha256:" + internal::Sha256Hex(b->canonical()));
}

TEST(Scoring, RecordsOutliveAReload) {
  // Two rule sets compiled separately with the same schema: a record built for
  // one scores on the other, as it must after a hot reload.
  auto a = MustCompile("rules: [{id: X, weight: 1, when: {mode: SEA}}]");
  auto b = MustCompile("rules: [{id: Y, weight: 2, when: {mode: SEA}}]");
  ASSERT_TRUE(a && b);
  Record r = MakeRecord(*a, {{"mode", "SEA"}});
  Scorer scorer(b);
  ScoreResult res;
  ASSERT_TRUE(scorer.Score(r, &res).ok());
  EXPECT_EQ(res.score, 2);
}

TEST(Scoring, SchemaMismatchIsAnError) {
  auto a = MustCompile("rules: [{id: X, when: {mode: SEA}}]");
  ASSERT_TRUE(a);
  auto schema = Schema::Build({FieldDef{"record_id"}}, "record_id", "", "", "");
  ASSERT_TRUE(schema.ok());
  Record other(schema.value());
  Scorer scorer(a);
  ScoreResult res;
  EXPECT_FALSE(scorer.Score(other, &res).ok());
  EXPECT_TRUE(res.fired.empty());
}

}  // namespace
}  // namespace targeting
