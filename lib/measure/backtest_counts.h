// The counts behind a backtest report (SPEC section 6), apart from the rule
// set and the outcomes they were counted with: what Backtest accumulates,
// what a partial backtest writes and reads back, and what partials of shards
// of one stream merge into. Private header.
#ifndef TARGETING_LIB_MEASURE_BACKTEST_COUNTS_H_
#define TARGETING_LIB_MEASURE_BACKTEST_COUNTS_H_

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "measure/exact_sum.h"
#include "plan/ruleset_data.h"
#include "targeting/measure.h"

namespace targeting::internal {

// One active or shadow entry.
struct SlotCounts {
  int entry = -1;  // index into RuleSet::entries()
  std::string id;
  EntryKind kind = EntryKind::kRule;
  EntryStatus status = EntryStatus::kActive;
  bool active = false;
  bool rule = false;
  std::vector<int> tags;  // indices into BacktestCounts::priorities
  std::uint64_t fired = 0, examined = 0, discrepant = 0, unique = 0, fresh = 0, seizures = 0;
  std::uint64_t only = 0;  // discrepant records no other active entry fired on
  ExactSum msrp;
  boost::unordered_flat_set<std::uint32_t> ports;  // indices into BacktestCounts::port_names
  std::vector<std::string> examples;               // first `examples` ids of `only` records
};

struct BacktestCounts {
  // What the counts were counted with: partials merge only when all of it agrees.
  std::string fingerprint;
  std::string schema;  // Schema::Canonical()
  std::vector<std::string> priorities;
  PromotionCriteria criteria;
  std::size_t overlap_top = 20;
  double redundant_jaccard = 0.8;
  std::size_t examples = 5;
  std::size_t max_pairs = 4'000'000;
  bool has_outcomes = false;
  std::string outcomes_digest;  // sha256 of the joined outcomes, "" without outcomes
  std::uint64_t outcome_rows = 0, outcome_bad = 0, outcome_duplicates = 0;
  // Entries with an aggregate condition: shards of a stream each see only
  // their own records, so their partials do not merge.
  std::vector<std::string> aggregate_entries;

  // Counted.
  std::vector<char> joined;  // per outcome index: joined by at least one record
  std::uint64_t records = 0, rejected = 0, examined = 0, discrepant = 0, sampled = 0;
  std::uint64_t sampled_examined = 0, sampled_discrepant = 0;
  std::uint64_t by_rule = 0, by_query = 0, missed = 0;
  std::array<std::uint64_t, kIdentifiedByCount> identified_by{};
  std::vector<std::uint64_t> tag_discrepant;
  std::vector<std::string> port_names;
  boost::unordered_flat_map<std::string, std::uint32_t, StringHash, std::equal_to<>> port_ids;
  std::vector<SlotCounts> slots;  // by id
  boost::unordered_flat_map<std::uint64_t, std::uint64_t> pairs;  // PairKey(a, b) -> both
  bool pairs_truncated = false;

  // The index of port `value`, added when new.
  std::uint32_t PortId(std::string_view value);
};

// The key of a pair of slots a < b in BacktestCounts::pairs, and back.
inline std::uint64_t PairKey(int a, int b) {
  return (static_cast<std::uint64_t>(a) << 32) | static_cast<std::uint32_t>(b);
}
inline int PairFirst(std::uint64_t key) { return static_cast<int>(key >> 32); }
inline int PairSecond(std::uint64_t key) { return static_cast<int>(key & 0xffffffffu); }

// The report the counts make (backtest_report.cc).
BacktestReport ReportOf(const BacktestCounts& counts);

// A partial backtest as versioned JSON text, and back (backtest_partial.cc).
// Reading never trusts the text: anything malformed is an error naming
// `name`.
void AppendPartialJson(const BacktestCounts& counts, std::string* out);
Result<BacktestCounts> ReadPartialJson(std::string_view text, const std::string& name);
// Adds `shard` (the next shard of the stream) to `into`; errors when they
// were not counted with the same rule set, schema, outcomes and options.
Status MergeCounts(BacktestCounts* into, const BacktestCounts& shard, const std::string& name);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_MEASURE_BACKTEST_COUNTS_H_
