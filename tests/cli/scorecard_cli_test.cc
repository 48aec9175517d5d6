// targeting scorecard on a generated corpus: every entry judged, promote
// exactly where backtest finds candidates, criteria read from targeting.yaml.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <filesystem>
#include <set>
#include <string>

#include "run_command.h"

namespace targeting::testing {
namespace {

TEST(ScorecardCli, VerdictsFollowTheBacktestAndTheConfiguredCriteria) {
  auto dir = FreshDir("scorecard");
  ASSERT_EQ(RunTargeting("gen --records 150000 --seed 3 --quiet -o " + (dir / "c").string()).exit_code, 0);
  const std::string in = (dir / "c" / "manifest.csv").string() + " --outcomes " +
                         (dir / "c" / "outcomes.csv").string() + " --as-of 2026-09-30";
  CommandResult card = RunTargeting("scorecard " + Src("rules") + " " + in + " --format json");
  ASSERT_EQ(card.exit_code, 0) << card.err;
  CommandResult bt = RunTargeting("backtest " + Src("rules") + " " + in + " --by month -o " +
                                  (dir / "r.json").string());
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  simdjson::dom::parser p1, p2;
  simdjson::dom::element c = p1.parse(card.out);
  simdjson::dom::element r = p2.parse(Slurp(dir / "r.json"));
  EXPECT_EQ(std::string(c["fingerprint"].get_string().value()), std::string(r["fingerprint"].get_string().value()));
  // Promote: the backtest's candidates, less those whose rate is decaying
  // (by month, the scorecard's default), which are to be tuned.
  std::set<std::string> candidates, promoted, decaying;
  for (auto e : r["periods"]["entries"].get_array()) {
    if (e["decaying"].get_bool().value()) decaying.insert(std::string(e["id"].get_string().value()));
  }
  std::size_t report_entries = 0;
  for (auto e : r["entries"].get_array()) {
    ++report_entries;
    const std::string id(e["id"].get_string().value());
    if (e["candidate"].get_bool().value() && !decaying.count(id)) candidates.insert(id);
  }
  std::size_t judged = 0;
  for (auto e : c["entries"].get_array()) {
    ++judged;
    const std::string verdict(e["verdict"].get_string().value());
    EXPECT_TRUE(verdict == "keep" || verdict == "tune" || verdict == "retire" || verdict == "promote");
    EXPECT_GT(e["reasons"].get_array().size(), 0u);
    const std::string id(e["id"].get_string().value());
    if (verdict == "promote") promoted.insert(id);
    if (decaying.count(id)) {
      EXPECT_NE(verdict, "promote") << id;
    }
  }
  EXPECT_EQ(judged, report_entries);
  EXPECT_EQ(promoted, candidates);
  EXPECT_FALSE(promoted.empty());

  // The criteria are targeting.yaml's: idle after one month retires more.
  std::filesystem::copy(Src("rules"), dir / "rules", std::filesystem::copy_options::recursive);
  std::string cfg = Slurp(dir / "rules" / "targeting.yaml");
  WriteFile(dir / "rules" / "targeting.yaml", cfg + "\nscorecard: {by: month, idle_periods: 1, min_examined: 10}\n");
  CommandResult strict = RunTargeting("scorecard " + (dir / "rules").string() + " " + in);
  ASSERT_EQ(strict.exit_code, 0) << strict.err;
  EXPECT_NE(strict.out.find("criteria: by month, idle after 1 periods"), std::string::npos) << strict.out;
  WriteFile(dir / "rules" / "targeting.yaml", cfg + "\nscorecard: {by: day, idle_periods: 0}\n");
  CommandResult bad = RunTargeting("check " + (dir / "rules").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("scorecard.by must be week or month"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("scorecard.idle_periods must be a whole number >= 1"), std::string::npos) << bad.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace targeting::testing
