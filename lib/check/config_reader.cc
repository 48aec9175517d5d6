// Reading targeting.yaml (SPEC section 1), a custom schema (section 2) and
// named lists.
#include <algorithm>
#include <filesystem>

#include "check/plan_builder.h"
#include "load/normalize.h"
#include "load/yaml_source.h"
#include "plan/fingerprint.h"

namespace targeting::internal::checking {

namespace fs = std::filesystem;

std::optional<Days> Builder::ReadDate(const ytree::Node& n, const std::string& what) {
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
      for (const ytree::Node& p : *seq) {
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
    } else if (item.key == "scorecard") {
      auto s = diag_.Map(item.value, "scorecard", {"by", "idle_periods", "redundant_jaccard", "min_examined"});
      if (!s) continue;
      ScorecardCriteria& sc = config_.scorecard;
      sc.given = true;
      for (const MapItem& f : *s) {
        const std::string what = "scorecard." + f.key;
        if (f.key == "by") {
          if (!f.value.IsScalar() || (f.value.Scalar() != "week" && f.value.Scalar() != "month")) {
            diag_.Error(f.value, what + " must be week or month");
          } else {
            sc.by = f.value.Scalar();
          }
        } else if (f.key == "redundant_jaccard") {
          auto v = diag_.Number(f.value, what);
          if (!v) continue;
          if (!(*v > 0 && *v <= 1)) diag_.Error(f.value, what + " must be above 0 and at most 1");
          else sc.redundant_jaccard = *v;
        } else {
          auto v = diag_.Integer(f.value, what);
          if (!v) continue;
          const long long low = f.key == "idle_periods" ? 1 : 0;
          if (*v < low || *v > 1'000'000'000) {
            diag_.Error(f.value, what + " must be a whole number >= " + std::to_string(low));
            continue;
          }
          if (f.key == "idle_periods") sc.idle_periods = static_cast<std::uint64_t>(*v);
          else sc.min_examined = static_cast<int>(*v);
        }
      }
    }
  }
}

std::optional<Schema> Builder::ReadSchema(const ytree::Node& value) {
  if (value.IsScalar()) {
    if (value.Scalar() == "manifest") return Schema::Manifest();
    diag_.Error(value, "unknown schema '" + std::string(value.Scalar()) +
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
  auto text = set_->ReadReferenced(diag_.file(), *rel, &shown);
  if (!text.ok()) {
    diag_.Error((*items)[0].value, "cannot read schema file: " + text.status().message());
    return std::nullopt;
  }
  schema_source_ = internal::PathKey(shown);
  std::string saved = diag_.file();
  diag_.set_file(shown);
  bool empty = false;
  ytree::Tree tree;
  auto root = internal::ParseYamlTree(shown, text.value(), &issues_, &empty, &tree);
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
  ytree::Node fields_node;
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
            diag_.Error(f.value, "unknown type '" + std::string(f.value.Scalar()) +
                                     "' (string, code, name, address, text, number, date)");
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
                if (tn) diag_.Error(s.value, "unknown type '" + *tn + "' (string, code, name, address, text, number, date)");
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

void Builder::ReadLists(const ParsedFile& file, const ytree::Node& lists) {
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
    auto add_seq = [&](const ytree::Node& seq_node) {
      if (seq_node.IsSequence() && seq_node.size() > limits_.max_list_size) {
        diag_.Error(item.key_node, "list '" + item.key + "' has " + std::to_string(seq_node.size()) +
                                       " values, more than max_list_size=" +
                                       std::to_string(limits_.max_list_size));
        return false;
      }
      auto seq = diag_.Seq(seq_node, "list '" + item.key + "'");
      if (!seq) return false;
      for (const ytree::Node& v : *seq) {
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
        auto text = set_->ReadReferenced(file.source->name, *rel, &shown);
        if (!text.ok()) {
          diag_.Error(s.value, "cannot read list file: " + text.status().message());
          continue;
        }
        if (auto bad = internal::CheckText(shown, text.value())) {
          issues_.push_back(*bad);
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
        data_keys_.insert(internal::PathKey(shown));
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

}  // namespace targeting::internal::checking
