#include "index/match_index.h"

#include "score/evaluate.h"

namespace targeting::internal {

namespace {

// First cut: every scored entry is a candidate. Replaced by the per-field
// indexes; kept correct so the spine can be tested end to end.
class VerifyAllIndex final : public MatchIndex {
 public:
  explicit VerifyAllIndex(const RuleSetData* data) : data_(data) {}
  std::unique_ptr<Scratch> NewScratch() const override { return std::make_unique<Scratch>(); }
  void Match(const Record& record, Days as_of, Scratch*,
             std::vector<std::uint32_t>* fired) const override {
    ReferenceMatch(*data_, record, as_of, fired);
  }

 private:
  const RuleSetData* data_;
};

}  // namespace

void BuildMatchIndex(RuleSetData* data, const Limits&) {
  data->index = std::make_unique<VerifyAllIndex>(data);
}

}  // namespace targeting::internal
