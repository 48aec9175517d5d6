// targeting promote RULES INPUT... --outcomes FILE [--write DIR]: the queries
// that meet the promotion criteria of SPEC section 6, the ones that came
// close and why, and (with --write) a shadow rule file for each candidate.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/measure_run.h"

namespace targeting::cli {
namespace {

constexpr std::uint64_t kMinExamsForRate = 10;

namespace fs = std::filesystem;

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string CriteriaText(const PromotionCriteria& c) {
  return "examined >= " + std::to_string(c.min_examined) + ", ci_low >= " +
         Percent(c.min_discrepancy_rate) + " (Wilson lower bound at " + Num(c.confidence * 100) +
         "% confidence), ports >= " + std::to_string(c.min_ports) + ", new_discrepant >= " +
         std::to_string(c.min_new_discrepant);
}

std::string Figures(const EntryMetrics& m, const PromotionCriteria& c) {
  return "examined " + std::to_string(m.examined) + ", discrepant " + std::to_string(m.discrepant) +
         ", rate " + Percent(m.discrepancy_rate) + ", " + Num(c.confidence * 100) + "% CI " +
         PercentInterval(m.ci_low, m.ci_high) + ", ports " + std::to_string(m.ports) +
         ", new_discrepant " + std::to_string(m.new_discrepant) + ", lift " + Fixed(m.lift, 2) +
         ", fired " + std::to_string(m.fired) + ", seizures " + std::to_string(m.seizures);
}

std::string Shortfall(const PromotionAssessment::Shortfall& s) {
  switch (s.criterion) {
    case PromotionCriterion::kMinExamined:
      return "examined " + Num(s.actual) + " < " + Num(s.required) + " (" +
             Num(s.required - s.actual) + " short)";
    case PromotionCriterion::kMinDiscrepancyRate: {
      char pts[32];
      std::snprintf(pts, sizeof pts, "%.1f", (s.required - s.actual) * 100);
      return "ci_low " + Percent(s.actual) + " < " + Percent(s.required) + " (" + pts +
             " points short)";
    }
    case PromotionCriterion::kMinPorts:
      return "ports " + Num(s.actual) + " < " + Num(s.required) + " (" +
             Num(s.required - s.actual) + " short)";
    case PromotionCriterion::kMinNewDiscrepant:
      return "new_discrepant " + Num(s.actual) + " < " + Num(s.required) +
             " (active rules already find its discrepancies)";
  }
  return "";
}

// An entry already promoted from `query`, or null.
const EntryInfo* PromotedFrom(const RuleSet& rules, const std::string& query) {
  for (const EntryInfo& e : rules.entries()) {
    if (e.promoted_from == query) return &e;
  }
  return nullptr;
}

// The inline `{sequence: [...]}` tests of an aggregate query's hits that do
// not fire alone: the inputs are read again, the records before each hit
// that can count towards one of the query's aggregates for it are gathered,
// and each stream is cut to what it needs to fire on the hit (FiringSequence).
// A hit whose history is not in the inputs (it came from --state) gets none.
std::vector<std::vector<Record>> HitSequences(const std::string& cmd, const Args& args,
                                              const BacktestRun& run, int entry, Days as_of,
                                              std::vector<Record> pending) {
  std::vector<std::vector<Record>> out;
  std::vector<std::string> inputs(args.positional().begin() + 1, args.positional().end());
  if (std::find(inputs.begin(), inputs.end(), "-") != inputs.end()) return out;  // read once
  struct Pending {
    Record hit;
    std::vector<Record> before;
    bool reached = false;
  };
  std::vector<Pending> todo;
  for (Record& r : pending) todo.push_back(Pending{std::move(r), {}, false});
  // A busy key can have thousands of records in a window: keep the latest.
  constexpr std::size_t kMaxBefore = 200;
  InputSet in(cmd, run.rules->schema(), args, inputs);
  const bool read = in.Reread([&](const Record& r) {
    for (Pending& p : todo) {
      if (p.reached) continue;
      if (r.record_id() == p.hit.record_id()) {
        p.reached = true;
      } else if (InAggregateWindow(*run.rules, entry, r, p.hit, as_of)) {
        if (p.before.size() == 2 * kMaxBefore) {
          p.before.erase(p.before.begin(), p.before.begin() + kMaxBefore);
        }
        p.before.push_back(r);
      }
    }
  });
  if (!read) return out;
  for (Pending& p : todo) {
    if (!p.reached) continue;
    p.before.push_back(std::move(p.hit));
    auto seq = FiringSequence(run.rules, entry, std::move(p.before), as_of);
    if (seq) out.push_back(std::move(*seq));
  }
  return out;
}

struct Written {
  std::string path;
  std::string id;
  std::size_t hits = 0;
};

// Writes the rule file for one candidate after proving it: compiled together
// with the pack it must have no errors and pass its inline tests (as
// `targeting check` runs them, as of today). A new id that collides with an
// entry the RuleSet does not show (a retired one) gets a numeric suffix.
bool WriteCandidate(const std::string& cmd, const BacktestRun& run, const EntryMetrics& m,
                    const std::string& rules_path, const std::string& dir, const Args& args,
                    Written* written) {
  const RuleSet& rules = *run.rules;
  const Days today = TodayUtc();
  // Keep the historical hits that fire as of today, the date check uses.
  std::vector<Record> hits, pending;
  Scorer scorer(run.rules, ScoreOptions{today});
  ScoreResult res;
  for (Record& r : run.backtest->DiscrepantHits(m.entry)) {
    // An inline test record is a stream of its own: with aggregates, a hit
    // that does not fire alone gets a sequence test (HitSequences).
    if (scorer.has_stream()) scorer = Scorer(run.rules, ScoreOptions{today});
    if (!scorer.Score(r, &res).ok()) continue;
    if (std::find(res.fired.begin(), res.fired.end(), static_cast<std::uint32_t>(m.entry)) ==
        res.fired.end()) {
      if (scorer.has_stream()) pending.push_back(std::move(r));
      continue;
    }
    hits.push_back(std::move(r));
  }
  std::vector<std::vector<Record>> sequences;
  if (!pending.empty()) {
    sequences = HitSequences(cmd, args, run, m.entry, today, std::move(pending));
  }
  auto options = CompileOptionsFrom(cmd, args);
  if (!options) return false;
  const std::string base = "UDR-PROMOTED-" + m.id;
  for (int attempt = 1; attempt <= 20; ++attempt) {
    std::string id = attempt == 1 ? base : base + "-" + std::to_string(attempt);
    if (rules.FindEntry(id) >= 0) continue;
    auto yaml = PromotedRuleYaml(rules, m.entry, id, hits, sequences);
    if (!yaml.ok()) {
      Fail(cmd, "cannot write a rule for " + m.id + ": " + yaml.status().message());
      return false;
    }
    std::string ids;
    for (const Record& r : hits) ids += (ids.empty() ? "" : ", ") + std::string(r.record_id());
    for (const auto& seq : sequences) {
      ids += (ids.empty() ? "" : ", ") + std::string(seq.back().record_id()) + " (a sequence of " +
             std::to_string(seq.size()) + ")";
    }
    const std::size_t found = hits.size() + sequences.size();
    const EntryInfo& q = rules.entries()[static_cast<std::size_t>(m.entry)];
    std::string text =
        "# Promoted from query " + m.id + " (" + q.file + ":" + std::to_string(q.line) +
        ") by targeting promote.\n# Backtest of rule set " + rules.fingerprint() + " as of " +
        FormatDate(run.as_of) + ":\n#   " + Figures(m, run.report.criteria) + ".\n" +
        (found == 0 ? std::string()
                    : "# The last " + std::to_string(found) +
                          " `fires` tests are discrepant records it found: " + ids + ".\n") +
        "# It starts in shadow: measured, but adding nothing to scores until made active.\n" +
        yaml.value();
    const std::string path = (fs::path(dir) / (id + ".yaml")).generic_string();

    Compiler compiler(*options);
    if (Status s = compiler.AddPath(rules_path); !s.ok()) {
      Fail(cmd, "cannot read rules: " + s.message());
      return false;
    }
    compiler.AddSource(path, text, SourceRole::kRules);
    CompileResult compiled = compiler.Build();
    bool collision = false;
    std::vector<std::string> errors;
    for (const Issue& i : compiled.issues) {
      if (i.severity != Severity::kError) continue;
      if (i.entry_id == id && i.message.rfind("duplicate id", 0) == 0) collision = true;
      errors.push_back(i.ToString());
    }
    if (collision) continue;
    if (!compiled.ok()) {
      for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
      Fail(cmd, "the rule written for " + m.id + " does not compile with " + rules_path +
                    "; nothing written for it (please report this)");
      return false;
    }
    TestReport tests = RunInlineTests(*compiled.rule_set, today);
    bool failed = false;
    for (const TestFailure& f : tests.failures) {
      if (f.entry_id != id) continue;
      std::fprintf(stderr, "%s\n", f.ToString().c_str());
      failed = true;
    }
    if (failed) {
      Fail(cmd, "the inline tests of the rule written for " + m.id +
                    " fail; nothing written for it (please report this)");
      return false;
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      Fail(cmd, "cannot write " + path);
      return false;
    }
    written->path = path;
    written->id = id;
    written->hits = hits.size() + sequences.size();
    return true;
  }
  Fail(cmd, "no free id for the promotion of " + m.id + " (tried " + base + " to " + base + "-20)");
  return false;
}

int RunPromote(const Args& args) {
  const std::string cmd = "promote";
  int exit_code = kExitUsage;
  auto run = RunBacktest(cmd, args, BacktestOptions{}, &exit_code);
  if (!run) return exit_code;
  const BacktestReport& r = run->report;
  const PromotionCriteria& c = r.criteria;
  std::vector<PromotionAssessment> all = AssessPromotion(r);

  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("rule set " + args.positional()[0] + " (" + r.fingerprint + "), as-of " +
       FormatDate(run->as_of));
  line("promotion criteria (targeting.yaml): " + CriteriaText(c));
  line("base rate of the random sample: " +
       (r.base_rate ? Percent(r.base_rate, 2) : "- (no sampled record was examined)"));
  line("");

  // A rate measured on fewer than ten exams (or min_examined, if smaller)
  // says too little to call a query within reach.
  const std::uint64_t min_exams_for_rate = std::min<std::uint64_t>(
      kMinExamsForRate, static_cast<std::uint64_t>(std::max(0, r.criteria.min_examined)));
  std::vector<const PromotionAssessment*> candidates, near, far;
  for (const PromotionAssessment& a : all) {
    if (a.candidate()) candidates.push_back(&a);
    // Within reach: more exams at its current rate would do it, or it misses
    // one criterion that is not the discrepancy rate (which exams cannot fix
    // when the rate itself is below the bar).
    else if (a.metrics->examined >= min_exams_for_rate &&
             (a.exams_needed ||
              (a.failed.size() == 1 &&
               a.failed[0].criterion != PromotionCriterion::kMinDiscrepancyRate)))
      near.push_back(&a);
    else far.push_back(&a);
  }
  line("candidates (" + std::to_string(candidates.size()) + "):");
  if (candidates.empty()) line("  none");
  for (const PromotionAssessment* a : candidates) {
    const EntryMetrics& m = *a->metrics;
    const EntryInfo* done = PromotedFrom(*run->rules, m.id);
    line("  " + m.id + " (" + EntryStatusName(m.status) + " query)" +
         (done ? "  already promoted as " + done->id + " (" + EntryStatusName(done->status) + ")"
               : ""));
    line("    " + Figures(m, c));
  }
  line("");
  line("near misses (" + std::to_string(near.size()) +
       "; only more exams needed, or one criterion other than the rate short):");
  if (near.empty()) line("  none");
  for (const PromotionAssessment* a : near) {
    const EntryMetrics& m = *a->metrics;
    std::string why;
    for (const auto& s : a->failed) why += (why.empty() ? "" : "; ") + Shortfall(s);
    line("  " + m.id + " (" + EntryStatusName(m.status) + " query): " + why);
    line("    " + Figures(m, c));
    if (a->exams_needed) {
      line("    at its rate of " + Percent(m.discrepancy_rate) + " it would qualify after " +
           std::to_string(*a->exams_needed) + " exams (" +
           std::to_string(*a->exams_needed - std::min<std::uint64_t>(*a->exams_needed, m.examined)) +
           " more)");
    }
  }
  if (!far.empty()) {
    line("");
    line("other queries (" + std::to_string(far.size()) + "):");
    for (const PromotionAssessment* a : far) {
      const EntryMetrics& m = *a->metrics;
      std::string why;
      for (const auto& s : a->failed) why += (why.empty() ? "" : "; ") + Shortfall(s);
      if (m.discrepancy_rate && *m.discrepancy_rate <= c.min_discrepancy_rate) {
        why += "; its rate " + Percent(m.discrepancy_rate) + " is itself below the bar";
      }
      line("  " + m.id + " (" + EntryStatusName(m.status) + " query): " + why);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);

  if (args.has("write")) {
    const std::string dir = args.get("write");
    std::printf("\n");
    std::size_t n = 0;
    for (const PromotionAssessment* a : candidates) {
      const EntryMetrics& m = *a->metrics;
      if (const EntryInfo* done = PromotedFrom(*run->rules, m.id)) {
        std::printf("skipped %s: already promoted as %s\n", m.id.c_str(), done->id.c_str());
        continue;
      }
      Written w;
      if (!WriteCandidate(cmd, *run, m, args.positional()[0], dir, args, &w)) return kExitUsage;
      ++n;
      std::printf("wrote %s: rule %s (shadow) promoted from %s, with %zu fires test%s from "
                  "discrepant records; it compiles with %s and its tests pass\n",
                  w.path.c_str(), w.id.c_str(), m.id.c_str(), w.hits, w.hits == 1 ? "" : "s",
                  args.positional()[0].c_str());
    }
    if (n == 0) std::printf("nothing to write\n");
  }
  return kExitOk;
}

std::vector<OptionSpec> PromoteOptions() {
  std::vector<OptionSpec> o = {
      OutcomesOption(true),
      {"write", true, "DIR", "write each candidate as a shadow rule file DIR/<new-id>.yaml"},
      ThreadsOption(),
  };
  return RecordCommandOptions(std::move(o));
}

const bool kPromoteRegistered = RegisterCommand(Command{
    CommandSpec{"promote", "RULES INPUT... --outcomes FILE [--write DIR] [--as-of DATE]",
                "List the queries that meet the promotion criteria of targeting.yaml (examined,\n"
                "Wilson lower bound of the discrepancy rate, ports, new discrepancies), with\n"
                "their figures, and the queries that came close with the criterion each missed\n"
                "and by how much.\n\n"
                "--write DIR writes each candidate as a rule file (kind rule, status shadow,\n"
                "promoted_from the query, id UDR-PROMOTED-<query id>) with the query's condition\n"
                "and inline tests plus up to three of its discrepant records as fires tests.\n"
                "Each file is compiled with RULES and its tests run before it is written, so it\n"
                "passes targeting check once copied into the pack. Exit 0.",
                PromoteOptions(), 2, -1},
    35, RunPromote});

}  // namespace
}  // namespace targeting::cli
