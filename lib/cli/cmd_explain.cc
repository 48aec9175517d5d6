// targeting explain RULES INPUT... --record ID [--entry ID]: why each entry
// fired or did not on a record.
#include <cstdio>
#include <utility>

#include "cli/commands.h"
#include "cli/common.h"
#include "targeting/explain.h"
#include "targeting/json.h"

namespace targeting::cli {
namespace {

int RunExplain(const Args& args) {
  const std::string cmd = "explain";
  auto as_of = AsOf(cmd, args);
  if (!as_of) return kExitUsage;
  if (!args.has("record")) {
    Fail(cmd, "--record ID is required (the record_id to explain)");
    return kExitUsage;
  }
  const std::string wanted = args.get("record");
  const std::string format = args.get("format", "text");
  if (format != "text" && format != "json") {
    Fail(cmd, "--format must be text or json");
    return kExitUsage;
  }
  auto rules = LoadRules(cmd, args.positional()[0], args);
  if (!rules) return kExitUsage;
  std::vector<int> entries;
  if (args.has("entry")) {
    for (const std::string& id : args.all("entry")) {
      int e = rules->FindEntry(id);
      if (e < 0) {
        Fail(cmd, "no entry '" + id + "' in " + args.positional()[0] +
                      " (retired entries are not compiled)");
        return kExitUsage;
      }
      entries.push_back(e);
    }
  } else {
    for (int e = 0; e < static_cast<int>(rules->entries().size()); ++e) entries.push_back(e);
  }
  std::vector<std::string> inputs(args.positional().begin() + 1, args.positional().end());
  InputSet in(cmd, rules->schema(), args, inputs);
  if (!in.Begin()) return kExitUsage;
  std::string error;
  auto out = Output::Open(args.get("output"), &error);
  if (!out) {
    Fail(cmd, error);
    return kExitUsage;
  }
  RunCounts counts;
  std::uint64_t found = 0;
  Scorer scorer(rules, ScoreOptions{*as_of});
  if (!LoadState(cmd, args, {scorer.stream()})) return kExitUsage;
  ScoreResult result;
  bool ok = in.ForEach(
      [&](const Record& r) {
        // With aggregates every record is part of the stream, explained or not.
        if (scorer.has_stream()) scorer.Measure(r, &result);
        if (r.record_id() != wanted) return;
        ++found;
        if (scorer.has_stream()) {
          scorer.ScoreMeasured(r, &result);
        } else {
          scorer.Score(r, &result);
        }
        std::string text;
        if (format == "json") {
          text = "{\"record_id\":";
          AppendJsonString(r.record_id(), &text);
          text += ",\"line\":" + std::to_string(r.line()) + ",\"fingerprint\":\"" +
                  rules->fingerprint() + "\",\"score\":";
          AppendScoreJson(*rules, r.record_id(), result, &text);
          text += ",\"entries\":[";
          for (std::size_t i = 0; i < entries.size(); ++i) {
            if (i) text += ',';
            AppendExplanationJson(*rules, Explain(*rules, r, entries[i], *as_of, &result.measures),
                                  &text);
          }
          text += "]}\n";
        } else {
          std::string score_json;
          AppendScoreJson(*rules, r.record_id(), result, &score_json);
          text = "record " + std::string(r.record_id()) + " (line " + std::to_string(r.line()) +
                 "), as-of " + FormatDate(*as_of) + ", rule set " + rules->fingerprint() + "\n" +
                 "score: " + score_json + "\n\n";
          for (int e : entries) {
            text += FormatExplanation(*rules, Explain(*rules, r, e, *as_of, &result.measures)) + "\n";
          }
        }
        out->Write(text);
      },
      &counts);
  if (!out->Close(&error)) {
    Fail(cmd, error);
    return kExitUsage;
  }
  if (!in.End() || !ok) return kExitUsage;
  if (!SaveState(cmd, args, {scorer.stream()})) return kExitUsage;
  if (found == 0) {
    Fail(cmd, "no record with record_id '" + wanted + "' among " + std::to_string(counts.scored) +
                  " records read (" + std::to_string(counts.rejected) + " rejected)");
    return kExitUsage;
  }
  return kExitOk;
}

std::vector<OptionSpec> ExplainOptions() {
  std::vector<OptionSpec> o = {
      {"record", true, "ID", "the record_id to explain (every record with that id is explained)"},
      {"entry", true, "ID", "explain only this entry (repeatable); default: every entry"},
      {"format", true, "FMT", "text (default) or json"},
      {"output", true, "FILE", "write here instead of standard output", 'o'},
  };
  return RecordCommandOptions(std::move(o));
}

const bool kExplainRegistered = RegisterCommand(Command{
    CommandSpec{"explain", "RULES INPUT... --record ID [--entry ID] [--format text|json]",
                "Show why each entry fired or did not on a record: the condition tree with each\n"
                "node's truth value ([yes] / [no]) and, at each leaf, the record's normalized\n"
                "values, including scope and effective. Exit 0, or 2 when the record is not found.",
                ExplainOptions(), 2, -1},
    50, RunExplain});

}  // namespace
}  // namespace targeting::cli
