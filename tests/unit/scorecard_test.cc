// MakeScorecard on hand-made reports: each verdict from its rule, with the
// numbers in its reasons.
#include <gtest/gtest.h>

#include "targeting/measure.h"

namespace targeting {
namespace {

EntryMetrics Metrics(std::string id, EntryKind kind, std::uint64_t fired, std::uint64_t examined,
                     std::uint64_t discrepant) {
  EntryMetrics m;
  m.id = std::move(id);
  m.kind = kind;
  m.fired = fired;
  m.examined = examined;
  m.discrepant = discrepant;
  if (examined > 0) {
    m.discrepancy_rate = static_cast<double>(discrepant) / static_cast<double>(examined);
    Interval w = WilsonInterval(discrepant, examined, 0.95);
    m.ci_low = w.low;
    m.ci_high = w.high;
  }
  return m;
}

EntryTrend Trend(std::string id, bool decaying, std::uint64_t idle) {
  EntryTrend t;
  t.id = std::move(id);
  t.periods.resize(4);
  t.periods.back().examined = 40;
  t.periods.back().discrepant = 2;
  t.periods.back().rate = 0.05;
  t.decaying = decaying;
  if (decaying) t.z = -3.1;
  t.idle_periods = idle;
  t.idle = idle >= 3;
  return t;
}

const EntryVerdict& Of(const Scorecard& c, const std::string& id) {
  for (const EntryVerdict& v : c.entries) {
    if (v.id == id) return v;
  }
  throw std::runtime_error("no " + id);
}

TEST(Scorecard, EachVerdictFromItsRule) {
  BacktestReport r;
  r.fingerprint = "sha256:x";
  r.records = 10000;
  r.base_rate = 0.05;
  r.entries = {
      Metrics("A-LOW", EntryKind::kRule, 900, 400, 4),     // ci_high 2.5% < 5%: retire
      Metrics("B-GOOD", EntryKind::kRule, 500, 200, 60),   // keep
      Metrics("C-DECAY", EntryKind::kRule, 500, 200, 60),  // tune: decaying
      Metrics("D-IDLE", EntryKind::kRule, 50, 40, 10),     // retire: idle, the only health_safety entry
      Metrics("E-FEW", EntryKind::kRule, 30, 12, 1),       // keep: too few exams
      Metrics("F-TWIN", EntryKind::kRule, 500, 200, 60),   // tune: redundant with B-GOOD
      Metrics("Q-CAND", EntryKind::kQuery, 300, 120, 50),  // promote
      Metrics("Z-NONE", EntryKind::kRule, 0, 0, 0),        // retire: no fires
      Metrics("Q-FALL", EntryKind::kQuery, 300, 120, 50),  // tune: a candidate, but decaying
  };
  for (std::size_t i : {6u, 8u}) {
    r.entries[i].candidate = true;
    r.entries[i].ports = 3;
    r.entries[i].new_discrepant = 9;
  }
  r.priorities = {PriorityCoverage{"health_safety", {"D-IDLE"}, 10}};
  TrendReport t;
  t.by = "month";
  t.method = "two-proportion z-test (pooled)";
  for (const EntryMetrics& m : r.entries) {
    t.entries.push_back(Trend(m.id, m.id == "C-DECAY" || m.id == "Q-FALL", m.id == "D-IDLE" ? 4 : 0));
  }
  r.trends = t;
  r.overlap.marginal = {{"B-GOOD", EntryKind::kRule, 60, 5, {}}, {"F-TWIN", EntryKind::kRule, 60, 0, {}}};
  OverlapReport::Pair pair;
  pair.a = "B-GOOD";
  pair.b = "F-TWIN";
  pair.jaccard = 0.9;
  r.overlap.redundant = {pair};
  ScorecardCriteria criteria;
  Scorecard card = MakeScorecard(r, criteria);
  ASSERT_EQ(card.entries.size(), r.entries.size());
  EXPECT_EQ(Of(card, "A-LOW").verdict, Verdict::kRetire);
  EXPECT_EQ(Of(card, "A-LOW").reasons[0], "ci_high 2.5% < base rate 5.0% (rate 1.0% [0.4%, 2.5%] over 400 exams)");
  EXPECT_EQ(Of(card, "B-GOOD").verdict, Verdict::kKeep);  // its twin finds nothing alone, it does
  EXPECT_EQ(Of(card, "C-DECAY").verdict, Verdict::kTune);
  EXPECT_NE(Of(card, "C-DECAY").reasons[0].find("decaying: latest month 5.0% of 40 exams"), std::string::npos);
  EXPECT_EQ(Of(card, "D-IDLE").verdict, Verdict::kRetire);
  ASSERT_EQ(Of(card, "D-IDLE").reasons.size(), 2u);
  EXPECT_EQ(Of(card, "D-IDLE").reasons[0], "no fires in the last 4 months (of 4)");
  EXPECT_EQ(Of(card, "D-IDLE").reasons[1],
            "it is the only entry carrying priority health_safety: retiring it leaves health_safety uncovered");
  EXPECT_EQ(Of(card, "E-FEW").verdict, Verdict::kKeep);
  EXPECT_EQ(Of(card, "E-FEW").reasons[0], "too few exams to judge: 12 < 30; keep measuring");
  EXPECT_EQ(Of(card, "F-TWIN").verdict, Verdict::kTune);
  EXPECT_EQ(Of(card, "F-TWIN").reasons[0],
            "redundant with B-GOOD: Jaccard 0.900 >= 0.80, and no discrepant record only it finds");
  EXPECT_EQ(Of(card, "Q-CAND").verdict, Verdict::kPromote);
  EXPECT_EQ(Of(card, "Q-FALL").verdict, Verdict::kTune);
  ASSERT_EQ(Of(card, "Q-FALL").reasons.size(), 2u);
  EXPECT_NE(Of(card, "Q-FALL").reasons[0].find("decaying: latest month 5.0% of 40 exams"), std::string::npos);
  EXPECT_NE(Of(card, "Q-FALL").reasons[1].find("meets the promotion criteria over the whole window"), std::string::npos);
  EXPECT_EQ(Of(card, "Z-NONE").verdict, Verdict::kRetire);
  EXPECT_EQ(Of(card, "Z-NONE").reasons[0], "no fires in the window (10000 records)");
  std::string json;
  AppendScorecardJson(card, &json);
  EXPECT_EQ(json.rfind("{\"fingerprint\":\"sha256:x\",\"criteria\":{\"by\":\"month\"", 0), 0u);
  EXPECT_NE(json.find("{\"id\":\"Q-CAND\",\"kind\":\"query\",\"status\":\"active\",\"verdict\":\"promote\",\"reasons\":[\"meets the promotion criteria"), std::string::npos);
}

}  // namespace
}  // namespace targeting
