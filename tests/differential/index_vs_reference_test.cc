// The main correctness net of the matcher (DESIGN.md): random rule sets,
// compiled from YAML text through the whole front end, and random records;
// the indexed scorer and the reference must agree on every (rule set,
// record): fired entries in order, score, lane and sampling.
//
// Environment:
//   TARGETING_DIFF_LONG=1   run >= 10^7 (entry, record) pairs instead of ~10^6
//   TARGETING_DIFF_SEED=S   start from seed S (printed on failure)
//   TARGETING_DIFF_SETS=N   stop after N rule sets (with SEED: reproduce one)
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "differential/random_rules.h"
#include "index/match_index.h"
#include "index/regex_index.h"
#include "plan/ruleset_data.h"
#include "targeting/targeting.h"

namespace targeting::testing {
namespace {

std::uint64_t EnvNumber(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtoull(v, nullptr, 10);
}

std::string FiredIds(const RuleSet& rules, const ScoreResult& r) {
  std::string s = "[";
  for (std::size_t i = 0; i < r.fired.size(); ++i) {
    s += (i ? " " : "") + rules.entries()[r.fired[i]].id;
  }
  return s + "]";
}

bool Same(const ScoreResult& a, const ScoreResult& b) {
  return a.fired == b.fired && a.score == b.score && a.lane == b.lane && a.sampled == b.sampled;
}

// A mismatch, reduced to the one entry (with the configuration and lists)
// when that entry alone still disagrees.
std::string Reproduction(const GeneratedSet& set, const RawRecord& raw, const RuleSet& rules,
                         const ScoreResult& idx, const ScoreResult& ref) {
  std::string out = std::string(set.seed % 5 == 0 ? "(RE2::Set failures simulated) " : "") +
                    std::string(set.seed % 3 == 1 ? "(guards at every shared anchor) " : "") +
                    "seed " + std::to_string(set.seed) + " (TARGETING_DIFF_SEED=" +
                    std::to_string(set.seed) + " TARGETING_DIFF_SETS=1), as_of " +
                    FormatDate(set.as_of) + ", regex_set_max_mem " +
                    std::to_string(set.regex_set_max_mem) + "\n";
  out += "indexed fired   " + FiredIds(rules, idx) + " score " + std::to_string(idx.score) + "\n";
  out += "reference fired " + FiredIds(rules, ref) + " score " + std::to_string(ref.score) + "\n";
  out += "record: " + RecordYaml(raw) + "\n";
  for (std::size_t e = 0; e < set.entries.size(); ++e) {
    std::string yaml = set.YamlWith(e);
    CompileResult one = set.Compile(yaml);
    if (!one.ok()) continue;
    auto rec = RandomRuleSets::Build(one.rule_set->schema(), raw);
    if (!rec.ok()) continue;
    Scorer scorer(one.rule_set, ScoreOptions{set.as_of});
    ScoreResult a, b;
    (void)scorer.Score(rec.value(), &a);
    (void)scorer.ScoreReference(rec.value(), &b);
    if (!Same(a, b)) {
      out += "minimal rule set (one entry):\n";
      if (!set.schema_yaml.empty()) out += "--- schema.yaml\n" + set.schema_yaml + "--- rules.yaml\n";
      return out + yaml;
    }
  }
  out += "no single entry reproduces it; the whole rule set:\n";
  if (!set.schema_yaml.empty()) out += "--- schema.yaml\n" + set.schema_yaml + "--- rules.yaml\n";
  return out + set.Yaml();
}

TEST(Differential, IndexedScorerMatchesReference) {
  const bool long_mode = EnvNumber("TARGETING_DIFF_LONG", 0) == 1;
  const std::uint64_t first_seed = EnvNumber("TARGETING_DIFF_SEED", 20260401);
  const std::uint64_t max_sets = EnvNumber("TARGETING_DIFF_SETS", ~0ULL);
  const std::uint64_t target_pairs = long_mode ? 10'000'000 : 1'000'000;
  const int records_per_set = 200;

  const auto start = std::chrono::steady_clock::now();
  std::uint64_t pairs = 0, sets = 0, records = 0, fired = 0, always = 0, scored_entries = 0;
  std::uint64_t regex_sets = 0, regex_sets_failing = 0, literals = 0, guarded = 0;
  std::uint64_t similar_filters = 0, similar_operands = 0;
  ScoreResult idx, ref;
  for (std::uint64_t seed = first_seed; pairs < target_pairs && sets < max_sets; ++seed) {
    RandomRuleSets gen(seed);
    GeneratedSet set = gen.NextSet(60);
    const std::string yaml = set.Yaml();
    // A third of the sets file every entry they can under a guard (small
    // sets rarely reach the default thresholds).
    if (seed % 3 == 1) {
      internal::SetGuardingForTesting(1, 10.0);
    } else {
      internal::ResetGuardingForTesting();
    }
    CompileResult compiled = set.Compile(yaml);
    if (!compiled.ok()) {
      std::string issues;
      for (const Issue& i : compiled.issues) issues += i.ToString() + "\n";
      FAIL() << "seed " << seed << ": the generated rule set does not compile\n"
             << compiled.status.message() << issues << yaml;
    }
    ++sets;
    // Every fifth set runs with RE2::Set failing as if out of memory, so the
    // pattern-by-pattern fallback is checked against the reference too.
    internal::SimulateRegexSetOutOfMemoryForTesting(seed % 5 == 0);
    const auto rules = compiled.rule_set;
    const internal::MatchIndexStats st = rules->data().index->stats();
    regex_sets += st.regex_sets;
    regex_sets_failing += seed % 5 == 0 ? st.regex_sets : 0;
    literals += st.literals;
    guarded += st.guarded_entries;
    similar_filters += st.similar_filters;
    similar_operands += st.similar_operands;
    Scorer scorer(rules, ScoreOptions{set.as_of});
    std::size_t scored = 0;
    for (const EntryInfo& e : rules->entries()) {
      always += e.always_verify ? 1 : 0;
      scored += e.status == EntryStatus::kActive || e.status == EntryStatus::kShadow;
    }
    scored_entries += scored;
    for (int r = 0; r < records_per_set; ++r) {
      RawRecord raw = gen.NextRecord(r);
      auto rec = RandomRuleSets::Build(rules->schema(), raw);
      ASSERT_TRUE(rec.ok()) << "seed " << seed << ": " << rec.status().message() << "\n"
                            << RecordYaml(raw);
      ASSERT_TRUE(scorer.Score(rec.value(), &idx).ok());
      ASSERT_TRUE(scorer.ScoreReference(rec.value(), &ref).ok());
      if (!Same(idx, ref)) {
        internal::SimulateRegexSetOutOfMemoryForTesting(false);
        if (seed % 3 != 1) internal::ResetGuardingForTesting();
        FAIL() << "the index and the reference disagree\n"
               << Reproduction(set, raw, *rules, idx, ref);
      }
      ++records;
      fired += ref.fired.size();
      pairs += scored;
    }
  }
  internal::SimulateRegexSetOutOfMemoryForTesting(false);
  internal::ResetGuardingForTesting();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "differential: %llu (entry, record) pairs over %llu rule sets and %llu records in %.2f s; "
      "%llu entries fired; %llu of %llu scored entries always verified; %llu RE2::Sets built "
      "(%llu failing on purpose), %llu literals indexed, %llu entries guarded (first seed %llu)\n",
      static_cast<unsigned long long>(pairs), static_cast<unsigned long long>(sets),
      static_cast<unsigned long long>(records), secs, static_cast<unsigned long long>(fired),
      static_cast<unsigned long long>(always), static_cast<unsigned long long>(scored_entries),
      static_cast<unsigned long long>(regex_sets), static_cast<unsigned long long>(regex_sets_failing),
      static_cast<unsigned long long>(literals), static_cast<unsigned long long>(guarded),
      static_cast<unsigned long long>(first_seed));
  std::printf("differential: %llu similar filters over %llu operands\n",
              static_cast<unsigned long long>(similar_filters),
              static_cast<unsigned long long>(similar_operands));
  if (max_sets == ~0ULL) {
    EXPECT_GE(pairs, target_pairs);
  }
  // The generator must exercise the matcher, not just agree on "nothing fires".
  if (max_sets == ~0ULL) {
    EXPECT_GT(fired, records / 4);
    EXPECT_GT(regex_sets_failing, 0u) << "no RE2::Set was built where failures are simulated";
    EXPECT_GT(literals, 0u);
    EXPECT_GT(guarded, 0u) << "no entry was filed under a guard";
    EXPECT_GT(similar_filters, 100u) << "too few similar tests";
    EXPECT_GT(similar_operands, 100'000u) << "similar was not tried on lists of thousands of names";
  }
}

}  // namespace
}  // namespace targeting::testing
