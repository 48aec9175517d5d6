// targeting score RULES INPUT...: one JSON line per record (SPEC section 5).
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/pipeline.h"
#include "targeting/explain.h"

namespace targeting::cli {
namespace {

int RunScore(const Args& args) {
  const std::string cmd = "score";
  auto as_of = AsOf(cmd, args);
  if (!as_of) return kExitUsage;
  int threads = 1;
  if (args.has("threads")) {
    auto n = ParseCount(args.get("threads"));
    if (!n || *n < 1 || *n > 256) {
      Fail(cmd, "--threads needs a whole number from 1 to 256");
      return kExitUsage;
    }
    threads = static_cast<int>(*n);
  }
  auto rules = LoadRules(cmd, args.positional()[0], args);
  if (!rules) return kExitUsage;
  PrintFingerprint(cmd, args.positional()[0], *rules);

  std::vector<std::string> inputs(args.positional().begin() + 1, args.positional().end());
  InputSet in(cmd, rules->schema(), args, inputs);
  if (!in.Begin()) return kExitUsage;
  std::string error;
  auto out = Output::Open(args.get("output"), &error);
  if (!out) {
    Fail(cmd, error);
    return kExitUsage;
  }
  const RuleSet& rs = *rules;
  ScorePipeline::Options popts;
  popts.threads = threads;
  popts.reference = args.has("reference");
  ScorePipeline pipeline(
      rules, ScoreOptions{*as_of}, popts,
      [&rs, explain = args.has("explain"), as_of = *as_of](const Record& r, const ScoreResult& res,
                                                          std::string* text) {
        AppendScoreJson(rs, r.record_id(), res, text);
        if (explain) {
          // Same object, one more key: why each fired entry fired.
          text->pop_back();
          text->append(",\"explain\":[");
          for (std::size_t i = 0; i < res.fired.size(); ++i) {
            if (i) text->push_back(',');
            AppendExplanationJson(rs, Explain(rs, r, static_cast<int>(res.fired[i]), as_of, &res.measures), text);
          }
          text->append("]}");
        }
        text->push_back('\n');
      },
      nullptr, [&out](std::string_view text) { out->Write(text); });
  StreamState* stream = nullptr;
  if (Scorer* s = pipeline.stream_scorer()) {
    stream = popts.reference ? s->reference_stream() : s->stream();
  }
  if (!LoadState(cmd, args, {stream})) return kExitUsage;
  RunCounts counts;
  InputSet::Cursor cursor(&in, &counts);
  pipeline.Run([&cursor](Record* r) { return cursor.Next(r); });
  const bool ok = cursor.ok();
  if (!out->Close(&error)) {
    Fail(cmd, error);
    return kExitUsage;
  }
  if (!in.End()) return kExitUsage;
  if (ok && !SaveState(cmd, args, {stream})) return kExitUsage;
  PrintSummary(cmd, counts, args);
  if (!ok) return kExitUsage;
  return counts.rejected > 0 ? kExitFindings : kExitOk;
}

std::vector<OptionSpec> ScoreOptions_() {
  std::vector<OptionSpec> o = {
      {"output", true, "FILE", "write JSON lines here instead of standard output", 'o'},
      {"threads", true, "N", "score on N threads; output stays in input order (default 1)"},
      {"reference", false, "", "score with the naive reference evaluator instead of the index"},
      {"explain", false, "", "add \"explain\": why each fired entry fired (condition tree and values)"},
  };
  return RecordCommandOptions(std::move(o));
}

const bool kScoreRegistered = RegisterCommand(Command{
    CommandSpec{"score", "RULES INPUT... [-o OUT] [--rejects FILE] [--as-of DATE] [--threads N]",
                "Score every record: one JSON object per record, in input order, with the\n"
                "fired entries (sorted by id), the score, the lane and the sampling decision.\n\n"
                "INPUT is a .csv file (header row of field names), a .jsonl / .ndjson file, or\n"
                "'-' for standard input with --input-format. The rule set's fingerprint and the\n"
                "summary 'read N = scored S + rejected R' go to standard error. Exit 0, or 1 when\n"
                "any record was rejected, 2 when the command cannot run (bad usage, an\n"
                "unreadable file, a rule set that does not compile).",
                ScoreOptions_(), 2, -1},
    20, RunScore});

}  // namespace
}  // namespace targeting::cli
