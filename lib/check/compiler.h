// Layout: check/ turns rule files into a plan, or issues (engine stage 6 of 11).
// The check stage: reads a rule set's files into a plan, reporting every
// mistake as an Issue (SPEC sections 1-4). Private header.
#ifndef TARGETING_LIB_CHECK_COMPILER_H_
#define TARGETING_LIB_CHECK_COMPILER_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "load/sources.h"
#include "plan/ruleset_data.h"
#include "targeting/rules.h"
#include "targeting/status.h"

namespace targeting::internal {

// A checked rule set, ready for the index stage. `data` is null when there
// are errors (in `issues`) or a system failure (in `status`).
struct Plan {
  std::unique_ptr<RuleSetData> data;
  std::vector<Issue> issues;  // in file order
  Status status;
};

// Checks the configuration, the schema, the lists and every entry of
// `sources`, and plans the entries: predicates interned, conditions laid out,
// entries sorted by id, the fingerprint computed. Never throws.
Plan CheckAndPlan(const SourceSet& sources);

// The number of issues of severity error.
std::size_t ErrorCount(const std::vector<Issue>& issues);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_CHECK_COMPILER_H_
