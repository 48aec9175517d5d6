// Layout: gen/ is the corpus generator, in the targeting_tools library, not the engine.
// What `targeting gen` plants for `targeting suggest`: predictive patterns
// that no entry of the example pack covers (`suggestable`), and tempting
// patterns that hold only early in the year (`noise`), recorded in
// truth.json. Private header.
//
// A pattern is decided on the record's fields and its day alone and only
// raises the record's discrepancy probability; it draws no random number,
// so every other record of the corpus keeps its bytes.
#ifndef TARGETING_LIB_GEN_SUGGESTABLE_H_
#define TARGETING_LIB_GEN_SUGGESTABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "gen/world.h"

namespace targeting::gen {

struct SuggestablePattern {
  const char* id;
  const char* name;
  bool noise;        // true: elevated only on days before `until_day`
  double factor;     // multiplies kBackgroundRate while it holds
  int until_day;     // noise: the first day (0-based, of kDays) it no longer holds
  const char* when;  // the condition as a rule file would write it (JSON)
  // The field tests, each as field and value: eq on the normalized value.
  const char* field_a;
  const char* value_a;
  const char* field_b;
  const char* value_b;
};
const std::vector<SuggestablePattern>& SuggestablePatterns();

// Counts what was planted, for truth.json. Not thread-safe.
class SuggestablePlanting {
 public:
  SuggestablePlanting();
  // The discrepancy probability of `s` given `p` from the other patterns:
  // the larger of p and that of every suggestable or noise pattern `s`
  // matches on its day. Remembers the matches for Count.
  double Probability(const Shipment& s, double p);
  // The outcome of the record last given to Probability.
  void Count(double p, bool discrepant, bool examined);
  // `  "suggestable": [...],\n  "noise": [...],\n` for truth.json.
  void AppendTruth(std::string* out) const;

 private:
  struct Tally {
    std::uint64_t records = 0, discrepant = 0, examined = 0, examined_discrepant = 0;
    double sum_p = 0;
  };
  std::vector<Tally> tallies_;
  std::vector<int> matched_;
  Days first_day_ = 0;
};

}  // namespace targeting::gen

#endif  // TARGETING_LIB_GEN_SUGGESTABLE_H_
