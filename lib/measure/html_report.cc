// The backtest as one self-contained HTML page (docs/measurement.md, "The
// HTML report"): charts drawn here as inline SVG, styles inline, no script
// and no fetch (a Content-Security-Policy of default-src 'none' says so to
// the browser too).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "targeting/json.h"
#include "targeting/measure.h"

namespace targeting {

namespace {

std::string Esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string F(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string HtmlPct(std::optional<double> v, int decimals = 1) {
  return v ? F(*v * 100, decimals) + "%" : std::string("-");
}

// A chart's frame: plot area inside margins, axes and ticks drawn by the caller.
struct Plot {
  double width = 640, height = 320, left = 64, right = 16, top = 16, bottom = 48;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  bool log_x = false;
  double X(double v) const {
    double a = log_x ? std::log10(std::max(v, 1e-9)) : v;
    double lo = log_x ? std::log10(x0) : x0, hi = log_x ? std::log10(x1) : x1;
    return left + (a - lo) / (hi - lo) * (width - left - right);
  }
  double Y(double v) const { return top + (1 - (v - y0) / (y1 - y0)) * (height - top - bottom); }
  std::string Open(const std::string& label) const {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" + Esc(label) +
           "\" viewBox=\"0 0 " + F(width, 0) + " " + F(height, 0) + "\" width=\"" + F(width, 0) +
           "\" height=\"" + F(height, 0) + "\">";
  }
  std::string Axes(const std::string& x_label, const std::string& y_label,
                   const std::vector<std::pair<double, std::string>>& x_ticks,
                   const std::vector<std::pair<double, std::string>>& y_ticks) const {
    std::string s;
    s += "<line class=\"axis\" x1=\"" + F(left) + "\" y1=\"" + F(height - bottom) + "\" x2=\"" +
         F(width - right) + "\" y2=\"" + F(height - bottom) + "\"/>";
    s += "<line class=\"axis\" x1=\"" + F(left) + "\" y1=\"" + F(top) + "\" x2=\"" + F(left) +
         "\" y2=\"" + F(height - bottom) + "\"/>";
    for (const auto& [v, t] : x_ticks) {
      // Labels at the edges lean inwards, so they are not cut off.
      const double x = X(v);
      const char* anchor = x - left < 24 ? "start" : width - right - x < 24 ? "end" : "middle";
      s += "<line class=\"grid\" x1=\"" + F(x) + "\" y1=\"" + F(top) + "\" x2=\"" + F(x) +
           "\" y2=\"" + F(height - bottom) + "\"/><text class=\"tick\" x=\"" + F(x) + "\" y=\"" +
           F(height - bottom + 16) + "\" text-anchor=\"" + anchor + "\">" + Esc(t) + "</text>";
    }
    for (const auto& [v, t] : y_ticks) {
      s += "<line class=\"grid\" x1=\"" + F(left) + "\" y1=\"" + F(Y(v)) + "\" x2=\"" +
           F(width - right) + "\" y2=\"" + F(Y(v)) + "\"/><text class=\"tick\" x=\"" + F(left - 6) +
           "\" y=\"" + F(Y(v) + 4) + "\" text-anchor=\"end\">" + Esc(t) + "</text>";
    }
    s += "<text class=\"label\" x=\"" + F((left + width - right) / 2) + "\" y=\"" + F(height - 8) +
         "\" text-anchor=\"middle\">" + Esc(x_label) + "</text>";
    s += "<text class=\"label\" transform=\"translate(14 " + F((top + height - bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + Esc(y_label) + "</text>";
    return s;
  }
};

std::vector<std::pair<double, std::string>> RateTicks(double top) {
  std::vector<std::pair<double, std::string>> t;
  const double step = top > 0.5 ? 0.2 : top > 0.2 ? 0.1 : top > 0.1 ? 0.05 : 0.02;
  for (double v = 0; v <= top + 1e-9; v += step) t.emplace_back(v, F(v * 100, 0) + "%");
  return t;
}

// Precision against volume: each entry at (fired, rate) with its interval.
std::string Scatter(const BacktestReport& r) {
  Plot p;
  p.width = 760;
  p.height = 380;
  p.log_x = true;
  double max_fired = 10, max_rate = 0.1;
  for (const EntryMetrics& m : r.entries) {
    max_fired = std::max(max_fired, static_cast<double>(m.fired));
    if (m.ci_high) max_rate = std::max(max_rate, *m.ci_high);
  }
  p.x0 = 1;
  p.x1 = std::pow(10, std::ceil(std::log10(max_fired)));
  p.y1 = std::min(1.0, std::ceil(max_rate * 10) / 10);
  std::vector<std::pair<double, std::string>> xt;
  for (double v = 1; v <= p.x1; v *= 10) xt.emplace_back(v, v >= 1e6 ? F(v / 1e6, 0) + "M" : v >= 1e3 ? F(v / 1e3, 0) + "k" : F(v, 0));
  std::string s = p.Open("discrepancy rate against records fired, per entry");
  s += p.Axes("records fired (log scale)", "discrepancy rate (95% interval)", xt, RateTicks(p.y1));
  if (r.base_rate) {
    s += "<line class=\"base\" x1=\"" + F(p.left) + "\" y1=\"" + F(p.Y(*r.base_rate)) + "\" x2=\"" +
         F(p.width - p.right) + "\" y2=\"" + F(p.Y(*r.base_rate)) + "\"/><text class=\"note\" x=\"" +
         F(p.width - p.right - 4) + "\" y=\"" + F(p.Y(*r.base_rate) - 4) +
         "\" text-anchor=\"end\">random sample's base rate " + HtmlPct(r.base_rate, 2) + "</text>";
  }
  for (const EntryMetrics& m : r.entries) {
    if (!m.discrepancy_rate || m.fired == 0) continue;
    const double x = p.X(static_cast<double>(m.fired));
    const std::string cls = m.kind == EntryKind::kQuery ? "query" : "rule";
    s += "<g class=\"" + cls + "\"><title>" + Esc(m.id) + ": " + HtmlPct(m.discrepancy_rate) + " [" + HtmlPct(m.ci_low) +
         ", " + HtmlPct(m.ci_high) + "] over " + std::to_string(m.examined) + " exams, fired " +
         std::to_string(m.fired) + "</title><line class=\"ci\" x1=\"" + F(x) + "\" y1=\"" + F(p.Y(*m.ci_low)) +
         "\" x2=\"" + F(x) + "\" y2=\"" + F(p.Y(*m.ci_high)) + "\"/><circle cx=\"" + F(x) + "\" cy=\"" +
         F(p.Y(*m.discrepancy_rate)) + "\" r=\"4\"/><text class=\"point\" x=\"" + F(x + 6) + "\" y=\"" +
         F(p.Y(*m.discrepancy_rate) + 3) + "\">" + Esc(m.id) + "</text></g>";
  }
  s += "</svg>";
  return s;
}

// Precision and recall against the exam budget.
std::string CapacityCurve(const std::vector<CapacityReport>& curve, std::optional<double> base_rate) {
  Plot p;
  p.x0 = 0;
  double min_x = 0, max_x = 1;
  std::vector<double> xs;
  for (const CapacityReport& c : curve) {
    double x = std::strtod(c.budget.c_str(), nullptr);
    xs.push_back(x);
    min_x = xs.size() == 1 ? x : std::min(min_x, x);
    max_x = std::max(max_x, x);
  }
  // Budgets like 1,2,5,10,20,50 crowd the low end of a linear axis (their
  // labels overlap): over a decade or more the axis is logarithmic, with a
  // margin so the end points are not on the frame.
  p.log_x = min_x > 0 && max_x / min_x >= 10;
  if (p.log_x) {
    p.x0 = min_x / 1.3;
    p.x1 = max_x * 1.3;
  } else {
    p.x1 = max_x;
  }
  p.y1 = 1;
  std::vector<std::pair<double, std::string>> xt;
  for (double x : xs) xt.emplace_back(x, F(x, x < 1 ? 1 : 0) + "%");
  std::string s = p.Open("precision and recall against the exam budget");
  s += p.Axes(p.log_x ? "exam budget (share of each day's records, log scale)"
                      : "exam budget (share of each day's records)",
              "precision, recall", xt, RateTicks(1));
  auto line = [&](const char* cls, auto value) {
    std::string pts;
    for (std::size_t i = 0; i < curve.size(); ++i) {
      auto v = value(curve[i]);
      if (!v) continue;
      pts += F(p.X(xs[i])) + "," + F(p.Y(*v)) + " ";
    }
    return "<polyline class=\"" + std::string(cls) + "\" points=\"" + pts + "\"/>";
  };
  s += line("precision", [](const CapacityReport& c) { return c.precision; });
  s += line("recall", [](const CapacityReport& c) { return c.recall; });
  for (std::size_t i = 0; i < curve.size(); ++i) {
    const CapacityReport& c = curve[i];
    if (c.precision && c.ci_low && c.ci_high) {
      s += "<line class=\"ci precision\" x1=\"" + F(p.X(xs[i])) + "\" y1=\"" + F(p.Y(*c.ci_low)) + "\" x2=\"" +
           F(p.X(xs[i])) + "\" y2=\"" + F(p.Y(*c.ci_high)) + "\"/><circle class=\"precision\" cx=\"" +
           F(p.X(xs[i])) + "\" cy=\"" + F(p.Y(*c.precision)) + "\" r=\"3\"><title>" + Esc(c.budget) +
           ": precision " + HtmlPct(c.precision) + " [" + HtmlPct(c.ci_low) + ", " + HtmlPct(c.ci_high) + "], recall " +
           HtmlPct(c.recall) + ", " + std::to_string(c.selected) + " selected</title></circle>";
    }
  }
  if (base_rate) {
    s += "<line class=\"base\" x1=\"" + F(p.left) + "\" y1=\"" + F(p.Y(*base_rate)) + "\" x2=\"" +
         F(p.width - p.right) + "\" y2=\"" + F(p.Y(*base_rate)) + "\"/>";
  }
  s += "<text class=\"key precision-text\" x=\"" + F(p.left + 8) + "\" y=\"" + F(p.top + 14) +
       "\">precision (95% interval)</text><text class=\"key recall-text\" x=\"" + F(p.left + 8) + "\" y=\"" +
       F(p.top + 30) + "\">recall</text></svg>";
  return s;
}

// One entry's rate per period, with intervals.
std::string Sparkline(const TrendReport& t, const EntryTrend& e) {
  Plot p;
  p.width = 240;
  p.height = 120;
  p.left = 40;
  p.bottom = 24;
  p.top = 20;
  p.x0 = 0;
  p.x1 = std::max<double>(1, static_cast<double>(t.periods.size() - 1));
  double top = 0.1;
  for (const PeriodCounts& c : e.periods) {
    if (c.ci_high) top = std::max(top, *c.ci_high);
  }
  p.y1 = std::min(1.0, std::ceil(top * 10) / 10);
  std::string s = p.Open(e.id + " per " + t.by);
  s += "<text class=\"small-title\" x=\"4\" y=\"13\">" + Esc(e.id) + (e.decaying ? " (decaying)" : "") +
       (e.idle ? " (idle)" : "") + "</text>";
  s += p.Axes("", "", {{0, t.periods.empty() ? "" : t.periods.front()}, {p.x1, t.periods.empty() ? "" : t.periods.back()}},
              {{0, "0%"}, {p.y1, F(p.y1 * 100, 0) + "%"}});
  std::string pts;
  for (std::size_t i = 0; i < e.periods.size(); ++i) {
    const PeriodCounts& c = e.periods[i];
    if (!c.rate) continue;
    const double x = p.X(static_cast<double>(i));
    s += "<line class=\"ci\" x1=\"" + F(x) + "\" y1=\"" + F(p.Y(*c.ci_low)) + "\" x2=\"" + F(x) + "\" y2=\"" +
         F(p.Y(*c.ci_high)) + "\"><title>" + Esc(t.periods[i]) + ": " + HtmlPct(c.rate) + " of " +
         std::to_string(c.examined) + "</title></line>";
    pts += F(x) + "," + F(p.Y(*c.rate)) + " ";
  }
  s += "<polyline class=\"trend\" points=\"" + pts + "\"/></svg>";
  return s;
}

std::string Bar(double share, const std::string& cls) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 300 14\" width=\"300\" height=\"14\"><rect class=\"track\" x=\"0\" y=\"1\" width=\"300\" height=\"12\"/><rect class=\"" +
         cls + "\" x=\"0\" y=\"1\" width=\"" + F(300 * std::clamp(share, 0.0, 1.0)) + "\" height=\"12\"/></svg>";
}

const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:0 auto;max-width:1040px;padding:24px 32px 64px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px;break-after:avoid}
.fp{font:12px ui-monospace,monospace;color:#57606a;word-break:break-all}
footer{position:fixed;bottom:0;left:0;right:0;background:#fff;border-top:1px solid #d0d7de;padding:4px 32px;font:11px ui-monospace,monospace;color:#57606a}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;text-align:right;border-bottom:1px solid #eaeef2}th{background:#f6f8fa}td:first-child,th:first-child{text-align:left}
.axis{stroke:#57606a;stroke-width:1}.grid{stroke:#eaeef2;stroke-width:1}.tick{font-size:11px;fill:#57606a}.label{font-size:12px;fill:#1b1f24}
.base{stroke:#cf222e;stroke-dasharray:4 3;stroke-width:1.2}.note{font-size:11px;fill:#cf222e}
.rule circle{fill:#0969da}.query circle{fill:#bf8700}.ci{stroke:#8c959f;stroke-width:2}.point{font-size:10px;fill:#57606a}
polyline{fill:none;stroke-width:2}polyline.precision{stroke:#0969da}polyline.recall{stroke:#1a7f37}circle.precision{fill:#0969da}
.precision-text{fill:#0969da;font-size:12px}.recall-text{fill:#1a7f37;font-size:12px}
.trend{stroke:#0969da}.small-title{font-size:11px;font-weight:600;fill:#1b1f24}
.grid-of-sparks{display:flex;flex-wrap:wrap;gap:4px 12px}
.track{fill:#eaeef2}.fill{fill:#0969da}.fill-rule{fill:#0969da}.fill-query{fill:#bf8700}.fill-missed{fill:#cf222e}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
@media print{footer{position:fixed}}
)";

}  // namespace

std::string BacktestHtml(const BacktestReport& r, const std::string& title) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  h += "<title>" + Esc(title) + "</title><style>" + std::string(kStyle) + "</style></head><body>\n";
  h += "<h1>" + Esc(title) + "</h1><div class=\"fp\">rule set " + Esc(r.fingerprint) + "</div>\n";
  h += "<p>" + std::to_string(r.records) + " records scored (" + std::to_string(r.rejected) + " rejected); " +
       std::to_string(r.examined) + " examined, " + std::to_string(r.discrepant) +
       " discrepant. Random sample: " + std::to_string(r.sampled_examined) + " examined, " +
       std::to_string(r.sampled_discrepant) + " discrepant, base rate " + HtmlPct(r.base_rate, 2) + ".</p>\n";

  h += "<h2>Entries: precision against volume</h2><p>Each entry at the records it fired on and its "
       "discrepancy rate among the examined ones, with the 95% Wilson interval; rules in blue, queries in "
       "amber. Above the dashed line an entry finds more than random exams do.</p>\n";
  h += Scatter(r);

  h += "<h2>Discrepant records: who found them</h2>";
  const double d = static_cast<double>(std::max<std::uint64_t>(r.discrepant, 1));
  h += "<table><tr><th>found by</th><th>records</th><th>share</th><th></th></tr>";
  auto split_row = [&](const char* what, std::uint64_t n, const char* cls) {
    h += std::string("<tr><td>") + what + "</td><td>" + std::to_string(n) + "</td><td>" +
         HtmlPct(static_cast<double>(n) / d) + "</td><td>" + Bar(static_cast<double>(n) / d, cls) + "</td></tr>";
  };
  split_row("an active rule", r.discrepant_by.rule, "fill-rule");
  split_row("active queries only", r.discrepant_by.query_only, "fill-query");
  split_row("no active entry (missed)", r.discrepant_by.missed, "fill-missed");
  h += "</table>\n";

  h += "<h2>Priority coverage</h2><table><tr><th>priority</th><th>discrepant found</th><th>share</th><th>"
       "</th><th>entries</th></tr>";
  for (const PriorityCoverage& p : r.priorities) {
    std::string ids;
    for (const std::string& e : p.entries) ids += (ids.empty() ? "" : " ") + e;
    h += "<tr><td>" + Esc(p.tag) + "</td><td>" + std::to_string(p.discrepant) + "</td><td>" +
         HtmlPct(static_cast<double>(p.discrepant) / d) + "</td><td>" + Bar(static_cast<double>(p.discrepant) / d, "fill") +
         "</td><td style=\"text-align:left\">" + Esc(ids.empty() ? "(none)" : ids) + "</td></tr>";
  }
  h += "</table>\n";

  if (!r.capacity_curve.empty()) {
    h += "<h2>At the exams a centre can afford</h2><p>Per day: the random sample first, then red before "
         "yellow by score. Precision is over selected records with a finding; recall is of every "
         "discrepant record.</p>\n";
    h += CapacityCurve(r.capacity_curve, r.base_rate);
    h += "<table><tr><th>budget</th><th>selected</th><th>with outcome</th><th>discrepant</th><th>precision</th>"
         "<th>95% interval</th><th>recall</th><th>est. discrepant without outcome</th></tr>";
    for (const CapacityReport& c : r.capacity_curve) {
      h += "<tr><td>" + Esc(c.budget) + "</td><td>" + std::to_string(c.selected) + "</td><td>" +
           std::to_string(c.with_outcome) + "</td><td>" + std::to_string(c.discrepant) + "</td><td>" +
           HtmlPct(c.precision) + "</td><td>[" + HtmlPct(c.ci_low) + ", " + HtmlPct(c.ci_high) + "]</td><td>" + HtmlPct(c.recall) +
           "</td><td>" + (c.estimated_discrepant ? F(*c.estimated_discrepant) + " [" + F(*c.estimated_low) + ", " +
                                                       F(*c.estimated_high) + "] (estimate)"
                                                 : std::string("-")) +
           "</td></tr>";
    }
    h += "</table>\n";
  }

  if (r.trends && !r.trends->periods.empty()) {
    h += "<h2>Entries over time</h2><p>Discrepancy rate per " + Esc(r.trends->by) +
         " with its 95% interval. " + Esc(r.trends->method) + ".</p><div class=\"grid-of-sparks\">";
    for (const EntryTrend& e : r.trends->entries) {
      bool any = false;
      for (const PeriodCounts& c : e.periods) any |= c.examined > 0;
      if (any || e.idle) h += Sparkline(*r.trends, e);
    }
    h += "</div>\n";
  }

  h += "<h2>Every entry</h2><table><tr><th>entry</th><th>kind</th><th>status</th><th>fired</th><th>examined</th>"
       "<th>discrepant</th><th>rate</th><th>95% interval</th><th>lift</th><th>new</th></tr>";
  for (const EntryMetrics& m : r.entries) {
    h += "<tr><td>" + Esc(m.id) + "</td><td>" + EntryKindName(m.kind) + "</td><td>" + EntryStatusName(m.status) +
         "</td><td>" + std::to_string(m.fired) + "</td><td>" + std::to_string(m.examined) + "</td><td>" +
         std::to_string(m.discrepant) + "</td><td>" + HtmlPct(m.discrepancy_rate) + "</td><td>[" + HtmlPct(m.ci_low) +
         ", " + HtmlPct(m.ci_high) + "]</td><td>" + (m.lift ? F(*m.lift, 2) : std::string("-")) + "</td><td>" +
         std::to_string(m.new_discrepant) + "</td></tr>";
  }
  h += "</table>\n<footer>targeting backtest &middot; rule set " + Esc(r.fingerprint) + "</footer>\n</body></html>\n";
  return h;
}

}  // namespace targeting
