// The indexed history of one aggregate: per key, a short vector of items
// (per-day counts, the counted values of a sum in stream order, the distinct
// values of each day), pruned of everything at or before H - days whenever
// the key is touched, and keys whose items are all forgotten are swept out
// in amortized passes, so memory follows the window, not the stream.
#include <algorithm>
#include <boost/container/small_vector.hpp>

#include "plan/aggregate.h"
#include "eval/evaluate.h"
#include "stream/history.h"

namespace targeting::internal {

void MeasuredValues(const Schema& schema, const AggregateDef& def, const Record& r,
                    std::vector<double>* numbers, std::vector<std::string>* texts) {
  numbers->clear();
  texts->clear();
  if (def.field < 0) return;
  const int n = r.count(def.field);
  if (def.measure == AggregateDef::Measure::kSum) {
    for (int i = 0; i < n; ++i) numbers->push_back(r.num(def.field, i));
  } else if (def.measure == AggregateDef::Measure::kDistinct) {
    const bool numeric = IsNumeric(schema.field(def.field).type);
    for (int i = 0; i < n; ++i) {
      texts->emplace_back();
      AppendKeyValue(r, def.field, i, numeric, &texts->back());
    }
  }
}

namespace {

using Measure = AggregateDef::Measure;

// Keys are hashed on every record of every aggregate: libstdc++'s murmur
// over 8 bytes at a time, rather than boost::hash's byte-at-a-time combine.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>()(s);
  }
};

struct Item {
  Days day = 0;
  std::uint32_t n = 0;  // count: records; distinct: value id
  double number = 0;    // sum
};

struct KeyState {
  Days oldest = 0;  // of items
  Days newest = 0;
  // Most keys hold one item: kept inline, without an allocation.
  boost::container::small_vector<Item, 1> items;
  // Sum: the fold, in stream order, of every item held; valid unless an item
  // was forgotten since (then it is folded again).
  double fold = 0;
  bool fold_valid = true;
};

class IndexedHistory final : public AggregateHistory {
 public:
  IndexedHistory(const RuleSetData& data, int aggregate)
      : data_(data), def_(data.aggregates[static_cast<std::size_t>(aggregate)]) {}

  void Advance(const Record& r, Days day, Days as_of, const StreamClock& clock, double* value,
               bool* keyed) override {
    *value = 0;
    *keyed = AggregateKey(data_.schema, def_, r, &key_);
    if (!*keyed) return;
    MaybeSweep(clock);
    const bool counted = def_.where < 0 || EvalNode(data_, def_.where, r, as_of);
    const Days forget = clock.ForgetAtOrBefore(def_.days);
    const Days lo = std::max(day - def_.days + 1, forget + 1);
    auto it = keys_.find(std::string_view(key_));
    KeyState* ks = it == keys_.end() ? nullptr : &it->second;
    if (ks) Prune(ks, forget);
    if (counted) {
      Values(r);
    } else {
      numbers_.clear();
      ntexts_ = 0;
    }
    double v = 0;
    switch (def_.measure) {
      case Measure::kCount:
        if (ks) {
          for (const Item& i : ks->items) {
            if (i.day >= lo && i.day <= day) v += i.n;
          }
        }
        if (counted) v += 1;
        break;
      case Measure::kSum:
        if (ks) {
          if (ks->items.empty()) {
            v = 0;
          } else if (ks->oldest >= lo && ks->newest <= day) {
            if (!ks->fold_valid) Refold(ks);
            v = ks->fold;
          } else {
            for (const Item& i : ks->items) {
              if (i.day >= lo && i.day <= day) v += i.number;
            }
          }
        }
        for (double d : numbers_) v += d;
        break;
      case Measure::kDistinct: {
        // Value ids are dense: a stamp per id marks those seen for this
        // record, so the count is one pass over the key's items.
        if (++epoch_ == 0) {
          std::fill(stamp_.begin(), stamp_.end(), 0);
          epoch_ = 1;
        }
        if (stamp_.size() < values_.size()) stamp_.resize(values_.size(), 0);
        std::size_t distinct = 0;
        if (ks) {
          for (const Item& i : ks->items) {
            if (i.day < lo || i.day > day || stamp_[i.n] == epoch_) continue;
            stamp_[i.n] = epoch_;
            ++distinct;
          }
        }
        own_.clear();
        for (std::size_t k = 0; k < ntexts_; ++k) {
          const std::string& t = texts_[k];
          auto id = value_ids_.find(std::string_view(t));
          if (id != value_ids_.end() && stamp_[id->second] == epoch_) continue;
          if (std::any_of(own_.begin(), own_.end(), [&](std::size_t j) { return texts_[j] == t; })) {
            continue;
          }
          own_.push_back(k);
        }
        distinct += own_.size();
        v = static_cast<double>(distinct);
        break;
      }
    }
    *value = v;
    if (!counted) {
      if (ks && ks->items.empty()) keys_.erase(it);
      return;
    }
    if (def_.measure == Measure::kSum && numbers_.empty()) {
      if (ks && ks->items.empty()) keys_.erase(it);
      return;  // adds nothing, now or later
    }
    if (!ks) {
      ks = &keys_.try_emplace(key_).first->second;
    }
    Add(ks, day);
    ++inserts_;
  }

  void Export(const StreamClock& clock, const HeldVisitor& visit) const override {
    const Days forget = clock.ForgetAtOrBefore(def_.days);
    std::vector<HeldItem> held;
    for (const auto& [key, ks] : keys_) {
      held.clear();
      for (const Item& i : ks.items) {
        if (i.day <= forget) continue;
        HeldItem h;
        h.day = i.day;
        if (def_.measure == Measure::kCount) h.n = i.n;
        if (def_.measure == Measure::kSum) h.number = i.number;
        if (def_.measure == Measure::kDistinct) h.text = values_[i.n];
        held.push_back(std::move(h));
      }
      if (!held.empty()) visit(key, held);
    }
  }

  void Import(std::string_view key, const std::vector<HeldItem>& items) override {
    if (items.empty()) return;
    KeyState& ks = keys_.try_emplace(std::string(key)).first->second;
    ks.oldest = ks.newest = items.front().day;
    for (const HeldItem& h : items) {
      ks.oldest = std::min(ks.oldest, h.day);
      ks.newest = std::max(ks.newest, h.day);
      switch (def_.measure) {
        case Measure::kCount:
          if (Item* same = SameDay(&ks, h.day)) {
            same->n += h.n;
          } else {
            ks.items.push_back(Item{h.day, h.n, 0});
          }
          break;
        case Measure::kSum:
          ks.items.push_back(Item{h.day, 0, h.number});
          break;
        case Measure::kDistinct: {
          const std::uint32_t id = ValueId(h.text);
          bool dup = false;
          for (const Item& i : ks.items) dup |= i.day == h.day && i.n == id;
          if (dup) {
            Release(id);
          } else {
            ks.items.push_back(Item{h.day, id, 0});
          }
          break;
        }
      }
    }
    ks.fold_valid = false;
  }

  std::uint64_t keys() const override { return keys_.size(); }
  std::uint64_t slots() const override {
    std::uint64_t n = 0;
    for (const auto& [key, ks] : keys_) n += ks.items.size();
    return n;
  }
  std::size_t MemoryBytes() const override {
    std::size_t b = keys_.bucket_count() * (sizeof(std::string) + sizeof(KeyState) + 1);
    for (const auto& [key, ks] : keys_) {
      if (key.size() > 15) b += key.capacity() + 1;
      b += ks.items.capacity() * sizeof(Item);
    }
    b += value_ids_.bucket_count() * (sizeof(std::string) + sizeof(std::uint32_t) + 1);
    for (const std::string& v : values_) b += sizeof(std::string) + (v.size() > 15 ? v.capacity() : 0);
    b += refs_.capacity() * sizeof(std::uint32_t);
    return b;
  }

 private:
  static Item* SameDay(KeyState* ks, Days day) {
    for (auto i = ks->items.rbegin(); i != ks->items.rend(); ++i) {
      if (i->day == day) return &*i;
    }
    return nullptr;
  }
  static void Refold(KeyState* ks) {
    ks->fold = 0;
    for (const Item& i : ks->items) ks->fold += i.number;
    ks->fold_valid = true;
  }

  void Add(KeyState* ks, Days day) {
    ks->oldest = ks->items.empty() ? day : std::min(ks->oldest, day);
    ks->newest = ks->items.empty() ? day : std::max(ks->newest, day);
    switch (def_.measure) {
      case Measure::kCount:
        if (Item* same = SameDay(ks, day)) {
          ++same->n;
        } else {
          ks->items.push_back(Item{day, 1, 0});
        }
        break;
      case Measure::kSum:
        for (double d : numbers_) {
          if (ks->items.empty()) {
            ks->fold = 0;
            ks->fold_valid = true;
          }
          if (ks->fold_valid) ks->fold += d;
          ks->items.push_back(Item{day, 0, d});
        }
        break;
      case Measure::kDistinct:
        for (std::size_t k = 0; k < ntexts_; ++k) {
          const std::string& t = texts_[k];
          const std::uint32_t id = ValueId(t);
          bool dup = false;
          for (const Item& i : ks->items) dup |= i.day == day && i.n == id;
          if (dup) {
            Release(id);
          } else {
            ks->items.push_back(Item{day, id, 0});
          }
        }
        break;
    }
  }

  // Forgets the items at or before `forget`.
  void Prune(KeyState* ks, Days forget) {
    if (ks->items.empty() || ks->oldest > forget) return;
    auto keep = std::remove_if(ks->items.begin(), ks->items.end(), [&](const Item& i) {
      if (i.day > forget) return false;
      if (def_.measure == Measure::kDistinct) Release(i.n);
      return true;
    });
    ks->items.erase(keep, ks->items.end());
    ks->fold_valid = false;
    if (!ks->items.empty()) {
      ks->oldest = ks->newest = ks->items.front().day;
      for (const Item& i : ks->items) {
        ks->oldest = std::min(ks->oldest, i.day);
        ks->newest = std::max(ks->newest, i.day);
      }
    }
    if (ks->items.capacity() > 4 * ks->items.size() + 8) ks->items.shrink_to_fit();

  }

  // Once H has moved and about as many records have been added as there are
  // keys, every key is pruned and empty keys are dropped: amortized O(1)
  // per record, and at most about twice the live keys are ever held.
  void MaybeSweep(const StreamClock& clock) {
    if (clock.latest == swept_at_ || inserts_ < keys_.size() + 64) return;
    const Days forget = clock.ForgetAtOrBefore(def_.days);
    for (auto& [key, ks] : keys_) Prune(&ks, forget);
    boost::unordered::erase_if(keys_, [](const auto& kv) { return kv.second.items.empty(); });
    swept_at_ = clock.latest;
    inserts_ = 0;
  }

  // MeasuredValues into scratch that keeps its capacity from record to record.
  void Values(const Record& r) {
    numbers_.clear();
    ntexts_ = 0;
    if (def_.field < 0) return;
    const int n = r.count(def_.field);
    if (def_.measure == Measure::kSum) {
      for (int i = 0; i < n; ++i) numbers_.push_back(r.num(def_.field, i));
    } else if (def_.measure == Measure::kDistinct) {
      const bool numeric = IsNumeric(data_.schema.field(def_.field).type);
      for (int i = 0; i < n; ++i) {
        if (texts_.size() <= ntexts_) texts_.emplace_back();
        texts_[ntexts_].clear();
        AppendKeyValue(r, def_.field, i, numeric, &texts_[ntexts_]);
        ++ntexts_;
      }
    }
  }

  std::uint32_t ValueId(const std::string& t) {
    auto it = value_ids_.find(std::string_view(t));
    if (it != value_ids_.end()) {
      ++refs_[it->second];
      return it->second;
    }
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
      values_[id] = t;
      refs_[id] = 1;
    } else {
      id = static_cast<std::uint32_t>(values_.size());
      values_.push_back(t);
      refs_.push_back(1);
    }
    value_ids_.emplace(t, id);
    return id;
  }
  void Release(std::uint32_t id) {
    if (--refs_[id] != 0) return;
    value_ids_.erase(std::string_view(values_[id]));
    values_[id].clear();
    values_[id].shrink_to_fit();
    free_.push_back(id);
  }

  const RuleSetData& data_;
  const AggregateDef& def_;
  boost::unordered_flat_map<std::string, KeyState, KeyHash, std::equal_to<>> keys_;
  // Distinct: values in key form, interned with a reference count per item.
  boost::unordered_flat_map<std::string, std::uint32_t, KeyHash, std::equal_to<>> value_ids_;
  std::vector<std::string> values_;
  std::vector<std::uint32_t> refs_;
  std::vector<std::uint32_t> free_;
  std::uint64_t inserts_ = 0;
  Days swept_at_ = 0;
  // Per-record scratch.
  std::string key_;
  std::vector<double> numbers_;
  std::vector<std::string> texts_;  // the first ntexts_ are this record's (capacity reused)
  std::size_t ntexts_ = 0;
  std::vector<std::uint32_t> stamp_;  // by value id: == epoch_ when seen for this record
  std::uint32_t epoch_ = 0;
  std::vector<std::size_t> own_;
};

}  // namespace

std::unique_ptr<AggregateHistory> NewIndexedHistory(const RuleSetData& data, int aggregate) {
  return std::make_unique<IndexedHistory>(data, aggregate);
}

}  // namespace targeting::internal
