// The filter behind `similar` (DESIGN.md, "Approximate matching is an index
// like the others"): for one list of operands and one min, the operands a
// value cannot reach min with are ruled out by counting, without comparing
// them, and exact Jaro-Winkler runs on the few that remain. The answer is
// exactly the reference's: some operand has similarity >= min. Private header.
#ifndef TARGETING_LIB_INDEX_SIMILAR_INDEX_H_
#define TARGETING_LIB_INDEX_SIMILAR_INDEX_H_

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace targeting::internal {

// Per-thread scratch of SimilarFilter::Holds, usable with every filter.
// Not thread-safe. Counters run over its lifetime.
struct SimilarScratch {
  std::uint32_t epoch = 0;
  std::vector<std::uint32_t> stamp;  // by operand: == epoch when seen this query
  std::vector<std::uint32_t> ranks;  // the value's elements, by global order
  std::vector<std::uint32_t> lmax1, lmax3;  // by element index: the longest operand it may find
  std::vector<std::uint32_t> lens, firsts;  // per tier: allowed lengths, prefix size at each
  alignas(16) std::uint8_t classes[32] = {};  // the value's byte-class counts (saturated)
  std::uint16_t count[256] = {};
  // Answers already given, by (filter, value): names repeat from record to
  // record (a shipper ships many times), so most lookups end here.
  class AnswerCache {
   public:
    static constexpr std::size_t kWays = 8;
    static constexpr std::size_t kSets = 2048;  // 16,384 answers, ~1.1 MB once used
    static constexpr std::size_t kCachedBytes = 54;  // longer values are not kept
    static_assert(kWays == 8, "Set::used holds one bit per way in a byte");
    // The answer for (filter, value), whose Hash() is `hash`; -1 when none.
    int Find(std::uint64_t filter, std::string_view value, std::uint64_t hash);
    // Keeps an answer (value.size() <= kCachedBytes), in place of the way of
    // its set least recently used, roughly (one "used" bit per way).
    void Insert(std::uint64_t filter, std::string_view value, std::uint64_t hash, bool holds);
    static std::uint64_t Hash(std::uint64_t filter, std::string_view value);
    void clear() {
      sets_.clear();
      slots_.clear();
    }

   private:
    struct alignas(32) Set {
      std::uint16_t tag[kWays] = {};  // 0: the way is empty
      std::uint8_t used = 0;          // by way: read or written since the bits were last reset
    };
    struct Slot {
      std::uint64_t filter = 0;  // SimilarFilter::serial_ (never 0)
      std::uint8_t len = 0;
      bool holds = false;
      char bytes[kCachedBytes];
    };
    static std::uint16_t Tag(std::uint64_t hash) { return static_cast<std::uint16_t>((hash >> 48) | 1); }
    void Touch(Set& set, std::size_t way) {
      set.used = static_cast<std::uint8_t>(set.used | (1u << way));
      if (set.used == 0xff) set.used = static_cast<std::uint8_t>(1u << way);
    }
    std::vector<Set> sets_;    // kSets once used
    std::vector<Slot> slots_;  // kSets * kWays once used
  };
  AnswerCache cache;
  std::uint64_t cache_hits = 0;
  std::uint64_t queries = 0;   // values looked up (cache misses)
  std::uint64_t operands = 0;  // operands those lookups stood for (queries x list size)
  std::uint64_t verified = 0;  // operands Jaro-Winkler was computed for
  std::uint64_t considered = 0;  // operands read from posting lists (before the checks)
};

// One list of operands at one min. Immutable once built; thread-safe.
class SimilarFilter {
 public:
  // Precondition: 0 < min <= 1; operands non-empty (empty ones are ignored).
  SimilarFilter(std::vector<std::string> operands, double min);
  // The filter of these operands at this min, shared with every rule set
  // alive that has the same list: a reload of an unchanged sanctions list
  // (thousands of names, the bulk of a pack's compile) reuses the filter the
  // served set holds instead of building it again. `key` identifies
  // (operands, min) exactly. Thread-safe.
  static std::shared_ptr<const SimilarFilter> Shared(const std::string& key, const std::vector<std::string>& operands,
                                                     double min);

  // Whether JaroWinkler(value, operand) >= min for some operand. Exact: the
  // same answer as comparing with every operand (or a cached earlier answer
  // for the same value). No allocation once the scratch is warm.
  bool Holds(std::string_view value, SimilarScratch* scratch) const;
  // Calls f(operand index) for each operand the filter does not rule out
  // (each once, in no particular order), for tests; stops when f returns true.
  template <typename F>
  void ForCandidates(std::string_view value, SimilarScratch* scratch, F&& f) const;

  std::size_t size() const { return operands_.size(); }
  double min() const { return min_; }
  std::size_t MemoryBytes() const;

 private:
  struct Span {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
  };
  // The pairs whose common prefix is exactly k bytes (k = 4: at least 4)
  // are found in tier k, where operands are filed under their first k bytes.
  struct Tier {
    double jaro_min = 0;  // what jaro must reach for similarity >= min there
    // Operands are filed under groups of this many elements (1, 2 or 3);
    // with groups of 2 or 3, operands that need fewer common elements, or
    // would be filed under too many groups, keep single elements
    // (`has_singles`).
    std::uint32_t group = 1;
    bool has_singles = false;
    boost::unordered_flat_map<std::uint64_t, Span> postings;
    boost::unordered_flat_set<std::uint64_t> prefixes;  // tiers 2-4: Key(operand, k, 0) of each  // (prefix, element(s)) -> postings_
  };
  static constexpr int kTiers = 5;

  // need(l, |a|, |b|) of the file comment; from a table below kTableLen.
  std::uint32_t Need(int tier, std::size_t la, std::size_t lb) const;
  std::uint32_t ComputeNeed(int tier, std::size_t la, std::size_t lb) const;
  static constexpr std::size_t kTableLen = 128;
  std::vector<std::uint8_t> need_table_;
  std::uint32_t LeastNeed(int tier, std::size_t len) const;
  static std::uint64_t Key(std::string_view s, int k, std::uint32_t rank);
  static std::uint64_t TripleKey(std::string_view s, int k, std::uint32_t r1, std::uint32_t r2,
                                 std::uint32_t r3);
  // The value's elements in U, ascending by rank, into scratch->ranks.
  void Elements(std::string_view value, SimilarScratch* scratch) const;
  bool Visit(std::string_view value, SimilarScratch* scratch,
             bool (*f)(const SimilarFilter&, std::string_view, std::uint32_t, void*),
             void* ctx) const;

  std::vector<std::string> operands_;
  double min_ = 1;
  double slack_min_ = 1;  // min less a margin for the rounding of the double computation
  std::uint32_t max_len_ = 0;
  // Element (byte x, its c-th occurrence) -> global rank: rank_[rank_at_[x] + c - 1]
  // for c <= max_count_[x]; larger c occur in no operand.
  std::uint32_t rank_at_[256] = {};
  std::uint32_t max_count_[256] = {};
  std::vector<std::uint32_t> rank_;
  Tier tiers_[kTiers];
  // Posting lists, each sorted by operand length, so that a lookup reads
  // only the operands whose length the element's position allows.
  struct Posting {
    std::uint32_t id = 0;
    std::uint16_t len = 0;   // the operand's length (capped; see Visit)
    std::uint16_t next = 0;  // 256 + its byte after the tier's prefix, 0 when it has none
  };
  std::vector<Posting> postings_;
  bool scan_all_ = false;  // no postings: Visit compares with every operand
  // Distinct for every filter made in the process, so that a cached answer
  // is never taken for another filter at the same address.
  std::uint64_t serial_ = 0;
  // Byte classes: the 31 bytes most frequent in the operands have a class
  // each, every other byte shares class 31. By operand, its class counts
  // (saturated at 255; used when both lengths are <= 255): sum over classes of min(count in a, count in b) is
  // at least the byte overlap of a and b, so it bounds m from above too.
  std::uint8_t class_of_[256] = {};
  std::vector<std::array<std::uint8_t, 32>> class_counts_;
  std::vector<std::uint32_t> operand_len_;  // by operand
};

template <typename F>
void SimilarFilter::ForCandidates(std::string_view value, SimilarScratch* scratch, F&& f) const {
  using Fn = std::remove_reference_t<F>;
  Visit(value, scratch,
        [](const SimilarFilter&, std::string_view, std::uint32_t id, void* ctx) {
          return static_cast<bool>((*static_cast<Fn*>(ctx))(id));
        },
        const_cast<void*>(static_cast<const void*>(&f)));
}

}  // namespace targeting::internal

#endif  // TARGETING_LIB_INDEX_SIMILAR_INDEX_H_
