// The scorecard (docs/measurement.md, "Scorecard"): keep, tune, retire or
// promote, each with its reasons in numbers, judged on intervals rather than
// point estimates.
#include <algorithm>
#include <cstdio>
#include <map>

#include "targeting/json.h"
#include "targeting/measure.h"
#include "util/json_writer.h"

namespace targeting {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kKeep: return "keep";
    case Verdict::kTune: return "tune";
    case Verdict::kRetire: return "retire";
    case Verdict::kPromote: return "promote";
  }
  return "?";
}

namespace {

std::string Pct(std::optional<double> v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *v * 100);
  return buf;
}

std::string Num(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

Scorecard MakeScorecard(const BacktestReport& report, const ScorecardCriteria& criteria) {
  Scorecard card;
  card.fingerprint = report.fingerprint;
  card.criteria = criteria;
  // Which priorities each entry is the only (active or shadow) carrier of.
  std::map<std::string, std::vector<std::string>> only_carrier;
  for (const PriorityCoverage& p : report.priorities) {
    if (p.entries.size() == 1) only_carrier[p.entries[0]].push_back(p.tag);
  }
  std::map<std::string, const EntryTrend*> trends;
  if (report.trends) {
    for (const EntryTrend& t : report.trends->entries) trends[t.id] = &t;
  }
  std::map<std::string, std::uint64_t> only;  // discrepant records only this active entry found
  for (const OverlapReport::Marginal& m : report.overlap.marginal) only[m.id] = m.only;
  std::map<std::string, const OverlapReport::Pair*> redundant_with;
  for (const OverlapReport::Pair& p : report.overlap.redundant) {
    if (p.jaccard < criteria.redundant_jaccard) continue;
    if (!redundant_with.count(p.a)) redundant_with[p.a] = &p;
    if (!redundant_with.count(p.b)) redundant_with[p.b] = &p;
  }
  std::vector<PromotionAssessment> promotion = AssessPromotion(report);
  std::map<std::string, const PromotionAssessment*> assessed;
  for (const PromotionAssessment& a : promotion) assessed[a.metrics->id] = &a;

  for (const EntryMetrics& m : report.entries) {
    EntryVerdict v;
    v.id = m.id;
    v.kind = m.kind;
    v.status = m.status;
    const std::string figures = "rate " + Pct(m.discrepancy_rate) + " [" + Pct(m.ci_low) + ", " +
                                Pct(m.ci_high) + "] over " + std::to_string(m.examined) + " exams";
    const EntryTrend* trend = trends.count(m.id) ? trends[m.id] : nullptr;
    std::vector<std::string> retire, tune;
    if (m.fired == 0) {
      retire.push_back("no fires in the window (" + std::to_string(report.records) + " records)");
    } else if (trend && trend->idle) {
      retire.push_back("no fires in the last " + std::to_string(trend->idle_periods) + " " +
                       (report.trends ? report.trends->by : std::string("period")) + "s (of " +
                       std::to_string(trend->periods.size()) + ")");
    }
    if (m.ci_high && report.base_rate && m.examined >= static_cast<std::uint64_t>(criteria.min_examined) &&
        *m.ci_high < *report.base_rate) {
      retire.push_back("ci_high " + Pct(m.ci_high) + " < base rate " + Pct(report.base_rate) + " (" +
                       figures + ")");
    }
    const bool decaying = trend && trend->decaying && trend->z;
    if (decaying) {
      const PeriodCounts& last = trend->periods.back();
      tune.push_back("decaying: latest " + report.trends->by + " " + Pct(last.rate) + " of " +
                     std::to_string(last.examined) + " exams against its earlier rate, z " +
                     Num(*trend->z, 2) + " (" +
                     report.trends->method.substr(0, report.trends->method.find(',')) + ")");
    }
    if (redundant_with.count(m.id) && only.count(m.id) && only[m.id] == 0) {
      const OverlapReport::Pair* p = redundant_with[m.id];
      const std::string& other = p->a == m.id ? p->b : p->a;
      tune.push_back("redundant with " + other + ": Jaccard " + Num(p->jaccard, 3) + " >= " +
                     Num(criteria.redundant_jaccard, 2) + ", and no discrepant record only it finds");
    }
    const PromotionAssessment* pa = assessed.count(m.id) ? assessed[m.id] : nullptr;
    const bool promotable = m.kind == EntryKind::kQuery && m.candidate && retire.empty();
    // A query whose rate is falling is not made a rule on the strength of its
    // earlier months, however well the whole window scores.
    if (promotable && decaying) {
      v.verdict = Verdict::kTune;
      v.reasons = tune;
      v.reasons.push_back("meets the promotion criteria over the whole window (" + figures +
                          "), but not while its rate decays: promote when the latest periods hold it");
    } else if (promotable) {
      v.verdict = Verdict::kPromote;
      v.reasons.push_back("meets the promotion criteria: examined " + std::to_string(m.examined) +
                          " >= " + std::to_string(report.criteria.min_examined) + ", ci_low " +
                          Pct(m.ci_low) + " >= " + Pct(report.criteria.min_discrepancy_rate) +
                          ", ports " + std::to_string(m.ports) + " >= " +
                          std::to_string(report.criteria.min_ports) + ", new_discrepant " +
                          std::to_string(m.new_discrepant) + " >= " +
                          std::to_string(report.criteria.min_new_discrepant));
      for (const std::string& t : tune) v.reasons.push_back("but " + t);
    } else if (!retire.empty()) {
      v.verdict = Verdict::kRetire;
      v.reasons = retire;
      for (const std::string& tag : only_carrier[m.id]) {
        v.reasons.push_back("it is the only entry carrying priority " + tag +
                            ": retiring it leaves " + tag + " uncovered");
      }
    } else if (!tune.empty()) {
      v.verdict = Verdict::kTune;
      v.reasons = tune;
    } else {
      v.verdict = Verdict::kKeep;
      if (m.examined < static_cast<std::uint64_t>(criteria.min_examined)) {
        v.reasons.push_back("too few exams to judge: " + std::to_string(m.examined) + " < " +
                            std::to_string(criteria.min_examined) + "; keep measuring");
      } else {
        std::string r = figures;
        if (m.lift) r += ", lift " + Num(*m.lift, 2);
        if (report.base_rate) r += ", ci_high above the base rate " + Pct(report.base_rate);
        v.reasons.push_back(r);
      }
      // A near miss on anything but the rate (which the figures above show).
      if (pa && m.kind == EntryKind::kQuery && pa->failed.size() == 1 &&
          pa->failed[0].criterion != PromotionCriterion::kMinDiscrepancyRate) {
        v.reasons.push_back("one promotion criterion short: " +
                            std::string(PromotionCriterionName(pa->failed[0].criterion)));
      }
    }
    card.entries.push_back(std::move(v));
  }
  return card;
}

void AppendScorecardJson(const Scorecard& card, std::string* out) {
  out->append("{\"fingerprint\":");
  AppendJsonString(card.fingerprint, out);
  out->append(",\"criteria\":{\"by\":");
  AppendJsonString(card.criteria.by, out);
  out->append(",\"idle_periods\":" + std::to_string(card.criteria.idle_periods) +
              ",\"redundant_jaccard\":");
  AppendJsonNumber(card.criteria.redundant_jaccard, out);
  out->append(",\"min_examined\":" + std::to_string(card.criteria.min_examined) + "},\n\"entries\":[");
  for (std::size_t i = 0; i < card.entries.size(); ++i) {
    const EntryVerdict& v = card.entries[i];
    out->append(i ? ",\n{\"id\":" : "\n{\"id\":");
    AppendJsonString(v.id, out);
    out->append(",\"kind\":");
    AppendJsonString(EntryKindName(v.kind), out);
    out->append(",\"status\":");
    AppendJsonString(EntryStatusName(v.status), out);
    out->append(",\"verdict\":");
    AppendJsonString(VerdictName(v.verdict), out);
    out->append(",\"reasons\":");
    internal::AppendJsonStringArray(v.reasons, out);
    out->push_back('}');
  }
  out->append("]}\n");
}

}  // namespace targeting
