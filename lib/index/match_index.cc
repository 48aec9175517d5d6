// The indexed matcher (DESIGN.md, "Matching: index first, verify second").
//
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
#include "index/match_index.h"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <cstring>

#include "index/literal_matcher.h"
#include "index/program.h"
#include "index/regex_index.h"
#include "load/normalize.h"
#include "score/evaluate.h"

namespace targeting::internal {

namespace {

// Literals shorter than this say little about a text; a regex whose required
// literals are all shorter goes to RE2::Set instead.
constexpr int kMinRegexLiteral = 3;
// Patterns per RE2::Set before Limits::regex_set_max_mem halves it further.
constexpr std::size_t kMaxPatternsPerSet = 256;
// Entries are filed under their anchor and a second required test (a
// guard) when they have one this selective and their anchor predicate is
// shared by at least kGuardFrom entries. A guard lookup costs less than
// verifying one candidate, so every anchor qualifies by default.
constexpr std::uint32_t kGuardFrom = 1;
constexpr double kMaxGuardCost = 0.5;
std::atomic<std::uint32_t> guard_from{kGuardFrom};
std::atomic<double> max_guard_cost{kMaxGuardCost};

std::uint64_t Mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
std::uint64_t StrHash(std::string_view v) { return Mix64(boost::hash<std::string_view>()(v)); }
std::uint64_t NumHash(double d) {
  if (d == 0) d = 0;  // -0 and 0 are equal
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  return Mix64(bits ^ 0x6a09e667f3bcc908ULL);
}
// The key of (anchor predicate, guard field, value hash) in the guard map.
std::uint64_t GuardKey(std::uint32_t pred, int field, std::uint64_t value_hash) {
  return Mix64(value_hash + (static_cast<std::uint64_t>(pred) << 20) +
               static_cast<std::uint64_t>(field) * 0x9e3779b97f4a7c15ULL);
}

enum class Family : std::uint8_t { kNone, kEqIn, kPrefix, kText, kRange };

Family FamilyOf(const Predicate& p) {
  if (p.field < 0) return Family::kNone;
  switch (p.op) {
    case Op::kEq:
    case Op::kIn:
      return Family::kEqIn;
    case Op::kPrefix:
      return Family::kPrefix;
    case Op::kContains:
    case Op::kContainsAny:
    case Op::kRegex:
      return Family::kText;
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
    case Op::kBetween:
      return Family::kRange;
    case Op::kExists:     // true on most records: no help
    case Op::kEffective:  // likewise, and as_of stands in for a missing date
    case Op::kAggregate:  // depends on the stream, never an anchor
      return Family::kNone;
  }
  return Family::kNone;
}

double Pow(double base, std::size_t n) { return std::pow(base, static_cast<double>(std::min<std::size_t>(n, 16))); }

// The required literals of each pattern of a regex predicate (nullopt for a
// pattern without), computed once per predicate: RequiredLiterals compiles
// the pattern again.
class RegexLiterals {
 public:
  using PerPattern = std::vector<std::optional<std::vector<std::string>>>;
  explicit RegexLiterals(const RuleSetData& data) : data_(data), cache_(data.predicates.size()) {}
  const PerPattern& Of(std::uint32_t pred) {
    auto& slot = cache_[pred];
    if (!slot) {
      slot.emplace();
      for (const auto& re : data_.predicates[pred].regexes) {
        auto it = by_pattern_.find(re->pattern());
        if (it == by_pattern_.end()) {
          it = by_pattern_.emplace(re->pattern(), RequiredLiterals(*re, kMinRegexLiteral)).first;
        }
        slot->push_back(it->second);
      }
    }
    return *slot;
  }

 private:
  const RuleSetData& data_;
  std::vector<std::optional<PerPattern>> cache_;
  boost::unordered_flat_map<std::string, std::optional<std::vector<std::string>>> by_pattern_;
};

// Chooses each entry's anchor. The cost of a predicate estimates the share of
// records it holds on, weighted by family so that the preference of the
// design holds when estimates are close: eq/in, then prefix, then text, then
// ranges. A disjunction costs the sum of its parts.
//
// Records are not known when rules compile, so the share of an eq/in value is
// taken from the rules themselves: a value that many conditions name (an
// origin like CN, a mode) is assumed common on records too, and one named
// once (an importer) rare. A prefix is taken to be rarer the longer it is.
class AnchorFinder {
 public:
  AnchorFinder(const RuleSetData& data, RegexLiterals* regex_literals)
      : data_(data),
        regex_literals_(regex_literals),
        pred_cost_(data.predicates.size(), -2),
        node_cost_(data.nodes.size(), -2) {
    const auto fields = static_cast<std::size_t>(data.schema.size());
    str_uses_.resize(fields);
    num_uses_.resize(fields);
    total_uses_.assign(fields, 0);
    // Uses per predicate first, so each distinct value is counted once per
    // predicate rather than once per condition that names it.
    std::vector<std::uint32_t> uses(data.predicates.size());
    for (const Node& n : data.nodes) {
      if (n.kind == Node::Kind::kLeaf) ++uses[static_cast<std::size_t>(n.pred)];
    }
    for (std::size_t pid = 0; pid < uses.size(); ++pid) {
      const Predicate& p = data.predicates[pid];
      if (uses[pid] == 0 || FamilyOf(p) != Family::kEqIn) continue;
      const auto f = static_cast<std::size_t>(p.field);
      const double u = uses[pid];
      for (const std::string& v : p.strs) str_uses_[f][v] += u;
      for (double d : p.nums) num_uses_[f][d == 0 ? 0.0 : d] += u;
      total_uses_[f] += u * static_cast<double>(p.strs.size() + p.nums.size());
    }
  }

  // The anchor of `node`: predicates one of which holds whenever it does.
  // False when there is none.
  bool Find(int node, std::vector<std::uint32_t>* preds, double* cost) {
    preds->clear();
    *cost = NodeCost(node);
    if (*cost < 0) return false;
    Collect(node, preds);
    std::sort(preds->begin(), preds->end());
    preds->erase(std::unique(preds->begin(), preds->end()), preds->end());
    return true;
  }

  // The estimated share of records predicate `pid` holds on, weighted by
  // family; -1 when the index cannot use it.
  double PredCost(std::uint32_t pid) {
    double& c = pred_cost_[pid];
    if (c == -2) c = ComputePredCost(pid);
    return c;
  }

 private:

  double ComputePredCost(std::uint32_t pid) {
    const Predicate& p = data_.predicates[pid];
    switch (FamilyOf(p)) {
      case Family::kEqIn: {
        const auto f = static_cast<std::size_t>(p.field);
        const double distinct = static_cast<double>(str_uses_[f].size() + num_uses_[f].size());
        const double denominator = total_uses_[f] + std::max(distinct, 8.0);
        double uses = 0;
        for (const std::string& v : p.strs) {
          auto it = str_uses_[f].find(std::string_view(v));
          uses += 1 + (it == str_uses_[f].end() ? 0 : it->second);
        }
        for (double d : p.nums) {
          auto it = num_uses_[f].find(d == 0 ? 0.0 : d);
          uses += 1 + (it == num_uses_[f].end() ? 0 : it->second);
        }
        return std::min(1.0, uses / denominator);
      }
      case Family::kPrefix: {
        double s = 0;
        for (const std::string& v : p.strs) s += Pow(0.4, v.size());
        return 1.2 * std::min(1.0, s);
      }
      case Family::kText: {
        double s = 0;
        if (p.op == Op::kRegex) {
          // A regex is as selective as the literals it requires; one
          // without is run on every record.
          for (const auto& lits : regex_literals_->Of(pid)) {
            // Without literals it runs on every record that has the field:
            // dearer than anchoring on a range and running it on the
            // range's candidates only.
            double t = 3;
            if (lits) {
              t = 0;
              for (const std::string& l : *lits) t += Pow(0.5, l.size());
              t = std::min(t, 0.3);
            }
            s += t;
          }
        } else {
          for (const std::string& v : p.strs) s += Pow(0.6, v.size());
        }
        return 2 * std::min(1.0, s);
      }
      case Family::kRange:
        return 10 * 0.4;
      case Family::kNone:
        break;
    }
    return -1;
  }

  int Child(const Node& n, std::uint32_t i) const {
    return static_cast<int>(data_.children[n.first_child + i]);
  }

  // How many of the anchored children of an any / at_least node are left
  // out: with `u` unanchored children and `need` required, at least need - u
  // anchored ones hold, so need - u - 1 of them (the costliest) are not
  // needed. -1 when need <= u: no anchor.
  int Dropped(const Node& n) {
    const int need = n.kind == Node::Kind::kAny ? 1 : n.at_least;
    int unanchored = 0;
    for (std::uint32_t i = 0; i < n.child_count; ++i) {
      if (NodeCost(Child(n, i)) < 0) ++unanchored;
    }
    return need > unanchored ? need - unanchored - 1 : -1;
  }

  // The anchored children of an any / at_least node that its anchor keeps,
  // ordered by cost descending (ties by position), after the dropped ones.
  template <typename F>
  void ForKept(const Node& n, int drop, F&& f) {
    // Cheap selection without allocation: repeatedly skip the costliest.
    // Nodes rarely have many children, so this stays small.
    std::vector<bool>* dropped = &drop_scratch_;
    dropped->assign(n.child_count, false);
    for (int k = 0; k < drop; ++k) {
      int worst = -1;
      double worst_cost = -1;
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        const double c = NodeCost(Child(n, i));
        if (c < 0 || (*dropped)[i]) continue;
        if (c > worst_cost) {
          worst_cost = c;
          worst = static_cast<int>(i);
        }
      }
      if (worst >= 0) (*dropped)[static_cast<std::size_t>(worst)] = true;
    }
    std::vector<std::uint32_t> kept;
    for (std::uint32_t i = 0; i < n.child_count; ++i) {
      if (NodeCost(Child(n, i)) >= 0 && !(*dropped)[i]) kept.push_back(i);
    }
    for (std::uint32_t i : kept) f(Child(n, i));
  }

  // The cost of the anchor of `id` (memoized), or -1 when it has none.
  double NodeCost(int id) {
    double& memo = node_cost_[static_cast<std::size_t>(id)];
    if (memo != -2) return memo;
    const Node& n = data_.nodes[static_cast<std::size_t>(id)];
    double cost = -1;
    switch (n.kind) {
      case Node::Kind::kLeaf:
        cost = PredCost(static_cast<std::uint32_t>(n.pred));
        break;
      case Node::Kind::kAll:
        // Every child is required: the cheapest anchored child will do.
        for (std::uint32_t i = 0; i < n.child_count; ++i) {
          const double c = NodeCost(Child(n, i));
          if (c >= 0 && (cost < 0 || c < cost)) cost = c;
        }
        break;
      case Node::Kind::kNot: {
        // Only a double negation keeps an anchor.
        const Node& c = data_.nodes[static_cast<std::size_t>(Child(n, 0))];
        if (c.kind == Node::Kind::kNot) cost = NodeCost(Child(c, 0));
        break;
      }
      case Node::Kind::kAny:
      case Node::Kind::kAtLeast: {
        // An empty `any` never holds: the empty anchor (cost 0) says so.
        const int drop = Dropped(n);
        if (drop < 0) break;
        cost = 0;
        ForKept(n, drop, [&](int child) { cost += NodeCost(child); });
        break;
      }
    }
    memo = cost;
    return cost;
  }

  // Appends the predicates of the anchor NodeCost chose. Precondition:
  // NodeCost(id) >= 0.
  void Collect(int id, std::vector<std::uint32_t>* out) {
    const Node& n = data_.nodes[static_cast<std::size_t>(id)];
    switch (n.kind) {
      case Node::Kind::kLeaf:
        out->push_back(static_cast<std::uint32_t>(n.pred));
        return;
      case Node::Kind::kAll: {
        int best = -1;
        double best_cost = -1;
        for (std::uint32_t i = 0; i < n.child_count; ++i) {
          const double c = NodeCost(Child(n, i));
          if (c >= 0 && (best < 0 || c < best_cost)) {
            best = Child(n, i);
            best_cost = c;
          }
        }
        Collect(best, out);
        return;
      }
      case Node::Kind::kNot:
        Collect(Child(data_.nodes[static_cast<std::size_t>(Child(n, 0))], 0), out);
        return;
      case Node::Kind::kAny:
      case Node::Kind::kAtLeast: {
        std::vector<int> kept;
        ForKept(n, Dropped(n), [&](int child) { kept.push_back(child); });
        for (int child : kept) Collect(child, out);
        return;
      }
    }
  }

  const RuleSetData& data_;
  RegexLiterals* regex_literals_;
  std::vector<double> pred_cost_;  // -2: not computed yet; -1: not indexable
  std::vector<double> node_cost_;  // likewise, per node
  std::vector<bool> drop_scratch_;
  // Per field: how many conditions name each eq/in value, and in all. The
  // keys view the predicates' own strings.
  std::vector<boost::unordered_flat_map<std::string_view, double>> str_uses_;
  std::vector<boost::unordered_flat_map<double, double>> num_uses_;
  std::vector<double> total_uses_;
};

struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

struct TrieNode {
  std::uint32_t edge_begin = 0;
  std::uint32_t edge_end = 0;
  Span preds;
};
struct TrieEdge {
  unsigned char byte = 0;
  std::uint32_t node = 0;
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
  std::vector<TrieNode> trie;  // node 0 is the root; empty without prefix anchors
  std::vector<TrieEdge> edges;
  std::vector<Bound> lower;       // gt / ge, ascending
  std::vector<Bound> upper;       // lt / le, ascending
  std::vector<Interval> between;  // ascending by lo
  LiteralMatcher literals;        // over ASCII-lower-cased values
  std::vector<Span> literal_contains;  // by literal id: contains / contains_any
  std::vector<Span> literal_regex;     // by literal id: regexes that require it
  bool has_regex_literals = false;
  RegexSetGroup sets;                  // keys are predicate ids
  std::vector<std::uint32_t> always_hit;  // regexes with a pattern no set holds
  bool uses_lower = false;
};

// An entry in a posting list: the entry, where its program starts, and the
// leaf of a second test it cannot fire without (its guard leaf), which must
// hold before the entry becomes a candidate.
constexpr std::uint32_t kNoGuard = 0xffffffffu;
struct Posting {
  std::uint32_t entry = 0;
  std::uint32_t pc = 0;
  std::uint32_t guard_pc = kNoGuard;
};
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
  // By field: the hash of its first value, valid when hash_stamp == epoch
  // (guards look up the same values for many predicates).
  std::vector<std::uint32_t> hash_stamp;
  std::vector<std::uint64_t> hash0;
  std::string lower;
  std::string folded;
  std::vector<int> set_hits;
};

class IndexedMatcher final : public MatchIndex {
 public:
  IndexedMatcher(RuleSetData* data, const Limits& limits);

  std::unique_ptr<Scratch> NewScratch() const override;
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
  struct Pending;
  static void AddLiteral(FieldIndex& fi, Pending& pend, std::uint32_t pid, std::string_view text,
                         bool regex);
  bool Leaf(const Instr& in, const Record& record, Days as_of, IndexScratch* s) const;
  void AddPostings(Span postings, const Record& record, Days as_of, IndexScratch* s) const;
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
  };
  std::vector<PredIndex> pred_index_;
  // Entries filed under (anchor predicate, guard field, value): candidates
  // only when the record has that value too. Spans of postings_.
  boost::unordered_flat_map<std::uint64_t, Span> guard_map_;
  // By predicate: how the probe of a record already decides it (copied
  // into Instr::decided).
  enum Decided : std::uint8_t {
    kNotDecided,
    kExact,     // contains: hit on the probe exactly when it holds
    kIfNotHit,  // regex: false unless the probe hit it (a required literal, a set match)
  };
  std::vector<std::uint8_t> decided_;
  Programs programs_;                            // what verification runs

  // Build-time only.
  struct Pending {
    boost::unordered_flat_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>>
        str_eq;
    boost::unordered_flat_map<double, std::vector<std::uint32_t>> num_eq;
    struct Node {
      std::vector<std::pair<unsigned char, std::uint32_t>> next;
      std::vector<std::uint32_t> preds;
    };
    std::vector<Node> trie;
    std::vector<std::vector<std::uint32_t>> literal_contains;
    std::vector<std::vector<std::uint32_t>> literal_regex;
  };
  std::vector<Pending> pending_;
  RegexLiterals* regex_literals_ = nullptr;
  MatchIndexStats stats_;
};

IndexedMatcher::IndexedMatcher(RuleSetData* data, const Limits& limits)
    : data_(data), limits_(limits) {
  field_slot_.assign(static_cast<std::size_t>(data->schema.size()), -1);
  stats_.scored_entries = data->scored.size();

  RegexLiterals regex_literals(*data);
  regex_literals_ = &regex_literals;
  AnchorFinder finder(*data, &regex_literals);
  std::vector<std::uint32_t> anchor;
  entry_anchor_.resize(data->entries.size());
  std::vector<std::uint32_t> per_pred(data->predicates.size() + 1);
  for (int e : data->scored) {
    double cost = 0;
    if (finder.Find(data->code[static_cast<std::size_t>(e)].root, &anchor, &cost)) {
      const Span sp = Freeze(&anchor);
      entry_anchor_[static_cast<std::size_t>(e)] = sp;
      for (std::uint32_t i = sp.begin; i < sp.end; ++i) ++per_pred[arena_[i]];
      ++stats_.anchored_entries;
    } else {
      always_.push_back(Candidate{static_cast<std::uint32_t>(e), 0});
      data->entries[static_cast<std::size_t>(e)].always_verify = true;
    }
  }
  stats_.always_verify = always_.size();

  // Guards: an entry is filed under its anchor and a second test it cannot
  // fire without: its most selective required eq/in test (an origin, a
  // party, a lading port). If the entry fires, that test holds, so the
  // record has one of its values and the lookup of (anchor, field, value)
  // finds it; a record that passes the anchor but not the guard never makes
  // the entry a candidate.
  const std::uint32_t from = guard_from.load();
  std::vector<int> guard_of(data->entries.size(), -1);
  std::vector<std::pair<std::uint64_t, std::uint32_t>> guarded;  // (key, entry)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> guard_fields;  // (pred, field)
  {
    std::vector<int> stack;
    for (int e : data->scored) {
      const Span sp = entry_anchor_[static_cast<std::size_t>(e)];
      bool popular = false;
      for (std::uint32_t i = sp.begin; i < sp.end; ++i) popular |= per_pred[arena_[i]] >= from;
      if (!popular) continue;
      // The required leaves: through the root's `all` nodes only.
      int best = -1;
      double best_cost = max_guard_cost.load();
      stack.assign(1, data->code[static_cast<std::size_t>(e)].root);
      while (!stack.empty()) {
        const Node& n = data->nodes[static_cast<std::size_t>(stack.back())];
        stack.pop_back();
        if (n.kind == Node::Kind::kAll) {
          for (std::uint32_t i = 0; i < n.child_count; ++i) {
            stack.push_back(static_cast<int>(data->children[n.first_child + i]));
          }
          continue;
        }
        if (n.kind != Node::Kind::kLeaf) continue;
        const auto pid = static_cast<std::uint32_t>(n.pred);
        if (FamilyOf(data->predicates[pid]) != Family::kEqIn) continue;
        if (std::find(arena_.begin() + sp.begin, arena_.begin() + sp.end, pid) !=
            arena_.begin() + sp.end) {
          continue;  // the anchor itself
        }
        const double c = finder.PredCost(pid);
        if (c >= 0 && c < best_cost) {
          best = n.pred;
          best_cost = c;
        }
      }
      if (best < 0) continue;
      guard_of[static_cast<std::size_t>(e)] = best;
      const Predicate& g = data->predicates[static_cast<std::size_t>(best)];
      for (std::uint32_t i = sp.begin; i < sp.end; ++i) {
        const std::uint32_t anchor_pred = arena_[i];
        if (per_pred[anchor_pred] < from) continue;
        for (const std::string& v : g.strs) {
          guarded.emplace_back(GuardKey(anchor_pred, g.field, StrHash(v)), e);
        }
        for (double d : g.nums) guarded.emplace_back(GuardKey(anchor_pred, g.field, NumHash(d)), e);
        guard_fields.emplace_back(anchor_pred, static_cast<std::uint32_t>(g.field));
      }
      ++stats_.guarded_entries;
    }
  }

  // Programs laid out by anchor, so that the entries one posting list
  // names sit together in memory.
  {
    auto first_anchor = [&](int e) {
      const Span sp = entry_anchor_[static_cast<std::size_t>(e)];
      return sp.begin < sp.end ? arena_[sp.begin] : ~0u;
    };
    std::vector<int> order = data->scored;
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return first_anchor(a) < first_anchor(b); });
    programs_ = Programs(*data, order);
  }
  for (Candidate& c : always_) c.pc = programs_.start(c.entry);

  // Each anchored entry's guard leaf: of the tests it cannot fire without,
  // other than its anchor and its guard above, the one the probe makes
  // most likely to fail. A posting whose guard leaf does not hold is not a
  // candidate, so the entry's program is not run.
  std::vector<std::uint32_t> guard_pc(data->entries.size(), kNoGuard);
  for (int e : data->scored) {
    const auto ue = static_cast<std::size_t>(e);
    const Span sp = entry_anchor_[ue];
    if (sp.begin == sp.end) continue;
    double best = -1;
    programs_.ForRequiredLeaves(programs_.start(ue), [&](std::uint32_t pc) {
      const std::uint32_t pid = programs_.at(pc).arg;
      if (static_cast<int>(pid) == guard_of[ue]) return;
      if (std::find(arena_.begin() + sp.begin, arena_.begin() + sp.end, pid) !=
          arena_.begin() + sp.end) {
        return;
      }
      const Predicate& p = data->predicates[pid];
      // A regex the probe cannot rule out would run RE2 for every posting.
      if (p.op == Op::kRegex) {
        for (const auto& lits : regex_literals_->Of(pid)) {
          if (!lits) return;
        }
      }
      const double c = finder.PredCost(pid);
      if (c >= 0 && (best < 0 || c < best)) {
        best = c;
        guard_pc[ue] = pc;
      }
    });
    if (guard_pc[ue] != kNoGuard) ++stats_.guard_leaf_entries;
  }
  auto posting = [&](int e) {
    const auto ue = static_cast<std::size_t>(e);
    return Posting{static_cast<std::uint32_t>(e), programs_.start(ue), guard_pc[ue]};
  };

  // Entries by anchor predicate, as one block of postings filled by
  // counting; entries are visited in ascending order, so each list is sorted.
  const std::vector<std::uint32_t> anchored_count = per_pred;
  std::fill(per_pred.begin(), per_pred.end(), 0);
  for (int e : data->scored) {
    const Span sp = entry_anchor_[static_cast<std::size_t>(e)];
    for (std::uint32_t i = sp.begin; i < sp.end; ++i) {
      const std::uint32_t p = arena_[i];
      if (guard_of[static_cast<std::size_t>(e)] >= 0 && anchored_count[p] >= from) continue;
      ++per_pred[p];
    }
  }
  pred_index_.resize(data->predicates.size());
  std::uint32_t at = 0;
  for (std::size_t p = 0; p < data->predicates.size(); ++p) {
    pred_index_[p].postings = Span{at, at};
    at += per_pred[p];
  }
  postings_.resize(at);
  std::vector<bool> anchors(data->predicates.size());
  for (int e : data->scored) {
    const Span sp = entry_anchor_[static_cast<std::size_t>(e)];
    for (std::uint32_t i = sp.begin; i < sp.end; ++i) {
      const std::uint32_t p = arena_[i];
      anchors[p] = true;
      if (guard_of[static_cast<std::size_t>(e)] >= 0 && anchored_count[p] >= from) continue;
      postings_[pred_index_[p].postings.end++] = posting(e);
    }
  }
  // The guard map and, per predicate, the fields to look up.
  std::sort(guarded.begin(), guarded.end());
  guarded.erase(std::unique(guarded.begin(), guarded.end()), guarded.end());
  for (std::size_t i = 0; i < guarded.size();) {
    std::size_t j = i;
    Span sp{static_cast<std::uint32_t>(postings_.size()), 0};
    for (; j < guarded.size() && guarded[j].first == guarded[i].first; ++j) {
      postings_.push_back(posting(static_cast<int>(guarded[j].second)));
    }
    sp.end = static_cast<std::uint32_t>(postings_.size());
    guard_map_.emplace(guarded[i].first, sp);
    i = j;
  }
  std::sort(guard_fields.begin(), guard_fields.end());
  guard_fields.erase(std::unique(guard_fields.begin(), guard_fields.end()), guard_fields.end());
  for (std::size_t i = 0; i < guard_fields.size();) {
    const std::uint32_t p = guard_fields[i].first;
    Span sp{static_cast<std::uint32_t>(arena_.size()), 0};
    for (; i < guard_fields.size() && guard_fields[i].first == p; ++i) {
      arena_.push_back(guard_fields[i].second);
    }
    sp.end = static_cast<std::uint32_t>(arena_.size());
    pred_index_[p].guard_fields = sp;
  }
  decided_.assign(data->predicates.size(), kNotDecided);
  for (std::size_t p = 0; p < data->predicates.size(); ++p) {
    if (!anchors[p]) continue;
    AddAnchor(static_cast<std::uint32_t>(p));
    ++stats_.anchor_predicates;
  }
  // The text tests of scored entries that are not anchors still go into
  // the literal matcher: the one pass over a value that finds anchors then
  // also decides every contains, and rules out every regex whose required
  // literals are absent, before any candidate is verified.
  std::vector<bool> seen(data->predicates.size());
  std::vector<int> stack;
  for (int e : data->scored) {
    stack.assign(1, data->code[static_cast<std::size_t>(e)].root);
    while (!stack.empty()) {
      const Node& n = data->nodes[static_cast<std::size_t>(stack.back())];
      stack.pop_back();
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        stack.push_back(static_cast<int>(data->children[n.first_child + i]));
      }
      if (n.kind != Node::Kind::kLeaf) continue;
      const auto pid = static_cast<std::uint32_t>(n.pred);
      if (seen[pid] || anchors[pid]) continue;
      seen[pid] = true;
      if (FamilyOf(data->predicates[pid]) == Family::kText && AddTextFilter(pid)) {
        ++stats_.filtered_predicates;
      }
    }
  }
  Finish();
  programs_.SetDecided(decided_);
  regex_literals_ = nullptr;
}

Span IndexedMatcher::Freeze(std::vector<std::uint32_t>* list) {
  std::sort(list->begin(), list->end());
  list->erase(std::unique(list->begin(), list->end()), list->end());
  Span s{static_cast<std::uint32_t>(arena_.size()), 0};
  arena_.insert(arena_.end(), list->begin(), list->end());
  s.end = static_cast<std::uint32_t>(arena_.size());
  list->clear();
  return s;
}

FieldIndex& IndexedMatcher::FieldFor(int field) {
  const auto f = static_cast<std::size_t>(field);
  if (field_slot_[f] < 0) {
    field_slot_[f] = static_cast<int>(fields_.size());
    fields_.push_back(std::make_unique<FieldIndex>());
    fields_.back()->field = field;
    fields_.back()->numeric = IsNumeric(data_->schema.field(field).type);
    pending_.emplace_back();
  }
  return *fields_[static_cast<std::size_t>(field_slot_[f])];
}

bool IndexedMatcher::AddTextFilter(std::uint32_t pid) {
  const Predicate& p = data_->predicates[pid];
  std::vector<std::vector<std::string>> literals;
  if (p.op == Op::kRegex) {
    // Only when every pattern has required literals: a pattern without
    // them would have to be run on every record anyway.
    for (const auto& lits : regex_literals_->Of(pid)) {
      if (!lits) return false;
      literals.push_back(*lits);
    }
  }
  FieldIndex& fi = FieldFor(p.field);
  Pending& pend = pending_[static_cast<std::size_t>(field_slot_[static_cast<std::size_t>(p.field)])];
  auto literal = [&](std::string_view text, bool regex) { AddLiteral(fi, pend, pid, text, regex); };
  if (p.op == Op::kRegex) {
    for (const auto& lits : literals) {
      for (const std::string& l : lits) literal(l, true);
    }
    fi.has_regex_literals = true;
    decided_[pid] = RegexDecidedExactly(p) ? kExact : kIfNotHit;
  } else {
    for (const std::string& s : p.strs) literal(s, false);
    decided_[pid] = kExact;
  }
  return true;
}

// Files predicate `pid` under a literal of its field's text index: found by
// a contains (or, with `regex`, as a required literal of a regex).
void IndexedMatcher::AddLiteral(FieldIndex& fi, Pending& pend, std::uint32_t pid,
                                std::string_view text, bool regex) {
  const std::uint32_t id = fi.literals.Add(text);
  if (id >= pend.literal_contains.size()) {
    pend.literal_contains.resize(id + 1);
    pend.literal_regex.resize(id + 1);
  }
  (regex ? pend.literal_regex : pend.literal_contains)[id].push_back(pid);
  fi.uses_lower = true;
}

void IndexedMatcher::AddAnchor(std::uint32_t pid) {
  const Predicate& p = data_->predicates[pid];
  FieldIndex& fi = FieldFor(p.field);
  Pending& pend = pending_[static_cast<std::size_t>(field_slot_[static_cast<std::size_t>(p.field)])];
  auto literal = [&](std::string_view text, bool regex) { AddLiteral(fi, pend, pid, text, regex); };
  switch (p.op) {
    case Op::kEq:
    case Op::kIn:
      if (fi.numeric) {
        for (double d : p.nums) pend.num_eq[d == 0 ? 0.0 : d].push_back(pid);
      } else {
        for (const std::string& s : p.strs) pend.str_eq[s].push_back(pid);
      }
      break;
    case Op::kPrefix:
      if (pend.trie.empty()) pend.trie.emplace_back();
      for (const std::string& s : p.strs) {
        std::uint32_t node = 0;
        for (unsigned char c : s) {
          auto& next = pend.trie[node].next;
          auto it = std::find_if(next.begin(), next.end(), [c](const auto& e) { return e.first == c; });
          if (it != next.end()) {
            node = it->second;
            continue;
          }
          const auto child = static_cast<std::uint32_t>(pend.trie.size());
          next.emplace_back(c, child);
          pend.trie.emplace_back();
          node = child;
        }
        pend.trie[node].preds.push_back(pid);
      }
      break;
    case Op::kContains:
    case Op::kContainsAny:
      for (const std::string& s : p.strs) literal(s, false);
      decided_[pid] = kExact;
      break;
    case Op::kRegex:
      // Each pattern is found by a literal it requires or by a set match,
      // so a regex the probe did not hit does not hold.
      decided_[pid] = RegexDecidedExactly(p) ? kExact : kIfNotHit;
      for (std::size_t k = 0; k < p.regexes.size(); ++k) {
        const auto& lits = regex_literals_->Of(pid)[k];
        if (!lits) {
          fi.sets.Add(p.regexes[k].get(), pid);
          continue;
        }
        for (const std::string& l : *lits) literal(l, true);
        fi.has_regex_literals = true;
      }
      break;
    case Op::kLt:
    case Op::kLe:
      fi.upper.push_back(Bound{p.nums[0], pid, p.op == Op::kLe});
      break;
    case Op::kGt:
    case Op::kGe:
      fi.lower.push_back(Bound{p.nums[0], pid, p.op == Op::kGe});
      break;
    case Op::kBetween:
      fi.between.push_back(Interval{p.nums[0], p.nums[1], pid});
      break;
    case Op::kExists:
    case Op::kEffective:
    case Op::kAggregate:
      break;
  }
}

void IndexedMatcher::Finish() {
  auto by_value = [](const Bound& a, const Bound& b) { return a.value < b.value; };
  for (std::size_t slot = 0; slot < fields_.size(); ++slot) {
    FieldIndex& fi = *fields_[slot];
    Pending& pend = pending_[slot];
    for (auto& [value, list] : pend.str_eq) fi.str_eq.emplace(value, Freeze(&list));
    for (auto& [value, list] : pend.num_eq) fi.num_eq.emplace(value, Freeze(&list));
    // The trie, breadth-first so that each node's edges are contiguous.
    if (!pend.trie.empty()) {
      std::vector<std::uint32_t> order = {0}, slot_of(pend.trie.size(), 0);
      for (std::size_t i = 0; i < order.size(); ++i) {
        auto& next = pend.trie[order[i]].next;
        std::sort(next.begin(), next.end());
        for (const auto& e : next) {
          slot_of[e.second] = static_cast<std::uint32_t>(order.size());
          order.push_back(e.second);
        }
      }
      fi.trie.resize(order.size());
      for (std::size_t i = 0; i < order.size(); ++i) {
        Pending::Node& n = pend.trie[order[i]];
        TrieNode& t = fi.trie[i];
        t.edge_begin = static_cast<std::uint32_t>(fi.edges.size());
        for (const auto& e : n.next) fi.edges.push_back(TrieEdge{e.first, slot_of[e.second]});
        t.edge_end = static_cast<std::uint32_t>(fi.edges.size());
        if (!n.preds.empty()) t.preds = Freeze(&n.preds);
      }
    }
    std::sort(fi.lower.begin(), fi.lower.end(), by_value);
    std::sort(fi.upper.begin(), fi.upper.end(), by_value);
    std::sort(fi.between.begin(), fi.between.end(),
              [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
    if (!fi.literals.empty()) {
      fi.literals.Build();
      fi.literal_contains.resize(fi.literals.literal_count());
      fi.literal_regex.resize(fi.literals.literal_count());
      for (std::size_t id = 0; id < fi.literals.literal_count(); ++id) {
        fi.literal_contains[id] = Freeze(&pend.literal_contains[id]);
        fi.literal_regex[id] = Freeze(&pend.literal_regex[id]);
      }
    }
    std::vector<std::uint32_t> unplaced =
        fi.sets.Build(limits_.regex_set_max_mem, kMaxPatternsPerSet);
    std::sort(unplaced.begin(), unplaced.end());
    unplaced.erase(std::unique(unplaced.begin(), unplaced.end()), unplaced.end());
    fi.always_hit = std::move(unplaced);

    stats_.literals += fi.literals.literal_count();
    stats_.regex_sets += fi.sets.set_count();
    stats_.regex_set_patterns += fi.sets.pattern_count();
    stats_.unplaced_patterns += fi.always_hit.size();
    stats_.memory_bytes += sizeof(FieldIndex) + fi.literals.MemoryBytes() +
                           (fi.str_eq.size() * (sizeof(std::string) + sizeof(Span) + 16)) +
                           fi.num_eq.size() * (sizeof(double) + sizeof(Span) + 8) +
                           fi.trie.size() * sizeof(TrieNode) + fi.edges.size() * sizeof(TrieEdge) +
                           (fi.lower.size() + fi.upper.size()) * sizeof(Bound) +
                           fi.between.size() * sizeof(Interval) +
                           (fi.literal_contains.size() + fi.literal_regex.size()) * sizeof(Span);
    for (const auto& [value, span] : fi.str_eq) stats_.memory_bytes += value.capacity();
  }
  pending_.clear();
  pending_.shrink_to_fit();
  stats_.indexed_fields = fields_.size();
  stats_.memory_bytes += guard_map_.size() * (sizeof(std::uint64_t) + sizeof(Span) + 4);
  stats_.memory_bytes += programs_.MemoryBytes() + entry_anchor_.capacity() * sizeof(Span) +
                         arena_.capacity() * sizeof(std::uint32_t) +
                         postings_.capacity() * sizeof(Posting) +
                         pred_index_.capacity() * sizeof(PredIndex) +
                         always_.capacity() * sizeof(Candidate);
}

std::unique_ptr<MatchIndex::Scratch> IndexedMatcher::NewScratch() const {
  auto s = std::make_unique<IndexScratch>();
  s->entry_mark.assign(data_->entries.size(), 0);
  s->pred.assign(data_->predicates.size(), IndexScratch::PredState{});
  s->cands.reserve(data_->scored.size());
  s->hit.reserve(data_->predicates.size());
  s->hash_stamp.assign(static_cast<std::size_t>(data_->schema.size()), 0);
  s->hash0.assign(static_cast<std::size_t>(data_->schema.size()), 0);
  return s;
}

void IndexedMatcher::Hit(std::uint32_t pred, bool exact, IndexScratch* s) const {
  IndexScratch::PredState& st = s->pred[pred];
  if (exact) st.memo = s->epoch * 2 + 1;
  if (st.mark == s->epoch) return;
  st.mark = s->epoch;
  s->hit.push_back(pred);
}

void IndexedMatcher::AddPostings(Span postings, const Record& record, Days as_of,
                                 IndexScratch* s) const {
  for (std::uint32_t i = postings.begin; i < postings.end; ++i) {
    const Posting& po = postings_[i];
    if (s->entry_mark[po.entry] == s->epoch) continue;  // already a candidate
    if (po.guard_pc != kNoGuard && !Leaf(programs_.at(po.guard_pc), record, as_of, s)) continue;
    s->entry_mark[po.entry] = s->epoch;
    s->cands.push_back(Candidate{po.entry, po.pc});
  }
}

// The candidates of the predicates the probe hit. Run after every field is
// probed: guard leaves are answered like verification's, which needs the
// probe's hits complete.
void IndexedMatcher::Expand(const Record& record, Days as_of, IndexScratch* s) const {
  for (std::uint32_t pred : s->hit) {
    const PredIndex& pi = pred_index_[pred];
    AddPostings(pi.postings, record, as_of, s);
    for (std::uint32_t k = pi.guard_fields.begin; k < pi.guard_fields.end; ++k) {
      const int f = static_cast<int>(arena_[k]);
      const int n = record.count(f);
      if (n == 0) continue;
      const bool numeric = IsNumeric(data_->schema.field(f).type);
      auto hash = [&](int i) {
        return numeric ? NumHash(record.num(f, i)) : StrHash(record.str(f, i));
      };
      const auto fs = static_cast<std::size_t>(f);
      if (s->hash_stamp[fs] != s->epoch) {
        s->hash_stamp[fs] = s->epoch;
        s->hash0[fs] = hash(0);
      }
      for (int i = 0; i < n; ++i) {
        auto it = guard_map_.find(GuardKey(pred, f, i == 0 ? s->hash0[fs] : hash(i)));
        if (it != guard_map_.end()) AddPostings(it->second, record, as_of, s);
      }
    }
  }
}

void IndexedMatcher::Probe(const FieldIndex& fi, const Record& record, IndexScratch* s) const {
  const int n = record.count(fi.field);
  auto hit_span = [&](Span sp, bool exact) {
    for (std::uint32_t i = sp.begin; i < sp.end; ++i) Hit(arena_[i], exact, s);
  };
  for (std::uint32_t p : fi.always_hit) Hit(p, false, s);
  for (int i = 0; i < n; ++i) {
    if (fi.numeric) {
      const double v = record.num(fi.field, i);
      if (!fi.num_eq.empty()) {
        auto it = fi.num_eq.find(v == 0 ? 0.0 : v);
        if (it != fi.num_eq.end()) hit_span(it->second, true);
      }
      // gt / ge: every bound below v holds, and a bound equal to v when inclusive.
      for (const Bound& b : fi.lower) {
        if (b.value > v) break;
        if (b.value < v || b.inclusive) Hit(b.pred, true, s);
      }
      // lt / le: every bound above v holds, and a bound equal to v when inclusive.
      auto up = std::lower_bound(fi.upper.begin(), fi.upper.end(), v,
                                 [](const Bound& b, double x) { return b.value < x; });
      for (; up != fi.upper.end(); ++up) {
        if (up->value > v || up->inclusive) Hit(up->pred, true, s);
      }
      for (const Interval& iv : fi.between) {
        if (iv.lo > v) break;
        if (v <= iv.hi) Hit(iv.pred, true, s);
      }
      continue;
    }
    const std::string_view v = record.str(fi.field, i);
    if (!fi.str_eq.empty()) {
      auto it = fi.str_eq.find(v);
      if (it != fi.str_eq.end()) hit_span(it->second, true);
    }
    if (!fi.trie.empty()) {
      std::uint32_t node = 0;
      for (unsigned char c : v) {
        const TrieNode& t = fi.trie[node];
        const TrieEdge* first = fi.edges.data() + t.edge_begin;
        const TrieEdge* last = fi.edges.data() + t.edge_end;
        const TrieEdge* e = std::lower_bound(
            first, last, c, [](const TrieEdge& edge, unsigned char b) { return edge.byte < b; });
        if (e == last || e->byte != c) break;
        node = e->node;
        hit_span(fi.trie[node].preds, true);
      }
    }
    if (fi.uses_lower) {
      // contains is ASCII case-insensitive: lower-case the value once and
      // look for the (lower-cased) operands byte for byte. A contains
      // literal found is the predicate holding; a regex literal found only
      // makes the regex a candidate.
      s->lower.resize(v.size());
      std::transform(v.begin(), v.end(), s->lower.begin(), LowerAscii);
      // A regex literal found is the regex holding only for the regexes
      // the literals decide (decided_ == kExact).
      auto regex_hits = [&](Span sp) {
        for (std::uint32_t k = sp.begin; k < sp.end; ++k) {
          Hit(arena_[k], decided_[arena_[k]] == kExact, s);
        }
      };
      fi.literals.Scan(s->lower, [&](std::uint32_t lit) {
        hit_span(fi.literal_contains[lit], true);
        regex_hits(fi.literal_regex[lit]);
      });
      if (fi.has_regex_literals) {
        s->folded.clear();
        if (PrefilterFoldDiffers(v, &s->folded)) {
          fi.literals.Scan(s->folded, [&](std::uint32_t lit) { regex_hits(fi.literal_regex[lit]); });
        }
      }
    }
    if (!fi.sets.empty()) {
      fi.sets.Match(v, &s->set_hits, [&](std::uint32_t pred) { Hit(pred, true, s); });
    }
  }
}

bool IndexedMatcher::Leaf(const Instr& in, const Record& record, Days as_of,
                          IndexScratch* s) const {
  IndexScratch::PredState& st = s->pred[in.arg];
  if ((st.memo >> 1) == s->epoch) return (st.memo & 1) != 0;
  // A contains the probe did not find, or a regex it did not hit, does
  // not hold (a missing field is never probed, and they are false on it).
  if (in.decided == kExact) return false;  // a hit would have set the memo
  if (in.decided == kIfNotHit && st.mark != s->epoch) return false;
  const bool v = EvalInstr(in, record, as_of, s->measures);
  st.memo = s->epoch * 2 + (v ? 1 : 0);
  return v;
}

bool IndexedMatcher::Verify(std::uint32_t pc, const Record& record, Days as_of,
                            IndexScratch* s) const {
  return programs_.Run(pc, [&](const Instr& in) { return Leaf(in, record, as_of, s); });
}

void IndexedMatcher::Match(const Record& record, Days as_of, Scratch* scratch,
                           std::vector<std::uint32_t>* fired) const {
  auto* s = static_cast<IndexScratch*>(scratch);
  if (++s->epoch == (1u << 31)) {
    // Wrapped after 2^31 records (the memo keeps the epoch in 31 bits):
    // forget every stamp.
    std::fill(s->entry_mark.begin(), s->entry_mark.end(), 0);
    std::fill(s->pred.begin(), s->pred.end(), IndexScratch::PredState{});
    std::fill(s->hash_stamp.begin(), s->hash_stamp.end(), 0);
    s->epoch = 1;
  }
  s->cands.clear();
  s->hit.clear();
  for (const auto& fi : fields_) {
    if (record.has(fi->field)) Probe(*fi, record, s);
  }
  Expand(record, as_of, s);
  // Verification is pure, so candidates go in the order they were found;
  // only the few that fire are sorted, into the ascending entry order the
  // reference gives.
  fired->clear();
  for (const Candidate& c : always_) {
    if (Verify(c.pc, record, as_of, s)) fired->push_back(c.entry);
  }
  for (const Candidate& c : s->cands) {
    if (Verify(c.pc, record, as_of, s)) fired->push_back(c.entry);
  }
  std::sort(fired->begin(), fired->end());
  const std::size_t na = always_.size(), nc = s->cands.size();
  ++s->records;
  s->candidates += na + nc;
}

}  // namespace

void SetGuardingForTesting(std::uint32_t from, double max_cost) {
  guard_from.store(std::max<std::uint32_t>(from, 1));
  max_guard_cost.store(max_cost);
}
void ResetGuardingForTesting() { SetGuardingForTesting(kGuardFrom, kMaxGuardCost); }

void BuildMatchIndex(RuleSetData* data, const Limits& limits) {
  data->index = std::make_unique<IndexedMatcher>(data, limits);
}

}  // namespace targeting::internal
