// Capacity-aware selection and rules over time (docs/measurement.md,
// "Capacity" and "Rules over time"): what Backtest keeps per record or per
// period for them, and the reports made from it. Private header.
#ifndef TARGETING_LIB_MEASURE_CAPACITY_H_
#define TARGETING_LIB_MEASURE_CAPACITY_H_

#include <boost/unordered/unordered_flat_map.hpp>
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "measure/exact_sum.h"
#include "targeting/measure.h"

namespace targeting::internal {

// One scored record, as capacity selection needs it.
struct CapacityRow {
  Days day = 0;
  std::uint32_t port = 0;  // index into the port names, when per-port budgets are asked for
  double score = 0;
  std::uint64_t hash = 0;  // the sampling hash of the record id (SPEC section 5, h >> 11)
  std::int32_t outcome = -1;  // index into the outcomes, or -1
  Lane lane = Lane::kGreen;
  bool sampled = false;
  bool active_fired = false;
};

struct CapacityInput {
  const std::vector<CapacityRow>* rows = nullptr;
  const std::vector<std::string>* port_names = nullptr;
  const Outcomes* outcomes = nullptr;
  bool dated = true;  // the schema has a date field: budgets are per day
  std::uint64_t discrepant = 0;  // every discrepant record of the run
  std::uint64_t sampled_examined = 0, sampled_discrepant = 0;
  double confidence = 0.95;
};

CapacityReport SelectForCapacity(const CapacityBudget& budget, const CapacityInput& in);

// The period of a day: months since 1970-01, or weeks since the Monday
// 1969-12-29; and its label ("2026-03", or the Monday "2026-03-02").
std::int64_t PeriodOf(Days day, TrendPeriod by);
std::string PeriodLabel(std::int64_t period, TrendPeriod by);

// Per (entry slot, period) counts.
struct TrendCounts {
  boost::unordered_flat_map<std::uint64_t, PeriodCounts> cells;  // slot << 32 | (period - first)
  std::int64_t first = INT64_MAX, last = INT64_MIN;              // periods seen
  PeriodCounts& At(int slot, std::int64_t period);
  void Seen(std::int64_t period) {
    first = std::min(first, period);
    last = std::max(last, period);
  }
};

TrendReport TrendsOf(const TrendCounts& counts, TrendPeriod by, const std::vector<std::string>& ids,
                     double confidence, std::uint64_t idle_after);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_MEASURE_CAPACITY_H_
