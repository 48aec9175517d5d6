// Lists derived from outcomes (docs/measurement.md, "Derived lists"): how a
// repeat-violator list stays current without anyone editing it by hand.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include "plan/fingerprint.h"
#include "targeting/measure.h"

namespace targeting {

namespace {

Result<std::string> Sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kIoError, path + ": cannot be opened");
  internal::Sha256 h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.Update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) return Status(StatusCode::kIoError, path + ": read failed");
  return h.Hex();
}

}  // namespace

Result<DerivedList> DeriveList(const Schema& schema, const std::vector<std::string>& inputs,
                               const std::string& outcomes_path, const DeriveListOptions& options) {
  const int field = schema.Find(options.field);
  if (field < 0) return Status(StatusCode::kInvalidArgument, "unknown field '" + options.field + "'");
  const FieldType type = schema.field(field).type;
  if (IsNumeric(type)) {
    return Status(StatusCode::kInvalidArgument,
                  "field '" + options.field + "' is a number or a date; a list holds names and codes");
  }
  auto outcomes = Outcomes::ReadCsvFile(outcomes_path, schema);
  if (!outcomes.ok()) return outcomes.status();
  const int date_field = schema.date_field();
  if (options.since && date_field < 0) {
    return Status(StatusCode::kInvalidArgument, "--since needs a schema with a date field");
  }
  DerivedList out;
  std::map<std::string, std::uint64_t> counts;
  Record record(schema);
  Reject reject;
  std::vector<std::string> seen;
  for (const std::string& path : inputs) {
    auto format = InputFormatFromPath(path);
    if (!format) return Status(StatusCode::kInvalidArgument, path + ": not a .csv, .jsonl or .ndjson file");
    auto reader = RecordReader::Open(path, *format, schema, options.reader);
    if (!reader.ok()) return reader.status();
    for (;;) {
      const RecordReader::Next next = reader.value()->Read(&record, &reject);
      if (next == RecordReader::Next::kEnd) break;
      if (next == RecordReader::Next::kReject) {
        ++out.rejected;
        continue;
      }
      ++out.records;
      const bool dated = date_field >= 0 && record.has(date_field);
      if (options.since && (!dated || static_cast<Days>(record.num(date_field)) < *options.since)) continue;
      const Outcome* o = outcomes.value().Find(record.record_id());
      if (!o || !o->discrepant()) continue;
      ++out.discrepant;
      if (dated) {
        const auto d = static_cast<Days>(record.num(date_field));
        if (!out.latest || d > *out.latest) out.latest = d;
      }
      // A value counts once per record, however often a list field repeats it.
      seen.clear();
      for (int i = 0; i < record.count(field); ++i) {
        std::string v(record.str(field, i));
        if (std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
        seen.push_back(v);
        ++counts[v];
      }
    }
    if (!reader.value()->status().ok()) return reader.value()->status();
  }
  for (const auto& [value, n] : counts) {
    if (n >= options.min_discrepant) out.values.emplace_back(value, n);
  }
  std::string& t = out.text;
  t = "# targeting lists derive: values of " + options.field + " on at least " +
      std::to_string(options.min_discrepant) + " discrepant records\n";
  for (const std::string& path : inputs) {
    auto h = Sha256File(path);
    if (!h.ok()) return h.status();
    t += "# input sha256:" + h.value() + " " + path + "\n";
  }
  auto h = Sha256File(outcomes_path);
  if (!h.ok()) return h.status();
  t += "# outcomes sha256:" + h.value() + " " + outcomes_path + "\n";
  t += "# parameters: --field " + options.field + " --min-discrepant " + std::to_string(options.min_discrepant) +
       (options.since ? " --since " + FormatDate(*options.since) : std::string()) + "\n";
  t += "# records " + std::to_string(out.records) + ", rejected " + std::to_string(out.rejected) +
       ", discrepant " + std::to_string(out.discrepant) + "; latest date " +
       (out.latest ? FormatDate(*out.latest) : std::string("-")) + "; " + std::to_string(out.values.size()) +
       " values\n";
  for (const auto& [value, n] : out.values) {
    // A value that begins with '#' would read as a comment: list files cannot hold it.
    if (!value.empty() && value[0] == '#') continue;
    t += value + "\n";
  }
  return out;
}

}  // namespace targeting
