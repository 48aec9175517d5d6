// Suggesting queries from outcomes (`targeting suggest`): subgroup discovery
// over the examined records of a training period, proven on a later holdout.
//
//   pass 1: (Record, ScoreResult) ──Suggester::Add──> examined records kept
//           Suggester::Search ──> candidate tests, beam search, the top conjunctions
//   pass 2: Record ──Suggester::AddForFired──> fired counts over every record
//           Suggester::Report ──> SuggestReport ──> JSON, draft query files
//
// The decisions (which tests, the quality measure, pruning, ranking, what
// the holdout figures mean) are written down in docs/measurement.md,
// "Suggest".
#ifndef TARGETING_SUGGEST_H_
#define TARGETING_SUGGEST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targeting/measure.h"
#include "targeting/record.h"
#include "targeting/rules.h"
#include "targeting/score.h"
#include "targeting/status.h"

namespace targeting {

// A named list of values that a suggestion may test a field against with
// `in: {list: NAME}`. Values are normalized by the field's type.
struct SuggestList {
  std::string name;   // [A-Za-z0-9_.-]+
  std::string field;  // a non-numeric field of the schema
  std::vector<std::string> values;
};

struct SuggestOptions {
  // Records dated before it are training, the rest holdout. A record without
  // a date is dated `as_of`, as for `effective` windows.
  Days holdout_from = 0;
  Days as_of = TodayUtc();
  // The fields tests are drawn from; empty: every field of the schema but
  // record_id and the date field.
  std::vector<std::string> fields;
  int max_terms = 3;                 // 1 .. 5
  std::size_t top = 20;              // suggestions reported
  std::uint64_t min_examined = 0;    // support; 0: the rule set's promotion.min_examined
  std::size_t beam_width = 100;      // conjunctions kept per level of the search
  bool tokens = false;               // `contains` tests on frequent words of text fields
  std::vector<SuggestList> lists;    // `in` tests
};

enum class SuggestOp : std::uint8_t { kEq, kPrefix, kLt, kGe, kContains, kInList };
const char* SuggestOpName(SuggestOp op);  // "eq", "prefix", "lt", "ge", "contains", "in"

// One field test of a suggestion. Value type.
struct SuggestTerm {
  int field = -1;
  std::string field_name;
  SuggestOp op = SuggestOp::kEq;
  std::string value;  // eq, prefix, contains: the normalized operand; in: the list name
  double number = 0;  // lt, ge
};

// Records, exams and discrepancies of one side of the split.
struct SplitCounts {
  std::uint64_t records = 0;
  std::uint64_t examined = 0;
  std::uint64_t discrepant = 0;
  std::optional<double> base_rate;  // discrepant / examined; null without exams
};

// What a suggestion does on one side of the split.
struct SubgroupFigures {
  std::uint64_t fired = 0;     // records it holds on
  std::uint64_t examined = 0;  // of those, examined
  std::uint64_t discrepant = 0;
  std::optional<double> rate, ci_low, ci_high, lift;  // lift over the side's base rate
  std::uint64_t new_discrepant = 0;  // discrepant, and no active entry fired
};

struct Suggestion {
  std::string id;  // Q-SUGGEST- and 8 hex digits of a hash of its condition
  std::vector<SuggestTerm> terms;  // in field order of the schema
  double quality = 0;  // the training Wilson lower bound the search ranked on
  SubgroupFigures train, holdout;
  bool keeps_lift = false;  // holdout ci_low > the holdout's base rate
  // Real records of the data: examined records it holds on (discrepant ones
  // first), and records it does not hold on that meet all but one term.
  std::vector<Record> fires, not_fires;
};

struct SuggestReport {
  std::string fingerprint;
  double confidence = 0.95;
  std::uint64_t min_examined = 0;
  int max_terms = 3;
  Days holdout_from = 0;
  SplitCounts training, holdout;
  std::size_t fields = 0;       // fields tests were drawn from
  std::size_t tests = 0;        // candidate tests
  std::uint64_t evaluated = 0;  // conjunctions counted
  std::uint64_t pool = 0;       // conjunctions that passed pruning with new discrepancies
  std::vector<Suggestion> suggestions;  // ranked
};

// Finds conjunctions of field tests whose discrepancy rate on the training
// period's examined records is high and that find discrepancies no active
// entry finds, and measures them on the holdout. Not thread-safe; one per
// run. Memory grows with the number of examined records (each is kept), not
// with the number of records.
class Suggester {
 public:
  // Errors when an option is out of range, a field is unknown or has a type
  // no test is drawn from, or a list names an unknown field.
  static Result<std::unique_ptr<Suggester>> Create(std::shared_ptr<const RuleSet> rules,
                                                   std::shared_ptr<const Outcomes> outcomes,
                                                   SuggestOptions options);
  ~Suggester();
  Suggester(const Suggester&) = delete;
  Suggester& operator=(const Suggester&) = delete;

  // Pass 1: every scored record, in input order, with its result from the
  // rule set given to Create.
  void Add(const Record& record, const ScoreResult& result);
  // Builds the candidate tests and runs the search. `progress`, when given,
  // is called now and then with what is being done and how far it is.
  void Search(const std::function<void(std::string_view stage, std::uint64_t done,
                                       std::uint64_t total)>& progress = nullptr);
  // Pass 2 (after Search): every record again, to count where the
  // suggestions fire among all records, examined or not.
  void AddForFired(const Record& record);
  // The report; after Search (and pass 2 for `fired`).
  SuggestReport Report() const;
  // The outcomes joined, for the summary of the join.
  OutcomeCounts outcome_counts() const;

 private:
  Suggester();
  struct State;
  std::unique_ptr<State> s_;
};

// Whether `term` holds on `record`, with the semantics of SPEC section 4
// (false on a missing value; on a list field, when it holds for one element).
// `lists` are the lists named by kInList terms, their values normalized and
// sorted (as Suggester keeps them).
bool SuggestTermHolds(const SuggestTerm& term, const Record& record,
                      const std::vector<SuggestList>& lists);

// The condition as a rule file holds it, as JSON (which YAML reads too):
// {"FIELD": TEST} for one term, {"all": [...]} for more.
std::string SuggestionWhenJson(const Suggestion& s);
// "port_of_lading = KRICN and hts_code prefix 9503", for people.
std::string SuggestionText(const Suggestion& s);

// The report as JSON: {"fingerprint", "training", "holdout", "suggestions":
// [{"id", "when", "train", "holdout", "keeps_lift"}]}, one suggestion a line.
void AppendSuggestJson(const SuggestReport& report, std::string* out);

// A rule file with `s` as a `kind: query`, `status: draft` entry: its id, a
// description with its training and holdout figures, its condition, and its
// fires / not_fires records as inline tests. Lists its condition names
// (`lists`) are not defined here: see SuggestListsYaml.
std::string SuggestionYaml(const SuggestReport& report, const Suggestion& s);
// A rule file that defines `lists` (with their values) and no entries, for
// written suggestions that test `in: {list: NAME}`.
std::string SuggestListsYaml(const std::vector<SuggestList>& lists);

}  // namespace targeting

#endif  // TARGETING_SUGGEST_H_
