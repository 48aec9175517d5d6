// Hot reload: a failed reload never leaves a half-built RuleSet in place.
// The Engine keeps serving the last good set, says why the new one failed,
// and counts only successful swaps.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "test_util.h"
#include "targeting/targeting.h"

namespace targeting {
namespace {

namespace fs = std::filesystem;

using testing::FreshDir;
using testing::WriteFile;
std::vector<std::string> Ids(const RuleSet& rules) {
  std::vector<std::string> ids;
  for (const EntryInfo& e : rules.entries()) ids.push_back(e.id);
  return ids;
}

class EngineFailedReload : public ::testing::Test {
 protected:
  void SetUp() override {
    good_ = FreshDir("reload-good");
    WriteFile(good_ / "targeting.yaml", "lanes: {red: 10, yellow: 5}\n");
    WriteFile(good_ / "a.yaml", "rules:\n  - {id: A1, weight: 10, when: {mode: SEA}}\n");
    CompileResult r = CompilePath(good_.string());
    ASSERT_TRUE(r.ok());
    engine_ = std::make_unique<Engine>(r.rule_set);
    first_ = r.rule_set;
  }
  void TearDown() override { fs::remove_all(good_); }

  // Reloading `path` fails, and the engine still serves the first set.
  void ExpectRefused(const std::string& path, bool with_issues) {
    const std::uint64_t generation = engine_->generation();
    CompileResult r = engine_->Reload(path);
    EXPECT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.rule_set, nullptr);
    if (with_issues) {
      EXPECT_GT(r.error_count(), 0u) << path;
    } else {
      EXPECT_FALSE(r.status.ok()) << path;
      EXPECT_FALSE(r.status.message().empty());
    }
    EXPECT_EQ(engine_->Current(), first_) << path;
    EXPECT_EQ(engine_->generation(), generation) << path;
  }

  fs::path good_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const RuleSet> first_;
};

TEST_F(EngineFailedReload, BrokenDirectoryKeepsTheLastGoodSet) {
  fs::path bad = FreshDir("reload-broken");
  // One good file and one broken: nothing of it may be installed.
  WriteFile(bad / "a.yaml", "rules:\n  - {id: B1, weight: 10, when: {mode: AIR}}\n");
  WriteFile(bad / "b.yaml", "rules:\n  - {id: B2, when: {nosuchfield: 1}}\n");
  ExpectRefused(bad.string(), true);
  CompileResult r = engine_->Reload(bad.string());
  bool named = false;
  for (const Issue& i : r.issues) named |= i.message.find("unknown field 'nosuchfield'") != std::string::npos;
  EXPECT_TRUE(named);
  // YAML that does not parse, a limit hit, an empty rule file.
  WriteFile(bad / "b.yaml", "rules: [\n");
  ExpectRefused(bad.string(), true);
  WriteFile(bad / "b.yaml", ",");
  ExpectRefused(bad.string(), true);
  WriteFile(bad / "b.yaml", "");
  ExpectRefused(bad.string(), true);
  fs::remove_all(bad);
}

TEST_F(EngineFailedReload, UnreadablePathsKeepTheLastGoodSet) {
  ExpectRefused("/nonexistent/rules", false);
  ExpectRefused("/dev/zero", false);
  fs::path d = FreshDir("reload-fifo");
  ASSERT_EQ(::mkfifo((d / "rules.yaml").c_str(), 0600), 0);
  ExpectRefused((d / "rules.yaml").string(), false);
  if (::geteuid() != 0) {
    WriteFile(d / "locked.yaml", "rules: []\n");
    fs::permissions(d / "locked.yaml", fs::perms::none);
    ExpectRefused((d / "locked.yaml").string(), false);
  }
  fs::remove_all(d);
  CompileOptions options;
  options.limits.max_condition_depth = 0;
  const std::uint64_t generation = engine_->generation();
  EXPECT_FALSE(engine_->Reload(good_.string(), options).ok());
  EXPECT_EQ(engine_->Current(), first_);
  EXPECT_EQ(engine_->generation(), generation);
}

TEST_F(EngineFailedReload, AGoodReloadSwapsAndCounts) {
  Scorer before = engine_->NewScorer(ScoreOptions{20000});
  fs::path next = FreshDir("reload-next");
  WriteFile(next / "a.yaml", "rules:\n  - {id: N1, weight: 10, when: {mode: AIR}}\n");
  CompileResult r = engine_->Reload(next.string());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(engine_->generation(), 1u);
  EXPECT_EQ(engine_->Current(), r.rule_set);
  EXPECT_EQ(Ids(*engine_->Current()), std::vector<std::string>{"N1"});
  // A scorer made before keeps the set it started with.
  EXPECT_EQ(before.rules_ptr(), first_);
  EXPECT_EQ(Ids(before.rules()), std::vector<std::string>{"A1"});
  // A failed reload after a good one keeps the newer set.
  WriteFile(next / "a.yaml", "rules: {\n");
  EXPECT_FALSE(engine_->Reload(next.string()).ok());
  EXPECT_EQ(engine_->Current(), r.rule_set);
  EXPECT_EQ(engine_->generation(), 1u);
  // Reloading the same good path again is another swap.
  EXPECT_TRUE(engine_->Reload(good_.string()).ok());
  EXPECT_EQ(engine_->generation(), 2u);
  EXPECT_EQ(Ids(*engine_->Current()), std::vector<std::string>{"A1"});
  fs::remove_all(next);
}

// Scorers on other threads only ever see a whole rule set: the first or the
// second, each scoring exactly as it should, while reloads fail and succeed.
TEST_F(EngineFailedReload, ScorersSeeOnlyWholeSets) {
  fs::path other = FreshDir("reload-other");
  fs::path bad = FreshDir("reload-bad");
  WriteFile(other / "a.yaml", "rules:\n  - {id: O1, weight: 7, when: {mode: SEA}}\n  - {id: O2, weight: 1, when: {mode: SEA}}\n");
  WriteFile(bad / "a.yaml", "rules:\n  - {id: X1, when: {mode: {gt: 1}}}\n");
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::thread scorer_thread([&] {
    while (!stop.load()) {
      Scorer scorer = engine_->NewScorer(ScoreOptions{20000});
      auto rec = Record::FromFields(scorer.rules().schema(), {{"record_id", "R"}, {"mode", "SEA"}});
      ScoreResult res;
      if (!rec.ok() || !scorer.Score(rec.value(), &res).ok()) {
        ++wrong;
        continue;
      }
      const std::vector<std::string> ids = Ids(scorer.rules());
      const bool first = ids == std::vector<std::string>{"A1"} && res.fired.size() == 1 && res.score == 10;
      const bool second = ids == std::vector<std::string>{"O1", "O2"} && res.fired.size() == 2 && res.score == 8;
      if (!first && !second) ++wrong;
    }
  });
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(engine_->Reload(bad.string()).ok());
    EXPECT_TRUE(engine_->Reload((i % 2 ? good_ : other).string()).ok());
  }
  stop = true;
  scorer_thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(engine_->generation(), 20u);
  fs::remove_all(other);
  fs::remove_all(bad);
}

}  // namespace
}  // namespace targeting
