#include "fuzz/fuzz_entries.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <simdjson.h>

#include <boost/asio/buffer.hpp>

#include "io/byte_source.h"
#include "io/readers.h"
#include "load/normalize.h"
#include "plan/ruleset_data.h"
#include "serve/json_body.h"
#include "serve/service.h"
#include "targeting/measure.h"
#include "targeting/targeting.h"

namespace targeting::fuzz {
namespace {

// Small limits, so that each run stays short and the limit paths are reached.
CompileOptions FuzzCompileOptions() {
  CompileOptions o;
  o.limits.max_entries = 1'000;
  o.limits.max_condition_nodes = 2'000;
  o.limits.max_list_size = 5'000;
  o.limits.max_file_bytes = 1 << 20;
  o.limits.max_yaml_nodes = 100'000;
  o.limits.max_tests_per_entry = 100;
  return o;
}

ReaderOptions FuzzReaderOptions() {
  ReaderOptions o;
  o.max_field_bytes = 64;
  o.max_record_bytes = 256;
  o.max_skip_bytes = 1024;
  return o;
}

// 2026-03-01 and 1970-01-01: one date inside most effective windows a rule
// would name, one before them.
constexpr Days kAsOfs[] = {20513, 0};
// Explain() walks every node of an entry; a few entries are enough.
constexpr std::size_t kExplainedEntries = 16;

// The rule set the reader targets score their records with.
constexpr std::string_view kReaderRules = R"(
lanes: {red: 50, yellow: 20}
sampling: {rate: 0.5, salt: fuzz}
lists:
  brands: {values: [GUCCI, PRADA]}
rules:
  - {id: R-BAGS, weight: 30, when: {hts_code: {prefix: "4202"}, description: {contains_any: {list: brands}}}}
  - {id: R-VAL, weight: 25, when: {value_per_kg: {lt: 10}}}
  - {id: Q-HK, kind: query, weight: 10, when: {routing: HK}}
  - {id: S-AIR, status: shadow, weight: 99, when: {mode: AIR}}
  - {id: N-NOT, weight: 1.5, when: {not: {consignee_type: BUSINESS}}}
  - {id: X-RX, weight: 2, when: {any: [{shipper_name: {regex: "^A.*C"}}, {arrival_date: {between: [2026-01-01, 2026-06-30]}}]}}
  - {id: E-EFF, weight: 3, effective: {from: 2026-01-01}, when: {at_least: 2, of: [{quantity: {gt: 5}}, {country_of_origin: [CN, VN]}, {importer_id: {exists: false}}]}}
)";

const std::shared_ptr<const RuleSet>& ReaderRules() {
  static const std::shared_ptr<const RuleSet> rules = [] {
    CompileResult r = CompileString(kReaderRules, "reader-rules.yaml");
    if (!r.ok()) {
      std::fprintf(stderr, "the fuzz targets' own rule set does not compile\n");
      __builtin_trap();
    }
    return r.rule_set;
  }();
  return rules;
}

// The compile result is well formed: a rule set exactly when there are no
// errors, and a reason whenever there is none.
std::string CheckCompileResult(const CompileResult& r) {
  for (const Issue& i : r.issues) {
    if (i.message.empty()) return "an issue without a message";
    if (i.line < 0 || i.column < 0) return "an issue with a negative position: " + i.ToString();
  }
  if (r.ok()) {
    if (r.error_count() != 0) return "a rule set came back with errors";
    if (!r.status.ok()) return "a rule set came back with a failed status";
    const std::string& fp = r.rule_set->fingerprint();
    if (fp.size() != 71 || fp.rfind("sha256:", 0) != 0) return "a malformed fingerprint: " + fp;
    return "";
  }
  if (r.status.ok() && r.error_count() == 0) return "no rule set, and neither an error nor a status";
  if (!r.status.ok() && r.status.message().empty()) return "a failed status without a message";
  return "";
}

// Records that exercise a rule set's own predicates: one built from the
// first operand of each, one from the last, one from values just beside
// them, one with a plain value of every field, one with nothing but an id.
std::vector<Record> OperandRecords(const RuleSet& rules) {
  const internal::RuleSetData& data = rules.data();
  const Schema& schema = rules.schema();
  const int rid = schema.record_id_field();
  std::vector<Record> out;
  std::string error;
  for (int variant = 0; variant < 5; ++variant) {
    Record r(schema);
    bool ok = r.AddElement(rid, "FUZZ" + std::to_string(variant), &error);
    auto add = [&](int field, const std::string& value) {
      const FieldDef& def = schema.field(field);
      if (field == rid || def.derived || (!def.list && r.has(field))) return;
      ok = ok && r.AddElement(field, value, &error);
    };
    auto date_or_number = [&](int field, double v) {
      return schema.field(field).type == FieldType::kDate ? FormatDate(static_cast<Days>(v))
                                                           : internal::FormatNumber(v);
    };
    if (variant <= 2) {
      for (const internal::Predicate& p : data.predicates) {
        if (p.field < 0) continue;
        if (p.op == internal::Op::kEffective) {
          std::optional<Days> d = variant == 1 ? p.until : p.from;
          if (d) add(p.field, FormatDate(*d + (variant == 2 ? 1 : 0)));
        } else if (!p.strs.empty()) {
          std::string v = variant == 1 ? p.strs.back() : p.strs.front();
          if (variant == 2) v += "0";
          add(p.field, v);
        } else if (!p.nums.empty()) {
          double v = variant == 1 ? p.nums.back() : p.nums.front();
          add(p.field, date_or_number(p.field, variant == 2 ? v + 1 : v));
        }
      }
    } else if (variant == 3) {
      for (int f = 0; f < schema.size(); ++f) {
        switch (schema.field(f).type) {
          case FieldType::kString: add(f, "S1"); break;
          case FieldType::kCode: add(f, "HK"); break;
          case FieldType::kName: add(f, "Acme Trading Co"); break;
          case FieldType::kText: add(f, "GUCCI bags"); break;
          case FieldType::kAddress: add(f, "12 North Main Street, Apt. 4"); break;
          case FieldType::kNumber: add(f, "12.5"); break;
          case FieldType::kDate: add(f, "2026-03-01"); break;
        }
      }
    }
    if (!ok) continue;  // a value that does not normalize (a date past 9999, say)
    r.ComputeDerived();
    out.push_back(std::move(r));
  }
  return out;
}

std::string FiredText(const RuleSet& rules, const ScoreResult& res) {
  std::string s = internal::FormatNumber(res.score) + " " + LaneName(res.lane) +
                  (res.sampled ? " sampled [" : " [");
  for (std::uint32_t e : res.fired) s += rules.entries()[e].id + " ";
  return s + "]";
}

// The index and the reference agree on `record`, the result is well formed,
// and explain agrees with both.
std::string CheckRecord(Scorer& scorer, const Record& record, Days as_of) {
  const RuleSet& rules = scorer.rules();
  ScoreResult indexed, reference;
  Status a = scorer.Score(record, &indexed);
  Status b = scorer.ScoreReference(record, &reference);
  if (!a.ok() || !b.ok()) return "scoring failed: " + a.message() + b.message();
  // With aggregates (SPEC section 8) the scorer's two streams advance
  // together, one record at a time: their measures must agree too.
  if (indexed.measures.keyed != reference.measures.keyed) {
    return "the indexed and the reference streams disagree on which aggregates have a key";
  }
  for (std::size_t g = 0; g < indexed.measures.value.size(); ++g) {
    const double x = indexed.measures.value[g], y = reference.measures.value[g];
    if (indexed.measures.keyed[g] && x != y && !(std::isnan(x) && std::isnan(y))) {
      return "the indexed and the reference streams measure aggregate " + std::to_string(g) +
             " differently on record '" + std::string(record.record_id()) + "'";
    }
  }
  if (indexed.fired != reference.fired || indexed.score != reference.score ||
      indexed.lane != reference.lane || indexed.sampled != reference.sampled) {
    return "the index and the reference disagree on record '" + std::string(record.record_id()) +
           "': index " + FiredText(rules, indexed) + ", reference " +
           FiredText(rules, reference);
  }
  const auto& entries = rules.entries();
  for (std::size_t k = 0; k < reference.fired.size(); ++k) {
    std::uint32_t e = reference.fired[k];
    if (e >= entries.size()) return "a fired entry out of range";
    if (k > 0 && reference.fired[k - 1] >= e) return "fired entries not ascending";
    if (entries[e].status != EntryStatus::kActive && entries[e].status != EntryStatus::kShadow) {
      return "entry " + entries[e].id + " fired but is neither active nor shadow";
    }
  }
  std::string json;
  AppendScoreJson(rules, record.record_id(), reference, &json);
  if (json.empty() || json.front() != '{' || json.back() != '}') return "malformed score JSON";
  for (std::size_t e = 0; e < entries.size() && e < kExplainedEntries; ++e) {
    Explanation ex = Explain(rules, record, static_cast<int>(e), as_of, &reference.measures);
    const bool fired =
        std::binary_search(reference.fired.begin(), reference.fired.end(), static_cast<std::uint32_t>(e));
    if (ex.fires != fired) {
      return "explain says entry " + entries[e].id + (ex.fires ? " fires" : " does not fire") +
             " on record '" + std::string(record.record_id()) + "'; scoring says otherwise";
    }
    if (ex.nodes.empty() || ex.nodes[0].holds != ex.holds) return "explain's root disagrees with it";
    FormatExplanation(rules, ex);
  }
  return "";
}

// Everything that must hold of a compiled rule set on the given records.
std::string CheckRuleSet(const std::shared_ptr<const RuleSet>& rules,
                         const std::vector<Record>& records) {
  const std::vector<Record> own = OperandRecords(*rules);
  for (Days as_of : kAsOfs) {
    TestReport report = RunInlineTests(*rules, as_of);
    if (report.failures.size() > report.run) return "more inline test failures than tests";
    Scorer scorer(rules, ScoreOptions{as_of});
    for (const std::vector<Record>* set : {&records, &own}) {
      for (const Record& r : *set) {
        if (std::string broken = CheckRecord(scorer, r, as_of); !broken.empty()) return broken;
      }
    }
    // Inline test records go through the index too, as `targeting check` does.
    const internal::RuleSetData& data = rules->data();
    for (std::size_t e = 0; e < data.entries.size(); ++e) {
      for (const internal::TestCase& tc : data.code[e].tests) {
        if (std::string broken = CheckRecord(scorer, tc.record, as_of); !broken.empty()) {
          return broken;
        }
      }
    }
  }
  return "";
}

std::string Describe(const Record& r) {
  std::string s = std::to_string(r.line()) + ":";
  for (int f = 0; f < r.schema().size(); ++f) {
    for (int i = 0; i < r.count(f); ++i) {
      s += " " + r.schema().field(f).name + "=" + std::string(r.str(f, i));
      if (IsNumeric(r.schema().field(f).type)) s += "#" + internal::FormatNumber(r.num(f, i));
    }
  }
  return s;
}

struct Reading {
  Status open;                       // the factory's status
  Status end;                        // the reader's status at the end
  std::vector<std::string> results;  // a line per record or reject
  std::vector<Record> records;
};

// Drains a reader, checking the nothing-lost invariant on every call.
std::string Drain(Result<std::unique_ptr<RecordReader>> opened, const Schema& schema,
                  std::size_t input_size, Reading* out) {
  if (!opened.ok()) {
    out->open = opened.status();
    if (out->open.message().empty()) return "a reader failed to open without a message";
    return "";
  }
  RecordReader& reader = *opened.value();
  Record record(schema);
  Reject reject;
  std::uint64_t last_line = 0;
  std::size_t calls = 0;
  for (;;) {
    // Each record or reject takes at least one byte of input.
    if (calls > input_size + 1) return "Read() has not returned kEnd after " + std::to_string(calls) + " calls";
    RecordReader::Next next = reader.Read(&record, &reject);
    if (next == RecordReader::Next::kEnd) break;
    ++calls;
    std::uint64_t line = 0;
    if (next == RecordReader::Next::kRecord) {
      line = record.line();
      if (record.record_id().empty()) return "a record without a record_id";
      out->results.push_back(Describe(record));
      out->records.push_back(record);
    } else if (next == RecordReader::Next::kReject) {
      line = reject.line;
      if (reject.reason.empty()) return "a reject without a reason at line " + std::to_string(line);
      if (reject.source != reader.name()) return "a reject naming another source: " + reject.source;
      out->results.push_back(std::to_string(line) + " reject [" + reject.record_id + "]: " + reject.reason);
    } else {
      return "Read() returned neither a record, a reject nor the end";
    }
    if (line == 0) return "a record or reject without a line number";
    if (line <= last_line) return "line numbers do not increase: " + std::to_string(line) + " after " + std::to_string(last_line);
    last_line = line;
  }
  if (reader.Read(&record, &reject) != RecordReader::Next::kEnd) return "Read() after kEnd did not return kEnd";
  // Text held in memory cannot fail to read; it can only run past a limit.
  out->end = reader.status();
  if (!out->end.ok() && (out->end.code() != StatusCode::kLimitExceeded || out->end.message().empty())) {
    return "reading text held in memory failed: " + out->end.message();
  }
  if (out->results.size() != calls) return "the count of records and rejects is not the count of calls";
  return "";
}

// Non-blank lines of JSON Lines text (and lines over the record limit, which
// are rejects however blank): each must come back as a record or a reject.
std::size_t JsonlRecordsIn(std::string_view text, std::size_t max_record_bytes) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t count = 0;
  while (!text.empty()) {
    std::size_t end = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, end);
    if (line.size() > max_record_bytes || line.find_first_not_of(" \t") != std::string_view::npos) {
      ++count;
    }
    if (end == std::string_view::npos) break;
    if (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ++end;
    text.remove_prefix(end + 1);
  }
  return count;
}

std::string RunReader(std::string_view input, InputFormat format, const Schema& schema,
                      std::vector<Record>* records) {
  const ReaderOptions options = FuzzReaderOptions();
  const std::string text(input);
  Reading whole, chunked;
  if (std::string broken = Drain(RecordReader::FromString(text, "in", format, schema, options),
                                 schema, text.size(), &whole);
      !broken.empty()) {
    return broken;
  }
  // The same text handed out a few bytes at a time must read the same.
  const std::size_t chunk = 1 + text.size() % 7;
  auto source = internal::ByteSource::FromString(text, chunk);
  auto reader = format == InputFormat::kCsv
                    ? internal::NewCsvReader(std::move(source), "in", schema, options)
                    : internal::NewJsonlReader(std::move(source), "in", schema, options);
  if (std::string broken = Drain(std::move(reader), schema, text.size(), &chunked); !broken.empty()) {
    return "in chunks of " + std::to_string(chunk) + ": " + broken;
  }
  if (whole.open.ok() != chunked.open.ok() || whole.open.message() != chunked.open.message()) {
    return "opening whole and in chunks differ: '" + whole.open.message() + "' / '" +
           chunked.open.message() + "'";
  }
  if (!whole.open.ok()) {
    if (format != InputFormat::kCsv || whole.open.code() != StatusCode::kInvalidArgument) {
      return "an unexpected failure to open: " + whole.open.message();
    }
    return "";
  }
  if (whole.results != chunked.results) {
    std::size_t i = 0;
    while (i < whole.results.size() && i < chunked.results.size() &&
           whole.results[i] == chunked.results[i]) {
      ++i;
    }
    return "read whole and in chunks of " + std::to_string(chunk) + " differ at result " +
           std::to_string(i) + ": '" + (i < whole.results.size() ? whole.results[i] : "(end)") +
           "' / '" + (i < chunked.results.size() ? chunked.results[i] : "(end)") + "'";
  }
  if (whole.end.message() != chunked.end.message()) {
    return "the reader's end status differs read whole and in chunks: '" + whole.end.message() +
           "' / '" + chunked.end.message() + "'";
  }
  if (format == InputFormat::kJsonl && whole.end.ok()) {
    const std::size_t expected = JsonlRecordsIn(input, options.max_record_bytes);
    if (whole.results.size() != expected) {
      return "the input has " + std::to_string(expected) + " non-blank lines but " +
             std::to_string(whole.results.size()) + " records and rejects came back";
    }
  }
  *records = std::move(whole.records);
  return "";
}

std::string RunRecords(std::string_view input, InputFormat format) {
  const std::shared_ptr<const RuleSet>& rules = ReaderRules();
  std::vector<Record> records;
  if (std::string broken = RunReader(input, format, rules->schema(), &records); !broken.empty()) {
    return broken;
  }
  for (Days as_of : kAsOfs) {
    Scorer scorer(rules, ScoreOptions{as_of});
    for (const Record& r : records) {
      if (std::string broken = CheckRecord(scorer, r, as_of); !broken.empty()) return broken;
    }
  }
  return "";
}

}  // namespace

std::string RunRules(std::string_view input) {
  CompileResult r = CompileString(input, "fuzz.yaml", FuzzCompileOptions());
  if (std::string broken = CheckCompileResult(r); !broken.empty()) return broken;
  if (!r.ok()) return "";
  return CheckRuleSet(r.rule_set, {});
}

std::string RunCsv(std::string_view input) { return RunRecords(input, InputFormat::kCsv); }

std::string RunJsonl(std::string_view input) { return RunRecords(input, InputFormat::kJsonl); }

std::string RunDifferential(std::string_view input) {
  std::string_view yaml = input, records_text;
  if (input.rfind("%%\n", 0) == 0) {
    yaml = {};
    records_text = input.substr(3);
  } else if (std::size_t sep = input.find("\n%%\n"); sep != std::string_view::npos) {
    yaml = input.substr(0, sep + 1);
    records_text = input.substr(sep + 4);
  }
  CompileResult r = CompileString(yaml, "fuzz.yaml", FuzzCompileOptions());
  if (std::string broken = CheckCompileResult(r); !broken.empty()) return broken;
  if (!r.ok()) return "";
  const std::size_t first = records_text.find_first_not_of(" \t\r\n");
  const InputFormat format = first != std::string_view::npos && records_text[first] == '{'
                                 ? InputFormat::kJsonl
                                 : InputFormat::kCsv;
  std::vector<Record> records;
  if (std::string broken = RunReader(records_text, format, r.rule_set->schema(), &records);
      !broken.empty()) {
    return broken;
  }
  return CheckRuleSet(r.rule_set, records);
}

std::string RunOutcomes(std::string_view input) {
  Result<Outcomes> read = Outcomes::ReadCsvString(std::string(input), "in", Schema::Manifest());
  if (!read.ok()) {
    if (read.status().message().empty()) return "outcomes failed without a message";
    return "";
  }
  const Outcomes& o = read.value();
  // Nothing lost: every data row is an outcome, a duplicate or a bad row.
  if (o.rows() != o.size() + o.duplicates() + o.bad_rows().size()) {
    return "rows " + std::to_string(o.rows()) + " != outcomes " + std::to_string(o.size()) +
           " + duplicates " + std::to_string(o.duplicates()) + " + bad " +
           std::to_string(o.bad_rows().size());
  }
  std::uint64_t last_line = 0;
  for (const BadOutcomeRow& bad : o.bad_rows()) {
    if (bad.line == 0 || bad.reason.empty()) return "a bad outcome row without a line or a reason";
    if (bad.line <= last_line) return "bad outcome rows out of order";
    last_line = bad.line;
  }
  for (std::size_t i = 0; i < o.size(); ++i) {
    if (o.id(i).empty()) return "an outcome without a record_id";
    if (o.FindIndex(o.id(i)) != static_cast<int>(i) || o.Find(o.id(i)) != &o.outcome(i)) {
      return "outcome '" + o.id(i) + "' is not found under its own id";
    }
    const Outcome& oc = o.outcome(i);
    if (oc.discrepant() != (oc.examined && oc.finding == Finding::kDiscrepant)) {
      return "discrepant() disagrees with examined and finding";
    }
    if (oc.msrp_usd && !std::isfinite(*oc.msrp_usd)) return "a non-finite msrp_usd";
  }
  return "";
}

namespace {

// What simdjson's DOM parser makes of a JSON text: nullopt when it refuses
// it for a reason of its own limits rather than the grammar (depth, big
// numbers), else whether it is valid and, for an array or object, its size.
struct DomView {
  bool valid = false;
  bool container = false;
  std::size_t size = 0;
};
std::optional<DomView> SimdjsonView(std::string_view text) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const simdjson::padded_string padded(text);
  simdjson::error_code e = parser.parse(padded).get(doc);
  if (e == simdjson::DEPTH_ERROR || e == simdjson::NUMBER_ERROR ||
      e == simdjson::NUMBER_OUT_OF_RANGE || e == simdjson::CAPACITY) {
    return std::nullopt;
  }
  DomView v;
  if (e) return v;
  v.valid = true;
  if (doc.is_array()) {
    v.container = true;
    v.size = doc.get_array().size();
  } else if (doc.is_object()) {
    v.container = true;
    v.size = doc.get_object().size();
  }
  return v;
}

serve::Service& FuzzService() {
  static std::unique_ptr<serve::Service> service = [] {
    serve::ServiceOptions o;
    o.rules_path = "";  // a reload fails: it must still answer well
    o.reader = FuzzReaderOptions();
    o.as_of = kAsOfs[0];
    o.token = "";
    o.max_body_bytes = 64 << 10;
    o.max_records = 200;
    return serve::Service::Create(o, ReaderRules());
  }();
  return *service;
}

// The body splitter against simdjson, on any text.
std::string CheckSplitter(std::string_view text) {
  serve::JsonError error;
  const bool ok = serve::CheckJson(text, &error);
  if (!ok && (error.offset > text.size() || error.reason.empty())) {
    return "a JSON error with offset " + std::to_string(error.offset) + " past the end or no reason";
  }
  const std::optional<DomView> dom = SimdjsonView(text);
  if (!dom) return "";
  if (dom->valid != ok) {
    return std::string("Boost.JSON says the body is ") + (ok ? "valid" : "invalid (" + error.reason + ")") +
           ", simdjson says otherwise";
  }
  if (!ok || !dom->container) return "";
  const std::string_view v = serve::TrimJson(text);
  const std::size_t n = v.front() == '[' ? serve::ArrayElements(v).size() : serve::ObjectMembers(v).size();
  if (n != dom->size) {
    return "the splitter finds " + std::to_string(n) + " elements or members, simdjson " + std::to_string(dom->size);
  }
  if (v.front() == '[') {
    for (std::string_view e : serve::ArrayElements(v)) {
      serve::JsonError ignored;
      if (!serve::CheckJson(e, &ignored)) return "an array element that is not JSON on its own";
      std::string line;
      serve::AppendAsLine(e, &line);
      if (line.find('\n') != line.size() - 1 || !serve::CheckJson(line, &ignored)) {
        return "an element as one line is not one line of JSON";
      }
    }
  }
  return "";
}

// One answer of the service, against the request it answers.
std::string CheckAnswer(const serve::Request& request, const serve::Response& res,
                        const serve::RecordTally& before, const serve::RecordTally& after) {
  const unsigned status = res.result_int();
  static const unsigned kKnown[] = {200, 400, 401, 404, 405, 413, 415, 422};
  if (std::find(std::begin(kKnown), std::end(kKnown), status) == std::end(kKnown)) {
    return "an answer with status " + std::to_string(status);
  }
  const auto length = res[serve::http::field::content_length];
  if (request.method() != serve::http::verb::head &&
      std::string_view(length.data(), length.size()) != std::to_string(res.body().size())) {
    return "Content-Length " + std::string(length) + " for a body of " + std::to_string(res.body().size());
  }
  const auto type_value = res[serve::http::field::content_type];
  const std::string_view type(type_value.data(), type_value.size());
  const std::string& body = res.body();
  serve::JsonError error;
  if (type == "application/json" && !body.empty() && !serve::CheckJson(body, &error)) {
    return "an answer that is not JSON: " + error.reason + " at " + std::to_string(error.offset);
  }
  std::size_t results = 0;
  if (type == "application/x-ndjson") {
    std::string_view rest = body;
    while (!rest.empty()) {
      const std::size_t end = rest.find('\n');
      if (end == std::string_view::npos) return "an NDJSON answer whose last line has no line end";
      if (!serve::CheckJson(rest.substr(0, end), &error)) return "an NDJSON answer line that is not JSON";
      ++results;
      rest.remove_prefix(end + 1);
    }
  }
  const std::uint64_t counted = (after.scored + after.rejected) - (before.scored + before.rejected);
  const auto target = request.target();
  const bool score = serve::Service::EndpointOf(std::string_view(target.data(), target.size())) ==
                     serve::Endpoint::kScore;
  if (!score || (status != 200 && status != 422)) {
    if (counted != 0) return std::to_string(counted) + " records counted for an answer of " + std::to_string(status);
    return "";
  }
  if (res["Targeting-Fingerprint"] != FuzzService().fingerprint()) return "a score answer without the fingerprint";
  if (type == "application/x-ndjson") {
    if (results != counted) {
      return std::to_string(results) + " NDJSON results, " + std::to_string(counted) + " records counted";
    }
    const bool gave_up = body.find("\"error\":{\"position\":0,") != std::string::npos;
    if (!gave_up && results != JsonlRecordsIn(request.body(), FuzzReaderOptions().max_record_bytes)) {
      return std::to_string(results) + " results for " +
             std::to_string(JsonlRecordsIn(request.body(), FuzzReaderOptions().max_record_bytes)) + " records sent";
    }
    return "";
  }
  const std::string_view value = serve::TrimJson(request.body());
  const std::string_view answer = serve::TrimJson(body);
  if (!value.empty() && value.front() == '[') {
    std::size_t n = 0;
    for (const auto& [key, member] : serve::ObjectMembers(answer)) {
      if (key == "\"results\"") n = serve::ArrayElements(member).size();
    }
    const std::size_t sent = serve::ArrayElements(value).size();
    if (n != sent || counted != sent) {
      return std::to_string(sent) + " records sent, " + std::to_string(n) + " results, " +
             std::to_string(counted) + " counted";
    }
  } else if (counted != 1 || answer.empty() || answer.front() != '{') {
    return "one record sent, " + std::to_string(counted) + " counted";
  }
  return "";
}

}  // namespace

std::string RunServe(std::string_view input) {
  serve::Service& service = FuzzService();
  // Every JSON text in the input, as the body splitter sees it.
  if (std::string broken = CheckSplitter(input); !broken.empty()) return broken;
  std::string_view rest = input;
  // Up to four requests, one after another, as a pipelining client sends them.
  for (int k = 0; k < 4 && !rest.empty(); ++k) {
    serve::http::request_parser<serve::http::string_body> parser;
    parser.header_limit(16 << 10);
    parser.body_limit(service.max_body_bytes());
    parser.eager(true);
    boost::beast::error_code ec;
    while (!parser.is_done()) {
      if (rest.empty()) {
        parser.put_eof(ec);
        break;
      }
      const std::size_t n = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      rest.remove_prefix(n);
      if (ec == serve::http::error::need_more) {
        ec = {};
        if (n == 0) rest = {};  // the rest is not a whole header: the client would time out
        continue;
      }
      if (ec) break;
    }
    if (ec || !parser.is_done()) return "";  // the server answers 400, 413 or 431 and closes
    serve::Request request = parser.release();
    const serve::Request copy = request;
    if (std::string broken = CheckSplitter(request.body()); !broken.empty()) return "the body: " + broken;
    const serve::RecordTally before = service.metrics().Totals();
    serve::Response res = service.Handle(std::move(request));
    const serve::RecordTally after = service.metrics().Totals();
    if (std::string broken = CheckAnswer(copy, res, before, after); !broken.empty()) return broken;
  }
  return "";
}


const char* StateFuzzRules() {
  return R"(rules:
  - {id: C, when: {aggregate: {by: [consignee_name], days: 2, count: {ge: 2}}}}
  - {id: S, when: {aggregate: {by: [consignee_name, mode], days: 1, where: {mode: [EXPRESS, MAIL]}, sum: {field: declared_value_usd, gt: 800}}}}
  - {id: D, when: {aggregate: {by: shipper_name, days: 7, distinct: {field: routing, ge: 3}}}}
)";
}

std::string RunState(std::string_view input) {
  static const std::shared_ptr<const RuleSet> rules = CompileString(StateFuzzRules()).rule_set;
  if (!rules) return "the state fuzz rule set does not compile";
  if (input.empty()) return "";
  std::string bytes(input.substr(1));
  if (input[0] & 1) {
    const std::uint64_t sum = Fnv1a64(bytes);
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
  }
  auto record = [&](const char* day, const char* name) {
    auto r = Record::FromFields(rules->schema(), {{"record_id", "F"},
                                                  {"arrival_date", day},
                                                  {"mode", "MAIL"},
                                                  {"consignee_name", name},
                                                  {"shipper_name", "S"},
                                                  {"routing", "CN;HK"},
                                                  {"declared_value_usd", "500"}});
    return std::move(r).value();
  };
  const Record probe = record("2026-03-02", "ann");
  AggregateMeasures fresh_m, m;
  {
    StreamState fresh(rules, 20000);
    if (!fresh.Advance(probe, &fresh_m).ok()) return "a fresh stream does not advance";
  }
  StreamState s(rules, 20000);
  std::vector<std::string> missing;
  Status st = s.Load(bytes, "fuzz.state", &missing);
  if (!st.ok()) {
    if (st.code() != StatusCode::kInvalidArgument) return "a bad state is not kInvalidArgument";
    if (st.message().rfind("fuzz.state: ", 0) != 0) return "the reason does not name the file";
    if (st.message().find('\n') != std::string::npos) return "the reason is not one line";
    if (!s.Advance(probe, &m).ok()) return "a refused load broke the stream";
    if (m.value != fresh_m.value || m.keyed != fresh_m.keyed) {
      return "a refused load changed the stream";
    }
    return "";
  }
  if (missing.size() > rules->aggregate_count()) return "more missing aggregates than there are";
  const std::string saved = s.Save();
  StreamState again(rules, 20000);
  if (!again.Load(saved, "saved").ok()) return "a saved state does not load";
  if (again.Save() != saved) return "a saved state does not save back to the same bytes";
  if (!s.Advance(probe, &m).ok() || !s.Advance(record("2026-03-03", "bob"), &m).ok()) {
    return "a loaded stream does not advance";
  }
  for (std::size_t a = 0; a < m.value.size(); ++a) {
    if (m.keyed[a] && std::isnan(m.value[a]) && a != 1) return "a count or distinct is NaN";
    if (m.keyed[a] && a != 1 && m.value[a] < 1) return "a count or distinct below r itself";
  }
  return "";
}

const std::vector<Target>& Targets() {
  static const std::vector<Target> targets = {
      {"rules", &RunRules},
      {"csv", &RunCsv},
      {"jsonl", &RunJsonl},
      {"differential", &RunDifferential},
      {"outcomes", &RunOutcomes},
      {"state", &RunState},
      {"serve", &RunServe},
  };
  return targets;
}

int RunOrTrap(Entry entry, const std::uint8_t* data, std::size_t size) {
  std::string broken = entry(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!broken.empty()) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", broken.c_str());
    std::fflush(stderr);
    __builtin_trap();
  }
  return 0;
}

}  // namespace targeting::fuzz
