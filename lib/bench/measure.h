// Timing the indexed scorer against the reference on the same pre-parsed
// records (DESIGN.md: every speed claim is a ratio from one run). Used by
// `targeting bench` and bench/. Private header.
#ifndef TARGETING_LIB_BENCH_MEASURE_H_
#define TARGETING_LIB_BENCH_MEASURE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "targeting/record.h"
#include "targeting/rules.h"

namespace targeting::bench {

struct MeasureOptions {
  int threads = 1;                 // scorers (one per thread) for the throughput figures
  double min_seconds = 1.0;        // the indexed run repeats the records until this long
  double reference_seconds = 10;   // the reference stops after this long (a sample)
  std::size_t latency_records = 200'000;  // records timed one by one (from the start)
  // A state file's bytes (--state): every scorer's stream starts from it.
  std::string state;
};

struct Measurement {
  std::size_t records = 0;
  int threads = 1;
  double indexed_rps = 0;          // records per second of wall time, all threads together
  double reference_rps = 0;
  double indexed_rps_cpu = 0;      // records per second of CPU time (per core)
  double reference_rps_cpu = 0;
  std::size_t reference_records = 0;  // how many the reference scored
  bool reference_sampled = false;     // fewer than all records (time budget)
  std::size_t mismatches = 0;  // records where index and reference disagreed (must be 0)
  double p50_us = 0;           // single-record latency of the indexed scorer, one thread
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  double candidates_per_record = 0;  // entries verified per record
  double fired_per_record = 0;
  // similar, on the first pass over the records (a cold cache): lookups per
  // record, the share answered from the cache, and of the lookups that were
  // not, the share of list operands compared with Jaro-Winkler.
  double similar_lookups_per_record = 0;
  double similar_cached_share = 0;
  double similar_pass_rate = 0;
  // Aggregates (SPEC section 8): the stream stage alone, one pass on one
  // thread in input order, and what the stream holds at its end.
  std::size_t aggregates = 0;
  double stream_ns_per_record = 0;
  std::uint64_t stream_keys = 0;
  std::uint64_t stream_slots = 0;
  std::size_t stream_memory_bytes = 0;
  std::string error;  // set when a record cannot be scored; nothing was timed
};

// Scores `records` with the index and with the reference. The records must be
// built with rules->schema() (else Measurement::error says so and nothing is
// timed) and outlive the call. Nothing is printed.
Measurement Measure(const std::shared_ptr<const RuleSet>& rules, const std::vector<Record>& records,
                    Days as_of, const MeasureOptions& options);

// One pass of the index over `records` (which also warms its caches):
// entries verified and entries fired, per record. `records` must not be empty.
struct PerRecord {
  double candidates = 0;
  double fired = 0;
  double similar_lookups = 0;  // per record, cached or not
  double similar_cached_share = 0;
  double similar_pass_rate = 0;  // operands compared / operands, over uncached lookups
};
PerRecord CountPerRecord(const RuleSet& rules, const std::vector<Record>& records, Days as_of);

// Bytes the allocator holds in use (glibc mallinfo2), for "compiled memory".
std::size_t HeapInUse();

}  // namespace targeting::bench

#endif  // TARGETING_LIB_BENCH_MEASURE_H_
