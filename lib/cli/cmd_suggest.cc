// targeting suggest RULES INPUT... --outcomes F --holdout-from DATE: the
// conjunctions of field tests the training period's outcomes argue for,
// measured on the holdout, and (with --write) draft queries for the ones
// that keep their lift.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/measure_run.h"
#include "cli/pipeline.h"
#include "targeting/suggest.h"

namespace targeting::cli {
namespace {

namespace fs = std::filesystem;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool ParseCountOption(const std::string& cmd, const Args& args, const char* name, long long lo,
                      long long hi, long long* out) {
  if (!args.has(name)) return true;
  auto n = ParseCount(args.get(name));
  if (!n || *n < lo || *n > hi) {
    Fail(cmd, std::string("--") + name + " needs a whole number from " + std::to_string(lo) +
                  " to " + std::to_string(hi));
    return false;
  }
  *out = *n;
  return true;
}

// A list file for `in` tests: FIELD=FILE, or FILE written by `targeting
// lists derive` (whose first line names the field). The name is the file's
// stem, made an id.
bool ReadList(const std::string& cmd, const std::string& spec, SuggestList* list) {
  std::string path = spec, field;
  if (std::size_t eq = spec.find('='); eq != std::string::npos && !fs::exists(spec)) {
    field = spec.substr(0, eq);
    path = spec.substr(eq + 1);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Fail(cmd, "cannot read list file " + path);
    return false;
  }
  std::string line;
  std::uint64_t n = 0;
  const std::string header = "# targeting lists derive: values of ";
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 1 && field.empty() && line.rfind(header, 0) == 0) {
      std::string rest = line.substr(header.size());
      field = rest.substr(0, rest.find(' '));
    }
    std::size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    std::size_t e = line.find_last_not_of(" \t");
    list->values.push_back(line.substr(b, e - b + 1));
  }
  if (field.empty()) {
    Fail(cmd, path + ":1:1: cannot tell which field the list is for; give --lists FIELD=" + path);
    return false;
  }
  std::string name = "suggest_";
  for (char c : fs::path(path).stem().string()) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    name.push_back(ok ? c : '_');
  }
  list->name = name;
  list->field = field;
  return true;
}

std::string SplitLine(const char* label, const SplitCounts& c) {
  return std::string(label) + std::to_string(c.records) + " records, " +
         std::to_string(c.examined) + " examined, " + std::to_string(c.discrepant) +
         " discrepant, base rate " + Percent(c.base_rate);
}

std::string FiguresLine(const SubgroupFigures& f, bool train) {
  std::string t = "fired " + std::to_string(f.fired) + ", examined " + std::to_string(f.examined) +
                  ", discrepant " + std::to_string(f.discrepant) + ", rate " + Percent(f.rate) +
                  " " + PercentInterval(f.ci_low, f.ci_high) + ", lift " + Fixed(f.lift, 2);
  if (train) t += ", new discrepant " + std::to_string(f.new_discrepant);
  return t;
}

std::string TextReport(const SuggestReport& r, const std::string& rules_path) {
  std::string out;
  const std::string from = FormatDate(r.holdout_from);
  char conf[16];
  std::snprintf(conf, sizeof conf, "%g", r.confidence * 100);
  out += "rule set " + rules_path + " (" + r.fingerprint + ")\n";
  out += SplitLine(("training (before " + from + "): ").c_str(), r.training) + "\n";
  out += SplitLine(("holdout  (from " + from + "):   ").c_str(), r.holdout) + "\n";
  out += "search: " + std::to_string(r.tests) + " candidate tests on " + std::to_string(r.fields) +
         " fields, up to " + std::to_string(r.max_terms) + " terms, " +
         std::to_string(r.evaluated) + " conjunctions counted; quality = " + conf +
         "% Wilson lower bound with at least " + std::to_string(r.min_examined) +
         " training exams; " + std::to_string(r.pool) +
         " beat their sub-conjunctions and find new discrepancies\n\n";
  std::size_t keep = 0;
  for (const Suggestion& s : r.suggestions) keep += s.keeps_lift;
  out += "suggestions (" + std::to_string(r.suggestions.size()) +
         ", ranked by discrepant training records no active entry finds; " + std::to_string(keep) +
         " keep their lift on the holdout):\n";
  if (r.suggestions.empty()) out += "  none\n";
  for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
    const Suggestion& s = r.suggestions[i];
    out += Pad(std::to_string(i + 1) + ".", 4, true) + " " + s.id + "  " + SuggestionText(s) + "\n";
    out += "     train    " + FiguresLine(s.train, true) + "\n";
    out += "     holdout  " + FiguresLine(s.holdout, false) +
           (s.keeps_lift ? "  KEEPS LIFT" : "  does not keep its lift") + "\n";
  }
  return out;
}

// Writes the drafts that keep their lift after proving them: compiled with
// RULES they must give no error and pass their inline tests.
bool WriteDrafts(const std::string& cmd, const Args& args, const SuggestReport& report,
                 const std::vector<SuggestList>& lists, const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> files;  // path, text
  std::set<std::string> used_lists;
  for (const Suggestion& s : report.suggestions) {
    if (!s.keeps_lift) continue;
    for (const SuggestTerm& t : s.terms) {
      if (t.op == SuggestOp::kInList) used_lists.insert(t.value);
    }
    files.emplace_back((fs::path(dir) / (s.id + ".yaml")).generic_string(), SuggestionYaml(report, s));
  }
  if (files.empty()) {
    std::printf("\nnothing to write: no suggestion keeps its lift\n");
    return true;
  }
  std::vector<SuggestList> needed;
  for (const SuggestList& l : lists) {
    if (used_lists.count(l.name)) needed.push_back(l);
  }
  if (!needed.empty()) {
    files.emplace_back((fs::path(dir) / "suggested-lists.yaml").generic_string(), SuggestListsYaml(needed));
  }
  auto options = CompileOptionsFrom(cmd, args);
  if (!options) return false;
  Compiler compiler(*options);
  if (Status st = compiler.AddPath(args.positional()[0]); !st.ok()) {
    Fail(cmd, "cannot read rules: " + st.message());
    return false;
  }
  for (const auto& [path, text] : files) compiler.AddSource(path, text, SourceRole::kRules);
  CompileResult compiled = compiler.Build();
  if (!compiled.ok()) {
    for (const Issue& i : compiled.issues) {
      if (i.severity == Severity::kError) std::fprintf(stderr, "%s\n", i.ToString().c_str());
    }
    Fail(cmd, "the drafts do not compile with " + args.positional()[0] + "; nothing written (please report this)");
    return false;
  }
  TestReport tests = RunInlineTests(*compiled.rule_set, TodayUtc());
  bool failed = false;
  for (const TestFailure& f : tests.failures) {
    if (f.entry_id.rfind("Q-SUGGEST-", 0) != 0) continue;
    std::fprintf(stderr, "%s\n", f.ToString().c_str());
    failed = true;
  }
  if (failed) {
    Fail(cmd, "the inline tests of the drafts fail; nothing written (please report this)");
    return false;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    Fail(cmd, "cannot create " + dir + ": " + ec.message());
    return false;
  }
  std::printf("\n");
  for (const auto& [path, text] : files) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      Fail(cmd, "cannot write " + path);
      return false;
    }
    std::printf("wrote %s\n", path.c_str());
  }
  std::printf("the drafts compile with %s and their inline tests pass\n", args.positional()[0].c_str());
  return true;
}

int RunSuggest(const Args& args) {
  const std::string cmd = "suggest";
  const auto started = std::chrono::steady_clock::now();
  const std::string format = args.get("format", "text");
  if (format != "text" && format != "json") {
    Fail(cmd, "--format takes text or json, not '" + format + "'");
    return kExitUsage;
  }
  if (!args.has("outcomes")) {
    Fail(cmd, "--outcomes FILE is required (the exam outcomes to learn from)");
    return kExitUsage;
  }
  if (!args.has("holdout-from")) {
    Fail(cmd, "--holdout-from DATE is required: records before it are searched, the rest prove the suggestions");
    return kExitUsage;
  }
  SuggestOptions options;
  auto from = ParseDate(args.get("holdout-from"));
  if (!from) {
    Fail(cmd, "--holdout-from '" + args.get("holdout-from") + "' is not a date (YYYY-MM-DD)");
    return kExitUsage;
  }
  options.holdout_from = *from;
  long long max_terms = options.max_terms, top = 20, min_examined = 0, beam = 100;
  if (!ParseCountOption(cmd, args, "max-terms", 1, 5, &max_terms) ||
      !ParseCountOption(cmd, args, "top", 1, 10000, &top) ||
      !ParseCountOption(cmd, args, "min-examined", 1, 1000000000, &min_examined) ||
      !ParseCountOption(cmd, args, "beam", 1, 100000, &beam)) {
    return kExitUsage;
  }
  options.max_terms = static_cast<int>(max_terms);
  options.top = static_cast<std::size_t>(top);
  options.min_examined = static_cast<std::uint64_t>(min_examined);
  options.beam_width = static_cast<std::size_t>(beam);
  options.tokens = args.has("tokens");
  if (args.has("fields")) options.fields = SplitCommas(args.get("fields"));
  for (const std::string& value : args.all("lists")) {
    for (const std::string& spec : SplitCommas(value)) {
      SuggestList list;
      if (!ReadList(cmd, spec, &list)) return kExitUsage;
      for (const SuggestList& l : options.lists) {
        if (l.name == list.name) {
          Fail(cmd, "two list files named " + list.name);
          return kExitUsage;
        }
      }
      options.lists.push_back(std::move(list));
    }
  }
  std::vector<std::string> inputs(args.positional().begin() + 1, args.positional().end());
  for (const std::string& in : inputs) {
    if (in == "-") {
      Fail(cmd, "suggest reads its inputs twice (search, then counting fires): give files, not -");
      return kExitUsage;
    }
  }
  auto as_of = AsOf(cmd, args);
  if (!as_of) return kExitUsage;
  options.as_of = *as_of;
  auto rules = LoadRules(cmd, args.positional()[0], args);
  if (!rules) return kExitUsage;
  PrintFingerprint(cmd, args.positional()[0], *rules);
  auto outcomes = LoadOutcomes(cmd, args, rules->schema());
  if (!outcomes) return kExitUsage;
  const std::vector<SuggestList> lists_copy = options.lists;
  auto created = Suggester::Create(rules, outcomes, std::move(options));
  if (!created.ok()) {
    Fail(cmd, created.status().message());
    return kExitUsage;
  }
  Suggester* suggester = created.value().get();
  std::unique_ptr<Output> out;
  if (!OpenOptionalOutput(cmd, args, "output", &out)) return kExitUsage;

  // Pass 1: score, and keep the examined records.
  RunCounts counts;
  {
    InputSet in(cmd, rules->schema(), args, inputs);
    if (!in.Begin()) return kExitUsage;
    bool ok;
    {
      ScorePipeline pipeline(
          rules, ScoreOptions{*as_of}, ScorePipeline::Options{}, nullptr,
          [suggester](const Record& r, const ScoreResult& res) { suggester->Add(r, res); }, nullptr);
      StreamState* stream = pipeline.stream_scorer() ? pipeline.stream_scorer()->stream() : nullptr;
      if (!LoadState(cmd, args, {stream})) return kExitUsage;
      InputSet::Cursor cursor(&in, &counts);
      pipeline.Run([&cursor](Record* r) { return cursor.Next(r); });
      ok = cursor.ok();
      // As every command that scores: the stream's history goes back to --state.
      if (ok && !SaveState(cmd, args, {stream})) return kExitUsage;
    }
    if (!in.End() || !ok) return kExitUsage;
  }
  PrintSummary(cmd, counts, args);
  PrintOutcomeJoin(cmd, args.get("outcomes"), suggester->outcome_counts(), {});
  const double read_s = Seconds(started);

  // The search.
  const auto search_started = std::chrono::steady_clock::now();
  const bool tty = isatty(fileno(stderr)) != 0;
  auto last = std::chrono::steady_clock::now();
  bool shown = false;
  suggester->Search([&](std::string_view stage, std::uint64_t done, std::uint64_t total) {
    if (!tty) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(250) && done != total) return;
    last = now;
    std::fprintf(stderr, "\rtargeting suggest: search %.*s: %llu/%llu\033[K", static_cast<int>(stage.size()),
                 stage.data(), static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    shown = true;
  });
  if (shown) std::fputs("\r\033[K", stderr);
  const double search_s = Seconds(search_started);

  // Pass 2: where the suggestions fire among all records.
  const auto count_started = std::chrono::steady_clock::now();
  {
    InputSet in(cmd, rules->schema(), args, inputs);
    if (!in.Begin()) return kExitUsage;
    RunCounts again;
    bool ok = in.ForEach([&](const Record& r) { suggester->AddForFired(r); }, &again);
    if (!in.End() || !ok) return kExitUsage;
  }
  const double count_s = Seconds(count_started);
  SuggestReport report = suggester->Report();
  std::fprintf(stderr,
               "targeting suggest: %zu candidate tests, %llu conjunctions counted; read and scored in "
               "%.2f s, searched in %.2f s, fires counted in %.2f s\n",
               report.tests, static_cast<unsigned long long>(report.evaluated), read_s, search_s, count_s);

  if (report.training.examined == 0) {
    std::fprintf(stderr, "targeting suggest: no examined record is dated before %s: nothing to learn from\n",
                 FormatDate(report.holdout_from).c_str());
  }
  if (report.holdout.examined == 0) {
    std::fprintf(stderr, "targeting suggest: no examined record is dated from %s on: no suggestion can keep its lift\n",
                 FormatDate(report.holdout_from).c_str());
  }
  std::string text;
  if (format == "json") AppendSuggestJson(report, &text);
  else text = TextReport(report, args.positional()[0]);
  if (out) {
    if (!WriteAndClose(cmd, out.get(), text)) return kExitUsage;
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
  if (args.has("write") && !WriteDrafts(cmd, args, report, lists_copy, args.get("write"))) {
    return kExitUsage;
  }
  return counts.rejected > 0 ? kExitFindings : kExitOk;
}

std::vector<OptionSpec> SuggestOptionSpecs() {
  std::vector<OptionSpec> o = {
      OutcomesOption(true),
      {"holdout-from", true, "DATE", "(required) records dated before DATE are searched, the rest are the holdout"},
      {"fields", true, "a,b,c", "draw tests from these fields only (default: every field but record_id and the date)"},
      {"max-terms", true, "N", "tests in a conjunction, 1 to 5 (default 3)"},
      {"top", true, "N", "suggestions reported (default 20)"},
      {"min-examined", true, "N", "training exams a conjunction needs (default: promotion.min_examined)"},
      {"beam", true, "N", "conjunctions kept per level of the search (default 100)"},
      {"tokens", false, "", "also try `contains` on frequent words of text fields"},
      {"lists", true, "FILES", "list files for `in` tests: FIELD=FILE, or files written by lists derive"},
      {"write", true, "DIR", "write each suggestion that keeps its lift as a draft query DIR/<id>.yaml"},
      {"format", true, "text|json", "text (default) or json"},
      {"output", true, "FILE", "write the report to FILE instead of standard output", 'o'},
  };
  return RecordCommandOptions(std::move(o));
}

const bool kSuggestRegistered = RegisterCommand(Command{
    CommandSpec{"suggest",
                "RULES INPUT... --outcomes FILE --holdout-from DATE [--fields a,b,c] [--max-terms 3] [--top 20]\n"
                "    [--min-examined N] [--lists FILES] [--write DIR] [--format text|json]",
                "Suggest queries the outcomes argue for: conjunctions of field tests with a high\n"
                "discrepancy rate, found on the records before --holdout-from and proven on the rest.\n\n"
                "Tests come from the schema's types: eq on code, name and string values seen on\n"
                "enough training exams, prefixes of tariff codes (2, 4, 6 digits), lt/ge at the\n"
                "training deciles of number fields, contains on words of text fields (--tokens),\n"
                "and in on list files (--lists). A beam search keeps conjunctions by the Wilson\n"
                "lower bound of their training discrepancy rate (at promotion.confidence, with at\n"
                "least --min-examined exams); a conjunction that does not beat every one of its\n"
                "sub-conjunctions is dropped. Suggestions are ranked by the discrepant training\n"
                "records no active entry finds, and measured on the holdout: one keeps its lift\n"
                "when its holdout interval's low end is above the holdout's base rate.\n\n"
                "--write DIR writes each one that keeps its lift as a kind: query, status: draft\n"
                "entry with its figures and six inline tests from the data; the files are compiled\n"
                "with RULES and their tests run before they are written. The inputs are read twice,\n"
                "so they must be files. Exit 0, 1 when records were rejected, 2 when the command\n"
                "cannot run (docs/measurement.md, \"Suggest\").\n\n"
                "example:\n"
                "  targeting suggest rules/ corpus/manifest.csv --outcomes corpus/outcomes.csv \\\\\n"
                "      --holdout-from 2026-06-01 --as-of 2026-09-30 --write suggested",
                SuggestOptionSpecs(), 2, -1},
    38, RunSuggest});

}  // namespace
}  // namespace targeting::cli
