// The indexed matcher's structures: per-field indexes, posting lists, the
// per-thread scratch, and the class that builds (index_build.cc) and probes
// and verifies (index_probe.cc) them. Private header of the index stage.
// Each scored entry is indexed by an anchor: a set of predicates at least one
// of which holds whenever the entry fires (see AnchorFinder). Per field, one
// structure per operator family maps a record's values to the anchor
// predicates they satisfy: a hash map for eq/in, a trie for prefix, sorted
// bounds for ranges, Aho-Corasick over lower-cased text for contains and for
// the required literals of regexes, and RE2::Set for regexes that have none.
// The entries of the predicates a record satisfies are its candidates; only
// they (and the few entries with no anchor) are verified, by walking their
// condition with each predicate's truth memoized for the record.
//
// Two filters stand between an anchor hit and a candidate. A guard: an
// entry with a second required eq/in test is filed under (anchor, guard
// field, value) and reached only when the record has that value too. A
// guard leaf: each posting names one more required test of its entry (the
// cheapest one the probe does not already decide), evaluated (memoized)
// before the entry becomes a candidate. Programs are laid out in anchor
// order, so the entries of one posting list sit together in memory.
#ifndef TARGETING_LIB_INDEX_INDEXED_MATCHER_H_
#define TARGETING_LIB_INDEX_INDEXED_MATCHER_H_

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "index/anchor_finder.h"
#include "index/literal_matcher.h"
#include "index/match_index.h"
#include "index/program.h"
#include "index/regex_index.h"
#include "index/similar_index.h"

namespace targeting::internal::matching {

// Patterns per RE2::Set before Limits::regex_set_max_mem halves it further.
inline constexpr std::size_t kMaxPatternsPerSet = 256;
// Entries are filed under their anchor and a second required test (a
// guard) when they have one this selective and their anchor predicate is
// shared by at least kGuardFrom entries. A guard lookup costs less than
// verifying one candidate, so every anchor qualifies by default.
inline constexpr std::uint32_t kGuardFrom = 1;
inline constexpr double kMaxGuardCost = 0.5;
// Set by SetGuardingForTesting (index_build.cc).
extern std::atomic<std::uint32_t> guard_from;
extern std::atomic<double> max_guard_cost;

inline std::uint64_t Mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
inline std::uint64_t StrHash(std::string_view v) { return Mix64(boost::hash<std::string_view>()(v)); }
inline std::uint64_t NumHash(double d) {
  if (d == 0) d = 0;  // -0 and 0 are equal
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  return Mix64(bits ^ 0x6a09e667f3bcc908ULL);
}
// The key of (anchor predicate, guard field, value hash) in the guard map.
inline std::uint64_t GuardKey(std::uint32_t pred, int field, std::uint64_t value_hash) {
  return Mix64(value_hash + (static_cast<std::uint64_t>(pred) << 20) +
               static_cast<std::uint64_t>(field) * 0x9e3779b97f4a7c15ULL);
}

struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

// The prefix trie, laid out for the walk: a node is the run of its edges
// (breadth first, so each run is contiguous), and an edge carries what the
// walk needs of the node it leads to, so a step loads no node. The edges'
// bytes are a parallel array (trie_bytes), so a node's are searched in one
// cache line.
struct TrieEdge {
  std::uint32_t child_begin = 0;  // the child's edges: [child_begin, child_begin + child_count)
  std::uint32_t child_count = 0;
  Span preds;    // prefix anchors ending at the child: hit
  Span filters;  // other prefix tests ending at the child: only their memo is set
};

struct Bound {
  double value = 0;
  std::uint32_t pred = 0;
  bool inclusive = false;
};
struct Interval {
  double lo = 0;
  double hi = 0;
  std::uint32_t pred = 0;
};

// The structures of one field. Immutable once built.
struct FieldIndex {
  int field = -1;
  bool numeric = false;
  boost::unordered_flat_map<std::string, Span, StringHash, std::equal_to<>> str_eq;
  boost::unordered_flat_map<double, Span> num_eq;
  std::vector<TrieEdge> edges;            // empty without prefix tests
  std::vector<unsigned char> trie_bytes;  // by edge: its byte, ascending within a node
  std::uint32_t root_edges = 0;           // the root's edges are the first root_edges
  std::vector<Bound> lower;       // gt / ge, ascending
  std::vector<Bound> upper;       // lt / le, ascending
  std::vector<Interval> between;  // ascending by lo
  LiteralMatcher literals;        // over ASCII-lower-cased values
  std::vector<Span> literal_contains;  // by literal id: contains / contains_any
  std::vector<Span> literal_regex;     // by literal id: regexes that require it
  // By literal id: the further literal sets it belongs to, as slot * 4 + set
  // (see IndexedMatcher::further_full_).
  std::vector<Span> literal_further;
  bool has_regex_literals = false;
  RegexSetGroup sets;                  // keys are predicate ids
  std::vector<std::uint32_t> always_hit;  // regexes with a pattern no set holds
  bool uses_lower = false;
  std::vector<std::uint32_t> similar;  // similar anchors, answered by their filters
};

// An entry in a posting list: the entry, where its program starts, and the
// leaf of a second test it cannot fire without (its guard leaf), which must
// hold before the entry becomes a candidate.
//
// A guard leaf of a common shape (a prefix, a string or number eq, a range,
// an effective window) is also copied into the posting, with its operand,
// so that checking it reads the record and the posting only: no memo slot,
// instruction or Predicate, each a cache miss at 100k rules.
constexpr std::uint32_t kNoGuard = 0xffffffffu;
enum class InlineGuard : std::uint8_t {
  kNone,  // run the leaf at guard_pc (memoized)
  kPrefix,
  kStrEq,
  kNumEq,
  kLt,
  kLe,
  kGt,
  kGe,
  kBetween,
  kEffective,
  // A leaf the probe decides (a regex, a prefix list, a contains): the
  // predicate id is in the operand and how the probe decides it (Decided)
  // in guard_len, so the check reads the predicate's memo slot only, not
  // the instruction; the leaf runs only when the memo cannot answer.
  kProbe,
};
inline constexpr std::size_t kInlineBytes = 16;
struct Posting {
  std::uint32_t entry = 0;
  std::uint32_t pc = 0;
  std::uint32_t guard_pc = kNoGuard;
  std::int16_t guard_field = -1;  // inline guard: the field (-1: effective without a date field)
  InlineGuard guard = InlineGuard::kNone;
  std::uint8_t guard_len = 0;  // kPrefix / kStrEq: the operand's length; kProbe: Decided
  // kPrefix / kStrEq: the operand's bytes; numbers: two doubles (a bound,
  // between's two ends, or effective's from and until as days, +-inf when open).
  alignas(8) char operand[kInlineBytes] = {};
};
static_assert(sizeof(Posting) == 32);
struct Candidate {
  std::uint32_t entry = 0;
  std::uint32_t pc = 0;
};

struct IndexScratch final : MatchIndex::Scratch {
  std::uint32_t epoch = 0;
  std::vector<std::uint32_t> entry_mark;  // == epoch: already a candidate
  // By predicate, together because the probe and verification touch both.
  struct PredState {
    std::uint32_t mark = 0;  // == epoch: hit by the probe
    // epoch * 2 + 1 when it holds on this record, epoch * 2 when it does
    // not; anything else: not known yet.
    std::uint32_t memo = 0;
  };
  std::vector<PredState> pred;
  std::vector<Candidate> cands;
  std::vector<std::uint32_t> hit;  // predicates hit by the probe, once each
  // By further-literal slot: the sets whose literals the probe found (bit per
  // set), valid when stamp == epoch.
  struct FurtherState {
    std::uint32_t stamp = 0;
    std::uint32_t mask = 0;
  };
  std::vector<FurtherState> further;
  // By field: the hash of its first value, valid when hash_stamp == epoch
  // (guards look up the same values for many predicates).
  std::vector<std::uint32_t> hash_stamp;
  std::vector<std::uint64_t> hash0;
  std::string lower;
  std::string folded;
  std::vector<int> set_hits;
  SimilarScratch similar;
};

class IndexedMatcher final : public MatchIndex {
 public:
  IndexedMatcher(RuleSetData* data, const Limits& limits);

  std::unique_ptr<Scratch> NewScratch() const override;
  void CarryCaches(Scratch* from, Scratch* to) const override;
  void Match(const Record& record, Days as_of, Scratch* scratch,
             std::vector<std::uint32_t>* fired) const override;
  MatchIndexStats stats() const override { return stats_; }
  std::vector<std::uint32_t> AnchorPredicates(std::uint32_t entry) const override {
    if (entry >= entry_anchor_.size()) return {};
    const Span sp = entry_anchor_[entry];
    return std::vector<std::uint32_t>(arena_.begin() + sp.begin, arena_.begin() + sp.end);
  }

 private:
  Span Freeze(std::vector<std::uint32_t>* list);
  FieldIndex& FieldFor(int field);
  void AddAnchor(std::uint32_t pred);
  bool AddTextFilter(std::uint32_t pred);
  bool AddPrefixFilter(std::uint32_t pred);
  struct Pending;
  static void AddLiteral(FieldIndex& fi, Pending& pend, std::uint32_t pid, std::string_view text,
                         bool regex);
  bool Leaf(const Instr& in, const Record& record, Days as_of, IndexScratch* s) const;
  void AddPostings(Span postings, const Record& record, Days as_of, IndexScratch* s) const;
  bool GuardHolds(const Posting& po, const Record& record, Days as_of, IndexScratch* s) const;
  // After the probe's decisions are known: a posting whose guard leaf the
  // probe decides gets the kProbe inline guard.
  void InlineProbeGuards();
  Posting MakePosting(std::uint32_t entry, std::uint32_t pc, std::uint32_t guard_pc) const;
  void Expand(const Record& record, Days as_of, IndexScratch* s) const;
  // Whether every pattern of regex `p` holds exactly when one of its
  // literals is found (so the probe decides it, as for contains).
  static bool RegexDecidedExactly(const Predicate& p) {
    for (const auto& re : p.regexes) {
      if (!LiteralsDecide(*re, kMinRegexLiteral)) return false;
    }
    return !p.regexes.empty();
  }
  void Finish();

  void Probe(const FieldIndex& fi, const Record& record, IndexScratch* s) const;
  // similar: one filter per distinct (operands, min), shared by the
  // predicates that have them; by predicate, its filter or -1.
  void BuildSimilarFilters();
  bool SimilarHolds(std::uint32_t pred, const Record& record, IndexScratch* s) const;
  std::vector<std::shared_ptr<const SimilarFilter>> similar_filters_;  // SimilarFilter::Shared
  std::vector<std::int32_t> similar_of_;
  void Hit(std::uint32_t pred, bool exact, IndexScratch* s) const;
  bool Verify(std::uint32_t pc, const Record& record, Days as_of, IndexScratch* s) const;

  const RuleSetData* data_;
  const Limits limits_;
  std::vector<std::unique_ptr<FieldIndex>> fields_;
  std::vector<int> field_slot_;                  // schema field -> fields_ index, or -1
  std::vector<std::uint32_t> arena_;             // predicate and field lists
  std::vector<Posting> postings_;                // every posting list
  std::vector<Candidate> always_;                // scored entries with no anchor, ascending
  std::vector<Span> entry_anchor_;               // by entry: its anchor predicates (in arena_)
  // By predicate: the entries anchored on it (in postings_), and the guard
  // fields to look up (in arena_).
  struct PredIndex {
    Span postings;
    Span guard_fields;
    // A regex with further literal sets: its slot in further_full_, or -1.
    std::int32_t further = -1;
  };
  std::vector<PredIndex> pred_index_;
  // Entries filed under (anchor predicate, guard field, value): candidates
  // only when the record has that value too. Spans of postings_.
  boost::unordered_flat_map<std::uint64_t, Span> guard_map_;
  // By predicate: how the probe of a record already decides it (copied
  // into Instr::decided).
  enum Decided : std::uint8_t {
    kNotDecided,
    kExact,     // hit on the probe exactly when it holds: contains, and eq / in,
                // prefix and range anchors
    kIfNotHit,  // regex: false unless the probe hit it (a required literal, a set match)
  };
  std::vector<std::uint8_t> decided_;
  // What the probe's marks tell of a predicate decided `d` on this record:
  // 1 it holds, 0 it does not, -1 only its leaf can say. A contains the
  // probe did not find, or a regex it did not hit, does not hold (a missing
  // field is never probed, and they are false on it).
  static int ProbeAnswer(const IndexScratch::PredState& st, std::uint8_t d, std::uint32_t epoch) {
    if ((st.memo >> 1) == epoch) return static_cast<int>(st.memo & 1);
    if (d == kExact) return 0;  // a hit would have set the memo
    if (d == kIfNotHit && st.mark != epoch) return 0;
    return -1;
  }
  // Regexes that need more than one of their literals: a regex hit by a
  // literal of its first set still does not hold unless the probe also found
  // a literal of each further set (RegexLiterals::Further). By slot, the
  // mask of all its sets; DropIncomplete un-hits the others before any
  // candidate is made.
  std::vector<std::uint8_t> further_full_;
  // Build-time: by predicate, a regex that is not an anchor whose patterns
  // without literals join the field's RE2::Set as a filter.
  std::vector<bool> set_filter_;
  void AddFurther(FieldIndex& fi, Pending& pend, std::uint32_t pid);
  void AddRegex(FieldIndex& fi, Pending& pend, std::uint32_t pid);
  void DropIncomplete(IndexScratch* s) const;
  Programs programs_;                            // what verification runs

  // Build-time only.
  struct Pending {
    boost::unordered_flat_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>>
        str_eq;
    boost::unordered_flat_map<double, std::vector<std::uint32_t>> num_eq;
    struct Node {
      std::vector<std::pair<unsigned char, std::uint32_t>> next;
      std::vector<std::uint32_t> preds;
      std::vector<std::uint32_t> filters;
    };
    // The node of `prefix`, added with its path when missing.
    std::uint32_t TrieNodeOf(std::string_view prefix);
    std::vector<Node> trie;
    std::vector<std::vector<std::uint32_t>> literal_contains;
    std::vector<std::vector<std::uint32_t>> literal_regex;
    std::vector<std::vector<std::uint32_t>> literal_further;
  };
  std::vector<Pending> pending_;
  RegexLiterals* regex_literals_ = nullptr;
  MatchIndexStats stats_;
};

}  // namespace targeting::internal::matching

#endif  // TARGETING_LIB_INDEX_INDEXED_MATCHER_H_
