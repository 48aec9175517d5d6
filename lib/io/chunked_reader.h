// What the CSV and JSON Lines readers share: the input, its name, the schema
// and limits, and the walk over the input's chunks. Private header.
#ifndef TARGETING_LIB_IO_CHUNKED_READER_H_
#define TARGETING_LIB_IO_CHUNKED_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "io/byte_source.h"
#include "targeting/io.h"

namespace targeting::internal {

// A RecordReader over the chunks of a ByteSource; the derived reader parses
// them. `schema` must outlive the reader. Not thread-safe.
class ChunkedReader : public RecordReader {
 public:
  const Status& status() const override { return status_; }
  const std::string& name() const override { return name_; }

 protected:
  ChunkedReader(std::unique_ptr<ByteSource> source, std::string name, const Schema& schema,
                const ReaderOptions& options)
      : source_(std::move(source)), name_(std::move(name)), schema_(schema), options_(options) {}

  // Points p_ and end_ at the next chunk; false at the end of the input or
  // after a read error (then status_ holds it).
  bool Refill() {
    if (eof_) return false;
    std::string_view chunk = source_->Next();
    if (chunk.empty()) {
      eof_ = true;
      if (!source_->status().ok()) status_ = source_->status();
      return false;
    }
    p_ = chunk.data();
    end_ = p_ + chunk.size();
    return true;
  }

  // How far an over-long record is scanned for its end before the input is
  // given up: max_record_bytes + max_skip_bytes, saturating.
  std::uint64_t SkipLimit() const {
    const std::uint64_t sum = std::uint64_t{options_.max_record_bytes} + options_.max_skip_bytes;
    return sum < options_.max_record_bytes ? std::uint64_t{options_.max_record_bytes} : sum;
  }

  // Ends the input after a `what` ("record", "line") starting at `line` ran
  // on past SkipLimit() without ending: status_ says so, nothing more is read.
  void GiveUpInput(std::uint64_t line, const char* what) {
    status_ = Status(StatusCode::kLimitExceeded,
                     name_ + ":" + std::to_string(line) + ": the " + what +
                         " runs on past max_record_bytes + max_skip_bytes (" +
                         std::to_string(SkipLimit()) +
                         " bytes) without ending; the rest of the input is not read");
    p_ = end_;
    eof_ = true;
  }

  std::unique_ptr<ByteSource> source_;
  std::string name_;
  const Schema& schema_;
  ReaderOptions options_;
  Status status_;

  // Input position: the unread part of the current chunk is [p_, end_).
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  bool eof_ = false;
  bool pending_cr_ = false;  // a CR ended the last chunk; an LF next belongs to it
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_IO_CHUNKED_READER_H_
