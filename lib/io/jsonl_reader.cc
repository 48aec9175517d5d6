// JSON Lines records: lines split here, each parsed with simdjson On Demand.
//
// On Demand skips what it is not asked for without validating it, so the
// values of keys outside the schema are walked explicitly: a malformed value
// rejects the record even where it would otherwise be ignored.
#include <simdjson.h>

#include <boost/unordered/unordered_flat_map.hpp>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/chunked_reader.h"
#include "io/reasons.h"
#include "io/readers.h"
#include "load/normalize.h"

namespace targeting::internal {
namespace {

namespace od = simdjson::ondemand;

// Objects and arrays nested deeper than this (the root object is level 1)
// reject the record.
// It bounds the recursion of Validate(). The parser is given one level more
// than this: with simdjson's development checks (builds without
// optimization) entering a level at its max_depth is an assertion failure.
constexpr int kMaxDepth = 1024;
// The parser's first capacity, in bytes of one line.
constexpr std::size_t kInitialParserBytes = 64 << 10;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimJsonSpace(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i == n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (IsAsciiDigit(s[i])) {
    while (i < n && IsAsciiDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i == n || !IsAsciiDigit(s[i])) return false;
    while (i < n && IsAsciiDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == n || !IsAsciiDigit(s[i])) return false;
    while (i < n && IsAsciiDigit(s[i])) ++i;
  }
  return i == n;
}

// Field names are short and few: their length and first and last eight bytes
// tell them apart, which is cheaper than hashing every byte. The map mixes
// the bits further.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const {
    std::uint64_t head = 0, tail = 0;
    const std::size_t n = std::min<std::size_t>(s.size(), 8);
    if (n > 0) {
      std::memcpy(&head, s.data(), n);
      std::memcpy(&tail, s.data() + s.size() - n, n);
    }
    return static_cast<std::size_t>((head * 0x9e3779b97f4a7c15ull) ^ (tail + s.size()));
  }
};

class JsonlReader final : public ChunkedReader {
 public:
  JsonlReader(std::unique_ptr<ByteSource> source, std::string name, const Schema& schema,
              const ReaderOptions& options)
      : ChunkedReader(std::move(source), std::move(name), schema, options) {
    for (int f = 0; f < schema.size(); ++f) {
      if (!schema.field(f).derived) fields_.emplace(schema.field(f).name, f);
    }
    seen_.assign(static_cast<std::size_t>(schema.size()), 0);
    for (int f = 0; f < schema.size(); ++f) names_.emplace_back(schema.field(f).name);
  }

  Next Read(Record* record, Reject* reject) override;
  // RestartJsonlReader: everything that depends on the input goes back to
  // how the constructor left it; buffers and the key table stay.
  Status Restart(std::string text) override {
    Restart(ByteSource::FromString(std::move(text)));
    return Status::Ok();
  }
  void Restart(std::unique_ptr<ByteSource> source) {
    source_ = std::move(source);
    status_ = Status::Ok();
    p_ = end_ = nullptr;
    eof_ = false;
    pending_cr_ = false;
    next_line_ = 1;
    line_.clear();
    line_number_ = 0;
    line_too_long_ = false;
    line_bytes_ = 0;
    have_error_ = false;
    reason_.clear();
  }

 private:
  // How reading one record went: fine, a value the schema cannot take (the
  // JSON is sound, so the rest of the object is still scanned for the
  // record_id), or malformed JSON (the object is given up at once).
  enum class Outcome { kOk, kBadValue, kBadJson };

  // The next physical line into line_ (without its line end) and its number
  // into line_number_; false at the end of the input or on a read error.
  bool NextLine();
  Outcome ParseLine(Record* record);
  // The schema field a key names (-1 for none or a derived field). Lines
  // of one file mostly give their keys in the same order, so the field the
  // key at `position` named in the last object is tried first, with one
  // comparison instead of a hash lookup.
  int FieldOfKey(std::string_view key, std::size_t position) {
    if (position < last_order_.size()) {
      const int guess = last_order_[position];
      if (guess >= 0 && names_[static_cast<std::size_t>(guess)] == key) return guess;
    }
    auto it = fields_.find(key);
    const int f = it == fields_.end() ? -1 : it->second;
    if (position < last_order_.size()) {
      last_order_[position] = f;
    } else if (position < kMaxKeyOrder && position == last_order_.size()) {
      last_order_.push_back(f);
    }
    return f;
  }
  Outcome SetField(int field, od::value value, Record* record);
  Outcome AddScalar(int field, od::value value, od::json_type type, std::size_t* bytes,
                    Record* record);
  // Reads a scalar's text: a string unescaped, a number or boolean as written.
  Outcome ScalarText(od::value value, od::json_type type, std::string_view* text);
  Outcome Validate(od::value value, int depth);
  // Checks that a value whose type is null is the literal `null`.
  Outcome ReadNull(od::value value);
  void ReadRecordIdAfterError(od::value value, Record* record);
  Outcome BadJson(simdjson::error_code error);
  Outcome BadJson(std::string reason);
  Outcome BadValue(std::string reason);

  boost::unordered_flat_map<std::string, int, NameHash, std::equal_to<>> fields_;
  // For FieldOfKey: each field's name, and the fields the keys of the last
  // object named by position (its first kMaxKeyOrder keys).
  static constexpr std::size_t kMaxKeyOrder = 256;
  std::vector<std::string_view> names_;
  std::vector<int> last_order_;
  std::uint64_t next_line_ = 1;  // number of the line that starts at *p_

  // The current line.
  std::string line_;  // its text, then simdjson's padding
  std::uint64_t line_number_ = 0;
  bool line_too_long_ = false;
  std::uint64_t line_bytes_ = 0;  // of the current line so far, kept or not

  simdjson::ondemand::parser parser_;
  std::vector<std::uint64_t> seen_;  // seen_[field] == serial_: given in this object
  std::uint64_t serial_ = 0;
  bool have_error_ = false;
  std::string reason_;
};

bool JsonlReader::NextLine() {
  line_.clear();
  line_too_long_ = false;
  line_bytes_ = 0;
  bool started = false;
  const std::uint64_t skip_limit = SkipLimit();
  for (;;) {
    if (p_ == end_ && !Refill()) {
      if (!status_.ok()) return false;
      // A last line without a line end; a line end just before the end of
      // the input does not start another line.
      line_number_ = next_line_;
      return started;
    }
    if (pending_cr_) {
      pending_cr_ = false;
      if (*p_ == '\n') {
        ++p_;
        continue;
      }
    }
    started = true;
    const char* start = p_;
    // memchr runs far ahead of a byte loop; CRs are rare, so look for one
    // only before the LF.
    const auto* lf = static_cast<const char*>(std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_)));
    p_ = lf ? lf : end_;
    if (const auto* cr = static_cast<const char*>(std::memchr(start, '\r', static_cast<std::size_t>(p_ - start)))) {
      p_ = cr;
    }
    const auto n = static_cast<std::size_t>(p_ - start);
    line_bytes_ += n;
    if (!line_too_long_) {
      if (line_.size() + n > options_.max_record_bytes) {
        line_too_long_ = true;
        line_.clear();
      } else {
        line_.append(start, n);
      }
    }
    if (line_bytes_ > skip_limit) {
      // An endless line: it is rejected, and the input ends here. Checked
      // whether or not its end is in sight, so that chunking does not matter.
      line_number_ = next_line_;
      GiveUpInput(line_number_, "line");
      return true;
    }
    if (p_ == end_) continue;
    const char c = *p_++;
    line_number_ = next_line_++;
    if (c == '\r') {
      if (p_ == end_) {
        pending_cr_ = true;
      } else if (*p_ == '\n') {
        ++p_;
      }
    }
    return true;
  }
}

JsonlReader::Outcome JsonlReader::BadJson(simdjson::error_code error) {
  return BadJson(std::string("invalid JSON: ") + simdjson::error_message(error));
}

JsonlReader::Outcome JsonlReader::BadJson(std::string reason) {
  if (!have_error_) {
    have_error_ = true;
    reason_ = std::move(reason);
  }
  return Outcome::kBadJson;
}

JsonlReader::Outcome JsonlReader::BadValue(std::string reason) {
  if (!have_error_) {
    have_error_ = true;
    reason_ = std::move(reason);
  }
  return Outcome::kBadValue;
}

JsonlReader::Outcome JsonlReader::ScalarText(od::value value, od::json_type type,
                                             std::string_view* text) {
  switch (type) {
    case od::json_type::string:
      if (auto e = value.get_string().get(*text)) return BadJson(e);
      return Outcome::kOk;
    case od::json_type::number:
      // raw_json_token() ends at the next structural character, so a bad
      // number ("12abc") has to be caught here.
      *text = TrimJsonSpace(value.raw_json_token());
      if (!IsJsonNumber(*text)) return BadJson("invalid JSON: bad number");
      return Outcome::kOk;
    case od::json_type::boolean: {
      bool b = false;
      if (auto e = value.get_bool().get(b)) return BadJson(e);
      *text = b ? "true" : "false";
      return Outcome::kOk;
    }
    default:
      return BadJson("invalid JSON: not a scalar");
  }
}

JsonlReader::Outcome JsonlReader::ReadNull(od::value value) {
  bool is_null = false;
  if (auto e = value.is_null().get(is_null)) return BadJson(e);
  return is_null ? Outcome::kOk : BadJson("invalid JSON: bad literal");
}

JsonlReader::Outcome JsonlReader::Validate(od::value value, int depth) {
  od::json_type type;
  if (auto e = value.type().get(type)) return BadJson(e);
  if ((type == od::json_type::object || type == od::json_type::array) && depth > kMaxDepth) {
    return BadJson("invalid JSON: nested more than " + std::to_string(kMaxDepth) + " levels deep");
  }
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto e = value.get_object().get(object)) return BadJson(e);
      for (auto item : object) {
        od::field field;
        if (auto e = std::move(item).get(field)) return BadJson(e);
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return BadJson(e);
        if (Outcome o = Validate(field.value(), depth + 1); o != Outcome::kOk) return o;
      }
      return Outcome::kOk;
    }
    case od::json_type::array: {
      od::array array;
      if (auto e = value.get_array().get(array)) return BadJson(e);
      for (auto item : array) {
        od::value element;
        if (auto e = std::move(item).get(element)) return BadJson(e);
        if (Outcome o = Validate(element, depth + 1); o != Outcome::kOk) return o;
      }
      return Outcome::kOk;
    }
    case od::json_type::null:
      return ReadNull(value);
    default: {
      std::string_view text;
      return ScalarText(value, type, &text);
    }
  }
}

JsonlReader::Outcome JsonlReader::AddScalar(int field, od::value value, od::json_type type,
                                            std::size_t* bytes, Record* record) {
  std::string_view text;
  if (Outcome o = ScalarText(value, type, &text); o != Outcome::kOk) return o;
  const FieldDef& def = schema_.field(field);
  *bytes += text.size();
  if (*bytes > options_.max_field_bytes) {
    return BadValue(LimitReason("field " + def.name, "max_field_bytes", options_.max_field_bytes));
  }
  std::string error;
  if (!record->AddElement(field, text, &error)) {
    error += ": ";
    AppendQuotedValue(text, &error);
    return BadValue(std::move(error));
  }
  return Outcome::kOk;
}

JsonlReader::Outcome JsonlReader::SetField(int field, od::value value, Record* record) {
  const FieldDef& def = schema_.field(field);
  od::json_type type;
  if (auto e = value.type().get(type)) return BadJson(e);
  std::size_t bytes = 0;
  switch (type) {
    case od::json_type::null:
      return ReadNull(value);
    case od::json_type::object:
      return BadValue("field " + def.name + ": an object is not a value");
    case od::json_type::array: {
      if (!def.list) return BadValue("field " + def.name + ": an array in a field that is not a list");
      od::array array;
      if (auto e = value.get_array().get(array)) return BadJson(e);
      for (auto item : array) {
        od::value element;
        if (auto e = std::move(item).get(element)) return BadJson(e);
        od::json_type element_type;
        if (auto e = element.type().get(element_type)) return BadJson(e);
        if (element_type == od::json_type::null) {
          if (Outcome o = ReadNull(element); o != Outcome::kOk) return o;
          continue;
        }
        if (element_type == od::json_type::array || element_type == od::json_type::object) {
          return BadValue("field " + def.name + ": a list element is an array or object");
        }
        if (Outcome o = AddScalar(field, element, element_type, &bytes, record); o != Outcome::kOk) {
          return o;
        }
      }
      return Outcome::kOk;
    }
    default:
      // A bare scalar is one element, even in a list field: no splitting.
      return AddScalar(field, value, type, &bytes, record);
  }
}

void JsonlReader::ReadRecordIdAfterError(od::value value, Record* record) {
  const int rid = schema_.record_id_field();
  if (record->has(rid)) return;
  od::json_type type;
  if (value.type().get(type)) return;
  if (type != od::json_type::string && type != od::json_type::number &&
      type != od::json_type::boolean) {
    return;
  }
  // have_error_ is set, so a failure here does not replace the first reason.
  std::string_view text;
  if (ScalarText(value, type, &text) == Outcome::kOk && text.size() <= options_.max_field_bytes) {
    std::string ignored;
    record->AddElement(rid, text, &ignored);
  }
}

JsonlReader::Outcome JsonlReader::ParseLine(Record* record) {
  const std::size_t n = line_.size();
  line_.append(simdjson::SIMDJSON_PADDING, '\0');
  if (n > parser_.capacity()) {
    // Grow geometrically (iterate() would size the parser to each new
    // longest line, reallocating again and again), but not past the limit.
    std::size_t capacity = std::max({n, 2 * parser_.capacity(), kInitialParserBytes});
    capacity = std::min(capacity, std::max(n, options_.max_record_bytes));
    if (auto e = parser_.allocate(capacity, kMaxDepth + 1)) return BadJson(e);
  }
  od::document doc;
  if (auto e = parser_.iterate(line_.data(), n, line_.size()).get(doc)) return BadJson(e);
  od::object object;
  if (auto e = doc.get_object().get(object)) {
    if (e == simdjson::INCORRECT_TYPE) return BadJson("not a JSON object");
    return BadJson(e);
  }
  ++serial_;
  const int rid = schema_.record_id_field();
  std::size_t position = 0;
  for (auto item : object) {
    od::field field;
    if (auto e = std::move(item).get(field)) return BadJson(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return BadJson(e);
    const int f = FieldOfKey(key, position++);
    if (have_error_) {
      // Only the record_id is still of interest, for the reject.
      if (f == rid) ReadRecordIdAfterError(field.value(), record);
      continue;
    }
    if (f < 0) {
      if (Outcome o = Validate(field.value(), 2); o == Outcome::kBadJson) return o;
      continue;
    }
    std::uint64_t& seen = seen_[static_cast<std::size_t>(f)];
    if (seen == serial_) {
      BadValue("field " + schema_.field(f).name + " is given more than once");
      continue;
    }
    seen = serial_;
    if (SetField(f, field.value(), record) == Outcome::kBadJson) return Outcome::kBadJson;
  }
  if (have_error_) return Outcome::kBadValue;
  // The object ended; anything but spaces after it is an error.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return BadJson("invalid JSON: text after the object");
  }
  return Outcome::kOk;
}

RecordReader::Next JsonlReader::Read(Record* record, Reject* reject) {
  if (!status_.ok()) return Next::kEnd;
  for (;;) {
    if (!NextLine()) return Next::kEnd;
    if (line_too_long_) break;
    bool blank = true;
    for (char c : line_) {
      if (c != ' ' && c != '\t') {
        blank = false;
        break;
      }
    }
    if (!blank) break;
  }
  record->Clear();
  have_error_ = false;
  reason_.clear();
  if (line_too_long_) {
    BadJson(LimitReason("line", "max_record_bytes", options_.max_record_bytes));
  } else if (ParseLine(record) == Outcome::kOk) {
    std::string error;
    if (record->Finish(&error)) {
      record->set_line(line_number_);
      return Next::kRecord;
    }
    reason_ = std::move(error);
  }
  reject->source = name_;
  reject->line = line_number_;
  reject->record_id.assign(record->record_id());
  reject->reason = reason_;
  return Next::kReject;
}

}  // namespace

Result<std::unique_ptr<RecordReader>> NewJsonlReader(std::unique_ptr<ByteSource> source,
                                                     std::string name, const Schema& schema,
                                                     const ReaderOptions& options) {
  return std::unique_ptr<RecordReader>(
      std::make_unique<JsonlReader>(std::move(source), std::move(name), schema, options));
}

bool RestartJsonlReader(RecordReader* reader, std::unique_ptr<ByteSource>* source) {
  auto* jsonl = dynamic_cast<JsonlReader*>(reader);
  if (jsonl == nullptr) return false;
  jsonl->Restart(std::move(*source));
  return true;
}

}  // namespace targeting::internal
