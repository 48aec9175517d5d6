// The aggregate mix of the benchmark harness (SPEC section 8): what keeping
// aggregates costs per record, what aggregate conjuncts cost the index, the
// stream's memory per item held, and saving and loading a state file.
#ifndef TARGETING_BENCH_AGGREGATE_BENCH_H_
#define TARGETING_BENCH_AGGREGATE_BENCH_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace targeting::bench {

// Prints the table; `records` synthetic records (sorted by arrival date, so
// the stream is in date order), `seed` for rules and records. `parts` names
// the parts to run, comma-separated (keep, conjuncts, memory, state); empty
// runs them all.
int AggregateSummary(std::size_t records, std::uint64_t seed, const std::string& parts = "");

}  // namespace targeting::bench

#endif  // TARGETING_BENCH_AGGREGATE_BENCH_H_
