// Byte strings interned once (lib/stream/indexed_history.cc): keys of the
// aggregates that share a `by`, with every aggregate's state for the key in
// the same row, and the values distinct aggregates count. Private header; a
// template over the hash so that tests can make every hash collide.
#ifndef TARGETING_LIB_STREAM_INTERNER_H_
#define TARGETING_LIB_STREAM_INTERNER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace targeting::internal {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// A prefetch of the line at `p` that the optimizer keeps. GCC does not
// count __builtin_prefetch as a side effect, and it may assume that a loop
// ends, so it deletes a loop whose only effect is prefetches: a bucket walk
// that prefetches the rows whose tags match compiled to nothing, and so
// did the whole look-ahead of AdvanceBatch but the buckets' prefetch. The
// empty asm statement takes the address, which gives the loop an effect.
inline void Prefetch(const void* p) {
  __builtin_prefetch(p);
  asm volatile("" : : "r"(p));
}

// A wyhash-style hash (64x64 -> 128-bit multiply, fold the halves) over 16
// bytes at a time, inline: keys and values are mostly 8-40 bytes, and
// libstdc++'s murmur (std::hash, an out-of-line call with a byte tail loop)
// was ~100 instructions each, ~900 per record of the aggregate bench. The
// hash is never stored (state files hold bytes only), so it may change.
namespace hash_detail {
__extension__ typedef unsigned __int128 U128;
inline std::uint64_t Mix(std::uint64_t a, std::uint64_t b) {
  const U128 r = static_cast<U128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
inline std::uint64_t Load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline std::uint64_t Load4(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline constexpr std::uint64_t kSecret0 = 0xa0761d6478bd642fULL, kSecret1 = 0xe7037ed1a0b428dbULL,
                                kSecret2 = 0x8ebc6af09c88c6e3ULL;
}  // namespace hash_detail

inline std::uint64_t HashBytes(std::string_view s) {
  using namespace hash_detail;
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = kSecret0 ^ Mix(n ^ kSecret2, kSecret1);
  while (n > 16) {
    h = Mix(Load8(p) ^ kSecret1, Load8(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  std::uint64_t a = 0, b = 0;
  if (n >= 8) {  // two loads that may overlap: together they cover all n bytes
    a = Load8(p);
    b = Load8(p + n - 8);
  } else if (n >= 4) {
    a = Load4(p);
    b = Load4(p + n - 4);
  } else if (n > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    a = (std::uint64_t{u[0]} << 16) | (std::uint64_t{u[n >> 1]} << 8) | u[n - 1];
  }
  return Mix(kSecret1 ^ s.size(), Mix(a ^ kSecret1, b ^ h));
}

// Byte strings stored once, each named by a dense id (ids of removed strings
// are reused), each with a row of `payload` bytes of its owner's (zeroed when
// the string is added) and a reference count for those who want one.
//
// The row of an id holds its string's size, its reference count, the bytes
// themselves when they fit in `inline_bytes` (a pointer to a heap copy when
// not) and the payload, so finding a string and reaching its state touch the
// same cache lines. The table is open addressing with linear probing: each
// bucket is 8 bytes, a 32-bit tag (the hash's top 32 bits, never 0) and the
// id, and a bucket's home is the tag's top bits. A probe reads buckets until
// an empty one and compares bytes only in the rows whose tag matches: exact,
// and usually one cache miss for the buckets and one for the row. Removal
// shifts the run back (no tombstones), computing homes from the tags alone.
// Rows are plain bytes: the payload must be trivially copyable, as rows move
// when they grow. Every `h` passed in must be kHash of its string. Not
// thread-safe: it belongs to one stream.
template <std::uint64_t (*kHash)(std::string_view)>
class BasicInterner {
 public:
  // lazy: a string whose count falls to 0 stays (Find still finds it) until
  // such strings outnumber half the held ones plus 64, when they all go:
  // for values that come back, as the same codes do day after day.
  explicit BasicInterner(std::uint32_t payload = 0, std::uint32_t inline_bytes = 24,
                         bool lazy = false)
      : lazy_(lazy),
        inline_(Round8(std::max<std::uint32_t>(inline_bytes, sizeof(char*)))),
        payload_(Round8(payload)),
        row_words_((kHeader + inline_ + payload_) / 8) {
    buckets_.assign(16, 0);
    shift_ = 32 - 4;
  }
  ~BasicInterner() {
    for (std::uint32_t id = 0; id < capacity(); ++id) {
      if (live(id) && spilled(id)) delete[] SpillPtr(id);
    }
  }
  BasicInterner(const BasicInterner&) = delete;
  BasicInterner& operator=(const BasicInterner&) = delete;

  std::uint32_t Find(std::string_view s, std::uint64_t h) const {
    const std::uint32_t tag = Tag(h);
    for (std::size_t i = Home(tag);; i = (i + 1) & mask()) {
      const std::uint64_t b = buckets_[i];
      if (b == 0) return kNone;
      if (static_cast<std::uint32_t>(b >> 32) == tag) {
        const auto id = static_cast<std::uint32_t>(b);
        if (Equals(id, s)) return id;
      }
    }
  }
  // Hints for a lookup of hash `h` to come: the buckets, then (once they are
  // in cache) the rows whose tags match. Change nothing.
  void PrefetchBuckets(std::uint64_t h) const { Prefetch(&buckets_[Home(Tag(h))]); }
  // Fetches only the first row whose tag matches (a 32-bit tag rarely
  // matches another string's), so the walk stops where Find would; walking
  // on to the empty bucket is an unsuccessful search's length, ~8 buckets
  // at a load of 3/4. Returns that id (kNone when none): a guess at Find's
  // answer, for more hints (its bytes are not compared).
  std::uint32_t PrefetchRows(std::uint64_t h) const {
    const std::uint32_t tag = Tag(h);
    for (std::size_t i = Home(tag);; i = (i + 1) & mask()) {
      const std::uint64_t b = buckets_[i];
      if (b == 0) return kNone;
      if (static_cast<std::uint32_t>(b >> 32) == tag) {
        PrefetchRow(static_cast<std::uint32_t>(b));
        return static_cast<std::uint32_t>(b);
      }
    }
  }
  void PrefetchRow(std::uint32_t id) const {
    const char* p = reinterpret_cast<const char*>(&rows_[static_cast<std::size_t>(id) * row_words_]);
    const std::size_t bytes = row_words_ * 8;
    for (std::size_t at = 0; at < bytes; at += 64) Prefetch(p + at);
    Prefetch(p + bytes - 1);
  }

  // `s` must not be held yet.
  std::uint32_t Add(std::string_view s, std::uint64_t h) {
    std::uint32_t id;
    if (free_ != kNone) {
      id = free_;
      free_ = Header(id)->refs;
      // The next free row is somewhere in the array: fetch it for the next Add.
      if (free_ != kNone) Prefetch(Header(free_));
    } else {
      id = capacity();
      Reserve(&rows_, rows_.size() + row_words_);
      rows_.resize(rows_.size() + row_words_);
    }
    std::uint64_t* row = &rows_[static_cast<std::size_t>(id) * row_words_];
    std::fill(row, row + row_words_, 0);
    RowHeader* hd = Header(id);
    hd->size = static_cast<std::uint32_t>(s.size());
    hd->refs = 0;
    char* key = KeyArea(id);
    if (s.size() <= inline_) {
      if (!s.empty()) std::memcpy(key, s.data(), s.size());
    } else {
      char* copy = new char[s.size()];
      std::memcpy(copy, s.data(), s.size());
      std::memcpy(key, &copy, sizeof copy);
      spilled_bytes_ += s.size();
    }
    ++size_;
    if ((size_ + 1) * 4 > buckets_.size() * 3) Rehash(buckets_.size() * 2);
    Place(Tag(h), id);
    return id;
  }
  // The row must hold no heap memory of the owner's any more.
  void Remove(std::uint32_t id) {
    // Find its bucket from its tag: rehash the string's bytes.
    const std::string_view s = View(id);
    const std::uint32_t tag = Tag(kHash(s));
    std::size_t i = Home(tag);
    while (buckets_[i] != ((static_cast<std::uint64_t>(tag) << 32) | id)) i = (i + 1) & mask();
    // Backward shift: move later entries of the run into the hole when
    // their home is not between the hole and them.
    for (std::size_t j = (i + 1) & mask();; j = (j + 1) & mask()) {
      const std::uint64_t b = buckets_[j];
      if (b == 0) break;
      const std::size_t home = Home(static_cast<std::uint32_t>(b >> 32));
      if (((j - home) & mask()) >= ((j - i) & mask())) {
        buckets_[i] = b;
        i = j;
      }
    }
    buckets_[i] = 0;
    if (spilled(id)) {
      spilled_bytes_ -= Header(id)->size;
      delete[] SpillPtr(id);
    }
    RowHeader* hd = Header(id);
    hd->size = kFree;
    hd->refs = free_;
    free_ = id;
    --size_;
  }
  // Reference-counted use: `found` is Find's answer for (s, h).
  std::uint32_t Acquire(std::string_view s, std::uint64_t h, std::uint32_t found) {
    const std::uint32_t id = found != kNone ? found : Add(s, h);
    if (Header(id)->refs++ == 0 && found != kNone) --idle_;
    return id;
  }
  void Release(std::uint32_t id) {
    if (--Header(id)->refs != 0) return;
    if (!lazy_) {
      Remove(id);
      return;
    }
    if (++idle_ <= size_ / 2 + 64) return;
    for (std::uint32_t i = 0; i < capacity(); ++i) {
      if (live(i) && Header(i)->refs == 0) Remove(i);
    }
    idle_ = 0;
  }

  std::string_view View(std::uint32_t id) const {
    const RowHeader* hd = Header(id);
    return {hd->size <= inline_ ? KeyArea(id) : SpillPtr(id), hd->size};
  }
  // The owner's bytes of a live id (8-byte aligned).
  std::byte* payload(std::uint32_t id) {
    return reinterpret_cast<std::byte*>(&rows_[static_cast<std::size_t>(id) * row_words_]) +
           kHeader + inline_;
  }
  const std::byte* payload(std::uint32_t id) const {
    return reinterpret_cast<const std::byte*>(&rows_[static_cast<std::size_t>(id) * row_words_]) +
           kHeader + inline_;
  }
  bool live(std::uint32_t id) const { return Header(id)->size != kFree; }
  std::uint32_t capacity() const { return static_cast<std::uint32_t>(rows_.size() / row_words_); }
  std::size_t size() const { return size_; }
  std::size_t MemoryBytes() const {
    return buckets_.capacity() * sizeof(std::uint64_t) + rows_.capacity() * sizeof(std::uint64_t) +
           spilled_bytes_;
  }
  // Room for `n` strings without growing (a state file's keys, say).
  void ReserveFor(std::size_t n) {
    if (n * row_words_ > rows_.capacity()) rows_.reserve(n * row_words_);
    std::size_t b = buckets_.size();
    while ((n + 1) * 4 > b * 3) b *= 2;
    if (b > buckets_.size()) Rehash(b);
  }
  // Gives back bucket memory once most strings are gone (after a sweep).
  void MaybeShrink() {
    std::size_t n = buckets_.size();
    while (n > 16 && (size_ + 1) * 8 < n) n /= 2;
    if (n < buckets_.size()) Rehash(n);
  }

  // Grows `v` to hold `n` by a quarter at a time rather than doubling: these
  // vectors are the bulk of a stream's memory.
  template <class V>
  static void Reserve(V* v, std::size_t n) {
    if (n > v->capacity()) v->reserve(std::max(n, v->capacity() + v->capacity() / 4 + 16));
  }

 private:
  static constexpr std::uint32_t kFree = std::numeric_limits<std::uint32_t>::max();
  struct RowHeader {
    std::uint32_t size;  // of the string; kFree: a free id
    std::uint32_t refs;  // a free id: the next free id
  };
  static constexpr std::uint32_t kHeader = sizeof(RowHeader);
  static constexpr std::uint32_t Round8(std::uint32_t n) { return (n + 7) / 8 * 8; }
  static std::uint32_t Tag(std::uint64_t h) {
    const auto t = static_cast<std::uint32_t>(h >> 32);
    return t == 0 ? 1 : t;
  }
  std::size_t mask() const { return buckets_.size() - 1; }
  std::size_t Home(std::uint32_t tag) const { return tag >> shift_; }

  RowHeader* Header(std::uint32_t id) {
    return reinterpret_cast<RowHeader*>(&rows_[static_cast<std::size_t>(id) * row_words_]);
  }
  const RowHeader* Header(std::uint32_t id) const {
    return reinterpret_cast<const RowHeader*>(&rows_[static_cast<std::size_t>(id) * row_words_]);
  }
  char* KeyArea(std::uint32_t id) {
    return reinterpret_cast<char*>(&rows_[static_cast<std::size_t>(id) * row_words_]) + kHeader;
  }
  const char* KeyArea(std::uint32_t id) const {
    return reinterpret_cast<const char*>(&rows_[static_cast<std::size_t>(id) * row_words_]) +
           kHeader;
  }
  bool spilled(std::uint32_t id) const { return Header(id)->size > inline_; }
  char* SpillPtr(std::uint32_t id) const {
    char* p;
    std::memcpy(&p, KeyArea(id), sizeof p);
    return p;
  }
  bool Equals(std::uint32_t id, std::string_view s) const {
    const RowHeader* hd = Header(id);
    if (hd->size != s.size()) return false;
    const char* bytes = hd->size <= inline_ ? KeyArea(id) : SpillPtr(id);
    return s.empty() || std::memcmp(bytes, s.data(), s.size()) == 0;
  }
  void Place(std::uint32_t tag, std::uint32_t id) {
    std::size_t i = Home(tag);
    while (buckets_[i] != 0) i = (i + 1) & mask();
    buckets_[i] = (static_cast<std::uint64_t>(tag) << 32) | id;
  }
  void Rehash(std::size_t n) {
    std::vector<std::uint64_t> old(n, 0);
    old.swap(buckets_);
    int bits = 0;
    while ((std::size_t{1} << bits) < n) ++bits;
    shift_ = 32 - bits;
    for (std::uint64_t b : old) {
      if (b != 0) Place(static_cast<std::uint32_t>(b >> 32), static_cast<std::uint32_t>(b));
    }
  }

  const bool lazy_;
  const std::uint32_t inline_, payload_, row_words_;
  std::size_t idle_ = 0;  // lazy: held strings whose count is 0
  std::vector<std::uint64_t> buckets_;  // power of two; 0: empty
  int shift_ = 28;                      // Home: the tag's top log2(buckets) bits
  std::vector<std::uint64_t> rows_;     // row_words_ words per id
  std::uint32_t free_ = kNone;          // the free ids, linked through RowHeader::refs
  std::size_t size_ = 0;
  std::size_t spilled_bytes_ = 0;
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_STREAM_INTERNER_H_
