// The history of one aggregate (SPEC section 8), kept two ways: the indexed
// history used for scoring, which keeps per-key buckets and forgets what
// falls out of the window of the latest day, and the reference, which keeps
// every record and rescans it. Both give exactly the same measures; the
// differential tests hold them to it. Private header.
#ifndef TARGETING_LIB_STREAM_HISTORY_H_
#define TARGETING_LIB_STREAM_HISTORY_H_

#include <algorithm>
#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plan/ruleset_data.h"
#include "targeting/record.h"
#include "targeting/stream.h"

namespace targeting::internal {

// What a history holds for one key, in the form state files keep: for count
// one item per day (n records), for sum one item per counted value in stream
// order, for distinct one item per (day, value).
struct HeldItem {
  Days day = 0;
  std::uint32_t n = 0;  // count
  double number = 0;    // sum
  std::string text;     // distinct: the value in key form
};
using HeldVisitor = std::function<void(std::string_view key, const std::vector<HeldItem>& items)>;

// Where the stream is: H, the latest day so far (SPEC section 8).
struct StreamClock {
  bool started = false;
  Days latest = 0;
  // Days at or before this are forgotten by an aggregate of `days`.
  Days ForgetAtOrBefore(int days) const { return latest - days; }
  // A record of day `day` arrives.
  void Tick(Days day) {
    latest = started ? std::max(latest, day) : day;
    started = true;
  }
};

class AggregateHistory {
 public:
  virtual ~AggregateHistory() = default;
  // The measure for `r` (day `day`, clock already advanced to include it),
  // then r joins the history. *keyed = false when a by field is missing.
  virtual void Advance(const Record& r, Days day, Days as_of, const StreamClock& clock,
                       double* value, bool* keyed) = 0;
  // Every key still held, with its items (day > H - days only).
  virtual void Export(const StreamClock& clock, const HeldVisitor& visit) const = 0;
  // The items Export would give for `key` alone, into *held (cleared; empty
  // when the key holds nothing).
  virtual void ExportKey(std::string_view key, const StreamClock& clock,
                         std::vector<HeldItem>* held) const = 0;
  // Adds one key's items (from a state file) to an empty history.
  virtual void Import(std::string_view key, const std::vector<HeldItem>& items) = 0;
  virtual std::uint64_t keys() const = 0;
  virtual std::uint64_t slots() const = 0;
  virtual std::size_t MemoryBytes() const = 0;
};

std::unique_ptr<AggregateHistory> NewReferenceHistory(const RuleSetData& data, int aggregate);

// The history of every aggregate of one rule set, as one stream keeps it.
// Aggregate `a` is data.aggregates[a]; measures come out by that index.
class StreamHistory {
 public:
  virtual ~StreamHistory() = default;
  // Fills out->value and out->keyed (already sized to the aggregates) for
  // `r`, then r joins the history; as AggregateHistory::Advance per aggregate.
  virtual void Advance(const Record& r, Days day, Days as_of, const StreamClock& clock,
                       AggregateMeasures* out) = 0;
  // As Advance for records[i] (day days[i]) in order, i < n, each after
  // clock->Tick(days[i]). The indexed history looks ahead in the batch to
  // fetch the next records' state while it advances in stream order.
  virtual void AdvanceBatch(const Record* const* records, const Days* days, std::size_t n,
                            Days as_of, StreamClock* clock, AggregateMeasures* const* out) {
    for (std::size_t i = 0; i < n; ++i) {
      clock->Tick(days[i]);
      Advance(*records[i], days[i], as_of, *clock, out[i]);
    }
  }
  virtual void Export(int aggregate, const StreamClock& clock, const HeldVisitor& visit) const = 0;
  // As Export for aggregate `aggregate` and `key` alone (a key in the form
  // AggregateKey builds), into *held: cleared, empty when nothing is held.
  virtual void ExportKey(int aggregate, std::string_view key, const StreamClock& clock,
                         std::vector<HeldItem>* held) const = 0;
  // A hint before `keys` Import calls for `aggregate`.
  virtual void ReserveKeys(int /*aggregate*/, std::size_t /*keys*/) {}
  // Adds one key's items to aggregate `aggregate`, which does not hold the key yet.
  virtual void Import(int aggregate, std::string_view key, const std::vector<HeldItem>& items) = 0;
  // From now on refers to `data` in place of the rule set it was made with,
  // whose aggregates are the same definitions in the same order
  // (AggregateDef::key, index for index) and whose schema is the same: the
  // history is kept as it is and the old set may go (StreamState::Rebind).
  virtual void Retarget(const RuleSetData& data) = 0;
  virtual std::uint64_t keys() const = 0;
  virtual std::uint64_t slots() const = 0;
  virtual std::size_t MemoryBytes() const = 0;
};

// The indexed history (lib/stream/indexed_history.cc): keys shared by the
// aggregates of one `by`, packed per-key state, forgetting as it goes.
std::unique_ptr<StreamHistory> NewIndexedStream(const RuleSetData& data);
// Its AdvanceBatch looks ahead (fetches the next records' rows and items
// while it advances this one) only while the history holds at least this
// many bytes: a history that fits in the caches advances faster without it.
// A setting for tests, which force both ways; the default is
// kLookAheadFromBytes.
inline constexpr std::size_t kLookAheadFromBytes = std::size_t{16} << 20;
extern std::atomic<std::size_t> look_ahead_from_bytes;

// One reference history per aggregate (lib/stream/reference_history.cc).
std::unique_ptr<StreamHistory> NewReferenceStream(const RuleSetData& data);

// The values `r` contributes to the measure of `def` (sum: its numbers;
// distinct: its values in key form), none for count.
void MeasuredValues(const Schema& schema, const AggregateDef& def, const Record& r,
                    std::vector<double>* numbers, std::vector<std::string>* texts);

// Streams an inline test's records (TestCase::before, then record) through
// reference histories of their own and sets *last to the last one's measures.
void StreamTestRecords(const RuleSetData& data, const TestCase& tc, Days as_of,
                       AggregateMeasures* last);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_STREAM_HISTORY_H_
