// CSV records (RFC 4180) read as a byte-level state machine over chunks.
//
// Most records are simple: within one chunk, on one line, no escaped quotes,
// nothing wrong. ScanSimpleRecord reads those in one pass with SIMD scans for
// the next delimiter, and their cells stay where they are in the chunk. Any
// other record goes through the state machine, which copies only the cells
// of schema columns (into one buffer per record, reused), so ignored columns
// and over-limit fields cost a scan and nothing else. A record ends at a line
// end outside quotes; the line end itself is left to the record-start state,
// which also counts lines and skips empty ones.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "io/chunked_reader.h"
#include "io/reasons.h"
#include "io/readers.h"
#include "load/normalize.h"

namespace targeting::internal {
namespace {

bool IsAscii(std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  std::uint64_t bits = 0;
  for (; end - p >= 8; p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    bits |= word;
  }
  for (; p != end; ++p) bits |= static_cast<unsigned char>(*p);
  return (bits & 0x8080808080808080ull) == 0;
}

// The first byte in [p, end) that is one of a, b, c, d; end when none is.
// Sixteen bytes at a time where SSE2 is there (x86-64 always has it).
inline const char* FindAny(const char* p, const char* end, char a, char b, char c, char d) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c),
                vd = _mm_set1_epi8(d);
  for (; end - p >= 16; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                                     _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vd)));
    if (const int mask = _mm_movemask_epi8(hit)) return p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  for (; p != end; ++p) {
    const char x = *p;
    if (x == a || x == b || x == c || x == d) return p;
  }
  return end;
}

class CsvReader final : public ChunkedReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, std::string name, const Schema& schema,
            const ReaderOptions& options)
      : ChunkedReader(std::move(source), std::move(name), schema, options) {}

  Status ReadHeader();
  Next Read(Record* record, Reject* reject) override;

 private:
  enum class State : std::uint8_t { kRecordStart, kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  // Where a buffered cell's text is; valid for the record numbered `record`.
  struct Cell {
    std::size_t offset = 0;
    std::size_t length = 0;
    std::uint64_t record = 0;
  };

  // Scans up to the end of the next record; false at the end of the input
  // (or on a read error, see status_). The cells of the record are then in
  // cells_, column_ holds its number of fields and error_ its first error.
  bool ScanRecord();
  bool ScanRecordUntilEnd();
  // The common case in one pass, with no copies: a record that ends within
  // the current chunk, has no line break, escaped quote or error in it and
  // is within the limits. Its cells are then views into the chunk, valid
  // until the next Refill, and p_ is at its line end. False (nothing
  // changed) for any other record, which the state machine then reads.
  bool ScanSimpleRecord();
  // True once a record has run on past max_record_bytes + max_skip_bytes
  // (so it is over a limit already): the record ends there (rejected), and
  // so does the input.
  bool SkippedTooFar() const { return Offset() - record_start_ > SkipLimit(); }
  void GiveUp();
  void BeginRecord();
  void BeginField();
  void EndField();
  void Take(const char* bytes, std::size_t n);
  // Takes a run of plain bytes that ends at p_, checking both limits.
  void TakeRun(const char* bytes, std::size_t n);
  // Takes the plain bytes from p_ up to the next byte of `stop`; false when
  // the chunk ends first.
  bool TakeRunUntil(bool quoted);
  // Steps over a comma outside quotes into the record's next field.
  void NextField();
  void CheckRecordSize();
  void FailFieldTooLong();
  void FailRecordTooLong();
  // Records the record's first problem (later ones are not reported) and
  // stops keeping the current field, which is not to be trusted.
  void Fail(std::string reason);
  std::uint64_t Offset() const {
    return source_->offset() - static_cast<std::uint64_t>(end_ - p_);
  }
  bool Complete(int column) const {
    if (simple_) return column < column_ && column < columns_;
    return static_cast<std::size_t>(column) < cells_.size() &&
           cells_[static_cast<std::size_t>(column)].record == record_serial_;
  }
  // The text of a column of the current record; empty unless Complete().
  std::string_view CellText(int column) const {
    if (!Complete(column)) return {};
    if (simple_) return views_[static_cast<std::size_t>(column)];
    const Cell& c = cells_[static_cast<std::size_t>(column)];
    return std::string_view(buf_.data() + c.offset, c.length);
  }
  Next RejectRecord(Reject* reject, std::string_view reason);

  std::uint64_t line_ = 1;  // physical line of *p_
  State state_ = State::kRecordStart;

  // The header: which schema field each column fills (-1: ignored).
  bool header_mode_ = false;
  int columns_ = 0;
  std::vector<int> column_field_;
  std::vector<int> mapped_columns_;
  int record_id_column_ = -1;

  // The record being scanned.
  std::uint64_t record_serial_ = 0;
  std::uint64_t record_line_ = 0;
  std::uint64_t record_start_ = 0;  // input offset of its first byte
  std::uint64_t quote_line_ = 0;    // line of the last opening quote
  int column_ = 0;                  // index of the current field
  bool buffering_ = false;          // the current field's bytes are kept
  bool record_too_long_ = false;
  std::size_t field_start_ = 0;     // in buf_
  std::string buf_;
  std::vector<Cell> cells_;
  // The current record was read by ScanSimpleRecord: its cells are views_.
  bool simple_ = false;
  std::vector<std::string_view> views_;
  std::string_view simple_text_;  // the whole record, line end excluded
  bool has_error_ = false;
  std::string error_;

  std::string scratch_;
};

void CsvReader::Fail(std::string reason) {
  buffering_ = false;
  if (has_error_) return;
  has_error_ = true;
  error_ = std::move(reason);
}

void CsvReader::BeginRecord() {
  simple_ = false;
  ++record_serial_;
  record_line_ = line_;
  record_start_ = Offset();
  column_ = 0;
  buf_.clear();
  record_too_long_ = false;
  has_error_ = false;
  error_.clear();
  BeginField();
}

void CsvReader::BeginField() {
  field_start_ = buf_.size();
  if (record_too_long_) {
    buffering_ = false;
  } else if (header_mode_) {
    buffering_ = true;
  } else {
    buffering_ = column_ < columns_ && column_field_[static_cast<std::size_t>(column_)] >= 0;
  }
}

void CsvReader::EndField() {
  if (buffering_) {
    const auto col = static_cast<std::size_t>(column_);
    if (col >= cells_.size()) cells_.resize(col + 1);  // header mode only
    cells_[col] = Cell{field_start_, buf_.size() - field_start_, record_serial_};
  }
  buffering_ = false;
  // Saturates: a gigabytes-long row of commas must not overflow the count.
  if (column_ < std::numeric_limits<int>::max()) ++column_;
}

void CsvReader::FailFieldTooLong() {
  if (header_mode_) {
    Fail(LimitReason("column " + std::to_string(column_ + 1), "max_field_bytes",
                     options_.max_field_bytes));
  } else {
    const FieldDef& def = schema_.field(column_field_[static_cast<std::size_t>(column_)]);
    Fail(LimitReason("field " + def.name, "max_field_bytes", options_.max_field_bytes));
  }
}

void CsvReader::FailRecordTooLong() {
  Fail(LimitReason("record", "max_record_bytes", options_.max_record_bytes));
  record_too_long_ = true;
}

void CsvReader::Take(const char* bytes, std::size_t n) {
  if (!buffering_) return;
  if (buf_.size() - field_start_ + n > options_.max_field_bytes) {
    FailFieldTooLong();
    return;
  }
  buf_.append(bytes, n);
}

void CsvReader::TakeRun(const char* bytes, std::size_t n) {
  // When the run crosses both limits, the one crossed at the earlier byte
  // is the reason (the record's on a tie), so that the reason does not
  // depend on where the input's chunks happen to end.
  constexpr std::size_t kNever = SIZE_MAX;
  std::size_t record_cross = kNever, field_cross = kNever;
  if (!record_too_long_) {
    const std::uint64_t after = Offset() - record_start_;
    const std::uint64_t before = after - n;
    if (after > options_.max_record_bytes) {
      record_cross = before >= options_.max_record_bytes
                         ? 0
                         : static_cast<std::size_t>(options_.max_record_bytes - before);
    }
  }
  if (buffering_) {
    const std::size_t before = buf_.size() - field_start_;
    if (before + n > options_.max_field_bytes) field_cross = options_.max_field_bytes - before;
  }
  if (record_cross != kNever && record_cross <= field_cross) {
    FailRecordTooLong();
  } else if (field_cross != kNever) {
    FailFieldTooLong();
  } else if (buffering_) {
    buf_.append(bytes, n);
  }
}

bool CsvReader::TakeRunUntil(bool quoted) {
  const char* start = p_;
  p_ = quoted ? FindAny(p_, end_, '"', '\r', '\n', '"') : FindAny(p_, end_, ',', '"', '\r', '\n');
  TakeRun(start, static_cast<std::size_t>(p_ - start));
  return p_ != end_;
}

bool CsvReader::ScanSimpleRecord() {
  const char* const begin = p_;
  const char* const end = end_;
  const char* p = begin;
  int column = 0;
  for (;;) {
    const char* field_begin = p;
    const char* field_end = nullptr;
    const char* next = nullptr;  // the comma or line end after the field
    if (p != end && *p == '"') {
      field_begin = p + 1;
      field_end = FindAny(field_begin, end, '"', '\r', '\n', '"');
      // A line break inside quotes, or the chunk's end: the state machine.
      if (field_end == end || *field_end != '"') return false;
      next = field_end + 1;
      // An escaped quote, text after the closing quote, or the chunk's end.
      if (next == end || (*next != ',' && *next != '\r' && *next != '\n')) return false;
    } else {
      field_end = FindAny(p, end, ',', '"', '\r', '\n');
      if (field_end == end || *field_end == '"') return false;
      next = field_end;
    }
    if (static_cast<std::uint64_t>(next - begin) > options_.max_record_bytes) return false;
    if (column < columns_) {
      const auto col = static_cast<std::size_t>(column);
      const auto length = static_cast<std::size_t>(field_end - field_begin);
      if (column_field_[col] >= 0 && length > options_.max_field_bytes) return false;
      views_[col] = std::string_view(field_begin, length);
    }
    if (column < std::numeric_limits<int>::max()) ++column;
    if (*next != ',') {
      // The record ends at its line end, which is left to kRecordStart.
      ++record_serial_;
      record_line_ = line_;
      record_start_ = Offset();
      column_ = column;
      record_too_long_ = false;
      has_error_ = false;
      error_.clear();
      simple_ = true;
      simple_text_ = std::string_view(begin, static_cast<std::size_t>(next - begin));
      p_ = next;
      return true;
    }
    p = next + 1;
  }
}

void CsvReader::NextField() {
  ++p_;
  EndField();
  BeginField();
  state_ = State::kFieldStart;
}

void CsvReader::CheckRecordSize() {
  if (record_too_long_ || Offset() - record_start_ <= options_.max_record_bytes) return;
  FailRecordTooLong();
}

void CsvReader::GiveUp() {
  GiveUpInput(record_line_, "record");
  state_ = State::kRecordStart;
}

bool CsvReader::ScanRecord() {
  if (!status_.ok()) return false;
  const bool found = ScanRecordUntilEnd();
  // Whether the end was found in time or not, a record that long gives up
  // the input, so the outcome does not depend on how the input is chunked.
  if (found && status_.ok() && SkippedTooFar()) GiveUp();
  return found;
}

bool CsvReader::ScanRecordUntilEnd() {
  for (;;) {
    if (state_ != State::kRecordStart && SkippedTooFar()) {
      GiveUp();
      return true;
    }
    if (p_ == end_ && !Refill()) {
      if (!status_.ok()) return false;
      switch (state_) {
        case State::kRecordStart:
          return false;
        case State::kQuoted:
          // The quote swallowed the rest of the input: that is the cause of
          // whatever else went wrong, so it is the reason.
          Fail("");
          error_ = "unterminated quoted field opened at line " + std::to_string(quote_line_);
          break;
        default:
          break;
      }
      EndField();
      CheckRecordSize();
      state_ = State::kRecordStart;
      return true;
    }
    if (pending_cr_) {
      pending_cr_ = false;
      if (*p_ == '\n') {
        if (state_ == State::kQuoted) Take(p_, 1);
        ++p_;
        continue;
      }
    }
    switch (state_) {
      case State::kRecordStart: {
        const char c = *p_;
        if (c == '\n') {
          ++line_;
          ++p_;
          continue;
        }
        if (c == '\r') {
          ++line_;
          ++p_;
          if (p_ == end_) {
            pending_cr_ = true;
          } else if (*p_ == '\n') {
            ++p_;
          }
          continue;
        }
        if (!header_mode_ && ScanSimpleRecord()) return true;
        BeginRecord();
        state_ = State::kFieldStart;
        [[fallthrough]];
      }
      case State::kFieldStart:
        if (*p_ == '"') {
          quote_line_ = line_;
          ++p_;
          state_ = State::kQuoted;
          continue;
        }
        state_ = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted: {
        if (!TakeRunUntil(/*quoted=*/false)) continue;
        const char c = *p_;
        if (c == ',') {
          NextField();
          continue;
        }
        if (c == '"') {
          // Taken literally so the row still ends at its line end.
          Fail("column " + std::to_string(column_ + 1) + ": quote inside an unquoted field");
          Take(p_, 1);
          ++p_;
          continue;
        }
        EndField();
        state_ = State::kRecordStart;
        return true;
      }
      case State::kQuoted: {
        if (!TakeRunUntil(/*quoted=*/true)) continue;
        const char c = *p_;
        if (c == '"') {
          ++p_;
          state_ = State::kQuoteInQuoted;
          continue;
        }
        // A line end inside quotes is part of the value and counts as a line.
        ++line_;
        Take(p_, 1);
        ++p_;
        if (c == '\r') {
          if (p_ == end_) {
            pending_cr_ = true;
          } else if (*p_ == '\n') {
            Take(p_, 1);
            ++p_;
          }
        }
        continue;
      }
      case State::kQuoteInQuoted: {
        const char c = *p_;
        if (c == '"') {
          Take(p_, 1);
          ++p_;
          state_ = State::kQuoted;
          continue;
        }
        if (c == ',') {
          NextField();
          continue;
        }
        if (c == '\r' || c == '\n') {
          EndField();
          CheckRecordSize();
          state_ = State::kRecordStart;
          return true;
        }
        // Kept as unquoted text so the row still ends at its line end.
        Fail("column " + std::to_string(column_ + 1) + ": text after a closing quote");
        state_ = State::kUnquoted;
        continue;
      }
    }
  }
}

Status CsvReader::ReadHeader() {
  header_mode_ = true;
  const bool found = ScanRecord();
  header_mode_ = false;
  if (!found) return status_;  // empty input: no header, no records
  const std::string where = name_ + ":" + std::to_string(record_line_) + ": ";
  if (has_error_) return Status(StatusCode::kInvalidArgument, where + "bad header: " + error_);
  columns_ = column_;
  column_field_.assign(static_cast<std::size_t>(columns_), -1);
  for (int c = 0; c < columns_; ++c) {
    std::string_view name = TrimSpaces(CellText(c));
    const int f = schema_.Find(name);
    if (f < 0 || schema_.field(f).derived) continue;
    for (int m : mapped_columns_) {
      if (column_field_[static_cast<std::size_t>(m)] == f) {
        return Status(StatusCode::kInvalidArgument,
                      where + "the header names field '" + std::string(name) + "' twice");
      }
    }
    column_field_[static_cast<std::size_t>(c)] = f;
    mapped_columns_.push_back(c);
    if (f == schema_.record_id_field()) record_id_column_ = c;
  }
  if (record_id_column_ < 0) {
    return Status(StatusCode::kInvalidArgument,
                  where + "the header has no '" +
                      schema_.field(schema_.record_id_field()).name + "' column");
  }
  cells_.assign(static_cast<std::size_t>(columns_), Cell{});
  views_.assign(static_cast<std::size_t>(columns_), std::string_view());
  return Status::Ok();
}

RecordReader::Next CsvReader::RejectRecord(Reject* reject, std::string_view reason) {
  reject->source = name_;
  reject->line = record_line_;
  reject->record_id.clear();
  reject->reason.assign(reason);
  if (Complete(record_id_column_)) {
    std::string_view id = CellText(record_id_column_);
    if (IsValidUtf8(id)) {
      double unused = 0;
      std::string why;
      const FieldType type = schema_.field(schema_.record_id_field()).type;
      if (!NormalizeValue(type, id, &reject->record_id, &unused, &why)) reject->record_id.clear();
    }
  }
  return Next::kReject;
}

RecordReader::Next CsvReader::Read(Record* record, Reject* reject) {
  if (!ScanRecord()) return Next::kEnd;
  if (has_error_) return RejectRecord(reject, error_);
  if (column_ != columns_) {
    return RejectRecord(reject, "row has " + std::to_string(column_) + " fields; the header has " +
                                    std::to_string(columns_));
  }
  record->Clear();
  // Most records are ASCII through and through: one pass settles that.
  const bool ascii = IsAscii(simple_ ? simple_text_ : std::string_view(buf_));
  for (int c : mapped_columns_) {
    const int f = column_field_[static_cast<std::size_t>(c)];
    std::string_view text = CellText(c);
    std::size_t bad = 0;
    if (!ascii && !IsValidUtf8(text, &bad)) {
      return RejectRecord(reject, "field " + schema_.field(f).name + ": invalid UTF-8 at byte " +
                                      std::to_string(bad + 1));
    }
    if (!record->SetCell(f, text, &scratch_)) {
      scratch_ += ": ";
      AppendQuotedValue(text, &scratch_);
      return RejectRecord(reject, scratch_);
    }
  }
  if (!record->Finish(&scratch_)) return RejectRecord(reject, scratch_);
  record->set_line(record_line_);
  return Next::kRecord;
}

}  // namespace

Result<std::unique_ptr<RecordReader>> NewCsvReader(std::unique_ptr<ByteSource> source,
                                                   std::string name, const Schema& schema,
                                                   const ReaderOptions& options) {
  auto reader = std::make_unique<CsvReader>(std::move(source), std::move(name), schema, options);
  if (Status st = reader->ReadHeader(); !st.ok()) return st;
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace targeting::internal
