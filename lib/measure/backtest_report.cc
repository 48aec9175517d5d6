// The backtest report (SPEC section 6) made from its counts, and its JSON.
#include <algorithm>

#include "measure/backtest_counts.h"
#include "targeting/measure.h"
#include "util/json_writer.h"

namespace targeting {

namespace internal {

BacktestReport ReportOf(const BacktestCounts& s) {
  const PromotionCriteria& crit = s.criteria;
  BacktestReport r;
  r.fingerprint = s.fingerprint;
  r.records = s.records;
  r.rejected = s.rejected;
  if (s.has_outcomes) {
    r.outcomes.rows = s.outcome_rows;
    r.outcomes.bad = s.outcome_bad;
    r.outcomes.duplicates = s.outcome_duplicates;
    for (char j : s.joined) r.outcomes.unmatched += j == 0;
  }
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

  for (std::size_t t = 0; t < s.priorities.size(); ++t) {
    PriorityCoverage p;
    p.tag = s.priorities[t];
    for (const SlotCounts& a : s.slots) {
      if (std::find(a.tags.begin(), a.tags.end(), static_cast<int>(t)) != a.tags.end()) {
        p.entries.push_back(a.id);
      }
    }
    p.discrepant = s.tag_discrepant[t];
    r.priorities.push_back(std::move(p));
  }

  for (std::size_t slot = 0; slot < s.slots.size(); ++slot) {
    const SlotCounts& a = s.slots[slot];
    EntryMetrics m;
    m.entry = a.entry;
    m.id = a.id;
    m.kind = a.kind;
    m.status = a.status;
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
    m.msrp_usd = a.msrp.Value();
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
  ov.redundant_jaccard = s.redundant_jaccard;
  ov.truncated = s.pairs_truncated;
  for (const SlotCounts& a : s.slots) {
    if (!a.active) continue;
    ov.marginal.push_back(OverlapReport::Marginal{a.id, a.kind, a.discrepant, a.only, a.examples});
  }
  std::stable_sort(ov.marginal.begin(), ov.marginal.end(),
                   [](const auto& x, const auto& y) { return x.only > y.only; });
  std::vector<int> order;
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    if (s.slots[i].fired > 0) order.push_back(static_cast<int>(i));
  }
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    return s.slots[static_cast<std::size_t>(x)].fired > s.slots[static_cast<std::size_t>(y)].fired;
  });
  if (order.size() > s.overlap_top) order.resize(s.overlap_top);
  for (int x : order) ov.top.push_back(s.slots[static_cast<std::size_t>(x)].id);
  std::sort(order.begin(), order.end());  // id order for the pair table
  auto pair_of = [&](int x, int y, std::uint64_t both) {
    const SlotCounts& ax = s.slots[static_cast<std::size_t>(x)];
    const SlotCounts& ay = s.slots[static_cast<std::size_t>(y)];
    OverlapReport::Pair p;
    p.a = ax.id;
    p.b = ay.id;
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

}  // namespace internal

namespace {

void Key(const char* k, std::string* out) { internal::AppendJsonKey(k, out); }

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

void AppendCapacityJson(const CapacityReport& c, std::string* out) {
  out->push_back('{');
  String("budget", c.budget, out);
  out->push_back(',');
  Count("selected", c.selected, out);
  out->push_back(',');
  Count("with_outcome", c.with_outcome, out);
  out->push_back(',');
  Count("discrepant", c.discrepant, out);
  out->push_back(',');
  Number("precision", c.precision, out);
  out->push_back(',');
  Number("ci_low", c.ci_low, out);
  out->push_back(',');
  Number("ci_high", c.ci_high, out);
  out->push_back(',');
  Number("recall", c.recall, out);
  out->push_back(',');
  Count("seizures", c.seizures, out);
  out->push_back(',');
  Number("msrp_usd", c.msrp_usd, out);
  out->push_back(',');
  Count("missed_fired", c.missed_fired, out);
  out->push_back(',');
  Count("missed_unfired", c.missed_unfired, out);
  out->append(",\"estimated_discrepant_without_outcome\":{");
  Number("value", c.estimated_discrepant, out);
  out->push_back(',');
  Number("ci_low", c.estimated_low, out);
  out->push_back(',');
  Number("ci_high", c.estimated_high, out);
  out->append("}}");
}

void AppendTrendsJson(const TrendReport& t, std::string* out) {
  out->push_back('{');
  String("by", t.by, out);
  out->push_back(',');
  String("method", t.method, out);
  out->push_back(',');
  Number("confidence", t.confidence, out);
  out->push_back(',');
  Count("idle_after", t.idle_after, out);
  out->append(",\"periods\":");
  internal::AppendJsonStringArray(t.periods, out);
  out->append(",\"entries\":[");
  for (std::size_t i = 0; i < t.entries.size(); ++i) {
    const EntryTrend& e = t.entries[i];
    out->append(i ? ",\n{" : "\n{");
    String("id", e.id, out);
    out->push_back(',');
    Number("z", e.z, out);
    out->append(",\"decaying\":");
    out->append(e.decaying ? "true" : "false");
    out->push_back(',');
    Count("idle_periods", e.idle_periods, out);
    out->append(",\"idle\":");
    out->append(e.idle ? "true" : "false");
    out->append(",\"series\":[");
    for (std::size_t k = 0; k < e.periods.size(); ++k) {
      const PeriodCounts& p = e.periods[k];
      if (k) out->push_back(',');
      out->push_back('{');
      String("period", t.periods[k], out);
      out->push_back(',');
      Count("fired", p.fired, out);
      out->push_back(',');
      Count("examined", p.examined, out);
      out->push_back(',');
      Count("discrepant", p.discrepant, out);
      out->push_back(',');
      Number("rate", p.rate, out);
      out->push_back(',');
      Number("ci_low", p.ci_low, out);
      out->push_back(',');
      Number("ci_high", p.ci_high, out);
      out->push_back('}');
    }
    out->append("]}");
  }
  out->append("]}");
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
  out->push_back(']');
  if (r.capacity) {
    out->append(",\n\"capacity\":");
    AppendCapacityJson(*r.capacity, out);
  }
  if (!r.capacity_curve.empty()) {
    out->append(",\n\"capacity_curve\":[");
    for (std::size_t i = 0; i < r.capacity_curve.size(); ++i) {
      if (i) out->append(",\n");
      AppendCapacityJson(r.capacity_curve[i], out);
    }
    out->push_back(']');
  }
  if (r.trends) {
    out->append(",\n\"periods\":");
    AppendTrendsJson(*r.trends, out);
  }
  out->append("}\n");
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
