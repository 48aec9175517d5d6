// The reference history of one aggregate: every record of the stream that
// has the key, as it came, whether `where` held or not; each measure is
// computed by rescanning the key's whole history against the words of
// SPEC section 8. Nothing is forgotten, bucketed or cached.
#include <algorithm>
#include <map>
#include <set>

#include "plan/aggregate.h"
#include "eval/evaluate.h"
#include "stream/history.h"

namespace targeting::internal {

namespace {

struct Past {
  Days day = 0;
  bool counted = false;
  std::vector<double> numbers;
  std::vector<std::string> texts;
};

class ReferenceHistory final : public AggregateHistory {
 public:
  ReferenceHistory(const RuleSetData& data, int aggregate)
      : data_(&data), def_(&data.aggregates[static_cast<std::size_t>(aggregate)]) {}
  void Retarget(const RuleSetData& data, int aggregate) {
    data_ = &data;
    def_ = &data.aggregates[static_cast<std::size_t>(aggregate)];
  }

  void Advance(const Record& r, Days day, Days as_of, const StreamClock& clock, double* value,
               bool* keyed) override {
    std::string key;
    *keyed = AggregateKey(data_->schema, *def_, r, &key);
    *value = 0;
    if (!*keyed) return;
    Past me;
    me.day = day;
    me.counted = def_->where < 0 || EvalNode(*data_, def_->where, r, as_of);
    MeasuredValues(data_->schema, *def_, r, &me.numbers, &me.texts);
    std::vector<Past>& past = by_key_[key];
    past.push_back(std::move(me));
    // The counted records: r and every earlier s of the key with
    // d - days + 1 <= day(s) <= d and day(s) > H - days, where `where` held.
    double count = 0, sum = 0;
    std::set<std::string> values;
    // r itself counts whenever `where` holds for it, even when it arrives so
    // late that its day is at or before H - days (docs/rule-language.md).
    for (std::size_t i = 0; i < past.size(); ++i) {
      const Past& s = past[i];
      const bool is_r = i + 1 == past.size();
      if (!s.counted) continue;
      if (!is_r && (s.day < day - def_->days + 1 || s.day > day)) continue;
      if (!is_r && s.day <= clock.latest - def_->days) continue;
      count += 1;
      for (double d : s.numbers) sum += d;
      for (const std::string& t : s.texts) values.insert(t);
    }
    switch (def_->measure) {
      case AggregateDef::Measure::kCount: *value = count; break;
      case AggregateDef::Measure::kSum: *value = sum; break;
      case AggregateDef::Measure::kDistinct: *value = static_cast<double>(values.size()); break;
    }
  }

  void Export(const StreamClock& clock, const HeldVisitor& visit) const override {
    std::vector<HeldItem> held;
    for (const auto& [key, past] : by_key_) {
      Held(past, clock, &held);
      if (!held.empty()) visit(key, held);
    }
  }

  void ExportKey(std::string_view key, const StreamClock& clock,
                 std::vector<HeldItem>* held) const override {
    held->clear();
    auto it = by_key_.find(std::string(key));
    if (it != by_key_.end()) Held(it->second, clock, held);
  }

  void Import(std::string_view key, const std::vector<HeldItem>& items) override {
    std::vector<Past>& past = by_key_[std::string(key)];
    for (const HeldItem& h : items) {
      switch (def_->measure) {
        case AggregateDef::Measure::kCount:
          for (std::uint32_t i = 0; i < h.n; ++i) past.push_back(Past{h.day, true, {}, {}});
          break;
        case AggregateDef::Measure::kSum:
          past.push_back(Past{h.day, true, {h.number}, {}});
          break;
        case AggregateDef::Measure::kDistinct:
          past.push_back(Past{h.day, true, {}, {h.text}});
          break;
      }
    }
  }

  std::uint64_t keys() const override { return by_key_.size(); }
  std::uint64_t slots() const override {
    std::uint64_t n = 0;
    for (const auto& [key, past] : by_key_) n += past.size();
    return n;
  }
  std::size_t MemoryBytes() const override { return slots() * sizeof(Past); }

 private:
  const RuleSetData* data_;
  const AggregateDef* def_;
  // What one key holds in the window of H, as state files keep it.
  void Held(const std::vector<Past>& past, const StreamClock& clock,
            std::vector<HeldItem>* held) const {
    held->clear();
    std::map<Days, std::uint32_t> counts;
    std::set<std::pair<Days, std::string>> texts;
    for (const Past& s : past) {
      if (!s.counted || s.day <= clock.latest - def_->days) continue;
      if (def_->measure == AggregateDef::Measure::kCount) ++counts[s.day];
      for (double d : s.numbers) held->push_back(HeldItem{s.day, 0, d, {}});
      for (const std::string& t : s.texts) texts.emplace(s.day, t);
    }
    for (const auto& [d, n] : counts) held->push_back(HeldItem{d, n, 0, {}});
    for (const auto& [d, t] : texts) held->push_back(HeldItem{d, 0, 0, t});
  }

  std::map<std::string, std::vector<Past>> by_key_;
};

class ReferenceStream final : public StreamHistory {
 public:
  explicit ReferenceStream(const RuleSetData& data) {
    for (std::size_t a = 0; a < data.aggregates.size(); ++a) {
      histories_.push_back(std::make_unique<ReferenceHistory>(data, static_cast<int>(a)));
    }
  }
  void Advance(const Record& r, Days day, Days as_of, const StreamClock& clock,
               AggregateMeasures* out) override {
    for (std::size_t a = 0; a < histories_.size(); ++a) {
      bool keyed = false;
      histories_[a]->Advance(r, day, as_of, clock, &out->value[a], &keyed);
      out->keyed[a] = keyed ? 1 : 0;
    }
  }
  void Export(int a, const StreamClock& clock, const HeldVisitor& visit) const override {
    histories_[static_cast<std::size_t>(a)]->Export(clock, visit);
  }
  void ExportKey(int a, std::string_view key, const StreamClock& clock,
                 std::vector<HeldItem>* held) const override {
    histories_[static_cast<std::size_t>(a)]->ExportKey(key, clock, held);
  }
  void Import(int a, std::string_view key, const std::vector<HeldItem>& items) override {
    histories_[static_cast<std::size_t>(a)]->Import(key, items);
  }
  void Retarget(const RuleSetData& data) override {
    for (std::size_t a = 0; a < histories_.size(); ++a) histories_[a]->Retarget(data, static_cast<int>(a));
  }
  std::uint64_t keys() const override {
    std::uint64_t n = 0;
    for (const auto& h : histories_) n += h->keys();
    return n;
  }
  std::uint64_t slots() const override {
    std::uint64_t n = 0;
    for (const auto& h : histories_) n += h->slots();
    return n;
  }
  std::size_t MemoryBytes() const override {
    std::size_t n = 0;
    for (const auto& h : histories_) n += h->MemoryBytes();
    return n;
  }

 private:
  std::vector<std::unique_ptr<ReferenceHistory>> histories_;
};

}  // namespace

std::unique_ptr<StreamHistory> NewReferenceStream(const RuleSetData& data) {
  return std::make_unique<ReferenceStream>(data);
}

std::unique_ptr<AggregateHistory> NewReferenceHistory(const RuleSetData& data, int aggregate) {
  return std::make_unique<ReferenceHistory>(data, aggregate);
}

}  // namespace targeting::internal

namespace targeting::internal {

void StreamTestRecords(const RuleSetData& data, const TestCase& tc, Days as_of,
                       AggregateMeasures* last) {
  std::vector<std::unique_ptr<AggregateHistory>> histories;
  for (std::size_t a = 0; a < data.aggregates.size(); ++a) {
    histories.push_back(NewReferenceHistory(data, static_cast<int>(a)));
  }
  StreamClock clock;
  auto advance = [&](const Record& r) {
    const Days day = RecordDay(data.schema, r, as_of);
    clock.latest = clock.started ? std::max(clock.latest, day) : day;
    clock.started = true;
    last->value.assign(histories.size(), 0);
    last->keyed.assign(histories.size(), 0);
    for (std::size_t a = 0; a < histories.size(); ++a) {
      bool keyed = false;
      histories[a]->Advance(r, day, as_of, clock, &last->value[a], &keyed);
      last->keyed[a] = keyed ? 1 : 0;
    }
  };
  for (const Record& r : tc.before) advance(r);
  advance(tc.record);
}

}  // namespace targeting::internal
