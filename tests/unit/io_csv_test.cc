// The CSV reader, with expected values written from SPEC sections 2 and 7 and
// docs/input-formats.md. Every case is read twice, as one chunk and one byte
// at a time, and the two readings must agree.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/byte_source.h"
#include "io/readers.h"
#include "targeting/io.h"
#include "targeting/record.h"
#include "unit/io_test_util.h"

namespace targeting {
namespace {

using testing::Describe;
using testing::Drain;
using testing::Lines;
using testing::Small;

// Reads `text` as CSV; a failed open comes back as "error: MESSAGE".
std::vector<std::string> ReadWith(std::string text, const Schema& schema, ReaderOptions options,
                                  std::size_t chunk_bytes) {
  auto reader = internal::NewCsvReader(internal::ByteSource::FromString(text, chunk_bytes),
                                       "in.csv", schema, options);
  if (!reader.ok()) return {"error: " + reader.status().message()};
  return Drain(*reader.value(), schema, reader.value()->name());
}

std::vector<std::string> Read(const std::string& text, const Schema& schema = Small(),
                              ReaderOptions options = {}) {
  std::vector<std::string> whole = ReadWith(text, schema, options, SIZE_MAX);
  EXPECT_EQ(ReadWith(text, schema, options, 1), whole) << "read one byte at a time";
  EXPECT_EQ(ReadWith(text, schema, options, 7), whole) << "read 7 bytes at a time";
  return whole;
}

TEST(CsvReader, PlainRecordsAreNormalizedByType) {
  EXPECT_EQ(Read("id,code,qty,tags,note,day\n"
                   "B1,cn-sha,12,cn;hk,Hello There,2026-01-05\n"
                   "B2,,,,,\n"), (Lines{"2: id=B1 code=CNSHA qty=12 tags=CN|HK note=Hello There day=2026-01-05",
                          "3: id=B2"}));
}

TEST(CsvReader, QuotedFieldsWithCommasAndDoubledQuotes) {
  EXPECT_EQ(Read("id,note,tags\n"
                   "\"B1\",\"a, b\",\"us;;de\"\n"
                   "B2,\"say \"\"hi\"\"\",\"\"\n"
                   "B3,\"\"\"\",x\n"), (Lines{"2: id=B1 tags=US|DE note=a, b", "3: id=B2 note=say \"hi\"",
                          "4: id=B3 tags=X note=\""}));
}

TEST(CsvReader, NewlinesInsideQuotesCountTowardLaterLines) {
  EXPECT_EQ(Read("id,note\n"
                   "B1,\"line one\nline two\n\"\n"
                   "B2,x\n"
                   "B3,\"a\r\nb\rc\"\n"
                   "B4,y\n"), (Lines{"2: id=B1 note=line one\nline two\n", "5: id=B2 note=x",
                          "6: id=B3 note=a\r\nb\rc", "9: id=B4 note=y"}));
}

TEST(CsvReader, CrlfLineEnds) {
  EXPECT_EQ(Read("id,code\r\nB1,x\r\nB2,y\r\n"), (Lines{"2: id=B1 code=X", "3: id=B2 code=Y"}));
}

TEST(CsvReader, CrOnlyLineEnds) {
  EXPECT_EQ(Read("id,code\rB1,x\rB2,y\r"), (Lines{"2: id=B1 code=X", "3: id=B2 code=Y"}));
  // LF then CR is two line ends, with an empty line between.
  EXPECT_EQ(Read("id,code\n\rB1,x\n"), (Lines{"3: id=B1 code=X"}));
}

TEST(CsvReader, ByteOrderMarkIsDropped) {
  EXPECT_EQ(Read("\xEF\xBB\xBFid,code\nB1,x\n"), (Lines{"2: id=B1 code=X"}));
  // Only at the very start: elsewhere it is data.
  EXPECT_EQ(Read("id,note\nB1,\xEF\xBB\xBFx\n"), (Lines{"2: id=B1 note=\xEF\xBB\xBFx"}));
}

TEST(CsvReader, MissingFinalNewline) {
  EXPECT_EQ(Read("id,code\nB1,x\nB2,y"), (Lines{"2: id=B1 code=X", "3: id=B2 code=Y"}));
  EXPECT_EQ(Read("id,note\nB1,\"x\""), (Lines{"2: id=B1 note=x"}));
  EXPECT_EQ(Read("id,note\nB1,"), (Lines{"2: id=B1"}));
}

TEST(CsvReader, EmptyLinesAreSkippedButCounted) {
  EXPECT_EQ(Read("id,code\n\nB1,x\n\r\n\nB2,y\n\n"), (Lines{"3: id=B1 code=X", "6: id=B2 code=Y"}));
  // A line of spaces is not empty: it is a row of one field.
  EXPECT_EQ(Read("id,code\n  \nB1,x\n"), (Lines{"2 reject [  ]: row has 1 fields; the header has 2", "3: id=B1 code=X"}));
}

TEST(CsvReader, RaggedRowsAreRejected) {
  EXPECT_EQ(Read("id,code,qty\nB1,x\nB2,y,1,extra\nB3,z,3\nB4,z,4,\n"), (Lines{"2 reject [B1]: row has 2 fields; the header has 3",
                          "3 reject [B2]: row has 4 fields; the header has 3", "4: id=B3 code=Z qty=3",
                          "5 reject [B4]: row has 4 fields; the header has 3"}));
}

TEST(CsvReader, UnterminatedQuoteIsOneRejectAtTheRecordStart) {
  EXPECT_EQ(Read("id,note\nB0,ok\nB1,\"abc\nB2,x\nB3,y\n"), (Lines{"2: id=B0 note=ok", "3 reject [B1]: unterminated quoted field opened at line 3"}));
  EXPECT_EQ(Read("id,note,code\nB1,\"fine\nstill\",\"open\nB2,x\n"), (Lines{"2 reject [B1]: unterminated quoted field opened at line 3"}));
  // The quote's reason wins over the limit it runs into.
  ReaderOptions small;
  small.max_record_bytes = 10;
  EXPECT_EQ(Read("id,note\nB1,\"abcdefghijklmnopqrstuvwxyz\n", Small(), small), (Lines{"2 reject [B1]: unterminated quoted field opened at line 2"}));
}

TEST(CsvReader, StrayQuotesAreRejectedAndReadingGoesOn) {
  EXPECT_EQ(Read("id,note\nB1,ab\"c\nB2,x\n"), (Lines{"2 reject [B1]: column 2: quote inside an unquoted field", "3: id=B2 note=x"}));
  EXPECT_EQ(Read("id,note\nB1,\"ab\"c\nB2,x\n"), (Lines{"2 reject [B1]: column 2: text after a closing quote", "3: id=B2 note=x"}));
  EXPECT_EQ(Read("id,note\nB1,\"ab\" ,x\nB2,x\n"), (Lines{"2 reject [B1]: column 2: text after a closing quote", "3: id=B2 note=x"}));
  // A field with a problem is not trusted as the record id.
  EXPECT_EQ(Read("id,note\nB\"1,x\n\"B2\"x,y\n"),
            (Lines{"2 reject: column 1: quote inside an unquoted field",
                   "3 reject: column 1: text after a closing quote"}));
  // In a column the schema ignores, too: the row's structure is broken.
  EXPECT_EQ(Read("id,other\nB1,a\"b\nB2,x\n"), (Lines{"2 reject [B1]: column 2: quote inside an unquoted field", "3: id=B2"}));
}

TEST(CsvReader, FieldLongerThanTheLimit) {
  ReaderOptions options;
  options.max_field_bytes = 10;
  EXPECT_EQ(Read("id,note\nB1,0123456789A\nB2,0123456789\nB3,\"0123456789\n\"\"\"\nB4,y\n",
                   Small(), options), (Lines{"2 reject [B1]: field note is longer than max_field_bytes (10)",
                          "3: id=B2 note=0123456789",
                          "4 reject [B3]: field note is longer than max_field_bytes (10)",
                          "6: id=B4 note=y"}));
  // A column outside the schema is never kept, so the field limit does not apply.
  EXPECT_EQ(Read("id,other\nB1," + std::string(100, 'z') + "\n", Small(), options), (Lines{"2: id=B1"}));
}

TEST(CsvReader, TheLimitCrossedFirstIsTheReason) {
  ReaderOptions options;
  options.max_field_bytes = 4;
  options.max_record_bytes = 7;
  // "B1," is 3 bytes: the 5th byte of the note crosses both limits at once,
  // and the record's reason wins the tie.
  EXPECT_EQ(Read("id,note\nB1,abcdefgh\nB2,a,b\nB3,ab\"cdefgh\n", Small(), options),
            (Lines{"2 reject [B1]: record is longer than max_record_bytes (7)",
                   "3 reject [B2]: row has 3 fields; the header has 2",
                   "4 reject [B3]: column 2: quote inside an unquoted field"}));
  // Here the field's limit is crossed first, even where the record's is
  // crossed later in the same run of bytes.
  EXPECT_EQ(Read("id,note\nB12345,x\nB,abcde\nB,abcdefgh\n", Small(), options),
            (Lines{"2 reject: field id is longer than max_field_bytes (4)",
                   "3 reject [B]: field note is longer than max_field_bytes (4)",
                   "4 reject [B]: field note is longer than max_field_bytes (4)"}));
  // The doubled quote counts toward the record (8 bytes) before "cdef" reaches
  // the field's limit.
  EXPECT_EQ(Read("id,note\nB1,\"ab\"\"cdef\"\n", Small(), options),
            (Lines{"2 reject [B1]: record is longer than max_record_bytes (7)"}));
  // A limit crossed before a structural problem is the reason, as is the
  // structural problem before a row's field count.
  EXPECT_EQ(Read("id,note\nB1,abc,\"x\"\n", Small(), options),
            (Lines{"2 reject [B1]: record is longer than max_record_bytes (7)"}));
}

TEST(CsvReader, RecordLongerThanTheLimit) {
  ReaderOptions options;
  options.max_record_bytes = 20;
  EXPECT_EQ(Read("id,note,other\nB1,x,123456789012345678\nB2,x,12345678901234\nB3,y,\"a\nb\"\n",
                   Small(), options), (Lines{"2 reject [B1]: record is longer than max_record_bytes (20)",
                          "3: id=B2 note=x", "4: id=B3 note=y"}));
}

TEST(CsvReader, HugeFieldIsScannedNotKept) {
  // 3 MiB against the default limit of 1 MiB, then the reader goes on.
  std::string text = "id,note\nB1,\"" + std::string(3 << 20, 'a') + "\n\"\nB2,ok\n";
  EXPECT_EQ(ReadWith(text, Small(), {}, SIZE_MAX), (Lines{"2 reject [B1]: field note is longer than max_field_bytes (1048576)",
                          "4: id=B2 note=ok"}));
  EXPECT_EQ(ReadWith(text, Small(), {}, 4096), (Lines{"2 reject [B1]: field note is longer than max_field_bytes (1048576)",
                          "4: id=B2 note=ok"}));
}

TEST(CsvReader, InvalidUtf8InASchemaField) {
  EXPECT_EQ(Read("id,note,other\nB1,ab\xff,x\nB2,\xc3\xa9t\xc3\xa9,\xff\xfe\nB3,\xed\xa0\x80,\n"), (Lines{"2 reject [B1]: field note: invalid UTF-8 at byte 3",
                          "3: id=B2 note=\xc3\xa9t\xc3\xa9",  // ignored column: anything goes
                          "4 reject [B3]: field note: invalid UTF-8 at byte 1"}));
  // A record id that is not UTF-8 is not repeated in the reject.
  EXPECT_EQ(Read("id\nB\xff\n"), (Lines{"2 reject: field id: invalid UTF-8 at byte 2"}));
}

TEST(CsvReader, ValuesThatDoNotNormalize) {
  EXPECT_EQ(Read("id,qty,day\nB1,\"1,000\",\nB2,1 000,\nB3,,2026-02-30\nB4,  7 ,2026-02-28\n"), (Lines{"2 reject [B1]: field qty: not a number: \"1,000\"",
                          "3 reject [B2]: field qty: not a number: \"1 000\"",
                          "4 reject [B3]: field day: not a date (YYYY-MM-DD): \"2026-02-30\"",
                          "5: id=B4 qty=7 day=2026-02-28"}));
  // Long values are cut at 40 bytes; quotes and line ends are escaped.
  EXPECT_EQ(Read("id,qty\nB1," + std::string(50, 'x') + "\nB2,\"a\"\"\nb\"\n"), (Lines{"2 reject [B1]: field qty: not a number: \"" + std::string(40, 'x') + "\"...",
                          "3 reject [B2]: field qty: not a number: \"a\\\"\\nb\""}));
}

TEST(CsvReader, MissingRecordId) {
  EXPECT_EQ(Read("id,code\n,x\n\"\",y\nB3,z\n"), (Lines{"2 reject: missing id", "3 reject: missing id", "4: id=B3 code=Z"}));
}

TEST(CsvReader, DuplicateRecordIdsAreBothRecords) {
  EXPECT_EQ(Read("id,code\nB1,x\nB1,y\n"), (Lines{"2: id=B1 code=X", "3: id=B1 code=Y"}));
}

TEST(CsvReader, HeaderMatching) {
  // Names are trimmed and matched exactly; unknown and derived columns are ignored.
  EXPECT_EQ(Read(" id ,\" code\",Code,extra,,note\nB1,x,y,z,w,n\n"), (Lines{"2: id=B1 code=X note=n"}));
  EXPECT_EQ(Read("record_id,declared_value_usd,gross_weight_kg,value_per_kg\nB1,100,20,999\n",
                   Schema::Manifest()), (Lines{"2: record_id=B1 gross_weight_kg=20 declared_value_usd=100 value_per_kg=5"}));
}

TEST(CsvReader, HeaderErrors) {
  EXPECT_EQ(Read("code,note\nB1,x\n"), (Lines{"error: in.csv:1: the header has no 'id' column"}));
  EXPECT_EQ(Read("id,code,note,code\nB1,x,y,z\n"), (Lines{"error: in.csv:1: the header names field 'code' twice"}));
  EXPECT_EQ(Read("id,\"code\n"), (Lines{"error: in.csv:1: bad header: unterminated quoted field "
                                                "opened at line 1"}));
  EXPECT_EQ(Read("id,co\"de\nB1,x\n"), (Lines{"error: in.csv:1: bad header: column 2: quote inside an unquoted field"}));
  // The header is the first line that is not empty.
  EXPECT_EQ(Read("\n\ncode\n"), (Lines{"error: in.csv:3: the header has no 'id' column"}));
  auto reader = RecordReader::FromString("code\n", "in.csv", InputFormat::kCsv, Small());
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
}

TEST(CsvReader, EmptyInputHasNoRecords) {
  EXPECT_EQ(Read(""), Lines{});
  EXPECT_EQ(Read("\xEF\xBB\xBF"), Lines{});
  EXPECT_EQ(Read("\n\r\n\n"), Lines{});
  EXPECT_EQ(Read("id,code\n"), Lines{});
  EXPECT_EQ(Read("id,code"), Lines{});
}

TEST(CsvReader, ListFieldsSplitOnTheSchemaSeparator) {
  EXPECT_EQ(Read("record_id,routing\nB1,CN; hk ;;VN\nB2,;\n", Schema::Manifest()), (Lines{"2: record_id=B1 routing=CN|HK|VN", "3: record_id=B2"}));
}

TEST(CsvReader, ManifestDerivedFields) {
  EXPECT_EQ(Read("record_id,quantity,gross_weight_kg,declared_value_usd,hts_code,consignee_name\n"
                   "B1,4,20,100,4202.21.6000,\"Acme Trading Co., Ltd.\"\n"
                   "B2,0,,100,,\n",
                   Schema::Manifest()), (Lines{"2: record_id=B1 consignee_name=ACME TRADING hts_code=4202216000 quantity=4 "
                          "gross_weight_kg=20 declared_value_usd=100 value_per_kg=5 value_per_unit=25",
                          "3: record_id=B2 quantity=0 declared_value_usd=100"}));
}

TEST(CsvReader, RecordIsClearedBeforeEachRead) {
  auto reader = RecordReader::FromString("id,code\nB1,x\nB2,\n", "in.csv", InputFormat::kCsv, Small());
  ASSERT_TRUE(reader.ok());
  Record record(Small());
  Reject reject;
  ASSERT_EQ(reader.value()->Read(&record, &reject), RecordReader::Next::kRecord);
  ASSERT_EQ(reader.value()->Read(&record, &reject), RecordReader::Next::kRecord);
  EXPECT_EQ(Describe(record), "3: id=B2");
  EXPECT_EQ(reader.value()->Read(&record, &reject), RecordReader::Next::kEnd);
  EXPECT_EQ(reader.value()->Read(&record, &reject), RecordReader::Next::kEnd);
}

}  // namespace
}  // namespace targeting
