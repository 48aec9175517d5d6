// Inputs that never end, or end only far away: a record longer than
// max_record_bytes + max_skip_bytes is rejected and the input then stops with
// kLimitExceeded, however the input is chunked; devices are not inputs.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "io/readers.h"
#include "targeting/io.h"

namespace targeting {
namespace {

using Next = RecordReader::Next;

struct LimitOutcome {
  std::vector<std::string> results;  // "LINE: ID" or "LINE reject: REASON"
  Status open;
  Status end;
};

LimitOutcome LimitsDrain(Result<std::unique_ptr<RecordReader>> reader) {
  LimitOutcome o;
  if (!reader.ok()) {
    o.open = reader.status();
    return o;
  }
  Record record(Schema::Manifest());
  Reject reject;
  for (int guard = 0; guard < 1000; ++guard) {
    Next next = reader.value()->Read(&record, &reject);
    if (next == Next::kEnd) break;
    if (next == Next::kRecord) {
      o.results.push_back(std::to_string(record.line()) + ": " + std::string(record.record_id()));
    } else {
      o.results.push_back(std::to_string(reject.line) + " reject: " + reject.reason);
    }
  }
  o.end = reader.value()->status();
  return o;
}

ReaderOptions Tight() {
  ReaderOptions options;
  options.max_field_bytes = 12;
  options.max_record_bytes = 16;
  options.max_skip_bytes = 32;
  return options;
}

LimitOutcome Read(const std::string& text, InputFormat format, std::size_t chunk = SIZE_MAX) {
  auto source = internal::ByteSource::FromString(text, chunk);
  return LimitsDrain(format == InputFormat::kCsv
                   ? internal::NewCsvReader(std::move(source), "in", Schema::Manifest(), Tight())
                   : internal::NewJsonlReader(std::move(source), "in", Schema::Manifest(), Tight()));
}

TEST(ReaderSkipLimit, CsvRecordLongButNotEndless) {
  // 40 bytes: over max_record_bytes, within max_record_bytes + max_skip_bytes.
  for (std::size_t chunk : {SIZE_MAX, std::size_t{1}, std::size_t{5}}) {
    LimitOutcome o = Read("record_id,other\nB1," + std::string(37, 'x') + "\nB2,SEA\n", InputFormat::kCsv, chunk);
    EXPECT_TRUE(o.end.ok()) << o.end.message();
    EXPECT_EQ(o.results, (std::vector<std::string>{
                             "2 reject: record is longer than max_record_bytes (16)", "3: B2"}));
  }
}

TEST(ReaderSkipLimit, CsvRecordPastTheSkipLimitStopsTheInput) {
  for (const std::string& tail : {std::string("\nB2,SEA\n"), std::string()}) {
    for (std::size_t chunk : {SIZE_MAX, std::size_t{1}, std::size_t{7}}) {
      SCOPED_TRACE(chunk);
      LimitOutcome o = Read("record_id,other\nB1,SEA\nB2," + std::string(100, 'x') + tail, InputFormat::kCsv, chunk);
      EXPECT_EQ(o.results, (std::vector<std::string>{
                               "2: B1", "3 reject: record is longer than max_record_bytes (16)"}));
      EXPECT_EQ(o.end.code(), StatusCode::kLimitExceeded);
      EXPECT_EQ(o.end.message(),
                "in:3: the record runs on past max_record_bytes + max_skip_bytes (48 bytes) "
                "without ending; the rest of the input is not read");
    }
  }
  // Quoted line ends count as the record's bytes too.
  LimitOutcome quoted = Read("record_id,other\nB1,\"" + std::string(60, '\n') + "\"\n", InputFormat::kCsv);
  EXPECT_EQ(quoted.end.code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(quoted.results.size(), 1u);
}

TEST(ReaderSkipLimit, EndlessCsvHeaderFailsTheOpen) {
  LimitOutcome o = Read(std::string(200, 'r'), InputFormat::kCsv, 3);
  EXPECT_EQ(o.open.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(o.open.message().find("in:1: bad header: "),
            std::string::npos)
      << o.open.message();
}

TEST(ReaderSkipLimit, JsonlLinePastTheSkipLimitStopsTheInput) {
  for (std::size_t chunk : {SIZE_MAX, std::size_t{1}, std::size_t{6}}) {
    SCOPED_TRACE(chunk);
    LimitOutcome ok = Read("{\"record_id\":\"" + std::string(30, 'x') + "\"}\n{\"record_id\":1}\n",
                      InputFormat::kJsonl, chunk);
    EXPECT_TRUE(ok.end.ok());
    EXPECT_EQ(ok.results, (std::vector<std::string>{
                              "1 reject: line is longer than max_record_bytes (16)", "2: 1"}));
    LimitOutcome o = Read("{\"record_id\":1}\n" + std::string(49, ' ') + "\n{\"record_id\":2}\n",
                     InputFormat::kJsonl, chunk);
    EXPECT_EQ(o.results, (std::vector<std::string>{
                             "1: 1", "2 reject: line is longer than max_record_bytes (16)"}));
    EXPECT_EQ(o.end.code(), StatusCode::kLimitExceeded);
    EXPECT_EQ(o.end.message(),
              "in:2: the line runs on past max_record_bytes + max_skip_bytes (48 bytes) without "
              "ending; the rest of the input is not read");
  }
}

// /dev/zero holds no line end at all: reading it as a stream ends at the skip
// limit instead of never.
TEST(ReaderSkipLimit, DevZeroAsAStreamEnds) {
  for (InputFormat format : {InputFormat::kCsv, InputFormat::kJsonl}) {
    std::FILE* zero = std::fopen("/dev/zero", "rb");
    ASSERT_NE(zero, nullptr);
    ReaderOptions options;
    options.max_record_bytes = 1 << 10;
    options.max_skip_bytes = 4 << 20;
    LimitOutcome o = LimitsDrain(RecordReader::FromFile(zero, "zero", format, Schema::Manifest(), options));
    std::fclose(zero);
    if (format == InputFormat::kCsv) {
      EXPECT_EQ(o.open.code(), StatusCode::kInvalidArgument) << o.open.message();
    } else {
      EXPECT_EQ(o.results.size(), 1u);
      EXPECT_EQ(o.end.code(), StatusCode::kLimitExceeded) << o.end.message();
    }
  }
}

TEST(ReaderOpen, DevicesAreNotInputs) {
  for (const char* device : {"/dev/zero", "/dev/null", "/dev/urandom"}) {
    auto r = RecordReader::Open(device, InputFormat::kCsv, Schema::Manifest());
    ASSERT_FALSE(r.ok()) << device;
    EXPECT_EQ(r.status().code(), StatusCode::kIoError);
    EXPECT_EQ(r.status().message(), std::string(device) + ": is a device, not a file of records");
  }
}

}  // namespace
}  // namespace targeting
