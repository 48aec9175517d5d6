// Layout: measure/ joins outcomes and computes backtests, promotion and diffs (engine stage 11 of 11).
// Joining scored records to exam outcomes, as backtest and diff both do.
// Private header.
#ifndef TARGETING_LIB_MEASURE_OUTCOME_JOIN_H_
#define TARGETING_LIB_MEASURE_OUTCOME_JOIN_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "targeting/measure.h"

namespace targeting::internal {

// Finds each record's outcome and remembers which outcomes were joined, for
// the outcome counts and the unmatched ids of a report. `outcomes` may be
// null (no outcomes file) and must outlive the join. Not thread-safe.
class OutcomeJoin {
 public:
  explicit OutcomeJoin(const Outcomes* outcomes) : outcomes_(outcomes) {
    if (outcomes_) joined_.assign(outcomes_->size(), 0);
  }

  // The index of `record_id`'s outcome, now counted as joined; -1 when it
  // has none (or there are no outcomes).
  int Join(std::string_view record_id) {
    if (!outcomes_) return -1;
    const int i = outcomes_->FindIndex(record_id);
    if (i >= 0) joined_[static_cast<std::size_t>(i)] = 1;
    return i;
  }

  // The file's rows, bad rows and duplicates, and the outcomes no record
  // joined; all zero without outcomes.
  OutcomeCounts Counts() const {
    OutcomeCounts c;
    if (!outcomes_) return c;
    c.rows = outcomes_->rows();
    c.bad = outcomes_->bad_rows().size();
    c.duplicates = outcomes_->duplicates();
    for (char j : joined_) c.unmatched += j == 0;
    return c;
  }

  // Per outcome index, whether a record joined it.
  const std::vector<char>& joined() const { return joined_; }

  // The record ids of the outcomes no record joined, in file order, at most
  // `limit` of them.
  std::vector<std::string> UnmatchedIds(std::size_t limit) const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < joined_.size() && out.size() < limit; ++i) {
      if (!joined_[i]) out.push_back(outcomes_->id(i));
    }
    return out;
  }

 private:
  const Outcomes* outcomes_;
  std::vector<char> joined_;  // per outcome index
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_MEASURE_OUTCOME_JOIN_H_
