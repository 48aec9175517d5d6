#include "index/anchor_finder.h"

namespace targeting::internal::matching {

AnchorFinder::AnchorFinder(const RuleSetData& data, RegexLiterals* regex_literals)
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


bool AnchorFinder::Find(int node, std::vector<std::uint32_t>* preds, double* cost) {
  preds->clear();
  *cost = NodeCost(node);
  if (*cost < 0) return false;
  Collect(node, preds);
  std::sort(preds->begin(), preds->end());
  preds->erase(std::unique(preds->begin(), preds->end()), preds->end());
  return true;
}

double AnchorFinder::ComputePredCost(std::uint32_t pid) {
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
    case Family::kSimilar:
      // Holds on few records at the mins it is meant for, but each probe
      // costs a filter lookup: after eq/in and prefix, before ranges.
      return 1.5;
    case Family::kNone:
      break;
  }
  return -1;
}

int AnchorFinder::Dropped(const Node& n) {
  const int need = n.kind == Node::Kind::kAny ? 1 : n.at_least;
  int unanchored = 0;
  for (std::uint32_t i = 0; i < n.child_count; ++i) {
    if (NodeCost(Child(n, i)) < 0) ++unanchored;
  }
  return need > unanchored ? need - unanchored - 1 : -1;
}

template <typename F>
void AnchorFinder::ForKept(const Node& n, int drop, F&& f) {
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

double AnchorFinder::NodeCost(int id) {
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

void AnchorFinder::Collect(int id, std::vector<std::uint32_t>* out) {
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
}  // namespace targeting::internal::matching
