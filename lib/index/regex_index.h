// The two ways the index narrows regexes (DESIGN.md, "index first, verify
// second"): a literal prefilter, for patterns that cannot match without one
// of a few literals, and RE2::Set, for the others. Private header.
#ifndef TARGETING_LIB_INDEX_REGEX_INDEX_H_
#define TARGETING_LIB_INDEX_REGEX_INDEX_H_

#include <re2/re2.h>
#include <re2/set.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace targeting::internal {

// Literals (lower-case ASCII, each at least `min_len` bytes) at least one of
// which occurs in PrefilterFold(text) whenever `re` matches `text`; nullopt
// when the pattern has no such set (`\d+`, say). Built from RE2's own
// prefilter (FilteredRE2), keeping only ASCII literals so that the text needs
// no Unicode case mapping. Slow (compiles the pattern again): build time only.
std::optional<std::vector<std::string>> RequiredLiterals(const RE2& re, int min_len);

// Further requirements of `re` beyond `first` (its RequiredLiterals): sets of
// literals (lower-case ASCII, at least `min_len` bytes), each sharing no
// literal with `first` or with the sets before it, such that whenever `re`
// matches `text`, PrefilterFold(text) contains a literal of every set.
// LEATHER.*(REPLICA|WALLETS) gives {replica, wallets} beyond {leather}.
// At most `max_sets`; empty when the pattern needs nothing more. Slow (builds
// the pattern's prefilter): build time only.
std::vector<std::vector<std::string>> FurtherRequiredLiterals(const RE2& re, int min_len,
                                                              const std::vector<std::string>& first,
                                                              std::size_t max_sets);

// True when `re` matches a text exactly when PrefilterFold of it (ASCII
// lower-casing with U+017F and U+212A folded) contains one of
// RequiredLiterals(re, min_len): a case-insensitive alternation of plain
// literals, (?i)lithium|battery. RE2 folds an ASCII letter only with its
// other case, and k and s also with U+212A and U+017F, which the fold maps.
bool LiteralsDecide(const RE2& re, int min_len);

// The text the literals of RequiredLiterals are looked for in: ASCII letters
// lower-cased, and the two non-ASCII characters whose lower case RE2's
// prefilter takes to be ASCII (U+017F, long s, and U+212A, the Kelvin sign)
// replaced by `s` and `k`. Appends to *out; returns false, appending nothing,
// when the result would equal the ASCII lower-casing of `text`.
bool PrefilterFoldDiffers(std::string_view text, std::string* out);

// For tests: while on, every RE2::Set match reports a DFA out of memory, so
// that the fallback below is exercised (RE2 2022-06-01 reserves room for 20
// states of the largest size and does not give up on slow sets, so a real
// failure is hard to provoke). Process-wide; off by default.
void SimulateRegexSetOutOfMemoryForTesting(bool on);
bool RegexSetOutOfMemorySimulated();

// Patterns matched together with RE2::Set, split into sets whose programs fit
// the memory budget. A DFA that runs out of memory while matching never turns
// into a missed match: that set's patterns are then run one by one.
// Build single-threaded; Match is thread-safe afterwards.
class RegexSetGroup {
 public:
  // Two patterns already cost less in one set (one DFA pass over the value)
  // than matched one by one (callgrind, realistic mix at 10k rules).
  static constexpr std::size_t kMinSetPatterns = 2;

  // `re` must outlive the group; `key` is reported when the pattern matches.
  void Add(const RE2* re, std::uint32_t key);
  // Builds sets of at most `max_patterns` patterns each, halving a set whose
  // program does not fit `max_mem`. Returns the keys of patterns that fit in
  // no set, even alone; the caller must treat those as always matching.
  // With fewer than kMinSetPatterns patterns there is no set: each pattern
  // is matched alone.
  std::vector<std::uint32_t> Build(std::int64_t max_mem, std::size_t max_patterns);

  bool empty() const { return sets_.empty() && single_res_.empty(); }
  std::size_t set_count() const { return sets_.size(); }
  std::size_t pattern_count() const;
  // How often a set's DFA ran out of memory and its patterns were run one by one.
  std::uint64_t fallbacks() const { return fallbacks_.load(std::memory_order_relaxed); }

  // Calls on_match(key) once for each pattern that matches `text`.
  // `hits` is caller scratch (reused, so no allocation of ours once warm).
  template <typename F>
  void Match(std::string_view text, std::vector<int>* hits, F&& on_match) const {
    for (std::size_t i = 0; i < single_res_.size(); ++i) {
      // As RE2::PartialMatch, without its argument handling.
      if (single_res_[i]->Match(text, 0, text.size(), RE2::UNANCHORED, nullptr, 0)) {
        on_match(single_keys_[i]);
      }
    }
    for (const Chunk& c : sets_) {
      RE2::Set::ErrorInfo info{RE2::Set::kNoError};
      if (RegexSetOutOfMemorySimulated()) {
        info.kind = RE2::Set::kOutOfMemory;
      } else if (c.set->Match(text, hits, &info)) {
        for (int i : *hits) on_match(c.keys[static_cast<std::size_t>(i)]);
        continue;
      } else if (info.kind == RE2::Set::kNoError) {
        continue;  // a real "no match"
      }
      // kOutOfMemory (or anything else unexpected): the set's answer cannot
      // be trusted, so ask each pattern.
      fallbacks_.fetch_add(1, std::memory_order_relaxed);
      for (std::size_t i = 0; i < c.res.size(); ++i) {
        if (RE2::PartialMatch(text, *c.res[i])) on_match(c.keys[i]);
      }
    }
  }

 private:
  struct Chunk {
    std::unique_ptr<RE2::Set> set;
    std::vector<const RE2*> res;
    std::vector<std::uint32_t> keys;
  };
  bool TryBuild(const std::vector<std::size_t>& members, std::int64_t max_mem,
                std::vector<std::uint32_t>* unplaced);

  std::vector<const RE2*> pending_res_;
  std::vector<std::uint32_t> pending_keys_;
  std::vector<Chunk> sets_;
  // With only a few patterns, running each is cheaper than a set (whose
  // Match also allocates); they are run one by one.
  std::vector<const RE2*> single_res_;
  std::vector<std::uint32_t> single_keys_;
  mutable std::atomic<std::uint64_t> fallbacks_{0};
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_INDEX_REGEX_INDEX_H_
