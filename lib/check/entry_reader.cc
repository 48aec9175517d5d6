// Reading and compiling entries (SPEC section 3): the envelope, scope,
// effective, the condition and the inline tests.
#include <algorithm>

#include "check/plan_builder.h"
#include "load/normalize.h"
#include "load/yaml_source.h"
#include "plan/fingerprint.h"

namespace targeting::internal::checking {

namespace {

const std::vector<std::string> kEntryKeys = {
    "id",       "kind",      "name",          "description", "owner", "version", "status",
    "weight",   "priority",  "scope",         "effective",   "promoted_from", "when", "tests"};

bool ValidId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void Builder::ReadRules(const ParsedFile& file, const ytree::Node& rules) {
  auto seq = diag_.Seq(rules, "rules");
  if (!seq) return;
  for (const ytree::Node& n : *seq) {
    if (diag_.exhausted()) return;
    ReadEntry(file, n);
  }
}

void Builder::ReadEntry(const ParsedFile& file, const ytree::Node& node) {
  diag_.set_entry("");
  if (entries_.size() >= limits_.max_entries) {
    if (!too_many_entries_) {
      diag_.Error(node, "the rule set has more than max_entries=" +
                            std::to_string(limits_.max_entries) + " entries");
      too_many_entries_ = true;
    }
    return;
  }
  RawEntry raw;
  raw.node = node;
  raw.info.file = file.source->name;
  raw.info.line = LineOf(node);
  raw.info.column = ColumnOf(node);
  if (!node.IsMap()) {
    diag_.Error(node, std::string("an entry must be a mapping with id and when, not ") +
                          internal::NodeKindName(node));
    return;
  }
  // Read the id first, so every later issue names the entry.
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == "id" && it->second.IsScalar()) {
      raw.info.id = it->second.Scalar();
      break;
    }
  }
  diag_.set_entry(raw.info.id);
  auto items = diag_.Map(node, "an entry", kEntryKeys);
  if (!items) return;
  bool ok = items->size() == node.size();
  bool have_id = false;
  EntryInfo& info = raw.info;
  for (const MapItem& item : *items) {
    const std::string& k = item.key;
    if (k == "id") {
      auto id = diag_.Scalar(item.value, "id");
      if (!id) {
        ok = false;
        continue;
      }
      have_id = true;
      if (!ValidId(*id)) {
        diag_.Error(item.value, "id '" + *id + "' may only use A-Z a-z 0-9 _ . -");
        ok = false;
      }
    } else if (k == "kind") {
      auto v = diag_.Scalar(item.value, "kind");
      auto kind = v ? EntryKindFromName(*v) : std::nullopt;
      if (kind) {
        info.kind = *kind;
      } else {
        if (v) diag_.Error(item.value, "kind must be rule or query, not '" + *v + "'");
        ok = false;
      }
    } else if (k == "status") {
      auto v = diag_.Scalar(item.value, "status");
      auto status = v ? EntryStatusFromName(*v) : std::nullopt;
      if (status) {
        info.status = *status;
      } else {
        static const std::vector<std::string> kStatuses = {
            EntryStatusName(EntryStatus::kActive), EntryStatusName(EntryStatus::kShadow),
            EntryStatusName(EntryStatus::kDraft), EntryStatusName(EntryStatus::kRetired)};
        if (v) {
          diag_.Error(item.value, "status must be active, shadow, draft or retired, not '" + *v +
                                      "'" + internal::Suggest(*v, kStatuses));
        }
        ok = false;
      }
    } else if (k == "version") {
      auto v = diag_.Integer(item.value, "version");
      if (v && (*v < 1 || *v > 2'000'000'000)) {
        diag_.Error(item.value, "version must be a whole number >= 1");
        ok = false;
      } else if (v) {
        info.version = static_cast<int>(*v);
      } else {
        ok = false;
      }
    } else if (k == "weight") {
      auto v = diag_.Number(item.value, "weight");
      if (v && *v < 0) {
        diag_.Error(item.value, "weight must be >= 0");
        ok = false;
      } else if (v) {
        info.weight = *v;
      } else {
        ok = false;
      }
    } else if (k == "priority") {
      std::vector<ytree::Node> tags;
      if (item.value.IsScalar()) {
        tags.push_back(item.value);
      } else if (auto seq = diag_.Seq(item.value, "priority")) {
        tags = *seq;
      } else {
        ok = false;
      }
      for (const ytree::Node& t : tags) {
        auto tag = diag_.Scalar(t, "a priority tag");
        if (!tag) {
          ok = false;
          continue;
        }
        if (std::find(config_.priorities.begin(), config_.priorities.end(), *tag) ==
            config_.priorities.end()) {
          std::string known;
          for (const std::string& p : config_.priorities) known += (known.empty() ? "" : ", ") + p;
          if (known.empty()) {
            diag_.Error(t, "unknown priority tag '" + *tag +
                               "': targeting.yaml declares no priorities");
          } else {
            diag_.Error(t, "unknown priority tag '" + *tag + "' (targeting.yaml priorities: " +
                               known + ")" + internal::Suggest(*tag, config_.priorities));
          }
          ok = false;
        } else if (std::find(info.priorities.begin(), info.priorities.end(), *tag) ==
                   info.priorities.end()) {
          info.priorities.push_back(*tag);
        }
      }
    } else if (k == "name" || k == "description" || k == "owner" || k == "promoted_from") {
      auto v = diag_.Scalar(item.value, k);
      if (!v) {
        ok = false;
        continue;
      }
      if (k == "name") info.name = *v;
      if (k == "description") info.description = *v;
      if (k == "owner") info.owner = *v;
      if (k == "promoted_from") info.promoted_from = *v;
    } else if (k == "when") {
      raw.when = item.value;
    } else if (k == "scope") {
      raw.scope = item.value;
    } else if (k == "effective") {
      raw.effective = item.value;
    } else if (k == "tests") {
      raw.tests = item.value;
    }
  }
  if (!have_id) {
    diag_.Error(node, "the entry has no id");
    ok = false;
  } else {
    auto [it, inserted] = seen_ids_.emplace(info.id, std::make_pair(&file.source->name, info.line));
    if (!inserted) {
      diag_.Error(node, "duplicate id '" + info.id + "' (first defined at " + *it->second.first +
                            ":" + std::to_string(it->second.second) + ")");
      ok = false;
    }
  }
  if (!raw.when && info.status != EntryStatus::kRetired) {
    diag_.Error(node, "the entry has no 'when' condition");
    ok = false;
  }
  raw.envelope_ok = ok;
  entries_.push_back(std::move(raw));
}

void Builder::CompileTests(RawEntry& raw, internal::EntryCode* code) {
  auto spec = diag_.Map(*raw.tests, "tests", {"fires", "not_fires"});
  if (!spec) return;
  const Schema& schema = data_->schema;
  std::size_t count = 0;
  for (const MapItem& list : *spec) {
    auto seq = diag_.Seq(list.value, "tests." + list.key);
    if (!seq) continue;
    int index = 0;
    for (const ytree::Node& rec : *seq) {
      ++index;
      if (++count > limits_.max_tests_per_entry) {
        diag_.Error(rec, "more than max_tests_per_entry=" +
                             std::to_string(limits_.max_tests_per_entry) + " test records");
        return;
      }
      std::string where = list.key + "[" + std::to_string(index) + "]";
      internal::TestCase tc{list.key == "fires", index, LineOf(rec), ColumnOf(rec), Record(schema), {}};
      // {sequence: [R1, ..., Rn]} (SPEC section 8): streamed in order, the
      // assertion is about Rn.
      if (rec.IsMap() && rec.size() == 1 && rec.begin()->first.IsScalar() &&
          rec.begin()->first.Scalar() == "sequence") {
        auto items = diag_.Seq(rec.begin()->second, "the sequence of test " + where);
        if (!items) continue;
        if (items->empty()) {
          diag_.Error(rec.begin()->second, "test " + where + ": a sequence needs at least one record");
          continue;
        }
        if (count + items->size() - 1 > limits_.max_tests_per_entry) {
          diag_.Error(rec, "more than max_tests_per_entry=" +
                               std::to_string(limits_.max_tests_per_entry) + " test records");
          return;
        }
        count += items->size() - 1;
        bool seq_ok = true;
        for (std::size_t k = 0; k < items->size(); ++k) {
          Record r(schema);
          seq_ok &= ReadTestRecord((*items)[k], where + ".sequence[" + std::to_string(k + 1) + "]", &r);
          if (k + 1 < items->size()) {
            tc.before.push_back(std::move(r));
          } else {
            tc.record = std::move(r);
          }
        }
        if (seq_ok) code->tests.push_back(std::move(tc));
        continue;
      }
      if (!ReadTestRecord(rec, where, &tc.record)) continue;
      code->tests.push_back(std::move(tc));
    }
  }
}

bool Builder::ReadTestRecord(const ytree::Node& rec, const std::string& where, Record* record) {
  const Schema& schema = data_->schema;
  auto fields = diag_.Map(rec, "test record " + where);
  if (!fields) return false;
  Record parsed(schema);
  bool ok = true;
  for (const MapItem& f : *fields) {
    int fi = schema.Find(f.key);
    if (fi < 0) {
      std::vector<std::string> names;
      for (const FieldDef& d : schema.fields()) names.push_back(d.name);
      diag_.Error(f.key_node, "test record " + where + ": unknown field '" + f.key + "'" +
                                  internal::Suggest(f.key, names));
      ok = false;
      continue;
    }
    const FieldDef& def = schema.field(fi);
    if (def.derived) {
      diag_.Error(f.key_node, "test record " + where + ": '" + f.key +
                                  "' is derived; give the fields it is computed from");
      ok = false;
      continue;
    }
    std::vector<ytree::Node> values;
    if (f.value.IsNull()) continue;  // missing
    if (f.value.IsSequence()) {
      if (!def.list) {
        diag_.Error(f.value, "test record " + where + ": field '" + f.key +
                                 "' is not a list field; give one value");
        ok = false;
        continue;
      }
      auto seq2 = diag_.Seq(f.value, "a list value");
      if (!seq2) {
        ok = false;
        continue;
      }
      values = *seq2;
    } else {
      values.push_back(f.value);
    }
    for (const ytree::Node& v : values) {
      if (v.IsNull()) continue;
      auto s = diag_.Scalar(v, "a test value");
      if (!s) {
        ok = false;
        continue;
      }
      std::string error;
      if (!parsed.AddElement(fi, *s, &error)) {
        diag_.Error(v, "test record " + where + ": " + error + ": '" + *s + "'");
        ok = false;
      }
    }
  }
  if (!ok) return false;
  parsed.ComputeDerived();
  *record = std::move(parsed);
  return true;
}

void Builder::CompileEntry(RawEntry& raw, internal::ConditionCompiler& cc,
                           std::vector<std::pair<EntryInfo, internal::EntryCode>>* out) {
  diag_.set_file(raw.info.file);
  diag_.set_entry(raw.info.id);
  diag_.ResetBudget(limits_.max_yaml_nodes);
  cc.BeginEntry();
  internal::EntryCode code;
  bool ok = raw.envelope_ok;
  const Schema& schema = data_->schema;
  std::vector<int> parts;
  if (raw.scope) {
    auto items = diag_.Map(*raw.scope, "scope", {"ports", "modes"});
    if (!items) ok = false;
    for (const MapItem& item : items ? *items : std::vector<MapItem>{}) {
      int field = item.key == "ports" ? schema.port_field() : schema.mode_field();
      if (field < 0) {
        diag_.Error(item.key_node, "scope." + item.key + " needs the schema's " +
                                       (item.key == "ports" ? "port_field" : "mode_field"));
        ok = false;
        continue;
      }
      int id = cc.ScopeIn(field, item.value, "scope." + item.key);
      if (id < 0) ok = false;
      parts.push_back(id);
    }
  }
  if (raw.effective) {
    auto items = diag_.Map(*raw.effective, "effective", {"from", "until"});
    std::optional<Days> from, until;
    bool eff_ok = items.has_value();
    for (const MapItem& item : items ? *items : std::vector<MapItem>{}) {
      auto d = ReadDate(item.value, "effective." + item.key);
      if (!d) eff_ok = false;
      (item.key == "from" ? from : until) = d;
    }
    if (eff_ok && !from && !until) {
      diag_.Error(*raw.effective, "effective needs from, until or both");
      eff_ok = false;
    }
    if (eff_ok && from && until && *from > *until) {
      diag_.Error(*raw.effective, "effective: from " + FormatDate(*from) + " is after until " +
                                     FormatDate(*until));
      eff_ok = false;
    }
    if (eff_ok) {
      parts.push_back(cc.Effective(from, until, *raw.effective));
      if (parts.back() < 0) ok = false;
    } else {
      ok = false;
    }
  }
  if (!raw.when) return;  // reported with the envelope
  int when = cc.Compile(*raw.when);
  if (when < 0) ok = false;
  parts.push_back(when);
  if (raw.tests) CompileTests(raw, &code);
  if (!ok) return;
  code.when = when;
  code.root = cc.AllOf(parts, *raw.when, "all of scope, effective and when");
  if (code.root < 0) return;
  out->emplace_back(std::move(raw.info), std::move(code));  // raw is not read again
}

}  // namespace targeting::internal::checking
