#include "eval/evaluate.h"

#include "eval/jaro_winkler.h"
#include "load/normalize.h"
#include "plan/aggregate.h"

namespace targeting::internal {

namespace {

bool HoldsOnString(const Predicate& p, std::string_view v) {
  switch (p.op) {
    case Op::kEq:
      return v == p.strs[0];
    case Op::kIn:
      return p.InStrings(v);
    case Op::kPrefix:
      for (const std::string& s : p.strs) {
        if (v.substr(0, s.size()) == s) return true;
      }
      return false;
    case Op::kContains:
    case Op::kContainsAny:
      for (const std::string& s : p.strs) {
        if (ContainsFolded(v, s)) return true;
      }
      return false;
    case Op::kRegex:
      for (const auto& re : p.regexes) {
        if (RE2::PartialMatch(v, *re)) return true;
      }
      return false;
    case Op::kSimilar:
      // The reference compares with every operand; the matcher's filter
      // (index/similar_index.h) is tested against this.
      for (const std::string& s : p.strs) {
        if (JaroWinkler(v, s) >= p.nums[0]) return true;
      }
      return false;
    default:
      return false;
  }
}

bool HoldsOnNumber(const Predicate& p, double v) {
  switch (p.op) {
    case Op::kEq: return v == p.nums[0];
    case Op::kIn: return p.InNumbers(v);
    case Op::kLt: return v < p.nums[0];
    case Op::kLe: return v <= p.nums[0];
    case Op::kGt: return v > p.nums[0];
    case Op::kGe: return v >= p.nums[0];
    case Op::kBetween: return p.nums[0] <= v && v <= p.nums[1];
    default: return false;
  }
}

}  // namespace

bool EvalPredicate(const Predicate& p, const Record& record, Days as_of,
                   const AggregateMeasures* measures) {
  if (p.op == Op::kAggregate) return AggregateHolds(p, measures);
  if (p.op == Op::kEffective) {
    double d = as_of;
    if (p.field >= 0 && record.has(p.field)) d = record.num(p.field);
    if (p.from && d < *p.from) return false;
    if (p.until && d > *p.until) return false;
    return true;
  }
  const int n = record.count(p.field);
  if (p.op == Op::kExists) return n > 0;
  const bool numeric = IsNumeric(p.type);
  for (int i = 0; i < n; ++i) {
    bool holds = numeric ? HoldsOnNumber(p, record.num(p.field, i))
                         : HoldsOnString(p, record.str(p.field, i));
    if (holds) return true;
  }
  return false;
}

bool EvalNode(const RuleSetData& data, int node, const Record& record, Days as_of,
              const AggregateMeasures* measures) {
  const Node& n = data.nodes[static_cast<std::size_t>(node)];
  auto child = [&](std::uint32_t i) {
    return EvalNode(data, static_cast<int>(data.children[n.first_child + i]), record, as_of,
                    measures);
  };
  switch (n.kind) {
    case Node::Kind::kLeaf:
      return EvalPredicate(data.predicates[static_cast<std::size_t>(n.pred)], record, as_of,
                           measures);
    case Node::Kind::kAll:
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        if (!child(i)) return false;
      }
      return true;
    case Node::Kind::kAny:
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        if (child(i)) return true;
      }
      return false;
    case Node::Kind::kNot:
      return !child(0);
    case Node::Kind::kAtLeast: {
      int holding = 0;
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        if (child(i) && ++holding >= n.at_least) return true;
      }
      return false;
    }
  }
  return false;
}

void ReferenceMatch(const RuleSetData& data, const Record& record, Days as_of,
                    std::vector<std::uint32_t>* fired, const AggregateMeasures* measures) {
  fired->clear();
  for (int e : data.scored) {
    if (EvalNode(data, data.code[static_cast<std::size_t>(e)].root, record, as_of, measures)) {
      fired->push_back(static_cast<std::uint32_t>(e));
    }
  }
}

}  // namespace targeting::internal
