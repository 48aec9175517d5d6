// The e-commerce patterns gen plants across records (gen/episodes.h) and the
// example pack's aggregate entries that look for them: the split-shipment
// rule must find its planted pattern with a lift above 5 in a backtest, and
// never fire on the decoys (business consignees with many small parcels a
// day); records stay in arrival-date order but for a few late ones.
#include <gtest/gtest.h>

#include <map>

#include "gen/episodes.h"
#include "gen/gen.h"
#include "gen_test_util.h"
#include "targeting/targeting.h"

namespace targeting::gen {
namespace {

TEST(GenEpisodes, TheSplitShipmentRuleFindsItsPatternAndNotTheDecoys) {
  constexpr std::uint64_t kRecords = 200000;
  constexpr std::uint64_t kSeed = 7;
  GenOptions o;
  o.records = kRecords;
  o.seed = kSeed;
  Status status;
  testing::Corpus c = testing::GenerateInMemory(o, &status);
  ASSERT_TRUE(status.ok()) << status.message();
  CompileResult compiled = CompilePath(TARGETING_SOURCE_DIR "/rules");
  ASSERT_TRUE(compiled.ok());
  auto rules = compiled.rule_set;
  const int val = rules->FindEntry("UDR-VAL-0001");
  const int addr = rules->FindEntry("Q-NTC-0701");
  const int fan = rules->FindEntry("Q-NTC-0702");
  ASSERT_GE(val, 0);
  auto outcomes = Outcomes::ReadCsvString(c.outcomes, "outcomes.csv", rules->schema());
  ASSERT_TRUE(outcomes.ok());
  Backtest backtest(rules, std::make_shared<const Outcomes>(std::move(outcomes).value()));
  auto reader = RecordReader::FromString(c.csv, "manifest.csv", InputFormat::kCsv, rules->schema());
  ASSERT_TRUE(reader.ok());
  Scorer scorer(rules);
  World world(kSeed);
  Shipment s;
  Record r(rules->schema());
  Reject reject;
  ScoreResult res;
  std::map<std::string, std::uint64_t> count;
  Days latest = 0;
  for (std::uint64_t i = 0; reader.value()->Read(&r, &reject) == RecordReader::Next::kRecord; ++i) {
    Rng rng(kSeed, i);
    GenerateShipment(world, kSeed, i, kRecords, rng, &s);
    ASSERT_EQ(r.record_id(), s.record_id);
    ASSERT_TRUE(scorer.Score(r, &res).ok());
    backtest.Add(r, res);
    auto fired = [&](int e) {
      return std::find(res.fired.begin(), res.fired.end(), static_cast<std::uint32_t>(e)) !=
             res.fired.end();
    };
    if (s.arrival < latest) {
      ++count["late"];
      EXPECT_TRUE(s.late) << s.record_id;
    }
    latest = std::max(latest, s.arrival);
    count["split members"] += s.episode == kSplitShipment;
    count["decoys"] += s.episode_decoy;
    count["address members"] += s.episode == kAddressManyShippers;
    count["fanout members"] += s.episode == kShipperFanout;
    if (fired(val)) {
      ++count["val fired"];
      count["val on split"] += s.episode == kSplitShipment;
      EXPECT_FALSE(s.episode_decoy) << s.record_id << ": the split-shipment rule fired on a decoy";
    }
    // Parcels of a split shipment come from different shippers to one
    // address too: both patterns are planted.
    if (fired(addr)) {
      count["address on planted"] +=
          s.episode == kAddressManyShippers || s.episode == kSplitShipment;
    }
    if (fired(addr)) ++count["address fired"];
    if (fired(fan)) count["fanout on planted"] += s.episode == kShipperFanout;
    if (fired(fan)) ++count["fanout fired"];
  }
  std::string summary;
  for (const auto& [k, v] : count) summary += k + " " + std::to_string(v) + "; ";
  std::printf("gen episodes: %s\n", summary.c_str());
  EXPECT_GT(count["decoys"], 500u) << summary;
  EXPECT_GT(count["split members"], 1000u) << summary;
  EXPECT_GT(count["late"], 100u) << summary;
  EXPECT_LT(count["late"], kRecords / 100) << summary;
  // Nearly all of the rule's fires are on the planted pattern.
  EXPECT_GT(count["val on split"] * 10, count["val fired"] * 9) << summary;
  EXPECT_GT(count["address on planted"] * 10, count["address fired"] * 8) << summary;
  EXPECT_GT(count["fanout on planted"] * 10, count["fanout fired"] * 8) << summary;
  const BacktestReport report = backtest.Report();
  const EntryMetrics* m = report.Find("UDR-VAL-0001");
  ASSERT_NE(m, nullptr);
  ASSERT_TRUE(m->lift.has_value());
  std::printf("gen episodes: UDR-VAL-0001 fired %llu, examined %llu, discrepant %llu, lift %.2f\n",
              static_cast<unsigned long long>(m->fired), static_cast<unsigned long long>(m->examined),
              static_cast<unsigned long long>(m->discrepant), *m->lift);
  EXPECT_GT(*m->lift, 5.0);
}

}  // namespace
}  // namespace targeting::gen
