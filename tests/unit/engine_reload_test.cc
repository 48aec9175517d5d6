// Hot reload (DESIGN.md: a new RuleSet swapped in atomically; scorers in
// flight finish on the old one). Several threads score continuously while
// another swaps and reloads rule sets; every result must be exactly the one
// the reference gives on the rule set that scorer was made from. Run under
// ThreadSanitizer too (-DTARGETING_TSAN=ON).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "bench/synthetic.h"
#include "targeting/targeting.h"

namespace targeting::testing {
namespace {

bool Same(const ScoreResult& a, const ScoreResult& b) {
  return a.fired == b.fired && a.score == b.score && a.lane == b.lane && a.sampled == b.sampled;
}

TEST(EngineReload, ScorersSeeExactlyTheirOwnRuleSetWhileReloadsRun) {
  namespace fs = std::filesystem;
  auto vocab = synthetic::MakeVocabulary();
  // Three rule sets that disagree on many records: different mixes, sizes
  // and seeds, so fired entries, scores and lanes differ.
  std::vector<std::string> yaml = {
      synthetic::RulesYaml({300, synthetic::Mix::kRealistic, 11}, *vocab),
      synthetic::RulesYaml({400, synthetic::Mix::kNegationOr, 12}, *vocab),
      synthetic::RulesYaml({200, synthetic::Mix::kRegexHeavy, 13}, *vocab),
  };
  // Broad rules of each set's own, with its own weights, so that the sets
  // give different results on most records.
  for (std::size_t i = 0; i < yaml.size(); ++i) {
    const std::string n = std::to_string(i);
    yaml[i] += "  - {id: ZZ-" + n + "-MODE, weight: " + std::to_string(3 + i) +
               ", when: {mode: [SEA, EXPRESS]}}\n"
               "  - {id: ZZ-" + n + "-ORIGIN, weight: " + std::to_string(11 * (i + 1)) +
               ", when: {any: [{country_of_origin: [CN, MX, VN]}, {routing: [HK, SG]}]}}\n"
               "  - {id: ZZ-" + n + "-VALUE, weight: " + std::to_string(17 + 5 * i) +
               ", when: {declared_value_usd: {ge: " + std::to_string(5000 * (i + 1)) + "}}}\n";
  }
  const fs::path dir = fs::temp_directory_path() /
                       ("targeting-reload-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<std::string> paths;
  std::vector<std::shared_ptr<const RuleSet>> sets;
  std::map<std::string, int> set_of;  // fingerprint -> index
  for (std::size_t i = 0; i < yaml.size(); ++i) {
    paths.push_back((dir / ("set" + std::to_string(i) + ".yaml")).string());
    std::ofstream(paths.back()) << yaml[i];
    CompileResult r = CompileString(yaml[i]);
    ASSERT_TRUE(r.ok());
    set_of[r.rule_set->fingerprint()] = static_cast<int>(i);
    sets.push_back(r.rule_set);
  }
  ASSERT_EQ(set_of.size(), sets.size());
  const std::string broken = (dir / "broken.yaml").string();
  std::ofstream(broken) << "rules:\n  - {id: BROKEN, when: {no_such_field: 1}}\n";

  // Records, and what the reference says of each on each set.
  const Days as_of = 20600;
  std::vector<Record> records;
  synthetic::RecordGenerator gen(vocab, 99);
  std::string error;
  for (int i = 0; i < 400; ++i) {
    Record r(sets[0]->schema());
    ASSERT_TRUE(gen.NextRecord(&r, &error)) << error;
    records.push_back(std::move(r));
  }
  std::vector<std::vector<ScoreResult>> expected(sets.size());
  for (std::size_t s = 0; s < sets.size(); ++s) {
    Scorer scorer(sets[s], ScoreOptions{as_of});
    for (const Record& r : records) {
      expected[s].emplace_back();
      ASSERT_TRUE(scorer.ScoreReference(r, &expected[s].back()).ok());
    }
  }
  std::size_t distinguishing = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    distinguishing += !Same(expected[0][i], expected[1][i]) && !Same(expected[1][i], expected[2][i]) &&
                      !Same(expected[0][i], expected[2][i]);
  }
  ASSERT_GT(distinguishing, records.size() / 10) << "the sets must disagree on many records";

  Engine engine(sets[0]);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> checked{0}, wrong{0}, unknown{0}, scorers_made{0};
  std::vector<std::atomic<std::uint64_t>> per_set(sets.size());
  auto score_loop = [&](int t) {
    ScoreResult result;
    std::size_t i = static_cast<std::size_t>(t) * 37;
    while (!stop.load(std::memory_order_relaxed)) {
      // A batch on one scorer, made from whatever set is current.
      Scorer scorer = engine.NewScorer(ScoreOptions{as_of});
      scorers_made.fetch_add(1, std::memory_order_relaxed);
      auto it = set_of.find(scorer.rules().fingerprint());
      if (it == set_of.end()) {
        unknown.fetch_add(1);
        continue;
      }
      const int s = it->second;
      per_set[static_cast<std::size_t>(s)].fetch_add(1, std::memory_order_relaxed);
      for (int k = 0; k < 25; ++k, i = (i + 1) % records.size()) {
        if (!scorer.Score(records[i], &result).ok() || !Same(result, expected[static_cast<std::size_t>(s)][i])) {
          wrong.fetch_add(1);
        }
        checked.fetch_add(1, std::memory_order_relaxed);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back(score_loop, t);

  // The reloader: swaps from memory, reloads from disk, and tries broken
  // reloads, which must leave the current set in place.
  std::uint64_t swaps = 0, failed_reloads = 0;
  std::vector<std::weak_ptr<const RuleSet>> retired;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  for (int round = 0; std::chrono::steady_clock::now() < until || round < 12; ++round) {
    // Every set is swapped in from memory and reloaded from disk in turn.
    const std::size_t s = static_cast<std::size_t>(round / 3 + round) % sets.size();
    if (round % 3 == 0) {
      engine.Swap(sets[s]);
      ++swaps;
    } else if (round % 3 == 1) {
      CompileResult r = engine.Reload(paths[s]);
      ASSERT_TRUE(r.ok());
      retired.push_back(r.rule_set);
      ++swaps;
    } else {
      const std::string before = engine.Current()->fingerprint();
      const std::uint64_t generation = engine.generation();
      CompileResult r = engine.Reload(broken);
      EXPECT_FALSE(r.ok());
      EXPECT_GT(r.error_count(), 0u);
      EXPECT_EQ(engine.Current()->fingerprint(), before);
      EXPECT_EQ(engine.generation(), generation);
      ++failed_reloads;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop.store(true);
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_EQ(unknown.load(), 0u);
  EXPECT_EQ(engine.generation(), swaps);
  EXPECT_GT(checked.load(), 1000u);
  for (std::size_t s = 0; s < sets.size(); ++s) {
    EXPECT_GT(per_set[s].load(), 0u) << "no scorer ever ran on set " << s;
  }
  EXPECT_GT(failed_reloads, 0u);
  // Sets loaded from disk and since replaced are freed once no scorer holds them.
  engine.Swap(sets[0]);
  std::size_t alive = 0;
  for (const auto& w : retired) alive += !w.expired();
  EXPECT_EQ(alive, 0u);
  std::printf("hot reload: %llu records checked on %llu scorers across %llu swaps and %llu refused "
              "reloads\n",
              static_cast<unsigned long long>(checked.load()),
              static_cast<unsigned long long>(scorers_made.load()),
              static_cast<unsigned long long>(swaps), static_cast<unsigned long long>(failed_reloads));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace targeting::testing
