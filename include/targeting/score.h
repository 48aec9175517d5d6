// Scoring records against a rule set (SPEC section 5).
#ifndef TARGETING_SCORE_H_
#define TARGETING_SCORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "targeting/record.h"
#include "targeting/rules.h"
#include "targeting/status.h"

namespace targeting {

struct ScoreOptions {
  // Stands in for the date of a record whose date is missing, in `effective`
  // windows (SPEC section 3). Defaults to today, UTC.
  Days as_of = TodayUtc();
};

// The outcome for one record. Reusable: scoring into the same result again
// does not allocate once warm.
struct ScoreResult {
  double score = 0;
  Lane lane = Lane::kGreen;
  bool sampled = false;
  // Indices into RuleSet::entries() of the fired entries (active and shadow),
  // ascending, which is byte order of their ids.
  std::vector<std::uint32_t> fired;

  void Clear() {
    score = 0;
    lane = Lane::kGreen;
    sampled = false;
    fired.clear();
  }
};

// The sampling decision of SPEC section 5: FNV-1a 64 over salt:record_id,
// then splitmix64, then the top 53 bits against `rate`.
bool IsSampled(double rate, std::string_view salt, std::string_view record_id);
std::uint64_t Fnv1a64(std::string_view bytes);
std::uint64_t SplitMix64(std::uint64_t z);

// Scores records against one RuleSet. Holds per-thread scratch: not
// thread-safe, use one Scorer per thread. Keeps the RuleSet alive.
class Scorer {
 public:
  explicit Scorer(std::shared_ptr<const RuleSet> rules, ScoreOptions options = {});
  ~Scorer();
  Scorer(Scorer&&) noexcept;
  Scorer& operator=(Scorer&&) noexcept;

  const RuleSet& rules() const { return *rules_; }
  const std::shared_ptr<const RuleSet>& rules_ptr() const { return rules_; }
  const ScoreOptions& options() const { return options_; }

  // Scores with the index: probes give candidates, only candidates are
  // verified. Returns an error (and an empty result) when the record was not
  // built with this rule set's schema.
  Status Score(const Record& record, ScoreResult* result);
  // Scores by walking every entry's condition: the correctness reference.
  Status ScoreReference(const Record& record, ScoreResult* result);

 private:
  struct Scratch;
  std::shared_ptr<const RuleSet> rules_;
  ScoreOptions options_;
  std::unique_ptr<Scratch> scratch_;
};

// Writes the SPEC section 5 JSON object for one scored record (no newline).
void AppendScoreJson(const RuleSet& rules, std::string_view record_id, const ScoreResult& result,
                     std::string* out);

// Holds the current RuleSet and swaps in a new one atomically while scorers
// run elsewhere (hot reload). Thread-safe. A scorer made from Current() keeps
// its RuleSet alive, so work in flight finishes on the set it started with.
class Engine {
 public:
  explicit Engine(std::shared_ptr<const RuleSet> initial);

  std::shared_ptr<const RuleSet> Current() const;
  // Increments on every successful swap.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Installs `next` (must be non-null).
  void Swap(std::shared_ptr<const RuleSet> next);
  // Compiles `path` and installs it when it compiles without errors. On
  // failure the current set stays in place and the result carries the issues
  // or the status that explain why.
  CompileResult Reload(const std::string& path, CompileOptions options = {});

  // A Scorer on the current set.
  Scorer NewScorer(ScoreOptions options = {}) const { return Scorer(Current(), options); }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const RuleSet> current_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace targeting

#endif  // TARGETING_SCORE_H_
