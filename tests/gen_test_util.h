// Helpers shared by the gen unit tests and the sample-corpus golden test:
// generating a corpus into memory.
#ifndef TARGETING_TESTS_GEN_TEST_UTIL_H_
#define TARGETING_TESTS_GEN_TEST_UTIL_H_

#include <string>
#include <string_view>

#include "gen/gen.h"
#include "targeting/status.h"

namespace targeting::testing {

// Keeps everything written to it.
class StringSink : public gen::Sink {
 public:
  bool Write(std::string_view bytes) override {
    text.append(bytes);
    return true;
  }
  std::string text;
};

// The four files of a corpus, as text.
struct Corpus {
  std::string csv, jsonl, outcomes, truth;
};

// Generates the corpus of `options` into memory; *status says how it went
// (on an error the texts hold what was written before it).
inline Corpus GenerateInMemory(const gen::GenOptions& options, Status* status) {
  StringSink csv, jsonl, outcomes, truth;
  auto r = gen::GenerateCorpus(options, gen::CorpusSinks{&csv, &jsonl, &outcomes, &truth});
  *status = r.status();
  return {csv.text, jsonl.text, outcomes.text, truth.text};
}

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_GEN_TEST_UTIL_H_
