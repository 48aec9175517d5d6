// Matching a record with the indexed matcher: probe each indexed field,
// expand the hit predicates into candidates through their guards, and verify
// the candidates' programs with each predicate's truth memoized.
#include <algorithm>
#include <cstring>

#include "eval/evaluate.h"
#include "index/indexed_matcher.h"
#include "load/normalize.h"

namespace targeting::internal::matching {

// The similar cache is keyed by filter serial (unique for the process's
// life) and value, so its answers hold for any index: a filter a reloaded
// set shares (SimilarFilter::Shared) keeps answering from it.
void IndexedMatcher::CarryCaches(Scratch* from, Scratch* to) const {
  auto* f = dynamic_cast<IndexScratch*>(from);
  auto* t = dynamic_cast<IndexScratch*>(to);
  if (f == nullptr || t == nullptr || f == t) return;
  t->similar.cache = std::move(f->similar.cache);
  f->similar.cache.clear();
}

std::unique_ptr<MatchIndex::Scratch> IndexedMatcher::NewScratch() const {
  auto s = std::make_unique<IndexScratch>();
  s->entry_mark.assign(data_->entries.size(), 0);
  s->pred.assign(data_->predicates.size(), IndexScratch::PredState{});
  s->cands.reserve(data_->scored.size());
  s->hit.reserve(data_->predicates.size());
  s->hash_stamp.assign(static_cast<std::size_t>(data_->schema.size()), 0);
  s->hash0.assign(static_cast<std::size_t>(data_->schema.size()), 0);
  s->further.assign(further_full_.size(), IndexScratch::FurtherState{});
  return s;
}

bool IndexedMatcher::SimilarHolds(std::uint32_t pred, const Record& record,
                                  IndexScratch* s) const {
  const SimilarFilter& filter = *similar_filters_[static_cast<std::size_t>(similar_of_[pred])];
  const int f = data_->predicates[pred].field;
  for (int i = 0, n = record.count(f); i < n; ++i) {
    if (filter.Holds(record.str(f, i), &s->similar)) return true;
  }
  return false;
}

void IndexedMatcher::Hit(std::uint32_t pred, bool exact, IndexScratch* s) const {
  IndexScratch::PredState& st = s->pred[pred];
  if (exact) st.memo = s->epoch * 2 + 1;
  if (st.mark == s->epoch) return;
  st.mark = s->epoch;
  s->hit.push_back(pred);
}

namespace {

// Whether some value of field f (n of them) passes `test`.
template <class Test>
bool AnyNumber(const Record& record, int f, int n, Test test) {
  for (int i = 0; i < n; ++i) {
    if (test(record.num(f, i))) return true;
  }
  return false;
}
template <class Test>
bool AnyString(const Record& record, int f, int n, Test test) {
  for (int i = 0; i < n; ++i) {
    if (test(record.str(f, i))) return true;
  }
  return false;
}

// The posting's inline guard leaf on `record`: exactly EvalInstr of the
// leaf at its guard_pc.
bool InlineGuardHolds(const Posting& po, const Record& record, Days as_of) {
  const int f = po.guard_field;
  double a = 0, b = 0;
  std::memcpy(&a, po.operand, sizeof a);
  std::memcpy(&b, po.operand + sizeof a, sizeof b);
  const int n = f >= 0 ? record.count(f) : 0;
  const auto starts = [&po](std::string_view v) {
    return v.size() >= po.guard_len && std::memcmp(v.data(), po.operand, po.guard_len) == 0;
  };
  switch (po.guard) {
    case InlineGuard::kNone:
      break;
    case InlineGuard::kPrefix:
      return AnyString(record, f, n, starts);
    case InlineGuard::kStrEq:
      return AnyString(record, f, n, [&](std::string_view v) { return v.size() == po.guard_len && starts(v); });
    case InlineGuard::kNumEq:
      return AnyNumber(record, f, n, [a](double v) { return v == a; });
    case InlineGuard::kLt:
      return AnyNumber(record, f, n, [a](double v) { return v < a; });
    case InlineGuard::kLe:
      return AnyNumber(record, f, n, [a](double v) { return v <= a; });
    case InlineGuard::kGt:
      return AnyNumber(record, f, n, [a](double v) { return v > a; });
    case InlineGuard::kGe:
      return AnyNumber(record, f, n, [a](double v) { return v >= a; });
    case InlineGuard::kBetween:
      return AnyNumber(record, f, n, [a, b](double v) { return a <= v && v <= b; });
    case InlineGuard::kEffective: {
      // As EvalPredicate: the record's date, or as_of without one.
      const double d = f >= 0 && record.has(f) ? record.num(f) : static_cast<double>(as_of);
      return !(d < a) && !(d > b);
    }
    case InlineGuard::kProbe:
      break;  // IndexedMatcher::GuardHolds
  }
  return false;
}

}  // namespace

// Exactly Leaf(programs_.at(po.guard_pc)), reading no more than it must.
bool IndexedMatcher::GuardHolds(const Posting& po, const Record& record, Days as_of,
                                IndexScratch* s) const {
  switch (po.guard) {
    case InlineGuard::kNone:
      return Leaf(programs_.at(po.guard_pc), record, as_of, s);
    case InlineGuard::kProbe: {
      std::uint32_t pred = 0;
      std::memcpy(&pred, po.operand, sizeof pred);
      const int known = ProbeAnswer(s->pred[pred], po.guard_len, s->epoch);
      return known >= 0 ? known != 0 : Leaf(programs_.at(po.guard_pc), record, as_of, s);
    }
    default:
      return InlineGuardHolds(po, record, as_of);
  }
}

void IndexedMatcher::AddPostings(Span postings, const Record& record, Days as_of,
                                 IndexScratch* s) const {
  // The guard first: it rejects most postings, and an inline one reads
  // only the posting and the record (or one memo slot), where the entry's
  // mark is a load from a table as long as the rule set.
  for (std::uint32_t i = postings.begin; i < postings.end; ++i) {
    const Posting& po = postings_[i];
    if (po.guard_pc != kNoGuard && !GuardHolds(po, record, as_of, s)) continue;
    if (s->entry_mark[po.entry] == s->epoch) continue;  // already a candidate
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
    if (fi.root_edges != 0) {
      const unsigned char* bytes = fi.trie_bytes.data();
      std::uint32_t begin = 0, count = fi.root_edges;
      for (unsigned char c : v) {
        const unsigned char* first = bytes + begin;
        const unsigned char* at = std::lower_bound(first, first + count, c);
        if (at == first + count || *at != c) break;
        const TrieEdge& e = fi.edges[static_cast<std::size_t>(at - bytes)];
        hit_span(e.preds, true);
        for (std::uint32_t k = e.filters.begin; k < e.filters.end; ++k) {
          s->pred[arena_[k]].memo = s->epoch * 2 + 1;
        }
        if (e.child_count == 0) break;
        begin = e.child_begin;
        count = e.child_count;
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
      // A literal of a further set: that set of its regex is found.
      auto further_hits = [&](Span sp) {
        for (std::uint32_t k = sp.begin; k < sp.end; ++k) {
          IndexScratch::FurtherState& f = s->further[arena_[k] >> 2];
          if (f.stamp != s->epoch) f = IndexScratch::FurtherState{s->epoch, 0};
          f.mask |= 1u << (arena_[k] & 3);
        }
      };
      fi.literals.Scan(s->lower, [&](std::uint32_t lit) {
        hit_span(fi.literal_contains[lit], true);
        regex_hits(fi.literal_regex[lit]);
        further_hits(fi.literal_further[lit]);
      });
      if (fi.has_regex_literals) {
        s->folded.clear();
        if (PrefilterFoldDiffers(v, &s->folded)) {
          fi.literals.Scan(s->folded, [&](std::uint32_t lit) {
            regex_hits(fi.literal_regex[lit]);
            further_hits(fi.literal_further[lit]);
          });
        }
      }
    }
    if (!fi.sets.empty()) {
      fi.sets.Match(v, &s->set_hits, [&](std::uint32_t pred) { Hit(pred, true, s); });
    }
    // An entry anchored on a similar test is a candidate only when the
    // test's filter finds an operand within reach of min for the value.
    for (std::uint32_t p : fi.similar) {
      if (s->pred[p].mark == s->epoch) continue;  // held for an earlier element
      const SimilarFilter& filter = *similar_filters_[static_cast<std::size_t>(similar_of_[p])];
      if (filter.Holds(v, &s->similar)) Hit(p, true, s);
    }
  }
}

// A regex hit by a literal of its first set, but not by one of each of its
// further sets, cannot hold: it is no longer hit (so it makes no candidate,
// and verification takes it as false without running RE2).
void IndexedMatcher::DropIncomplete(IndexScratch* s) const {
  if (further_full_.empty()) return;
  std::size_t kept = 0;
  for (std::uint32_t pred : s->hit) {
    const std::int32_t slot = pred_index_[pred].further;
    if (slot >= 0) {
      const IndexScratch::FurtherState& f = s->further[static_cast<std::size_t>(slot)];
      const std::uint32_t mask = f.stamp == s->epoch ? f.mask : 0;
      if (mask != further_full_[static_cast<std::size_t>(slot)]) {
        s->pred[pred].mark = 0;  // never an epoch
        continue;
      }
    }
    s->hit[kept++] = pred;
  }
  s->hit.resize(kept);
}

bool IndexedMatcher::Leaf(const Instr& in, const Record& record, Days as_of,
                          IndexScratch* s) const {
  IndexScratch::PredState& st = s->pred[in.arg];
  if (const int known = ProbeAnswer(st, in.decided, s->epoch); known >= 0) return known != 0;
  // A similar test is never compared with every operand: its filter answers.
  const bool v = in.op == Op::kSimilar ? SimilarHolds(in.arg, record, s)
                                       : EvalInstr(in, record, as_of, s->measures);
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
    std::fill(s->further.begin(), s->further.end(), IndexScratch::FurtherState{});
    s->epoch = 1;
  }
  s->cands.clear();
  s->hit.clear();
  for (const auto& fi : fields_) {
    if (record.has(fi->field)) Probe(*fi, record, s);
  }
  DropIncomplete(s);
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
  s->similar_queries = s->similar.queries;
  s->similar_cache_hits = s->similar.cache_hits;
  s->similar_operands = s->similar.operands;
  s->similar_verified = s->similar.verified;
}

}  // namespace targeting::internal::matching
