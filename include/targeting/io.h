// Reading records from CSV and JSON Lines (SPEC sections 2 and 7).
#ifndef TARGETING_IO_H_
#define TARGETING_IO_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "targeting/record.h"
#include "targeting/status.h"

namespace targeting {

enum class InputFormat { kCsv, kJsonl };

// By extension: .csv -> CSV; .jsonl, .ndjson -> JSON Lines; otherwise nullopt.
std::optional<InputFormat> InputFormatFromPath(std::string_view path);
std::optional<InputFormat> InputFormatFromName(std::string_view name);  // "csv", "jsonl"

// Limits on what one record may hold; docs/input-formats.md has the details.
struct ReaderOptions {
  std::size_t max_field_bytes = 1 << 20;   // one CSV field or JSON value
  std::size_t max_record_bytes = 8 << 20;  // one CSV record or JSON line
  // How far past max_record_bytes the reader scans for the end of an
  // over-long record. A record that runs on further (a file of one endless
  // line, /dev/zero on standard input) is rejected, and the input then stops
  // with a kLimitExceeded status.
  std::size_t max_skip_bytes = std::size_t{1} << 30;
};

// A record that could not be read, with where and why.
struct Reject {
  std::string source;     // the input's name ("-" for standard input)
  std::uint64_t line = 0;  // 1-based line where the record starts
  std::string record_id;  // when it could be read
  std::string reason;
};

// Streams records from one input; memory does not grow with its size.
// Not thread-safe. Every record it reads comes back either as a record or as
// a reject, so a run can account for all of them.
class RecordReader {
 public:
  enum class Next { kRecord, kReject, kEnd };

  // For CSV each factory reads the header before it returns, so a bad header
  // (no record_id column, a schema field named twice, a malformed header row)
  // fails it with kInvalidArgument and a message "NAME:LINE: ..."; a read
  // error within the header fails it with kIoError. docs/input-formats.md
  // has the details.

  // Opens `path` ("-" is standard input). kNotFound when it does not exist,
  // kIoError when it cannot be opened or is a directory.
  static Result<std::unique_ptr<RecordReader>> Open(const std::string& path, InputFormat format,
                                                    const Schema& schema,
                                                    ReaderOptions options = {});
  // Reads from an already open stream, which the reader does not close.
  static Result<std::unique_ptr<RecordReader>> FromFile(std::FILE* file, std::string name,
                                                        InputFormat format, const Schema& schema,
                                                        ReaderOptions options = {});
  // Reads the records in bytes [begin, end) of file `path`, a range from
  // SplitRecordRanges; for CSV the header row is read from the start of the
  // file first. Lines in rejects count from the range's first line, and the
  // reader's name is "PATH@BEGIN-END". The range is read into memory.
  static Result<std::unique_ptr<RecordReader>> OpenRange(const std::string& path, InputFormat format,
                                                         const Schema& schema, std::uint64_t begin,
                                                         std::uint64_t end,
                                                         ReaderOptions options = {});
  // Reads from text held in memory (tests, fuzzing, embedders).
  static Result<std::unique_ptr<RecordReader>> FromString(std::string text, std::string name,
                                                          InputFormat format,
                                                          const Schema& schema,
                                                          ReaderOptions options = {});

  virtual ~RecordReader() = default;

  // The next record: kRecord fills *record (cleared first), kReject fills
  // *reject, kEnd when the input is done or failed (see status()).
  virtual Next Read(Record* record, Reject* reject) = 0;
  // Non-ok when reading stopped on an I/O error; such a failure is not a
  // record and is not counted as read.
  virtual const Status& status() const = 0;
  virtual const std::string& name() const = 0;

  // For reading many small texts one after another (a service's request
  // bodies): the reader then reads `text` from its first line exactly as
  // FromString(text, name(), ...) with its format, schema and options would,
  // keeping what it has allocated. JSON Lines readers only: for CSV, whose
  // header belongs to its input, kInvalidArgument and nothing changes.
  virtual Status Restart(std::string text);
};

// Splits the file `path` into at most `parts` byte ranges of whole records,
// of about equal size, for reading them in parallel (RecordReader::OpenRange;
// Python's targeting.dask). Returns offsets o[0] < o[1] < ... < o[k] with
// o[0] the start of the first record (after a CSV header row) and o[k] the
// file's size; range i is [o[i], o[i+1]). A CSV file is scanned from the
// start, so a line break inside a quoted field never splits a record; JSON
// Lines splits at line ends. A file with no records gives {o[0], o[0]}.
Result<std::vector<std::uint64_t>> SplitRecordRanges(const std::string& path, InputFormat format,
                                                     int parts);

}  // namespace targeting

#endif  // TARGETING_IO_H_
