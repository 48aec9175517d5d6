// Building the indexed matcher: anchors, guards, per-field structures and the
// verification programs, laid out by anchor.
#include <algorithm>
#include <cstring>
#include <limits>

#include "index/indexed_matcher.h"
#include "load/normalize.h"

namespace targeting::internal::matching {
namespace {

// Calls f(pid) once for each predicate that a leaf of a scored entry tests
// and that is not an anchor, in the order the entries' trees are walked
// (depth first, entries in `scored` order): the order filters are added in.
template <class F>
void ForEachNonAnchorLeaf(const RuleSetData& data, const std::vector<bool>& anchors, F&& f) {
  std::vector<bool> seen(data.predicates.size());
  std::vector<int> stack;
  for (int e : data.scored) {
    stack.assign(1, data.code[static_cast<std::size_t>(e)].root);
    while (!stack.empty()) {
      const Node& n = data.nodes[static_cast<std::size_t>(stack.back())];
      stack.pop_back();
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        stack.push_back(static_cast<int>(data.children[n.first_child + i]));
      }
      if (n.kind != Node::Kind::kLeaf) continue;
      const auto pid = static_cast<std::uint32_t>(n.pred);
      if (seen[pid] || anchors[pid]) continue;
      seen[pid] = true;
      f(pid);
    }
  }
}

}  // namespace

std::atomic<std::uint32_t> guard_from{kGuardFrom};
std::atomic<double> max_guard_cost{kMaxGuardCost};

IndexedMatcher::IndexedMatcher(RuleSetData* data, const Limits& limits)
    : data_(data), limits_(limits) {
  field_slot_.assign(static_cast<std::size_t>(data->schema.size()), -1);
  stats_.scored_entries = data->scored.size();
  BuildSimilarFilters();

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

  // Regexes without a required literal that are not anchors: while their
  // field's RE2::Set has room (one set's worth of patterns), they join it
  // as filters, so that the one set match per value decides them for every
  // entry instead of each candidate running RE2. Decided here, in the order
  // the filters are added below, because guard leaves may then be such
  // regexes.
  std::vector<bool> anchors(data->predicates.size());
  for (int e : data->scored) {
    const Span sp = entry_anchor_[static_cast<std::size_t>(e)];
    for (std::uint32_t i = sp.begin; i < sp.end; ++i) anchors[arena_[i]] = true;
  }
  set_filter_.assign(data->predicates.size(), false);
  {
    std::vector<std::size_t> in_sets(static_cast<std::size_t>(data->schema.size()));
    auto literal_less = [&](std::uint32_t pid) {
      std::size_t n = 0;
      if (data->predicates[pid].op != Op::kRegex) return n;
      for (const auto& lits : regex_literals.Of(pid)) n += lits ? 0 : 1;
      return n;
    };
    for (std::size_t p = 0; p < data->predicates.size(); ++p) {
      if (anchors[p]) in_sets[static_cast<std::size_t>(std::max(0, data->predicates[p].field))] +=
          literal_less(static_cast<std::uint32_t>(p));
    }
    ForEachNonAnchorLeaf(*data, anchors, [&](std::uint32_t pid) {
      const std::size_t k = literal_less(pid);
      if (k == 0 || data->predicates[pid].field < 0) return;
      std::size_t& used = in_sets[static_cast<std::size_t>(data->predicates[pid].field)];
      if (used + k > kMaxPatternsPerSet) return;
      used += k;
      set_filter_[pid] = true;
    });
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
      if (p.op == Op::kRegex && !anchors[pid] && !set_filter_[pid]) {
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
    return MakePosting(static_cast<std::uint32_t>(e), programs_.start(ue), guard_pc[ue]);
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
  ForEachNonAnchorLeaf(*data, anchors, [&](std::uint32_t pid) {
    const Family family = FamilyOf(data->predicates[pid]);
    if ((family == Family::kText && AddTextFilter(pid)) ||
        (family == Family::kPrefix && AddPrefixFilter(pid))) {
      ++stats_.filtered_predicates;
    }
  });
  Finish();
  programs_.SetDecided(decided_);
  InlineProbeGuards();
  regex_literals_ = nullptr;
  set_filter_.clear();
  set_filter_.shrink_to_fit();
}

void IndexedMatcher::InlineProbeGuards() {
  for (Posting& po : postings_) {
    if (po.guard_pc == kNoGuard || po.guard != InlineGuard::kNone) continue;
    const std::uint32_t pid = programs_.at(po.guard_pc).arg;
    if (decided_[pid] == kNotDecided) continue;
    std::memcpy(po.operand, &pid, sizeof pid);
    po.guard_len = decided_[pid];
    po.guard = InlineGuard::kProbe;
  }
}

Posting IndexedMatcher::MakePosting(std::uint32_t entry, std::uint32_t pc,
                                    std::uint32_t guard_pc) const {
  Posting po;
  po.entry = entry;
  po.pc = pc;
  po.guard_pc = guard_pc;
  if (guard_pc == kNoGuard) return po;
  const Instr& in = programs_.at(guard_pc);
  const Predicate& p = data_->predicates[in.arg];
  if (p.field > 0x7fff) return po;
  auto numbers = [&](double a, double b) {
    std::memcpy(po.operand, &a, sizeof a);
    std::memcpy(po.operand + sizeof a, &b, sizeof b);
  };
  auto bytes = [&](const std::string& v) {
    std::memcpy(po.operand, v.data(), v.size());
    po.guard_len = static_cast<std::uint8_t>(v.size());
  };
  InlineGuard kind = InlineGuard::kNone;
  const bool numeric = IsNumeric(p.type);
  switch (p.op) {
    case Op::kPrefix:
      if (p.strs.size() == 1 && p.strs[0].size() <= kInlineBytes) {
        bytes(p.strs[0]);
        kind = InlineGuard::kPrefix;
      }
      break;
    case Op::kEq:
    case Op::kIn:
      if (numeric && p.nums.size() == 1) {
        numbers(p.nums[0], 0);
        kind = InlineGuard::kNumEq;
      } else if (!numeric && p.strs.size() == 1 && p.strs[0].size() <= kInlineBytes) {
        bytes(p.strs[0]);
        kind = InlineGuard::kStrEq;
      }
      break;
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
    case Op::kBetween:
      if (!numeric || p.nums.empty()) break;
      numbers(p.nums[0], p.nums.size() > 1 ? p.nums[1] : 0);
      kind = p.op == Op::kLt   ? InlineGuard::kLt
             : p.op == Op::kLe ? InlineGuard::kLe
             : p.op == Op::kGt ? InlineGuard::kGt
             : p.op == Op::kGe ? InlineGuard::kGe
                               : InlineGuard::kBetween;
      break;
    case Op::kEffective: {
      const double inf = std::numeric_limits<double>::infinity();
      numbers(p.from ? static_cast<double>(*p.from) : -inf,
              p.until ? static_cast<double>(*p.until) : inf);
      kind = InlineGuard::kEffective;
      break;
    }
    default:
      break;
  }
  if (kind == InlineGuard::kNone) return po;
  po.guard = kind;
  po.guard_field = static_cast<std::int16_t>(p.field);
  return po;
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

std::uint32_t IndexedMatcher::Pending::TrieNodeOf(std::string_view prefix) {
  if (trie.empty()) trie.emplace_back();
  std::uint32_t node = 0;
  for (unsigned char c : prefix) {
    auto& next = trie[node].next;
    auto it = std::find_if(next.begin(), next.end(), [c](const auto& e) { return e.first == c; });
    if (it != next.end()) {
      node = it->second;
      continue;
    }
    const auto child = static_cast<std::uint32_t>(trie.size());
    next.emplace_back(c, child);
    trie.emplace_back();
    node = child;
  }
  return node;
}

// A prefix test that is not an anchor goes into its field's trie too: the
// walk that finds the anchors sets its memo when it holds, so it is never
// evaluated (through its Predicate) as a guard leaf or in verification.
bool IndexedMatcher::AddPrefixFilter(std::uint32_t pid) {
  const Predicate& p = data_->predicates[pid];
  if (p.op != Op::kPrefix || p.strs.empty() ||
      std::any_of(p.strs.begin(), p.strs.end(), [](const std::string& v) { return v.empty(); })) {
    return false;
  }
  FieldFor(p.field);
  Pending& pend = pending_[static_cast<std::size_t>(field_slot_[static_cast<std::size_t>(p.field)])];
  for (const std::string& s : p.strs) pend.trie[pend.TrieNodeOf(s)].filters.push_back(pid);
  decided_[pid] = kExact;
  return true;
}

bool IndexedMatcher::AddTextFilter(std::uint32_t pid) {
  const Predicate& p = data_->predicates[pid];
  if (p.op == Op::kRegex) {
    // A pattern without required literals goes into the field's RE2::Set
    // when set_filter_ made room for it; otherwise the regex is not
    // filtered (each candidate runs it).
    if (!set_filter_[pid]) {
      for (const auto& lits : regex_literals_->Of(pid)) {
        if (!lits) return false;
      }
    }
  }
  FieldIndex& fi = FieldFor(p.field);
  Pending& pend = pending_[static_cast<std::size_t>(field_slot_[static_cast<std::size_t>(p.field)])];
  auto literal = [&](std::string_view text, bool regex) { AddLiteral(fi, pend, pid, text, regex); };
  if (p.op == Op::kRegex) {
    AddRegex(fi, pend, pid);
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
    pend.literal_further.resize(id + 1);
  }
  (regex ? pend.literal_regex : pend.literal_contains)[id].push_back(pid);
  fi.uses_lower = true;
}

// A regex, as an anchor or a filter: each pattern is found by a literal it
// requires or by a set match, so a regex the probe did not hit does not hold.
void IndexedMatcher::AddRegex(FieldIndex& fi, Pending& pend, std::uint32_t pid) {
  const Predicate& p = data_->predicates[pid];
  for (std::size_t k = 0; k < p.regexes.size(); ++k) {
    const auto& lits = regex_literals_->Of(pid)[k];
    if (!lits) {
      fi.sets.Add(p.regexes[k].get(), pid);
      continue;
    }
    for (const std::string& l : *lits) AddLiteral(fi, pend, pid, l, true);
    fi.has_regex_literals = true;
  }
  decided_[pid] = RegexDecidedExactly(p) ? kExact : kIfNotHit;
  if (decided_[pid] == kIfNotHit) AddFurther(fi, pend, pid);
}

void IndexedMatcher::AddFurther(FieldIndex& fi, Pending& pend, std::uint32_t pid) {
  const RegexLiterals::Sets& sets = regex_literals_->Further(pid);
  if (sets.empty()) return;
  const auto slot = static_cast<std::uint32_t>(further_full_.size());
  further_full_.push_back(static_cast<std::uint8_t>((1u << sets.size()) - 1));
  pred_index_[pid].further = static_cast<std::int32_t>(slot);
  for (std::size_t k = 0; k < sets.size(); ++k) {
    for (const std::string& l : sets[k]) {
      const std::uint32_t id = fi.literals.Add(l);
      if (id >= pend.literal_contains.size()) {
        pend.literal_contains.resize(id + 1);
        pend.literal_regex.resize(id + 1);
        pend.literal_further.resize(id + 1);
      }
      pend.literal_further[id].push_back(slot * 4 + static_cast<std::uint32_t>(k));
    }
  }
  fi.uses_lower = true;
  fi.has_regex_literals = true;
}

void IndexedMatcher::AddAnchor(std::uint32_t pid) {
  const Predicate& p = data_->predicates[pid];
  FieldIndex& fi = FieldFor(p.field);
  Pending& pend = pending_[static_cast<std::size_t>(field_slot_[static_cast<std::size_t>(p.field)])];
  auto literal = [&](std::string_view text, bool regex) { AddLiteral(fi, pend, pid, text, regex); };
  switch (p.op) {
    // The probe finds an eq / in, prefix or range anchor exactly when it
    // holds (it is false on a missing field, which is never probed), and
    // then sets its memo: one it did not find is false without evaluating
    // it, as a guard leaf or in verification.
    case Op::kEq:
    case Op::kIn:
      if (fi.numeric) {
        for (double d : p.nums) pend.num_eq[d == 0 ? 0.0 : d].push_back(pid);
      } else {
        for (const std::string& s : p.strs) pend.str_eq[s].push_back(pid);
      }
      decided_[pid] = kExact;
      break;
    case Op::kPrefix:
      // The walk never reports the root: an empty prefix is not decided.
      if (std::none_of(p.strs.begin(), p.strs.end(), [](const std::string& v) { return v.empty(); })) {
        decided_[pid] = kExact;
      }
      for (const std::string& s : p.strs) pend.trie[pend.TrieNodeOf(s)].preds.push_back(pid);
      break;
    case Op::kContains:
    case Op::kContainsAny:
      for (const std::string& s : p.strs) literal(s, false);
      decided_[pid] = kExact;
      break;
    case Op::kRegex:
      AddRegex(fi, pend, pid);
      break;
    case Op::kLt:
    case Op::kLe:
      fi.upper.push_back(Bound{p.nums[0], pid, p.op == Op::kLe});
      if (fi.numeric) decided_[pid] = kExact;
      break;
    case Op::kGt:
    case Op::kGe:
      fi.lower.push_back(Bound{p.nums[0], pid, p.op == Op::kGe});
      if (fi.numeric) decided_[pid] = kExact;
      break;
    case Op::kBetween:
      fi.between.push_back(Interval{p.nums[0], p.nums[1], pid});
      if (fi.numeric) decided_[pid] = kExact;
      break;
    case Op::kSimilar:
      fi.similar.push_back(pid);
      decided_[pid] = kExact;
      break;
    case Op::kExists:
    case Op::kEffective:
    case Op::kAggregate:
      break;
  }
}

void IndexedMatcher::BuildSimilarFilters() {
  similar_of_.assign(data_->predicates.size(), -1);
  boost::unordered_flat_map<std::string, std::int32_t> by_operands;
  for (std::size_t p = 0; p < data_->predicates.size(); ++p) {
    const Predicate& pred = data_->predicates[p];
    if (pred.op != Op::kSimilar) continue;
    std::string key = FormatNumber(pred.nums[0]);
    for (const std::string& v : pred.strs) {
      key += '|';
      key += std::to_string(v.size());
      key += ':';
      key += v;
    }
    auto [it, fresh] = by_operands.emplace(std::move(key), static_cast<std::int32_t>(similar_filters_.size()));
    if (fresh) {
      similar_filters_.push_back(SimilarFilter::Shared(it->first, pred.strs, pred.nums[0]));
      stats_.similar_operands += pred.strs.size();
      stats_.memory_bytes += similar_filters_.back()->MemoryBytes();
    }
    similar_of_[p] = it->second;
  }
  stats_.similar_filters = similar_filters_.size();
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
      std::vector<std::uint32_t> order = {0};
      for (std::size_t i = 0; i < order.size(); ++i) {
        auto& next = pend.trie[order[i]].next;
        std::sort(next.begin(), next.end());
        for (const auto& e : next) order.push_back(e.second);
      }
      // Node i (in breadth-first order) has its edges at edge_begin[i]; the
      // edge into node j is edge j - 1, since every node but the root has
      // exactly one edge into it and the order lists children in edge order.
      // The root's own lists (an empty prefix) are never hit: the walk
      // reports a node only after a byte leads to it.
      std::vector<std::uint32_t> edge_begin(order.size() + 1, 0);
      for (std::size_t i = 0; i < order.size(); ++i) {
        edge_begin[i + 1] =
            edge_begin[i] + static_cast<std::uint32_t>(pend.trie[order[i]].next.size());
      }
      fi.edges.resize(order.size() - 1);
      fi.trie_bytes.resize(order.size() - 1);
      fi.root_edges = edge_begin[1];
      for (std::size_t i = 0; i < order.size(); ++i) {
        Pending::Node& n = pend.trie[order[i]];
        for (std::size_t k = 0; k < n.next.size(); ++k) {
          fi.trie_bytes[edge_begin[i] + k] = n.next[k].first;
        }
        if (i == 0) continue;
        TrieEdge& into = fi.edges[i - 1];
        into.child_begin = edge_begin[i];
        into.child_count = edge_begin[i + 1] - edge_begin[i];
        if (!n.preds.empty()) into.preds = Freeze(&n.preds);
        if (!n.filters.empty()) into.filters = Freeze(&n.filters);
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
      fi.literal_further.resize(fi.literals.literal_count());
      for (std::size_t id = 0; id < fi.literals.literal_count(); ++id) {
        fi.literal_contains[id] = Freeze(&pend.literal_contains[id]);
        fi.literal_regex[id] = Freeze(&pend.literal_regex[id]);
        fi.literal_further[id] = Freeze(&pend.literal_further[id]);
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
                           fi.edges.size() * (sizeof(TrieEdge) + 1) +
                           (fi.lower.size() + fi.upper.size()) * sizeof(Bound) +
                           fi.between.size() * sizeof(Interval) +
                           (fi.literal_contains.size() + fi.literal_regex.size() +
                            fi.literal_further.size()) *
                               sizeof(Span);
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
                         always_.capacity() * sizeof(Candidate) + further_full_.capacity();
}

}  // namespace targeting::internal::matching

namespace targeting::internal {

void SetGuardingForTesting(std::uint32_t from, double max_cost) {
  matching::guard_from.store(std::max<std::uint32_t>(from, 1));
  matching::max_guard_cost.store(max_cost);
}
void ResetGuardingForTesting() { SetGuardingForTesting(matching::kGuardFrom, matching::kMaxGuardCost); }

void BuildMatchIndex(RuleSetData* data, const Limits& limits) {
  data->index = std::make_shared<const matching::IndexedMatcher>(data, limits);
}

}  // namespace targeting::internal
