// RecordReader's factories and the input format names.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/byte_source.h"
#include "io/readers.h"
#include "load/normalize.h"
#include "targeting/io.h"

namespace targeting {
namespace {

bool EndsWithFolded(std::string_view s, std::string_view suffix_lower) {
  if (s.size() < suffix_lower.size()) return false;
  s.remove_prefix(s.size() - suffix_lower.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (internal::LowerAscii(s[i]) != suffix_lower[i]) return false;
  }
  return true;
}

Result<std::unique_ptr<RecordReader>> NewReader(std::unique_ptr<internal::ByteSource> source,
                                                std::string name, InputFormat format,
                                                const Schema& schema,
                                                const ReaderOptions& options) {
  switch (format) {
    case InputFormat::kCsv:
      return internal::NewCsvReader(std::move(source), std::move(name), schema, options);
    case InputFormat::kJsonl:
      return internal::NewJsonlReader(std::move(source), std::move(name), schema, options);
  }
  return Status(StatusCode::kInvalidArgument, name + ": unknown input format");
}

}  // namespace

std::optional<InputFormat> InputFormatFromPath(std::string_view path) {
  if (EndsWithFolded(path, ".csv")) return InputFormat::kCsv;
  if (EndsWithFolded(path, ".jsonl") || EndsWithFolded(path, ".ndjson")) {
    return InputFormat::kJsonl;
  }
  return std::nullopt;
}

std::optional<InputFormat> InputFormatFromName(std::string_view name) {
  if (name == "csv") return InputFormat::kCsv;
  if (name == "jsonl" || name == "ndjson") return InputFormat::kJsonl;
  return std::nullopt;
}

Result<std::unique_ptr<RecordReader>> RecordReader::Open(const std::string& path,
                                                         InputFormat format,
                                                         const Schema& schema,
                                                         ReaderOptions options) {
  if (path == "-") {
    return NewReader(internal::ByteSource::FromFd(STDIN_FILENO, /*owned=*/false, path), path,
                     format, schema, options);
  }
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int err = errno;
    return Status(err == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                  path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status(StatusCode::kIoError, path + ": is a directory");
  }
  // A character device (/dev/zero, /dev/urandom, a terminal) is not a file of
  // records and may never end; standard input ("-") is read whatever it is.
  if (S_ISCHR(st.st_mode)) {
    ::close(fd);
    return Status(StatusCode::kIoError, path + ": is a device, not a file of records");
  }
  return NewReader(internal::ByteSource::FromFd(fd, /*owned=*/true, path), path, format, schema,
                   options);
}

Result<std::unique_ptr<RecordReader>> RecordReader::FromFile(std::FILE* file, std::string name,
                                                             InputFormat format,
                                                             const Schema& schema,
                                                             ReaderOptions options) {
  if (file == nullptr) return Status(StatusCode::kInvalidArgument, name + ": no stream");
  auto source = internal::ByteSource::FromFile(file, name);
  return NewReader(std::move(source), std::move(name), format, schema, options);
}

Result<std::unique_ptr<RecordReader>> RecordReader::FromString(std::string text,
                                                               std::string name,
                                                               InputFormat format,
                                                               const Schema& schema,
                                                               ReaderOptions options) {
  return NewReader(internal::ByteSource::FromString(std::move(text)), std::move(name), format,
                   schema, options);
}

Status RecordReader::Restart(std::string /*text*/) {
  return Status(StatusCode::kInvalidArgument, name() + ": only a JSON Lines reader can be restarted");
}

}  // namespace targeting
