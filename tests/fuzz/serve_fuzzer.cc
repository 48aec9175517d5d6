// libFuzzer target 'serve': bytes read as HTTP requests and answered by the service.
// See tests/fuzz/fuzz_entries.h for the invariants and docs/fuzzing.md to run it.
#include "fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return targeting::fuzz::RunOrTrap(&targeting::fuzz::RunServe, data, size);
}
