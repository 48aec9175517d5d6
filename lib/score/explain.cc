// Explanations walk the same compiled tree as the reference evaluator and
// reuse its predicate test, so an explanation can never disagree with a score.
#include "targeting/explain.h"

#include <cstdio>
#include <cstdlib>

#include "eval/jaro_winkler.h"
#include "load/normalize.h"
#include "plan/ruleset_data.h"
#include "eval/evaluate.h"
#include "util/json_writer.h"

namespace targeting {

namespace {

using internal::Node;

std::vector<std::string> ValuesOf(const Schema& schema, const Record& record, int field) {
  std::vector<std::string> values;
  if (field < 0) return values;
  const FieldType type = schema.field(field).type;
  for (int i = 0; i < record.count(field); ++i) {
    if (type == FieldType::kDate) {
      values.push_back(FormatDate(static_cast<Days>(record.num(field, i))));
    } else if (type == FieldType::kNumber) {
      values.push_back(internal::FormatNumber(record.num(field, i)));
    } else {
      values.emplace_back(record.str(field, i));
    }
  }
  return values;
}

// An aggregate leaf: its key on this record, the measure and the test.
void DescribeAggregate(const internal::RuleSetData& data, const internal::Predicate& p,
                       const Record& record, const AggregateMeasures* measures, ExplainNode* leaf) {
  const internal::AggregateDef& def = data.aggregates[static_cast<std::size_t>(p.aggregate)];
  leaf->aggregate = true;
  bool complete = true;
  for (int f : def.by) {
    std::vector<std::string> v = ValuesOf(data.schema, record, f);
    if (v.empty()) {
      complete = false;
      break;
    }
    leaf->key.push_back(v[0]);
  }
  if (!complete) leaf->key.clear();
  const auto a = static_cast<std::size_t>(p.aggregate);
  if (complete && measures && a < measures->keyed.size() && measures->keyed[a]) {
    leaf->measured = true;
    leaf->measure = measures->value[a];
  }
  static const char* kOps[] = {"eq", "ne", "lt", "le", "gt", "ge", "between"};
  leaf->test = def.measure == internal::AggregateDef::Measure::kCount ? "count"
               : def.measure == internal::AggregateDef::Measure::kSum ? "sum"
                                                                       : "distinct";
  if (def.field >= 0) leaf->test += " " + data.schema.field(def.field).name;
  for (const internal::MeasureTest& t : p.measure_tests) {
    leaf->test += std::string(" ") + kOps[static_cast<int>(t.kind)] + " ";
    if (t.kind == internal::MeasureTest::Kind::kBetween) {
      leaf->test += "[" + internal::FormatNumber(t.a) + ", " + internal::FormatNumber(t.b) + "]";
    } else {
      leaf->test += internal::FormatNumber(t.a);
    }
  }
}

bool Walk(const internal::RuleSetData& data, int id, int depth, const Record& record, Days as_of,
          const AggregateMeasures* measures, std::vector<ExplainNode>* out) {
  const Node& n = data.nodes[static_cast<std::size_t>(id)];
  const std::size_t at = out->size();
  out->push_back(ExplainNode{depth, data.LabelOf(n), false, n.kind == Node::Kind::kLeaf, "", {}, n.line, n.column});
  bool holds = false;
  if (n.kind == Node::Kind::kLeaf) {
    const internal::Predicate& p = data.predicates[static_cast<std::size_t>(n.pred)];
    holds = internal::EvalPredicate(p, record, as_of, measures);
    ExplainNode& leaf = (*out)[at];
    if (p.op == internal::Op::kAggregate) DescribeAggregate(data, p, record, measures, &leaf);
    if (p.field >= 0) leaf.field = data.schema.field(p.field).name;
    leaf.values = ValuesOf(data.schema, record, p.field);
    if (p.op == internal::Op::kSimilar && p.field >= 0) {
      // The reference's comparison with every operand, keeping the best.
      for (int i = 0; i < record.count(p.field); ++i) {
        for (const std::string& operand : p.strs) {
          const double sim = internal::JaroWinkler(record.str(p.field, i), operand);
          if (sim > leaf.similarity) {
            leaf.similarity = sim;
            leaf.best_operand = operand;
          }
        }
      }
      leaf.min = p.nums[0];
    }
    if (p.op == internal::Op::kEffective && leaf.values.empty()) {
      leaf.values.push_back(FormatDate(as_of) + " (as-of; the record has no date)");
    }
  } else {
    int count = 0;
    for (std::uint32_t i = 0; i < n.child_count; ++i) {
      count += Walk(data, static_cast<int>(data.children[n.first_child + i]), depth + 1, record,
                    as_of, measures, out);
    }
    const int k = static_cast<int>(n.child_count);
    switch (n.kind) {
      case Node::Kind::kAll: holds = count == k; break;
      case Node::Kind::kAny: holds = count > 0; break;
      case Node::Kind::kNot: holds = count == 0; break;
      case Node::Kind::kAtLeast: holds = count >= n.at_least; break;
      case Node::Kind::kLeaf: break;
    }
  }
  (*out)[at].holds = holds;
  return holds;
}

// "0.967 >= 0.92": three decimals, or all the digits when three would show
// the comparison the wrong way round (0.9199 is not >= 0.92).
std::string SimilarityText(const ExplainNode& n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", n.similarity);
  const bool holds = n.similarity >= n.min;
  if ((std::strtod(buf, nullptr) >= n.min) != holds) {
    std::snprintf(buf, sizeof buf, "%.17g", n.similarity);
  }
  return std::string(buf) + (holds ? " >= " : " < ") + internal::FormatNumber(n.min);
}

}  // namespace

Explanation Explain(const RuleSet& rules, const Record& record, int entry, Days as_of) {
  return Explain(rules, record, entry, as_of, nullptr);
}

Explanation Explain(const RuleSet& rules, const Record& record, int entry, Days as_of,
                    const AggregateMeasures* measures) {
  const internal::RuleSetData& data = rules.data();
  Explanation ex;
  ex.entry = entry;
  ex.as_of = as_of;
  if (entry < 0 || entry >= static_cast<int>(data.entries.size()) ||
      !record.schema().SameAs(rules.schema())) {
    return ex;
  }
  ex.holds = Walk(data, data.code[static_cast<std::size_t>(entry)].root, 0, record, as_of, measures,
                  &ex.nodes);
  const EntryStatus st = data.entries[static_cast<std::size_t>(entry)].status;
  ex.fires = ex.holds && (st == EntryStatus::kActive || st == EntryStatus::kShadow);
  return ex;
}

std::string FormatExplanation(const RuleSet& rules, const Explanation& ex) {
  if (ex.entry < 0) return "";
  const EntryInfo& e = rules.entries()[static_cast<std::size_t>(ex.entry)];
  std::string out = e.id + " (" + EntryKindName(e.kind) + " v" + std::to_string(e.version) + ", " +
                    EntryStatusName(e.status) + ", weight " + internal::FormatNumber(e.weight) +
                    ", " + e.file + ":" + std::to_string(e.line) + "): ";
  if (ex.fires) {
    out += "FIRES";
  } else if (ex.holds) {
    out += "holds, but a draft entry is not scored";
  } else {
    out += "does not fire";
  }
  out += '\n';
  for (const ExplainNode& n : ex.nodes) {
    out.append(static_cast<std::size_t>(2 + 2 * n.depth), ' ');
    out += n.holds ? "[yes] " : "[no]  ";
    out += n.label;
    if (n.leaf && n.aggregate) {
      out += "   <- key ";
      if (n.key.empty()) {
        out += "(missing: the aggregate does not hold)";
      } else {
        out += '[';
        for (std::size_t i = 0; i < n.key.size(); ++i) {
          if (i) out += ", ";
          internal::AppendJsonString(n.key[i], &out);
        }
        out += ']';
        out += n.measured ? ", measure " + internal::FormatNumber(n.measure)
                          : std::string(", not measured (no stream)");
        out += ", test " + n.test;
      }
    } else if (n.leaf) {
      out += "   <- ";
      if (!n.field.empty()) out += n.field + " = ";
      if (n.values.empty()) {
        out += "(missing)";
      } else {
        for (std::size_t i = 0; i < n.values.size(); ++i) {
          if (i) out += ", ";
          std::string quoted;
          internal::AppendJsonString(n.values[i], &quoted);
          out += quoted;
        }
      }
      if (n.similarity >= 0) {
        std::string quoted;
        internal::AppendJsonString(n.best_operand, &quoted);
        out += "   (" + n.field + " ~ " + quoted + " " + SimilarityText(n) + ")";
      }
    }
    out += "  (line " + std::to_string(n.line) + ")\n";
  }
  return out;
}

void AppendExplanationJson(const RuleSet& rules, const Explanation& ex, std::string* out) {
  using internal::AppendJsonString;
  out->append("{\"id\":");
  AppendJsonString(ex.entry >= 0 ? rules.entries()[static_cast<std::size_t>(ex.entry)].id : "", out);
  out->append(ex.fires ? ",\"fires\":true" : ",\"fires\":false");
  out->append(ex.holds ? ",\"holds\":true" : ",\"holds\":false");
  out->append(",\"as_of\":\"" + FormatDate(ex.as_of) + "\",\"tree\":[");
  for (std::size_t i = 0; i < ex.nodes.size(); ++i) {
    const ExplainNode& n = ex.nodes[i];
    if (i) out->push_back(',');
    out->append("{\"depth\":" + std::to_string(n.depth) + ",\"label\":");
    AppendJsonString(n.label, out);
    out->append(n.holds ? ",\"holds\":true" : ",\"holds\":false");
    out->append(",\"line\":" + std::to_string(n.line));
    if (n.leaf && n.aggregate) {
      out->append(",\"aggregate\":{\"key\":");
      if (n.key.empty()) {
        out->append("null");
      } else {
        out->push_back('[');
        for (std::size_t k = 0; k < n.key.size(); ++k) {
          if (k) out->push_back(',');
          AppendJsonString(n.key[k], out);
        }
        out->push_back(']');
      }
      out->append(",\"value\":");
      if (n.measured) {
        internal::AppendJsonNumber(n.measure, out);
      } else {
        out->append("null");
      }
      out->append(",\"test\":");
      AppendJsonString(n.test, out);
      out->push_back('}');
    } else if (n.leaf) {
      out->append(",\"field\":");
      AppendJsonString(n.field, out);
      out->append(",\"values\":[");
      for (std::size_t k = 0; k < n.values.size(); ++k) {
        if (k) out->push_back(',');
        AppendJsonString(n.values[k], out);
      }
      out->push_back(']');
      if (n.similarity >= 0) {
        out->append(",\"similar\":{\"operand\":");
        AppendJsonString(n.best_operand, out);
        out->append(",\"similarity\":");
        internal::AppendNumber(n.similarity, out);
        out->append(",\"min\":");
        internal::AppendNumber(n.min, out);
        out->push_back('}');
      }
    }
    out->push_back('}');
  }
  out->append("]}");
}

}  // namespace targeting
