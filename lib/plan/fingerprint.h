// The rule set's canonical text and its SHA-256 fingerprint. Private header.
#ifndef TARGETING_LIB_PLAN_FINGERPRINT_H_
#define TARGETING_LIB_PLAN_FINGERPRINT_H_

#include <string>
#include <string_view>

#include "plan/ruleset_data.h"

namespace targeting::internal {

// An incremental SHA-256 (OpenSSL's EVP), for data fed in pieces: a file
// read in blocks, an outcomes table row by row. Not thread-safe; not copyable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  // Lower-case hex of the digest of everything fed; call once.
  std::string Hex();

 private:
  void* ctx_;  // EVP_MD_CTX
};

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// Fills data->canonical and data->fingerprint. The canonical text covers the
// schema, the configuration and every compiled entry (metadata and condition
// with normalized operands), in id order; it leaves out comments, layout,
// file names, list names and inline tests, which do not change any result.
// Sets data->fingerprint: the SHA-256 of CanonicalText(*data).
void ComputeFingerprint(RuleSetData* data);
// The normalized content the fingerprint is taken over.
std::string CanonicalText(const RuleSetData& data);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_PLAN_FINGERPRINT_H_
