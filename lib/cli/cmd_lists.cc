// targeting lists derive --outcomes F INPUT... --field FIELD: a list file of
// the values found on discrepant records, with its provenance, for a rule
// set to use; the same inputs give the same bytes.
#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"
#include "targeting/measure.h"

namespace targeting::cli {
namespace {

int RunLists(const Args& args) {
  const std::string cmd = "lists";
  if (args.positional()[0] != "derive") {
    Fail(cmd, "unknown subcommand '" + args.positional()[0] + "' (lists derive is the one there is)");
    return kExitUsage;
  }
  if (args.positional().size() < 2) {
    Fail(cmd, "usage: targeting lists derive --outcomes FILE INPUT... --field FIELD -o FILE");
    return kExitUsage;
  }
  if (!args.has("outcomes") || !args.has("field") || !args.has("output")) {
    Fail(cmd, "lists derive needs --outcomes FILE, --field FIELD and -o FILE");
    return kExitUsage;
  }
  DeriveListOptions options;
  options.field = args.get("field");
  if (args.has("min-discrepant")) {
    auto n = ParseCount(args.get("min-discrepant"));
    if (!n || *n < 1) {
      Fail(cmd, "--min-discrepant needs a whole number >= 1");
      return kExitUsage;
    }
    options.min_discrepant = static_cast<std::uint64_t>(*n);
  }
  if (args.has("since")) {
    auto d = ParseDate(args.get("since"));
    if (!d) {
      Fail(cmd, "--since '" + args.get("since") + "' is not a date (YYYY-MM-DD)");
      return kExitUsage;
    }
    options.since = d;
  }
  auto reader = ReaderOptionsFrom(cmd, args);
  if (!reader) return kExitUsage;
  options.reader = *reader;
  std::shared_ptr<const RuleSet> rules;
  if (args.has("rules")) {
    rules = LoadRules(cmd, args.get("rules"), args);
    if (!rules) return kExitUsage;
  }
  const Schema& schema = rules ? rules->schema() : Schema::Manifest();
  std::vector<std::string> inputs(args.positional().begin() + 1, args.positional().end());
  auto list = DeriveList(schema, inputs, args.get("outcomes"), options);
  if (!list.ok()) {
    Fail(cmd, list.status().message());
    return kExitUsage;
  }
  std::unique_ptr<Output> out;
  if (!OpenOptionalOutput(cmd, args, "output", &out) || !WriteAndClose(cmd, out.get(), list.value().text)) {
    return kExitUsage;
  }
  std::fprintf(stderr, "targeting lists: %zu values of %s on >= %llu discrepant records (of %llu discrepant, %llu records read) to %s\n",
               list.value().values.size(), options.field.c_str(),
               static_cast<unsigned long long>(options.min_discrepant),
               static_cast<unsigned long long>(list.value().discrepant),
               static_cast<unsigned long long>(list.value().records), args.get("output").c_str());
  return list.value().rejected > 0 ? kExitFindings : kExitOk;
}

const bool kListsRegistered = RegisterCommand(Command{
    CommandSpec{"lists", "derive --outcomes FILE INPUT... --field FIELD [--min-discrepant N] [--since DATE] -o FILE",
                "Derive a list file from exam outcomes: the values of FIELD on at least N\n"
                "discrepant records (default 2), for a rule set's `lists:` to name.\n\n"
                "The file starts with its provenance as # comments: the sha256 of every input and\n"
                "of the outcomes, the parameters and the latest date counted; then one normalized\n"
                "value a line, in byte order. The same inputs give the same bytes, so a\n"
                "repeat-violator list stays current without anyone editing it by hand. Records\n"
                "are read in the built-in schema, or RULES's with --rules. Exit 0, 1 when records\n"
                "were rejected, 2 when the command cannot run.\n\n"
                "example:\n"
                "  targeting lists derive --outcomes outcomes.csv manifest.csv --field importer_id \\\\\n"
                "      --min-discrepant 2 -o rules/lists/derived-repeat-importers.txt",
                [] {
                  std::vector<OptionSpec> o = {
                      {"outcomes", true, "FILE", "the exam outcomes (SPEC section 6) (required)"},
                      {"field", true, "FIELD", "the field whose values to list (required)"},
                      {"min-discrepant", true, "N", "discrepant records a value needs (default 2)"},
                      {"since", true, "DATE", "only records dated on or after DATE"},
                      {"rules", true, "RULES", "read records in this rule set's schema"},
                      {"output", true, "FILE", "the list file to write (required)", 'o'},
                  };
                  for (OptionSpec& s : ReaderLimitOptions()) o.push_back(std::move(s));
                  for (OptionSpec& s : LimitOptions()) o.push_back(std::move(s));
                  return o;
                }(),
                1, -1},
    75, RunLists});

}  // namespace
}  // namespace targeting::cli
