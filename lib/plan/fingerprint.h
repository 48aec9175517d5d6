// The rule set's canonical text and its SHA-256 fingerprint. Private header.
#ifndef TARGETING_LIB_PLAN_FINGERPRINT_H_
#define TARGETING_LIB_PLAN_FINGERPRINT_H_

#include <string>
#include <string_view>

#include "plan/ruleset_data.h"

namespace targeting::internal {

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// Fills data->canonical and data->fingerprint. The canonical text covers the
// schema, the configuration and every compiled entry (metadata and condition
// with normalized operands), in id order; it leaves out comments, layout,
// file names, list names and inline tests, which do not change any result.
void ComputeFingerprint(RuleSetData* data);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_PLAN_FINGERPRINT_H_
