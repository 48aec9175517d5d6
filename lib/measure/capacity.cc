// Capacity-aware selection and rules over time (docs/measurement.md).
#include "measure/capacity.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "check/refdata.h"
#include "load/yaml_source.h"

namespace targeting {

Result<CapacityBudget> ParseCapacity(std::string_view spec, const Schema& schema) {
  CapacityBudget b;
  b.label = std::string(spec);
  auto bad = [&](const std::string& why) {
    return Status(StatusCode::kInvalidArgument, "capacity '" + std::string(spec) + "': " + why);
  };
  if (spec.rfind("per-port:", 0) == 0) {
    b.kind = CapacityBudget::Kind::kPerPort;
    const std::string path(spec.substr(9));
    if (schema.port_field() < 0) return bad("the schema has no port field");
    auto text = internal::ReadFileLimited(path, 64 << 20);
    if (!text.ok()) return text.status();
    std::string_view rest = text.value();
    std::vector<std::string> row;
    int line = 0;
    bool header = true;
    while (internal::NextCsvRow(&rest, &row)) {
      ++line;
      if (header) {
        header = false;
        if (row.size() < 2 || row[0] != "port" || row[1] != "exams_per_day") {
          return Status(StatusCode::kInvalidArgument,
                        path + ":1: the header must be port,exams_per_day");
        }
        continue;
      }
      if (row.size() == 1 && row[0].empty()) continue;
      if (row.size() != 2) {
        return Status(StatusCode::kInvalidArgument,
                      path + ":" + std::to_string(line) + ": a row needs port,exams_per_day");
      }
      char* end = nullptr;
      const unsigned long long n = std::strtoull(row[1].c_str(), &end, 10);
      if (row[1].empty() || *end != '\0' || row[1][0] == '-') {
        return Status(StatusCode::kInvalidArgument, path + ":" + std::to_string(line) +
                                                        ": exams_per_day '" + row[1] +
                                                        "' is not a whole number >= 0");
      }
      // Normalized as the port field's values are.
      Record probe(schema);
      std::string error;
      if (!probe.SetCell(schema.port_field(), row[0], &error)) {
        return Status(StatusCode::kInvalidArgument, path + ":" + std::to_string(line) + ": " + error);
      }
      const std::string port = probe.has(schema.port_field()) ? std::string(probe.str(schema.port_field())) : "";
      if (port.empty()) {
        return Status(StatusCode::kInvalidArgument, path + ":" + std::to_string(line) + ": an empty port");
      }
      if (!b.per_port.emplace(port, n).second) {
        return Status(StatusCode::kInvalidArgument,
                      path + ":" + std::to_string(line) + ": port '" + row[0] + "' is listed twice");
      }
    }
    if (header) return Status(StatusCode::kInvalidArgument, path + ": empty; needs a port,exams_per_day header");
    return b;
  }
  if (!spec.empty() && spec.back() == '%') {
    const std::string num(spec.substr(0, spec.size() - 1));
    char* end = nullptr;
    const double p = std::strtod(num.c_str(), &end);
    if (num.empty() || *end != '\0' || !(p > 0 && p <= 100)) return bad("a share must be above 0% and at most 100%");
    b.kind = CapacityBudget::Kind::kShare;
    b.share = p / 100;
    return b;
  }
  const std::size_t slash = spec.find("/day");
  if (slash != std::string_view::npos && slash + 4 == spec.size()) {
    const std::string num(spec.substr(0, slash));
    char* end = nullptr;
    const unsigned long long n = std::strtoull(num.c_str(), &end, 10);
    if (num.empty() || *end != '\0' || num[0] == '-') return bad("exams a day must be a whole number >= 0");
    b.kind = CapacityBudget::Kind::kPerDay;
    b.per_day = n;
    return b;
  }
  return bad("expected a share (5%), exams a day (2000/day) or per-port:FILE");
}

namespace internal {

CapacityReport SelectForCapacity(const CapacityBudget& budget, const CapacityInput& in) {
  const std::vector<CapacityRow>& rows = *in.rows;
  CapacityReport r;
  r.budget = budget.label;
  // Groups: a day (and a port, for per-port budgets); the whole run undated.
  const bool per_port = budget.kind == CapacityBudget::Kind::kPerPort;
  auto group_of = [&](const CapacityRow& row) -> std::pair<Days, std::uint32_t> {
    return {in.dated ? row.day : 0, per_port ? row.port : 0};
  };
  std::map<std::pair<Days, std::uint32_t>, std::vector<std::uint32_t>> groups;
  for (std::uint32_t i = 0; i < rows.size(); ++i) groups[group_of(rows[i])].push_back(i);
  std::vector<char> selected(rows.size(), 0);
  std::vector<std::uint32_t> ranked;
  for (const auto& [key, members] : groups) {
    std::uint64_t limit = 0;
    switch (budget.kind) {
      case CapacityBudget::Kind::kShare:
        limit = static_cast<std::uint64_t>(std::floor(budget.share * static_cast<double>(members.size()) + 0.5));
        break;
      case CapacityBudget::Kind::kPerDay:
        limit = budget.per_day;
        break;
      case CapacityBudget::Kind::kPerPort: {
        const std::string& port = (*in.port_names)[key.second];
        auto it = budget.per_port.find(port);
        limit = it == budget.per_port.end() ? 0 : it->second;
        break;
      }
    }
    // The random sample first, always; then red before yellow, by score,
    // ties by the sampling hash (then input order), up to the budget.
    std::uint64_t used = 0;
    ranked.clear();
    for (std::uint32_t i : members) {
      if (rows[i].sampled) {
        selected[i] = 1;
        ++used;
      } else if (rows[i].lane != Lane::kGreen) {
        ranked.push_back(i);
      }
    }
    std::sort(ranked.begin(), ranked.end(), [&](std::uint32_t a, std::uint32_t b) {
      const CapacityRow& x = rows[a];
      const CapacityRow& y = rows[b];
      if (x.lane != y.lane) return x.lane == Lane::kRed;
      if (x.score != y.score) return x.score > y.score;
      if (x.hash != y.hash) return x.hash < y.hash;
      return a < b;
    });
    for (std::uint32_t i : ranked) {
      if (used >= limit) break;
      selected[i] = 1;
      ++used;
    }
  }
  ExactSum msrp;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CapacityRow& row = rows[i];
    const Outcome* o = row.outcome >= 0 ? &in.outcomes->outcome(static_cast<std::size_t>(row.outcome)) : nullptr;
    const bool disc = o && o->discrepant();
    if (!selected[i]) {
      if (disc) ++(row.active_fired ? r.missed_fired : r.missed_unfired);
      continue;
    }
    ++r.selected;
    if (o && o->examined && o->finding != Finding::kNone) {
      ++r.with_outcome;
      if (disc) ++r.discrepant;
    }
    if (o && o->action == OutcomeAction::kSeizure) {
      ++r.seizures;
      msrp.Add(o->msrp_usd.value_or(0));
    }
  }
  r.msrp_usd = msrp.Value();
  if (r.with_outcome > 0) {
    r.precision = static_cast<double>(r.discrepant) / static_cast<double>(r.with_outcome);
    const Interval w = WilsonInterval(r.discrepant, r.with_outcome, in.confidence);
    r.ci_low = w.low;
    r.ci_high = w.high;
  }
  if (in.discrepant > 0) r.recall = static_cast<double>(r.discrepant) / static_cast<double>(in.discrepant);
  if (in.sampled_examined > 0) {
    const double unknown = static_cast<double>(r.selected - r.with_outcome);
    const double base = static_cast<double>(in.sampled_discrepant) / static_cast<double>(in.sampled_examined);
    const Interval w = WilsonInterval(in.sampled_discrepant, in.sampled_examined, in.confidence);
    r.estimated_discrepant = unknown * base;
    r.estimated_low = unknown * w.low;
    r.estimated_high = unknown * w.high;
  }
  return r;
}

namespace {

void CivilFromDays(std::int64_t z, int* y, unsigned* m, unsigned* d) {
  // Howard Hinnant's civil_from_days.
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yy + (*m <= 2));
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::int64_t PeriodOf(Days day, TrendPeriod by) {
  if (by == TrendPeriod::kWeek) return FloorDiv(static_cast<std::int64_t>(day) + 3, 7);  // 1970-01-01 is a Thursday
  int y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(day, &y, &m, &d);
  return static_cast<std::int64_t>(y - 1970) * 12 + (m - 1);
}

std::string PeriodLabel(std::int64_t period, TrendPeriod by) {
  char buf[48];
  if (by == TrendPeriod::kWeek) return FormatDate(static_cast<Days>(period * 7 - 3));
  const std::int64_t y = 1970 + FloorDiv(period, 12);
  const std::int64_t m = period - FloorDiv(period, 12) * 12 + 1;
  std::snprintf(buf, sizeof buf, "%04lld-%02lld", static_cast<long long>(y), static_cast<long long>(m));
  return buf;
}

PeriodCounts& TrendCounts::At(int slot, std::int64_t period) {
  Seen(period);
  // Keyed by the period itself (offset to stay positive), not relative to `first`.
  const auto p = static_cast<std::uint64_t>(period + (std::int64_t{1} << 31)) & 0xffffffffu;
  return cells[(static_cast<std::uint64_t>(slot) << 32) | p];
}

TrendReport TrendsOf(const TrendCounts& counts, TrendPeriod by, const std::vector<std::string>& ids,
                     double confidence, std::uint64_t idle_after) {
  TrendReport t;
  t.by = by == TrendPeriod::kWeek ? "week" : "month";
  t.confidence = confidence;
  t.idle_after = idle_after;
  // One test per entry that has exams on both sides: Bonferroni over them,
  // so that the chance of flagging any steady entry stays 1 - confidence.
  std::size_t tested = 0;
  for (std::size_t s = 0; s < ids.size(); ++s) tested += 1;
  const double alpha = (1 - confidence) / static_cast<double>(std::max<std::size_t>(tested, 1));
  const double zcrit = NormalQuantile(1 - alpha);
  char method[320];
  std::snprintf(method, sizeof method,
                "two-proportion z-test (pooled), one-sided: the latest period's discrepancy rate "
                "against all earlier periods' together; Bonferroni over %zu entries at confidence "
                "%g, so flagged when z < -%.3f",
                tested, confidence, zcrit);
  t.method = method;
  if (counts.first > counts.last) {
    for (const std::string& id : ids) t.entries.push_back(EntryTrend{id, {}, std::nullopt, false, 0, false});
    return t;
  }
  for (std::int64_t p = counts.first; p <= counts.last; ++p) t.periods.push_back(PeriodLabel(p, by));
  for (std::size_t s = 0; s < ids.size(); ++s) {
    EntryTrend e;
    e.id = ids[s];
    for (std::int64_t p = counts.first; p <= counts.last; ++p) {
      const auto key = (static_cast<std::uint64_t>(s) << 32) |
                       (static_cast<std::uint64_t>(p + (std::int64_t{1} << 31)) & 0xffffffffu);
      auto it = counts.cells.find(key);
      PeriodCounts c = it == counts.cells.end() ? PeriodCounts{} : it->second;
      if (c.examined > 0) {
        c.rate = static_cast<double>(c.discrepant) / static_cast<double>(c.examined);
        const Interval w = WilsonInterval(c.discrepant, c.examined, confidence);
        c.ci_low = w.low;
        c.ci_high = w.high;
      }
      e.periods.push_back(c);
    }
    for (auto it = e.periods.rbegin(); it != e.periods.rend() && it->fired == 0; ++it) ++e.idle_periods;
    e.idle = idle_after > 0 && e.idle_periods >= idle_after;
    const PeriodCounts& latest = e.periods.back();
    std::uint64_t n0 = 0, d0 = 0;
    for (std::size_t i = 0; i + 1 < e.periods.size(); ++i) {
      n0 += e.periods[i].examined;
      d0 += e.periods[i].discrepant;
    }
    const std::uint64_t n1 = latest.examined, d1 = latest.discrepant;
    if (n0 > 0 && n1 > 0) {
      const double p0 = static_cast<double>(d0) / static_cast<double>(n0);
      const double p1 = static_cast<double>(d1) / static_cast<double>(n1);
      const double p = static_cast<double>(d0 + d1) / static_cast<double>(n0 + n1);
      const double se = std::sqrt(p * (1 - p) * (1.0 / static_cast<double>(n0) + 1.0 / static_cast<double>(n1)));
      if (se > 0) {
        e.z = (p1 - p0) / se;
        e.decaying = *e.z < -zcrit;
      }
    }
    t.entries.push_back(std::move(e));
  }
  return t;
}

}  // namespace internal
}  // namespace targeting
