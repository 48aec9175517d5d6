// Schema and Record: the normalized form every value takes before it is compared.
#include <algorithm>
#include <cmath>
#include <limits>

#include "load/normalize.h"
#include "targeting/record.h"

namespace targeting {

namespace {

FieldDef Field(std::string name, FieldType type, bool list = false) {
  FieldDef f;
  f.name = std::move(name);
  f.type = type;
  f.list = list;
  return f;
}

Schema BuildManifest() {
  using T = FieldType;
  std::vector<FieldDef> fields = {
      Field("record_id", T::kString),
      Field("arrival_date", T::kDate),
      Field("mode", T::kCode),
      Field("port_of_entry", T::kCode),
      Field("port_of_lading", T::kCode),
      Field("country_of_origin", T::kCode),
      Field("country_of_export", T::kCode),
      Field("routing", T::kCode, /*list=*/true),
      Field("shipper_name", T::kName),
      Field("shipper_country", T::kCode),
      Field("consignee_name", T::kName),
      Field("consignee_address", T::kAddress),
      Field("consignee_type", T::kCode),
      Field("importer_id", T::kCode),
      Field("manufacturer_id", T::kCode),
      Field("carrier", T::kCode),
      Field("hts_code", T::kCode),
      Field("description", T::kText),
      Field("quantity", T::kNumber),
      Field("gross_weight_kg", T::kNumber),
      Field("declared_value_usd", T::kNumber),
  };
  auto derived = [](std::string name) {
    FieldDef f = Field(std::move(name), T::kNumber);
    f.derived = true;
    return f;
  };
  FieldDef vpk = derived("value_per_kg");
  vpk.numerator = 20;    // declared_value_usd
  vpk.denominator = 19;  // gross_weight_kg
  FieldDef vpu = derived("value_per_unit");
  vpu.numerator = 20;    // declared_value_usd
  vpu.denominator = 18;  // quantity
  fields.push_back(vpk);
  fields.push_back(vpu);
  auto built = Schema::Build(std::move(fields), "record_id", "arrival_date", "port_of_entry", "mode");
  return std::move(built).value();
}

}  // namespace

const Schema& Schema::Manifest() {
  static const Schema* const kManifest = new Schema(BuildManifest());
  return *kManifest;
}

Result<Schema> Schema::Build(std::vector<FieldDef> fields, std::string_view record_id,
                             std::string_view date_field, std::string_view port_field,
                             std::string_view mode_field) {
  Schema s;
  s.fields_ = std::move(fields);
  for (int i = 0; i < s.size(); ++i) {
    const FieldDef& f = s.field(i);
    if (f.name.empty()) return Status(StatusCode::kInvalidArgument, "a field has an empty name");
    for (int j = 0; j < i; ++j) {
      if (s.field(j).name == f.name) {
        return Status(StatusCode::kInvalidArgument, "field '" + f.name + "' is defined twice");
      }
    }
    if (f.list && f.separator.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    "list field '" + f.name + "' has an empty separator");
    }
    if (f.derived) {
      auto ok_input = [&](int k) {
        return k >= 0 && k < s.size() && k != i && !s.field(k).derived &&
               s.field(k).type == FieldType::kNumber && !s.field(k).list;
      };
      if (f.type != FieldType::kNumber || f.list || !ok_input(f.numerator) ||
          !ok_input(f.denominator)) {
        return Status(StatusCode::kInvalidArgument,
                      "derived field '" + f.name +
                          "' must divide two scalar number fields that are not derived");
      }
      s.derived_.push_back(i);
    }
  }
  auto role = [&](std::string_view name, const char* what, bool required, int* out) -> Status {
    if (name.empty()) {
      if (required) return Status(StatusCode::kInvalidArgument, std::string(what) + " is required");
      return Status::Ok();
    }
    int k = s.Find(name);
    if (k < 0) {
      return Status(StatusCode::kInvalidArgument,
                    std::string(what) + " '" + std::string(name) + "' is not a field");
    }
    *out = k;
    return Status::Ok();
  };
  if (Status st = role(record_id, "record_id", true, &s.record_id_); !st.ok()) return st;
  if (Status st = role(date_field, "date_field", false, &s.date_); !st.ok()) return st;
  if (Status st = role(port_field, "port_field", false, &s.port_); !st.ok()) return st;
  if (Status st = role(mode_field, "mode_field", false, &s.mode_); !st.ok()) return st;
  const FieldDef& rid = s.field(s.record_id_);
  if (rid.list || rid.derived || IsNumeric(rid.type)) {
    return Status(StatusCode::kInvalidArgument,
                  "record_id field '" + rid.name + "' must be a scalar string-like field");
  }
  if (s.date_ >= 0 && (s.field(s.date_).type != FieldType::kDate || s.field(s.date_).list)) {
    return Status(StatusCode::kInvalidArgument,
                  "date_field '" + s.field(s.date_).name + "' must be a scalar date field");
  }
  for (int k : {s.port_, s.mode_}) {
    if (k >= 0 && IsNumeric(s.field(k).type)) {
      return Status(StatusCode::kInvalidArgument,
                    "port_field and mode_field must be string-like fields ('" +
                        s.field(k).name + "' is " + FieldTypeName(s.field(k).type) + ")");
    }
  }
  s.ComputeCanonical();
  return s;
}

int Schema::Find(std::string_view name) const {
  for (int i = 0; i < size(); ++i) {
    if (fields_[static_cast<std::size_t>(i)].name == name) return i;
  }
  return -1;
}

void Schema::ComputeCanonical() {
  std::string out = "schema{";
  for (const FieldDef& f : fields_) {
    out += f.name;
    out += ':';
    out += FieldTypeName(f.type);
    if (f.list) out += "[]" + f.separator;
    if (f.derived) {
      out += "=" + field(f.numerator).name + "/" + field(f.denominator).name;
    }
    out += ';';
  }
  auto role = [&](const char* tag, int k) {
    out += tag;
    out += '=';
    if (k >= 0) out += field(k).name;
    out += ';';
  };
  role("record_id", record_id_);
  role("date", date_);
  role("port", port_);
  role("mode", mode_);
  out += '}';
  canonical_ = std::move(out);
  hash_ = 0xcbf29ce484222325ULL;  // FNV-1a: a quick first test in SameAs
  for (unsigned char c : canonical_) {
    hash_ ^= c;
    hash_ *= 0x100000001b3ULL;
  }
}

Record::Record(const Schema& schema) : schema_(&schema) {
  slots_.resize(static_cast<std::size_t>(schema.size()));
}

void Record::Clear() {
  text_.clear();
  values_.clear();
  std::fill(slots_.begin(), slots_.end(), Slot{});
  line_ = 0;
}

bool Record::Append(int field, std::string_view raw, std::string* error) {
  const FieldDef& def = schema_->field(field);
  Slot& slot = slots_[Index(field)];
  if (slot.count > 0 && slot.first + slot.count != values_.size()) {
    // Keep a field's elements contiguous when calls interleave.
    std::size_t first = values_.size();
    for (std::uint32_t k = 0; k < slot.count; ++k) values_.push_back(values_[slot.first + k]);
    slot.first = static_cast<std::uint32_t>(first);
  }
  const std::size_t before = text_.size();
  double number = 0;
  std::string why;
  if (!NormalizeValue(def.type, raw, &text_, &number, &why)) {
    text_.resize(before);
    if (error) *error = "field " + def.name + ": " + why;
    return false;
  }
  if (text_.size() == before) return true;  // empty: missing / dropped element
  if (text_.size() > std::numeric_limits<std::uint32_t>::max()) {
    text_.resize(before);
    if (error) *error = "record too large";
    return false;
  }
  if (slot.count == 0) slot.first = static_cast<std::uint32_t>(values_.size());
  values_.push_back(Value{static_cast<std::uint32_t>(before),
                          static_cast<std::uint32_t>(text_.size() - before), number});
  ++slot.count;
  return true;
}

bool Record::AddElement(int field, std::string_view raw, std::string* error) {
  if (field < 0 || field >= schema_->size()) {
    if (error) *error = "no such field";
    return false;
  }
  const FieldDef& def = schema_->field(field);
  if (def.derived) {
    if (error) *error = "field " + def.name + " is derived and cannot be set";
    return false;
  }
  if (!def.list && has(field)) {
    if (error) *error = "field " + def.name + " is given more than once";
    return false;
  }
  return Append(field, raw, error);
}

bool Record::SetCell(int field, std::string_view raw, std::string* error) {
  if (field < 0 || field >= schema_->size()) {
    if (error) *error = "no such field";
    return false;
  }
  const FieldDef& def = schema_->field(field);
  if (!def.list) return AddElement(field, raw, error);
  if (def.derived) return AddElement(field, raw, error);
  std::string_view sep = def.separator;
  for (;;) {
    std::size_t at = raw.find(sep);
    if (!AddElement(field, raw.substr(0, at), error)) return false;
    if (at == std::string_view::npos) break;
    raw.remove_prefix(at + sep.size());
  }
  return true;
}

void Record::ComputeDerived() {
  for (int f : schema_->derived_fields()) {
    const FieldDef& def = schema_->field(f);
    Slot& slot = slots_[Index(f)];
    slot = Slot{};
    if (!has(def.numerator) || !has(def.denominator)) continue;
    double den = num(def.denominator);
    if (den == 0) continue;
    double v = num(def.numerator) / den;
    if (!std::isfinite(v)) continue;
    const std::size_t before = text_.size();
    internal::AppendNumber(v, &text_);
    slot.first = static_cast<std::uint32_t>(values_.size());
    slot.count = 1;
    values_.push_back(Value{static_cast<std::uint32_t>(before),
                            static_cast<std::uint32_t>(text_.size() - before), v});
  }
}

bool Record::Finish(std::string* error) {
  ComputeDerived();
  if (!has(schema_->record_id_field())) {
    if (error) *error = "missing " + schema_->field(schema_->record_id_field()).name;
    return false;
  }
  return true;
}

Result<Record> Record::FromFields(
    const Schema& schema, const std::vector<std::pair<std::string, std::string>>& fields) {
  Record r(schema);
  std::string error;
  for (const auto& [name, value] : fields) {
    int f = schema.Find(name);
    if (f < 0) return Status(StatusCode::kInvalidArgument, "unknown field '" + name + "'");
    if (!r.SetCell(f, value, &error)) return Status(StatusCode::kInvalidArgument, error);
  }
  if (!r.Finish(&error)) return Status(StatusCode::kInvalidArgument, error);
  return r;
}

}  // namespace targeting
