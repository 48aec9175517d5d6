// The indexed matcher: per-field indexes over interned predicates give
// candidate entries for a record, and only candidates are verified
// (DESIGN.md, "index first, verify second"). Private header.
#ifndef TARGETING_LIB_INDEX_MATCH_INDEX_H_
#define TARGETING_LIB_INDEX_MATCH_INDEX_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "plan/ruleset_data.h"
#include "targeting/record.h"

namespace targeting::internal {

// Built once per RuleSet; immutable and thread-safe afterwards. All per-record
// state lives in a Scratch, one per thread.
class MatchIndex {
 public:
  class Scratch {
   public:
    virtual ~Scratch() = default;
  };

  virtual ~MatchIndex() = default;
  virtual std::unique_ptr<Scratch> NewScratch() const = 0;
  // Fills *fired with the active and shadow entries whose condition (with
  // scope and effective) holds, ascending: exactly what ReferenceMatch gives.
  virtual void Match(const Record& record, Days as_of, Scratch* scratch,
                     std::vector<std::uint32_t>* fired) const = 0;
};

// Builds data->index and sets EntryInfo::always_verify on entries the index
// cannot narrow. Called by the compiler after entries are sorted.
void BuildMatchIndex(RuleSetData* data, const Limits& limits);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_INDEX_MATCH_INDEX_H_
