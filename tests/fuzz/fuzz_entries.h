// The entry functions of the fuzz targets, shared by the libFuzzer binaries
// (tests/fuzz/*_fuzzer.cc, built with -DTARGETING_BUILD_FUZZERS=ON and clang)
// and by the GoogleTest that replays the seed corpora and every kept crash
// input (tests/unit/fuzz_replay_test.cc), so CI replays them without clang.
//
// Each entry runs one input through the library and checks the invariants
// that must hold for every input; it returns "" when they all hold, else a
// description of the first one broken. Crashes, leaks, undefined behaviour
// and hangs are for the sanitizers and libFuzzer to catch.
#ifndef TARGETING_TESTS_FUZZ_FUZZ_ENTRIES_H_
#define TARGETING_TESTS_FUZZ_FUZZ_ENTRIES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace targeting::fuzz {

// YAML text compiled as a single-file rule set (CompileString). When it
// compiles: its inline tests are run, and records built from its own
// operands are scored by the index and by the reference, which must agree.
std::string RunRules(std::string_view input);
// Text read as CSV / JSON Lines records with the manifest schema and small
// ReaderOptions limits: every Read() is a record or a reject with a line and
// a reason, the input read whole and in small chunks gives the same result,
// and each record is scored by the index and the reference alike.
std::string RunCsv(std::string_view input);
std::string RunJsonl(std::string_view input);
// A rule and records in one input: the YAML before the first line "%%", the
// records after it (JSON Lines when the first non-space byte is '{', else
// CSV with a header). Every record, and records built from the rule's
// operands, must fire the same entries by Scorer::Score and ScoreReference.
std::string RunDifferential(std::string_view input);
// An outcomes CSV (SPEC section 6, Outcomes::ReadCsvString): every data row
// is an outcome, a duplicate or a bad row with a line and a reason, and every
// outcome is found under its own id.
std::string RunOutcomes(std::string_view input);

// A stream state file (SPEC section 8, StreamState::Load) for a fixed rule
// set with a count, a sum and a distinct aggregate. The first byte chooses:
// odd, the rest is a file body that gets its checksum appended (so the
// fuzzer reaches past it); even, the rest is the file as is. A load either
// succeeds or fails with a one-line reason naming the file and leaves the
// stream as it was; a loaded state saves and loads back to the same bytes,
// and the stream advances from it.
std::string RunState(std::string_view input);
// The rule set RunState loads states for (to write seed inputs).
const char* StateFuzzRules();
// Bytes read as HTTP requests (Beast's parser, as the server reads them)
// and answered by the service (serve/service.h) on a small rule set: every
// answer has a known status and a body of its declared length; JSON answers
// are valid JSON; a score answers one result per record sent, in order, and
// the record counters grow by exactly that many; the body splitter agrees
// with Boost.JSON's own parse on every valid body. In tests/fuzz/fuzz_serve.cc.
std::string RunServe(std::string_view input);

using Entry = std::string (*)(std::string_view input);

struct Target {
  const char* name;  // as in tests/fuzz/corpus/NAME and tests/fuzz/regressions/NAME
  Entry entry;
};
// Every fuzz target, by name.
const std::vector<Target>& Targets();

// For LLVMFuzzerTestOneInput: runs `entry` and traps, after printing what
// broke, when an invariant does not hold.
int RunOrTrap(Entry entry, const std::uint8_t* data, std::size_t size);

}  // namespace targeting::fuzz

#endif  // TARGETING_TESTS_FUZZ_FUZZ_ENTRIES_H_
