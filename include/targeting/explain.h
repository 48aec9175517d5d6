// Why an entry fired or did not on a record: the condition tree with each
// node's truth value and the record's normalized values at each leaf.
#ifndef TARGETING_EXPLAIN_H_
#define TARGETING_EXPLAIN_H_

#include <string>
#include <vector>

#include "targeting/record.h"
#include "targeting/rules.h"
#include "targeting/stream.h"

namespace targeting {

// One node of an explained condition, in pre-order. Value type.
struct ExplainNode {
  int depth = 0;            // 0 for the root
  std::string label;        // "all", "not", "hts_code prefix [\"420221\"]", ...
  bool holds = false;
  bool leaf = false;
  std::string field;        // leaves: the field tested ("" for effective without a date field)
  std::vector<std::string> values;  // leaves: the record's normalized values; empty = missing
  int line = 0;             // where the node is written
  int column = 0;
  // similar leaves with a value: the operand most like one of the values
  // (the first of the best), its similarity and the test's min. similarity
  // is -1 on other nodes.
  std::string best_operand;
  double similarity = -1;
  double min = 0;
  // Aggregate leaves (SPEC section 8): the record's key (the normalized
  // values of the `by` fields; empty when one is missing), the measure's
  // value for the record (when it has a key and measures were given) and the
  // test, e.g. "sum declared_value_usd gt 800".
  bool aggregate = false;
  std::vector<std::string> key;
  bool measured = false;
  double measure = 0;
  std::string test;
};

// The explanation of one entry on one record. Value type.
struct Explanation {
  int entry = -1;         // index into RuleSet::entries()
  bool holds = false;     // the whole condition (scope, effective and when) holds
  bool fires = false;     // holds and the entry is scored (active or shadow)
  Days as_of = 0;
  std::vector<ExplainNode> nodes;
};

// Evaluates every node (no short-circuit, so each has a truth value).
// Preconditions: `record` was built with `rules.schema()`, 0 <= entry < entries().size().
// Thread-safe (reads the RuleSet only).
Explanation Explain(const RuleSet& rules, const Record& record, int entry, Days as_of);
// The same, with the record's aggregate measures (ScoreResult::measures from
// the scorer that scored it); without them every aggregate leaf is false.
Explanation Explain(const RuleSet& rules, const Record& record, int entry, Days as_of,
                    const AggregateMeasures* measures);

// Indented text, one node per line, for people.
std::string FormatExplanation(const RuleSet& rules, const Explanation& explanation);
// A JSON object {"id":..., "fires":..., "holds":..., "tree":[...]}.
void AppendExplanationJson(const RuleSet& rules, const Explanation& explanation, std::string* out);

}  // namespace targeting

#endif  // TARGETING_EXPLAIN_H_
