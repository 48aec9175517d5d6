// Schemas and normalized records (SPEC section 2).
#ifndef TARGETING_RECORD_H_
#define TARGETING_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "targeting/status.h"

namespace targeting {

// kAddress is last so that the values of the older types do not change.
enum class FieldType : std::uint8_t { kString, kCode, kName, kText, kNumber, kDate, kAddress };

// "string", "code", ...; nullopt for an unknown name.
std::optional<FieldType> FieldTypeFromName(std::string_view name);
const char* FieldTypeName(FieldType type);
// True for the types whose values are compared as numbers (number, date).
inline bool IsNumeric(FieldType t) { return t == FieldType::kNumber || t == FieldType::kDate; }

// Dates are whole days since 1970-01-01 (proleptic Gregorian).
using Days = std::int32_t;
// Parses `YYYY-MM-DD` (surrounding spaces trimmed) that names a real calendar date.
std::optional<Days> ParseDate(std::string_view text);
std::string FormatDate(Days days);
Days TodayUtc();

// Normalizes `raw` by `type` (SPEC section 2, "Types and normalization") and
// appends the normalized text to *out. For number and date the value is also
// parsed into *number (days for a date). Returns false with a reason in *error
// when a number or date does not parse. An empty result means "missing".
bool NormalizeValue(FieldType type, std::string_view raw, std::string* out, double* number,
                    std::string* error);

struct FieldDef {
  std::string name;
  FieldType type = FieldType::kString;
  bool list = false;             // a list field holds zero or more elements
  std::string separator = ";";   // splits a CSV cell of a list field
  // A derived field is computed as numerator / denominator (both number
  // fields) and is never read from input.
  bool derived = false;
  int numerator = -1;
  int denominator = -1;
};

// The fields of a record and their types. Immutable once built; thread-safe.
class Schema {
 public:
  // The built-in `manifest` schema of SPEC section 2.
  static const Schema& Manifest();

  // Builds a schema; returns an error message when the definition is
  // inconsistent (duplicate field, record_id missing or not a scalar string
  // field, a derived field over non-numbers, a role field of the wrong kind).
  static Result<Schema> Build(std::vector<FieldDef> fields, std::string_view record_id,
                              std::string_view date_field, std::string_view port_field,
                              std::string_view mode_field);

  int size() const { return static_cast<int>(fields_.size()); }
  const FieldDef& field(int i) const { return fields_[static_cast<std::size_t>(i)]; }
  const std::vector<FieldDef>& fields() const { return fields_; }
  // Index of the named field, or -1.
  int Find(std::string_view name) const;

  int record_id_field() const { return record_id_; }
  int date_field() const { return date_; }  // -1 when the schema has none
  int port_field() const { return port_; }  // -1 when the schema has none
  int mode_field() const { return mode_; }  // -1 when the schema has none
  const std::vector<int>& derived_fields() const { return derived_; }
  // A stable text form of the schema, used in the rule-set fingerprint.
  const std::string& Canonical() const { return canonical_; }
  // True when both schemas define the same fields in the same order, so a
  // record built with one can be scored by a rule set built with the other
  // (a rule set reloaded with the same schema, say).
  bool SameAs(const Schema& other) const {
    return this == &other || (hash_ == other.hash_ && canonical_ == other.canonical_);
  }

 private:
  std::vector<FieldDef> fields_;
  std::vector<int> derived_;
  int record_id_ = -1, date_ = -1, port_ = -1, mode_ = -1;
  std::string canonical_;
  std::uint64_t hash_ = 0;
  void ComputeCanonical();
};

// One record, normalized by its schema. Reusable: Clear() keeps capacity, so a
// record filled again and again does not allocate once warm.
// Thread-compatible. The schema must outlive the record.
class Record {
 public:
  explicit Record(const Schema& schema);

  const Schema& schema() const { return *schema_; }

  // Forgets every value (keeps capacity).
  void Clear();

  // Sets a field from one raw cell: a list field is split on its separator.
  // Returns false with a reason in *error when a value does not parse; the
  // record is then unusable until Clear(). Setting a derived field is an error.
  bool SetCell(int field, std::string_view raw, std::string* error);
  // Adds one element to a field (the whole value for a scalar field, which may
  // be given once). Empty elements are dropped.
  bool AddElement(int field, std::string_view raw, std::string* error);
  // Computes derived fields and checks that record_id is present. Call after
  // the last Set/Add; returns false with a reason otherwise.
  bool Finish(std::string* error);
  // Computes derived fields only (Finish without the record_id check), for
  // records that need no id, such as inline test records.
  void ComputeDerived();

  // Convenience for embedders and tests: a record from (field name, raw value)
  // pairs; list fields take `separator`-joined cells. Unknown names are errors.
  static Result<Record> FromFields(const Schema& schema,
                                   const std::vector<std::pair<std::string, std::string>>& fields);

  bool has(int field) const { return slots_[Index(field)].count != 0; }
  int count(int field) const { return static_cast<int>(slots_[Index(field)].count); }
  // Preconditions: 0 <= i < count(field). str() is for string-like fields,
  // num() for number (value) and date (days) fields.
  std::string_view str(int field, int i = 0) const {
    const Value& v = values_[slots_[Index(field)].first + static_cast<std::size_t>(i)];
    return std::string_view(text_).substr(v.offset, v.length);
  }
  double num(int field, int i = 0) const {
    return values_[slots_[Index(field)].first + static_cast<std::size_t>(i)].number;
  }
  std::string_view record_id() const {
    int f = schema_->record_id_field();
    return has(f) ? str(f) : std::string_view();
  }

  // Where the record came from (for rejects and explain); 0 when unknown.
  std::uint64_t line() const { return line_; }
  void set_line(std::uint64_t line) { line_ = line; }

 private:
  struct Value {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    double number = 0;
  };
  struct Slot {
    std::uint32_t first = 0;
    std::uint32_t count = 0;
  };
  static std::size_t Index(int field) { return static_cast<std::size_t>(field); }
  bool Append(int field, std::string_view raw, std::string* error);

  const Schema* schema_;
  std::string text_;
  std::vector<Value> values_;
  std::vector<Slot> slots_;
  std::uint64_t line_ = 0;
};

}  // namespace targeting

#endif  // TARGETING_RECORD_H_
