// The backtest accumulator and its reports (SPEC section 6).
#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "measure/outcome_join.h"
#include "plan/ruleset_data.h"
#include "targeting/measure.h"
#include "util/json_writer.h"

namespace targeting {

const EntryMetrics* BacktestReport::Find(std::string_view id) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), id,
                             [](const EntryMetrics& m, std::string_view v) { return m.id < v; });
  return it != entries.end() && it->id == id ? &*it : nullptr;
}

struct Backtest::State {
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const Outcomes> outcomes;
  BacktestOptions options;

  // One slot per active or shadow entry, in id order.
  struct Acc {
    int entry = -1;
    bool active = false;
    bool rule = false;
    std::uint64_t fired = 0, examined = 0, discrepant = 0, unique = 0, fresh = 0, seizures = 0;
    std::uint64_t only = 0;  // discrepant records no other active entry fired on
    double msrp = 0;
    boost::unordered_flat_set<std::uint32_t> ports;
    std::vector<std::string> examples;
    std::vector<int> tags;                // indices into config priorities
    std::vector<Record> hits, undated;  // queries: discrepant records fired on
  };
  std::vector<Acc> acc;
  std::vector<int> slot_of;  // entry index -> slot, or -1 (draft)

  internal::OutcomeJoin join{nullptr};
  std::uint64_t records = 0, rejected = 0, examined = 0, discrepant = 0, sampled = 0;
  std::uint64_t sampled_examined = 0, sampled_discrepant = 0;
  std::uint64_t by_rule = 0, by_query = 0, missed = 0;
  std::array<std::uint64_t, kIdentifiedByCount> identified_by{};
  std::vector<std::uint64_t> tag_discrepant;
  std::vector<char> tag_hit;  // scratch, per record

  boost::unordered_flat_map<std::string, std::uint32_t, internal::StringHash, std::equal_to<>>
      port_ids;
  boost::unordered_flat_map<std::uint64_t, std::uint64_t> pairs;  // (slot a << 32 | slot b) -> both
  bool pairs_truncated = false;
  std::vector<int> slots;  // scratch: slots of the record's fired entries
};

namespace {

// The key of a pair of slots in State::pairs, and the slots back from a key.
std::uint64_t PairKey(int a, int b) {
  return (static_cast<std::uint64_t>(a) << 32) | static_cast<std::uint32_t>(b);
}
int PairFirst(std::uint64_t key) { return static_cast<int>(key >> 32); }
int PairSecond(std::uint64_t key) { return static_cast<int>(key & 0xffffffffu); }

}  // namespace

Backtest::Backtest(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const Outcomes> outcomes,
                   BacktestOptions options)
    : s_(std::make_unique<State>()) {
  s_->rules = std::move(rules);
  s_->outcomes = std::move(outcomes);
  s_->options = options;
  const auto& entries = s_->rules->entries();
  const auto& tags = s_->rules->config().priorities;
  s_->slot_of.assign(entries.size(), -1);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const EntryInfo& info = entries[e];
    if (info.status != EntryStatus::kActive && info.status != EntryStatus::kShadow) continue;
    s_->slot_of[e] = static_cast<int>(s_->acc.size());
    State::Acc a;
    a.entry = static_cast<int>(e);
    a.active = info.status == EntryStatus::kActive;
    a.rule = info.kind == EntryKind::kRule;
    for (const std::string& p : info.priorities) {
      auto it = std::find(tags.begin(), tags.end(), p);
      if (it != tags.end()) a.tags.push_back(static_cast<int>(it - tags.begin()));
    }
    s_->acc.push_back(std::move(a));
  }
  s_->tag_discrepant.assign(tags.size(), 0);
  s_->tag_hit.assign(tags.size(), 0);
  s_->join = internal::OutcomeJoin(s_->outcomes.get());
}

Backtest::~Backtest() = default;

void Backtest::AddRejected(std::uint64_t n) { s_->rejected += n; }

void Backtest::Add(const Record& record, const ScoreResult& result) {
  State& s = *s_;
  ++s.records;
  if (result.sampled) ++s.sampled;
  const Outcome* o = nullptr;
  if (int i = s.join.Join(record.record_id()); i >= 0) {
    o = &s.outcomes->outcome(static_cast<std::size_t>(i));
  }
  const bool examined = o && o->examined;
  const bool disc = o && o->discrepant();
  const bool seizure = o && o->action == OutcomeAction::kSeizure;
  if (examined) {
    ++s.examined;
    if (result.sampled) ++s.sampled_examined;
  }

  s.slots.clear();
  int active_rules = 0, active_entries = 0;
  for (std::uint32_t e : result.fired) {
    int slot = e < s.slot_of.size() ? s.slot_of[e] : -1;
    if (slot < 0) continue;  // not scored: cannot happen with a matching ScoreResult
    s.slots.push_back(slot);
    const State::Acc& a = s.acc[static_cast<std::size_t>(slot)];
    if (a.active) {
      ++active_entries;
      if (a.rule) ++active_rules;
    }
  }

  if (disc) {
    ++s.discrepant;
    if (result.sampled) ++s.sampled_discrepant;
    ++s.identified_by[static_cast<std::size_t>(o->identified_by)];
    if (active_rules > 0) ++s.by_rule;
    else if (active_entries > 0) ++s.by_query;
    else ++s.missed;
  }

  std::uint32_t port = UINT32_MAX;
  const int port_field = record.schema().port_field();
  if (!s.slots.empty() && port_field >= 0 && record.has(port_field)) {
    const std::string_view value = record.str(port_field);
    auto it = s.port_ids.find(value);
    if (it == s.port_ids.end()) {
      it = s.port_ids.emplace(std::string(value), static_cast<std::uint32_t>(s.port_ids.size())).first;
    }
    port = it->second;
  }
  const int date_field = record.schema().date_field();
  const bool dated = date_field < 0 || record.has(date_field);

  for (int slot : s.slots) {
    State::Acc& a = s.acc[static_cast<std::size_t>(slot)];
    ++a.fired;
    if (port != UINT32_MAX) a.ports.insert(port);
    if (examined) ++a.examined;
    if (seizure) {
      ++a.seizures;
      a.msrp += o->msrp_usd.value_or(0);
    }
    if (!disc) continue;
    ++a.discrepant;
    if (s.slots.size() == 1) ++a.unique;
    const int other_active_rules = active_rules - (a.active && a.rule ? 1 : 0);
    if (other_active_rules == 0) ++a.fresh;
    if (a.active && active_entries == 1) {
      ++a.only;
      if (a.examples.size() < s.options.examples) a.examples.emplace_back(record.record_id());
    }
    if (!a.rule) {
      auto& keep = dated ? a.hits : a.undated;
      if (keep.size() < s.options.hits_per_query) keep.push_back(record);
    }
    for (int t : a.tags) s.tag_hit[static_cast<std::size_t>(t)] = 1;
  }
  if (disc) {
    for (std::size_t t = 0; t < s.tag_hit.size(); ++t) {
      s.tag_discrepant[t] += s.tag_hit[t];
      s.tag_hit[t] = 0;
    }
  }

  // Co-firing pairs: the fired list is ascending, so slots are too.
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    for (std::size_t j = i + 1; j < s.slots.size(); ++j) {
      const std::uint64_t key = PairKey(s.slots[i], s.slots[j]);
      if (s.pairs.size() >= s.options.max_pairs) {
        auto it = s.pairs.find(key);
        if (it == s.pairs.end()) {
          s.pairs_truncated = true;
          continue;
        }
        ++it->second;
      } else {
        ++s.pairs[key];
      }
    }
  }
}

std::vector<Record> Backtest::DiscrepantHits(int entry) const {
  std::vector<Record> out;
  if (entry < 0 || static_cast<std::size_t>(entry) >= s_->slot_of.size()) return out;
  int slot = s_->slot_of[static_cast<std::size_t>(entry)];
  if (slot < 0) return out;
  const State::Acc& a = s_->acc[static_cast<std::size_t>(slot)];
  out = a.hits;
  for (const Record& r : a.undated) {
    if (out.size() >= s_->options.hits_per_query) break;
    out.push_back(r);
  }
  return out;
}

std::vector<std::string> Backtest::UnmatchedIds(std::size_t limit) const {
  return s_->join.UnmatchedIds(limit);
}

BacktestReport Backtest::Report() const {
  const State& s = *s_;
  const RuleSet& rules = *s.rules;
  const RuleSetConfig& cfg = rules.config();
  const PromotionCriteria& crit = cfg.promotion;
  BacktestReport r;
  r.fingerprint = rules.fingerprint();
  r.records = s.records;
  r.rejected = s.rejected;
  r.outcomes = s.join.Counts();
  r.examined = s.examined;
  r.discrepant = s.discrepant;
  r.sampled = s.sampled;
  r.sampled_examined = s.sampled_examined;
  r.sampled_discrepant = s.sampled_discrepant;
  if (s.sampled_examined > 0) {
    r.base_rate = static_cast<double>(s.sampled_discrepant) / static_cast<double>(s.sampled_examined);
  }
  r.discrepant_by.rule = s.by_rule;
  r.discrepant_by.query_only = s.by_query;
  r.discrepant_by.missed = s.missed;
  r.identified_by = s.identified_by;
  r.criteria = crit;

  const auto& entries = rules.entries();
  for (std::size_t t = 0; t < cfg.priorities.size(); ++t) {
    PriorityCoverage p;
    p.tag = cfg.priorities[t];
    for (const State::Acc& a : s.acc) {
      if (std::find(a.tags.begin(), a.tags.end(), static_cast<int>(t)) != a.tags.end()) {
        p.entries.push_back(entries[static_cast<std::size_t>(a.entry)].id);
      }
    }
    p.discrepant = s.tag_discrepant[t];
    r.priorities.push_back(std::move(p));
  }

  for (const State::Acc& a : s.acc) {
    const EntryInfo& info = entries[static_cast<std::size_t>(a.entry)];
    EntryMetrics m;
    m.entry = a.entry;
    m.id = info.id;
    m.kind = info.kind;
    m.status = info.status;
    m.fired = a.fired;
    m.hit_rate = s.records > 0 ? static_cast<double>(a.fired) / static_cast<double>(s.records) : 0;
    m.examined = a.examined;
    m.discrepant = a.discrepant;
    if (a.examined > 0) {
      m.discrepancy_rate = static_cast<double>(a.discrepant) / static_cast<double>(a.examined);
      Interval w = WilsonInterval(a.discrepant, a.examined, crit.confidence);
      m.ci_low = w.low;
      m.ci_high = w.high;
      if (r.base_rate && *r.base_rate > 0) m.lift = *m.discrepancy_rate / *r.base_rate;
    }
    m.unique_discrepant = a.unique;
    m.new_discrepant = a.fresh;
    m.seizures = a.seizures;
    m.msrp_usd = a.msrp;
    m.ports = a.ports.size();
    m.candidate = m.kind == EntryKind::kQuery &&
                  m.examined >= static_cast<std::uint64_t>(std::max(0, crit.min_examined)) &&
                  m.ci_low && *m.ci_low >= crit.min_discrepancy_rate &&
                  m.ports >= static_cast<std::uint64_t>(std::max(0, crit.min_ports)) &&
                  m.new_discrepant >= static_cast<std::uint64_t>(std::max(0, crit.min_new_discrepant));
    r.entries.push_back(std::move(m));
  }

  // Overlap and marginal contribution.
  OverlapReport& ov = r.overlap;
  ov.redundant_jaccard = s.options.redundant_jaccard;
  ov.truncated = s.pairs_truncated;
  for (const State::Acc& a : s.acc) {
    if (!a.active) continue;
    const EntryInfo& info = entries[static_cast<std::size_t>(a.entry)];
    ov.marginal.push_back(OverlapReport::Marginal{info.id, info.kind, a.discrepant, a.only, a.examples});
  }
  std::stable_sort(ov.marginal.begin(), ov.marginal.end(),
                   [](const auto& x, const auto& y) { return x.only > y.only; });
  std::vector<int> order;
  for (std::size_t i = 0; i < s.acc.size(); ++i) {
    if (s.acc[i].fired > 0) order.push_back(static_cast<int>(i));
  }
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    return s.acc[static_cast<std::size_t>(x)].fired > s.acc[static_cast<std::size_t>(y)].fired;
  });
  if (order.size() > s.options.overlap_top) order.resize(s.options.overlap_top);
  for (int x : order) {
    ov.top.push_back(entries[static_cast<std::size_t>(s.acc[static_cast<std::size_t>(x)].entry)].id);
  }
  std::sort(order.begin(), order.end());  // id order for the pair table
  auto pair_of = [&](int x, int y, std::uint64_t both) {
    const State::Acc& ax = s.acc[static_cast<std::size_t>(x)];
    const State::Acc& ay = s.acc[static_cast<std::size_t>(y)];
    OverlapReport::Pair p;
    p.a = entries[static_cast<std::size_t>(ax.entry)].id;
    p.b = entries[static_cast<std::size_t>(ay.entry)].id;
    p.fired_a = ax.fired;
    p.fired_b = ay.fired;
    p.both = both;
    double uni = static_cast<double>(ax.fired + ay.fired - both);
    p.jaccard = uni > 0 ? static_cast<double>(both) / uni : 0;
    return p;
  };
  for (std::size_t i = 0; i < order.size(); ++i) {
    for (std::size_t j = i + 1; j < order.size(); ++j) {
      const std::uint64_t key = PairKey(order[i], order[j]);
      auto it = s.pairs.find(key);
      if (it != s.pairs.end()) ov.top_pairs.push_back(pair_of(order[i], order[j], it->second));
    }
  }
  for (const auto& [key, both] : s.pairs) {
    const int x = PairFirst(key), y = PairSecond(key);
    OverlapReport::Pair p = pair_of(x, y, both);
    if (p.jaccard >= ov.redundant_jaccard) ov.redundant.push_back(std::move(p));
  }
  std::sort(ov.redundant.begin(), ov.redundant.end(), [](const auto& x, const auto& y) {
    if (x.jaccard != y.jaccard) return x.jaccard > y.jaccard;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });
  return r;
}

namespace {

void Key(const char* k, std::string* out) {
  out->push_back('"');
  out->append(k);
  out->append("\":");
}

void Count(const char* k, std::uint64_t v, std::string* out) {
  Key(k, out);
  out->append(std::to_string(v));
}

void Number(const char* k, std::optional<double> v, std::string* out) {
  Key(k, out);
  internal::AppendJsonNumber(v, out);
}

void String(const char* k, std::string_view v, std::string* out) {
  Key(k, out);
  internal::AppendJsonString(v, out);
}

}  // namespace

void AppendBacktestJson(const BacktestReport& r, std::string* out) {
  out->push_back('{');
  String("fingerprint", r.fingerprint, out);
  out->push_back(',');
  Count("records", r.records, out);
  out->push_back(',');
  Count("rejected", r.rejected, out);
  out->append(",\n\"outcomes\":{");
  Count("rows", r.outcomes.rows, out);
  out->push_back(',');
  Count("unmatched", r.outcomes.unmatched, out);
  out->push_back(',');
  Count("bad", r.outcomes.bad, out);
  out->push_back(',');
  Count("duplicates", r.outcomes.duplicates, out);
  out->append("},\n");
  Count("examined", r.examined, out);
  out->push_back(',');
  Count("discrepant", r.discrepant, out);
  out->push_back(',');
  Count("sampled", r.sampled, out);
  out->push_back(',');
  Number("base_rate", r.base_rate, out);
  out->append(",\n\"discrepant_by\":{");
  Count("rule", r.discrepant_by.rule, out);
  out->push_back(',');
  Count("query_only", r.discrepant_by.query_only, out);
  out->push_back(',');
  Count("missed", r.discrepant_by.missed, out);
  out->append("},\n\"identified_by\":{");
  for (int i = 0; i < kIdentifiedByCount; ++i) {
    if (i) out->push_back(',');
    Count(IdentifiedByName(static_cast<IdentifiedBy>(i)), r.identified_by[static_cast<std::size_t>(i)], out);
  }
  out->append("},\n\"priorities\":{");
  for (std::size_t i = 0; i < r.priorities.size(); ++i) {
    const PriorityCoverage& p = r.priorities[i];
    if (i) out->push_back(',');
    internal::AppendJsonString(p.tag, out);
    out->append(":{\"entries\":");
    internal::AppendJsonStringArray(p.entries, out);
    out->push_back(',');
    Count("discrepant", p.discrepant, out);
    out->push_back('}');
  }
  out->append("},\n\"entries\":[");
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    const EntryMetrics& m = r.entries[i];
    out->append(i ? ",\n" : "\n");
    out->push_back('{');
    String("id", m.id, out);
    out->push_back(',');
    String("kind", EntryKindName(m.kind), out);
    out->push_back(',');
    String("status", EntryStatusName(m.status), out);
    out->push_back(',');
    Count("fired", m.fired, out);
    out->push_back(',');
    Number("hit_rate", m.hit_rate, out);
    out->push_back(',');
    Count("examined", m.examined, out);
    out->push_back(',');
    Count("discrepant", m.discrepant, out);
    out->push_back(',');
    Number("discrepancy_rate", m.discrepancy_rate, out);
    out->push_back(',');
    Number("ci_low", m.ci_low, out);
    out->push_back(',');
    Number("ci_high", m.ci_high, out);
    out->push_back(',');
    Number("lift", m.lift, out);
    out->push_back(',');
    Count("unique_discrepant", m.unique_discrepant, out);
    out->push_back(',');
    Count("new_discrepant", m.new_discrepant, out);
    out->push_back(',');
    Count("seizures", m.seizures, out);
    out->push_back(',');
    Number("msrp_usd", m.msrp_usd, out);
    out->push_back(',');
    Count("ports", m.ports, out);
    out->push_back(',');
    Key("candidate", out);
    out->append(m.candidate ? "true" : "false");
    out->push_back('}');
  }
  out->append("]}\n");
}

void AppendOverlapJson(const BacktestReport& r, std::string* out) {
  const OverlapReport& ov = r.overlap;
  out->push_back('{');
  String("fingerprint", r.fingerprint, out);
  out->push_back(',');
  Number("redundant_jaccard", ov.redundant_jaccard, out);
  out->push_back(',');
  Key("truncated", out);
  out->append(ov.truncated ? "true" : "false");
  out->append(",\n\"marginal\":[");
  for (std::size_t i = 0; i < ov.marginal.size(); ++i) {
    const auto& m = ov.marginal[i];
    out->append(i ? ",\n" : "\n");
    out->push_back('{');
    String("id", m.id, out);
    out->push_back(',');
    String("kind", EntryKindName(m.kind), out);
    out->push_back(',');
    Count("discrepant", m.discrepant, out);
    out->push_back(',');
    Count("only", m.only, out);
    out->push_back(',');
    Key("examples", out);
    internal::AppendJsonStringArray(m.examples, out);
    out->push_back('}');
  }
  out->append("],\n\"top\":");
  internal::AppendJsonStringArray(ov.top, out);
  auto pairs = [&](const char* k, const std::vector<OverlapReport::Pair>& v) {
    out->append(",\n\"");
    out->append(k);
    out->append("\":[");
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto& p = v[i];
      out->append(i ? ",\n" : "\n");
      out->push_back('{');
      String("a", p.a, out);
      out->push_back(',');
      String("b", p.b, out);
      out->push_back(',');
      Count("fired_a", p.fired_a, out);
      out->push_back(',');
      Count("fired_b", p.fired_b, out);
      out->push_back(',');
      Count("both", p.both, out);
      out->push_back(',');
      Number("jaccard", p.jaccard, out);
      out->push_back('}');
    }
    out->push_back(']');
  };
  pairs("top_pairs", ov.top_pairs);
  pairs("redundant", ov.redundant);
  out->append("}\n");
}

}  // namespace targeting
