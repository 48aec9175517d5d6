// Random rule sets (as YAML text) and random records for the differential
// tests: every operator, nesting, negation, lists, scope, effective windows,
// statuses, list fields and missing values. Deterministic by seed.
#ifndef TARGETING_TESTS_DIFFERENTIAL_RANDOM_RULES_H_
#define TARGETING_TESTS_DIFFERENTIAL_RANDOM_RULES_H_

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "targeting/targeting.h"

namespace targeting::testing {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // 0 <= result < n
  int Below(int n) { return n <= 1 ? 0 : static_cast<int>(Next() % static_cast<std::uint64_t>(n)); }
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(Below(static_cast<int>(v.size())))]; }

 private:
  std::uint64_t state_;
};

// A YAML double-quoted scalar (JSON-compatible escapes).
inline std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

struct GenField {
  std::string name;
  FieldType type;
  bool list = false;
  bool derived = false;
};

struct GeneratedSet {
  std::uint64_t seed = 0;
  std::string schema_yaml;  // empty: the built-in manifest schema
  std::string header;       // configuration and lists, ending in "rules:\n"
  std::vector<std::string> entries;
  Days as_of = 0;
  std::int64_t regex_set_max_mem = 64 << 20;

  std::string Yaml() const {
    std::string y = header;
    for (const std::string& e : entries) y += e;
    return y;
  }
  std::string YamlWith(std::size_t entry) const { return header + entries[entry]; }

  CompileResult Compile(const std::string& yaml) const {
    CompileOptions options;
    options.limits.regex_set_max_mem = regex_set_max_mem;
    Compiler c(options);
    if (!schema_yaml.empty()) c.AddSource("schema.yaml", schema_yaml, SourceRole::kData);
    c.AddSource("rules.yaml", yaml, SourceRole::kSingle);
    return c.Build();
  }
};

using RawRecord = std::vector<std::pair<std::string, std::vector<std::string>>>;

// A record as a YAML flow mapping, as inline tests write them.
inline std::string RecordYaml(const RawRecord& r) {
  std::string s = "{";
  bool first = true;
  for (const auto& [name, values] : r) {
    if (!first) s += ", ";
    first = false;
    s += name + ": ";
    if (values.size() == 1) {
      s += Quote(values[0]);
      continue;
    }
    s += "[";
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + Quote(values[i]);
    s += "]";
  }
  return s + "}";
}

class RandomRuleSets {
 public:
  explicit RandomRuleSets(std::uint64_t seed) : seed_(seed), rng_(seed) {
    custom_ = rng_.Chance(0.25);
    if (custom_) {
      fields_ = {{"id", FieldType::kString},      {"day", FieldType::kDate},
                 {"port", FieldType::kCode},      {"mode", FieldType::kCode},
                 {"s", FieldType::kString},       {"c", FieldType::kCode},
                 {"nm", FieldType::kName},        {"t", FieldType::kText},
                 {"tags", FieldType::kText, true}, {"codes", FieldType::kCode, true},
                 {"names", FieldType::kName, true}, {"strs", FieldType::kString, true},
                 {"nums", FieldType::kNumber, true}, {"days", FieldType::kDate, true},
                 {"n", FieldType::kNumber},       {"w", FieldType::kNumber},
                 {"addr", FieldType::kAddress},   {"addrs", FieldType::kAddress, true},
                 {"ratio", FieldType::kNumber, false, true}};
      record_id_ = "id";
      port_ = "port";
      mode_ = "mode";
    } else {
      using T = FieldType;
      fields_ = {{"record_id", T::kString},       {"arrival_date", T::kDate},
                 {"mode", T::kCode},              {"port_of_entry", T::kCode},
                 {"port_of_lading", T::kCode},    {"country_of_origin", T::kCode},
                 {"country_of_export", T::kCode}, {"routing", T::kCode, true},
                 {"shipper_name", T::kName},      {"shipper_country", T::kCode},
                 {"consignee_name", T::kName},    {"consignee_address", T::kAddress},
                 {"consignee_type", T::kCode},    {"importer_id", T::kCode},
                 {"manufacturer_id", T::kCode},   {"carrier", T::kCode},
                 {"hts_code", T::kCode},          {"description", T::kText},
                 {"quantity", T::kNumber},        {"gross_weight_kg", T::kNumber},
                 {"declared_value_usd", T::kNumber}, {"value_per_kg", T::kNumber, false, true},
                 {"value_per_unit", T::kNumber, false, true}};
      record_id_ = "record_id";
      port_ = "port_of_entry";
      mode_ = "mode";
    }
  }

  const std::vector<GenField>& fields() const { return fields_; }

  GeneratedSet NextSet(int max_entries) {
    GeneratedSet g;
    // Some sets lean on regexes without a required literal, so that the
    // index builds RE2::Sets (and splits them, and falls back from them).
    regex_heavy_ = rng_.Chance(0.3);
    g.seed = seed_;
    g.as_of = *ParseDate(rng_.Pick(Dates()));
    if (rng_.Chance(0.2)) g.regex_set_max_mem = rng_.Pick(std::vector<std::int64_t>{2000, 6000, 20000, 60000, 200000});
    if (custom_) g.schema_yaml = SchemaYaml();
    std::string& h = g.header;
    if (custom_) h += "schema: {file: schema.yaml}\n";
    h += "lanes: {red: " + std::to_string(rng_.Between(20, 60)) + ", yellow: " +
         std::to_string(rng_.Between(5, 20)) + "}\n";
    if (rng_.Chance(0.5)) h += "sampling: {rate: 0.3, salt: s" + std::to_string(rng_.Below(100)) + "}\n";
    h += "lists:\n";
    h += "  strs: {values: [" + JoinQuoted(Some(Strings(), 1, 5)) + "]}\n";
    h += "  more: {values: [" + JoinQuoted(Some(Strings(), 1, 8)) + "]}\n";
    h += "  words: {values: [" + JoinQuoted(Some(ContainsOperands(), 1, 5)) + "]}\n";
    h += "  nums: {values: [" + JoinQuoted(Some(Numbers(), 1, 4)) + "]}\n";
    h += "  dates: {values: [" + JoinQuoted(Some(Dates(), 1, 3)) + "]}\n";
    h += "  empty: {values: []}\n";
    // similar against lists of thousands of names (SimilarFilter), in some sets.
    big_list_ = rng_.Chance(0.35);
    if (big_list_) {
      const std::vector<std::string>& pool = NamePool();
      const int n = rng_.Between(1000, static_cast<int>(pool.size()));
      const int start = rng_.Below(static_cast<int>(pool.size()));
      h += "  names: {values: [";
      for (int i = 0; i < n; ++i) {
        h += (i ? ", " : "") + Quote(pool[static_cast<std::size_t>((start + i) % static_cast<int>(pool.size()))]);
      }
      h += "]}\n";
    }
    h += "rules:\n";
    const int n = rng_.Between(1, max_entries);
    for (int i = 0; i < n; ++i) g.entries.push_back(Entry(i));
    return g;
  }

  RawRecord NextRecord(int index) {
    RawRecord r;
    for (const GenField& f : fields_) {
      if (f.derived) continue;
      if (f.name == record_id_) {
        r.push_back({f.name, {"R" + std::to_string(index)}});
        continue;
      }
      if (rng_.Chance(0.25)) continue;  // missing
      std::vector<std::string> values;
      const int count = f.list ? rng_.Between(0, 3) : 1;
      for (int k = 0; k < count; ++k) values.push_back(RecordValue(f));
      if (!values.empty()) r.push_back({f.name, values});
    }
    return r;
  }

  // Builds a record; list elements are added one by one.
  static Result<Record> Build(const Schema& schema, const RawRecord& raw) {
    Record rec(schema);
    std::string error;
    for (const auto& [name, values] : raw) {
      int f = schema.Find(name);
      if (f < 0) return Status(StatusCode::kInvalidArgument, "unknown field " + name);
      for (const std::string& v : values) {
        if (!rec.AddElement(f, v, &error)) return Status(StatusCode::kInvalidArgument, error);
      }
    }
    if (!rec.Finish(&error)) return Status(StatusCode::kInvalidArgument, error);
    return rec;
  }

 private:
  // Company-like names from syllables, fixed for every seed.
  static const std::vector<std::string>& NamePool() {
    static const std::vector<std::string> v = [] {
      static const char* const kParts[] = {
          "SHEN", "ZHEN", "HONG", "DA", "TRAD", "ING", "GOLD", "EN", "HAR", "BOUR", "XIN", "YUE",
          "AUTO", "PARTS", "KAI", "YUAN", "LI", "JIA", "WAH", "FUNG", "STAR", "BRIGHT", "SUN",
          "TECH", "ELEC", "TRON", "GLOBAL", "INTL", "NING", "BO", "TIAN", "YU", "HAO", "YUN",
          "A", "AL", "RUI", "SHENG", "MEI", "FU", "JIN", "LONG", "BAGS", "CO", "BAND", "AR"};
      Rng rng(0x5eed);
      std::vector<std::string> out;
      for (int i = 0; i < 3000; ++i) {
        std::string name;
        const int words = rng.Between(1, 4);
        for (int w = 0; w < words; ++w) {
          if (w) name += ' ';
          const int syl = rng.Between(1, 3);
          for (int k = 0; k < syl; ++k) name += kParts[rng.Below(static_cast<int>(std::size(kParts)))];
        }
        out.push_back(name);
      }
      return out;
    }();
    return v;
  }
  // A name of the pool, sometimes misspelt: a byte changed, dropped, added or
  // swapped with the next, or a word dropped.
  std::string NearName() {
    std::string v = rng_.Pick(NamePool());
    const int edits = rng_.Below(3);
    for (int e = 0; e < edits && v.size() > 1; ++e) {
      const auto at = static_cast<std::size_t>(rng_.Below(static_cast<int>(v.size())));
      switch (rng_.Below(5)) {
        case 0: v[at] = static_cast<char>('A' + rng_.Below(26)); break;
        case 1: v.erase(at, 1); break;
        case 2: v.insert(at, 1, static_cast<char>('A' + rng_.Below(26))); break;
        case 3:
          if (at + 1 < v.size()) std::swap(v[at], v[at + 1]);
          break;
        default: {
          const std::size_t sp = v.find(' ');
          if (sp != std::string::npos) v.erase(0, sp + 1);
        }
      }
    }
    return v;
  }

  static const std::vector<std::string>& Strings() {
    static const std::vector<std::string> v = {
        "CN", "cn", "HK", "US", "VN", "2704", "4601", "SEA", "AIR", "Acme Trading Co., Ltd.",
        "ACME TRADING", "Acme", "Globex Corp", "globex", "A-1", "a1", "42", "4202", "420221",
        "4202.21.6000", "8471", "847130", "x", "Kit", "sa sa", "Co"};
    return v;
  }
  static const std::vector<std::string>& Words() {
    static const std::vector<std::string> v = {
        "GUCCI", "gucci", "Gucci", "bag", "bags", "kit", "KIT", "\xE2\x84\xAAit", "\xC5\xBFneakers",
        "sneakers", "SNEAKERS", "\xC4\xB0stanbul", "istanbul", "lithium", "LI-ION", "battery",
        "caf\xC3\xA9", "CAF\xC3\x89", "a.b", "(x)", "42", "ACME", "Trading", "k", "K"};
    return v;
  }
  static const std::vector<std::string>& ContainsOperands() {
    static const std::vector<std::string> v = {
        "gu", "UCC", "gucci", "it", "kit", "K", "\xE2\x84\xAA", "\xC5\xBF", "s", "sneak", "caf\xC3\xA9",
        "\xC3\x89", "a.b", "(x)", "42", "acme", "trading", "ion", "LI-", "bat", "ag"};
    return v;
  }
  static const std::vector<std::string>& Regexes() {
    static const std::vector<std::string> v = {
        "GUCCI", "(?i)gucci", "^ACME", "TRADING$", "\\bkit\\b", "(?i)kit", "(?i)sneakers",
        "[0-9]{4}", "^42", "2$", "", "a|b", "li(thium|-ion)", "(?i)(lithium|battery)", "(?i)\xC4\xB0stanbul",
        "\xC5\xBF", "\\x{212A}", "caf\xC3\xA9", "(?i)CAF\xC3\xA9", ".*", "x*", "^[A-Z]+$", "(?i)acme trading",
        "GUC+I", "bag(s)?$", "^\\d+$", "(?i)k", "4202\\d*", "[Kk]it", "(GUCCI|CHANEL).*bag"};
    return v;
  }
  static const std::vector<std::string>& Numbers() {
    static const std::vector<std::string> v = {"0",  "-0",  "0.5", ".5",   "1",      "1.0",  "1e1",
                                               "10", "20",  "-3.5", "100", "2.5E-3", "1000", "3"};
    return v;
  }
  static const std::vector<std::string>& Dates() {
    static const std::vector<std::string> v = {"2025-12-31", "2026-01-01", "2026-06-15", "2026-12-31",
                                               "2027-01-01"};
    return v;
  }

  std::string SchemaYaml() const {
    return "record_id: id\ndate_field: day\nport_field: port\nmode_field: mode\nfields:\n"
           "  id: string\n  day: date\n  port: code\n  mode: code\n  s: string\n  c: code\n"
           "  nm: name\n  t: text\n  tags: {type: text, list: true}\n"
           "  codes: {type: code, list: true}\n  names: {type: name, list: true}\n"
           "  strs: {type: string, list: true}\n  nums: {type: number, list: true}\n"
           "  days: {type: date, list: true}\n  n: number\n  w: number\n"
           "  addr: address\n  addrs: {type: address, list: true}\n"
           "derived:\n  ratio: {divide: [n, w]}\n";
  }

  std::vector<std::string> Some(const std::vector<std::string>& pool, int lo, int hi) {
    std::vector<std::string> out;
    const int n = rng_.Between(lo, hi);
    for (int i = 0; i < n; ++i) out.push_back(rng_.Pick(pool));
    return out;
  }
  static std::string JoinQuoted(const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + Quote(v[i]);
    return s;
  }

  std::string Digits() {
    std::string s;
    const int n = rng_.Between(2, 10);
    for (int i = 0; i < n; ++i) s += "4201"[rng_.Below(4)];
    return s;
  }
  std::string Phrase() {
    std::string s;
    const int n = rng_.Between(1, 4);
    for (int i = 0; i < n; ++i) s += (i ? rng_.Pick(std::vector<std::string>{" ", "-", ", ", ""}) : "") + rng_.Pick(Words());
    return s;
  }

  std::string RecordValue(const GenField& f) {
    switch (f.type) {
      case FieldType::kNumber: return rng_.Pick(Numbers());
      case FieldType::kDate: return rng_.Pick(Dates());
      case FieldType::kText: return Phrase();
      default:
        if (rng_.Chance(0.3)) return NearName();
        if (f.name == "hts_code" || rng_.Chance(0.15)) return Digits();
        if (rng_.Chance(0.2)) return Phrase();
        return rng_.Pick(Strings());
    }
  }

  // A scalar operand for eq / ne and the elements of in / not_in.
  std::string Value(const GenField& f) {
    switch (f.type) {
      case FieldType::kNumber: return rng_.Pick(Numbers());
      case FieldType::kDate: return rng_.Pick(Dates());
      case FieldType::kText: return rng_.Chance(0.5) ? Phrase() : rng_.Pick(Words());
      default:
        if (f.name == "hts_code" || rng_.Chance(0.15)) return Digits();
        return rng_.Pick(Strings());
    }
  }

  std::string Seq(const GenField& f, int lo, int hi) {
    std::vector<std::string> v;
    const int n = rng_.Between(lo, hi);
    for (int i = 0; i < n; ++i) v.push_back(Value(f));
    return "[" + JoinQuoted(v) + "]";
  }

  std::string ListRef(const GenField& f) {
    if (f.type == FieldType::kNumber) return "{\"list\": \"nums\"}";
    if (f.type == FieldType::kDate) return "{\"list\": \"dates\"}";
    if (f.type == FieldType::kText) return rng_.Chance(0.5) ? "{\"list\": \"words\"}" : "{\"list\": \"strs\"}";
    return rng_.Pick(std::vector<std::string>{"{\"list\": \"strs\"}", "{\"list\": \"more\"}",
                                              "{\"list\": \"empty\"}"});
  }

  std::string Operand(const GenField& f, const std::string& op) {
    const bool numeric = IsNumeric(f.type);
    if (op == "eq" || op == "ne") return Quote(Value(f));
    if (op == "in" || op == "not_in") {
      if (rng_.Chance(0.25)) return ListRef(f);
      return Seq(f, 1, 4);
    }
    if (op == "prefix") {
      const int form = rng_.Below(4);
      auto one = [&]() {
        std::string v = f.name == "hts_code" || rng_.Chance(0.3) ? Digits() : rng_.Pick(Strings());
        if (v.size() > 2 && rng_.Chance(0.5)) v.resize(static_cast<std::size_t>(rng_.Between(1, static_cast<int>(v.size()))));
        return v;
      };
      if (form == 0) return Quote(one());
      if (form == 1) return ListRef(f);
      std::vector<std::string> v;
      for (int i = rng_.Between(1, 3); i > 0; --i) v.push_back(one());
      return "[" + JoinQuoted(v) + "]";
    }
    if (op == "contains") {
      std::string v = rng_.Pick(ContainsOperands());
      // Operands are normalized by the field's type; keep them non-empty.
      if (f.type != FieldType::kText && f.type != FieldType::kString) {
        v = rng_.Pick(std::vector<std::string>{"gu", "CC", "acme", "TRAD", "42", "kit", "K", "s", "01", "20", "a 1"});
      }
      return Quote(v);
    }
    if (op == "contains_any") {
      if (rng_.Chance(0.3)) {
        return f.type == FieldType::kText || f.type == FieldType::kString ? "{\"list\": \"words\"}"
                                                                           : "{\"list\": \"strs\"}";
      }
      std::vector<std::string> v;
      for (int i = rng_.Between(1, 3); i > 0; --i) {
        if (f.type == FieldType::kText || f.type == FieldType::kString) {
          v.push_back(rng_.Pick(ContainsOperands()));
        } else {
          v.push_back(rng_.Pick(std::vector<std::string>{"gu", "CC", "acme", "TRAD", "42", "kit", "K", "s", "01", "20"}));
        }
      }
      return "[" + JoinQuoted(v) + "]";
    }
    if (op == "regex") {
      if (rng_.Chance(0.7)) return Quote(rng_.Pick(Regexes()));
      std::vector<std::string> v;
      for (int i = rng_.Between(1, 3); i > 0; --i) v.push_back(rng_.Pick(Regexes()));
      return "[" + JoinQuoted(v) + "]";
    }
    if (op == "between") {
      const auto& pool = numeric && f.type == FieldType::kDate ? Dates() : Numbers();
      std::string a = rng_.Pick(pool), b = rng_.Pick(pool);
      auto val = [&](const std::string& s) {
        if (f.type == FieldType::kDate) return static_cast<double>(*ParseDate(s));
        return std::stod(s);
      };
      if (val(a) > val(b)) std::swap(a, b);
      return "[" + Quote(a) + ", " + Quote(b) + "]";
    }
    if (op == "exists") return rng_.Chance(0.5) ? "true" : "false";
    if (op == "similar") {
      std::string to;
      const int form = rng_.Below(4);
      if (form == 0 || (form == 1 && !big_list_)) {
        to = Quote(rng_.Chance(0.6) ? NearName() : Value(f));
      } else if (form == 1) {
        to = "{\"list\": \"names\"}";
      } else if (form == 2) {
        to = ListRef(f);
      } else {
        std::vector<std::string> v;
        for (int i = rng_.Between(1, 4); i > 0; --i) v.push_back(rng_.Chance(0.6) ? NearName() : Value(f));
        to = "[" + JoinQuoted(v) + "]";
      }
      static const std::vector<std::string> kMins = {"1", "0.98", "0.95", "0.92", "0.9", "0.85",
                                                     "0.8", "0.75", "0.6", "0.3", "0.05"};
      return "{\"to\": " + to + ", \"min\": " + rng_.Pick(kMins) + "}";
    }
    // lt le gt ge
    return Quote(f.type == FieldType::kDate ? rng_.Pick(Dates()) : rng_.Pick(Numbers()));
  }

  std::vector<std::string> OperatorsFor(const GenField& f) {
    if (IsNumeric(f.type)) return {"eq", "in", "ne", "not_in", "lt", "le", "gt", "ge", "between", "exists"};
    if (f.type == FieldType::kText) return {"eq", "in", "ne", "not_in", "contains", "contains_any", "regex", "exists"};
    return {"eq", "in", "ne", "not_in", "prefix", "contains", "contains_any", "regex", "exists",
            "similar", "similar"};
  }

  std::string FieldTest(const GenField& f) {
    if (regex_heavy_ && !IsNumeric(f.type) && rng_.Chance(0.6)) {
      static const std::vector<std::string> kNoLiteral = {
          "", "a|b", ".*", "x*", "[0-9]{4}", "^[A-Z]+$", "^\\d+$", "(?i)k", "2$", "^42",
          "[Kk]", "\\d\\d", "^.{3,5}$", "(?i)[a-c]", "\\x{212A}", "\xC5\xBF", "^G"};
      return "{\"regex\": " + Quote(rng_.Pick(kNoLiteral)) + "}";
    }
    const int form = rng_.Below(10);
    if (form == 0) return Quote(Value(f));   // shorthand eq
    if (form == 1) return Seq(f, 1, 3);      // shorthand in
    std::vector<std::string> ops = OperatorsFor(f);
    std::string first = rng_.Pick(ops);
    std::string s = "{" + Quote(first) + ": " + Operand(f, first);
    if (rng_.Chance(0.2)) {
      std::string second = rng_.Pick(ops);
      if (second != first) s += ", " + Quote(second) + ": " + Operand(f, second);
    }
    return s + "}";
  }

  const GenField& ConditionField() {
    if (regex_heavy_ && rng_.Chance(0.5)) {
      // Concentrate on one text field, so that its regexes form sets.
      for (const GenField& f : fields_) {
        if (f.type == FieldType::kText && !f.list) return f;
      }
    }
    for (;;) {
      const GenField& f = rng_.Pick(fields_);
      if (f.name != record_id_ || rng_.Chance(0.1)) return f;
    }
  }

  std::string FieldTests() {
    std::string s = "{";
    const GenField& a = ConditionField();
    s += Quote(a.name) + ": " + FieldTest(a);
    if (rng_.Chance(0.25)) {
      const GenField& b = ConditionField();
      if (b.name != a.name) s += ", " + Quote(b.name) + ": " + FieldTest(b);
    }
    return s + "}";
  }

  std::string Condition(int depth) {
    if (depth >= 4 || rng_.Chance(depth == 0 ? 0.3 : 0.5)) return FieldTests();
    const int kind = rng_.Below(10);
    auto children = [&](int lo, int hi) {
      std::string s = "[";
      const int n = rng_.Between(lo, hi);
      for (int i = 0; i < n; ++i) s += (i ? ", " : "") + Condition(depth + 1);
      return std::make_pair(s + "]", n);
    };
    if (kind < 4) return "{\"all\": " + children(0, 4).first + "}";
    if (kind < 7) return "{\"any\": " + children(rng_.Chance(0.05) ? 0 : 1, 4).first + "}";
    if (kind < 9) return "{\"not\": " + Condition(depth + 1) + "}";
    auto [list, n] = children(1, 4);
    return "{\"at_least\": " + std::to_string(rng_.Between(1, n)) + ", \"of\": " + list + "}";
  }

  std::string Entry(int i) {
    std::string e = "  - id: " + Quote(rng_.Pick(std::vector<std::string>{"E", "R-", "q.", "Z_"}) +
                                       std::to_string(i));
    e += "\n    kind: " + std::string(rng_.Chance(0.3) ? "query" : "rule");
    const int st = rng_.Below(20);
    e += "\n    status: " +
         std::string(st < 12 ? "active" : st < 15 ? "shadow" : st < 18 ? "draft" : "retired");
    e += "\n    weight: " + std::to_string(rng_.Below(6) * 10);
    if (rng_.Chance(0.25)) {
      std::string scope;
      if (rng_.Chance(0.7)) {
        scope += "\"ports\": " + (rng_.Chance(0.2) ? std::string("{\"list\": \"strs\"}")
                                                   : "[" + JoinQuoted(Some({"2704", "4601", "CN", "42"}, 1, 2)) + "]");
      }
      if (scope.empty() || rng_.Chance(0.4)) {
        scope += std::string(scope.empty() ? "" : ", ") + "\"modes\": [" +
                 JoinQuoted(Some({"SEA", "AIR", "sea", "Acme"}, 1, 2)) + "]";
      }
      e += "\n    scope: {" + scope + "}";
    }
    if (rng_.Chance(0.2)) {
      std::string a = rng_.Pick(Dates()), b = rng_.Pick(Dates());
      if (a > b) std::swap(a, b);
      const int form = rng_.Below(3);
      if (form == 0) e += "\n    effective: {\"from\": " + Quote(a) + "}";
      if (form == 1) e += "\n    effective: {\"until\": " + Quote(b) + "}";
      if (form == 2) e += "\n    effective: {\"from\": " + Quote(a) + ", \"until\": " + Quote(b) + "}";
    }
    e += "\n    when: " + Condition(0) + "\n";
    return e;
  }

  std::uint64_t seed_;
  Rng rng_;
  bool custom_ = false;
  bool regex_heavy_ = false;
  bool big_list_ = false;
  std::vector<GenField> fields_;
  std::string record_id_, port_, mode_;
};

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_DIFFERENTIAL_RANDOM_RULES_H_
