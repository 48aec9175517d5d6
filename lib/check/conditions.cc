#include "check/conditions.h"

#include <algorithm>

#include "check/refdata.h"
#include "load/normalize.h"

namespace targeting::internal {

namespace {

const std::vector<std::string>& OperatorNames() {
  static const std::vector<std::string> kNames = {
      "eq", "in", "ne", "not_in", "prefix", "contains", "contains_any", "regex",
      "lt", "le", "gt", "ge",     "between", "exists", "similar"};
  return kNames;
}

bool IsStringLike(FieldType t) {
  return t == FieldType::kString || t == FieldType::kCode || t == FieldType::kName ||
         t == FieldType::kAddress;
}

// Which field types an operator applies to (SPEC section 4).
bool OperatorApplies(const std::string& op, FieldType t) {
  if (op == "eq" || op == "in" || op == "ne" || op == "not_in" || op == "exists") return true;
  if (op == "prefix" || op == "similar") return IsStringLike(t);
  if (op == "contains" || op == "contains_any" || op == "regex") {
    return IsStringLike(t) || t == FieldType::kText;
  }
  return IsNumeric(t);  // lt le gt ge between
}

const char* AppliesTo(const std::string& op) {
  if (op == "prefix" || op == "similar") return "string, code, name and address fields";
  if (op == "contains" || op == "contains_any" || op == "regex") {
    return "string, code, name, text and address fields";
  }
  return "number and date fields";
}

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out->push_back('\\');
    if (c == '\n') {
      out->append("\\n");
      continue;
    }
    out->push_back(c);
  }
  out->push_back('"');
}

std::string OperandText(const Predicate& p, std::size_t i) {
  if (p.op == Op::kRegex || IsStringLike(p.type) || p.type == FieldType::kText) {
    std::string s;
    AppendQuoted(p.strs[i], &s);
    return s;
  }
  if (p.type == FieldType::kDate) return FormatDate(static_cast<Days>(p.nums[i]));
  return FormatNumber(p.nums[i]);
}

}  // namespace

std::string PredicateLabel(const RuleSetData& data, const Predicate& p) {
  std::string label = p.field >= 0 ? data.schema.field(p.field).name : std::string("date");
  if (p.op == Op::kEffective) {
    label = "effective " + (p.from ? FormatDate(*p.from) : std::string("...")) + " to " +
            (p.until ? FormatDate(*p.until) : std::string("..."));
    return label;
  }
  label += ' ';
  label += OpName(p.op);
  label += ' ';
  const std::size_t n =
      p.op == Op::kSimilar ? p.strs.size() : std::max(p.strs.size(), p.nums.size());
  const bool seq = p.op == Op::kIn || p.op == Op::kPrefix || p.op == Op::kContainsAny ||
                   p.op == Op::kRegex || p.op == Op::kBetween || p.op == Op::kSimilar;
  if (p.op == Op::kExists) return label + "true";
  if (seq) label += '[';
  for (std::size_t i = 0; i < n && i < 8; ++i) {
    if (i) label += ", ";
    label += OperandText(p, i);
  }
  if (n > 8) label += ", ... " + std::to_string(n) + " values";
  if (seq) label += ']';
  if (p.op == Op::kSimilar) label += " min " + FormatNumber(p.nums[0]);
  return label;
}

ConditionCompiler::ConditionCompiler(RuleSetData* data, const Limits& limits,
                                     const std::map<std::string, NamedList>* lists,
                                     Diagnostics* diag)
    : data_(data), limits_(limits), lists_(lists), diag_(diag), pred_by_key_(PredicateKey{data}),
      label_ids_(LabelText{data}) {}

void ConditionCompiler::BeginEntry() {
  entry_nodes_ = 0;
  node_limit_reported_ = false;
}

int ConditionCompiler::AddNode(Node node, const std::vector<int>& children) {
  if (++entry_nodes_ > limits_.max_condition_nodes) {
    if (!node_limit_reported_) {
      diag_->ErrorAt(node.line, node.column,
                     "the condition has more than max_condition_nodes=" +
                         std::to_string(limits_.max_condition_nodes) + " nodes");
      node_limit_reported_ = true;
    }
    return -1;
  }
  node.first_child = static_cast<std::uint32_t>(data_->children.size());
  node.child_count = static_cast<std::uint32_t>(children.size());
  for (int c : children) data_->children.push_back(static_cast<std::uint32_t>(c));
  data_->nodes.push_back(std::move(node));
  return static_cast<int>(data_->nodes.size()) - 1;
}

int ConditionCompiler::Intern(Predicate pred) {
  pred.key = PredicateCanonicalKey(*data_, pred);
  if (int id = FindPredicate(pred.key); id >= 0) return id;
  if (pred.op == Op::kIn) pred.BuildOperandSets();
  return AddPredicate(std::move(pred));
}

int ConditionCompiler::AddPredicate(Predicate pred) {
  const auto id = static_cast<std::uint32_t>(data_->predicates.size());
  data_->predicates.push_back(std::move(pred));
  pred_by_key_.Insert(id, data_->predicates.back().key);
  return static_cast<int>(id);
}

std::uint32_t ConditionCompiler::Label(std::string text) {
  if (long long id = label_ids_.Find(text); id >= 0) return static_cast<std::uint32_t>(id);
  const auto id = static_cast<std::uint32_t>(data_->labels.size());
  data_->labels.push_back(std::move(text));
  label_ids_.Insert(id, data_->labels.back());
  return id;
}

std::uint32_t ConditionCompiler::PredicateLabelId(int pid) {
  const auto i = static_cast<std::size_t>(pid);
  if (pred_label_.size() <= i) pred_label_.resize(data_->predicates.size(), kNoLabel);
  if (pred_label_[i] == kNoLabel) pred_label_[i] = Label(PredicateLabel(*data_, data_->predicates[i]));
  return pred_label_[i];
}

int ConditionCompiler::Compile(const ytree::Node& cond) { return CompileNode(cond, 1); }

int ConditionCompiler::AllOf(const std::vector<int>& nodes, const ytree::Node& at,
                             std::string label) {
  if (nodes.size() == 1) return nodes[0];
  Node n;
  n.kind = Node::Kind::kAll;
  n.line = LineOf(at);
  n.column = ColumnOf(at);
  n.label = Label(std::move(label));
  return AddNode(std::move(n), nodes);
}

int ConditionCompiler::CompileNode(const ytree::Node& cond, int depth) {
  if (depth > limits_.max_condition_depth) {
    diag_->Error(cond, "the condition nests deeper than max_condition_depth=" +
                           std::to_string(limits_.max_condition_depth));
    return -1;
  }
  // Once the entry is over its node limit, stop walking: aliases could make
  // the rest of the tree exponentially large.
  if (node_limit_reported_ || !diag_->Visit(cond)) return -1;
  if (!cond.IsMap()) {
    diag_->Error(cond, std::string("a condition must be a mapping such as {all: [...]} or "
                                   "{FIELD: TEST}, not ") +
                           NodeKindName(cond));
    return -1;
  }
  auto items = diag_->Map(cond, "a condition");
  if (!items) return -1;
  if (items->empty()) {
    diag_->Error(cond, "empty condition");
    return -1;
  }
  bool failed = false;
  std::vector<int> parts;
  const MapItem* at_least = nullptr;
  const MapItem* of = nullptr;
  auto seq_children = [&](const MapItem& item, std::vector<int>* out) {
    auto seq = diag_->Seq(item.value, "'" + item.key + "'");
    if (!seq) return false;
    bool ok = true;
    for (const ytree::Node& child : *seq) {
      int c = CompileNode(child, depth + 1);
      if (c < 0) ok = false;
      out->push_back(c);
    }
    return ok;
  };
  for (const MapItem& item : *items) {
    Node node;
    node.line = LineOf(item.key_node);
    node.column = ColumnOf(item.key_node);
    if (item.key == "all" || item.key == "any") {
      std::vector<int> children;
      if (!seq_children(item, &children)) {
        failed = true;
        continue;
      }
      node.kind = item.key == "all" ? Node::Kind::kAll : Node::Kind::kAny;
      node.label = Label(item.key);
      int id = AddNode(std::move(node), children);
      if (id < 0) failed = true;
      parts.push_back(id);
    } else if (item.key == "not") {
      int child = CompileNode(item.value, depth + 1);
      if (child < 0) {
        failed = true;
        continue;
      }
      node.kind = Node::Kind::kNot;
      node.label = Label("not");
      int id = AddNode(std::move(node), {child});
      if (id < 0) failed = true;
      parts.push_back(id);
    } else if (item.key == "aggregate") {
      int id = CompileAggregate(item, depth);
      if (id < 0) failed = true;
      parts.push_back(id);
    } else if (item.key == "at_least") {
      at_least = &item;
    } else if (item.key == "of") {
      of = &item;
    } else {
      int id = CompileFieldTest(item, depth);
      if (id < 0) failed = true;
      parts.push_back(id);
    }
  }
  if (of && !at_least) {
    diag_->Error(of->key_node, "'of' needs 'at_least: N' beside it");
    failed = true;
  }
  if (at_least) {
    auto n = diag_->Integer(at_least->value, "at_least");
    if (!of) {
      diag_->Error(at_least->key_node, "'at_least' needs 'of: [conditions]' beside it");
      failed = true;
    } else {
      std::vector<int> children;
      bool ok = seq_children(*of, &children);
      if (n && *n < 1) {
        diag_->Error(at_least->value, "at_least must be a whole number >= 1, not " +
                                          std::to_string(*n));
        ok = false;
      } else if (n && ok && *n > static_cast<long long>(children.size())) {
        diag_->Error(at_least->value, "at_least " + std::to_string(*n) + " of " +
                                          std::to_string(children.size()) +
                                          " conditions can never hold");
        ok = false;
      }
      if (!n || !ok) {
        failed = true;
      } else {
        Node node;
        node.kind = Node::Kind::kAtLeast;
        node.at_least = static_cast<int>(*n);
        node.line = LineOf(at_least->key_node);
        node.column = ColumnOf(at_least->key_node);
        node.label = Label("at_least " + std::to_string(*n));
        int id = AddNode(std::move(node), children);
        if (id < 0) failed = true;
        parts.push_back(id);
      }
    }
  }
  if (failed) return -1;
  return AllOf(parts, cond);
}

int ConditionCompiler::CompileFieldTest(const MapItem& item, int depth) {
  const Schema& schema = data_->schema;
  int field = schema.Find(item.key);
  if (field < 0) {
    std::vector<std::string> names = {"all", "any", "not", "at_least", "aggregate"};
    for (const FieldDef& f : schema.fields()) names.push_back(f.name);
    diag_->Error(item.key_node, "unknown field '" + item.key + "'" + Suggest(item.key, names));
    return -1;
  }
  const ytree::Node& v = item.value;
  if (v.IsScalar()) return CompileOperator(field, "eq", item.key_node, v);
  if (v.IsSequence()) return CompileOperator(field, "in", item.key_node, v);
  if (!v.IsMap()) {
    diag_->Error(item.key_node, "the test of field '" + item.key +
                                    "' is empty; write a value, a sequence or {operator: operand}");
    return -1;
  }
  if (depth + 1 > limits_.max_condition_depth) {
    diag_->Error(v, "the condition nests deeper than max_condition_depth=" +
                        std::to_string(limits_.max_condition_depth));
    return -1;
  }
  auto ops = diag_->Map(v, "the test of field '" + item.key + "'", OperatorNames(), "operator");
  if (!ops) return -1;
  if (ops->empty()) {
    if (v.size() == 0) diag_->Error(v, "the test of field '" + item.key + "' has no operator");
    return -1;
  }
  if (ops->size() != v.size()) return -1;  // unknown operators were reported
  std::vector<int> parts;
  bool failed = false;
  for (const MapItem& op : *ops) {
    int id = CompileOperator(field, op.key, op.key_node, op.value);
    if (id < 0) failed = true;
    parts.push_back(id);
  }
  if (failed) return -1;
  return AllOf(parts, v);
}

bool ConditionCompiler::ReadStrings(int field, const std::string& op, const ytree::Node& operand,
                                    bool allow_scalar, bool allow_seq, bool allow_list,
                                    std::vector<std::string>* raw, std::vector<ytree::Node>* at,
                                    std::vector<const ListItem*>* from_list) {
  const std::string& fname = data_->schema.field(field).name;
  std::string forms;
  auto add_form = [&](bool on, const char* f) {
    if (!on) return;
    if (!forms.empty()) forms += " or ";
    forms += f;
  };
  add_form(allow_scalar, "a scalar");
  add_form(allow_seq, "a sequence");
  add_form(allow_list, "{list: NAME}");
  if (operand.IsScalar() && allow_scalar) {
    raw->emplace_back(operand.Scalar());
    at->push_back(operand);
    from_list->push_back(nullptr);
    return true;
  }
  if (operand.IsSequence() && allow_seq) {
    auto seq = diag_->Seq(operand, "the operand of " + op);
    if (!seq) return false;
    if (seq->size() > limits_.max_list_size) {
      diag_->Error(operand, "the operand of " + op + " has " + std::to_string(seq->size()) +
                                " values, more than max_list_size=" +
                                std::to_string(limits_.max_list_size));
      return false;
    }
    bool ok = true;
    for (const ytree::Node& e : *seq) {
      if (!e.IsScalar()) {
        diag_->Error(e, "each value of " + op + " on '" + fname + "' must be a scalar, not " +
                            NodeKindName(e));
        ok = false;
        continue;
      }
      raw->emplace_back(e.Scalar());
      at->push_back(e);
      from_list->push_back(nullptr);
    }
    if (ok && seq->empty()) {
      diag_->Error(operand, op + " with an empty sequence can never hold");
      return false;
    }
    return ok;
  }
  if (operand.IsMap() && allow_list) {
    auto items = diag_->Map(operand, "the operand of " + op, {"list"});
    if (!items) return false;
    if (items->size() != 1 || operand.size() != 1) {
      if (items->empty() && operand.size() == 0) diag_->Error(operand, "expected {list: NAME}");
      return false;
    }
    auto name = diag_->Scalar((*items)[0].value, "a list name");
    if (!name) return false;
    auto it = lists_->find(*name);
    if (it == lists_->end()) {
      std::vector<std::string> names;
      for (const auto& [n, l] : *lists_) names.push_back(n);
      diag_->Error((*items)[0].value, "list '" + *name + "' is not defined" + Suggest(*name, names));
      return false;
    }
    if (it->second.items.empty()) {
      diag_->Warn((*items)[0].value, "list '" + *name + "' is empty, so this " + op +
                                         " never holds");
    }
    for (const ListItem& li : it->second.items) {
      raw->push_back(li.value);
      at->push_back((*items)[0].value);
      from_list->push_back(&li);
    }
    return true;
  }
  diag_->Error(operand, "the operand of " + op + " on '" + fname + "' must be " + forms +
                            ", not " + NodeKindName(operand));
  return false;
}

bool ConditionCompiler::NormalizeOperands(int field, const std::string& op, Predicate* pred,
                                          const std::vector<std::string>& raw,
                                          const std::vector<ytree::Node>& at,
                                          const std::vector<const ListItem*>& from_list) {
  const FieldDef& def = data_->schema.field(field);
  bool ok = true;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto report = [&](const std::string& msg) {
      if (from_list[i]) {
        std::string saved = diag_->file();
        diag_->set_file(from_list[i]->file);
        diag_->ErrorAt(from_list[i]->line, from_list[i]->column,
                       msg + " (list value used by " + op + " on '" + def.name + "' at " + saved +
                           ":" + std::to_string(LineOf(at[i])) + ")");
        diag_->set_file(saved);
      } else {
        diag_->Error(at[i], msg);
      }
      ok = false;
    };
    if (pred->op == Op::kRegex) {
      pred->strs.push_back(raw[i]);
      continue;
    }
    if (IsNumeric(def.type)) {
      std::string text, why;
      double value = 0;
      if (!NormalizeValue(def.type, raw[i], &text, &value, &why)) {
        report("the operand '" + raw[i] + "' of " + op + " on " + FieldTypeName(def.type) +
               " field '" + def.name + "' is " + why);
        continue;
      }
      if (text.empty()) {
        report("the operand of " + op + " on '" + def.name + "' is empty");
        continue;
      }
      pred->nums.push_back(value);
      continue;
    }
    std::string norm, why;
    double unused = 0;
    NormalizeValue(def.type, raw[i], &norm, &unused, &why);
    if (norm.empty()) {
      report("the operand '" + raw[i] + "' of " + op + " on " + FieldTypeName(def.type) +
             " field '" + def.name + "' is empty once normalized, so it could never match");
      continue;
    }
    if (pred->op == Op::kEq || pred->op == Op::kIn || pred->op == Op::kPrefix) {
      WarnOnReferenceData(def.name, norm, raw[i], pred->op, at[i], from_list[i]);
    }
    if (pred->op == Op::kContains || pred->op == Op::kContainsAny) {
      std::string lower;
      AppendLowerAscii(norm, &lower);
      norm = std::move(lower);
    }
    pred->strs.push_back(std::move(norm));
  }
  if (!ok) return false;
  const bool set_like = pred->op == Op::kIn || pred->op == Op::kPrefix ||
                        pred->op == Op::kContainsAny || pred->op == Op::kRegex ||
                        pred->op == Op::kSimilar;
  if (set_like) {
    std::sort(pred->strs.begin(), pred->strs.end());
    pred->strs.erase(std::unique(pred->strs.begin(), pred->strs.end()), pred->strs.end());
    if (pred->op == Op::kIn) {
      std::sort(pred->nums.begin(), pred->nums.end());
      pred->nums.erase(std::unique(pred->nums.begin(), pred->nums.end()), pred->nums.end());
    }
  }
  return true;
}

void ConditionCompiler::WarnOnReferenceData(const std::string& field, const std::string& value,
                                            const std::string& raw, Op op, const ytree::Node& at,
                                            const ListItem* from_list) {
  std::string message;
  if (IsCountryField(field) && !IsIsoAlpha2(value)) {
    message = "'" + raw + "' on '" + field + "' is not an ISO 3166-1 alpha-2 country code";
  } else if (IsHsField(field) && !IsHsPrefix(value)) {
    message = "'" + raw + "' on '" + field + "' is not " +
              (op == Op::kPrefix ? std::string("a 2, 4, 6, 8 or 10-digit prefix")
                                 : std::string("a 2, 4, 6, 8 or 10-digit code")) +
              " of a real HS 2022 code";
  } else {
    return;
  }
  if (from_list) {
    std::string saved = diag_->file();
    diag_->set_file(from_list->file);
    diag_->WarnAt(from_list->line, from_list->column, message);
    diag_->set_file(saved);
  } else {
    diag_->Warn(at, message);
  }
}

int ConditionCompiler::CompileOperator(int field, const std::string& op,
                                       const ytree::Node& op_node, const ytree::Node& operand) {
  const FieldDef& def = data_->schema.field(field);
  if (!OperatorApplies(op, def.type)) {
    diag_->Error(op_node, "operator '" + op + "' does not apply to " + FieldTypeName(def.type) +
                              " field '" + def.name + "'; it applies to " + AppliesTo(op));
    return -1;
  }
  Predicate pred;
  pred.field = field;
  pred.type = def.type;
  bool negate = false;
  std::vector<std::string> raw;
  std::vector<ytree::Node> at;
  std::vector<const ListItem*> from_list;
  std::string list_note;
  if (operand.IsMap() && operand.size() == 1 && operand.begin()->first.IsScalar() &&
      operand.begin()->first.Scalar() == "list" && operand.begin()->second.IsScalar()) {
    list_note = " {list: " + std::string(operand.begin()->second.Scalar()) + "}";
  }
  bool ok = true;
  if (op == "eq" || op == "ne") {
    pred.op = Op::kEq;
    negate = op == "ne";
    ok = ReadStrings(field, op, operand, true, false, false, &raw, &at, &from_list);
  } else if (op == "in" || op == "not_in") {
    pred.op = Op::kIn;
    negate = op == "not_in";
    ok = ReadStrings(field, op, operand, false, true, true, &raw, &at, &from_list);
  } else if (op == "prefix") {
    pred.op = Op::kPrefix;
    ok = ReadStrings(field, op, operand, true, true, true, &raw, &at, &from_list);
  } else if (op == "contains") {
    pred.op = Op::kContains;
    ok = ReadStrings(field, op, operand, true, false, false, &raw, &at, &from_list);
  } else if (op == "contains_any") {
    pred.op = Op::kContainsAny;
    ok = ReadStrings(field, op, operand, false, true, true, &raw, &at, &from_list);
  } else if (op == "regex") {
    pred.op = Op::kRegex;
    ok = ReadStrings(field, op, operand, true, true, false, &raw, &at, &from_list);
  } else if (op == "lt" || op == "le" || op == "gt" || op == "ge") {
    pred.op = op == "lt" ? Op::kLt : op == "le" ? Op::kLe : op == "gt" ? Op::kGt : Op::kGe;
    ok = ReadStrings(field, op, operand, true, false, false, &raw, &at, &from_list);
  } else if (op == "between") {
    pred.op = Op::kBetween;
    if (!operand.IsSequence() || operand.size() != 2) {
      diag_->Error(operand, "the operand of between must be a sequence [low, high], not " +
                                std::string(operand.IsSequence()
                                                ? "a sequence of " + std::to_string(operand.size())
                                                : NodeKindName(operand)));
      return -1;
    }
    ok = ReadStrings(field, op, operand, false, true, false, &raw, &at, &from_list);
  } else if (op == "similar") {
    pred.op = Op::kSimilar;
    ytree::Node to;
    if (!ReadSimilar(operand, &pred.nums, &to)) return -1;
    if (to.IsMap() && to.size() == 1 && to.begin()->first.IsScalar() &&
        to.begin()->first.Scalar() == "list" && to.begin()->second.IsScalar()) {
      list_note = " {list: " + std::string(to.begin()->second.Scalar()) + "}";
    }
    ok = ReadStrings(field, op, to, true, true, true, &raw, &at, &from_list);
  } else if (op == "exists") {
    auto b = diag_->Bool(operand, "the operand of exists");
    if (!b) return -1;
    pred.op = Op::kExists;
    negate = !*b;
  } else {
    diag_->Error(op_node, "unknown operator '" + op + "'" + Suggest(op, OperatorNames()));
    return -1;
  }
  if (!ok) return -1;
  if (!NormalizeOperands(field, op, &pred, raw, at, from_list)) return -1;
  if (pred.op == Op::kBetween && pred.nums.size() == 2 && pred.nums[0] > pred.nums[1]) {
    auto show = [&](double d) {
      return def.type == FieldType::kDate ? FormatDate(static_cast<Days>(d)) : FormatNumber(d);
    };
    diag_->Error(operand, "between [" + show(pred.nums[0]) + ", " + show(pred.nums[1]) +
                              "] is out of order: low must be <= high");
    return -1;
  }
  // A regex predicate already interned (the same field and patterns, so
  // patterns RE2 accepted under the same limits) needs no compile: Intern
  // returns the interned one.
  const bool interned_regex =
      pred.op == Op::kRegex && FindPredicate(PredicateCanonicalKey(*data_, pred)) >= 0;
  if (pred.op == Op::kRegex && !interned_regex) {
    for (std::size_t i = 0; i < pred.strs.size(); ++i) {
      RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(limits_.regex_max_mem);
      auto re = std::make_unique<RE2>(pred.strs[i], options);
      // Find where this (sorted) pattern was written, for the message.
      ytree::Node where = operand;
      for (std::size_t k = 0; k < raw.size(); ++k) {
        if (raw[k] == pred.strs[i]) where = at[k];
      }
      if (!re->ok()) {
        std::string why = "regex '" + pred.strs[i] + "' is rejected by RE2: " + re->error();
        if (re->error_code() == RE2::ErrorPatternTooLarge) {
          why += " (its program needs more than regex_max_mem=" +
                 std::to_string(limits_.regex_max_mem) + " bytes)";
        }
        diag_->Error(where, why);
        ok = false;
        continue;
      }
      if (re->ProgramSize() > limits_.max_regex_program_size) {
        diag_->Error(where, "regex '" + pred.strs[i] + "' compiles to a program of size " +
                                std::to_string(re->ProgramSize()) +
                                ", more than max_regex_program_size=" +
                                std::to_string(limits_.max_regex_program_size));
        ok = false;
        continue;
      }
      pred.regexes.push_back(std::move(re));
    }
    if (!ok) return -1;
  }
  int pid = Intern(std::move(pred));
  Node leaf;
  leaf.kind = Node::Kind::kLeaf;
  leaf.pred = pid;
  leaf.line = LineOf(op_node);
  leaf.column = ColumnOf(op_node);
  const Predicate& interned = data_->predicates[static_cast<std::size_t>(pid)];
  if (list_note.empty()) {
    leaf.label = PredicateLabelId(pid);
  } else {
    std::string label = def.name + " " + OpName(interned.op) + list_note + " (" +
                        std::to_string(interned.op == Op::kSimilar
                                           ? interned.strs.size()
                                           : std::max(interned.strs.size(), interned.nums.size())) +
                        " values)";
    if (interned.op == Op::kSimilar) label += " min " + FormatNumber(interned.nums[0]);
    leaf.label = Label(std::move(label));
  }
  int leaf_id = AddNode(leaf, {});
  if (leaf_id < 0 || !negate) return leaf_id;
  Node neg;
  neg.kind = Node::Kind::kNot;
  neg.line = leaf.line;
  neg.column = leaf.column;
  neg.label = Label(op == "exists" ? def.name + " exists false" : def.name + " " + op);
  return AddNode(std::move(neg), {leaf_id});
}

bool ConditionCompiler::ReadSimilar(const ytree::Node& operand, std::vector<double>* min,
                                    ytree::Node* to) {
  if (!operand.IsMap()) {
    diag_->Error(operand, std::string("the operand of similar must be {to: OPERANDS, min: X}, not ") +
                              NodeKindName(operand));
    return false;
  }
  auto items = diag_->Map(operand, "the operand of similar", {"to", "min"});
  if (!items || items->size() != operand.size()) return false;  // unknown keys were reported
  const MapItem* to_item = nullptr;
  const MapItem* min_item = nullptr;
  for (const MapItem& item : *items) (item.key == "to" ? to_item : min_item) = &item;
  bool ok = true;
  if (!min_item) {
    diag_->Error(operand, "similar needs min: X, a number with 0 < X <= 1");
    ok = false;
  } else if (auto x = diag_->Number(min_item->value, "similar's min")) {
    if (!(*x > 0 && *x <= 1)) {
      diag_->Error(min_item->value,
                   "similar's min must be a number with 0 < min <= 1, not " + FormatNumber(*x));
      ok = false;
    } else {
      min->push_back(*x);
      if (*x < 0.8) {
        diag_->Warn(min_item->value, "similar with min " + FormatNumber(*x) +
                                         " (below 0.8) holds for many unrelated names");
      }
    }
  } else {
    ok = false;
  }
  if (!to_item) {
    diag_->Error(operand, "similar needs to: OPERANDS (a scalar, a sequence or {list: NAME})");
    ok = false;
  }
  if (!ok) return false;
  *to = to_item->value;
  return true;
}

int ConditionCompiler::ScopeIn(int field, const ytree::Node& values, const std::string& what) {
  std::vector<std::string> raw;
  std::vector<ytree::Node> at;
  std::vector<const ListItem*> from_list;
  if (!ReadStrings(field, what, values, true, true, true, &raw, &at, &from_list)) return -1;
  Predicate pred;
  pred.field = field;
  pred.type = data_->schema.field(field).type;
  pred.op = Op::kIn;
  if (!NormalizeOperands(field, what, &pred, raw, at, from_list)) return -1;
  int pid = Intern(std::move(pred));
  Node leaf;
  leaf.kind = Node::Kind::kLeaf;
  leaf.pred = pid;
  leaf.line = LineOf(values);
  leaf.column = ColumnOf(values);
  leaf.label = Label(what + ": " + PredicateLabel(*data_, data_->predicates[static_cast<std::size_t>(pid)]));
  return AddNode(std::move(leaf), {});
}

int ConditionCompiler::Effective(std::optional<Days> from, std::optional<Days> until,
                                 const ytree::Node& at) {
  Predicate pred;
  pred.field = data_->schema.date_field();
  pred.type = FieldType::kDate;
  pred.op = Op::kEffective;
  pred.from = from;
  pred.until = until;
  int pid = Intern(std::move(pred));
  Node leaf;
  leaf.kind = Node::Kind::kLeaf;
  leaf.pred = pid;
  leaf.line = LineOf(at);
  leaf.column = ColumnOf(at);
  leaf.label = PredicateLabelId(pid);
  return AddNode(std::move(leaf), {});
}

}  // namespace targeting::internal
