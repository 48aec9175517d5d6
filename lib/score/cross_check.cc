// Inline tests through both matchers (include/targeting/rules.h,
// CrossCheckInlineTests): `targeting check` reports any disagreement as a
// bug in the library.
#include <algorithm>

#include "eval/evaluate.h"
#include "index/match_index.h"
#include "plan/ruleset_data.h"
#include "targeting/rules.h"

namespace targeting {

std::string TestDisagreement::ToString() const {
  auto says = [](bool fires) { return fires ? "fires" : "does not fire"; };
  return test.file + ":" + std::to_string(test.line) + ":" + std::to_string(test.column) +
         ": internal error: [" + test.entry_id + "] " +
         (test.expected_fire ? "fires[" : "not_fires[") + std::to_string(test.index) +
         "]: the indexed matcher says " + says(indexed_fires) + ", the reference says " +
         says(reference_fires) + "; please report this";
}

std::vector<TestDisagreement> CrossCheckInlineTests(const RuleSet& rules, Days as_of) {
  std::vector<TestDisagreement> out;
  const internal::RuleSetData& data = rules.data();
  auto scratch = data.index->NewScratch();
  std::vector<std::uint32_t> fired;
  for (std::size_t i = 0; i < data.entries.size(); ++i) {
    const EntryInfo& e = data.entries[i];
    if (e.status == EntryStatus::kDraft) continue;
    for (const internal::TestCase& tc : data.code[i].tests) {
      data.index->Match(tc.record, as_of, scratch.get(), &fired);
      const bool indexed = std::find(fired.begin(), fired.end(), i) != fired.end();
      const bool reference = internal::EvalNode(data, data.code[i].root, tc.record, as_of);
      if (indexed == reference) continue;
      out.push_back(TestDisagreement{
          TestFailure{e.id, e.file, tc.line, tc.column, tc.fires, tc.index}, indexed, reference});
    }
  }
  return out;
}

}  // namespace targeting
