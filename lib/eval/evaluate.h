// Layout: eval/ evaluates conditions on a record, for the index and the reference (engine stage 5 of 11).
// The reference evaluator: walks a condition tree and tests each predicate
// directly against the record. Simple on purpose; it is the correctness
// reference every indexed path is tested against. Private header.
#ifndef TARGETING_LIB_EVAL_EVALUATE_H_
#define TARGETING_LIB_EVAL_EVALUATE_H_

#include "plan/ruleset_data.h"
#include "targeting/record.h"
#include "targeting/stream.h"

namespace targeting::internal {

// Whether `p` holds on `record` (SPEC section 4: false on a missing field; on
// a list field, true when it holds for at least one element). `as_of` stands
// in for a missing date in kEffective. An aggregate leaf reads the record's
// `measures` (false without them).
bool EvalPredicate(const Predicate& p, const Record& record, Days as_of,
                   const AggregateMeasures* measures = nullptr);

// Whether condition node `node` holds.
bool EvalNode(const RuleSetData& data, int node, const Record& record, Days as_of,
              const AggregateMeasures* measures = nullptr);

// Fills *fired with the active and shadow entries whose condition holds, ascending.
void ReferenceMatch(const RuleSetData& data, const Record& record, Days as_of,
                    std::vector<std::uint32_t>* fired,
                    const AggregateMeasures* measures = nullptr);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_EVAL_EVALUATE_H_
