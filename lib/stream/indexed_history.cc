// The indexed history of a rule set's aggregates. The aggregates that share
// a `by` share one table of keys: a record's key is built, hashed and looked
// up once per distinct `by`, not once per aggregate, and each key's row
// (lib/stream/interner.h) holds its bytes and every aggregate's slot for it:
// per-day counts, the counted values of a sum in stream order, the (value
// id, day) pairs of a distinct with the number of values held, each in a
// vector that holds one item inline. Distinct values are interned once per
// field, with a reference count, so they are compared as ids and stay exact
// (the interner compares bytes, not only hashes). State is pruned of
// everything at or before H - days whenever a key is touched, and keys whose
// items are all forgotten are swept out in amortized passes, so memory
// follows the window, not the stream. `where` is evaluated once per record
// per distinct condition.
#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

// ASAN_(UN)POISON_MEMORY_REGION: no-ops in a build without AddressSanitizer.
#include <sanitizer/asan_interface.h>

#include "plan/aggregate.h"
#include "eval/evaluate.h"
#include "stream/history.h"
#include "stream/interner.h"

namespace targeting::internal {

std::atomic<std::size_t> look_ahead_from_bytes{kLookAheadFromBytes};

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

// The heap arrays of the slots' items: powers of two from 32 bytes to
// 4 KiB, each size from a free list of its own, carved out of 64 KiB
// chunks; larger ones from the heap. Keys grow and shrink their arrays as
// days come and go (a distinct slot of two values holds an array of four
// until a prune leaves it one), about one allocation and one release per
// record of the aggregate bench, ~300 instructions of malloc and free and
// their metadata's cache lines. The chunks are the stream's until it goes.
// Under AddressSanitizer, what the pool holds but has not handed out (a
// chunk's rest, the blocks given back) is poisoned, so that a use of an item
// array after it was given back is reported as it would be had it come from
// operator new; otherwise the pool's recycling hides it.
class ItemPool {
 public:
  ItemPool() = default;
  ItemPool(const ItemPool&) = delete;
  ItemPool& operator=(const ItemPool&) = delete;
  ~ItemPool() {
    for (const auto& [c, bytes] : chunks_) {
      ASAN_UNPOISON_MEMORY_REGION(c, bytes);
      ::operator delete(c);
    }
  }
  // `bytes` is a power of two of at least 32.
  void* Get(std::size_t bytes) {
    const int c = Class(bytes);
    if (c < 0) {
      large_ += bytes;
      return ::operator new(bytes);
    }
    if (FreeBlock* f = free_[c]) {
      ASAN_UNPOISON_MEMORY_REGION(f, bytes);
      free_[c] = f->next;
      return f;
    }
    if (left_ < bytes) {
      // operator new's storage, where the items' arrays begin to live
      // implicitly (they are trivially copyable). Chunks start at 4 KiB and
      // double up to 64 KiB, so that a small history (Peek's probe of one
      // record's keys) does not take 64 KiB.
      chunk_ = chunks_.empty() ? kFirstChunk : std::min(kChunk, 2 * chunk_);
      chunks_.emplace_back(static_cast<char*>(::operator new(chunk_)), chunk_);
      held_ += chunk_;
      cursor_ = chunks_.back().first;
      left_ = chunk_;
      ASAN_POISON_MEMORY_REGION(cursor_, left_);
    }
    void* p = cursor_;
    cursor_ += bytes;
    left_ -= bytes;
    ASAN_UNPOISON_MEMORY_REGION(p, bytes);
    return p;
  }
  void Put(void* p, std::size_t bytes) {
    const int c = Class(bytes);
    if (c < 0) {
      large_ -= bytes;
      ::operator delete(p);
      return;
    }
    free_[c] = new (p) FreeBlock{free_[c]};
    ASAN_POISON_MEMORY_REGION(p, bytes);
  }
  std::size_t MemoryBytes() const { return held_ + large_; }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  static constexpr std::size_t kChunk = 64 * 1024, kFirstChunk = 4096;
  static constexpr std::size_t kClasses = 8;  // 32 .. 4096 bytes: at most a first chunk
  static int Class(std::size_t bytes) {
    if (bytes > (std::size_t{32} << (kClasses - 1))) return -1;
    int c = 0;
    while ((std::size_t{32} << c) < bytes) ++c;
    return c;
  }
  FreeBlock* free_[kClasses] = {};
  std::vector<std::pair<char*, std::size_t>> chunks_;  // with their sizes
  char* cursor_ = nullptr;
  std::size_t left_ = 0;
  std::size_t chunk_ = 0;  // the size of the last chunk
  std::size_t held_ = 0;   // bytes of all chunks
  std::size_t large_ = 0;
};

// A vector of trivially copyable items that holds one inline: most keys
// hold one day, and then their state takes no allocation. Trivially
// copyable itself, so that rows move as plain bytes: all zero bytes are an
// empty one, and its heap array, if any, is given back by Free(). Its
// arrays come from the stream's ItemPool, passed to every call that may
// allocate or release.
template <class T>
struct TinyVec {
  static_assert(sizeof(T) == 8 || sizeof(T) == 16, "arrays of 4 or more are pool sizes");
  T* begin() { return cap_ > 1 ? u_.heap : &u_.one; }
  T* end() { return begin() + size_; }
  const T* begin() const { return cap_ > 1 ? u_.heap : &u_.one; }
  const T* end() const { return begin() + size_; }
  std::uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::uint32_t i) { return begin()[i]; }
  const T& operator[](std::uint32_t i) const { return begin()[i]; }
  // The heap array, for prefetching; null when the item is inline.
  const T* heap() const { return cap_ > 1 ? u_.heap : nullptr; }

  void Insert(std::uint32_t pos, const T& v, ItemPool* pool) {
    if (size_ >= (cap_ > 1 ? cap_ : 1)) Grow(pool);
    T* d = begin();
    for (std::uint32_t i = size_; i > pos; --i) d[i] = d[i - 1];
    d[pos] = v;
    ++size_;
  }
  void PushBack(const T& v, ItemPool* pool) { Insert(size_, v, pool); }
  void ErasePrefix(std::uint32_t n, ItemPool* pool) {
    T* d = begin();
    if (n < size_) std::memmove(static_cast<void*>(d), d + n, (size_ - n) * sizeof(T));
    size_ -= n;
    MaybeShrink(pool);
  }
  void Truncate(std::uint32_t n, ItemPool* pool) {
    size_ = n;
    MaybeShrink(pool);
  }
  void Free(ItemPool* pool) {
    if (cap_ > 1) pool->Put(u_.heap, cap_ * sizeof(T));
    cap_ = 0;
    size_ = 0;
  }

  void Grow(ItemPool* pool) {
    const std::uint32_t next = cap_ < 4 ? 4 : cap_ * 2;
    T* h = static_cast<T*>(pool->Get(next * sizeof(T)));
    std::memcpy(static_cast<void*>(h), begin(), size_ * sizeof(T));
    if (cap_ > 1) pool->Put(u_.heap, cap_ * sizeof(T));
    u_.heap = h;
    cap_ = next;
  }
  void MaybeShrink(ItemPool* pool) {
    if (cap_ <= 1) return;
    if (size_ <= 1) {
      T keep{};
      if (size_ == 1) keep = u_.heap[0];
      pool->Put(u_.heap, cap_ * sizeof(T));
      cap_ = 0;
      u_.one = keep;
    } else if (cap_ > 8 && 4 * size_ < cap_) {
      const std::uint32_t next = cap_ / 2;
      T* h = static_cast<T*>(pool->Get(next * sizeof(T)));
      std::memcpy(static_cast<void*>(h), u_.heap, size_ * sizeof(T));
      pool->Put(u_.heap, cap_ * sizeof(T));
      u_.heap = h;
      cap_ = next;
    }
  }
  union U {
    T one;
    T* heap;
  } u_;
  std::uint32_t size_;
  std::uint32_t cap_;  // 0 or 1: the item inline
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
// Distinct: the (value id, day) pairs by (id, day) ascending, no pair twice,
// so that the pairs of one value are adjacent: `ids` counts the values held
// (the measure of a record of day H, whose window holds every item left
// after pruning), a value's days are found by binary search, and a window
// of a late record is counted in one pass without marks. `oldest` is the
// earliest day held (when not empty), so pruning skips a slot with nothing
// to forget without reading its items.
struct DistinctSlot {
  TinyVec<DayValue> items;
  std::uint32_t ids;
  Days oldest;
};
// Sum: the counted values in stream order (the order they are added in).
struct SumSlot {
  TinyVec<DayNumber> items;
  double fold;  // of every item, in order (refolded when items are forgotten)
  Days oldest, newest;
};
static_assert(std::is_trivially_copyable_v<CountSlot> && std::is_trivially_copyable_v<SumSlot> &&
              std::is_trivially_copyable_v<DistinctSlot>);

std::uint32_t SlotBytes(Measure m) {
  switch (m) {
    case Measure::kCount: return sizeof(CountSlot);
    case Measure::kSum: return sizeof(SumSlot);
    case Measure::kDistinct: return sizeof(DistinctSlot);
  }
  return 0;
}

// The start of every row: the key is not empty while the clock's H is
// before `keep_until` (the latest day + days of an item it holds).
struct RowHead {
  std::int64_t keep_until;
};

// The aggregates of one `by`, and their keys: each key's row holds the
// state of every aggregate of the group (Agg::offset), so a record's key
// costs one probe and one row, not one slot per aggregate.
// One aggregate of a group, with what Process needs of it in one place.
struct Member {
  std::uint32_t index = 0;   // the aggregate's: out->value[index]
  std::uint32_t offset = 0;  // of its slot in the group's rows
  Measure measure = Measure::kCount;
  int days = 1;
  int where = -1;   // index into wheres_, -1: every record of the key counts
  int values = -1;  // distinct: index into tables_
  int field = -1;   // sum: the field
};

struct Group {
  std::vector<int> by;
  std::vector<std::uint8_t> numeric;  // by field
  std::vector<std::uint32_t> aggs;
  std::vector<Member> members;  // aggs, as Process reads them
  std::uint32_t row_bytes = sizeof(RowHead);
  std::unique_ptr<Interner> keys;
  std::uint64_t inserts = 0;  // records added since the last sweep
  std::uint64_t fresh = 0;    // keys added since the last sweep
  std::uint64_t swept_keys = 0;  // keys the last sweep left
  Days swept_at = 0;
  bool swept = false;
  // This record's key.
  bool keyed = false;
  bool added = false;
  std::uint64_t hash = 0;
  std::uint32_t id = kNone;
  std::string_view key;
};

// A byte buffer that grows without zero-filling what it will overwrite, for
// the keys and values a record is prepared with (a sink of
// EncodeAggregateKey): std::string appends cost more than the bytes.
class ByteBuf {
 public:
  std::size_t size() const { return size_; }
  const char* data() const { return data_.get(); }
  void clear() { size_ = 0; }
  char* Extend(std::size_t n) {
    if (size_ + n > cap_) Grow(size_ + n);
    char* at = data_.get() + size_;
    size_ += n;
    return at;
  }
  void Shrink(std::size_t n) { size_ = n; }

 private:
  void Grow(std::size_t need) {
    const std::size_t cap = std::max<std::size_t>({need, 2 * cap_, 256});
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    cap_ = cap;
  }
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, cap_ = 0;
};

// One of a record's values for a distinct aggregate, in a Prepared buffer.
struct OwnValue {
  std::uint32_t offset = 0, size = 0;
  std::uint64_t hash = 0;
  std::uint32_t id = kNone;  // the interned id, when held
};

// The values of one field that distinct aggregates count.
struct ValueTable {
  int field = -1;
  bool numeric = false;
  std::unique_ptr<Interner> values = std::make_unique<Interner>(0, 40, /*lazy=*/true);
  // This record's distinct values, in order of first appearance.
  std::uint64_t ready = 0;  // the record epoch `own` was filled for
  const ByteBuf* buf = nullptr;  // of the Prepared record `own` is from
  std::vector<OwnValue> own;
  std::string_view View(const OwnValue& o) const { return {buf->data() + o.offset, o.size}; }
};

struct Where {
  int node = -1;
  std::uint64_t ready = 0;  // the record epoch `holds` is for
  bool holds = false;
};

struct Agg {
  const AggregateDef* def = nullptr;
  std::uint32_t group = 0;
  std::uint32_t offset = 0;  // of its slot in the group's rows
  int where = -1;   // index into wheres_, -1: every record of the key counts
  int values = -1;  // distinct: index into tables_
};

// A record made ready to advance: its key for every group and its values
// for every value table, built and hashed (and their buckets fetched) ahead
// of its turn. Holds nothing of the history, so it never goes stale.
struct Prepared {
  const Record* r = nullptr;
  Days day = 0;
  struct Key {
    std::uint32_t offset = 0, size = 0;
    std::uint64_t hash = 0;
    bool keyed = false;
    // PrefetchRows' guess at the key's id (a row whose tag matches), for
    // PrefetchItems: only ever a hint, never trusted.
    std::uint32_t guess = kNone;
  };
  ByteBuf keys;           // the groups' keys, back to back
  std::vector<Key> key;   // by group
  ByteBuf values;         // the tables' values, back to back
  std::vector<OwnValue> own;  // by table, first[t] .. first[t + 1]
  std::vector<std::uint32_t> first;
  std::string_view KeyView(std::size_t g) const { return {keys.data() + key[g].offset, key[g].size}; }
};

class IndexedStream final : public StreamHistory {
 public:
  explicit IndexedStream(const RuleSetData& data) : data_(&data) {
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
        for (int f : def.by) groups_.back().numeric.push_back(IsNumeric(data.schema.field(f).type));
        g = groups_.end() - 1;
      }
      agg.group = static_cast<std::uint32_t>(g - groups_.begin());
      agg.offset = g->row_bytes;
      g->row_bytes += SlotBytes(def.measure);
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
    // Keys of one field inline up to 44 bytes (most names and addresses),
    // of several up to 84; longer ones live on the heap.
    for (Group& g : groups_) {
      g.keys = std::make_unique<Interner>(g.row_bytes, g.by.size() == 1 ? 48 : 88);
      for (std::uint32_t ai : g.aggs) {
        const Agg& a = aggs_[ai];
        g.members.push_back(Member{ai, a.offset, a.def->measure, a.def->days, a.where, a.values,
                                   a.def->field});
      }
    }
  }

  // Everything that refers to the rule set: the data `where` is evaluated
  // in, each aggregate's definition, and each `where`'s node (that of any
  // aggregate sharing it: the aggregates that share one have the same
  // condition, so any of their nodes is the same test, whatever its id in
  // the new set). Groups, members and value tables hold fields and
  // measures, which the definitions' keys fix.
  void Retarget(const RuleSetData& data) override {
    data_ = &data;
    for (std::size_t a = 0; a < aggs_.size(); ++a) {
      Agg& agg = aggs_[a];
      agg.def = &data.aggregates[a];
      if (agg.where >= 0) wheres_[static_cast<std::size_t>(agg.where)].node = agg.def->where;
    }
  }

  ~IndexedStream() override {
    for (Group& g : groups_) {
      for (std::uint32_t id = 0; id < g.keys->capacity(); ++id) {
        if (g.keys->live(id)) FreeRow(g, id);
      }
    }
  }

  void Advance(const Record& r, Days day, Days as_of, const StreamClock& clock,
               AggregateMeasures* out) override {
    // No look-ahead: the rows would be fetched just before Process reads
    // them (only the buckets, fetched by Prepare, get a head start).
    Prepared& p = ring_[0];
    Prepare(&p, r, day);
    Process(p, as_of, clock, out);
  }

  // Software pipelining: record i + kKeysAhead has its keys built and
  // hashed and its buckets fetched, record i + kRowsAhead its rows fetched,
  // record i + kItemsAhead the heap items of its slots, while record i is
  // advanced. Looking ahead only reads the history, and whatever it found is
  // looked up again at the record's turn, so the records are advanced
  // exactly as one by one: the prefetches are only hints.
  //
  // The look-ahead costs instructions (~10% of the stage) and pays only when
  // the rows it fetches would otherwise miss the caches: with the bench's
  // twenty aggregates (bench/README, "The stream's look-ahead"), histories
  // of 2.7 to 10.6 MiB advanced 10-15% faster one record at a time, one of
  // 26.6 MiB about as fast either way, one of 63 MiB ~15% faster looking
  // ahead. So a history under kLookAheadFromBytes (measured at the start of
  // each batch) is advanced one record at a time.
  void AdvanceBatch(const Record* const* records, const Days* days, std::size_t n, Days as_of,
                    StreamClock* clock, AggregateMeasures* const* out) override {
    if (MemoryBytes() < look_ahead_from_bytes.load(std::memory_order_relaxed)) {
      StreamHistory::AdvanceBatch(records, days, n, as_of, clock, out);  // one by one
      return;
    }
    auto prepare = [&](std::size_t k) {
      if (k < n) Prepare(&ring_[k % kRing], *records[k], days[k]);
    };
    for (std::size_t k = 0; k < kKeysAhead; ++k) prepare(k);
    for (std::size_t k = 0; k < kRowsAhead && k < n; ++k) PrefetchRows(&ring_[k % kRing]);
    for (std::size_t i = 0; i < n; ++i) {
      prepare(i + kKeysAhead);
      if (i + kRowsAhead < n) PrefetchRows(&ring_[(i + kRowsAhead) % kRing]);
      if (i + kItemsAhead < n) PrefetchItems(ring_[(i + kItemsAhead) % kRing], *clock);
      clock->Tick(days[i]);
      Process(ring_[i % kRing], as_of, *clock, out[i]);
    }
  }

  void Export(int aggregate, const StreamClock& clock, const HeldVisitor& visit) const override {
    const Agg& a = aggs_[static_cast<std::size_t>(aggregate)];
    const Group& g = groups_[a.group];
    const Days forget = clock.ForgetAtOrBefore(a.def->days);
    std::vector<HeldItem> held;
    for (std::uint32_t id = 0; id < g.keys->capacity(); ++id) {
      if (!g.keys->live(id)) continue;
      Held(a, id, forget, &held);
      if (!held.empty()) visit(g.keys->View(id), held);
    }
  }

  void ExportKey(int aggregate, std::string_view key, const StreamClock& clock,
                 std::vector<HeldItem>* held) const override {
    held->clear();
    const Agg& a = aggs_[static_cast<std::size_t>(aggregate)];
    const std::uint32_t id = groups_[a.group].keys->Find(key, HashBytes(key));
    if (id == kNone) return;
    Held(a, id, clock.ForgetAtOrBefore(a.def->days), held);
  }

  void ReserveKeys(int aggregate, std::size_t keys) override {
    Group& g = groups_[aggs_[static_cast<std::size_t>(aggregate)].group];
    g.keys->ReserveFor(std::max(keys, g.keys->size()));
  }

  void Import(int aggregate, std::string_view key, const std::vector<HeldItem>& items) override {
    if (items.empty()) return;
    Agg& a = aggs_[static_cast<std::size_t>(aggregate)];
    Group& g = groups_[a.group];
    g.key = key;
    g.hash = HashBytes(key);
    g.id = g.keys->Find(key, g.hash);
    const std::uint32_t id = EnsureKey(&g);
    for (const HeldItem& h : items) {
      Keep(g, id, h.day, a.def->days);
      switch (a.def->measure) {
        case Measure::kCount: AddCount(Slot<CountSlot>(a, id), h.day, h.n); break;
        case Measure::kSum: AddNumber(Slot<SumSlot>(a, id), h.day, h.number); break;
        case Measure::kDistinct: {
          ValueTable& t = tables_[static_cast<std::size_t>(a.values)];
          const std::uint64_t hash = HashBytes(h.text);
          AddValue(Slot<DistinctSlot>(a, id), &t, h.day, h.text, hash, t.values->Find(h.text, hash));
          break;
        }
      }
    }
    g.id = kNone;
    g.key = {};
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
    for (const ValueTable& t : tables_) b += t.values->MemoryBytes();
    // The slots' heap arrays, free blocks included (the pool keeps them).
    b += pool_.MemoryBytes();
    return b;
  }

 private:
  // What key `id` of aggregate `a` holds after day `forget`, as state files
  // keep it.
  void Held(const Agg& a, std::uint32_t id, Days forget, std::vector<HeldItem>* held) const {
    held->clear();
    switch (a.def->measure) {
      case Measure::kCount:
        for (const DayCount& c : *Slot<CountSlot>(a, id)) {
          if (c.day > forget) held->push_back(HeldItem{c.day, c.n, 0, {}});
        }
        break;
      case Measure::kSum:
        for (const DayNumber& x : Slot<SumSlot>(a, id)->items) {
          if (x.day > forget) held->push_back(HeldItem{x.day, 0, x.x, {}});
        }
        break;
      case Measure::kDistinct: {
        const ValueTable& t = tables_[static_cast<std::size_t>(a.values)];
        for (const DayValue& v : Slot<DistinctSlot>(a, id)->items) {
          if (v.day > forget) held->push_back(HeldItem{v.day, 0, 0, std::string(t.values->View(v.id))});
        }
        break;
      }
    }
  }

  template <class S>
  S* Slot(const Agg& a, std::uint32_t id) {
    return reinterpret_cast<S*>(groups_[a.group].keys->payload(id) + a.offset);
  }
  template <class S>
  const S* Slot(const Agg& a, std::uint32_t id) const {
    return reinterpret_cast<const S*>(groups_[a.group].keys->payload(id) + a.offset);
  }

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
  std::uint32_t SlotSize(const Agg& a, std::uint32_t id) const {
    switch (a.def->measure) {
      case Measure::kCount: return Slot<CountSlot>(a, id)->size();
      case Measure::kSum: return Slot<SumSlot>(a, id)->items.size();
      case Measure::kDistinct: return Slot<DistinctSlot>(a, id)->items.size();
    }
    return 0;
  }
  // Gives back the heap arrays of a row's slots (its items are all gone or
  // being dropped with it).
  void FreeRow(Group& g, std::uint32_t id) {
    for (std::uint32_t ai : g.aggs) {
      const Agg& a = aggs_[ai];
      switch (a.def->measure) {
        case Measure::kCount: Slot<CountSlot>(a, id)->Free(&pool_); break;
        case Measure::kSum: Slot<SumSlot>(a, id)->items.Free(&pool_); break;
        case Measure::kDistinct: {
          DistinctSlot* s = Slot<DistinctSlot>(a, id);
          s->items.Free(&pool_);
          s->ids = 0;
          s->oldest = 0;
          break;
        }
      }
    }
  }

  // The record's key for every group, in AggregateKey's form (the state
  // files' keys), and its values for every value table; their buckets are
  // fetched. Reads the record only.
  void Prepare(Prepared* p, const Record& r, Days day) {
    p->r = &r;
    p->day = day;
    p->keys.clear();
    p->key.resize(groups_.size());
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
      const Group& g = groups_[gi];
      Prepared::Key& k = p->key[gi];
      k.offset = static_cast<std::uint32_t>(p->keys.size());
      k.keyed = EncodeAggregateKey(r, g.by, [&g](std::size_t j) { return g.numeric[j] != 0; }, &p->keys);
      k.size = static_cast<std::uint32_t>(p->keys.size() - k.offset);
    }
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
      Prepared::Key& k = p->key[gi];
      if (!k.keyed) continue;
      k.hash = HashBytes(p->KeyView(gi));
      groups_[gi].keys->PrefetchBuckets(k.hash);
    }
    p->values.clear();
    p->own.clear();
    p->first.resize(tables_.size() + 1);
    for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
      const ValueTable& t = tables_[ti];
      p->first[ti] = static_cast<std::uint32_t>(p->own.size());
      const int n = r.count(t.field);
      for (int i = 0; i < n; ++i) {
        const std::size_t at = p->values.size();
        EncodeKeyValue(r, t.field, i, t.numeric, &p->values);
        OwnValue o;
        o.offset = static_cast<std::uint32_t>(at);
        o.size = static_cast<std::uint32_t>(p->values.size() - at);
        const std::string_view v(p->values.data() + o.offset, o.size);
        if (std::any_of(p->own.begin() + p->first[ti], p->own.end(), [&](const OwnValue& q) {
              return std::string_view(p->values.data() + q.offset, q.size) == v;
            })) {
          p->values.Shrink(at);
          continue;
        }
        o.hash = HashBytes(v);
        t.values->PrefetchBuckets(o.hash);
        p->own.push_back(o);
      }
    }
    p->first[tables_.size()] = static_cast<std::uint32_t>(p->own.size());
  }

  // Fetches the rows of p's keys and values (their buckets should be in
  // cache by now). Changes nothing.
  void PrefetchRows(Prepared* p) const {
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
      Prepared::Key& k = p->key[gi];
      k.guess = k.keyed ? groups_[gi].keys->PrefetchRows(k.hash) : kNone;
    }
    for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
      for (std::uint32_t i = p->first[ti]; i < p->first[ti + 1]; ++i) {
        tables_[ti].values->PrefetchRows(p->own[i].hash);
      }
    }
  }

  // Fetches the heap items of the slots of p's keys (their rows should be
  // in cache by now). Changes nothing. The rows are PrefetchRows' guesses,
  // not looked up again: a wrong guess (another key of the same tag, or a
  // row swept or reused since) only fetches the wrong lines, as every row
  // below capacity holds valid slots (rows are zeroed when added, and a
  // dropped row's slots are emptied).
  void PrefetchItems(const Prepared& p, const StreamClock& clock) const {
    auto fetch = [](const void* heap, std::size_t bytes) {
      if (heap == nullptr) return;
      const char* c = static_cast<const char*>(heap);
      bytes = std::min<std::size_t>(bytes, 256);
      for (std::size_t at = 0; at < bytes; at += 64) Prefetch(c + at);
    };
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
      const Group& g = groups_[gi];
      const std::uint32_t id = p.key[gi].guess;
      if (!p.key[gi].keyed || id >= g.keys->capacity() || !g.keys->live(id)) continue;
      const std::byte* row = g.keys->payload(id);
      for (const Member& m : g.members) {
        switch (m.measure) {
          case Measure::kCount: {
            const CountSlot& s = *reinterpret_cast<const CountSlot*>(row + m.offset);
            fetch(s.heap(), s.size() * sizeof(DayCount));
            break;
          }
          case Measure::kSum: {
            // Read only when pruning (from the front) and added to at the end.
            const SumSlot& s = *reinterpret_cast<const SumSlot*>(row + m.offset);
            if (s.items.heap()) {
              Prefetch(s.items.heap());
              Prefetch(s.items.heap() + s.items.size());
            }
            break;
          }
          case Measure::kDistinct: {
            const DistinctSlot& s = *reinterpret_cast<const DistinctSlot*>(row + m.offset);
            fetch(s.items.heap(), s.items.size() * sizeof(DayValue));
            // The rows of the values it will likely forget (and release).
            const Days forget = clock.ForgetAtOrBefore(m.days);
            if (m.values < 0 || s.items.empty() || s.oldest > forget) break;
            const Interner& values = *tables_[static_cast<std::size_t>(m.values)].values;
            for (std::uint32_t k = 0, fetched = 0; k < s.items.size() && k < 32 && fetched < 8; ++k) {
              if (s.items[k].day <= forget && s.items[k].id < values.capacity()) {
                values.PrefetchRow(s.items[k].id);
                ++fetched;
              }
            }
            break;
          }
        }
      }
    }
  }

  // Advances the history by p's record (the clock already includes it).
  void Process(const Prepared& p, Days as_of, const StreamClock& clock, AggregateMeasures* out) {
    ++epoch_;
    const Record& r = *p.r;
    const Days day = p.day;
    // A record of day H: every item its keys hold after pruning is in its
    // window (items are after H - days and none is after H).
    const bool in_order = day == clock.latest;
    cur_ = &p;
    // Forget first, for every aggregate of the record's keys: value ids
    // released here are then never among those this record looks up.
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
      Group& g = groups_[gi];
      MaybeSweep(&g, clock);
      g.added = false;
      g.id = kNone;
      g.keyed = p.key[gi].keyed;
      if (!g.keyed) continue;
      g.key = p.KeyView(gi);
      g.hash = p.key[gi].hash;
      g.id = g.keys->Find(g.key, g.hash);
      if (g.id == kNone) continue;
      std::byte* row = g.keys->payload(g.id);
      for (const Member& m : g.members) Prune(m, row + m.offset, clock.ForgetAtOrBefore(m.days));
    }
    double* value = out->value.data();
    std::uint8_t* keyed = out->keyed.data();
    for (Group& g : groups_) {
      if (!g.keyed) {
        for (const Member& m : g.members) {
          keyed[m.index] = 0;
          value[m.index] = 0;
        }
        continue;
      }
      for (const Member& m : g.members) {
        keyed[m.index] = 1;
        const bool counted = m.where < 0 || Holds(&wheres_[static_cast<std::size_t>(m.where)], r, as_of);
        const Days lo = std::max(day - m.days + 1, clock.ForgetAtOrBefore(m.days) + 1);
        switch (m.measure) {
          case Measure::kCount: value[m.index] = AdvanceCount(m, &g, day, lo, counted); break;
          case Measure::kSum: value[m.index] = AdvanceSum(m, &g, r, day, lo, counted); break;
          case Measure::kDistinct:
            value[m.index] = AdvanceDistinct(m, &g, day, lo, in_order, counted);
            break;
        }
      }
      if (g.added) ++g.inserts;
      g.key = {};
    }
    cur_ = nullptr;
  }

  bool Holds(Where* w, const Record& r, Days as_of) {
    if (w->ready != epoch_) {
      w->holds = EvalNode(*data_, w->node, r, as_of);
      w->ready = epoch_;
    }
    return w->holds;
  }

  // The id of the group's current key, added (with a zeroed row: every
  // aggregate's slot empty) when new.
  std::uint32_t EnsureKey(Group* g) {
    if (g->id == kNone) {
      g->id = g->keys->Add(g->key, g->hash);
      ++g->fresh;
    }
    g->added = true;
    return g->id;
  }
  // The slot of member m for the group's current key (added when new).
  template <class S>
  S* EnsureSlot(const Member& m, Group* g, Days day) {
    const std::uint32_t id = EnsureKey(g);
    std::byte* row = g->keys->payload(id);
    auto* head = reinterpret_cast<RowHead*>(row);
    head->keep_until = std::max(head->keep_until, std::int64_t{day} + m.days);
    return reinterpret_cast<S*>(row + m.offset);
  }
  template <class S>
  const S* CurrentSlot(const Member& m, const Group& g) const {
    return reinterpret_cast<const S*>(g.keys->payload(g.id) + m.offset);
  }

  // An item of `day` goes into a slot of a `days` aggregate of key `id`.
  static void Keep(Group& g, std::uint32_t id, Days day, int days) {
    auto* head = reinterpret_cast<RowHead*>(g.keys->payload(id));
    head->keep_until = std::max(head->keep_until, std::int64_t{day} + days);
  }

  double AdvanceCount(const Member& m, Group* g, Days day, Days lo, bool counted) {
    double v = 0;
    if (g->id != kNone) {
      for (const DayCount& c : *CurrentSlot<CountSlot>(m, *g)) {
        if (c.day > day) break;
        if (c.day >= lo) v += c.n;
      }
    }
    if (!counted) return v;
    AddCount(EnsureSlot<CountSlot>(m, g, day), day, 1);
    return v + 1;
  }

  // A day's count that would pass 2^32 - 1 goes on in another item of the
  // same day (the state file's counts are 32 bits): merging two items of a
  // day from a file must not wrap around.
  void AddCount(CountSlot* s, Days day, std::uint32_t n) {
    std::uint32_t pos = s->size();
    if (pos > 0) {  // the usual case: a record of the latest day held
      DayCount& last = (*s)[pos - 1];
      if (last.day == day && last.n <= std::numeric_limits<std::uint32_t>::max() - n) {
        last.n += n;
        return;
      }
    }
    while (pos > 0 && (*s)[pos - 1].day > day) --pos;
    if (pos > 0 && (*s)[pos - 1].day == day &&
        (*s)[pos - 1].n <= std::numeric_limits<std::uint32_t>::max() - n) {
      (*s)[pos - 1].n += n;
    } else {
      s->Insert(pos, DayCount{day, n}, &pool_);
    }
  }

  double AdvanceSum(const Member& m, Group* g, const Record& r, Days day, Days lo, bool counted) {
    double v = 0;
    if (g->id != kNone) {
      const SumSlot& s = *CurrentSlot<SumSlot>(m, *g);
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
    if (!counted || m.field < 0) return v;
    const int n = r.count(m.field);
    if (n == 0) return v;  // adds nothing, now or later
    SumSlot* s = EnsureSlot<SumSlot>(m, g, day);
    for (int i = 0; i < n; ++i) {
      const double d = r.num(m.field, i);
      v += d;
      AddNumber(s, day, d);
    }
    return v;
  }

  void AddNumber(SumSlot* s, Days day, double d) {
    if (s->items.empty()) {
      s->fold = 0;
      s->oldest = s->newest = day;
    } else {
      s->oldest = std::min(s->oldest, day);
      s->newest = std::max(s->newest, day);
    }
    s->fold += d;
    s->items.PushBack(DayNumber{day, d}, &pool_);
  }

  // The record's distinct values of t's field, once per record.
  void OwnValues(ValueTable* t) {
    if (t->ready == epoch_) return;
    t->ready = epoch_;
    const auto ti = static_cast<std::size_t>(t - tables_.data());
    t->buf = &cur_->values;
    t->own.assign(cur_->own.begin() + cur_->first[ti], cur_->own.begin() + cur_->first[ti + 1]);
    for (OwnValue& o : t->own) o.id = t->values->Find(t->View(o), o.hash);
  }

  // The first item of s not before (id, day).
  static std::uint32_t LowerBound(const DistinctSlot& s, std::uint32_t id, Days day) {
    const DayValue* items = s.items.begin();
    std::uint32_t at = 0, n = s.items.size();
    while (n > 0) {
      const std::uint32_t half = n / 2;
      const DayValue& x = items[at + half];
      if (x.id < id || (x.id == id && x.day < day)) {
        at += half + 1;
        n -= half + 1;
      } else {
        n = half;
      }
    }
    return at;
  }
  // Whether s holds value `id` on a day of [lo, day].
  static bool HoldsIn(const DistinctSlot& s, std::uint32_t id, Days lo, Days day) {
    const std::uint32_t at = LowerBound(s, id, lo);
    return at < s.items.size() && s.items[at].id == id && s.items[at].day <= day;
  }
  // The values s holds on days of [lo, day]: one pass, a value's items
  // being adjacent.
  static std::size_t DistinctIn(const DistinctSlot& s, Days lo, Days day) {
    std::size_t n = 0;
    std::uint32_t last = kNone;
    for (const DayValue& x : s.items) {
      if (x.id != last && x.day >= lo && x.day <= day) {
        ++n;
        last = x.id;
      }
    }
    return n;
  }

  double AdvanceDistinct(const Member& m, Group* g, Days day, Days lo, bool in_order, bool counted) {
    if (m.values < 0) return 0;
    ValueTable& t = tables_[static_cast<std::size_t>(m.values)];
    const DistinctSlot* held = g->id != kNone ? CurrentSlot<DistinctSlot>(m, *g) : nullptr;
    std::size_t distinct = 0;
    if (held != nullptr) distinct = in_order ? held->ids : DistinctIn(*held, lo, day);
    if (!counted) return static_cast<double>(distinct);
    OwnValues(&t);
    if (t.own.empty()) return static_cast<double>(distinct);
    // The record's values are distinct, so adding one does not change
    // whether the slot held another before this record.
    DistinctSlot* s = EnsureSlot<DistinctSlot>(m, g, day);
    for (OwnValue& o : t.own) {
      if (in_order) {
        // Everything held is in the window: held in it = held at all,
        // which the search that places the item tells.
        bool was_held = false;
        o.id = AddValue(s, &t, day, t.View(o), o.hash, o.id, &was_held);
        distinct += was_held ? 0 : 1;
      } else {
        if (o.id == kNone || !HoldsIn(*s, o.id, lo, day)) ++distinct;
        o.id = AddValue(s, &t, day, t.View(o), o.hash, o.id);
      }
    }
    return static_cast<double>(distinct);
  }

  // Adds (day, value) to s unless it holds it; the value's id.
  // *was_held: whether s held the value on any day before.
  std::uint32_t AddValue(DistinctSlot* s, ValueTable* t, Days day, std::string_view value,
                         std::uint64_t hash, std::uint32_t found, bool* was_held = nullptr) {
    std::uint32_t pos = 0;
    if (found != kNone) {
      pos = LowerBound(*s, found, day);
      if (pos < s->items.size() && s->items[pos].id == found && s->items[pos].day == day) {
        if (was_held) *was_held = true;
        return found;
      }
    }
    const std::uint32_t id = t->values->Acquire(value, hash, found);
    // A value not interned before is in no slot (ids of values no item holds
    // are the only ones reused).
    if (found == kNone) pos = LowerBound(*s, id, day);
    const bool had = found != kNone && ((pos < s->items.size() && s->items[pos].id == id) ||
                                        (pos > 0 && s->items[pos - 1].id == id));
    if (was_held) *was_held = had;
    if (!had) ++s->ids;
    if (s->items.empty() || day < s->oldest) s->oldest = day;
    s->items.Insert(pos, DayValue{day, id}, &pool_);
    return id;
  }

  // Forgets what the slot of member m holds at or before `forget`.
  void Prune(const Member& m, std::byte* slot, Days forget) {
    switch (m.measure) {
      case Measure::kCount: {
        CountSlot& s = *reinterpret_cast<CountSlot*>(slot);
        std::uint32_t n = 0;
        while (n < s.size() && s[n].day <= forget) ++n;
        if (n) s.ErasePrefix(n, &pool_);
        break;
      }
      case Measure::kDistinct: {
        DistinctSlot& s = *reinterpret_cast<DistinctSlot*>(slot);
        if (s.items.empty() || s.oldest > forget) break;
        ValueTable& t = tables_[static_cast<std::size_t>(m.values)];
        DayValue* items = s.items.begin();
        std::uint32_t keep = 0, ids = 0, last = kNone;
        Days oldest = std::numeric_limits<Days>::max();
        for (std::uint32_t i = 0; i < s.items.size(); ++i) {
          const DayValue x = items[i];
          if (x.day <= forget) {
            t.values->Release(x.id);
            continue;
          }
          items[keep++] = x;
          if (x.id != last) {
            ++ids;
            last = x.id;
          }
          oldest = std::min(oldest, x.day);
        }
        s.items.Truncate(keep, &pool_);
        s.ids = ids;
        s.oldest = keep ? oldest : 0;
        break;
      }
      case Measure::kSum: {
        SumSlot& s = *reinterpret_cast<SumSlot*>(slot);
        if (s.items.empty() || s.oldest > forget) break;
        std::uint32_t keep = 0;
        for (std::uint32_t i = 0; i < s.items.size(); ++i) {
          if (s.items[i].day > forget) s.items[keep++] = s.items[i];
        }
        s.items.Truncate(keep, &pool_);
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

  // Once H has moved and half as many keys have been added as the last
  // sweep left (or eight times as many records), every key of the group is
  // pruned and keys that hold nothing are dropped. A sweep visits at most
  // the keys it left plus those added since, so it is amortized O(1) per
  // record; the keys held beyond the live ones are at most those added
  // since the last sweep, and the records bound catches a stream that keeps
  // to keys already held while the rest go quiet. (Sweeping whenever
  // records had been added for half as many keys cost more than advancing
  // the records themselves: a group of 30,000 steady keys was swept every
  // 15,000 records. Counting against the keys held now, as at first, never
  // swept a stream whose keys are mostly new.)
  void MaybeSweep(Group* g, const StreamClock& clock) {
    if (g->swept && clock.latest == g->swept_at) return;
    if (g->fresh < g->swept_keys / 2 + 64 && g->inserts < 8 * g->swept_keys + 64) return;
    for (std::uint32_t id = 0; id < g->keys->capacity(); ++id) {
      if (!g->keys->live(id)) continue;
      // A key that holds an item still in its window stays: what it holds
      // that is forgotten is pruned when it is next touched or swept. Its
      // slots are not read (their heap items are cache misses). A key
      // whose keep_until has passed holds nothing in any window (every
      // item's day + days is at or before H): it goes without pruning its
      // slots one by one, only the values its distinct items hold being
      // released.
      std::byte* row = g->keys->payload(id);
      if (reinterpret_cast<const RowHead*>(row)->keep_until > clock.latest) continue;
      for (const Member& m : g->members) {
        if (m.measure != Measure::kDistinct) continue;
        const DistinctSlot& s = *reinterpret_cast<const DistinctSlot*>(row + m.offset);
        if (s.items.empty()) continue;
        Interner& values = *tables_[static_cast<std::size_t>(m.values)].values;
        for (const DayValue& x : s.items) values.Release(x.id);
      }
      FreeRow(*g, id);
      g->keys->Remove(id);
    }
    g->keys->MaybeShrink();
    g->swept = true;
    g->swept_keys = g->keys->size();
    g->swept_at = clock.latest;
    g->inserts = 0;
    g->fresh = 0;
  }

  const RuleSetData* data_;
  // Declared first so that it goes last: FreeRow gives arrays back to it.
  ItemPool pool_;
  std::vector<Agg> aggs_;  // by aggregate index
  std::vector<Group> groups_;
  std::vector<ValueTable> tables_;
  std::vector<Where> wheres_;
  std::uint64_t epoch_ = 0;  // records advanced: names the current one
  const Prepared* cur_ = nullptr;  // the record being advanced
  static constexpr std::size_t kKeysAhead = 8, kRowsAhead = 4, kItemsAhead = 2, kRing = 16;
  static_assert(kKeysAhead < kRing && kItemsAhead < kRowsAhead && kRowsAhead < kKeysAhead);
  Prepared ring_[kRing];
};

}  // namespace

std::unique_ptr<StreamHistory> NewIndexedStream(const RuleSetData& data) {
  return std::make_unique<IndexedStream>(data);
}

}  // namespace targeting::internal
