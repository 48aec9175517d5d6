// The `aggregate` condition (SPEC section 8): checks its definition, interns
// one AggregateDef per distinct (by, days, where, measure, field) and one
// predicate per distinct test on it. Every mistake of one aggregate is
// reported, not just the first.
#include <algorithm>

#include "check/conditions.h"
#include "load/normalize.h"

namespace targeting::internal {

namespace {

const std::vector<std::string>& TestOperators() {
  static const std::vector<std::string> kNames = {"eq", "ne", "lt", "le", "gt", "ge", "between"};
  return kNames;
}

const char* MeasureName(AggregateDef::Measure m) {
  switch (m) {
    case AggregateDef::Measure::kCount: return "count";
    case AggregateDef::Measure::kSum: return "sum";
    case AggregateDef::Measure::kDistinct: return "distinct";
  }
  return "?";
}

}  // namespace

bool UsesAggregate(const RuleSetData& data, int node) {
  const Node& n = data.nodes[static_cast<std::size_t>(node)];
  if (n.kind == Node::Kind::kLeaf) {
    return data.predicates[static_cast<std::size_t>(n.pred)].op == Op::kAggregate;
  }
  for (std::uint32_t i = 0; i < n.child_count; ++i) {
    if (UsesAggregate(data, static_cast<int>(data.children[n.first_child + i]))) return true;
  }
  return false;
}

// The canonical text of a condition subtree (predicate keys and shape), as
// the fingerprint writes it, so that two `where`s are one when they test the
// same things the same way.
std::string ConditionCompiler::ConditionKey(int node) const {
  const Node& n = data_->nodes[static_cast<std::size_t>(node)];
  std::string out;
  switch (n.kind) {
    case Node::Kind::kLeaf: {
      const std::string& k = data_->predicates[static_cast<std::size_t>(n.pred)].key;
      return "p" + std::to_string(k.size()) + ":" + k;
    }
    case Node::Kind::kAll: out = "all("; break;
    case Node::Kind::kAny: out = "any("; break;
    case Node::Kind::kNot: out = "not("; break;
    case Node::Kind::kAtLeast: out = "atleast" + std::to_string(n.at_least) + "("; break;
  }
  for (std::uint32_t i = 0; i < n.child_count; ++i) {
    out += ConditionKey(static_cast<int>(data_->children[n.first_child + i]));
  }
  out += ')';
  return out;
}

bool ConditionCompiler::ReadMeasureTests(const std::vector<MapItem>& items, const std::string& what,
                                         std::vector<MeasureTest>* tests, std::string* text) {
  bool ok = true;
  for (const MapItem& op : items) {
    if (op.key == "field") continue;
    auto kind_of = [](const std::string& k) {
      using K = MeasureTest::Kind;
      if (k == "eq") return K::kEq;
      if (k == "ne") return K::kNe;
      if (k == "lt") return K::kLt;
      if (k == "le") return K::kLe;
      if (k == "gt") return K::kGt;
      if (k == "ge") return K::kGe;
      return K::kBetween;
    };
    if (std::find(TestOperators().begin(), TestOperators().end(), op.key) ==
        TestOperators().end()) {
      diag_->Error(op.key_node, "unknown operator '" + op.key + "' in the test of " + what +
                                    "; it takes eq, ne, lt, le, gt, ge or between" +
                                    Suggest(op.key, TestOperators()));
      ok = false;
      continue;
    }
    MeasureTest t;
    t.kind = kind_of(op.key);
    auto number = [&](const ytree::Node& n, double* out) {
      if (!n.IsScalar()) {
        diag_->Error(n, "the operand of " + op.key + " in " + what + " must be a number, not " +
                            NodeKindName(n));
        return false;
      }
      auto v = ParseNumber(TrimSpaces(n.Scalar()));
      if (!v) {
        diag_->Error(n, "the operand of " + op.key + " in " + what + " must be a number, not '" +
                            std::string(n.Scalar()) + "'");
        return false;
      }
      *out = *v;
      return true;
    };
    if (t.kind == MeasureTest::Kind::kBetween) {
      if (!op.value.IsSequence() || op.value.size() != 2) {
        diag_->Error(op.value, "the operand of between in " + what +
                                   " must be a sequence [low, high] of two numbers");
        ok = false;
        continue;
      }
      bool lo = number(op.value[0], &t.a);
      bool hi = number(op.value[1], &t.b);
      if (!lo || !hi) {
        ok = false;
        continue;
      }
      if (t.a > t.b) {
        diag_->Error(op.value, "between [" + FormatNumber(t.a) + ", " + FormatNumber(t.b) +
                                   "] in " + what + " is out of order: low must be <= high");
        ok = false;
        continue;
      }
    } else if (!number(op.value, &t.a)) {
      ok = false;
      continue;
    }
    tests->push_back(t);
  }
  if (!ok) return false;
  if (tests->empty()) return false;  // reported by the caller
  // Canonical order, so {ge: 3, lt: 10} and {lt: 10, ge: 3} are one test.
  std::sort(tests->begin(), tests->end(), [](const MeasureTest& x, const MeasureTest& y) {
    if (x.kind != y.kind) return x.kind < y.kind;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });
  for (const MeasureTest& t : *tests) {
    if (!text->empty()) text->push_back(' ');
    text->append(TestOperators()[static_cast<std::size_t>(t.kind)]);
    text->push_back(' ');
    if (t.kind == MeasureTest::Kind::kBetween) {
      text->append("[" + FormatNumber(t.a) + ", " + FormatNumber(t.b) + "]");
    } else {
      text->append(FormatNumber(t.a));
    }
  }
  return true;
}

int ConditionCompiler::CompileAggregate(const MapItem& item, int depth) {
  const Schema& schema = data_->schema;
  bool ok = true;
  if (in_where_) {
    diag_->Error(item.key_node, "an aggregate may not appear inside the 'where' of an aggregate");
    return -1;
  }
  if (schema.date_field() < 0) {
    diag_->Error(item.key_node,
                 "an aggregate needs the schema's date_field, and this schema has none");
    ok = false;
  }
  static const std::vector<std::string> kKeys = {"by", "days", "where", "count", "sum", "distinct"};
  auto items = diag_->Map(item.value, "an aggregate", kKeys);
  if (!items) return -1;
  if (items->size() != item.value.size()) ok = false;  // unknown keys were reported
  AggregateDef def;
  const MapItem* by = nullptr;
  const MapItem* days = nullptr;
  const MapItem* where = nullptr;
  std::vector<const MapItem*> measures;
  for (const MapItem& i : *items) {
    if (i.key == "by") by = &i;
    if (i.key == "days") days = &i;
    if (i.key == "where") where = &i;
    if (i.key == "count" || i.key == "sum" || i.key == "distinct") measures.push_back(&i);
  }
  // by: one or more fields that are not list fields.
  std::vector<std::string> by_names;
  if (!by) {
    diag_->Error(item.key_node, "an aggregate needs 'by': the fields of its key");
    ok = false;
  } else {
    std::vector<ytree::Node> names;
    if (by->value.IsScalar()) {
      names.push_back(by->value);
    } else if (by->value.IsSequence()) {
      for (const ytree::Node& n : by->value) names.push_back(n);
      if (names.empty()) {
        diag_->Error(by->value, "'by' is empty; name one or more fields");
        ok = false;
      }
    } else {
      diag_->Error(by->value, std::string("'by' must be a field or a sequence of fields, not ") +
                                  NodeKindName(by->value));
      ok = false;
    }
    for (const ytree::Node& n : names) {
      if (!n.IsScalar()) {
        diag_->Error(n, std::string("each field of 'by' must be a name, not ") + NodeKindName(n));
        ok = false;
        continue;
      }
      const std::string name(n.Scalar());
      const int f = schema.Find(name);
      if (f < 0) {
        std::vector<std::string> all;
        for (const FieldDef& fd : schema.fields()) all.push_back(fd.name);
        diag_->Error(n, "unknown field '" + name + "' in 'by'" + Suggest(name, all));
        ok = false;
        continue;
      }
      if (schema.field(f).list) {
        diag_->Error(n, "'" + name + "' is a list field; 'by' takes fields with one value");
        ok = false;
        continue;
      }
      if (std::find(def.by.begin(), def.by.end(), f) != def.by.end()) {
        diag_->Error(n, "'" + name + "' is named twice in 'by'");
        ok = false;
        continue;
      }
      def.by.push_back(f);
      by_names.push_back(name);
    }
  }
  // days: a whole number >= 1.
  if (!days) {
    diag_->Error(item.key_node, "an aggregate needs 'days': its window, a whole number >= 1");
    ok = false;
  } else {
    auto n = diag_->Integer(days->value, "days");
    if (!n) {
      ok = false;
    } else if (*n < 1 || *n > 36500) {
      diag_->Error(days->value, "days must be a whole number from 1 to 36500, not " +
                                    std::to_string(*n));
      ok = false;
    } else {
      def.days = static_cast<int>(*n);
    }
  }
  // where: a condition without aggregates, evaluated without scope/effective.
  if (where) {
    in_where_ = true;
    def.where = CompileNode(where->value, depth + 1);
    in_where_ = false;
    if (def.where < 0) ok = false;
  }
  // Exactly one measure, with its test.
  std::vector<MeasureTest> tests;
  std::string test_text;
  if (measures.empty()) {
    diag_->Error(item.key_node, "an aggregate needs one measure: count, sum or distinct");
    ok = false;
  }
  if (measures.size() > 1) {
    diag_->Error(measures[1]->key_node, "an aggregate takes one measure, not both '" +
                                            measures[0]->key + "' and '" + measures[1]->key + "'");
    ok = false;
  }
  // Each measure given is checked, so that every mistake is reported at once.
  for (std::size_t mi = 0; mi < measures.size(); ++mi) {
    const MapItem& m = *measures[mi];
    if (mi > 0) tests.clear();
    if (mi > 0) test_text.clear();
    def.measure = m.key == "count" ? AggregateDef::Measure::kCount
                  : m.key == "sum" ? AggregateDef::Measure::kSum
                                   : AggregateDef::Measure::kDistinct;
    if (!m.value.IsMap()) {
      diag_->Error(m.value, m.key == "count"
                                ? "count takes a test such as {ge: 3}, not " +
                                      std::string(NodeKindName(m.value))
                                : m.key + " takes {field: F, TEST} such as {field: F, gt: 800}, not " +
                                      std::string(NodeKindName(m.value)));
      ok = false;
    } else if (auto ops = diag_->Map(m.value, m.key, {})) {
      const MapItem* field = nullptr;
      for (const MapItem& o : *ops) {
        if (o.key == "field") field = &o;
      }
      if (m.key == "count" && field) {
        diag_->Error(field->key_node, "count takes no field; it counts records");
        ok = false;
      }
      if (m.key != "count") {
        if (!field) {
          diag_->Error(m.key_node, m.key + " needs 'field': the field it measures");
          ok = false;
        } else if (!field->value.IsScalar()) {
          diag_->Error(field->value, "'field' must be a field name");
          ok = false;
        } else {
          const std::string name(field->value.Scalar());
          const int f = schema.Find(name);
          if (f < 0) {
            std::vector<std::string> all;
            for (const FieldDef& fd : schema.fields()) all.push_back(fd.name);
            diag_->Error(field->value, "unknown field '" + name + "' in " + m.key + Suggest(name, all));
            ok = false;
          } else if (m.key == "sum" && schema.field(f).type != FieldType::kNumber) {
            diag_->Error(field->value, "sum needs a number field; '" + name + "' is a " +
                                           FieldTypeName(schema.field(f).type) + " field");
            ok = false;
          } else {
            def.field = f;
          }
        }
      }
      const bool any_test = std::any_of(ops->begin(), ops->end(),
                                        [](const MapItem& o) { return o.key != "field"; });
      if (!any_test) {
        diag_->Error(m.key_node,
                     m.key + " needs a test: one or more of eq, ne, lt, le, gt, ge, between");
        ok = false;
      } else if (!ReadMeasureTests(*ops, m.key, &tests, &test_text)) {
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (!ok) return -1;

  // Intern the definition, then the test on it.
  const char* measure = MeasureName(def.measure);
  def.key = "by=";
  for (std::size_t i = 0; i < by_names.size(); ++i) {
    if (i) def.key += ',';
    def.key += std::to_string(by_names[i].size()) + ":" + by_names[i];
  }
  def.key += ";days=" + std::to_string(def.days);
  def.key += ";where=" + (def.where >= 0 ? ConditionKey(def.where) : std::string("*"));
  def.key += std::string(";measure=") + measure;
  if (def.field >= 0) def.key += ";field=" + schema.field(def.field).name;
  def.label = "by [";
  for (std::size_t i = 0; i < by_names.size(); ++i) {
    if (i) def.label += ", ";
    def.label += by_names[i];
  }
  def.label += "] days " + std::to_string(def.days);
  if (def.where >= 0) def.label += " where (line " + std::to_string(LineOf(where->value)) + ")";
  def.label += std::string(" ") + measure;
  if (def.field >= 0) def.label += " " + schema.field(def.field).name;
  int agg;
  if (auto it = aggregate_by_key_.find(def.key); it != aggregate_by_key_.end()) {
    agg = it->second;
  } else {
    agg = static_cast<int>(data_->aggregates.size());
    aggregate_by_key_.emplace(def.key, agg);
    data_->aggregates.push_back(def);
  }
  Predicate pred;
  pred.op = Op::kAggregate;
  pred.field = -1;
  pred.type = FieldType::kNumber;
  pred.aggregate = agg;
  pred.measure_tests = std::move(tests);
  const std::string label = data_->aggregates[static_cast<std::size_t>(agg)].label;
  const std::string agg_key = data_->aggregates[static_cast<std::size_t>(agg)].key;
  pred.key = "-|aggregate|" + std::to_string(agg_key.size()) + ":" + agg_key + "|" + test_text;
  int pid = FindPredicate(pred.key);
  if (pid < 0) pid = AddPredicate(std::move(pred));
  Node leaf;
  leaf.kind = Node::Kind::kLeaf;
  leaf.pred = pid;
  leaf.line = LineOf(item.key_node);
  leaf.column = ColumnOf(item.key_node);
  leaf.label = Label("aggregate " + label + " " + test_text);
  return AddNode(std::move(leaf), {});
}

}  // namespace targeting::internal
