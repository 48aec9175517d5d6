// targeting diff OLD_RULES NEW_RULES INPUT...: what changes if NEW_RULES
// replaces OLD_RULES, record by record and entry by entry.
#include <cstdio>
#include <utility>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/measure_run.h"
#include "targeting/json.h"

namespace targeting::cli {
namespace {

std::string Signed(long long v) { return (v > 0 ? "+" : "") + std::to_string(v); }

std::string FormatText(const DiffReport& r, const std::string& old_path,
                       const std::string& new_path, std::size_t limit) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("old: " + old_path + " (" + r.old_fingerprint + ")");
  line("new: " + new_path + " (" + r.new_fingerprint + ")");
  line("records: " + std::to_string(r.records) + ", changed " + std::to_string(r.changed) +
       " (fired entries " + std::to_string(r.fired_changed) + ", score " +
       std::to_string(r.score_changed) + ", lane " + std::to_string(r.lane_changed) + ")");
  if (r.changed == 0) {
    line("no changes: every record has the same fired entries, score and lane under both sets");
  }
  line("");
  line("lane      old      new   change");
  for (int l = 2; l >= 0; --l) {
    const auto o = r.old_lanes[static_cast<std::size_t>(l)];
    const auto n = r.new_lanes[static_cast<std::size_t>(l)];
    line(Pad(LaneName(static_cast<Lane>(l)), 6) + Pad(std::to_string(o), 7, true) +
         Pad(std::to_string(n), 9, true) +
         Pad(Signed(static_cast<long long>(n) - static_cast<long long>(o)), 9, true));
  }
  std::string moves;
  for (int a = 2; a >= 0; --a) {
    for (int b = 2; b >= 0; --b) {
      auto n = r.lane_moves[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
      if (a == b || n == 0) continue;
      moves += (moves.empty() ? "" : ", ") + std::string(LaneName(static_cast<Lane>(a))) + " -> " +
               LaneName(static_cast<Lane>(b)) + " " + std::to_string(n);
    }
  }
  line("lane moves: " + (moves.empty() ? std::string("none") : moves));

  line("");
  line("entries whose records changed (" + std::to_string(r.entries.size()) + "):");
  if (r.entries.empty()) line("  none");
  std::size_t w = 5;
  for (const EntryChange& e : r.entries) w = std::max(w, e.id.size());
  for (const EntryChange& e : r.entries) {
    line("  " + Pad(e.id, w) + "  gained " + Pad(std::to_string(e.gained), 7, true) + "  lost " +
         Pad(std::to_string(e.lost), 7, true));
  }

  if (r.changed > 0) {
    line("");
    line("changed records (" +
         (r.changes.size() < r.changed ? "first " + std::to_string(r.changes.size()) + " of " : "") +
         std::to_string(r.changed) + "; --limit " + std::to_string(limit) + "):");
    for (const RecordChange& c : r.changes) {
      std::string s = "  " + c.record_id + " (line " + std::to_string(c.line) + "): " +
                      LaneName(c.old_lane) + " " + FormatNumber(c.old_score);
      if (c.old_lane != c.new_lane || c.old_score != c.new_score) {
        s += " -> " + std::string(LaneName(c.new_lane)) + " " + FormatNumber(c.new_score);
      } else {
        s += ", unchanged";
      }
      std::string g, l;
      for (const std::string& id : c.gained) g += " +" + id;
      for (const std::string& id : c.lost) l += " -" + id;
      line(s + (g.empty() && l.empty() ? "" : ";") + g + l);
    }
  }

  if (r.has_outcomes) {
    line("");
    line("discrepant records (found = at least one active entry fired, or the lane is not green):");
    line("  " + std::to_string(r.discrepant) + " discrepant; found by old " +
         std::to_string(r.found_old) + ", by new " + std::to_string(r.found_new));
    auto ids = [](const std::vector<std::string>& v, std::uint64_t total) {
      std::string s;
      for (const std::string& id : v) s += (s.empty() ? "" : ", ") + id;
      if (total > v.size()) s += ", ...";
      return s;
    };
    line("  gained (found by new, not old): " + std::to_string(r.discrepant_gained) +
         (r.discrepant_gained ? ": " + ids(r.gained_examples, r.discrepant_gained) : ""));
    line("  lost (found by old, not new):   " + std::to_string(r.discrepant_lost) +
         (r.discrepant_lost ? ": " + ids(r.lost_examples, r.discrepant_lost) : ""));
  }
  return out;
}

int RunDiff(const Args& args) {
  const std::string cmd = "diff";
  auto as_of = AsOf(cmd, args);
  if (!as_of) return kExitUsage;
  const std::string format = args.get("format", "text");
  if (format != "text" && format != "json") {
    Fail(cmd, "--format must be text or json");
    return kExitUsage;
  }
  DiffOptions options;
  options.as_of = *as_of;
  if (args.has("limit")) {
    auto n = ParseCount(args.get("limit"));
    if (!n || *n > 1'000'000'000) {
      Fail(cmd, "--limit needs a whole number >= 0");
      return kExitUsage;
    }
    options.limit = static_cast<std::size_t>(*n);
  }
  const std::string& old_path = args.positional()[0];
  const std::string& new_path = args.positional()[1];
  auto old_rules = LoadRules(cmd, old_path, args);
  if (!old_rules) return kExitUsage;
  auto new_rules = LoadRules(cmd, new_path, args);
  if (!new_rules) return kExitUsage;
  std::fprintf(stderr, "targeting diff: old %s fingerprint %s\ntargeting diff: new %s fingerprint %s\n",
               old_path.c_str(), old_rules->fingerprint().c_str(), new_path.c_str(),
               new_rules->fingerprint().c_str());
  std::shared_ptr<const Outcomes> outcomes;
  if (args.has("outcomes")) {
    outcomes = LoadOutcomes(cmd, args, old_rules->schema());
    if (!outcomes) return kExitUsage;
  }
  auto diff = RuleSetDiff::Create(old_rules, new_rules, outcomes, options);
  if (!diff.ok()) {
    Fail(cmd, diff.status().message());
    return kExitUsage;
  }
  std::string error;
  auto out = Output::Open(args.get("output"), &error);
  if (!out) {
    Fail(cmd, error);
    return kExitUsage;
  }
  std::vector<std::string> inputs(args.positional().begin() + 2, args.positional().end());
  InputSet in(cmd, old_rules->schema(), args, inputs);
  if (!in.Begin()) return kExitUsage;
  // Both streams read the one file; the new set's aggregates are written
  // first, then those only the old set has.
  RuleSetDiff& d = *diff.value();
  if (!LoadState(cmd, args, {d.old_stream(), d.new_stream()})) return kExitUsage;
  RunCounts counts;
  Status failure;
  bool ok = in.ForEach(
      [&](const Record& r) {
        if (!failure.ok()) return;
        failure = diff.value()->Add(r);
      },
      &counts);
  if (!in.End() || !ok) return kExitUsage;
  if (!failure.ok()) {
    Fail(cmd, "internal error: " + failure.message());
    return kExitUsage;
  }
  if (!SaveState(cmd, args, {d.new_stream(), d.old_stream()})) return kExitUsage;
  PrintSummary(cmd, counts, args);
  DiffReport report = diff.value()->Report();
  if (outcomes) {
    PrintOutcomeJoin(cmd, args.get("outcomes"), report.outcomes, diff.value()->UnmatchedIds(10));
  }
  std::string text;
  if (format == "json") AppendDiffJson(report, &text);
  else text = FormatText(report, old_path, new_path, options.limit);
  out->Write(text);
  if (!out->Close(&error)) {
    Fail(cmd, error);
    return kExitUsage;
  }
  return kExitOk;
}

std::vector<OptionSpec> DiffOptions_() {
  std::vector<OptionSpec> o = {
      OutcomesOption(false),
      {"limit", true, "N", "list at most N changed records (default 50); all are counted"},
      {"format", true, "FMT", "text (default) or json"},
      {"output", true, "FILE", "write here instead of standard output", 'o'},
  };
  return RecordCommandOptions(std::move(o));
}

const bool kDiffRegistered = RegisterCommand(Command{
    CommandSpec{"diff", "OLD_RULES NEW_RULES INPUT... [--outcomes FILE] [--as-of DATE]",
                "Score every record under two rule sets and show what changes: the records\n"
                "whose fired entries, score or lane differ (with entries gained and lost), each\n"
                "entry's records gained and lost, and lane totals before and after. With\n"
                "--outcomes, the discrepant records the new set finds that the old did not, and\n"
                "the reverse (found: an active entry fired, or the lane is not green). The two\n"
                "sets must use the same schema. Exit 0 (rejected records are reported and\n"
                "counted), 2 when the command cannot run.",
                DiffOptions_(), 3, -1},
    40, RunDiff});

}  // namespace
}  // namespace targeting::cli
