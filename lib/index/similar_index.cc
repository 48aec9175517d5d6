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
// Tiers 0 and 1 hold most operands (any first byte, or only the first byte in
// common), and single elements of a small alphabet are common, so there an
// operand is filed under groups of g elements instead (g = 3 in tier 0, 2 in
// tier 1): with |A ∩ B| >= τ >= g, the first g common elements have at least
// τ - g common elements after them, so all g are among the first |A| - τ + g
// elements of A and the first |B| - τ + g of B. An operand b with
// LeastNeed(k, |b|) >= g is filed under every g-subset of its first
// |b| - LeastNeed + g elements, and a value looks up every g-subset of the
// first |A'| - LeastNeed(k, |a|) + g of A' (the pair's overlap is at least
// both LeastNeeds, so both bounds hold). Keys are hashes: two groups that
// collide share a list, which only adds operands to compare.
// Operands whose LeastNeed is below g (a few bytes), or whose prefix is
// long (over kMaxTriplePrefix elements), keep single elements.
//
// The value's side uses the exact need of each operand length |b| rather
// than the least one: its i-th element (0-based) can be the first common
// element only if i < |A'| - need(l, |a|, |b|) + 1, and the last of a group only if
// i < |A'| - need + g (the last of a group). need rises with |b|, so each element index allows the
// lengths up to some bound, and posting lists are sorted by length: a lookup
// reads the operands of the allowed lengths and stops at the first longer one.
//
// Before exact Jaro-Winkler, a found operand must also pass (2) itself, with
// its own l, on byte classes: merging bytes into classes can only raise
// sum(min(count a, count b)), so the class overlap is an upper bound on m.
//
// Rounding: the similarity is computed in double; its error is far below
// 1e-12, so bounds are derived from min - 1e-9 (slack_min_), and every ceil()
// gives up 1e-7: the filter keeps every pair whose exact similarity is at
// least min - 1e-9, a superset of those whose computed similarity is >= min.
#include "index/similar_index.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <iterator>
#include <mutex>
#include <utility>
#include <unordered_map>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "eval/jaro_winkler.h"

namespace targeting::internal {

namespace {

// sum over 32 classes of min(a[c], b[c]).
std::uint32_t ClassOverlap(const std::uint8_t* a, const std::uint8_t* b) {
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  const __m128i m0 = _mm_min_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a)),
                                  _mm_loadu_si128(reinterpret_cast<const __m128i*>(b)));
  const __m128i m1 = _mm_min_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 16)),
                                  _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16)));
  const __m128i t = _mm_add_epi64(_mm_sad_epu8(m0, zero), _mm_sad_epu8(m1, zero));
  return static_cast<std::uint32_t>(_mm_cvtsi128_si32(t)) +
         static_cast<std::uint32_t>(_mm_extract_epi16(t, 4));
#else
  std::uint32_t overlap = 0;
  for (int c = 0; c < 32; ++c) overlap += std::min(a[c], b[c]);
  return overlap;
#endif
}

constexpr std::uint32_t kMaxRank = (1u << 24) - 1;
constexpr std::size_t kMaxTriplePrefix = 9;
}

std::shared_ptr<const SimilarFilter> SimilarFilter::Shared(const std::string& key,
                                                           const std::vector<std::string>& operands, double min) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::weak_ptr<const SimilarFilter>> alive;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = alive.find(key);
    if (it != alive.end()) {
      if (std::shared_ptr<const SimilarFilter> f = it->second.lock()) return f;
    }
  }
  // Built outside the lock: compiles of other lists go on meanwhile.
  auto built = std::make_shared<const SimilarFilter>(operands, min);
  std::lock_guard<std::mutex> lock(mu);
  for (auto it = alive.begin(); it != alive.end();) {
    it = it->second.expired() ? alive.erase(it) : std::next(it);
  }
  auto [it, fresh] = alive.emplace(key, built);
  if (!fresh) {
    if (std::shared_ptr<const SimilarFilter> f = it->second.lock()) return f;  // built twice at once
    it->second = built;
  }
  return built;
}

SimilarFilter::SimilarFilter(std::vector<std::string> operands, double min)
    : min_(min), slack_min_(min - 1e-9) {
  static std::atomic<std::uint64_t> serials{0};
  serial_ = ++serials;
  operands.erase(std::remove_if(operands.begin(), operands.end(),
                                [](const std::string& s) { return s.empty(); }),
                 operands.end());
  operands_ = std::move(operands);
  for (int k = 0; k < kTiers; ++k) {
    tiers_[k].jaro_min = (slack_min_ - 0.1 * k) / (1 - 0.1 * k);
    // Tier 0 holds every operand: triples. Tier 1 holds those of one first
    // byte: pairs, fewer lookups for lists that are short anyway.
    tiers_[k].group = k == 0 ? 3 : k == 1 ? 2 : 1;
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
  need_table_.resize(static_cast<std::size_t>(kTiers) * kTableLen * kTableLen);
  for (int k = 0; k < kTiers; ++k) {
    for (std::size_t a = 0; a < kTableLen; ++a) {
      for (std::size_t b = 0; b < kTableLen; ++b) {
        // need <= min(a, b) < 128 whenever it matters; larger ones only fail (1).
        need_table_[(static_cast<std::size_t>(k) * kTableLen + a) * kTableLen + b] =
            static_cast<std::uint8_t>(std::min<std::uint32_t>(ComputeNeed(k, a, b), 255));
      }
    }
  }
  // Byte classes by frequency over the operands.
  {
    std::uint64_t freq[256] = {};
    for (const std::string& s : operands_) {
      for (unsigned char x : s) ++freq[x];
    }
    std::uint32_t order[256];
    for (std::uint32_t x = 0; x < 256; ++x) order[x] = x;
    std::stable_sort(order, order + 256, [&](std::uint32_t p, std::uint32_t q) { return freq[p] > freq[q]; });
    for (std::uint32_t x = 0; x < 256; ++x) class_of_[x] = 31;
    for (std::uint32_t i = 0; i < 31; ++i) class_of_[order[i]] = static_cast<std::uint8_t>(i);
    class_counts_.resize(operands_.size());
    operand_len_.resize(operands_.size());
    for (std::size_t id = 0; id < operands_.size(); ++id) {
      auto& c = class_counts_[id];
      operand_len_[id] = static_cast<std::uint32_t>(std::min<std::size_t>(operands_[id].size(), 0xffffffffu));
      c.fill(0);
      for (unsigned char x : operands_[id]) {
        std::uint8_t& slot = c[class_of_[x]];
        if (slot < 255) ++slot;
      }
    }
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
  if (elements.size() > kMaxRank || max_len_ > 65535) {
    // More distinct elements than a key holds, or an operand longer than a
    // posting's length field (lists far beyond any limit): no postings, and
    // Visit compares with every operand.
    scan_all_ = true;
    return;
  }
  for (std::uint32_t r = 0; r < elements.size(); ++r) {
    rank_[rank_at_[elements[r].x] + elements[r].c - 1] = r;
  }
  // Postings: (key, then tier, length, next byte and id packed in one word),
  // sorted, then one span per (tier, key). max_len_ <= 65535 here.
  struct Filed {
    std::uint64_t key;
    std::uint64_t order;  // tier << 57 | len << 41 | next << 32 | id
    bool operator<(const Filed& o) const { return key != o.key ? key < o.key : order < o.order; }
  };
  // Each operand's elements, computed once for every tier.
  std::vector<std::uint32_t> ranks_at(operands_.size() + 1, 0);
  std::vector<std::uint32_t> all_ranks;
  {
    SimilarScratch scratch;
    for (std::uint32_t id = 0; id < operands_.size(); ++id) {
      Elements(operands_[id], &scratch);
      ranks_at[id] = static_cast<std::uint32_t>(all_ranks.size());
      all_ranks.insert(all_ranks.end(), scratch.ranks.begin(), scratch.ranks.end());
    }
    ranks_at[operands_.size()] = static_cast<std::uint32_t>(all_ranks.size());
  }
  std::vector<Filed> filed;
  filed.reserve(operands_.size() * 64);
  // Tier by tier, each tier's operands in posting order (length, next byte,
  // id): `filed` comes out sorted by `order`, and the stable sort by key
  // below then gives exactly the (key, order) order.
  std::vector<std::uint32_t> ids;
  ids.reserve(operands_.size());
  for (int k = 0; k < kTiers; ++k) {
    const auto next_of = [&](std::uint32_t id) -> std::uint64_t {
      const std::string& s = operands_[id];
      return s.size() > static_cast<std::size_t>(k) ? 256 + static_cast<unsigned char>(s[static_cast<std::size_t>(k)]) : 0;
    };
    ids.clear();
    for (std::uint32_t id = 0; id < operands_.size(); ++id) {
      if (operands_[id].size() >= static_cast<std::size_t>(k)) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) {
      const std::size_t la = operands_[a].size(), lb = operands_[b].size();
      if (la != lb) return la < lb;
      const std::uint64_t na = next_of(a), nb = next_of(b);
      return na != nb ? na < nb : a < b;
    });
    for (std::uint32_t id : ids) {
      const std::string& s = operands_[id];
      const std::uint32_t* ranks = all_ranks.data() + ranks_at[id];
      const std::size_t n_ranks = ranks_at[id + 1] - ranks_at[id];
      const std::uint64_t order = static_cast<std::uint64_t>(k) << 57 |
                                  static_cast<std::uint64_t>(s.size()) << 41 | next_of(id) << 32 | id;
      const std::uint32_t tau = LeastNeed(k, s.size());
      // Groups for the operands of a few dozen bytes, which are most; a
      // long operand keeps single elements rather than hundreds of triples.
      const std::uint32_t g = tiers_[k].group;
      if (g > 1 && tau >= g && s.size() - tau + g <= kMaxTriplePrefix) {
        const std::size_t q = std::min(n_ranks, s.size() - tau + g);
        for (std::size_t x = 0; x < q; ++x) {
          for (std::size_t y = x + 1; y < q; ++y) {
            if (g == 2) {
              filed.push_back({TripleKey(s, k, ranks[x], ranks[y], kMaxRank), order});
              continue;
            }
            for (std::size_t z = y + 1; z < q; ++z) {
              filed.push_back({TripleKey(s, k, ranks[x], ranks[y], ranks[z]), order});
            }
          }
        }
        continue;
      }
      if (g > 1) tiers_[k].has_singles = true;
      if (k >= 2) tiers_[k].prefixes.insert(Key(s, k, 0));
      const std::size_t p = s.size() - tau + 1;  // tau <= |s|, see LeastNeed
      for (std::size_t i = 0; i < p && i < n_ranks; ++i) {
        filed.push_back({Key(s, k, ranks[i]), order});
      }
    }
  }
  // Stable LSD radix sort by key, a byte per pass (std::sort of the
  // half-million postings of a 7,000-name list took most of a compile).
  {
    std::vector<Filed> other(filed.size());
    std::vector<std::array<std::uint32_t, 256>> counts(8);
    for (auto& c : counts) c.fill(0);
    for (const Filed& f : filed) {
      for (int b = 0; b < 8; ++b) ++counts[static_cast<std::size_t>(b)][(f.key >> (8 * b)) & 0xff];
    }
    for (int b = 0; b < 8; ++b) {
      auto& c = counts[static_cast<std::size_t>(b)];
      if (std::find(c.begin(), c.end(), static_cast<std::uint32_t>(filed.size())) != c.end()) continue;
      std::uint32_t sum = 0;
      for (std::uint32_t& n : c) sum += std::exchange(n, sum);
      for (const Filed& f : filed) other[c[(f.key >> (8 * b)) & 0xff]++] = f;
      filed.swap(other);
    }
  }
  {
    // Spans per tier, counted first so that each map is sized once.
    std::size_t spans[kTiers] = {};
    for (std::size_t i = 0; i < filed.size(); ++i) {
      if (i == 0 || filed[i].key != filed[i - 1].key || (filed[i].order >> 57) != (filed[i - 1].order >> 57)) {
        ++spans[filed[i].order >> 57];
      }
    }
    for (int k = 0; k < kTiers; ++k) tiers_[k].postings.reserve(spans[k]);
  }
  postings_.reserve(filed.size());
  for (std::size_t i = 0; i < filed.size();) {
    const std::uint64_t tier = filed[i].order >> 57;
    std::size_t j = i;
    Span sp{static_cast<std::uint32_t>(postings_.size()), 0};
    for (; j < filed.size() && filed[j].key == filed[i].key && (filed[j].order >> 57) == tier; ++j) {
      const std::uint64_t o = filed[j].order;
      postings_.push_back(Posting{static_cast<std::uint32_t>(o), static_cast<std::uint16_t>(o >> 41),
                                  static_cast<std::uint16_t>((o >> 32) & 0x1ff)});
    }
    sp.end = static_cast<std::uint32_t>(postings_.size());
    tiers_[tier].postings.emplace(filed[i].key, sp);
    i = j;
  }
}

std::uint32_t SimilarFilter::Need(int tier, std::size_t la, std::size_t lb) const {
  if (la < kTableLen && lb < kTableLen) return need_table_[(static_cast<std::size_t>(tier) * kTableLen + la) * kTableLen + lb];
  return ComputeNeed(tier, la, lb);
}

std::uint32_t SimilarFilter::ComputeNeed(int tier, std::size_t la, std::size_t lb) const {
  if (la == 0 || lb == 0) return 4294967295u;  // no pair has an empty side
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

// Only in tiers 0 and 1 (k <= 1, a prefix of at most one byte). A hash: a
// collision merges two lists, which only adds operands to compare. Bit 63 is
// set, and Key() never sets it (24 bits of rank, at most 32 of prefix).
std::uint64_t SimilarFilter::TripleKey(std::string_view s, int k, std::uint32_t r1, std::uint32_t r2,
                                       std::uint32_t r3) {
  std::uint64_t h = (static_cast<std::uint64_t>(r1) << 40) ^ (static_cast<std::uint64_t>(r2) << 20) ^ r3;
  h ^= static_cast<std::uint64_t>(k == 1 ? static_cast<unsigned char>(s[0]) : 0) << 60;
  h = (h ^ (h >> 31)) * 0x7fb5d329728ea185ULL;
  h = (h ^ (h >> 27)) * 0x81dadef4bc2dd44dULL;
  return (h ^ (h >> 33)) | (1ULL << 63);
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
  std::fill(s->classes, s->classes + 32, std::uint8_t{0});
  for (unsigned char x : value) {
    std::uint8_t& slot = s->classes[class_of_[x]];
    if (slot < 255) ++slot;
  }
  auto consider = [&](std::uint32_t id) {
    ++s->considered;
    if (s->stamp[id] == s->epoch) return false;
    s->stamp[id] = s->epoch;
    const std::size_t lb = operand_len_[id];
    // The class overlap against the loosest need (a boost of 4) first: it
    // reads one line of class counts and rules out most operands for every
    // tier at once; then the exact need with the operand's own prefix.
    const bool counts = la <= 255 && lb <= 255;  // else a count may have saturated
    const std::uint32_t overlap = counts ? ClassOverlap(s->classes, class_counts_[id].data()) : 0;
    if (counts && overlap < Need(kTiers - 1, la, lb)) return false;
    const std::string& b = operands_[id];
    std::size_t l = 0;
    while (l < 4 && l < la && l < lb && value[l] == b[l]) ++l;
    const std::uint32_t need = Need(static_cast<int>(l), la, lb);
    if (need > std::min(la, lb)) return false;
    if (counts && overlap < need) return false;
    ++s->verified;
    return f(*this, value, id, ctx);
  };
  if (scan_all_) {
    for (std::uint32_t id = 0; id < operands_.size(); ++id) {
      if (consider(id)) return true;
    }
    return false;
  }
  Elements(value, s);
  const std::size_t elements = s->ranks.size();
  if (elements == 0) return false;  // no byte of the value occurs in any operand
  s->lmax1.resize(elements);
  s->lmax3.resize(elements);
  for (int k = 0; k < kTiers; ++k) {
    if (la < static_cast<std::size_t>(k)) break;
    const Tier& tier = tiers_[k];
    if (tier.postings.empty()) continue;
    // By element index i: the longest operand length for which i is within
    // the value's prefix (lmax1: as the first common element, lmax3: as the
    // third), 0 when none. Lengths run over the ones (1) allows, whose need
    // rises with the length.
    if (k >= 2 && !tier.prefixes.contains(Key(value, k, 0))) continue;  // no operand starts so
    // Below (3*J - 2) * |a| a length fails (1): need <= |b| needs
    // (3*J - 1) * |a| * |b| / (|a| + |b|) <= |b|. Start just under it.
    const double r = 3 * tier.jaro_min - 2;
    std::uint32_t lb = 1;
    if (r > 0) lb = static_cast<std::uint32_t>(std::max(1.0, std::floor(r * static_cast<double>(la)) - 1));
    // The lengths (1) allows, ascending, with the size of the value's
    // prefix at each: elements - need + 1, which only falls as need rises.
    s->lens.clear();
    s->firsts.clear();
    for (; lb <= max_len_; ++lb) {
      const std::uint32_t need = Need(k, la, lb);
      if (need > std::min<std::size_t>(la, lb)) {
        if (lb >= la) break;  // longer ones need even more
        continue;
      }
      if (need > elements) break;
      s->lens.push_back(lb);
      s->firsts.push_back(static_cast<std::uint32_t>(elements - need + 1));
    }
    if (s->lens.empty()) continue;
    const std::uint32_t shortest = s->lens.front();
    // lmax1[i]: the longest length whose prefix holds index i (first > i);
    // lmax3[i]: likewise as the last element of a group (first + group - 1 > i).
    {
      std::ptrdiff_t p1 = static_cast<std::ptrdiff_t>(s->lens.size()) - 1, p2 = p1;
      for (std::size_t x = 0; x < elements; ++x) {
        while (p1 >= 0 && s->firsts[static_cast<std::size_t>(p1)] <= x) --p1;
        while (p2 >= 0 && s->firsts[static_cast<std::size_t>(p2)] + (tier.group - 1) <= x) --p2;
        s->lmax1[x] = p1 >= 0 ? s->lens[static_cast<std::size_t>(p1)] : 0;
        s->lmax3[x] = p2 >= 0 ? s->lens[static_cast<std::size_t>(p2)] : 0;
      }
    }
    auto visit = [&](std::uint64_t key, std::uint32_t longest) {
      auto it = tier.postings.find(key);
      if (it == tier.postings.end()) return false;
      const Posting* p = postings_.data() + it->second.begin;
      const Posting* end = postings_.data() + it->second.end;
      if (p->len < shortest) {
        p = std::lower_bound(p, end, shortest,
                             [](const Posting& x, std::uint32_t n) { return x.len < n; });
      }
      // An operand whose next byte is the value's has a longer common prefix:
      // tier k + 1 (or a later one) finds it, with a looser bound.
      const std::uint16_t same = k < kTiers - 1 && la > static_cast<std::size_t>(k)
                                     ? static_cast<std::uint16_t>(256 + static_cast<unsigned char>(value[static_cast<std::size_t>(k)]))
                                     : 0xffff;
      for (; p != end && p->len <= longest; ++p) {
        if (p->next == same) continue;
        if (consider(p->id)) return true;
      }
      return false;
    };
    if (tier.group == 1 || tier.has_singles) {
      for (std::size_t i = 0; i < elements && s->lmax1[i] != 0; ++i) {
        if (visit(Key(value, k, s->ranks[i]), s->lmax1[i])) return true;
      }
    }
    if (tier.group == 2) {
      // The pair (x, y), x < y, is within the prefix wherever y is.
      for (std::size_t y = 1; y < elements && s->lmax3[y] != 0; ++y) {
        for (std::size_t x = 0; x < y; ++x) {
          const std::uint64_t key = TripleKey(value, k, s->ranks[x], s->ranks[y], kMaxRank);
          if (visit(key, s->lmax3[y])) return true;
        }
      }
    }
    if (tier.group == 3) {
      // The triple (x, y, z), x < y < z, is within the prefix wherever z is.
      for (std::size_t z = 2; z < elements && s->lmax3[z] != 0; ++z) {
        for (std::size_t y = 1; y < z; ++y) {
          for (std::size_t x = 0; x < y; ++x) {
            const std::uint64_t key = TripleKey(value, k, s->ranks[x], s->ranks[y], s->ranks[z]);
            if (visit(key, s->lmax3[z])) return true;
          }
        }
      }
    }
  }
  return false;
}

std::uint64_t SimilarScratch::AnswerCache::Hash(std::uint64_t filter, std::string_view value) {
  std::uint64_t h = filter * 0x9e3779b97f4a7c15ULL;
  for (unsigned char c : value) h = (h ^ c) * 0x100000001b3ULL;
  return h ^ (h >> 29);
}

int SimilarScratch::AnswerCache::Find(std::uint64_t filter, std::string_view value, std::uint64_t hash) {
  if (slots_.empty()) return -1;
  const std::size_t set_at = hash & (kSets - 1);
  Set& set = sets_[set_at];
  const std::uint16_t tag = Tag(hash);
  for (std::size_t w = 0; w < kWays; ++w) {
    if (set.tag[w] != tag) continue;
    const Slot& slot = slots_[set_at * kWays + w];
    if (slot.filter == filter && slot.len == value.size() &&
        std::memcmp(slot.bytes, value.data(), value.size()) == 0) {
      Touch(set, w);
      return slot.holds ? 1 : 0;
    }
  }
  return -1;
}

void SimilarScratch::AnswerCache::Insert(std::uint64_t filter, std::string_view value, std::uint64_t hash,
                                         bool holds) {
  if (value.size() > kCachedBytes) return;
  if (slots_.empty()) {
    sets_.assign(kSets, Set{});
    slots_.resize(kSets * kWays);
  }
  const std::size_t set_at = hash & (kSets - 1);
  Set& set = sets_[set_at];
  std::size_t way = kWays;
  for (std::size_t w = 0; w < kWays && way == kWays; ++w) {
    if (set.tag[w] == 0) way = w;
  }
  if (way == kWays) way = static_cast<std::size_t>(__builtin_ctz(~static_cast<unsigned>(set.used)));
  set.tag[way] = Tag(hash);
  Touch(set, way);
  Slot& slot = slots_[set_at * kWays + way];
  slot.filter = filter;
  slot.len = static_cast<std::uint8_t>(value.size());
  slot.holds = holds;
  std::memcpy(slot.bytes, value.data(), value.size());
}

bool SimilarFilter::Holds(std::string_view value, SimilarScratch* scratch) const {
  const bool cacheable = value.size() <= SimilarScratch::AnswerCache::kCachedBytes;
  std::uint64_t hash = 0;
  if (cacheable) {
    hash = SimilarScratch::AnswerCache::Hash(serial_, value);
    const int known = scratch->cache.Find(serial_, value, hash);
    if (known >= 0) {
      ++scratch->cache_hits;
      return known == 1;
    }
  }
  const double min = min_;
  const bool holds =
      Visit(value, scratch,
            [](const SimilarFilter& self, std::string_view v, std::uint32_t id, void* ctx) {
              return JaroWinkler(v, self.operands_[id]) >= *static_cast<const double*>(ctx);
            },
            const_cast<double*>(&min));
  if (cacheable) scratch->cache.Insert(serial_, value, hash, holds);
  return holds;
}

std::size_t SimilarFilter::MemoryBytes() const {
  std::size_t n = sizeof(*this) + rank_.capacity() * 4 + postings_.capacity() * sizeof(Posting) +
                  class_counts_.capacity() * 32;
  for (const std::string& s : operands_) n += sizeof(std::string) + s.capacity();
  for (const Tier& t : tiers_) n += t.postings.size() * (sizeof(std::uint64_t) + sizeof(Span) + 4);
  return n;
}

}  // namespace targeting::internal
