// Reading exam outcomes and validating each row (SPEC section 6). The rules
// for a bad row are written down in docs/measurement.md.
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdio>
#include <functional>
#include <iterator>
#include <utility>

#include "load/normalize.h"
#include "plan/ruleset_data.h"
#include "targeting/io.h"
#include "targeting/measure.h"

namespace targeting {

namespace {

// The words of the outcomes file for each value, for reading and writing
// alike. kNone (finding) and kUnknown (identified_by) have no word a file
// may give.
constexpr std::pair<const char*, Finding> kFindings[] = {
    {"discrepant", Finding::kDiscrepant}, {"no_discrepancy", Finding::kNoDiscrepancy}};
constexpr std::pair<const char*, OutcomeAction> kActions[] = {
    {"none", OutcomeAction::kNone},
    {"seizure", OutcomeAction::kSeizure},
    {"ipr_abandonment", OutcomeAction::kIprAbandonment},
    {"abandonment", OutcomeAction::kAbandonment},
    {"refused_entry", OutcomeAction::kRefusedEntry},
    {"referral", OutcomeAction::kReferral}};
constexpr std::pair<const char*, IdentifiedBy> kIdentified[] = {
    {"rule", IdentifiedBy::kRule},   {"query", IdentifiedBy::kQuery},
    {"observation", IdentifiedBy::kObservation}, {"tip", IdentifiedBy::kTip},
    {"random", IdentifiedBy::kRandom}};
static_assert(std::size(kIdentified) + 1 == kIdentifiedByCount);

// The word of `value` in `words`, or `otherwise` when it has none.
template <typename E, std::size_t N>
const char* WordOf(E value, const std::pair<const char*, E> (&words)[N], const char* otherwise) {
  for (const auto& [w, e] : words) {
    if (e == value) return w;
  }
  return otherwise;
}

}  // namespace

const char* FindingName(Finding f) { return WordOf(f, kFindings, ""); }

const char* OutcomeActionName(OutcomeAction a) { return WordOf(a, kActions, "none"); }

const char* IdentifiedByName(IdentifiedBy i) { return WordOf(i, kIdentified, "unknown"); }

struct Outcomes::Index {
  boost::unordered_flat_map<std::string, int, internal::StringHash, std::equal_to<>> by_id;
};

Outcomes::Outcomes() : index_(std::make_unique<Index>()) {}
Outcomes::~Outcomes() = default;
Outcomes::Outcomes(Outcomes&&) noexcept = default;
Outcomes& Outcomes::operator=(Outcomes&&) noexcept = default;

int Outcomes::FindIndex(std::string_view record_id) const {
  auto it = index_->by_id.find(record_id);
  return it == index_->by_id.end() ? -1 : it->second;
}

const Outcome* Outcomes::Find(std::string_view record_id) const {
  int i = FindIndex(record_id);
  return i < 0 ? nullptr : &outcomes_[static_cast<std::size_t>(i)];
}

namespace {

// Enumerated cells are compared after trimming spaces, ignoring ASCII case:
// spreadsheets write TRUE for true, and nothing is lost by accepting it.
bool EqualsFolded(std::string_view cell, std::string_view word) {
  if (cell.size() != word.size()) return false;
  for (std::size_t i = 0; i < cell.size(); ++i) {
    if (internal::LowerAscii(cell[i]) != word[i]) return false;
  }
  return true;
}

template <typename E, std::size_t N>
std::optional<E> ParseWord(std::string_view cell, const std::pair<const char*, E> (&words)[N]) {
  for (const auto& [w, e] : words) {
    if (EqualsFolded(cell, w)) return e;
  }
  return std::nullopt;
}

// A cell quoted in a reason: at most 40 bytes, control bytes escaped.
std::string Quoted(std::string_view v) {
  std::string out = "'";
  std::size_t n = 0;
  for (char c : v) {
    if (++n > 40) {
      out += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

constexpr std::pair<const char*, bool> kBools[] = {{"true", true}, {"false", false}};

}  // namespace

Outcomes::Builder::Builder(FieldType id_type) : id_type_(id_type) {}

void Outcomes::Builder::AddBadRow(std::uint64_t line, std::string record_id, std::string reason) {
  ++total_;
  bad_.push_back(BadOutcomeRow{line, std::move(record_id), std::move(reason)});
}

void Outcomes::Builder::AddRow(std::uint64_t line, const OutcomeCells& c) {
  std::string id;
  double unused = 0;
  if (!NormalizeValue(id_type_, c.record_id, &id, &unused, &scratch_)) id.clear();
  auto bad = [&](std::string reason) { AddBadRow(line, id, std::move(reason)); };
  if (id.empty()) return bad("record_id is empty");

  Outcome o;
  const std::string_view examined = internal::TrimSpaces(c.examined);
  auto ex = ParseWord(examined, kBools);
  if (!ex) {
    return bad(examined.empty() ? "examined is empty (true or false)"
                                : "examined must be true or false, not " + Quoted(examined));
  }
  o.examined = *ex;

  const std::string_view finding = internal::TrimSpaces(c.finding);
  if (!finding.empty()) {
    auto f = ParseWord(finding, kFindings);
    if (!f) return bad("finding must be discrepant, no_discrepancy or empty, not " + Quoted(finding));
    if (!o.examined) return bad("finding " + Quoted(finding) + " given but examined is false");
    o.finding = *f;
  } else if (o.examined) {
    return bad("examined is true but finding is empty (discrepant or no_discrepancy)");
  }

  const std::string_view action = internal::TrimSpaces(c.action);
  if (!action.empty()) {
    auto a = ParseWord(action, kActions);
    if (!a) {
      return bad("action must be seizure, ipr_abandonment, abandonment, refused_entry, referral, "
                 "none or empty, not " + Quoted(action));
    }
    if (!o.examined && *a != OutcomeAction::kNone) {
      return bad("action " + Quoted(action) + " given but examined is false");
    }
    o.action = *a;
  }

  if (!internal::TrimSpaces(c.msrp_usd).empty()) {
    std::string text;
    double v = 0;
    if (!NormalizeValue(FieldType::kNumber, c.msrp_usd, &text, &v, &scratch_)) {
      return bad("msrp_usd is not a number: " + Quoted(c.msrp_usd));
    }
    if (v < 0) return bad("msrp_usd is negative: " + Quoted(c.msrp_usd));
    o.msrp_usd = v;
  }

  const std::string_view by = internal::TrimSpaces(c.identified_by);
  if (!by.empty()) {
    auto i = ParseWord(by, kIdentified);
    if (!i) {
      return bad("identified_by must be rule, query, observation, tip, random or empty, not " +
                 Quoted(by));
    }
    o.identified_by = *i;
  }
  ++total_;
  rows_.emplace_back(std::move(id), o);
}

Outcomes Outcomes::Builder::Build() {
  Outcomes out;
  out.rows_ = total_;
  out.bad_ = std::move(bad_);
  // The last valid row of an id holds; ids keep the order of their first row.
  for (auto& [id, o] : rows_) {
    auto [it, inserted] = out.index_->by_id.try_emplace(id, static_cast<int>(out.ids_.size()));
    if (inserted) {
      out.ids_.push_back(std::move(id));
      out.outcomes_.push_back(o);
    } else {
      out.outcomes_[static_cast<std::size_t>(it->second)] = o;
      ++out.duplicates_;
    }
  }
  rows_.clear();
  total_ = 0;
  return out;
}

// ---------------------------------------------------------------------------
// CSV: the record reader of lib/io does the tokenizing (RFC 4180, line
// numbers, limits); an all-text schema of the outcome columns makes it ignore
// other columns and leave validation to the Builder.

namespace {

constexpr const char* kColumns[] = {"record_id", "examined", "finding",
                                    "action",    "msrp_usd", "identified_by"};
constexpr int kRequiredColumns = 3;  // record_id, examined, finding

Result<Schema> OutcomeSchema(FieldType id_type) {
  std::vector<FieldDef> fields;
  for (const char* c : kColumns) {
    FieldDef f;
    f.name = c;
    f.type = fields.empty() ? id_type : FieldType::kString;
    fields.push_back(f);
  }
  return Schema::Build(std::move(fields), "record_id", "", "", "");
}

// The reader insists that the header names the schema's record_id column; a
// one-column schema keyed on each other required column reuses that check.
Status ProbeColumn(const char* column, const std::function<Result<std::unique_ptr<RecordReader>>(
                                           const Schema&)>& open) {
  FieldDef f;
  f.name = column;
  auto schema = Schema::Build({f}, column, "", "", "");
  if (!schema.ok()) return schema.status();
  auto reader = open(schema.value());
  return reader.ok() ? Status::Ok() : reader.status();
}

Result<Outcomes> ReadCsv(const std::function<Result<std::unique_ptr<RecordReader>>(const Schema&)>& open,
                         const Schema& record_schema) {
  const FieldType id_type = record_schema.field(record_schema.record_id_field()).type;
  for (int c = 1; c < kRequiredColumns; ++c) {
    if (Status s = ProbeColumn(kColumns[c], open); !s.ok()) return s;
  }
  auto schema = OutcomeSchema(id_type);
  if (!schema.ok()) return schema.status();
  auto reader = open(schema.value());
  if (!reader.ok()) return reader.status();
  Outcomes::Builder builder(id_type);
  Record record(schema.value());
  Reject reject;
  for (;;) {
    RecordReader::Next next = reader.value()->Read(&record, &reject);
    if (next == RecordReader::Next::kEnd) break;
    if (next == RecordReader::Next::kReject) {
      builder.AddBadRow(reject.line, reject.record_id, reject.reason);
      continue;
    }
    std::string_view cells[6];
    for (int f = 0; f < 6; ++f) cells[f] = record.has(f) ? record.str(f) : std::string_view();
    builder.AddRow(record.line(), OutcomeCells{cells[0], cells[1], cells[2], cells[3], cells[4],
                                               cells[5]});
  }
  if (!reader.value()->status().ok()) return reader.value()->status();
  return builder.Build();
}

}  // namespace

Result<Outcomes> Outcomes::ReadCsvString(std::string text, std::string name, const Schema& schema) {
  return ReadCsv(
      [&](const Schema& s) { return RecordReader::FromString(text, name, InputFormat::kCsv, s); },
      schema);
}

Result<Outcomes> Outcomes::ReadCsvFile(const std::string& path, const Schema& schema) {
  if (path == "-") {
    // Standard input can be read once, and the header is probed more than once.
    std::string text;
    char buf[1 << 16];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) text.append(buf, n);
    if (std::ferror(stdin)) return Status(StatusCode::kIoError, "cannot read standard input");
    return ReadCsvString(std::move(text), "-", schema);
  }
  return ReadCsv(
      [&](const Schema& s) { return RecordReader::Open(path, InputFormat::kCsv, s); }, schema);
}

}  // namespace targeting
