// Layout: bench/ holds the synthetic rule sets and timing, in the targeting_tools library, not the engine.
// Synthetic rule sets and manifest records for benchmarks (bench/ and
// `targeting bench`): plausible HS codes, ports, countries, carriers,
// importers and goods descriptions, drawn from skewed (Zipf) distributions so
// that a few values are common and most are rare, as in real manifests.
// Deterministic by seed. Private header.
#ifndef TARGETING_LIB_BENCH_SYNTHETIC_H_
#define TARGETING_LIB_BENCH_SYNTHETIC_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "targeting/record.h"

namespace targeting::synthetic {

// The predicate mix of the conditions in generated rules.
enum class Mix {
  kEqSet,       // every condition an eq / in (or scope)
  kRealistic,   // ~50% eq/in, 25% tariff prefix, 15% numeric range, 10% description regex
  kRegexHeavy,  // ~60% description regex, the rest as realistic
  kNegationOr,  // realistic tests under any / not / at_least, with ne and not_in
};
const char* MixName(Mix mix);
std::optional<Mix> MixFromName(std::string_view name);  // "eqset", "realistic", "regex", "negation"

struct RuleOptions {
  std::size_t rules = 10'000;
  Mix mix = Mix::kRealistic;
  std::uint64_t seed = 1;
};

// The vocabularies records and rules draw from. Immutable; thread-safe.
class Vocabulary;
std::shared_ptr<const Vocabulary> MakeVocabulary(std::uint64_t seed = 7);

// A single-file rule set (manifest schema) as YAML text.
std::string RulesYaml(const RuleOptions& options, const Vocabulary& vocab);

// One manifest line as (field, values) pairs; list fields may have several.
using RawRecord = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Generates manifest records. Not thread-safe; one per thread.
class RecordGenerator {
 public:
  RecordGenerator(std::shared_ptr<const Vocabulary> vocab, std::uint64_t seed);
  ~RecordGenerator();
  RecordGenerator(RecordGenerator&&) noexcept;
  RecordGenerator& operator=(RecordGenerator&&) noexcept;

  // The next record's fields (record_id is "S" + a running number).
  void Next(RawRecord* out);
  // The next record, normalized with `record`'s schema (the manifest).
  bool NextRecord(Record* record, std::string* error);
  // The next record as one JSON object (no newline).
  void NextJson(std::string* out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace targeting::synthetic

#endif  // TARGETING_LIB_BENCH_SYNTHETIC_H_
