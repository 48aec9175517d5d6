// Choosing each entry's anchor: the predicates one of which holds whenever
// the entry fires, and the family and estimated cost of each predicate.
// Part of the index stage (index/match_index.h). Private header.
#ifndef TARGETING_LIB_INDEX_ANCHOR_FINDER_H_
#define TARGETING_LIB_INDEX_ANCHOR_FINDER_H_

#include <boost/unordered/unordered_flat_map.hpp>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/regex_index.h"
#include "plan/ruleset_data.h"

namespace targeting::internal::matching {

// Literals shorter than this say little about a text; a regex whose required
// literals are all shorter goes to RE2::Set instead.
inline constexpr int kMinRegexLiteral = 3;


enum class Family : std::uint8_t { kNone, kEqIn, kPrefix, kText, kRange, kSimilar };

inline Family FamilyOf(const Predicate& p) {
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
    case Op::kSimilar:
      return Family::kSimilar;
    case Op::kExists:     // true on most records: no help
    case Op::kEffective:  // likewise, and as_of stands in for a missing date
    case Op::kAggregate:  // depends on the stream, never an anchor
      return Family::kNone;
  }
  return Family::kNone;
}

inline double Pow(double base, std::size_t n) { return std::pow(base, static_cast<double>(std::min<std::size_t>(n, 16))); }

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

  // For a regex predicate of one pattern with required literals: the
  // further sets of literals it needs (FurtherRequiredLiterals), each of
  // which must also be found for the regex to hold. Empty otherwise.
  using Sets = std::vector<std::vector<std::string>>;
  const Sets& Further(std::uint32_t pred) {
    static const Sets kNone;
    const Predicate& p = data_.predicates[pred];
    if (p.op != Op::kRegex || p.regexes.size() != 1) return kNone;
    const auto& first = Of(pred)[0];
    if (!first) return kNone;
    const RE2& re = *p.regexes[0];
    auto it = further_.find(re.pattern());
    if (it == further_.end()) {
      it = further_.emplace(re.pattern(),
                            FurtherRequiredLiterals(re, kMinRegexLiteral, *first, kMaxFurtherSets))
               .first;
    }
    return it->second;
  }
  static constexpr std::size_t kMaxFurtherSets = 4;

 private:
  const RuleSetData& data_;
  std::vector<std::optional<PerPattern>> cache_;
  boost::unordered_flat_map<std::string, std::optional<std::vector<std::string>>> by_pattern_;
  boost::unordered_flat_map<std::string, Sets> further_;
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
  AnchorFinder(const RuleSetData& data, RegexLiterals* regex_literals);

  // The anchor of `node`: predicates one of which holds whenever it does.
  // False when there is none.
  bool Find(int node, std::vector<std::uint32_t>* preds, double* cost);

  // The estimated share of records predicate `pid` holds on, weighted by
  // family; -1 when the index cannot use it.
  double PredCost(std::uint32_t pid) {
    double& c = pred_cost_[pid];
    if (c == -2) c = ComputePredCost(pid);
    return c;
  }

 private:
  double ComputePredCost(std::uint32_t pid);

  int Child(const Node& n, std::uint32_t i) const {
    return static_cast<int>(data_.children[n.first_child + i]);
  }

  // How many of the anchored children of an any / at_least node are left
  // out: with `u` unanchored children and `need` required, at least need - u
  // anchored ones hold, so need - u - 1 of them (the costliest) are not
  // needed. -1 when need <= u: no anchor.
  int Dropped(const Node& n);

  // The anchored children of an any / at_least node that its anchor keeps,
  // ordered by cost descending (ties by position), after the dropped ones.
  template <typename F>
  void ForKept(const Node& n, int drop, F&& f);

  // The cost of the anchor of `id` (memoized), or -1 when it has none.
  double NodeCost(int id);

  // Appends the predicates of the anchor NodeCost chose. Precondition:
  // NodeCost(id) >= 0.
  void Collect(int id, std::vector<std::uint32_t>* out);

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

}  // namespace targeting::internal::matching

#endif  // TARGETING_LIB_INDEX_ANCHOR_FINDER_H_
