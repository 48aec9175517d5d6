// Layout: index/ builds the matcher from a plan and finds the entries a record fires (engine stage 7 of 11).
// The indexed matcher: per-field indexes over interned predicates give
// candidate entries for a record, and only candidates are verified
// (DESIGN.md, "index first, verify second"). Private header.
#ifndef TARGETING_LIB_INDEX_MATCH_INDEX_H_
#define TARGETING_LIB_INDEX_MATCH_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "plan/ruleset_data.h"
#include "targeting/record.h"
#include "targeting/stream.h"

namespace targeting::internal {

// What the index is made of, for `targeting bench` and the benchmarks.
struct MatchIndexStats {
  std::size_t scored_entries = 0;     // active and shadow
  std::size_t anchored_entries = 0;   // reached through the index
  std::size_t guarded_entries = 0;    // of which filed under a second test too
  std::size_t guard_leaf_entries = 0;  // with a guard leaf checked before verification
  std::size_t always_verify = 0;      // verified on every record
  std::size_t anchor_predicates = 0;  // distinct predicates entries are indexed by
  std::size_t filtered_predicates = 0;  // other text and prefix tests the probe decides or rules out
  std::size_t indexed_fields = 0;
  std::size_t literals = 0;           // contains operands and regex literals
  std::size_t regex_sets = 0;         // RE2::Sets, after splitting
  std::size_t regex_set_patterns = 0;
  std::size_t unplaced_patterns = 0;  // fit in no RE2::Set: treated as always matching
  std::size_t similar_filters = 0;    // distinct (operands, min) of similar tests
  std::size_t similar_operands = 0;   // operands in those filters
  std::size_t memory_bytes = 0;       // an estimate of the index's own memory
};

// Built once per RuleSet; immutable and thread-safe afterwards. All per-record
// state lives in a Scratch, one per thread.
class MatchIndex {
 public:
  // Per-thread scratch. Not thread-safe; valid only with the index that made it.
  class Scratch {
   public:
    virtual ~Scratch() = default;
    // Running totals over the records matched with this scratch.
    std::uint64_t records = 0;
    std::uint64_t candidates = 0;  // entries verified (index candidates and always-verify)
    // similar: values looked up (and those answered from the cache), the
    // operands the lookups stood for, and the operands the filter let
    // through to exact Jaro-Winkler.
    std::uint64_t similar_queries = 0;     // looked up in a filter (not cached)
    std::uint64_t similar_cache_hits = 0;  // answered from the scratch's cache
    std::uint64_t similar_operands = 0;
    std::uint64_t similar_verified = 0;
    // The measures of the record being matched, for aggregate leaves (set by
    // the scorer before Match; null: every aggregate leaf is false).
    const AggregateMeasures* measures = nullptr;
  };

  virtual ~MatchIndex() = default;
  virtual std::unique_ptr<Scratch> NewScratch() const = 0;
  // Moves into `to` (a scratch of this index) the caches of `from` (a
  // scratch of any index) whose answers hold across indexes: a scorer
  // rebound to a reloaded set keeps what it has learnt. Counters start over.
  virtual void CarryCaches(Scratch* /*from*/, Scratch* /*to*/) const {}
  // Fills *fired with the active and shadow entries whose condition (with
  // scope and effective) holds, ascending: exactly what ReferenceMatch gives.
  // No allocation once the scratch and *fired are warm (RE2::Set::Match, used
  // only for regexes without a required literal, allocates inside RE2).
  virtual void Match(const Record& record, Days as_of, Scratch* scratch,
                     std::vector<std::uint32_t>* fired) const = 0;
  virtual MatchIndexStats stats() const = 0;
  // The predicates `entry` is indexed by (one of them holds whenever it
  // fires); empty for entries verified on every record. For diagnostics.
  virtual std::vector<std::uint32_t> AnchorPredicates(std::uint32_t entry) const = 0;
};

// For tests: entries are filed under a guard (a second required eq/in test)
// when their anchor predicate is shared by at least `from` entries and the
// guard's estimated share of records is below `max_cost`. Lowering both makes
// small rule sets use guards. Process-wide; read when an index is built.
void SetGuardingForTesting(std::uint32_t from, double max_cost);
void ResetGuardingForTesting();

// Builds data->index and sets EntryInfo::always_verify on the scored entries
// the index cannot narrow. Called by the compiler after entries are sorted.
void BuildMatchIndex(RuleSetData* data, const Limits& limits);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_INDEX_MATCH_INDEX_H_
