#include "index/program.h"

#include <algorithm>

namespace targeting::internal {

namespace {

// A rough cost of evaluating a test, to put cheap tests first.
double LeafCost(const Predicate& p) {
  switch (p.op) {
    case Op::kExists:
    case Op::kEq:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
    case Op::kBetween:
    case Op::kEffective:
    case Op::kAggregate:  // a lookup of the measure the stream computed
      return 1;
    case Op::kIn:
      return 2;
    case Op::kPrefix:
      return 2 + static_cast<double>(p.strs.size());
    case Op::kContains:
    case Op::kContainsAny:
      return 8 + 2 * static_cast<double>(p.strs.size());
    case Op::kRegex:
      return 40 * static_cast<double>(p.regexes.size());
    case Op::kSimilar:
      return 30;
  }
  return 1;
}

double SubtreeCost(const RuleSetData& data, int node) {
  const Node& n = data.nodes[static_cast<std::size_t>(node)];
  if (n.kind == Node::Kind::kLeaf) return LeafCost(data.predicates[static_cast<std::size_t>(n.pred)]);
  double c = 0;
  for (std::uint32_t i = 0; i < n.child_count; ++i) {
    c += SubtreeCost(data, static_cast<int>(data.children[n.first_child + i]));
  }
  return c;
}

}  // namespace

Programs::Programs(const RuleSetData& data, const std::vector<int>& entries) {
  start_.assign(data.code.size(), 0);
  for (int e : entries) {
    start_[static_cast<std::size_t>(e)] = static_cast<std::uint32_t>(code_.size());
    Emit(data, data.code[static_cast<std::size_t>(e)].root);
  }
  code_.shrink_to_fit();
}

double Programs::Emit(const RuleSetData& data, int node) {
  const Node& n = data.nodes[static_cast<std::size_t>(node)];
  const auto at = code_.size();
  code_.emplace_back();
  if (n.kind == Node::Kind::kLeaf) {
    const Predicate& p = data.predicates[static_cast<std::size_t>(n.pred)];
    Instr& in = code_[at];
    in.kind = Instr::Kind::kLeaf;
    in.op = p.op;
    in.field = p.field;
    in.numeric = IsNumeric(p.type);
    in.arg = static_cast<std::uint32_t>(n.pred);
    in.pred = &p;
    if (!p.nums.empty()) in.a = p.nums[0];
    if (p.nums.size() > 1) in.b = p.nums[1];
    if (p.op == Op::kEq && !in.numeric) in.str = p.strs[0];
    return LeafCost(p);
  }
  std::vector<std::pair<double, int>> kids;
  for (std::uint32_t i = 0; i < n.child_count; ++i) {
    const int c = static_cast<int>(data.children[n.first_child + i]);
    kids.emplace_back(SubtreeCost(data, c), c);
  }
  std::stable_sort(kids.begin(), kids.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  double cost = 0;
  for (const auto& [c, child] : kids) cost += Emit(data, child);
  Instr& in = code_[at];  // after the children: emplace_back may have moved it
  switch (n.kind) {
    case Node::Kind::kAll: in.kind = Instr::Kind::kAll; break;
    case Node::Kind::kAny: in.kind = Instr::Kind::kAny; break;
    case Node::Kind::kNot: in.kind = Instr::Kind::kNot; break;
    case Node::Kind::kAtLeast: in.kind = Instr::Kind::kAtLeast; break;
    case Node::Kind::kLeaf: break;
  }
  in.at_least = static_cast<std::uint32_t>(std::max(0, n.at_least));
  in.arg = static_cast<std::uint32_t>(code_.size());
  return cost;
}

}  // namespace targeting::internal
