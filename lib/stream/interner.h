// Byte strings interned once (lib/stream/indexed_history.cc): keys of the
// aggregates that share a `by`, and the values distinct aggregates count.
// Private header; a template over the hash so that tests can make every
// hash collide.
#ifndef TARGETING_LIB_STREAM_INTERNER_H_
#define TARGETING_LIB_STREAM_INTERNER_H_

#include <algorithm>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace targeting::internal {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// libstdc++'s murmur over 8 bytes at a time.
inline std::uint64_t HashBytes(std::string_view s) { return std::hash<std::string_view>()(s); }

// Byte strings stored once in an arena, each named by a dense id (ids of
// removed strings are reused), with a reference count for those who want
// one. Exact: the table holds ids, and a lookup compares the bytes of the
// ids whose hash matches. The table's hash of an id is computed from its
// bytes, so the table holds 4 bytes per string; an interner does not move
// (the table's functions point at it). Every `h` passed in must be kHash of
// its string. Not thread-safe: it belongs to one stream.
template <std::uint64_t (*kHash)(std::string_view)>
class BasicInterner {
 public:
  BasicInterner() : table_(0, IdHash{this}, IdEq{this}) {}
  BasicInterner(const BasicInterner&) = delete;
  BasicInterner& operator=(const BasicInterner&) = delete;

  std::uint32_t Find(std::string_view s, std::uint64_t h) const {
    auto it = table_.find(Probe{s, h});
    return it == table_.end() ? kNone : *it;
  }
  // `s` must not be held yet.
  std::uint32_t Add(std::string_view s, std::uint64_t h) {
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<std::uint32_t>(meta_.size());
      Reserve(&meta_, meta_.size() + 1);
      meta_.emplace_back();
    }
    Meta& m = meta_[id];
    if (arena_.size() + s.size() > arena_.capacity()) {
      arena_.reserve(arena_.size() + s.size() + arena_.size() / 4 + 256);
    }
    m.offset = arena_.size();
    m.size = static_cast<std::uint32_t>(s.size());
    m.refs = 0;
    arena_.append(s);
    live_bytes_ += s.size();
    pending_ = id;
    pending_hash_ = h;
    table_.insert(id);
    pending_ = kNone;
    return id;
  }
  void Remove(std::uint32_t id) {
    table_.erase(id);
    live_bytes_ -= meta_[id].size;
    meta_[id] = Meta{};
    free_.push_back(id);
    if (arena_.size() > live_bytes_ + live_bytes_ / 4 + 4096) Compact();
  }
  // Reference-counted use: `found` is Find's answer for (s, h).
  std::uint32_t Acquire(std::string_view s, std::uint64_t h, std::uint32_t found) {
    const std::uint32_t id = found != kNone ? found : Add(s, h);
    ++meta_[id].refs;
    return id;
  }
  void Release(std::uint32_t id) {
    if (--meta_[id].refs == 0) Remove(id);
  }

  std::string_view View(std::uint32_t id) const {
    return {arena_.data() + meta_[id].offset, meta_[id].size};
  }
  bool live(std::uint32_t id) const { return meta_[id].offset != kDead; }
  std::uint32_t capacity() const { return static_cast<std::uint32_t>(meta_.size()); }
  std::size_t size() const { return meta_.size() - free_.size(); }
  std::size_t MemoryBytes() const {
    return table_.bucket_count() * (sizeof(std::uint32_t) + 1) + meta_.capacity() * sizeof(Meta) +
           arena_.capacity() + free_.capacity() * sizeof(std::uint32_t);
  }

  // Grows `v` to hold `n` by a quarter at a time rather than doubling: these
  // vectors are the bulk of a stream's memory.
  template <class V>
  static void Reserve(V* v, std::size_t n) {
    if (n > v->capacity()) v->reserve(std::max(n, v->capacity() + v->capacity() / 4 + 16));
  }

 private:
  static constexpr std::uint64_t kDead = std::numeric_limits<std::uint64_t>::max();
  struct Meta {
    std::uint64_t offset = kDead;  // in arena_; kDead: a free id
    std::uint32_t size = 0;
    std::uint32_t refs = 0;
  };
  struct Probe {
    std::string_view s;
    std::uint64_t h;
  };
  struct IdHash {
    using is_transparent = void;
    const BasicInterner* in;
    std::size_t operator()(const Probe& p) const { return p.h; }
    std::size_t operator()(std::uint32_t id) const {
      return id == in->pending_ ? in->pending_hash_ : kHash(in->View(id));
    }
  };
  struct IdEq {
    using is_transparent = void;
    const BasicInterner* in;
    bool operator()(std::uint32_t a, std::uint32_t b) const { return a == b; }
    bool operator()(const Probe& p, std::uint32_t id) const { return in->View(id) == p.s; }
    bool operator()(std::uint32_t id, const Probe& p) const { return in->View(id) == p.s; }
  };
  // Removed strings leave holes: rewrite the arena once they outweigh a
  // quarter of the live bytes (amortized O(1) per byte).
  void Compact() {
    std::string next;
    next.reserve(live_bytes_ + live_bytes_ / 8 + 256);
    for (Meta& m : meta_) {
      if (m.offset == kDead) continue;
      const std::uint64_t at = next.size();
      next.append(arena_, m.offset, m.size);
      m.offset = at;
    }
    arena_.swap(next);
  }
  boost::unordered_flat_set<std::uint32_t, IdHash, IdEq> table_;
  std::vector<Meta> meta_;
  std::string arena_;
  std::vector<std::uint32_t> free_;
  std::size_t live_bytes_ = 0;
  std::uint32_t pending_ = kNone;  // being inserted: its hash is pending_hash_
  std::uint64_t pending_hash_ = 0;
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_STREAM_INTERNER_H_
