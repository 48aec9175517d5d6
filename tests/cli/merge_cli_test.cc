// targeting backtest --partial and targeting merge: partials of the shards of
// one stream merge into exactly the report of one run over all of it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "run_command.h"

namespace targeting::testing {
namespace {

// Splits a CSV's data rows into `parts` files, each with the header.
std::vector<std::string> SplitCsv(const std::filesystem::path& dir, const std::string& csv, int parts) {
  std::istringstream in(Slurp(csv));
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line);
  std::vector<std::string> paths;
  const std::size_t per = (rows.size() + static_cast<std::size_t>(parts) - 1) / static_cast<std::size_t>(parts);
  for (int p = 0; p < parts; ++p) {
    std::string text = header + "\n";
    for (std::size_t i = static_cast<std::size_t>(p) * per; i < std::min(rows.size(), (p + 1) * per); ++i) {
      text += rows[i] + "\n";
    }
    paths.push_back((dir / ("shard" + std::to_string(p) + ".csv")).string());
    WriteFile(paths.back(), text);
  }
  return paths;
}

class MergeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(FreshDir("merge"));
    CommandResult g = RunTargeting("gen --records 30000 --seed 11 --quiet -o " + (*dir_ / "c").string());
    ASSERT_EQ(g.exit_code, 0) << g.err;
    // The pack without its aggregates, whose partials merge (see
    // RefusesRuleSetsWithAggregates); the same for the next release.
    for (const char* pack : {"rules", "examples/rules-next"}) {
      const auto to = *dir_ / (std::string(pack) == "rules" ? "flat" : "flat-next");
      std::filesystem::copy(Src(pack), to, std::filesystem::copy_options::recursive);
      std::filesystem::remove(to / "ecommerce.yaml");
      std::filesystem::remove(to / "queries" / "ecommerce.yaml");
    }
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string C(const std::string& f) { return (*dir_ / "c" / f).string(); }
  static std::string Flat() { return (*dir_ / "flat").string(); }
  static std::filesystem::path* dir_;
};
std::filesystem::path* MergeCli::dir_ = nullptr;

TEST_F(MergeCli, FourPartialsEqualOneRunFieldForField) {
  const std::string common = " --outcomes " + C("outcomes.csv") + " --as-of 2026-09-30";
  CommandResult one = RunTargeting("backtest " + Flat() + " " + C("manifest.csv") + common +
                                   " -o " + (*dir_ / "one.json").string() + " --overlap " +
                                   (*dir_ / "one-overlap.json").string());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  std::vector<std::string> shards = SplitCsv(*dir_, C("manifest.csv"), 4);
  std::string partials;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::string p = (*dir_ / ("p" + std::to_string(i) + ".json")).string();
    CommandResult b = RunTargeting("backtest " + Flat() + " " + shards[i] + common + " --partial " + p);
    ASSERT_EQ(b.exit_code, 0) << b.err;
    partials += " " + p;
  }
  CommandResult m = RunTargeting("merge" + partials + " -o " + (*dir_ / "merged.json").string() +
                                 " --overlap " + (*dir_ / "merged-overlap.json").string());
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.err.find("4 partials of rule set sha256:"), std::string::npos);
  EXPECT_NE(m.err.find(": 30000 records"), std::string::npos);
  const std::string single = Slurp(*dir_ / "one.json");
  ASSERT_GT(single.size(), 1000u);
  EXPECT_EQ(Slurp(*dir_ / "merged.json"), single);
  EXPECT_EQ(Slurp(*dir_ / "merged-overlap.json"), Slurp(*dir_ / "one-overlap.json"));
  // The table, but for its first line, is the one run's too.
  EXPECT_EQ(m.out.substr(m.out.find('\n')), one.out.substr(one.out.find('\n')));
}

TEST_F(MergeCli, RefusesPartialsThatDoNotBelongTogether) {
  const std::string common = " --outcomes " + C("outcomes.csv") + " --as-of 2026-09-30";
  const std::string a = (*dir_ / "a.json").string(), b = (*dir_ / "b.json").string();
  ASSERT_EQ(RunTargeting("backtest " + Flat() + " " + C("manifest.csv") + common + " --partial " + a).exit_code, 0);
  ASSERT_EQ(RunTargeting("backtest " + (*dir_ / "flat-next").string() + " " + C("manifest.csv") + common + " --partial " + b).exit_code, 0);
  CommandResult other_rules = RunTargeting("merge " + a + " " + b);
  EXPECT_EQ(other_rules.exit_code, 2);
  EXPECT_NE(other_rules.err.find(b + ": cannot be merged: rule set sha256:"), std::string::npos) << other_rules.err;
  EXPECT_EQ(other_rules.err.find('\n'), other_rules.err.size() - 1) << "one line";

  // Another outcomes file: the first row dropped.
  std::string outcomes = Slurp(C("outcomes.csv"));
  std::string fewer = outcomes.substr(0, outcomes.find('\n') + 1) +
                      outcomes.substr(outcomes.find('\n', outcomes.find('\n') + 1) + 1);
  WriteFile(*dir_ / "fewer.csv", fewer);
  const std::string c = (*dir_ / "c.json").string();
  ASSERT_EQ(RunTargeting("backtest " + Flat() + " " + C("manifest.csv") + " --outcomes " +
                         (*dir_ / "fewer.csv").string() + " --as-of 2026-09-30 --partial " + c).exit_code, 0);
  CommandResult other_outcomes = RunTargeting("merge " + a + " " + c);
  EXPECT_EQ(other_outcomes.exit_code, 2);
  EXPECT_NE(other_outcomes.err.find("its outcomes file differs"), std::string::npos) << other_outcomes.err;

  // A newer format, a truncated partial, and a report that is not a partial.
  std::string text = Slurp(a);
  std::string newer = text;
  newer.replace(newer.find("\"version\":1"), 11, "\"version\":2");
  WriteFile(*dir_ / "newer.json", newer);
  WriteFile(*dir_ / "cut.json", text.substr(0, text.size() / 2));
  struct Case { std::string file, message; } cases[] = {
      {(*dir_ / "newer.json").string(), "a partial backtest of version 2, which this version of targeting does not read"},
      {(*dir_ / "cut.json").string(), "not a partial backtest"},
      {Src("tests/golden/measure/pack/targeting.yaml"), "not a partial backtest"},
  };
  for (const Case& k : cases) {
    CommandResult r = RunTargeting("merge " + k.file);
    EXPECT_EQ(r.exit_code, 2) << k.file;
    EXPECT_NE(r.err.find(k.file + ": " ), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(k.message), std::string::npos) << r.err;
  }
}

// Sharding changes what an aggregate sees: the merge refuses, naming the
// entries, rather than give a report no single run would.
TEST_F(MergeCli, RefusesRuleSetsWithAggregates) {
  const std::string common = " --outcomes " + C("outcomes.csv") + " --as-of 2026-09-30";
  std::vector<std::string> shards = SplitCsv(*dir_, C("manifest.csv"), 2);
  std::string partials;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::string p = (*dir_ / ("agg" + std::to_string(i) + ".json")).string();
    ASSERT_EQ(RunTargeting("backtest " + Src("rules") + " " + shards[i] + common + " --partial " + p).exit_code, 0);
    partials += " " + p;
  }
  CommandResult m = RunTargeting("merge" + partials + " -o " + (*dir_ / "x.json").string());
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("cannot merge partial backtests of a rule set with aggregates (Q-NTC-0701, Q-NTC-0702, UDR-VAL-0001)"),
            std::string::npos) << m.err;
  // One partial is the whole stream: it merges into its own report.
  const std::string whole = (*dir_ / "whole.json").string();
  ASSERT_EQ(RunTargeting("backtest " + Src("rules") + " " + C("manifest.csv") + common + " --partial " + whole +
                         " -o " + (*dir_ / "whole-report.json").string()).exit_code, 0);
  ASSERT_EQ(RunTargeting("merge " + whole + " -o " + (*dir_ / "whole-merged.json").string()).exit_code, 0);
  EXPECT_EQ(Slurp(*dir_ / "whole-merged.json"), Slurp(*dir_ / "whole-report.json"));
}

}  // namespace
}  // namespace targeting::testing
