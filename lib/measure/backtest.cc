// The backtest accumulator (SPEC section 6): counts per record, kept in
// BacktestCounts so that one run and merged partials report alike.
#include <algorithm>

#include "check/conditions.h"
#include "measure/backtest_counts.h"
#include "measure/capacity.h"
#include "measure/outcome_join.h"
#include "plan/fingerprint.h"
#include "targeting/json.h"
#include "targeting/measure.h"

namespace targeting {

const EntryMetrics* BacktestReport::Find(std::string_view id) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), id,
                             [](const EntryMetrics& m, std::string_view v) { return m.id < v; });
  return it != entries.end() && it->id == id ? &*it : nullptr;
}

namespace internal {

std::uint32_t BacktestCounts::PortId(std::string_view value) {
  auto it = port_ids.find(value);
  if (it == port_ids.end()) {
    it = port_ids.emplace(std::string(value), static_cast<std::uint32_t>(port_names.size())).first;
    port_names.emplace_back(value);
  }
  return it->second;
}

namespace {

// What identifies an outcomes file's content for partials: its ids and
// outcomes in order, and its row counts.
std::string OutcomesDigest(const Outcomes& outcomes) {
  Sha256 h;
  h.Update(std::to_string(outcomes.rows()) + "," + std::to_string(outcomes.bad_rows().size()) + "," +
           std::to_string(outcomes.duplicates()) + "\n");
  std::string line;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes.outcome(i);
    line = outcomes.id(i);
    line += '\x1f';
    line += std::to_string(static_cast<int>(o.examined)) + std::to_string(static_cast<int>(o.finding)) +
            std::to_string(static_cast<int>(o.action)) +
            std::to_string(static_cast<int>(o.identified_by));
    line += o.msrp_usd ? FormatNumber(*o.msrp_usd) : std::string("-");
    line += '\n';
    h.Update(line);
  }
  return "sha256:" + h.Hex();
}

}  // namespace
}  // namespace internal

struct Backtest::State {
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const Outcomes> outcomes;
  BacktestOptions options;
  internal::BacktestCounts counts;
  std::vector<int> slot_of;  // entry index -> slot, or -1 (draft)
  // Queries: discrepant records fired on, for promotion tests. Per slot.
  std::vector<std::vector<Record>> hits, undated;
  internal::OutcomeJoin join{nullptr};
  std::vector<char> tag_hit;  // scratch, per record
  std::vector<int> slots;     // scratch: slots of the record's fired entries
  // Capacity and trends, when asked for.
  bool keep_rows = false;
  std::vector<internal::CapacityRow> rows;
  std::vector<std::string> row_ports;
  boost::unordered_flat_map<std::string, std::uint32_t, internal::StringHash, std::equal_to<>> row_port_ids;
  internal::TrendCounts trends;
};

Backtest::Backtest(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const Outcomes> outcomes,
                   BacktestOptions options)
    : s_(std::make_unique<State>()) {
  s_->rules = std::move(rules);
  s_->outcomes = std::move(outcomes);
  s_->options = options;
  internal::BacktestCounts& c = s_->counts;
  const RuleSet& rs = *s_->rules;
  c.fingerprint = rs.fingerprint();
  c.schema = rs.schema().Canonical();
  c.priorities = rs.config().priorities;
  c.criteria = rs.config().promotion;
  c.overlap_top = options.overlap_top;
  c.redundant_jaccard = options.redundant_jaccard;
  c.examples = options.examples;
  c.max_pairs = options.max_pairs;
  const auto& entries = rs.entries();
  const auto& tags = c.priorities;
  s_->slot_of.assign(entries.size(), -1);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const EntryInfo& info = entries[e];
    if (info.status != EntryStatus::kActive && info.status != EntryStatus::kShadow) continue;
    s_->slot_of[e] = static_cast<int>(c.slots.size());
    internal::SlotCounts a;
    a.entry = static_cast<int>(e);
    a.id = info.id;
    a.kind = info.kind;
    a.status = info.status;
    a.active = info.status == EntryStatus::kActive;
    a.rule = info.kind == EntryKind::kRule;
    for (const std::string& p : info.priorities) {
      auto it = std::find(tags.begin(), tags.end(), p);
      if (it != tags.end()) a.tags.push_back(static_cast<int>(it - tags.begin()));
    }
    c.slots.push_back(std::move(a));
  }
  for (std::size_t e = 0; e < entries.size(); ++e) {
    if (s_->slot_of[e] >= 0 && internal::UsesAggregate(rs.data(), rs.data().code[e].root)) {
      c.aggregate_entries.push_back(entries[e].id);
    }
  }
  s_->hits.resize(c.slots.size());
  s_->undated.resize(c.slots.size());
  c.tag_discrepant.assign(tags.size(), 0);
  s_->tag_hit.assign(tags.size(), 0);
  s_->join = internal::OutcomeJoin(s_->outcomes.get());
  s_->keep_rows = options.capacity.has_value() || !options.capacity_curve.empty();
  if (s_->outcomes) {
    c.has_outcomes = true;
    c.outcomes_digest = internal::OutcomesDigest(*s_->outcomes);
    c.outcome_rows = s_->outcomes->rows();
    c.outcome_bad = s_->outcomes->bad_rows().size();
    c.outcome_duplicates = s_->outcomes->duplicates();
  }
}

Backtest::~Backtest() = default;

void Backtest::AddRejected(std::uint64_t n) { s_->counts.rejected += n; }

void Backtest::Add(const Record& record, const ScoreResult& result) {
  State& s = *s_;
  internal::BacktestCounts& c = s.counts;
  ++c.records;
  if (result.sampled) ++c.sampled;
  const Outcome* o = nullptr;
  const int outcome_index = s.join.Join(record.record_id());
  if (outcome_index >= 0) o = &s.outcomes->outcome(static_cast<std::size_t>(outcome_index));
  const bool examined = o && o->examined;
  const bool disc = o && o->discrepant();
  const bool seizure = o && o->action == OutcomeAction::kSeizure;
  if (examined) {
    ++c.examined;
    if (result.sampled) ++c.sampled_examined;
  }

  s.slots.clear();
  int active_rules = 0, active_entries = 0;
  for (std::uint32_t e : result.fired) {
    int slot = e < s.slot_of.size() ? s.slot_of[e] : -1;
    if (slot < 0) continue;  // not scored: cannot happen with a matching ScoreResult
    s.slots.push_back(slot);
    const internal::SlotCounts& a = c.slots[static_cast<std::size_t>(slot)];
    if (a.active) {
      ++active_entries;
      if (a.rule) ++active_rules;
    }
  }

  if (disc) {
    ++c.discrepant;
    if (result.sampled) ++c.sampled_discrepant;
    ++c.identified_by[static_cast<std::size_t>(o->identified_by)];
    if (active_rules > 0) ++c.by_rule;
    else if (active_entries > 0) ++c.by_query;
    else ++c.missed;
  }

  std::uint32_t port = UINT32_MAX;
  const int port_field = record.schema().port_field();
  if (!s.slots.empty() && port_field >= 0 && record.has(port_field)) {
    port = c.PortId(record.str(port_field));
  }
  const int date_field = record.schema().date_field();
  const bool dated = date_field < 0 || record.has(date_field);
  const Days day = date_field >= 0 && record.has(date_field) ? static_cast<Days>(record.num(date_field))
                                                             : s.options.as_of;
  if (s.keep_rows) {
    internal::CapacityRow row;
    row.day = day;
    if (port_field >= 0 && record.has(port_field)) {
      const std::string_view value = record.str(port_field);
      auto it = s.row_port_ids.find(value);
      if (it == s.row_port_ids.end()) {
        it = s.row_port_ids.emplace(std::string(value), static_cast<std::uint32_t>(s.row_ports.size())).first;
        s.row_ports.emplace_back(value);
      }
      row.port = it->second;
    } else {
      row.port = UINT32_MAX;
    }
    row.score = result.score;
    const std::string& salt = s.rules->config().salt;
    std::string keyed;
    keyed.reserve(salt.size() + 1 + record.record_id().size());
    keyed.append(salt).push_back(':');
    keyed.append(record.record_id());
    row.hash = SplitMix64(Fnv1a64(keyed)) >> 11;
    row.outcome = outcome_index;
    row.lane = result.lane;
    row.sampled = result.sampled;
    row.active_fired = active_entries > 0;
    s.rows.push_back(row);
  }
  const std::int64_t period =
      s.options.by != TrendPeriod::kNone ? internal::PeriodOf(day, s.options.by) : 0;

  if (s.options.by != TrendPeriod::kNone) {
    s.trends.Seen(period);  // the period exists even when nothing fires in it
    for (int slot : s.slots) {
      PeriodCounts& pc = s.trends.At(slot, period);
      ++pc.fired;
      if (examined) ++pc.examined;
      if (disc) ++pc.discrepant;
    }
  }
  for (int slot : s.slots) {
    internal::SlotCounts& a = c.slots[static_cast<std::size_t>(slot)];
    ++a.fired;
    if (port != UINT32_MAX) a.ports.insert(port);
    if (examined) ++a.examined;
    if (seizure) {
      ++a.seizures;
      a.msrp.Add(o->msrp_usd.value_or(0));
    }
    if (!disc) continue;
    ++a.discrepant;
    if (s.slots.size() == 1) ++a.unique;
    const int other_active_rules = active_rules - (a.active && a.rule ? 1 : 0);
    if (other_active_rules == 0) ++a.fresh;
    if (a.active && active_entries == 1) {
      ++a.only;
      if (a.examples.size() < c.examples) a.examples.emplace_back(record.record_id());
    }
    if (!a.rule) {
      auto& keep = dated ? s.hits[static_cast<std::size_t>(slot)]
                         : s.undated[static_cast<std::size_t>(slot)];
      if (keep.size() < s.options.hits_per_query) keep.push_back(record);
    }
    for (int t : a.tags) s.tag_hit[static_cast<std::size_t>(t)] = 1;
  }
  if (disc) {
    for (std::size_t t = 0; t < s.tag_hit.size(); ++t) {
      c.tag_discrepant[t] += s.tag_hit[t];
      s.tag_hit[t] = 0;
    }
  }

  // Co-firing pairs: the fired list is ascending, so slots are too.
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    for (std::size_t j = i + 1; j < s.slots.size(); ++j) {
      const std::uint64_t key = internal::PairKey(s.slots[i], s.slots[j]);
      if (c.pairs.size() >= c.max_pairs) {
        auto it = c.pairs.find(key);
        if (it == c.pairs.end()) {
          c.pairs_truncated = true;
          continue;
        }
        ++it->second;
      } else {
        ++c.pairs[key];
      }
    }
  }
}

std::vector<Record> Backtest::DiscrepantHits(int entry) const {
  std::vector<Record> out;
  if (entry < 0 || static_cast<std::size_t>(entry) >= s_->slot_of.size()) return out;
  int slot = s_->slot_of[static_cast<std::size_t>(entry)];
  if (slot < 0) return out;
  out = s_->hits[static_cast<std::size_t>(slot)];
  for (const Record& r : s_->undated[static_cast<std::size_t>(slot)]) {
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
  s_->counts.joined = s.join.joined();
  BacktestReport r = internal::ReportOf(s.counts);
  internal::CapacityInput in;
  in.rows = &s.rows;
  in.port_names = &s.row_ports;
  in.outcomes = s.outcomes.get();
  in.dated = s.rules->schema().date_field() >= 0;
  in.discrepant = s.counts.discrepant;
  in.sampled_examined = s.counts.sampled_examined;
  in.sampled_discrepant = s.counts.sampled_discrepant;
  in.confidence = s.counts.criteria.confidence;
  if (s.options.capacity) r.capacity = internal::SelectForCapacity(*s.options.capacity, in);
  for (const CapacityBudget& b : s.options.capacity_curve) {
    r.capacity_curve.push_back(internal::SelectForCapacity(b, in));
  }
  if (s.options.by != TrendPeriod::kNone) {
    std::vector<std::string> ids;
    for (const internal::SlotCounts& a : s.counts.slots) ids.push_back(a.id);
    r.trends = internal::TrendsOf(s.trends, s.options.by, ids, s.counts.criteria.confidence,
                                  s.options.idle_periods);
  }
  return r;
}

std::string Backtest::PartialJson() const {
  s_->counts.joined = s_->join.joined();
  std::string out;
  internal::AppendPartialJson(s_->counts, &out);
  return out;
}

}  // namespace targeting
