// targeting backtest RULES INPUT... --outcomes FILE: the section 6 metrics
// of every active and shadow entry, as JSON (-o) and as a table.
#include <algorithm>
#include <cstdio>
#include <utility>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/measure_run.h"

namespace targeting::cli {
namespace {

std::string Count(std::uint64_t v) { return std::to_string(v); }

std::string Share(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "";
  return " (" + Percent(static_cast<double>(part) / static_cast<double>(whole)) + ")";
}

std::string Plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string FormatBacktestTable(const BacktestReport& r, const std::string& first_line) {
  std::string out;
  auto line = [&out](std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out += s + "\n";
  };
  line(first_line);
  line("records: " + Count(r.records) + " scored, " + Count(r.rejected) + " rejected");
  line("examined: " + Count(r.examined) + " records, " + Count(r.discrepant) + " discrepant" +
       Share(r.discrepant, r.examined));
  line("random sample: " + Count(r.sampled) + " records, " + Count(r.sampled_examined) +
       " examined, " + Count(r.sampled_discrepant) + " discrepant: base rate " +
       (r.base_rate ? Percent(r.base_rate, 2) : "- (no sampled record was examined)"));
  line("discrepant records found: by an active rule " + Count(r.discrepant_by.rule) +
       Share(r.discrepant_by.rule, r.discrepant) + ", by active queries only " +
       Count(r.discrepant_by.query_only) + Share(r.discrepant_by.query_only, r.discrepant) +
       ", missed " + Count(r.discrepant_by.missed) + Share(r.discrepant_by.missed, r.discrepant));
  std::string by;
  for (int i = 0; i < kIdentifiedByCount; ++i) {
    by += std::string(i ? ", " : "") + IdentifiedByName(static_cast<IdentifiedBy>(i)) + " " +
          Count(r.identified_by[static_cast<std::size_t>(i)]);
  }
  line("discrepant records identified by: " + by);
  line("");

  // Entries, most discrepant records found first.
  std::vector<const EntryMetrics*> rows;
  for (const EntryMetrics& m : r.entries) rows.push_back(&m);
  std::stable_sort(rows.begin(), rows.end(), [](const EntryMetrics* a, const EntryMetrics* b) {
    if (a->discrepant != b->discrepant) return a->discrepant > b->discrepant;
    return a->fired > b->fired;
  });
  std::size_t idw = 5;
  for (const EntryMetrics* m : rows) idw = std::max(idw, m->id.size());
  char ci_head[32];
  std::snprintf(ci_head, sizeof ci_head, "%g%% CI", r.criteria.confidence * 100);
  struct Col {
    std::string head;
    std::size_t width;
    bool right;
  };
  const std::vector<Col> cols = {
      {"entry", idw, false}, {"kind", 5, false},   {"status", 6, false}, {"fired", 7, true},
      {"hit%", 7, true},     {"exam", 6, true},    {"disc", 6, true},    {"rate", 6, true},
      {ci_head, 15, false},  {"lift", 6, true},    {"uniq", 5, true},    {"new", 5, true},
      {"seiz", 5, true},     {"msrp_usd", 10, true}, {"ports", 5, true}, {"", 4, false}};
  auto row = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) s += "  ";
      s += Pad(cells[i], cols[i].width, cols[i].right);
    }
    line(s);
  };
  std::vector<std::string> head;
  for (const Col& c : cols) head.push_back(c.head);
  row(head);
  for (const EntryMetrics* m : rows) {
    row({m->id, EntryKindName(m->kind), EntryStatusName(m->status), Count(m->fired),
         Percent(m->hit_rate, 2), Count(m->examined), Count(m->discrepant),
         Percent(m->discrepancy_rate), PercentInterval(m->ci_low, m->ci_high), Fixed(m->lift, 2),
         Count(m->unique_discrepant), Count(m->new_discrepant), Count(m->seizures),
         Fixed(m->msrp_usd, 0), Count(m->ports), m->candidate ? "CAND" : ""});
  }
  if (rows.empty()) line("(no active or shadow entries)");
  std::size_t candidates = static_cast<std::size_t>(
      std::count_if(r.entries.begin(), r.entries.end(), [](const EntryMetrics& m) { return m.candidate; }));
  line("uniq: discrepant records no other entry fired on; new: discrepant records no active rule "
       "fired on;");
  line("CAND: a query that meets the promotion criteria (" + Plural(candidates, "candidate", "candidates") +
       "; see targeting promote)");

  if (!r.priorities.empty()) {
    line("");
    line("priority coverage (discrepant records at least one tagged entry fired on, of " +
         Count(r.discrepant) + "):");
    std::size_t tw = 8;
    for (const PriorityCoverage& p : r.priorities) tw = std::max(tw, p.tag.size());
    for (const PriorityCoverage& p : r.priorities) {
      std::string ids;
      for (std::size_t i = 0; i < p.entries.size() && i < 8; ++i) ids += (i ? " " : "") + p.entries[i];
      if (p.entries.size() > 8) ids += " ... (" + Count(p.entries.size() - 8) + " more)";
      line("  " + Pad(p.tag, tw) + "  " + Pad(Count(p.discrepant), 6, true) +
           Pad(Share(p.discrepant, r.discrepant), 10) + "  " +
           (p.entries.empty() ? "no entry carries this tag"
                              : Plural(p.entries.size(), "entry", "entries") + ": " + ids));
    }
  }

  const OverlapReport& ov = r.overlap;
  if (!ov.marginal.empty()) {
    line("");
    line("marginal contribution of active entries (discrepant records lost if the entry were "
         "removed,");
    line("that is, no other active entry fired on them):");
    std::size_t shown = 0, zero_rules = 0;
    for (const OverlapReport::Marginal& m : ov.marginal) {
      if (m.only == 0 && m.kind != EntryKind::kRule) continue;
      if (m.only == 0) ++zero_rules;
      if (++shown > 30) continue;
      std::string ex;
      for (const std::string& id : m.examples) ex += (ex.empty() ? "" : ", ") + id;
      line("  " + Pad(m.id, idw) + "  " + Pad(EntryKindName(m.kind), 5) + "  " +
           Pad(Count(m.only), 6, true) + " of " + Pad(Count(m.discrepant), 6) +
           (ex.empty() ? "" : "  e.g. " + ex + (m.only > m.examples.size() ? ", ..." : "")));
    }
    if (shown > 30) line("  ... " + Count(shown - 30) + " more");
    if (zero_rules > 0) {
      line("  " + Plural(zero_rules, "active rule adds", "active rules add") +
           " no discrepant record that another active entry did not also find");
    }
  }

  if (!ov.top.empty()) {
    line("");
    line("overlap among the " + Count(ov.top.size()) +
         " most-firing entries (Jaccard = records both fired on / records either fired on):");
    std::vector<OverlapReport::Pair> pairs = ov.top_pairs;
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const auto& a, const auto& b) { return a.jaccard > b.jaccard; });
    if (pairs.empty()) line("  no two of them fired on the same record");
    for (std::size_t i = 0; i < pairs.size() && i < 10; ++i) {
      const auto& p = pairs[i];
      line("  " + Pad(p.a, idw) + "  " + Pad(p.b, idw) + "  " + Fixed(p.jaccard, 3) + "  (both " +
           Count(p.both) + "; " + Count(p.fired_a) + " and " + Count(p.fired_b) + " fired)");
    }
    if (pairs.size() > 10) line("  ... " + Count(pairs.size() - 10) + " more pairs");
  }
  line("");
  if (ov.redundant.empty()) {
    line("redundant pairs (Jaccard >= " + Fixed(ov.redundant_jaccard, 2) + "): none");
  } else {
    line("redundant pairs (Jaccard >= " + Fixed(ov.redundant_jaccard, 2) +
         "): they fire on nearly the same records");
    for (std::size_t i = 0; i < ov.redundant.size() && i < 20; ++i) {
      const auto& p = ov.redundant[i];
      line("  " + Pad(p.a, idw) + "  " + Pad(p.b, idw) + "  " + Fixed(p.jaccard, 3) + "  (both " +
           Count(p.both) + "; " + Count(p.fired_a) + " and " + Count(p.fired_b) + " fired)");
    }
    if (ov.redundant.size() > 20) line("  ... " + Count(ov.redundant.size() - 20) + " more");
  }
  if (ov.truncated) line("(the pair table hit its size limit: some pairs were not counted)");
  std::vector<const CapacityReport*> budgets;
  if (r.capacity) budgets.push_back(&*r.capacity);
  for (const CapacityReport& c : r.capacity_curve) budgets.push_back(&c);
  if (!budgets.empty()) {
    line("");
    line("exams at capacity (the random sample first, then red before yellow by score; precision "
         "over selected records with a finding):");
    line("  budget        selected  w/outcome   disc  precision  " + std::string(ci_head) +
         "            recall   missed(fired/unfired)  est. disc w/o outcome");
    for (const CapacityReport* c : budgets) {
      line("  " + Pad(c->budget, 12) + Pad(Count(c->selected), 10, true) + Pad(Count(c->with_outcome), 11, true) +
           Pad(Count(c->discrepant), 7, true) + "  " + Pad(Percent(c->precision), 9, true) + "  " +
           Pad(PercentInterval(c->ci_low, c->ci_high), 17) + "  " + Pad(Percent(c->recall), 6, true) + "   " +
           Pad(Count(c->missed_fired) + "/" + Count(c->missed_unfired), 21, true) + "  " +
           (c->estimated_discrepant ? Fixed(*c->estimated_discrepant, 1) + " [" + Fixed(*c->estimated_low, 1) +
                                          ", " + Fixed(*c->estimated_high, 1) + "] (estimate)"
                                    : std::string("-")));
    }
    if (r.base_rate) {
      line("  (the random sample's base rate, for comparison: " + Percent(r.base_rate, 2) + ")");
    }
  }
  if (r.trends) {
    const TrendReport& t = *r.trends;
    line("");
    line("by " + t.by + " (" + Count(t.periods.size()) + " periods" +
         (t.periods.empty() ? std::string("") : ", " + t.periods.front() + " to " + t.periods.back()) +
         "): " + t.method);
    std::size_t flagged = 0;
    for (const EntryTrend& e : t.entries) {
      if (!e.decaying && !e.idle) continue;
      ++flagged;
      std::string why;
      if (e.decaying) {
        const PeriodCounts& last = e.periods.back();
        why = "decaying: latest " + Percent(last.rate) + " of " + Count(last.examined) + " examined, z " +
              Fixed(e.z, 2);
      }
      if (e.idle) {
        why += std::string(why.empty() ? "" : "; ") + "idle: no fire in the last " + Count(e.idle_periods) +
               " periods";
      }
      line("  " + Pad(e.id, idw) + "  " + why);
    }
    if (flagged == 0) line("  no entry is decaying or idle");
  }
  return out;
}

namespace {

int RunBacktestCommand(const Args& args) {
  const std::string cmd = "backtest";
  BacktestOptions options;
  if (args.has("redundant")) {
    std::string v = args.get("redundant");
    char* end = nullptr;
    double j = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(j > 0 && j <= 1)) {
      Fail(cmd, "--redundant needs a Jaccard threshold in (0, 1]");
      return kExitUsage;
    }
    options.redundant_jaccard = j;
  }
  if (args.has("top")) {
    auto n = ParseCount(args.get("top"));
    if (!n || *n < 1 || *n > 1000) {
      Fail(cmd, "--top needs a whole number from 1 to 1000");
      return kExitUsage;
    }
    options.overlap_top = static_cast<std::size_t>(*n);
  }
  // Open the outputs before the (long) run, so a bad path fails early.
  std::unique_ptr<Output> report_out, overlap_out, html_out, partial_out;
  if (!OpenOptionalOutput(cmd, args, "output", &report_out) ||
      !OpenOptionalOutput(cmd, args, "overlap", &overlap_out) ||
      !OpenOptionalOutput(cmd, args, "html", &html_out) ||
      !OpenOptionalOutput(cmd, args, "partial", &partial_out)) {
    return kExitUsage;
  }
  int exit_code = kExitUsage;
  // The page always has its capacity curve and monthly rates.
  const bool html = args.has("html");
  auto run = RunBacktest(cmd, args, options, &exit_code, [html, &args](const RuleSet& rules, BacktestOptions* o) {
    if (!html) return;
    if (!args.has("capacity-curve")) {
      for (const char* share : {"1%", "2%", "5%", "10%", "20%", "50%"}) {
        o->capacity_curve.push_back(ParseCapacity(share, rules.schema()).value());
      }
    }
    if (!args.has("by") && rules.schema().date_field() >= 0) o->by = TrendPeriod::kMonth;
  });
  if (!run) return exit_code;
  const BacktestReport& r = run->report;
  std::string json, overlap;
  if (report_out) AppendBacktestJson(r, &json);
  if (overlap_out) AppendOverlapJson(r, &overlap);
  if (!WriteAndClose(cmd, report_out.get(), json) || !WriteAndClose(cmd, overlap_out.get(), overlap) ||
      !WriteAndClose(cmd, html_out.get(),
                     html_out ? BacktestHtml(r, "Backtest of " + args.positional()[0]) : "") ||
      !WriteAndClose(cmd, partial_out.get(), partial_out ? run->backtest->PartialJson() : "")) {
    return kExitUsage;
  }
  // With the JSON on standard output, the table would corrupt it.
  const bool json_on_stdout = (args.has("output") && (args.get("output") == "-")) ||
                              (args.has("overlap") && args.get("overlap") == "-") ||
                              (args.has("partial") && args.get("partial") == "-");
  if (!json_on_stdout) {
    std::string table = FormatBacktestTable(
        r, "rule set " + args.positional()[0] + " (" + r.fingerprint + "), as-of " +
               FormatDate(run->as_of));
    std::fwrite(table.data(), 1, table.size(), stdout);
  }
  return run->counts.rejected > 0 ? kExitFindings : kExitOk;
}

std::vector<OptionSpec> BacktestOptions_() {
  std::vector<OptionSpec> o = {
      OutcomesOption(true),
      {"output", true, "FILE", "write the SPEC section 6 JSON report here ('-': standard output, "
                               "and no table)", 'o'},
      {"overlap", true, "FILE", "write the marginal-contribution and overlap JSON here"},
      {"top", true, "N", "entries in the pairwise overlap summary (default 20)"},
      {"redundant", true, "J", "name pairs with Jaccard >= J redundant (default 0.8)"},
      {"html", true, "FILE", "also write the report as one self-contained HTML page (charts as inline SVG)"},
      {"partial", true, "FILE", "also write a partial backtest here, for 'targeting merge' ('-': "
                                "standard output, and no table)"},
      ThreadsOption(),
  };
  for (OptionSpec& s : CapacityOptions()) o.push_back(std::move(s));
  return RecordCommandOptions(std::move(o));
}

const bool kBacktestRegistered = RegisterCommand(Command{
    CommandSpec{"backtest", "RULES INPUT... --outcomes FILE [-o REPORT.json] [--as-of DATE]",
                "Measure every active and shadow entry against exam outcomes: fired, examined,\n"
                "discrepant, discrepancy rate with its Wilson interval, lift over the random\n"
                "sample's base rate, unique and new discrepancies, seizures, ports, and whether a\n"
                "query is a promotion candidate (SPEC section 6).\n\n"
                "The table on standard output is sorted by discrepant records found; it adds\n"
                "priority coverage, each active entry's marginal contribution, and the overlap\n"
                "of the most-firing entries. -o writes the section 6 JSON report, --overlap the\n"
                "overlap JSON. Bad outcome rows and unmatched outcomes are reported on standard\n"
                "error and counted. Exit 0, or 1 when any record was rejected, 2 when the\n"
                "command cannot run.\n\n"
                "--partial writes the counts behind the report for one shard of the records;\n"
                "'targeting merge' adds the partials of every shard into the report one run over\n"
                "all of them gives (docs/measurement.md, \"Partial backtests\").",
                BacktestOptions_(), 2, -1},
    30, RunBacktestCommand});

}  // namespace
}  // namespace targeting::cli
