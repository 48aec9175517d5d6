// The indexed history of a rule set's aggregates. The aggregates that share
// a `by` share one table of keys: a record's key is built, hashed and looked
// up once per distinct `by`, not once per aggregate, and each key's bytes are
// stored once, in an arena. A key is a small dense id; each aggregate keeps
// its per-key state in a flat vector indexed by it: per-day counts, the
// counted values of a sum in stream order, the (day, value id) pairs of a
// distinct, each in a vector that holds one item inline. Distinct values are
// interned once per field, with a reference count, so they are compared as
// ids and stay exact (the interner compares bytes, not only hashes). State is
// pruned of everything at or before H - days whenever a key is touched, and
// keys whose items are all forgotten are swept out in amortized passes, so
// memory follows the window, not the stream. `where` is evaluated once per
// record per distinct condition.
#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <utility>

#include "plan/aggregate.h"
#include "eval/evaluate.h"
#include "stream/history.h"
#include "stream/interner.h"

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
using Interner = BasicInterner<HashBytes>;

// A vector of trivially copyable items that holds one inline: most keys
// hold one day, and then their state takes no allocation.
template <class T>
class TinyVec {
 public:
  TinyVec() = default;
  TinyVec(TinyVec&& o) noexcept : u_(o.u_), size_(o.size_), cap_(o.cap_) {
    o.size_ = 0;
    o.cap_ = 1;
  }
  TinyVec& operator=(TinyVec&& o) noexcept {
    if (this != &o) {
      Free();
      u_ = o.u_;
      size_ = o.size_;
      cap_ = o.cap_;
      o.size_ = 0;
      o.cap_ = 1;
    }
    return *this;
  }
  TinyVec(const TinyVec&) = delete;
  TinyVec& operator=(const TinyVec&) = delete;
  ~TinyVec() { Free(); }

  T* begin() { return cap_ > 1 ? u_.heap : &u_.one; }
  T* end() { return begin() + size_; }
  const T* begin() const { return cap_ > 1 ? u_.heap : &u_.one; }
  const T* end() const { return begin() + size_; }
  std::uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::uint32_t i) { return begin()[i]; }
  const T& operator[](std::uint32_t i) const { return begin()[i]; }

  void Insert(std::uint32_t pos, const T& v) {
    if (size_ == cap_) Grow();
    T* d = begin();
    std::memmove(static_cast<void*>(d + pos + 1), d + pos, (size_ - pos) * sizeof(T));
    d[pos] = v;
    ++size_;
  }
  void PushBack(const T& v) { Insert(size_, v); }
  void ErasePrefix(std::uint32_t n) {
    T* d = begin();
    std::memmove(static_cast<void*>(d), d + n, (size_ - n) * sizeof(T));
    size_ -= n;
    MaybeShrink();
  }
  void Truncate(std::uint32_t n) {
    size_ = n;
    MaybeShrink();
  }
  std::size_t HeapBytes() const { return cap_ > 1 ? cap_ * sizeof(T) : 0; }

 private:
  void Grow() {
    const std::uint32_t next = cap_ < 4 ? 4 : cap_ * 2;
    T* h = new T[next];
    std::memcpy(static_cast<void*>(h), begin(), size_ * sizeof(T));
    Free();
    u_.heap = h;
    cap_ = next;
  }
  void MaybeShrink() {
    if (cap_ == 1) return;
    if (size_ <= 1) {
      T keep{};
      if (size_ == 1) keep = u_.heap[0];
      delete[] u_.heap;
      cap_ = 1;
      u_.one = keep;
    } else if (cap_ > 8 && 4 * size_ < cap_) {
      const std::uint32_t next = cap_ / 2;
      T* h = new T[next];
      std::memcpy(static_cast<void*>(h), u_.heap, size_ * sizeof(T));
      delete[] u_.heap;
      u_.heap = h;
      cap_ = next;
    }
  }
  void Free() {
    if (cap_ > 1) delete[] u_.heap;
  }
  union U {
    T one;
    T* heap;
    U() : one() {}
  } u_;
  std::uint32_t size_ = 0;
  std::uint32_t cap_ = 1;  // 1: the item inline
};

struct DayCount {
  Days day = 0;
  std::uint32_t n = 0;
};
struct DayValue {  // distinct: a value id counted on a day
  Days day = 0;
  std::uint32_t id = 0;
};
struct DayNumber {  // sum: one counted value
  Days day = 0;
  double x = 0;
};

// Count: by day ascending, one item per day (more only past 2^32 - 1 records).
using CountSlot = TinyVec<DayCount>;
// Distinct: by (day, id) ascending, no pair twice.
using DistinctSlot = TinyVec<DayValue>;
// Sum: the counted values in stream order (the order they are added in).
struct SumSlot {
  TinyVec<DayNumber> items;
  double fold = 0;  // of every item, in order (refolded when items are forgotten)
  Days oldest = 0, newest = 0;
};

// The aggregates of one `by`, and their keys.
struct Group {
  std::vector<int> by;
  std::vector<std::uint32_t> aggs;
  std::unique_ptr<Interner> keys = std::make_unique<Interner>();
  std::uint64_t inserts = 0;  // records added since the last sweep
  std::uint64_t swept_keys = 0;  // keys the last sweep left
  Days swept_at = 0;
  bool swept = false;
  // This record's key.
  bool keyed = false;
  bool added = false;
  std::uint64_t hash = 0;
  std::uint32_t id = kNone;
  std::string key;
};

// The values of one field that distinct aggregates count.
struct ValueTable {
  int field = -1;
  bool numeric = false;
  std::unique_ptr<Interner> values = std::make_unique<Interner>();
  std::vector<std::uint32_t> stamp;  // by value id: == epoch when seen for this measure
  std::uint32_t epoch = 0;
  // This record's distinct values, in order of first appearance.
  struct Own {
    std::uint32_t offset = 0, size = 0;
    std::uint64_t hash = 0;
    std::uint32_t id = kNone;  // the interned id, when held
  };
  std::uint64_t ready = 0;  // the record epoch `own` was filled for
  std::string buf;
  std::vector<Own> own;
  std::string_view View(const Own& o) const { return {buf.data() + o.offset, o.size}; }
};

struct Where {
  int node = -1;
  std::uint64_t ready = 0;  // the record epoch `holds` is for
  bool holds = false;
};

struct Agg {
  const AggregateDef* def = nullptr;
  std::uint32_t group = 0;
  int where = -1;   // index into wheres_, -1: every record of the key counts
  int values = -1;  // distinct: index into tables_
  std::vector<CountSlot> count;  // by key id, for the measure of def
  std::vector<DistinctSlot> distinct;
  std::vector<SumSlot> sum;
};

class IndexedStream final : public StreamHistory {
 public:
  explicit IndexedStream(const RuleSetData& data) : data_(data) {
    aggs_.resize(data.aggregates.size());
    for (std::size_t a = 0; a < data.aggregates.size(); ++a) {
      const AggregateDef& def = data.aggregates[a];
      Agg& agg = aggs_[a];
      agg.def = &def;
      auto g = std::find_if(groups_.begin(), groups_.end(),
                            [&](const Group& x) { return x.by == def.by; });
      if (g == groups_.end()) {
        groups_.emplace_back();
        groups_.back().by = def.by;
        g = groups_.end() - 1;
      }
      agg.group = static_cast<std::uint32_t>(g - groups_.begin());
      g->aggs.push_back(static_cast<std::uint32_t>(a));
      if (def.where >= 0) {
        auto w = std::find_if(wheres_.begin(), wheres_.end(),
                              [&](const Where& x) { return x.node == def.where; });
        if (w == wheres_.end()) {
          wheres_.push_back(Where{def.where, 0, false});
          w = wheres_.end() - 1;
        }
        agg.where = static_cast<int>(w - wheres_.begin());
      }
      if (def.measure == Measure::kDistinct && def.field >= 0) {
        auto t = std::find_if(tables_.begin(), tables_.end(),
                              [&](const ValueTable& x) { return x.field == def.field; });
        if (t == tables_.end()) {
          tables_.emplace_back();
          tables_.back().field = def.field;
          tables_.back().numeric = IsNumeric(data.schema.field(def.field).type);
          t = tables_.end() - 1;
        }
        agg.values = static_cast<int>(t - tables_.begin());
      }
    }
  }

  void Advance(const Record& r, Days day, Days as_of, const StreamClock& clock,
               AggregateMeasures* out) override {
    ++epoch_;
    for (Group& g : groups_) {
      MaybeSweep(&g, clock);
      g.added = false;
      g.id = kNone;
      g.keyed = GroupKey(g, r);
      if (g.keyed) g.hash = HashBytes(g.key);
    }
    // The lookups of the groups are independent: done in a row, their cache
    // misses overlap, and so do those of the slots, fetched ahead of use.
    for (Group& g : groups_) {
      if (!g.keyed) continue;
      g.id = g.keys->Find(g.key, g.hash);
      if (g.id == kNone) continue;
      for (std::uint32_t ai : g.aggs) Prefetch(aggs_[ai], g.id);
    }
    // Forget first, for every aggregate of the record's keys: value ids
    // released here are then never among those this record looks up.
    for (Agg& a : aggs_) {
      const Group& g = groups_[a.group];
      if (g.id != kNone) Prune(&a, g.id, clock.ForgetAtOrBefore(a.def->days));
    }
    for (std::size_t i = 0; i < aggs_.size(); ++i) {
      Agg& a = aggs_[i];
      Group& g = groups_[a.group];
      out->keyed[i] = g.keyed ? 1 : 0;
      out->value[i] = 0;
      if (!g.keyed) continue;
      const bool counted = a.where < 0 || Holds(&wheres_[static_cast<std::size_t>(a.where)], r, as_of);
      const Days lo = std::max(day - a.def->days + 1, clock.ForgetAtOrBefore(a.def->days) + 1);
      switch (a.def->measure) {
        case Measure::kCount: out->value[i] = AdvanceCount(&a, &g, day, lo, counted); break;
        case Measure::kSum: out->value[i] = AdvanceSum(&a, &g, r, day, lo, counted); break;
        case Measure::kDistinct: out->value[i] = AdvanceDistinct(&a, &g, r, day, lo, counted); break;
      }
    }
    for (Group& g : groups_) {
      if (g.added) ++g.inserts;
    }
  }

  void Export(int aggregate, const StreamClock& clock, const HeldVisitor& visit) const override {
    const Agg& a = aggs_[static_cast<std::size_t>(aggregate)];
    const Group& g = groups_[a.group];
    const Days forget = clock.ForgetAtOrBefore(a.def->days);
    std::vector<HeldItem> held;
    for (std::uint32_t id = 0; id < g.keys->capacity(); ++id) {
      if (!g.keys->live(id)) continue;
      held.clear();
      switch (a.def->measure) {
        case Measure::kCount:
          for (const DayCount& c : a.count[id]) {
            if (c.day > forget) held.push_back(HeldItem{c.day, c.n, 0, {}});
          }
          break;
        case Measure::kSum:
          for (const DayNumber& x : a.sum[id].items) {
            if (x.day > forget) held.push_back(HeldItem{x.day, 0, x.x, {}});
          }
          break;
        case Measure::kDistinct: {
          const ValueTable& t = tables_[static_cast<std::size_t>(a.values)];
          for (const DayValue& v : a.distinct[id]) {
            if (v.day > forget) held.push_back(HeldItem{v.day, 0, 0, std::string(t.values->View(v.id))});
          }
          break;
        }
      }
      if (!held.empty()) visit(g.keys->View(id), held);
    }
  }

  void Import(int aggregate, std::string_view key, const std::vector<HeldItem>& items) override {
    if (items.empty()) return;
    Agg& a = aggs_[static_cast<std::size_t>(aggregate)];
    Group& g = groups_[a.group];
    g.key.assign(key);
    g.hash = HashBytes(g.key);
    g.id = g.keys->Find(g.key, g.hash);
    const std::uint32_t id = EnsureKey(&g);
    for (const HeldItem& h : items) {
      switch (a.def->measure) {
        case Measure::kCount: AddCount(&a.count[id], h.day, h.n); break;
        case Measure::kSum: AddNumber(&a.sum[id], h.day, h.number); break;
        case Measure::kDistinct: {
          ValueTable& t = tables_[static_cast<std::size_t>(a.values)];
          const std::uint64_t hash = HashBytes(h.text);
          AddValue(&a.distinct[id], &t, h.day, h.text, hash, t.values->Find(h.text, hash));
          break;
        }
      }
    }
    g.id = kNone;
  }

  std::uint64_t keys() const override {
    std::uint64_t n = 0;
    ForEachSlot([&](const Agg&, std::uint32_t items) { n += items != 0; });
    return n;
  }
  std::uint64_t slots() const override {
    std::uint64_t n = 0;
    ForEachSlot([&](const Agg&, std::uint32_t items) { n += items; });
    return n;
  }
  std::size_t MemoryBytes() const override {
    std::size_t b = 0;
    for (const Group& g : groups_) b += g.keys->MemoryBytes();
    for (const ValueTable& t : tables_) {
      b += t.values->MemoryBytes() + t.stamp.capacity() * sizeof(std::uint32_t);
    }
    for (const Agg& a : aggs_) {
      b += a.count.capacity() * sizeof(CountSlot) + a.distinct.capacity() * sizeof(DistinctSlot) +
           a.sum.capacity() * sizeof(SumSlot);
      for (const CountSlot& s : a.count) b += s.HeapBytes();
      for (const DistinctSlot& s : a.distinct) b += s.HeapBytes();
      for (const SumSlot& s : a.sum) b += s.items.HeapBytes();
    }
    return b;
  }

 private:
  template <class F>
  void ForEachSlot(F&& f) const {
    for (const Agg& a : aggs_) {
      const Group& g = groups_[a.group];
      for (std::uint32_t id = 0; id < g.keys->capacity(); ++id) {
        if (!g.keys->live(id)) continue;
        f(a, SlotSize(a, id));
      }
    }
  }
  static void Prefetch(const Agg& a, std::uint32_t id) {
    switch (a.def->measure) {
      case Measure::kCount: __builtin_prefetch(&a.count[id]); break;
      case Measure::kSum: __builtin_prefetch(&a.sum[id]); break;
      case Measure::kDistinct: __builtin_prefetch(&a.distinct[id]); break;
    }
  }
  static std::uint32_t SlotSize(const Agg& a, std::uint32_t id) {
    switch (a.def->measure) {
      case Measure::kCount: return a.count[id].size();
      case Measure::kSum: return a.sum[id].items.size();
      case Measure::kDistinct: return a.distinct[id].size();
    }
    return 0;
  }

  // The record's key for g, in AggregateKey's form (the state files' keys).
  bool GroupKey(Group& g, const Record& r) {
    g.key.clear();
    for (int f : g.by) {
      if (!r.has(f)) return false;
      const std::size_t before = g.key.size();
      g.key.append(4, '\0');
      AppendKeyValue(r, f, 0, IsNumeric(data_.schema.field(f).type), &g.key);
      const auto n = static_cast<std::uint32_t>(g.key.size() - before - 4);
      std::memcpy(g.key.data() + before, &n, 4);
    }
    return true;
  }

  bool Holds(Where* w, const Record& r, Days as_of) {
    if (w->ready != epoch_) {
      w->holds = EvalNode(data_, w->node, r, as_of);
      w->ready = epoch_;
    }
    return w->holds;
  }

  // The id of the group's current key, added when new; every aggregate of
  // the group gets a slot for it.
  std::uint32_t EnsureKey(Group* g) {
    if (g->id == kNone) {
      g->id = g->keys->Add(g->key, g->hash);
      const std::size_t cap = g->keys->capacity();
      for (std::uint32_t ai : g->aggs) {
        Agg& a = aggs_[ai];
        switch (a.def->measure) {
          case Measure::kCount:
            if (a.count.size() < cap) {
              Interner::Reserve(&a.count, cap);
              a.count.resize(cap);
            }
            break;
          case Measure::kSum:
            if (a.sum.size() < cap) {
              Interner::Reserve(&a.sum, cap);
              a.sum.resize(cap);
            }
            break;
          case Measure::kDistinct:
            if (a.distinct.size() < cap) {
              Interner::Reserve(&a.distinct, cap);
              a.distinct.resize(cap);
            }
            break;
        }
      }
    }
    g->added = true;
    return g->id;
  }

  double AdvanceCount(Agg* a, Group* g, Days day, Days lo, bool counted) {
    double v = 0;
    if (g->id != kNone) {
      for (const DayCount& c : a->count[g->id]) {
        if (c.day > day) break;
        if (c.day >= lo) v += c.n;
      }
    }
    if (!counted) return v;
    const std::uint32_t id = EnsureKey(g);
    AddCount(&a->count[id], day, 1);
    return v + 1;
  }

  // A day's count that would pass 2^32 - 1 goes on in another item of the
  // same day (the state file's counts are 32 bits): merging two items of a
  // day from a file must not wrap around.
  static void AddCount(CountSlot* s, Days day, std::uint32_t n) {
    std::uint32_t pos = s->size();
    while (pos > 0 && (*s)[pos - 1].day > day) --pos;
    if (pos > 0 && (*s)[pos - 1].day == day &&
        (*s)[pos - 1].n <= std::numeric_limits<std::uint32_t>::max() - n) {
      (*s)[pos - 1].n += n;
    } else {
      s->Insert(pos, DayCount{day, n});
    }
  }

  double AdvanceSum(Agg* a, Group* g, const Record& r, Days day, Days lo, bool counted) {
    double v = 0;
    if (g->id != kNone) {
      SumSlot& s = a->sum[g->id];
      if (s.items.empty()) {
        v = 0;
      } else if (s.oldest >= lo && s.newest <= day) {
        v = s.fold;
      } else {
        for (const DayNumber& x : s.items) {
          if (x.day >= lo && x.day <= day) v += x.x;
        }
      }
    }
    const int field = a->def->field;
    if (!counted || field < 0) return v;
    const int n = r.count(field);
    if (n == 0) return v;  // adds nothing, now or later
    SumSlot& s = a->sum[EnsureKey(g)];
    for (int i = 0; i < n; ++i) {
      const double d = r.num(field, i);
      v += d;
      AddNumber(&s, day, d);
    }
    return v;
  }

  static void AddNumber(SumSlot* s, Days day, double d) {
    if (s->items.empty()) {
      s->fold = 0;
      s->oldest = s->newest = day;
    } else {
      s->oldest = std::min(s->oldest, day);
      s->newest = std::max(s->newest, day);
    }
    s->fold += d;
    s->items.PushBack(DayNumber{day, d});
  }


  // The record's distinct values of t's field, once per record.
  void OwnValues(ValueTable* t, const Record& r) {
    if (t->ready == epoch_) return;
    t->ready = epoch_;
    t->buf.clear();
    t->own.clear();
    const int n = r.count(t->field);
    for (int i = 0; i < n; ++i) {
      const std::size_t at = t->buf.size();
      AppendKeyValue(r, t->field, i, t->numeric, &t->buf);
      ValueTable::Own o;
      o.offset = static_cast<std::uint32_t>(at);
      o.size = static_cast<std::uint32_t>(t->buf.size() - at);
      const std::string_view v = t->View(o);
      if (std::any_of(t->own.begin(), t->own.end(),
                      [&](const ValueTable::Own& p) { return t->View(p) == v; })) {
        t->buf.resize(at);
        continue;
      }
      o.hash = HashBytes(v);
      o.id = t->values->Find(v, o.hash);
      t->own.push_back(o);
    }
  }

  double AdvanceDistinct(Agg* a, Group* g, const Record& r, Days day, Days lo, bool counted) {
    if (a->values < 0) return 0;
    ValueTable& t = tables_[static_cast<std::size_t>(a->values)];
    if (++t.epoch == 0) {
      std::fill(t.stamp.begin(), t.stamp.end(), 0);
      t.epoch = 1;
    }
    if (t.stamp.size() < t.values->capacity()) {
      Interner::Reserve(&t.stamp, t.values->capacity());
      t.stamp.resize(t.values->capacity(), 0);
    }
    std::size_t distinct = 0;
    if (g->id != kNone) {
      for (const DayValue& v : a->distinct[g->id]) {
        if (v.day > day) break;
        if (v.day < lo || t.stamp[v.id] == t.epoch) continue;
        t.stamp[v.id] = t.epoch;
        ++distinct;
      }
    }
    if (!counted) return static_cast<double>(distinct);
    OwnValues(&t, r);
    if (t.own.empty()) return static_cast<double>(distinct);
    for (const ValueTable::Own& o : t.own) {
      if (o.id == kNone || t.stamp[o.id] != t.epoch) ++distinct;
    }
    DistinctSlot& s = a->distinct[EnsureKey(g)];
    for (ValueTable::Own& o : t.own) {
      o.id = AddValue(&s, &t, day, t.View(o), o.hash, o.id);
    }
    return static_cast<double>(distinct);
  }

  // Adds (day, value) to s unless it holds it; the value's id.
  static std::uint32_t AddValue(DistinctSlot* s, ValueTable* t, Days day, std::string_view value,
                                std::uint64_t hash, std::uint32_t found) {
    std::uint32_t pos = s->size();
    if (found != kNone) {
      while (pos > 0 && ((*s)[pos - 1].day > day ||
                         ((*s)[pos - 1].day == day && (*s)[pos - 1].id > found))) {
        --pos;
      }
      if (pos > 0 && (*s)[pos - 1].day == day && (*s)[pos - 1].id == found) return found;
    }
    const std::uint32_t id = t->values->Acquire(value, hash, found);
    if (found == kNone) {
      // A new id: place it by (day, id).
      pos = s->size();
      while (pos > 0 && ((*s)[pos - 1].day > day ||
                         ((*s)[pos - 1].day == day && (*s)[pos - 1].id > id))) {
        --pos;
      }
    }
    s->Insert(pos, DayValue{day, id});
    return id;
  }

  // Forgets what aggregate a holds for key `id` at or before `forget`.
  void Prune(Agg* a, std::uint32_t id, Days forget) {
    switch (a->def->measure) {
      case Measure::kCount: {
        CountSlot& s = a->count[id];
        std::uint32_t n = 0;
        while (n < s.size() && s[n].day <= forget) ++n;
        if (n) s.ErasePrefix(n);
        break;
      }
      case Measure::kDistinct: {
        DistinctSlot& s = a->distinct[id];
        std::uint32_t n = 0;
        while (n < s.size() && s[n].day <= forget) ++n;
        if (n == 0) break;
        ValueTable& t = tables_[static_cast<std::size_t>(a->values)];
        for (std::uint32_t i = 0; i < n; ++i) t.values->Release(s[i].id);
        s.ErasePrefix(n);
        break;
      }
      case Measure::kSum: {
        SumSlot& s = a->sum[id];
        if (s.items.empty() || s.oldest > forget) break;
        std::uint32_t keep = 0;
        for (std::uint32_t i = 0; i < s.items.size(); ++i) {
          if (s.items[i].day > forget) s.items[keep++] = s.items[i];
        }
        s.items.Truncate(keep);
        s.fold = 0;
        if (keep) {
          s.oldest = s.newest = s.items[0].day;
          for (const DayNumber& x : s.items) {
            s.fold += x.x;
            s.oldest = std::min(s.oldest, x.day);
            s.newest = std::max(s.newest, x.day);
          }
        }
        break;
      }
    }
  }

  // Once H has moved and records have been added for half as many keys as
  // the last sweep left, every key of the group is pruned and keys that hold
  // nothing are dropped. A sweep visits at most the keys it left plus those
  // added since, so it is amortized O(1) per record; and what is held beyond
  // the live keys is at most what was added since the last sweep. (Counting
  // against the keys held now, as before, never swept a stream whose keys
  // are mostly new: each new key raised the bar as it counted.)
  void MaybeSweep(Group* g, const StreamClock& clock) {
    if ((g->swept && clock.latest == g->swept_at) || g->inserts < g->swept_keys / 2 + 64) return;
    for (std::uint32_t id = 0; id < g->keys->capacity(); ++id) {
      if (!g->keys->live(id)) continue;
      bool empty = true;
      for (std::uint32_t ai : g->aggs) {
        Agg& a = aggs_[ai];
        Prune(&a, id, clock.ForgetAtOrBefore(a.def->days));
        empty = empty && SlotSize(a, id) == 0;
      }
      if (empty) g->keys->Remove(id);
    }
    g->swept = true;
    g->swept_keys = g->keys->size();
    g->swept_at = clock.latest;
    g->inserts = 0;
  }

  const RuleSetData& data_;
  std::vector<Agg> aggs_;  // by aggregate index
  std::vector<Group> groups_;
  std::vector<ValueTable> tables_;
  std::vector<Where> wheres_;
  std::uint64_t epoch_ = 0;  // records advanced: names the current one
};

}  // namespace

std::unique_ptr<StreamHistory> NewIndexedStream(const RuleSetData& data) {
  return std::make_unique<IndexedStream>(data);
}

}  // namespace targeting::internal
