// Layout: gen/ is the corpus generator, in the targeting_tools library, not the engine.
// `targeting gen`: a reproducible synthetic corpus of manifest records, exam
// outcomes and the ground truth behind them. Private header.
//
// The corpus is written as it is generated, record by record, so memory does
// not grow with the number of records. The same options give the same bytes on
// every platform: all randomness comes from gen's own PRNG (gen/rng.h) and all
// numbers are formatted with std::to_chars.
#ifndef TARGETING_LIB_GEN_GEN_H_
#define TARGETING_LIB_GEN_GEN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "gen/planted.h"
#include "targeting/status.h"

namespace targeting::gen {

inline constexpr std::uint64_t kMaxRecords = 9'999'999'999;  // record ids have 10 digits

struct GenOptions {
  std::uint64_t records = 10'000;  // 1 .. kMaxRecords
  std::uint64_t seed = 1;
  // The random compliance sample (SPEC section 5, targeting::IsSampled): every
  // sampled record is examined and only those say identified_by random. The
  // defaults are those of the example pack's targeting.yaml; a corpus meant
  // for another rule set should use that set's rate and salt.
  double sampling_rate = kPackSamplingRate;
  std::string salt = std::string(kPackSalt);
  // Called on the generating thread every 65,536 records and once at the end.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// Receives one output file's bytes in order. Not thread-safe.
class Sink {
 public:
  virtual ~Sink() = default;
  // Returns false when the bytes could not be written; generation then stops.
  virtual bool Write(std::string_view bytes) = 0;
};

// Where each output goes; manifest_jsonl may be null (not written). The sinks
// are not owned and must outlive the call.
struct CorpusSinks {
  Sink* manifest_csv = nullptr;
  Sink* manifest_jsonl = nullptr;
  Sink* outcomes_csv = nullptr;
  Sink* truth_json = nullptr;
};

struct GenSummary {
  std::uint64_t records = 0;
  std::uint64_t sampled = 0;
  std::uint64_t examined = 0;
  std::uint64_t discrepant = 0;  // examined and discrepant
  std::uint64_t outcome_rows = 0;
};

// Generates the corpus into `sinks`. Errors: kInvalidArgument for options out
// of range, kIoError when a sink fails.
Result<GenSummary> GenerateCorpus(const GenOptions& options, const CorpusSinks& sinks);

// Creates `dir` (and its parents) when missing and writes manifest.csv,
// manifest.jsonl, outcomes.csv and truth.json into it, replacing those files.
Result<GenSummary> WriteCorpus(const std::string& dir, const GenOptions& options);

}  // namespace targeting::gen

#endif  // TARGETING_LIB_GEN_GEN_H_
