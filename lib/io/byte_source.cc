#include "io/byte_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace targeting::internal {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

class StringSource final : public ByteSource {
 public:
  StringSource(std::string text, std::size_t chunk_bytes)
      : text_(std::move(text)), chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)) {}

 protected:
  std::string_view Fill() override {
    const std::size_t n = std::max<std::size_t>(chunk_bytes_, at_ == 0 ? 3 : 1);
    std::string_view chunk = std::string_view(text_).substr(at_, n);
    at_ += chunk.size();
    return chunk;
  }

 private:
  std::string text_;
  std::size_t chunk_bytes_;
  std::size_t at_ = 0;
};

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned, std::string name)
      : fd_(fd), owned_(owned), name_(std::move(name)), buffer_(new char[kChunkBytes]) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }

 protected:
  std::string_view Fill() override {
    // read() rather than a full-buffer fread: records on a pipe come out as
    // soon as they arrive instead of a megabyte later.
    std::size_t filled = 0;
    const std::size_t want = first_ ? 3 : 1;
    first_ = false;
    while (filled < want && !eof_) {
      ssize_t n = ::read(fd_, buffer_.get() + filled, kChunkBytes - filled);
      if (n < 0) {
        if (errno == EINTR) continue;
        status_ = Status(StatusCode::kIoError, name_ + ": read error: " + std::strerror(errno));
        return {};
      }
      if (n == 0) eof_ = true;
      filled += static_cast<std::size_t>(n);
    }
    return std::string_view(buffer_.get(), filled);
  }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  std::unique_ptr<char[]> buffer_;
  bool first_ = true;
  bool eof_ = false;
};

class FileSource final : public ByteSource {
 public:
  FileSource(std::FILE* file, std::string name)
      : file_(file), name_(std::move(name)), buffer_(new char[kChunkBytes]) {}

 protected:
  std::string_view Fill() override {
    // fread fills the whole buffer unless the stream ends, which also covers
    // the three bytes of a byte order mark.
    std::size_t n = std::fread(buffer_.get(), 1, kChunkBytes, file_);
    if (n == 0 && std::ferror(file_)) {
      status_ = Status(StatusCode::kIoError, name_ + ": read error: " + std::strerror(errno));
    }
    return std::string_view(buffer_.get(), n);
  }

 private:
  std::FILE* file_;
  std::string name_;
  std::unique_ptr<char[]> buffer_;
};

}  // namespace

std::unique_ptr<ByteSource> ByteSource::FromString(std::string text, std::size_t chunk_bytes) {
  return std::make_unique<StringSource>(std::move(text), chunk_bytes);
}

std::unique_ptr<ByteSource> ByteSource::FromFd(int fd, bool owned, std::string name) {
  return std::make_unique<FdSource>(fd, owned, std::move(name));
}

std::unique_ptr<ByteSource> ByteSource::FromFile(std::FILE* file, std::string name) {
  return std::make_unique<FileSource>(file, std::move(name));
}

std::string_view ByteSource::Next() {
  if (!status_.ok()) return {};
  std::string_view chunk = Fill();
  if (!started_) {
    started_ = true;
    if (chunk.substr(0, kBom.size()) == kBom) {
      chunk.remove_prefix(kBom.size());
      offset_ += kBom.size();
      if (chunk.empty()) chunk = Fill();
    }
  }
  offset_ += chunk.size();
  return chunk;
}

}  // namespace targeting::internal
