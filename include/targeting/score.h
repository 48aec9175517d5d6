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
#include "targeting/stream.h"

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
  // The record's aggregate measures (SPEC section 8), set by Scorer::Score
  // and Scorer::Measure; empty for a rule set without aggregates. Clear()
  // keeps them: Scorer::ScoreMeasured reads them.
  AggregateMeasures measures;

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
//
// On a rule set with aggregates (SPEC section 8) a Scorer carries the stream:
// Score and ScoreReference each advance a stream of their own, so every
// record given to one of them is a record of its stream, in the order given
// (a rejected record must not be given). stream() is the StreamState that
// Score advances: load it (StreamState::LoadFile) before the first record
// and save it (StreamState::SaveFile) after the last to carry the stream
// across runs. To score on several threads, advance one scorer's stream in
// input order with Measure and give each result to ScoreMeasured on any
// scorer of the same RuleSet: the measures are the only state.
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

  // The stream stage alone: advances stream() (or reference_stream()) by
  // `record` and sets result->measures; nothing else of *result changes.
  // Without aggregates it only clears result->measures.
  Status Measure(const Record& record, ScoreResult* result);
  Status MeasureReference(const Record& record, ScoreResult* result);
  // Measure for records[0], ..., records[n - 1] in order, into each
  // results[i].measures: the same as n calls of Measure, faster on a large
  // history (StreamState::AdvanceBatch). The first error is returned; the
  // result of a record refused is cleared, as Measure clears it.
  Status MeasureBatch(const Record* records, ScoreResult* results, std::size_t n);
  // Scores with result->measures as the record's measures (from Measure, on
  // this or another scorer of the same RuleSet); does not touch a stream.
  Status ScoreMeasured(const Record& record, ScoreResult* result);
  Status ScoreReferenceMeasured(const Record& record, ScoreResult* result);

  // True when the rule set has aggregates (and a Scorer carries a stream).
  bool has_stream() const;
  // The stream Score advances; null without aggregates. Owned by the scorer.
  StreamState* stream();
  // The stream ScoreReference advances (StreamState::Kind::kReference).
  StreamState* reference_stream();
  // Hot reload: continues on `next` (same schema) keeping the history of
  // every aggregate whose definition is unchanged; the labels of those that
  // start empty are appended to *started_empty. On error nothing changes.
  Status Rebind(std::shared_ptr<const RuleSet> next, std::vector<std::string>* started_empty);
  // Takes over `other`'s caches (the answers of `similar` lookups, which
  // hold across rule sets), as Rebind keeps its own: a scorer that replaces
  // another after a reload starts warm. `other` keeps working, cold.
  void AdoptCaches(Scorer* other);

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
// Drops `p` on a background thread (started on first use, joined at exit),
// so that releasing the last reference to a large rule set -- a few hundred
// milliseconds at 100k entries -- does not stall the thread that scores.
void ReleaseInBackground(std::shared_ptr<const void> p);

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
  // Moves `scorer` to the current set when a reload installed a new one,
  // keeping the stream history of the aggregates whose definitions are
  // unchanged (Scorer::Rebind); a no-op when it is already current.
  Status Refresh(Scorer* scorer, std::vector<std::string>* started_empty = nullptr) const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const RuleSet> current_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace targeting

#endif  // TARGETING_SCORE_H_
