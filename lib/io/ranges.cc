// Byte ranges of whole records (include/targeting/io.h, SplitRecordRanges and
// RecordReader::OpenRange): how an input is cut into shards that read in
// parallel and add up to the whole.
#include <cstdio>
#include <cstring>
#include <fstream>

#include "targeting/io.h"

namespace targeting {

namespace {

Status Io(const std::string& path, const std::string& what) {
  return Status(StatusCode::kIoError, path + ": " + what);
}

// Reads [begin, end) of an open stream into *out.
bool ReadRange(std::ifstream& in, std::uint64_t begin, std::uint64_t end, std::string* out) {
  out->resize(static_cast<std::size_t>(end - begin));
  in.seekg(static_cast<std::streamoff>(begin));
  in.read(out->data(), static_cast<std::streamsize>(out->size()));
  return static_cast<std::uint64_t>(in.gcount()) == end - begin;
}

// The end of a CSV header row: just past its first line end outside quotes,
// or the file's size.
std::uint64_t CsvHeaderEnd(std::ifstream& in) {
  in.seekg(0);
  bool quoted = false;
  std::uint64_t pos = 0;
  char c = 0;
  while (in.get(c)) {
    ++pos;
    if (c == '"') quoted = !quoted;
    else if (c == '\n' && !quoted) return pos;
  }
  in.clear();
  return pos;
}

}  // namespace

Result<std::vector<std::uint64_t>> SplitRecordRanges(const std::string& path, InputFormat format,
                                                     int parts) {
  if (parts < 1) return Status(StatusCode::kInvalidArgument, "parts must be at least 1");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Io(path, "cannot be opened");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  // Record starts: every line end outside a quoted field (CSV) or every line
  // end (JSON Lines). The CSV header is the first record.
  std::vector<std::uint64_t> out;
  std::uint64_t first = 0;
  const bool csv = format == InputFormat::kCsv;
  std::vector<char> buf(1 << 20);
  bool quoted = false;
  bool header_done = !csv;
  std::uint64_t pos = 0;
  std::uint64_t next_target = 0;
  auto target = [&](std::size_t k) {
    return first + (size - first) * k / static_cast<std::uint64_t>(parts);
  };
  std::size_t k = 1;
  if (!csv) {
    out.push_back(0);
    // JSON Lines: jump to each target and take the next line start.
    for (; k < static_cast<std::size_t>(parts); ++k) {
      std::uint64_t t = std::max(target(k), out.back() + 1);
      if (t >= size) break;
      in.seekg(static_cast<std::streamoff>(t - 1));
      std::uint64_t at = t - 1;
      char c = 0;
      while (in.get(c) && c != '\n') ++at;
      if (!in) break;
      if (at + 1 < size && at + 1 > out.back()) out.push_back(at + 1);
    }
    out.push_back(size);
    return out;
  }
  while (pos < size) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) return Io(path, "read failed");
    for (std::size_t i = 0; i < got; ++i) {
      const char c = buf[i];
      if (c == '"') {
        quoted = !quoted;  // "" inside a quoted field toggles twice
      } else if (c == '\n' && !quoted) {
        const std::uint64_t start = pos + i + 1;
        if (!header_done) {
          header_done = true;
          first = start;
          out.push_back(first);
          next_target = target(k);
        } else if (start >= next_target && start < size && k < static_cast<std::size_t>(parts)) {
          out.push_back(start);
          while (k < static_cast<std::size_t>(parts) && target(k) <= start) ++k;
          next_target = target(k);
        }
      }
    }
    pos += got;
  }
  if (!header_done) return std::vector<std::uint64_t>{size, size};  // a header and no records
  out.push_back(size);
  if (out.size() >= 2 && out[out.size() - 2] == size) out.pop_back();
  if (out.size() == 1) out.push_back(size);
  return out;
}

Result<std::unique_ptr<RecordReader>> RecordReader::OpenRange(const std::string& path,
                                                              InputFormat format,
                                                              const Schema& schema,
                                                              std::uint64_t begin,
                                                              std::uint64_t end,
                                                              ReaderOptions options) {
  if (begin > end) return Status(StatusCode::kInvalidArgument, path + ": range begins after it ends");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Io(path, "cannot be opened");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (end > size) return Status(StatusCode::kInvalidArgument, path + ": range ends past the file");
  std::string text;
  if (format == InputFormat::kCsv) {
    const std::uint64_t header_end = CsvHeaderEnd(in);
    if (begin < header_end && begin != 0) {
      return Status(StatusCode::kInvalidArgument, path + ": range begins inside the header row");
    }
    if (begin != 0) {
      if (!ReadRange(in, 0, header_end, &text)) return Io(path, "read failed");
      if (text.empty() || text.back() != '\n') text.push_back('\n');
    }
  }
  std::string body;
  in.clear();
  if (!ReadRange(in, begin, end, &body)) return Io(path, "read failed");
  text += body;
  return FromString(std::move(text), path + "@" + std::to_string(begin) + "-" + std::to_string(end),
                    format, schema, options);
}

}  // namespace targeting
