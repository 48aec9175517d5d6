// Why the filter drops no operand that reaches min.
//
// Let a be the value, b an operand, m their Jaro-Winkler matches, t the
// transpositions and l their common prefix (at most 4). Then
//   sim = jaro + l*0.1*(1 - jaro) = jaro*(1 - 0.1*l) + 0.1*l,
// so sim >= min gives jaro >= J_l = (min - 0.1*l) / (1 - 0.1*l). Since
// (m - t)/m <= 1,
//   3*jaro <= m/|a| + m/|b| + 1,  hence  m >= (3*J_l - 1) * |a|*|b| / (|a| + |b|),
// and m >= 1 as sim > 0 needs a match. Each match pairs a[i] with an equal b[j],
// distinct i and distinct j, so m is at most the size of the multiset
// intersection of the bytes of a and b. Write each string as the set of its
// elements (x, c): "the c-th occurrence of byte x"; the intersection of two
// such sets has exactly that size. So:
//  (1) need(l, |a|, |b|) <= m <= min(|a|, |b|): a length bound;
//  (2) |A ∩ B| >= need(l, |a|, |b|).
// need rises with either length, so for a given |b| it is at least
// LeastNeed(l, |b|) = need at the smallest |a| that (1) allows, and likewise
// for |a|.
//
// Prefix filtering (Chaudhuri et al. 2006; Xiao et al., PPJoin, 2008): order
// all elements globally (here: rarest among the operands first). If
// |A ∩ B| >= τ, the first common element e has at least τ - 1 common
// elements after it in both, so e is among the first |A| - τ + 1 elements of
// A and among the first |B| - τ + 1 of B. Elements of a that occur in no
// operand cannot be common: they are left out of A first (A').
//
// So each operand b is filed, in tier k (k = 0..4, for pairs whose common
// prefix is exactly k; k = 4 for 4 or more), under (its first k bytes, e) for
// each e among its first |b| - LeastNeed(k, |b|) + 1 elements. A value a looks
// up, in each tier k <= |a|, (its first k bytes, e) for each e among the first
// |A'| - LeastNeed(k, |a|) + 1 elements of A'. A pair with sim >= min and
// common prefix l is found in tier l: its first common element is in both
// prefixes and both are filed under the same first l bytes. Each operand
// found is then checked against (1) with its own l, and compared exactly.
//
// Rounding: the similarity is computed in double; its error is far below
// 1e-12, so bounds are derived from min - 1e-9 (slack_min_), and every ceil()
// gives up 1e-7: the filter keeps every pair whose exact similarity is at
// least min - 1e-9, a superset of those whose computed similarity is >= min.
#include "index/similar_index.h"

#include <algorithm>
#include <cmath>

#include "eval/jaro_winkler.h"

namespace targeting::internal {

namespace {
constexpr std::uint32_t kMaxRank = (1u << 24) - 1;
}

SimilarFilter::SimilarFilter(std::vector<std::string> operands, double min)
    : min_(min), slack_min_(min - 1e-9) {
  operands.erase(std::remove_if(operands.begin(), operands.end(),
                                [](const std::string& s) { return s.empty(); }),
                 operands.end());
  operands_ = std::move(operands);
  for (int k = 0; k < kTiers; ++k) {
    tiers_[k].jaro_min = (slack_min_ - 0.1 * k) / (1 - 0.1 * k);
  }
  // Element frequencies: df of (x, c) = operands with at least c bytes x.
  std::uint32_t count[256] = {};
  std::vector<std::vector<std::uint32_t>> df(256);
  for (const std::string& s : operands_) {
    max_len_ = std::max<std::uint32_t>(max_len_, static_cast<std::uint32_t>(s.size()));
    for (unsigned char x : s) {
      const std::uint32_t c = ++count[x];
      if (df[x].size() < c) df[x].resize(c, 0);
      ++df[x][c - 1];
    }
    for (unsigned char x : s) count[x] = 0;
  }
  struct Element {
    std::uint32_t df;
    std::uint32_t x;
    std::uint32_t c;
  };
  std::vector<Element> elements;
  for (std::uint32_t x = 0; x < 256; ++x) {
    max_count_[x] = static_cast<std::uint32_t>(df[x].size());
    for (std::uint32_t c = 1; c <= df[x].size(); ++c) elements.push_back({df[x][c - 1], x, c});
  }
  std::sort(elements.begin(), elements.end(), [](const Element& p, const Element& q) {
    if (p.df != q.df) return p.df < q.df;
    if (p.x != q.x) return p.x < q.x;
    return p.c < q.c;
  });
  std::uint32_t at = 0;
  for (std::uint32_t x = 0; x < 256; ++x) {
    rank_at_[x] = at;
    at += max_count_[x];
  }
  rank_.assign(at, 0);
  if (elements.size() > kMaxRank) {
    // More distinct elements than a key holds (lists far beyond any limit):
    // no postings, and Visit compares with every operand.
    return;
  }
  for (std::uint32_t r = 0; r < elements.size(); ++r) {
    rank_[rank_at_[elements[r].x] + elements[r].c - 1] = r;
  }
  // Postings, by counting into one block.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> filed;
  SimilarScratch scratch;
  for (std::uint32_t id = 0; id < operands_.size(); ++id) {
    const std::string& s = operands_[id];
    Elements(s, &scratch);
    const std::vector<std::uint32_t>& ranks = scratch.ranks;
    for (int k = 0; k < kTiers; ++k) {
      if (s.size() < static_cast<std::size_t>(k)) break;
      const std::uint32_t tau = LeastNeed(k, s.size());
      const std::size_t p = s.size() - tau + 1;  // tau <= |s|, see LeastNeed
      for (std::size_t i = 0; i < p && i < ranks.size(); ++i) {
        filed.emplace_back(Key(s, k, ranks[i]) ^ (static_cast<std::uint64_t>(k) << 61), id);
      }
    }
  }
  std::sort(filed.begin(), filed.end());
  ids_.reserve(filed.size());
  for (std::size_t i = 0; i < filed.size();) {
    std::size_t j = i;
    Span sp{static_cast<std::uint32_t>(ids_.size()), 0};
    for (; j < filed.size() && filed[j].first == filed[i].first; ++j) ids_.push_back(filed[j].second);
    sp.end = static_cast<std::uint32_t>(ids_.size());
    const int k = static_cast<int>(filed[i].first >> 61);
    tiers_[k].postings.emplace(filed[i].first ^ (static_cast<std::uint64_t>(k) << 61), sp);
    i = j;
  }
}

std::uint32_t SimilarFilter::Need(int tier, std::size_t la, std::size_t lb) const {
  const double j = tiers_[tier].jaro_min;
  const double a = static_cast<double>(la), b = static_cast<double>(lb);
  const double need = std::ceil((3 * j - 1) * a * b / (a + b) - 1e-7);
  if (need <= 1) return 1;
  if (need >= 4294967295.0) return 4294967295u;
  return static_cast<std::uint32_t>(need);
}

// The least need over the other lengths that bound (1) allows: at the
// smallest such length, as need rises with it; the same length always
// qualifies (need(len, len) <= len as 3*J - 1 <= 2), so the answer is <= len.
std::uint32_t SimilarFilter::LeastNeed(int tier, std::size_t len) const {
  for (std::size_t other = 1; other <= len; ++other) {
    const std::uint32_t n = Need(tier, len, other);
    if (n <= other) return n;
  }
  return static_cast<std::uint32_t>(len);
}

std::uint64_t SimilarFilter::Key(std::string_view s, int k, std::uint32_t rank) {
  std::uint64_t p = 0;
  for (int i = 0; i < k; ++i) p = (p << 8) | static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
  return (p << 24) | rank;
}

void SimilarFilter::Elements(std::string_view value, SimilarScratch* s) const {
  s->ranks.clear();
  for (unsigned char x : value) {
    const std::uint32_t c = ++s->count[x];
    if (c <= max_count_[x]) s->ranks.push_back(rank_[rank_at_[x] + c - 1]);
  }
  for (unsigned char x : value) s->count[x] = 0;
  std::sort(s->ranks.begin(), s->ranks.end());
}

bool SimilarFilter::Visit(std::string_view value, SimilarScratch* s,
                          bool (*f)(const SimilarFilter&, std::string_view, std::uint32_t, void*),
                          void* ctx) const {
  if (value.empty() || operands_.empty()) return false;
  ++s->queries;
  s->operands += operands_.size();
  if (s->stamp.size() < operands_.size()) s->stamp.resize(operands_.size(), 0);
  if (++s->epoch == 0) {
    std::fill(s->stamp.begin(), s->stamp.end(), 0);
    s->epoch = 1;
  }
  const std::size_t la = value.size();
  auto consider = [&](std::uint32_t id) {
    if (s->stamp[id] == s->epoch) return false;
    s->stamp[id] = s->epoch;
    const std::string& b = operands_[id];
    std::size_t l = 0;
    while (l < 4 && l < la && l < b.size() && value[l] == b[l]) ++l;
    if (Need(static_cast<int>(l), la, b.size()) > std::min(la, b.size())) return false;
    ++s->verified;
    return f(*this, value, id, ctx);
  };
  if (ids_.empty() && rank_.size() > kMaxRank) {
    for (std::uint32_t id = 0; id < operands_.size(); ++id) {
      if (consider(id)) return true;
    }
    return false;
  }
  Elements(value, s);
  const std::size_t elements = s->ranks.size();
  for (int k = 0; k < kTiers; ++k) {
    if (la < static_cast<std::size_t>(k)) break;
    const std::uint32_t tau = LeastNeed(k, la);
    if (elements < tau) continue;  // no operand can share tau elements
    const std::size_t p = elements - tau + 1;
    const Tier& tier = tiers_[k];
    for (std::size_t i = 0; i < p; ++i) {
      auto it = tier.postings.find(Key(value, k, s->ranks[i]));
      if (it == tier.postings.end()) continue;
      for (std::uint32_t x = it->second.begin; x < it->second.end; ++x) {
        if (consider(ids_[x])) return true;
      }
    }
  }
  return false;
}

bool SimilarFilter::Holds(std::string_view value, SimilarScratch* scratch) const {
  const double min = min_;
  return Visit(value, scratch,
               [](const SimilarFilter& self, std::string_view v, std::uint32_t id, void* ctx) {
                 return JaroWinkler(v, self.operands_[id]) >= *static_cast<const double*>(ctx);
               },
               const_cast<double*>(&min));
}

std::size_t SimilarFilter::MemoryBytes() const {
  std::size_t n = sizeof(*this) + rank_.capacity() * 4 + ids_.capacity() * 4;
  for (const std::string& s : operands_) n += sizeof(std::string) + s.capacity();
  for (const Tier& t : tiers_) n += t.postings.size() * (sizeof(std::uint64_t) + sizeof(Span) + 4);
  return n;
}

}  // namespace targeting::internal
