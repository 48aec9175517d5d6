// Chunked input for the record readers. Private header.
#ifndef TARGETING_LIB_IO_BYTE_SOURCE_H_
#define TARGETING_LIB_IO_BYTE_SOURCE_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "targeting/status.h"

namespace targeting::internal {

// Hands out an input in chunks, so a reader's memory does not grow with the
// input's size. A UTF-8 byte order mark at the very start is dropped.
// Not thread-safe.
class ByteSource {
 public:
  // The size of the buffer that file and stream sources read into.
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

  // Owns `text` and hands it out in chunks of `chunk_bytes` (the first at
  // least 3 bytes), by default as one chunk. Small chunks are for tests of
  // what happens at chunk boundaries.
  static std::unique_ptr<ByteSource> FromString(std::string text,
                                                std::size_t chunk_bytes = SIZE_MAX);
  // Reads the file descriptor; closes it when `owned`.
  static std::unique_ptr<ByteSource> FromFd(int fd, bool owned, std::string name);
  // Reads an open stdio stream, which it does not close.
  static std::unique_ptr<ByteSource> FromFile(std::FILE* file, std::string name);

  virtual ~ByteSource() = default;

  // The next non-empty chunk, valid until the next call; empty at the end of
  // the input or after a read error (then status() is not ok).
  std::string_view Next();
  const Status& status() const { return status_; }
  // Bytes handed out so far, counting a dropped byte order mark.
  std::uint64_t offset() const { return offset_; }

 protected:
  // The next chunk as read; empty at the end or on error (set status_). The
  // first call returns at least 3 bytes unless the input is shorter, so that
  // a byte order mark is never split.
  virtual std::string_view Fill() = 0;

  Status status_;

 private:
  bool started_ = false;
  std::uint64_t offset_ = 0;
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_IO_BYTE_SOURCE_H_
