// Outcomes, statistics and the backtest (SPEC section 6). Every expected
// number is worked out by hand in the comments (Wilson bounds with the
// formula of section 6 at z = 1.959963984540054, values quoted from Python),
// never taken from the code under test.
#include <gtest/gtest.h>

#include <cmath>

#include "targeting/measure.h"
#include "test_util.h"

namespace targeting {
namespace {

using testing::Fields;
using testing::MakeRecord;
using testing::MustCompile;

constexpr double kTol = 1e-12;
constexpr double kZ95 = 1.959963984540054;  // Phi^-1(0.975)

// The section 6 formula, written out again here.
std::pair<double, double> Wilson(double d, double n, double z) {
  const double p = d / n;
  const double c = p + z * z / (2 * n);
  const double h = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n));
  return {(c - h) / (1 + z * z / n), (c + h) / (1 + z * z / n)};
}

// ---------------------------------------------------------------------------
// Statistics

TEST(NormalQuantile, MatchesHighPrecisionValues) {
  // Reference values from mpmath at 30 digits: sqrt(2) * erfinv(2p - 1).
  EXPECT_NEAR(NormalQuantile(0.975), 1.9599639845400542355, 1e-14);
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-15);
  EXPECT_NEAR(NormalQuantile(0.995), 2.575829303548900761, 1e-14);
  EXPECT_NEAR(NormalQuantile(0.9), 1.281551565544600467, 1e-14);
  EXPECT_NEAR(NormalQuantile(0.001), -3.0902323061678135415, 1e-13);
  EXPECT_NEAR(NormalQuantile(0.02425), -1.9729610513118848503, 1e-14);  // region boundary
  EXPECT_NEAR(NormalQuantile(0.97575), 1.9729610513118848503, 1e-14);
  EXPECT_NEAR(NormalQuantile(1e-10), -6.3613409024040562047, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.999999), 4.7534243088228989482, 1e-9);
  EXPECT_TRUE(std::isnan(NormalQuantile(0)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1)));
}

TEST(Wilson, EightOfTenAt95) {
  // d=8, n=10, z=1.959963984540054: p=0.8, z^2=3.841458820694124,
  // center = 0.8 + 0.19207294103470620 = 0.9920729410347062,
  // half = z*sqrt(0.016 + 0.009603647051735310) = 0.2506302735...,
  // denom = 1.3841458820694124 -> [0.4901624715366418, 0.9433178485456247].
  Interval w = WilsonInterval(8, 10, 0.95);
  EXPECT_NEAR(w.low, 0.4901624715366418, kTol);
  EXPECT_NEAR(w.high, 0.9433178485456247, kTol);
}

TEST(Wilson, EdgesAreExact) {
  Interval none = WilsonInterval(0, 10, 0.95);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.2775327998628892, kTol);
  Interval all = WilsonInterval(2, 2, 0.95);
  EXPECT_NEAR(all.low, 0.3423802275066531, kTol);
  EXPECT_EQ(all.high, 1.0);
}

TEST(Wilson, OtherConfidence) {
  // 90%: z = Phi^-1(0.95) = 1.6448536269514722.
  auto [lo, hi] = Wilson(3, 7, 1.6448536269514722);
  Interval w = WilsonInterval(3, 7, 0.90);
  EXPECT_NEAR(w.low, lo, kTol);
  EXPECT_NEAR(w.high, hi, kTol);
}

// ---------------------------------------------------------------------------
// Outcomes

OutcomeCells Cells(std::string_view id, std::string_view examined, std::string_view finding = "",
                   std::string_view action = "", std::string_view msrp = "",
                   std::string_view by = "") {
  return OutcomeCells{id, examined, finding, action, msrp, by};
}

TEST(Outcomes, ValidRowsAndTheirValues) {
  Outcomes::Builder b;
  b.AddRow(2, Cells("A", "true", "discrepant", "seizure", "1250.5", "tip"));
  b.AddRow(3, Cells("B", " FALSE ", "", "", "", "rule"));  // case and spaces are forgiven
  b.AddRow(4, Cells("C", "true", "no_discrepancy", "none"));
  b.AddRow(5, Cells("D", "false", "", "none"));
  Outcomes o = b.Build();
  EXPECT_EQ(o.rows(), 4u);
  EXPECT_TRUE(o.bad_rows().empty());
  ASSERT_NE(o.Find("A"), nullptr);
  EXPECT_TRUE(o.Find("A")->discrepant());
  EXPECT_EQ(o.Find("A")->action, OutcomeAction::kSeizure);
  EXPECT_EQ(*o.Find("A")->msrp_usd, 1250.5);
  EXPECT_EQ(o.Find("A")->identified_by, IdentifiedBy::kTip);
  EXPECT_FALSE(o.Find("B")->examined);
  EXPECT_EQ(o.Find("B")->identified_by, IdentifiedBy::kRule);
  EXPECT_FALSE(o.Find("C")->discrepant());
  EXPECT_FALSE(o.Find("C")->msrp_usd.has_value());
  EXPECT_EQ(o.Find("C")->identified_by, IdentifiedBy::kUnknown);
  EXPECT_EQ(o.Find("Z"), nullptr);
}

TEST(Outcomes, BadRowsKeepLineAndReason) {
  Outcomes::Builder b;
  b.AddRow(2, Cells("A", "maybe"));
  b.AddRow(3, Cells("B", "true"));                               // examined without a finding
  b.AddRow(4, Cells("C", "false", "discrepant"));                // finding without an exam
  b.AddRow(5, Cells("D", "true", "found_it"));                   // not a finding
  b.AddRow(6, Cells("E", "true", "discrepant", "burned"));       // not an action
  b.AddRow(7, Cells("F", "false", "", "seizure"));               // seizure without an exam
  b.AddRow(8, Cells("G", "true", "discrepant", "", "12,000"));   // not a number
  b.AddRow(9, Cells("H", "true", "discrepant", "", "-5"));       // negative value
  b.AddRow(10, Cells("I", "true", "discrepant", "", "", "dog"));  // not an identified_by
  b.AddRow(11, Cells("", "true", "discrepant"));                 // no record_id
  b.AddRow(12, Cells("J", ""));                                   // examined empty
  b.AddBadRow(13, "K", "row has 3 fields; the header has 6");    // from the tokenizer
  b.AddRow(14, Cells("L", "true", "discrepant"));                 // the one good row
  Outcomes o = b.Build();
  EXPECT_EQ(o.rows(), 13u);
  ASSERT_EQ(o.bad_rows().size(), 12u);
  EXPECT_EQ(o.size(), 1u);
  const auto& bad = o.bad_rows();
  for (std::size_t i = 0; i < bad.size(); ++i) EXPECT_EQ(bad[i].line, i + 2);
  EXPECT_EQ(bad[0].record_id, "A");
  EXPECT_EQ(bad[0].reason, "examined must be true or false, not 'maybe'");
  EXPECT_NE(bad[1].reason.find("finding is empty"), std::string::npos);
  EXPECT_NE(bad[2].reason.find("examined is false"), std::string::npos);
  EXPECT_NE(bad[3].reason.find("'found_it'"), std::string::npos);
  EXPECT_NE(bad[4].reason.find("'burned'"), std::string::npos);
  EXPECT_NE(bad[5].reason.find("examined is false"), std::string::npos);
  EXPECT_EQ(bad[6].reason, "msrp_usd is not a number: '12,000'");
  EXPECT_NE(bad[7].reason.find("negative"), std::string::npos);
  EXPECT_NE(bad[8].reason.find("'dog'"), std::string::npos);
  EXPECT_EQ(bad[9].reason, "record_id is empty");
  EXPECT_EQ(bad[10].reason, "examined is empty (true or false)");
  EXPECT_EQ(bad[11].record_id, "K");
}

TEST(Outcomes, LastValidRowHoldsAndDuplicatesAreCounted) {
  Outcomes::Builder b;
  b.AddRow(2, Cells("A", "true", "discrepant"));
  b.AddRow(3, Cells("B", "false"));
  b.AddRow(4, Cells("A", "true", "no_discrepancy"));
  b.AddRow(5, Cells("A", "false"));
  b.AddRow(6, Cells("B", "bogus"));  // bad: does not override B's valid row
  Outcomes o = b.Build();
  EXPECT_EQ(o.rows(), 5u);
  EXPECT_EQ(o.duplicates(), 2u);  // A has three valid rows: two extra
  EXPECT_EQ(o.bad_rows().size(), 1u);
  EXPECT_EQ(o.size(), 2u);
  EXPECT_FALSE(o.Find("A")->examined);  // the last one
  EXPECT_FALSE(o.Find("B")->examined);
}

TEST(Outcomes, IdsAreNormalizedLikeTheSchemaSays) {
  Outcomes::Builder b(FieldType::kCode);
  b.AddRow(2, Cells("ab-12", "true", "discrepant"));
  Outcomes o = b.Build();
  EXPECT_NE(o.Find("AB12"), nullptr);
}

// ---------------------------------------------------------------------------
// Backtest on a small hand-built case.

const char* kRules = R"(
priorities: [health, ipr, unused]
promotion: {min_examined: 3, min_discrepancy_rate: 0.21, confidence: 0.95, min_ports: 2, min_new_discrepant: 1}
rules:
  - {id: D1, status: draft, when: {mode: SEA}}
  - {id: Q1, kind: query, weight: 10, priority: [health], when: {description: {contains: pill}}}
  - {id: Q2, kind: query, when: {mode: AIR}}
  - {id: R1, weight: 40, priority: [ipr], when: {hts_code: {prefix: "4202"}}}
  - {id: R2, status: shadow, priority: [ipr], when: {country_of_origin: CN}}
  - {id: X1, status: retired, when: {mode: AIR}}
)";

struct Case {
  std::shared_ptr<const RuleSet> rules;
  std::unique_ptr<Backtest> backtest;
  BacktestReport report;
};

// Records (fired entries in id order; s = sampled, set by hand):
//   A1 4202 CN pills AIR 2704 -> Q1 Q2 R1 R2   s
//   A2 4202 US bags  SEA 2704 -> R1            s
//   A3 9999 CN pills SEA 4601 -> Q1 R2
//   A4 9999 US pills AIR 4601 -> Q1 Q2         s
//   A5 9999 US toys  SEA 2704 -> (none)        s
//   A6 9999 US toys  AIR 3001 -> Q2
//   A4 9999 US pills SEA 5201 -> Q1            (a second record with id A4)
//   A8 4202 US pills AIR 5201 -> Q1 Q2 R1
// Outcomes (after the last-row-holds rule):
//   A1 discrepant, seizure, msrp 1000, rule     A2 no_discrepancy (an earlier row said discrepant)
//   A3 discrepant, referral, query              A4 discrepant, seizure, msrp 500, tip
//   A5 discrepant, identified_by empty          A6 not examined
//   A8 no_discrepancy                           Z9 discrepant: no such record (unmatched)
//   and one bad row.
Case BuildCase(BacktestOptions options = {}) {
  Case c;
  c.rules = MustCompile(kRules);
  Outcomes::Builder b;
  b.AddRow(2, Cells("A2", "true", "discrepant"));
  b.AddRow(3, Cells("A1", "true", "discrepant", "seizure", "1000", "rule"));
  b.AddRow(4, Cells("A2", "true", "no_discrepancy", "none"));
  b.AddRow(5, Cells("A3", "true", "discrepant", "referral", "", "query"));
  b.AddRow(6, Cells("A4", "true", "discrepant", "seizure", "500", "tip"));
  b.AddRow(7, Cells("A5", "true", "discrepant", "none", "", ""));
  b.AddRow(8, Cells("A6", "false"));
  b.AddRow(9, Cells("A8", "true", "no_discrepancy"));
  b.AddRow(10, Cells("Z9", "true", "discrepant"));
  b.AddRow(11, Cells("A7", "yes"));
  auto outcomes = std::make_shared<const Outcomes>(b.Build());
  c.backtest = std::make_unique<Backtest>(c.rules, outcomes, options);
  struct R {
    const char* id;
    const char* hts;
    const char* origin;
    const char* desc;
    const char* mode;
    const char* port;
    bool sampled;
  };
  const R records[] = {
      {"A1", "4202.21.6000", "CN", "pills", "AIR", "2704", true},
      {"A2", "4202.22", "US", "bags", "SEA", "2704", true},
      {"A3", "9999", "CN", "PILLS", "SEA", "4601", false},
      {"A4", "9999", "US", "pills", "AIR", "4601", true},
      {"A5", "9999", "US", "toys", "SEA", "2704", true},
      {"A6", "9999", "US", "toys", "AIR", "3001", false},
      {"A4", "9999", "US", "pills", "SEA", "5201", false},
      {"A8", "4202", "US", "pills", "AIR", "5201", false},
  };
  Scorer scorer(c.rules, ScoreOptions{20000});
  ScoreResult result;
  for (const R& r : records) {
    Record rec = MakeRecord(*c.rules, Fields{{"record_id", r.id},
                                             {"hts_code", r.hts},
                                             {"country_of_origin", r.origin},
                                             {"description", r.desc},
                                             {"mode", r.mode},
                                             {"port_of_entry", r.port},
                                             {"arrival_date", "2026-03-01"}});
    EXPECT_TRUE(scorer.Score(rec, &result).ok());
    result.sampled = r.sampled;  // the sampling hash is tested elsewhere
    c.backtest->Add(rec, result);
  }
  c.backtest->AddRejected(2);
  c.report = c.backtest->Report();
  return c;
}

TEST(Backtest, TopLevelCounts) {
  Case c = BuildCase();
  const BacktestReport& r = c.report;
  EXPECT_EQ(r.fingerprint, c.rules->fingerprint());
  EXPECT_EQ(r.records, 8u);
  EXPECT_EQ(r.rejected, 2u);
  EXPECT_EQ(r.outcomes.rows, 10u);
  EXPECT_EQ(r.outcomes.bad, 1u);         // A7 "yes"
  EXPECT_EQ(r.outcomes.duplicates, 1u);  // A2's first row
  EXPECT_EQ(r.outcomes.unmatched, 1u);   // Z9
  EXPECT_EQ(c.backtest->UnmatchedIds(10), std::vector<std::string>{"Z9"});
  // Examined records: A1 A2 A3 A4 A5 A4' A8 (A6 not) = 7; discrepant: A1 A3 A4 A5 A4' = 5.
  EXPECT_EQ(r.examined, 7u);
  EXPECT_EQ(r.discrepant, 5u);
  // Sampled: A1 A2 A4 A5, all examined, of which A1 A4 A5 discrepant: 3/4.
  EXPECT_EQ(r.sampled, 4u);
  ASSERT_TRUE(r.base_rate.has_value());
  EXPECT_DOUBLE_EQ(*r.base_rate, 0.75);
  // A1: active rule R1 -> rule. A3 (R2 is shadow; Q1), A4, A4' -> query_only. A5 -> missed.
  EXPECT_EQ(r.discrepant_by.rule, 1u);
  EXPECT_EQ(r.discrepant_by.query_only, 3u);
  EXPECT_EQ(r.discrepant_by.missed, 1u);
  // identified_by of discrepant records: A1 rule, A3 query, A4 and A4' tip, A5 unknown.
  EXPECT_EQ(r.identified_by[static_cast<int>(IdentifiedBy::kRule)], 1u);
  EXPECT_EQ(r.identified_by[static_cast<int>(IdentifiedBy::kQuery)], 1u);
  EXPECT_EQ(r.identified_by[static_cast<int>(IdentifiedBy::kObservation)], 0u);
  EXPECT_EQ(r.identified_by[static_cast<int>(IdentifiedBy::kTip)], 2u);
  EXPECT_EQ(r.identified_by[static_cast<int>(IdentifiedBy::kRandom)], 0u);
  EXPECT_EQ(r.identified_by[static_cast<int>(IdentifiedBy::kUnknown)], 1u);
}

TEST(Backtest, EntriesAreActiveAndShadowOnlyById) {
  Case c = BuildCase();
  std::vector<std::string> ids;
  for (const EntryMetrics& m : c.report.entries) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"Q1", "Q2", "R1", "R2"}));  // no draft, no retired
}

TEST(Backtest, QueryThatIsACandidate) {
  Case c = BuildCase();
  const EntryMetrics* m = c.report.Find("Q1");
  ASSERT_NE(m, nullptr);
  // Q1 fired on A1 A3 A4 A4' A8: 5 of 8 records.
  EXPECT_EQ(m->kind, EntryKind::kQuery);
  EXPECT_EQ(m->status, EntryStatus::kActive);
  EXPECT_EQ(m->fired, 5u);
  EXPECT_DOUBLE_EQ(m->hit_rate, 0.625);
  EXPECT_EQ(m->examined, 5u);
  EXPECT_EQ(m->discrepant, 4u);  // A1 A3 A4 A4'
  EXPECT_DOUBLE_EQ(*m->discrepancy_rate, 0.8);
  // Wilson(4, 5): [0.37553462976252533, 0.9637758913675698].
  EXPECT_NEAR(*m->ci_low, 0.37553462976252533, kTol);
  EXPECT_NEAR(*m->ci_high, 0.9637758913675698, kTol);
  EXPECT_NEAR(*m->lift, 0.8 / 0.75, kTol);
  // Only A4' has Q1 as its single fired entry.
  EXPECT_EQ(m->unique_discrepant, 1u);
  // No active rule on A3 (R2 is shadow), A4, A4'; R1 fired on A1.
  EXPECT_EQ(m->new_discrepant, 3u);
  // Seizures: A1, and A4 twice (both records share the outcome); 1000 + 500 + 500.
  EXPECT_EQ(m->seizures, 3u);
  EXPECT_DOUBLE_EQ(m->msrp_usd, 2000.0);
  EXPECT_EQ(m->ports, 3u);  // 2704 4601 5201
  EXPECT_TRUE(m->candidate);
}

TEST(Backtest, QueryThatJustMisses) {
  Case c = BuildCase();
  const EntryMetrics* m = c.report.Find("Q2");
  ASSERT_NE(m, nullptr);
  // Q2 fired on A1 A4 A6 A8; examined A1 A4 A8; discrepant A1 A4.
  EXPECT_EQ(m->fired, 4u);
  EXPECT_DOUBLE_EQ(m->hit_rate, 0.5);
  EXPECT_EQ(m->examined, 3u);
  EXPECT_EQ(m->discrepant, 2u);
  // Wilson(2, 3) low = 0.20765960080204768 < 0.21: misses by 0.0023.
  EXPECT_NEAR(*m->ci_low, 0.20765960080204768, kTol);
  EXPECT_NEAR(*m->ci_high, 0.9385080552796037, kTol);
  EXPECT_NEAR(*m->lift, (2.0 / 3) / 0.75, kTol);
  EXPECT_EQ(m->unique_discrepant, 0u);
  EXPECT_EQ(m->new_discrepant, 1u);  // A4 (R1 fired on A1)
  EXPECT_EQ(m->seizures, 2u);
  EXPECT_DOUBLE_EQ(m->msrp_usd, 1500.0);
  EXPECT_EQ(m->ports, 4u);
  EXPECT_FALSE(m->candidate);

  std::vector<PromotionAssessment> a = AssessPromotion(c.report);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].metrics->id, "Q1");
  EXPECT_TRUE(a[0].candidate());
  EXPECT_EQ(a[1].metrics->id, "Q2");
  ASSERT_EQ(a[1].failed.size(), 1u);
  EXPECT_EQ(a[1].failed[0].criterion, PromotionCriterion::kMinDiscrepancyRate);
  EXPECT_NEAR(a[1].failed[0].actual, 0.20765960080204768, kTol);
  EXPECT_DOUBLE_EQ(a[1].failed[0].required, 0.21);
  // At rate 2/3 the Wilson low bound is 0.2077 at n=3 and 0.2451 at n=4.
  ASSERT_TRUE(a[1].exams_needed.has_value());
  EXPECT_EQ(*a[1].exams_needed, 4u);
}

TEST(Backtest, RulesAreNeverCandidates) {
  Case c = BuildCase();
  const EntryMetrics* r1 = c.report.Find("R1");
  // R1 fired on A1 A2 A8, all examined; only A1 discrepant (A2's last row says no).
  EXPECT_EQ(r1->fired, 3u);
  EXPECT_EQ(r1->examined, 3u);
  EXPECT_EQ(r1->discrepant, 1u);
  auto [lo, hi] = Wilson(1, 3, kZ95);
  EXPECT_NEAR(*r1->ci_low, lo, kTol);
  EXPECT_NEAR(*r1->ci_high, hi, kTol);
  EXPECT_NEAR(*r1->lift, (1.0 / 3) / 0.75, kTol);
  EXPECT_EQ(r1->unique_discrepant, 0u);
  EXPECT_EQ(r1->new_discrepant, 1u);  // A1: no other active rule
  EXPECT_EQ(r1->seizures, 1u);
  EXPECT_DOUBLE_EQ(r1->msrp_usd, 1000.0);
  EXPECT_EQ(r1->ports, 2u);
  EXPECT_FALSE(r1->candidate);

  const EntryMetrics* r2 = c.report.Find("R2");
  EXPECT_EQ(r2->status, EntryStatus::kShadow);
  EXPECT_EQ(r2->fired, 2u);  // A1 A3
  EXPECT_EQ(r2->discrepant, 2u);
  EXPECT_DOUBLE_EQ(*r2->discrepancy_rate, 1.0);
  EXPECT_NEAR(*r2->ci_low, 0.3423802275066531, kTol);
  EXPECT_EQ(*r2->ci_high, 1.0);
  EXPECT_NEAR(*r2->lift, 1 / 0.75, kTol);
  EXPECT_EQ(r2->new_discrepant, 1u);  // A3 (R1, an active rule, fired on A1)
  EXPECT_FALSE(r2->candidate);
}

TEST(Backtest, UniqueCountsShadowEntriesNewCountsActiveRulesOnly) {
  // On A3 the shadow rule R2 fired with Q1: neither is unique there (two
  // fired entries), but both count it as new (no active rule fired).
  Case c = BuildCase();
  EXPECT_EQ(c.report.Find("R2")->unique_discrepant, 0u);
  EXPECT_EQ(c.report.Find("Q1")->unique_discrepant, 1u);  // A4' only
}

TEST(Backtest, PrioritiesCoverEveryDeclaredTag) {
  Case c = BuildCase();
  const auto& p = c.report.priorities;
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].tag, "health");
  EXPECT_EQ(p[0].entries, std::vector<std::string>{"Q1"});
  EXPECT_EQ(p[0].discrepant, 4u);  // Q1's: A1 A3 A4 A4'
  EXPECT_EQ(p[1].tag, "ipr");
  EXPECT_EQ(p[1].entries, (std::vector<std::string>{"R1", "R2"}));
  EXPECT_EQ(p[1].discrepant, 2u);  // R1: A1; R2: A1 A3 -> {A1, A3}
  EXPECT_EQ(p[2].tag, "unused");
  EXPECT_TRUE(p[2].entries.empty());
  EXPECT_EQ(p[2].discrepant, 0u);
}

TEST(Backtest, NoSampledExamsMeansNoBaseRateAndNoLift) {
  auto rules = MustCompile(kRules);
  Outcomes::Builder b;
  b.AddRow(2, Cells("A1", "true", "discrepant"));
  Backtest bt(rules, std::make_shared<const Outcomes>(b.Build()));
  Scorer scorer(rules, ScoreOptions{20000});
  ScoreResult res;
  Record rec = MakeRecord(*rules, Fields{{"record_id", "A1"}, {"mode", "AIR"}});
  ASSERT_TRUE(scorer.Score(rec, &res).ok());
  res.sampled = false;
  bt.Add(rec, res);
  BacktestReport r = bt.Report();
  EXPECT_FALSE(r.base_rate.has_value());
  const EntryMetrics* q2 = r.Find("Q2");
  EXPECT_DOUBLE_EQ(*q2->discrepancy_rate, 1.0);
  EXPECT_FALSE(q2->lift.has_value());
  const EntryMetrics* r1 = r.Find("R1");
  EXPECT_EQ(r1->examined, 0u);
  EXPECT_FALSE(r1->discrepancy_rate.has_value());
  EXPECT_FALSE(r1->ci_low.has_value());
  EXPECT_FALSE(r1->ci_high.has_value());
}

TEST(Backtest, BaseRateZeroMeansNoLift) {
  auto rules = MustCompile(kRules);
  Outcomes::Builder b;
  b.AddRow(2, Cells("A1", "true", "discrepant"));
  b.AddRow(3, Cells("A2", "true", "no_discrepancy"));
  Backtest bt(rules, std::make_shared<const Outcomes>(b.Build()));
  Scorer scorer(rules, ScoreOptions{20000});
  ScoreResult res;
  for (const char* id : {"A1", "A2"}) {
    Record rec = MakeRecord(*rules, Fields{{"record_id", id}, {"mode", "AIR"}});
    ASSERT_TRUE(scorer.Score(rec, &res).ok());
    res.sampled = std::string(id) == "A2";  // the sample found nothing
    bt.Add(rec, res);
  }
  BacktestReport r = bt.Report();
  ASSERT_TRUE(r.base_rate.has_value());
  EXPECT_EQ(*r.base_rate, 0.0);
  EXPECT_FALSE(r.Find("Q2")->lift.has_value());
}

TEST(Backtest, MarginalContributionAndOverlap) {
  BacktestOptions options;
  options.redundant_jaccard = 0.5;
  Case c = BuildCase(options);
  const OverlapReport& ov = c.report.overlap;
  // Discrepant records no other active entry fired on: Q1 on A3 (R2 is
  // shadow) and A4'; nothing for Q2 or R1 (A1 also has Q1, Q2).
  ASSERT_EQ(ov.marginal.size(), 3u);  // active entries: Q1 Q2 R1
  EXPECT_EQ(ov.marginal[0].id, "Q1");
  EXPECT_EQ(ov.marginal[0].only, 2u);
  EXPECT_EQ(ov.marginal[0].examples, (std::vector<std::string>{"A3", "A4"}));
  EXPECT_EQ(ov.marginal[1].only, 0u);
  EXPECT_EQ(ov.marginal[2].only, 0u);
  // Most firing: Q1 5, Q2 4, R1 3, R2 2.
  EXPECT_EQ(ov.top, (std::vector<std::string>{"Q1", "Q2", "R1", "R2"}));
  // Q1&Q2 both fired on A1 A4 A8: 3 / (5 + 4 - 3) = 0.5; every other pair is lower.
  ASSERT_EQ(ov.redundant.size(), 1u);
  EXPECT_EQ(ov.redundant[0].a, "Q1");
  EXPECT_EQ(ov.redundant[0].b, "Q2");
  EXPECT_EQ(ov.redundant[0].both, 3u);
  EXPECT_DOUBLE_EQ(ov.redundant[0].jaccard, 0.5);
  // Six pairs among four entries, all fired together at least once (on A1).
  ASSERT_EQ(ov.top_pairs.size(), 6u);
  EXPECT_EQ(ov.top_pairs[5].a, "R1");
  EXPECT_EQ(ov.top_pairs[5].b, "R2");
  EXPECT_DOUBLE_EQ(ov.top_pairs[5].jaccard, 0.25);  // A1: 1 / (3 + 2 - 1)
}

TEST(Backtest, KeepsDiscrepantHitsOfQueries) {
  Case c = BuildCase();
  int q1 = c.rules->FindEntry("Q1");
  std::vector<Record> hits = c.backtest->DiscrepantHits(q1);
  ASSERT_EQ(hits.size(), 3u);  // the first three of A1 A3 A4 A4'
  EXPECT_EQ(hits[0].record_id(), "A1");
  EXPECT_EQ(hits[1].record_id(), "A3");
  EXPECT_EQ(hits[2].record_id(), "A4");
  EXPECT_TRUE(c.backtest->DiscrepantHits(c.rules->FindEntry("R1")).empty());
}

TEST(Backtest, JsonHasTheSectionSixShape) {
  Case c = BuildCase();
  std::string json;
  AppendBacktestJson(c.report, &json);
  // Keys in order, nulls where the spec says null.
  const char* keys[] = {"\"fingerprint\":", "\"records\":8", "\"rejected\":2",
                        "\"outcomes\":{\"rows\":10,\"unmatched\":1,\"bad\":1,\"duplicates\":1}",
                        "\"examined\":7", "\"discrepant\":5", "\"sampled\":4",
                        "\"base_rate\":0.75",
                        "\"discrepant_by\":{\"rule\":1,\"query_only\":3,\"missed\":1}",
                        "\"identified_by\":{\"rule\":1,\"query\":1,\"observation\":0,\"tip\":2,"
                        "\"random\":0,\"unknown\":1}",
                        "\"priorities\":{\"health\":{\"entries\":[\"Q1\"],\"discrepant\":4},"
                        "\"ipr\":{\"entries\":[\"R1\",\"R2\"],\"discrepant\":2},"
                        "\"unused\":{\"entries\":[],\"discrepant\":0}}",
                        "\"entries\":["};
  std::size_t at = 0;
  for (const char* k : keys) {
    std::size_t f = json.find(k, at);
    ASSERT_NE(f, std::string::npos) << k << "\nin\n" << json;
    at = f;
  }
  EXPECT_NE(json.find("{\"id\":\"R2\",\"kind\":\"rule\",\"status\":\"shadow\",\"fired\":2,"
                      "\"hit_rate\":0.25,\"examined\":2,\"discrepant\":2,\"discrepancy_rate\":1,"
                      "\"ci_low\":0.3423802275066531,\"ci_high\":1,\"lift\":1.3333333333333333,"
                      "\"unique_discrepant\":0,\"new_discrepant\":1,\"seizures\":1,"
                      "\"msrp_usd\":1000,\"ports\":2,\"candidate\":false}"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace targeting
