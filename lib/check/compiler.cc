// The Compiler: loads a rule set's files, checks every entry against the
// schema, and builds the immutable RuleSet (SPEC sections 1-4).
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "check/conditions.h"
#include "check/yaml_walk.h"
#include "index/match_index.h"
#include "load/normalize.h"
#include "load/yaml_source.h"
#include "plan/fingerprint.h"
#include "plan/ruleset_data.h"

namespace targeting {

namespace fs = std::filesystem;
using internal::ColumnOf;
using internal::Diagnostics;
using internal::LineOf;
using internal::MapItem;
using internal::NamedList;

namespace {

struct Source {
  std::string name;  // as shown in messages
  std::string text;
  SourceRole role;
  std::string key;  // lexically normal form of the path, to match references
};

std::string PathKey(const std::string& path) {
  return fs::path(path).lexically_normal().generic_string();
}

std::string Resolve(const std::string& referrer, const std::string& relative) {
  fs::path rel(relative);
  if (rel.is_absolute()) return rel.generic_string();
  fs::path base = fs::path(referrer).parent_path();
  return (base / rel).lexically_normal().generic_string();
}

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

// Issues in file order, then by position.
void SortIssues(std::vector<Issue>* issues) {
  std::stable_sort(issues->begin(), issues->end(), [](const Issue& a, const Issue& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
}

// An entry as parsed from YAML, before it is compiled.
struct RawEntry {
  EntryInfo info;
  YAML::Node node;
  std::optional<YAML::Node> when;
  std::optional<YAML::Node> scope;
  std::optional<YAML::Node> effective;
  std::optional<YAML::Node> tests;
  std::string file;
  bool envelope_ok = true;
};

struct ParsedFile {
  const Source* source;
  YAML::Node root;
  std::vector<MapItem> items;
};

}  // namespace

struct Compiler::Impl {
  CompileOptions options;
  std::vector<Source> sources;
  std::vector<Issue> issues;
  Status status;
  bool built = false;

  const Source* FindData(const std::string& key) const {
    for (const Source& s : sources) {
      if (s.role == SourceRole::kData && s.key == key) return &s;
    }
    return nullptr;
  }

  // Text of a file referred to from `referrer`: a kData source, else disk.
  Result<std::string> ReadReferenced(const std::string& referrer, const std::string& relative,
                                     std::string* shown) {
    std::string path = Resolve(referrer, relative);
    *shown = path;
    if (const Source* s = FindData(PathKey(path))) return s->text;
    return internal::ReadFileLimited(path, options.limits.max_file_bytes);
  }

  CompileResult Build();
};

namespace {

// Everything Build() needs while it runs.
class Builder {
 public:
  explicit Builder(Compiler::Impl* impl)
      : impl_(impl),
        limits_(impl->options.limits),
        diag_(&impl->issues, impl->options.limits.max_yaml_nodes) {}

  CompileResult Run();

 private:
  std::optional<ParsedFile> Parse(const Source& source);
  void ReadConfig(const ParsedFile& file);
  std::optional<Schema> ReadSchema(const YAML::Node& value);
  void ReadLists(const ParsedFile& file, const YAML::Node& lists);
  void ReadRules(const ParsedFile& file, const YAML::Node& rules);
  void ReadEntry(const ParsedFile& file, const YAML::Node& node);
  void CompileEntry(RawEntry& raw, internal::ConditionCompiler& cc,
                    std::vector<std::pair<EntryInfo, internal::EntryCode>>* out);
  void CompileTests(RawEntry& raw, internal::EntryCode* code);
  // One test record's fields into *record; false after reporting errors.
  bool ReadTestRecord(const YAML::Node& rec, const std::string& where, Record* record);
  std::optional<Days> ReadDate(const YAML::Node& n, const std::string& what);

  Compiler::Impl* impl_;
  const Limits& limits_;
  Diagnostics diag_;
  RuleSetConfig config_;
  std::optional<Schema> schema_;
  std::string schema_source_;  // where a custom schema came from
  std::map<std::string, NamedList> lists_;
  std::vector<RawEntry> entries_;
  std::map<std::string, std::pair<std::string, int>> seen_ids_;  // id -> (file, line)
  std::unique_ptr<internal::RuleSetData> data_;
  std::set<std::string> data_keys_;  // list files: never read as rule files
  bool too_many_entries_ = false;
};

std::optional<ParsedFile> Builder::Parse(const Source& source) {
  bool empty = false;
  auto root = internal::ParseYaml(source.name, source.text, &impl_->issues, &empty);
  if (!root) return std::nullopt;
  ParsedFile pf{&source, *root, {}};
  diag_.set_file(source.name);
  diag_.set_entry("");
  diag_.ResetBudget(limits_.max_yaml_nodes);
  if (empty) {
    if (source.role == SourceRole::kConfig) return pf;  // all defaults
    diag_.ErrorAt(1, 1, "the file is empty; a rule file holds a mapping with 'rules:'");
    return std::nullopt;
  }
  std::vector<std::string> allowed;
  switch (source.role) {
    case SourceRole::kConfig:
    case SourceRole::kSingle:
      allowed = {"schema", "lanes", "sampling", "priorities", "promotion", "lists", "rules"};
      break;
    case SourceRole::kRules:
      allowed = {"rules", "lists"};
      break;
    case SourceRole::kData:
      return std::nullopt;
  }
  if (!pf.root.IsMap()) {
    diag_.Error(pf.root, std::string("the top level must be a mapping (with 'rules:'), not ") +
                             internal::NodeKindName(pf.root));
    return std::nullopt;
  }
  auto items = diag_.Map(pf.root, "the top level", {});
  if (!items) return std::nullopt;
  for (const MapItem& item : *items) {
    if (std::find(allowed.begin(), allowed.end(), item.key) != allowed.end()) {
      pf.items.push_back(item);
      continue;
    }
    bool config_key = item.key == "schema" || item.key == "lanes" || item.key == "sampling" ||
                      item.key == "priorities" || item.key == "promotion";
    if (config_key) {
      diag_.Error(item.key_node, "'" + item.key + "' belongs in targeting.yaml, not in a rule file");
    } else {
      diag_.Error(item.key_node,
                  "unknown key '" + item.key + "' at the top level" + internal::Suggest(item.key, allowed));
    }
  }
  if (source.role == SourceRole::kRules) {
    bool has_rules = false;
    for (const MapItem& item : pf.items) has_rules |= item.key == "rules";
    if (!has_rules) diag_.Error(pf.root, "a rule file needs 'rules:' (a sequence of entries)");
  }
  return pf;
}

std::optional<Days> Builder::ReadDate(const YAML::Node& n, const std::string& what) {
  auto s = diag_.Scalar(n, what);
  if (!s) return std::nullopt;
  auto d = ParseDate(*s);
  if (!d) {
    diag_.Error(n, what + " '" + *s + "' is not a date (YYYY-MM-DD, a real calendar date)");
    return std::nullopt;
  }
  return d;
}

void Builder::ReadConfig(const ParsedFile& file) {
  diag_.set_file(file.source->name);
  for (const MapItem& item : file.items) {
    if (item.key == "schema") {
      schema_ = ReadSchema(item.value);
    } else if (item.key == "lanes") {
      auto lanes = diag_.Map(item.value, "lanes", {"red", "yellow"});
      if (!lanes) continue;
      for (const MapItem& l : *lanes) {
        auto v = diag_.Number(l.value, "lanes." + l.key);
        if (v) (l.key == "red" ? config_.red : config_.yellow) = *v;
      }
      if (config_.red < config_.yellow) {
        diag_.Error(item.value, "lanes: red (" + internal::FormatNumber(config_.red) +
                                    ") must be >= yellow (" +
                                    internal::FormatNumber(config_.yellow) + ")");
      }
    } else if (item.key == "sampling") {
      auto s = diag_.Map(item.value, "sampling", {"rate", "salt"});
      if (!s) continue;
      for (const MapItem& f : *s) {
        if (f.key == "rate") {
          auto v = diag_.Number(f.value, "sampling.rate");
          if (v && (*v < 0 || *v > 1)) {
            diag_.Error(f.value, "sampling.rate must be between 0 and 1");
          } else if (v) {
            config_.sampling_rate = *v;
          }
        } else {
          auto v = diag_.Scalar(f.value, "sampling.salt");
          if (v) config_.salt = *v;
        }
      }
    } else if (item.key == "priorities") {
      auto seq = diag_.Seq(item.value, "priorities");
      if (!seq) continue;
      for (const YAML::Node& p : *seq) {
        auto tag = diag_.Scalar(p, "a priority tag");
        if (!tag) continue;
        if (tag->empty()) {
          diag_.Error(p, "a priority tag must not be empty");
        } else if (std::find(config_.priorities.begin(), config_.priorities.end(), *tag) !=
                   config_.priorities.end()) {
          diag_.Error(p, "priority '" + *tag + "' is listed twice");
        } else {
          config_.priorities.push_back(*tag);
        }
      }
    } else if (item.key == "promotion") {
      auto s = diag_.Map(item.value, "promotion",
                         {"min_examined", "min_discrepancy_rate", "confidence", "min_ports",
                          "min_new_discrepant"});
      if (!s) continue;
      PromotionCriteria& p = config_.promotion;
      for (const MapItem& f : *s) {
        std::string what = "promotion." + f.key;
        if (f.key == "min_discrepancy_rate" || f.key == "confidence") {
          auto v = diag_.Number(f.value, what);
          if (!v) continue;
          if (f.key == "confidence" && (*v <= 0 || *v >= 1)) {
            diag_.Error(f.value, what + " must be strictly between 0 and 1");
          } else if (f.key == "min_discrepancy_rate" && (*v < 0 || *v > 1)) {
            diag_.Error(f.value, what + " must be between 0 and 1");
          } else {
            (f.key == "confidence" ? p.confidence : p.min_discrepancy_rate) = *v;
          }
        } else {
          auto v = diag_.Integer(f.value, what);
          if (!v) continue;
          if (*v < 0 || *v > 1'000'000'000) {
            diag_.Error(f.value, what + " must be a whole number >= 0");
            continue;
          }
          int iv = static_cast<int>(*v);
          if (f.key == "min_examined") p.min_examined = iv;
          if (f.key == "min_ports") p.min_ports = iv;
          if (f.key == "min_new_discrepant") p.min_new_discrepant = iv;
        }
      }
    }
  }
}

std::optional<Schema> Builder::ReadSchema(const YAML::Node& value) {
  if (value.IsScalar()) {
    if (value.Scalar() == "manifest") return Schema::Manifest();
    diag_.Error(value, "unknown schema '" + value.Scalar() +
                           "'; use 'manifest' or {file: my-schema.yaml}");
    return std::nullopt;
  }
  auto items = diag_.Map(value, "schema", {"file"});
  if (!items || items->size() != 1) {
    if (items && items->empty()) diag_.Error(value, "schema needs {file: PATH}");
    return std::nullopt;
  }
  auto rel = diag_.Scalar((*items)[0].value, "schema.file");
  if (!rel) return std::nullopt;
  std::string shown;
  auto text = impl_->ReadReferenced(diag_.file(), *rel, &shown);
  if (!text.ok()) {
    diag_.Error((*items)[0].value, "cannot read schema file: " + text.status().message());
    return std::nullopt;
  }
  schema_source_ = PathKey(shown);
  std::string saved = diag_.file();
  diag_.set_file(shown);
  bool empty = false;
  auto root = internal::ParseYaml(shown, text.value(), &impl_->issues, &empty);
  auto restore = [&]() { diag_.set_file(saved); };
  if (!root) {
    restore();
    return std::nullopt;
  }
  if (empty) {
    diag_.ErrorAt(1, 1, "the schema file is empty");
    restore();
    return std::nullopt;
  }
  auto top = diag_.Map(*root, "a schema",
                       {"record_id", "date_field", "port_field", "mode_field", "fields", "derived"});
  if (!top) {
    restore();
    return std::nullopt;
  }
  std::string record_id = "record_id", date_field, port_field, mode_field;
  std::vector<FieldDef> fields;
  bool ok = true;
  YAML::Node fields_node;
  static const std::vector<std::string> kReserved = {"all", "any", "not", "at_least", "of"};
  auto add_field = [&](const MapItem& f, FieldDef def) {
    if (std::find(kReserved.begin(), kReserved.end(), f.key) != kReserved.end()) {
      diag_.Error(f.key_node, "'" + f.key + "' is reserved by the condition language and cannot name a field");
      ok = false;
      return;
    }
    def.name = f.key;
    fields.push_back(std::move(def));
  };
  for (const MapItem& item : *top) {
    if (item.key == "fields") {
      fields_node = item.key_node;
      auto fs_items = diag_.Map(item.value, "schema fields");
      if (!fs_items) {
        ok = false;
        continue;
      }
      for (const MapItem& f : *fs_items) {
        FieldDef def;
        if (f.value.IsScalar()) {
          auto t = FieldTypeFromName(f.value.Scalar());
          if (!t) {
            diag_.Error(f.value, "unknown type '" + f.value.Scalar() +
                                     "' (string, code, name, text, number, date)");
            ok = false;
            continue;
          }
          def.type = *t;
        } else {
          auto spec = diag_.Map(f.value, "field '" + f.key + "'", {"type", "list", "separator"});
          if (!spec) {
            ok = false;
            continue;
          }
          bool have_type = false, type_given = false;
          for (const MapItem& s : *spec) {
            if (s.key == "type") {
              type_given = true;
              auto tn = diag_.Scalar(s.value, "type");
              auto t = tn ? FieldTypeFromName(*tn) : std::nullopt;
              if (!t) {
                if (tn) diag_.Error(s.value, "unknown type '" + *tn + "' (string, code, name, text, number, date)");
                ok = false;
                continue;
              }
              def.type = *t;
              have_type = true;
            } else if (s.key == "list") {
              auto b = diag_.Bool(s.value, "list");
              if (b) def.list = *b;
              else ok = false;
            } else {
              auto sep = diag_.Scalar(s.value, "separator");
              if (sep && !sep->empty()) def.separator = *sep;
              else {
                if (sep) diag_.Error(s.value, "separator must not be empty");
                ok = false;
              }
            }
          }
          if (!have_type) {
            if (!type_given) diag_.Error(f.value, "field '" + f.key + "' needs a type");
            ok = false;
            continue;
          }
        }
        add_field(f, std::move(def));
      }
    } else if (item.key == "derived") {
      // Resolved after all fields are known.
    } else {
      auto v = diag_.Scalar(item.value, item.key);
      if (!v) {
        ok = false;
        continue;
      }
      if (item.key == "record_id") record_id = *v;
      if (item.key == "date_field") date_field = *v;
      if (item.key == "port_field") port_field = *v;
      if (item.key == "mode_field") mode_field = *v;
    }
  }
  for (const MapItem& item : *top) {
    if (item.key != "derived") continue;
    auto ds = diag_.Map(item.value, "derived fields");
    if (!ds) {
      ok = false;
      continue;
    }
    for (const MapItem& d : *ds) {
      auto spec = diag_.Map(d.value, "derived field '" + d.key + "'", {"divide"});
      if (!spec || spec->size() != 1) {
        if (spec && spec->empty()) diag_.Error(d.value, "a derived field needs {divide: [A, B]}");
        ok = false;
        continue;
      }
      auto parts = diag_.Seq((*spec)[0].value, "divide");
      if (!parts || parts->size() != 2) {
        if (parts) diag_.Error((*spec)[0].value, "divide takes two field names [numerator, denominator]");
        ok = false;
        continue;
      }
      FieldDef def;
      def.type = FieldType::kNumber;
      def.derived = true;
      int idx[2] = {-1, -1};
      for (int k = 0; k < 2; ++k) {
        auto n = diag_.Scalar((*parts)[static_cast<std::size_t>(k)], "a field name");
        if (!n) continue;
        for (std::size_t j = 0; j < fields.size(); ++j) {
          if (fields[j].name == *n) idx[k] = static_cast<int>(j);
        }
        if (idx[k] < 0) {
          diag_.Error((*parts)[static_cast<std::size_t>(k)], "divide refers to unknown field '" + *n + "'");
        }
      }
      if (idx[0] < 0 || idx[1] < 0) {
        ok = false;
        continue;
      }
      def.numerator = idx[0];
      def.denominator = idx[1];
      add_field(d, std::move(def));
    }
  }
  if (!ok) {
    restore();
    return std::nullopt;
  }
  auto built = Schema::Build(std::move(fields), record_id, date_field, port_field, mode_field);
  if (!built.ok()) {
    diag_.Error(*root, "invalid schema: " + built.status().message());
    restore();
    return std::nullopt;
  }
  restore();
  return std::move(built).value();
}

void Builder::ReadLists(const ParsedFile& file, const YAML::Node& lists) {
  auto items = diag_.Map(lists, "lists");
  if (!items) return;
  for (const MapItem& item : *items) {
    auto existing = lists_.find(item.key);
    if (existing != lists_.end()) {
      diag_.Error(item.key_node, "list '" + item.key + "' is defined twice (first at " +
                                     existing->second.file + ":" +
                                     std::to_string(existing->second.line) + ")");
      continue;
    }
    NamedList list;
    list.name = item.key;
    list.file = file.source->name;
    list.line = LineOf(item.key_node);
    list.column = ColumnOf(item.key_node);
    auto add_seq = [&](const YAML::Node& seq_node) {
      if (seq_node.IsSequence() && seq_node.size() > limits_.max_list_size) {
        diag_.Error(item.key_node, "list '" + item.key + "' has " + std::to_string(seq_node.size()) +
                                       " values, more than max_list_size=" +
                                       std::to_string(limits_.max_list_size));
        return false;
      }
      auto seq = diag_.Seq(seq_node, "list '" + item.key + "'");
      if (!seq) return false;
      for (const YAML::Node& v : *seq) {
        auto s = diag_.Scalar(v, "a list value");
        if (!s) return false;
        list.items.push_back({*s, file.source->name, LineOf(v), ColumnOf(v)});
      }
      return true;
    };
    bool ok = true;
    if (item.value.IsSequence()) {
      ok = add_seq(item.value);
    } else {
      auto spec = diag_.Map(item.value, "list '" + item.key + "'", {"file", "values"});
      if (!spec) continue;
      if (spec->size() != 1) {
        if (item.value.size() == spec->size()) {
          diag_.Error(item.value, "list '" + item.key + "' needs exactly one of {file: PATH} or {values: [...]}");
        }
        continue;
      }
      const MapItem& s = (*spec)[0];
      if (s.key == "values") {
        ok = add_seq(s.value);
      } else {
        auto rel = diag_.Scalar(s.value, "list file");
        if (!rel) continue;
        std::string shown;
        auto text = impl_->ReadReferenced(file.source->name, *rel, &shown);
        if (!text.ok()) {
          diag_.Error(s.value, "cannot read list file: " + text.status().message());
          continue;
        }
        if (auto bad = internal::CheckText(shown, text.value())) {
          impl_->issues.push_back(*bad);
          continue;
        }
        list.file = shown;
        std::string_view body = text.value();
        if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
        int line_no = 0;
        while (!body.empty()) {
          ++line_no;
          std::size_t nl = body.find('\n');
          std::string_view line = body.substr(0, nl);
          body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
          if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
          std::string_view t = internal::TrimSpaces(line);
          if (t.empty() || t.front() == '#') continue;
          int col = static_cast<int>(t.data() - line.data()) + 1;
          list.items.push_back({std::string(t), shown, line_no, col});
        }
        data_keys_.insert(PathKey(shown));
      }
    }
    if (!ok) continue;
    if (list.items.size() > limits_.max_list_size) {
      diag_.Error(item.key_node, "list '" + item.key + "' has " +
                                     std::to_string(list.items.size()) +
                                     " values, more than max_list_size=" +
                                     std::to_string(limits_.max_list_size));
      continue;
    }
    lists_.emplace(item.key, std::move(list));
  }
}

void Builder::ReadRules(const ParsedFile& file, const YAML::Node& rules) {
  auto seq = diag_.Seq(rules, "rules");
  if (!seq) return;
  for (const YAML::Node& n : *seq) {
    if (diag_.exhausted()) return;
    ReadEntry(file, n);
  }
}

void Builder::ReadEntry(const ParsedFile& file, const YAML::Node& node) {
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
  raw.file = file.source->name;
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
      std::vector<YAML::Node> tags;
      if (item.value.IsScalar()) {
        tags.push_back(item.value);
      } else if (auto seq = diag_.Seq(item.value, "priority")) {
        tags = *seq;
      } else {
        ok = false;
      }
      for (const YAML::Node& t : tags) {
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
    auto [it, inserted] = seen_ids_.emplace(info.id, std::make_pair(raw.file, info.line));
    if (!inserted) {
      diag_.Error(node, "duplicate id '" + info.id + "' (first defined at " + it->second.first +
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
    for (const YAML::Node& rec : *seq) {
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

bool Builder::ReadTestRecord(const YAML::Node& rec, const std::string& where, Record* record) {
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
    std::vector<YAML::Node> values;
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
    for (const YAML::Node& v : values) {
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
  diag_.set_file(raw.file);
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
  out->emplace_back(raw.info, std::move(code));
}

CompileResult Builder::Run() {
  CompileResult result;
  std::vector<Source>& sources = impl_->sources;
  // The configuration first: it names the schema, the priorities and the
  // files that are data rather than rules.
  std::vector<ParsedFile> parsed;
  int configs = 0;
  for (const Source& s : sources) {
    if (s.role == SourceRole::kConfig || s.role == SourceRole::kSingle) ++configs;
  }
  if (configs > 1) {
    result.status = Status(StatusCode::kInvalidArgument, "more than one targeting.yaml given");
    return result;
  }
  for (const Source& s : sources) {
    if (s.role != SourceRole::kConfig && s.role != SourceRole::kSingle) continue;
    auto pf = Parse(s);
    if (!pf) continue;
    ReadConfig(*pf);
    parsed.push_back(std::move(*pf));
  }
  // Lists of the configuration first, so list files it names are not taken
  // for rule files below.
  for (const ParsedFile& pf : parsed) {
    diag_.set_file(pf.source->name);
    diag_.set_entry("");
    for (const MapItem& item : pf.items) {
      if (item.key == "lists") ReadLists(pf, item.value);
    }
  }
  const std::size_t config_files = parsed.size();
  if (!schema_) {
    bool asked_custom = false;
    for (const ParsedFile& pf : parsed) {
      for (const MapItem& item : pf.items) asked_custom |= item.key == "schema";
    }
    if (asked_custom) {
      // The schema's errors are reported; nothing else can be checked.
      SortIssues(&impl_->issues);
      result.issues = impl_->issues;
      return result;
    }
    schema_ = Schema::Manifest();
  }
  for (const Source& s : sources) {
    if (s.role != SourceRole::kRules) continue;
    if (data_keys_.count(s.key)) continue;
    if (!schema_source_.empty() && s.key == schema_source_) continue;
    auto pf = Parse(s);
    if (pf) parsed.push_back(std::move(*pf));
  }
  // Lists of every rule file, then entries (which may use lists of later files).
  for (std::size_t i = config_files; i < parsed.size(); ++i) {
    const ParsedFile& pf = parsed[i];
    diag_.set_file(pf.source->name);
    diag_.set_entry("");
    for (const MapItem& item : pf.items) {
      if (item.key == "lists") ReadLists(pf, item.value);
    }
  }
  for (const ParsedFile& pf : parsed) {
    diag_.set_file(pf.source->name);
    diag_.set_entry("");
    diag_.ResetBudget(limits_.max_yaml_nodes);
    for (const MapItem& item : pf.items) {
      if (item.key == "rules") ReadRules(pf, item.value);
    }
  }
  data_ = std::make_unique<internal::RuleSetData>(std::move(*schema_));
  data_->config = config_;
  internal::ConditionCompiler cc(data_.get(), limits_, &lists_, &diag_);
  std::vector<std::pair<EntryInfo, internal::EntryCode>> compiled;
  for (RawEntry& raw : entries_) {
    if (raw.info.status == EntryStatus::kRetired) continue;
    CompileEntry(raw, cc, &compiled);
  }
  SortIssues(&impl_->issues);
  result.issues = impl_->issues;
  if (result.error_count() > 0) return result;

  std::sort(compiled.begin(), compiled.end(),
            [](const auto& a, const auto& b) { return a.first.id < b.first.id; });
  for (auto& [info, code] : compiled) {
    data_->entry_by_id.emplace(info.id, static_cast<int>(data_->entries.size()));
    if (info.status == EntryStatus::kActive || info.status == EntryStatus::kShadow) {
      data_->scored.push_back(static_cast<int>(data_->entries.size()));
    }
    data_->entries.push_back(std::move(info));
    data_->code.push_back(std::move(code));
  }
  internal::ComputeFingerprint(data_.get());
  internal::BuildMatchIndex(data_.get(), limits_);
  for (std::size_t i = 0; i < data_->entries.size(); ++i) {
    const EntryInfo& e = data_->entries[i];
    if (!e.always_verify || e.status == EntryStatus::kDraft) continue;
    Issue w{Severity::kWarning, e.file, e.line, e.column, e.id,
            internal::UsesAggregate(*data_, data_->code[i].root)
                ? "nothing in this entry's condition can be indexed (only negations, exists, "
                  "effective or aggregates), so it is verified on every record"
                : "nothing in this entry's condition can be indexed (only negations, exists or "
                  "effective), so it is verified on every record"};
    result.issues.push_back(std::move(w));
  }
  result.rule_set = std::make_shared<const RuleSet>(std::move(data_));
  return result;
}

}  // namespace

CompileResult Compiler::Impl::Build() {
  if (built) {
    CompileResult r;
    r.status = Status(StatusCode::kInvalidArgument, "Compiler::Build() may be called only once");
    return r;
  }
  built = true;
  if (!status.ok()) {
    CompileResult r;
    r.status = status;
    return r;
  }
  const int depth = options.limits.max_condition_depth;
  if (depth < 1 || depth > kMaxConditionDepthCeiling) {
    CompileResult r;
    r.status = Status(StatusCode::kInvalidArgument,
                      "max_condition_depth=" + std::to_string(depth) + " is outside 1.." +
                          std::to_string(kMaxConditionDepthCeiling));
    return r;
  }
  // yaml-cpp reports misuse by throwing; nothing may cross the public API, so
  // any exception becomes an error issue rather than a crash.
  try {
    Builder builder(this);
    return builder.Run();
  } catch (const std::bad_alloc&) {
    CompileResult r;
    r.status = Status(StatusCode::kLimitExceeded, "out of memory while compiling the rule set");
    return r;
  } catch (const std::exception& e) {
    CompileResult r;
    r.issues = issues;
    r.issues.push_back(Issue{Severity::kError, "", 0, 0, "",
                             std::string("internal error while compiling: ") + e.what()});
    return r;
  }
}

Compiler::Compiler(CompileOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
Compiler::~Compiler() = default;

void Compiler::AddSource(std::string name, std::string text, SourceRole role) {
  std::string key = PathKey(name);
  impl_->sources.push_back(Source{std::move(name), std::move(text), role, std::move(key)});
}

Status Compiler::AddPath(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    const bool missing = !ec || ec == std::errc::no_such_file_or_directory;
    Status s(missing ? StatusCode::kNotFound : StatusCode::kIoError,
             path + ": " + (missing ? std::string("no such file or directory") : ec.message()));
    if (impl_->status.ok()) impl_->status = s;
    return s;
  }
  auto add_file = [&](const std::string& file, SourceRole role) -> Status {
    auto text = internal::ReadFileLimited(file, impl_->options.limits.max_file_bytes);
    if (!text.ok()) {
      if (impl_->status.ok()) impl_->status = text.status();
      return text.status();
    }
    AddSource(file, std::move(text).value(), role);
    return Status::Ok();
  };
  if (!fs::is_directory(st)) return add_file(path, SourceRole::kSingle);

  fs::path root(path);
  fs::path config = root / "targeting.yaml";
  // symlink_status: a dangling targeting.yaml is an error, not all defaults.
  if (fs::exists(fs::symlink_status(config, ec))) {
    if (Status s = add_file(config.generic_string(), SourceRole::kConfig); !s.ok()) return s;
  }
  auto fail = [&](Status s) {
    if (impl_->status.ok()) impl_->status = s;
    return s;
  };
  std::vector<std::string> rels;
  // A directory that cannot be read is an error, not rules silently missing.
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return fail(Status(StatusCode::kIoError, path + ": " + ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    std::error_code entry_ec;
    const bool is_dir = it->is_directory(entry_ec);
    if (!name.empty() && name[0] == '.') {
      if (is_dir) it.disable_recursion_pending();
      continue;
    }
    if (is_dir) {
      // Symbolic links to directories are not followed, so a link cannot lead
      // the walk round a loop; say so rather than leave their rules out.
      if (it->is_symlink(entry_ec)) {
        return fail(Status(StatusCode::kIoError,
                           p.generic_string() + ": a symbolic link to a directory is not followed "
                                                "in a rule-set directory"));
      }
      continue;
    }
    std::string ext = p.extension().string();
    if (ext != ".yaml" && ext != ".yml") continue;
    std::string rel = p.lexically_relative(root).generic_string();
    if (rel == "targeting.yaml") continue;
    // Whatever else is named *.yaml is read below, so a dangling link, a FIFO
    // or an unreadable file fails the load with its reason.
    rels.push_back(rel);
  }
  if (ec) return fail(Status(StatusCode::kIoError, path + ": " + ec.message()));
  std::sort(rels.begin(), rels.end());  // byte order of relative paths
  for (const std::string& rel : rels) {
    if (Status s = add_file((root / rel).generic_string(), SourceRole::kRules); !s.ok()) return s;
  }
  return Status::Ok();
}

CompileResult Compiler::Build() { return impl_->Build(); }

CompileResult CompilePath(const std::string& path, CompileOptions options) {
  Compiler c(options);
  Status s = c.AddPath(path);
  if (!s.ok()) {
    CompileResult r;
    r.status = s;
    return r;
  }
  return c.Build();
}

CompileResult CompileString(std::string_view yaml, std::string name, CompileOptions options) {
  Compiler c(options);
  c.AddSource(std::move(name), std::string(yaml), SourceRole::kSingle);
  return c.Build();
}

std::size_t CompileResult::error_count() const {
  return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [](const Issue& i) {
    return i.severity == Severity::kError;
  }));
}

std::size_t CompileResult::warning_count() const { return issues.size() - error_count(); }

}  // namespace targeting
