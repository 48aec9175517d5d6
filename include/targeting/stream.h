// Aggregates over a stream of records (SPEC section 8): the history a stream
// keeps, the measures it gives each record, and saving it across runs.
//
//   Record ──StreamState::Advance──> AggregateMeasures ──Scorer──> ScoreResult
//
// A Scorer on a rule set with aggregates carries a StreamState of its own
// (Scorer::stream()), so Scorer::Score is all most callers need: feed it the
// records in stream order. To score on several threads, advance one stream in
// input order (Scorer::Measure, or a StreamState) and hand each record with
// its measures to any scorer on the same rule set (Scorer::ScoreMeasured).
#ifndef TARGETING_STREAM_H_
#define TARGETING_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "targeting/record.h"
#include "targeting/status.h"

namespace targeting {

class RuleSet;

// The measures of every aggregate of a rule set for one record of a stream,
// by aggregate index (RuleSet::aggregates()). Value type; reusable.
struct AggregateMeasures {
  std::vector<double> value;         // count, sum or distinct count
  std::vector<std::uint8_t> keyed;   // 0: a `by` field is missing, the condition is false
  void Clear() {
    value.clear();
    keyed.clear();
  }
};

// What a stream holds, for `targeting bench` and tests.
struct StreamStats {
  std::uint64_t records = 0;  // advanced so far (this run)
  std::uint64_t keys = 0;     // (aggregate, key) pairs held
  std::uint64_t slots = 0;    // (aggregate, key, day) buckets or values held
  std::size_t memory_bytes = 0;  // an estimate of the history's own memory
};

// The history of one stream for one rule set's aggregates: for every
// distinct aggregate (by, days, where, measure, field), the records of each
// key still inside the window of the latest day H, as SPEC section 8 says;
// history at or before H - days is forgotten.
//
// Not thread-safe: one stream is advanced by one thread, in stream order.
// Keeps the RuleSet alive. The RuleSet itself is never modified.
class StreamState {
 public:
  enum class Kind {
    kIndexed,    // keeps per-key buckets and forgets as it goes
    kReference,  // keeps every record and rescans: the correctness reference
  };
  // `as_of` stands in for the day of a record whose date is missing.
  StreamState(std::shared_ptr<const RuleSet> rules, Days as_of, Kind kind = Kind::kIndexed);
  ~StreamState();
  StreamState(const StreamState&) = delete;
  StreamState& operator=(const StreamState&) = delete;

  const RuleSet& rules() const { return *rules_; }
  // The day a record without a date stands in for from the next Advance on
  // (a long-running stream crossing midnight); the history is unchanged.
  void SetAsOf(Days as_of);
  Kind kind() const { return kind_; }

  // Makes `record` the next record of the stream: fills *out with its
  // measures (r itself and the earlier records of its key in its window),
  // then adds it to the history. kInvalidArgument (and *out cleared) when
  // the record was not built with the rule set's schema.
  Status Advance(const Record& record, AggregateMeasures* out);
  // Advances by records[0], ..., records[n - 1] in that order, exactly as n
  // calls of Advance would (record i's measures in *out[i]), but faster on a
  // large history: while it advances one record it builds the keys of the
  // next few and fetches their state into cache. A record not built with the
  // rule set's schema is skipped with its measures cleared, as Advance does;
  // the status is then Advance's error. Batches of any size may follow one
  // another and single Advance calls.
  Status AdvanceBatch(const Record* const* records, std::size_t n, AggregateMeasures* const* out);
  // The measures Advance would give `record` were it the stream's next
  // record, without adding it: the history and the clock are unchanged.
  // For questions about a record against the live stream (targeting serve's
  // POST /v1/explain). Costs the record's keys' history, not the stream's.
  // kInvalidArgument (and *out cleared) as Advance.
  Status Peek(const Record& record, AggregateMeasures* out) const;

  // The state file (docs/rule-language.md, "State files"): a versioned
  // binary file naming each aggregate by its definition, with a checksum.
  // Save writes the history of every aggregate of the rule set.
  std::string Save() const;
  // Replaces `path` whole or not at all: writes a temporary file beside it,
  // fsyncs it, renames it over `path`. kIoError with the reason otherwise.
  Status SaveFile(const std::string& path) const;
  // Reads a state file's bytes into a stream that has not advanced yet.
  // kInvalidArgument with a one-line reason ("NAME: ...") for a corrupt,
  // truncated or foreign file or one of a newer format, and the stream is
  // left as it was. Aggregates of the rule set that the file does not hold
  // start empty; their labels are appended to *not_in_file (when non-null).
  Status Load(std::string_view bytes, const std::string& name,
              std::vector<std::string>* not_in_file = nullptr);
  // As Load, from a file: kNotFound when it does not exist (the stream is
  // then empty, as a new one), kIoError when it cannot be read.
  Status LoadFile(const std::string& path, std::vector<std::string>* not_in_file = nullptr);

  // Hot reload: the stream continues under `next` (same schema). The history
  // of each aggregate whose definition is unchanged is kept; the others
  // start empty and their labels are returned. kInvalidArgument (nothing
  // changed) when the schemas differ. When `next` has the same definitions
  // in the same order (entries changed, aggregates not), the history is kept
  // as it is and re-pointed at `next`, in time linear in the aggregates and
  // not in the keys, and the stream's reference to the old set is dropped;
  // otherwise each kept aggregate is carried over key by key, in time linear
  // in the keys held.
  Status Rebind(std::shared_ptr<const RuleSet> next, std::vector<std::string>* started_empty);

  StreamStats stats() const;

  struct Impl;  // opaque

 private:
  friend Status SaveStreamsFile(const std::string&, const std::vector<const StreamState*>&);
  void AppendHeld(void* held_state) const;  // internal::HeldState
  std::shared_ptr<const RuleSet> rules_;
  Kind kind_;
  std::unique_ptr<Impl> impl_;
};

// Writes the aggregates of several streams that saw the same records (the
// two rule sets of a diff, say) to one state file, each definition once,
// taken from the first stream that has it; replaces `path` as SaveFile does.
Status SaveStreamsFile(const std::string& path, const std::vector<const StreamState*>& streams);

// Replaces `path` with `bytes` (from StreamState::Save) as SaveFile does:
// write aside, fsync, rename. For callers that take Save() under their own
// lock and write the file outside it (targeting serve's checkpoints).
Status WriteStateFile(const std::string& path, std::string_view bytes);

}  // namespace targeting

#endif  // TARGETING_STREAM_H_
