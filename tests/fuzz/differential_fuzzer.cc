// libFuzzer target 'differential': a rule and records: the index against the reference.
// See tests/fuzz/fuzz_entries.h for the invariants and docs/fuzzing.md to run it.
#include "fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return targeting::fuzz::RunOrTrap(&targeting::fuzz::RunDifferential, data, size);
}
