// What the two readers share: format names, opening files, the same records
// from CSV and JSON Lines, the read = records + rejects accounting, chunk
// boundaries, robustness on random input, and no allocation once warm.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "io/byte_source.h"
#include "io/readers.h"
#include "targeting/io.h"
#include "targeting/record.h"

// Counts allocations while g_count_allocations is set, to check that reading
// does not allocate per record once warm. Sanitizers bring their own operator
// new, so the check is left to plain builds.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TARGETING_COUNT_ALLOCATIONS 0
#else
#define TARGETING_COUNT_ALLOCATIONS 1
namespace {
bool g_count_allocations = false;
long g_allocations = 0;
}  // namespace
// GCC cannot see that these replace the global pair and warns on free().
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (g_count_allocations) ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
#endif

namespace targeting {
namespace {

using Next = RecordReader::Next;

// Every field of a record, numbers included, and its line.
std::string Dump(const Record& r, bool with_line = true) {
  std::string s = with_line ? std::to_string(r.line()) + ":" : std::string();
  for (int f = 0; f < r.schema().size(); ++f) {
    for (int i = 0; i < r.count(f); ++i) {
      s += " " + r.schema().field(f).name + "=" + std::string(r.str(f, i));
      if (IsNumeric(r.schema().field(f).type)) s += "#" + std::to_string(r.num(f, i));
    }
  }
  return s;
}

struct Counts {
  std::vector<std::string> records;  // Dump() of each
  std::vector<Reject> rejects;
  std::vector<std::uint64_t> lines;  // of records and rejects, in order
  Status status;
};

Counts FormatsDrain(RecordReader& reader, const Schema& schema, bool with_line = true) {
  Counts c;
  Record record(schema);
  Reject reject;
  for (;;) {
    Next next = reader.Read(&record, &reject);
    if (next == Next::kEnd) break;
    if (next == Next::kRecord) {
      c.records.push_back(Dump(record, with_line));
      c.lines.push_back(record.line());
    } else {
      c.rejects.push_back(reject);
      c.lines.push_back(reject.line);
    }
  }
  c.status = reader.status();
  return c;
}

Counts ReadString(const std::string& text, InputFormat format, const Schema& schema,
                  ReaderOptions options = {}, std::size_t chunk_bytes = SIZE_MAX) {
  auto source = internal::ByteSource::FromString(text, chunk_bytes);
  auto reader = format == InputFormat::kCsv
                    ? internal::NewCsvReader(std::move(source), "in", schema, options)
                    : internal::NewJsonlReader(std::move(source), "in", schema, options);
  if (!reader.ok()) {
    Counts c;
    c.status = reader.status();
    return c;
  }
  return FormatsDrain(*reader.value(), schema);
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/targeting_io_" + std::to_string(::getpid()) + "_" + name;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(InputFormat, FromPath) {
  EXPECT_EQ(InputFormatFromPath("a/b.csv"), InputFormat::kCsv);
  EXPECT_EQ(InputFormatFromPath("B.CSV"), InputFormat::kCsv);
  EXPECT_EQ(InputFormatFromPath("x.jsonl"), InputFormat::kJsonl);
  EXPECT_EQ(InputFormatFromPath("x.ndjson"), InputFormat::kJsonl);
  EXPECT_EQ(InputFormatFromPath("x.json"), std::nullopt);
  EXPECT_EQ(InputFormatFromPath("x.csv.gz"), std::nullopt);
  EXPECT_EQ(InputFormatFromPath("csv"), std::nullopt);
  EXPECT_EQ(InputFormatFromPath("-"), std::nullopt);
  EXPECT_EQ(InputFormatFromPath(""), std::nullopt);
}

TEST(InputFormat, FromName) {
  EXPECT_EQ(InputFormatFromName("csv"), InputFormat::kCsv);
  EXPECT_EQ(InputFormatFromName("jsonl"), InputFormat::kJsonl);
  EXPECT_EQ(InputFormatFromName("ndjson"), InputFormat::kJsonl);
  EXPECT_EQ(InputFormatFromName("CSV"), std::nullopt);
  EXPECT_EQ(InputFormatFromName("json"), std::nullopt);
  EXPECT_EQ(InputFormatFromName(""), std::nullopt);
}

TEST(RecordReaderOpen, MissingFileAndDirectory) {
  auto missing = RecordReader::Open(TempPath("does-not-exist.csv"), InputFormat::kCsv,
                                    Schema::Manifest());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("does-not-exist.csv"), std::string::npos);
  auto dir = RecordReader::Open(TARGETING_SOURCE_DIR, InputFormat::kJsonl, Schema::Manifest());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kIoError);
}

TEST(RecordReaderOpen, BadHeaderFailsTheOpen) {
  const std::string path = TempPath("bad-header.csv");
  WriteFile(path, "mode,port_of_entry\nSEA,2704\n");
  auto reader = RecordReader::Open(path, InputFormat::kCsv, Schema::Manifest());
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.status().message(), path + ":1: the header has no 'record_id' column");
  std::remove(path.c_str());
}

// Records of every shape, written so that one of them straddles each of the
// first chunk boundaries of a file read 1 MiB at a time.
std::string BigCsv(std::size_t pad) {
  std::string text = "record_id,description,quantity,routing\r\n";
  text += "P0," + std::string(pad, 'p') + ",1,CN\r\n";
  int i = 0;
  while (text.size() < 3 * internal::ByteSource::kChunkBytes) {
    const std::string id = "R" + std::to_string(++i);
    switch (i % 5) {
      case 0: text += id + ",\"quoted, \"\"with\"\"\r\nnewline\",2,CN;HK\r\n"; break;
      case 1: text += id + ",plain,3,VN\r"; break;
      case 2: text += id + ",\"x\"\n"; break;  // ragged
      case 3: text += "\r\n\r\n" + id + ",,,\n"; break;
      default: text += id + ",\"" + std::string(static_cast<std::size_t>(i % 97), 'z') + "\",4e2,\n";
    }
  }
  return text;
}

TEST(RecordReaderOpen, FileReadInChunksMatchesTheWholeText) {
  const std::string path = TempPath("chunks.csv");
  for (std::size_t pad : {0, 1, 2, 3, 5, 8, 13}) {
    const std::string text = BigCsv(pad);
    WriteFile(path, text);
    auto reader = RecordReader::Open(path, InputFormat::kCsv, Schema::Manifest());
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    Counts from_file = FormatsDrain(*reader.value(), Schema::Manifest());
    Counts whole = ReadString(text, InputFormat::kCsv, Schema::Manifest());
    ASSERT_TRUE(from_file.status.ok());
    EXPECT_EQ(from_file.records, whole.records) << "pad " << pad;
    EXPECT_EQ(from_file.lines, whole.lines) << "pad " << pad;
    EXPECT_GT(whole.records.size(), 50000u);
    EXPECT_GT(whole.rejects.size(), 10000u);
  }
  std::remove(path.c_str());
}

// A pipe hands the reader whatever has arrived, here a few bytes at a time
// (the byte order mark split too): the records must be the same as from the
// whole text.
TEST(RecordReaderOpen, PipeFedInDribs) {
  for (InputFormat format : {InputFormat::kCsv, InputFormat::kJsonl}) {
    std::string text = "\xEF\xBB\xBF";
    if (format == InputFormat::kCsv) {
      text += "record_id,routing,description\r\n";
      for (int i = 0; i < 300; ++i) {
        text += "P" + std::to_string(i) + ",CN;HK,\"two\r\nlines, \"\"quoted\"\"\"\r" + (i % 7 ? "\n" : "");
      }
    } else {
      for (int i = 0; i < 300; ++i) {
        text += "{\"record_id\":\"P" + std::to_string(i) + "\",\"routing\":[\"CN\",\"HK\"]}\r" +
                (i % 7 ? "\n" : "");
      }
    }
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::thread writer([&] {
      std::mt19937 rng(7);
      for (std::size_t at = 0; at < text.size();) {
        const std::size_t n = std::min<std::size_t>(1 + rng() % 9, text.size() - at);
        if (::write(fds[1], text.data() + at, n) < 0) break;
        at += n;
        if (rng() % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      ::close(fds[1]);
    });
    auto reader = RecordReader::Open("/dev/fd/" + std::to_string(fds[0]), format, Schema::Manifest());
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    Counts piped = FormatsDrain(*reader.value(), Schema::Manifest());
    writer.join();
    ::close(fds[0]);
    Counts whole = ReadString(text, format, Schema::Manifest());
    EXPECT_TRUE(piped.status.ok());
    EXPECT_EQ(piped.records.size(), 300u);
    EXPECT_EQ(piped.records, whole.records);
    EXPECT_EQ(piped.lines, whole.lines);
  }
}

TEST(RecordReaderFromFile, ReadsAStreamItDoesNotClose) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::fputs("\xEF\xBB\xBF{\"record_id\":\"B1\"}\n{\"record_id\":\"B2\"}", f);
  std::rewind(f);
  {
    auto reader = RecordReader::FromFile(f, "stream", InputFormat::kJsonl, Schema::Manifest());
    ASSERT_TRUE(reader.ok());
    Counts c = FormatsDrain(*reader.value(), Schema::Manifest());
    EXPECT_EQ(c.records, (std::vector<std::string>{"1: record_id=B1", "2: record_id=B2"}));
    EXPECT_EQ(reader.value()->name(), "stream");
  }
  EXPECT_EQ(std::fseek(f, 0, SEEK_SET), 0);  // still open
  std::fclose(f);
}

TEST(RecordReaderFromFile, ReadErrorIsAStatusNotARecord) {
  // A write-only stream cannot be read.
  const std::string path = TempPath("write-only.csv");
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  auto reader = RecordReader::FromFile(f, "wo", InputFormat::kJsonl, Schema::Manifest());
  ASSERT_TRUE(reader.ok());
  Counts c = FormatsDrain(*reader.value(), Schema::Manifest());
  EXPECT_TRUE(c.records.empty());
  EXPECT_TRUE(c.rejects.empty());
  EXPECT_EQ(c.status.code(), StatusCode::kIoError);
  EXPECT_EQ(c.status.message().rfind("wo: read error", 0), 0u) << c.status.message();
  std::fclose(f);
  std::remove(path.c_str());
}

TEST(Formats, CsvAndJsonlGiveTheSameRecords) {
  const std::string csv =
      "record_id,arrival_date,mode,port_of_entry,routing,shipper_name,consignee_address,hts_code,"
      "description,quantity,gross_weight_kg,declared_value_usd,ignored\n"
      "B1,2026-03-01,sea,2704,CN;HK,\"Acme Trading Co., Ltd.\",\"1 Main St\nApt 2\",4202.21.6000,"
      "\"GUCCI \"\"bags\"\"\",10,20.5,1e3,x\n"
      "B2,,AIR,,,,,,,,,,\n"
      "B3, 2026-12-31 ,express,4601,VN,o'neil gmbh,,6403.99,\xc3\xa9t\xc3\xa9,-1.5,0,7,\n";
  const std::string jsonl =
      R"({"record_id":"B1","arrival_date":"2026-03-01","mode":"sea","port_of_entry":2704,)"
      R"("routing":["CN","HK"],"shipper_name":"Acme Trading Co., Ltd.","consignee_address":"1 Main St\nApt 2",)"
      R"("hts_code":"4202.21.6000","description":"GUCCI \"bags\"","quantity":10,"gross_weight_kg":20.5,)"
      R"("declared_value_usd":1e3,"ignored":{"x":1}})"
      "\n"
      R"({"record_id":"B2","mode":"AIR","routing":null,"quantity":null})"
      "\n"
      R"({"record_id":"B3","arrival_date":" 2026-12-31 ","mode":"express","port_of_entry":"4601",)"
      R"("routing":"VN","shipper_name":"o'neil gmbh","hts_code":"6403.99","description":"\u00e9t\u00e9",)"
      R"("quantity":-1.5,"gross_weight_kg":0,"declared_value_usd":"7"})"
      "\n";
  const Schema& schema = Schema::Manifest();
  auto csv_reader = RecordReader::FromString(csv, "m.csv", InputFormat::kCsv, schema);
  auto jsonl_reader = RecordReader::FromString(jsonl, "m.jsonl", InputFormat::kJsonl, schema);
  ASSERT_TRUE(csv_reader.ok());
  ASSERT_TRUE(jsonl_reader.ok());
  Counts a = FormatsDrain(*csv_reader.value(), schema, /*with_line=*/false);
  Counts b = FormatsDrain(*jsonl_reader.value(), schema, /*with_line=*/false);
  EXPECT_TRUE(a.rejects.empty());
  EXPECT_TRUE(b.rejects.empty());
  ASSERT_EQ(a.records.size(), 3u);
  EXPECT_EQ(a.records, b.records);
  EXPECT_EQ(a.records[0],
            " record_id=B1 arrival_date=2026-03-01#20513.000000 mode=SEA port_of_entry=2704 "
            "routing=CN routing=HK shipper_name=ACME TRADING consignee_address=1 MAIN ST APT 2 "
            "hts_code=4202216000 description=GUCCI \"bags\" quantity=10#10.000000 "
            "gross_weight_kg=20.5#20.500000 declared_value_usd=1e3#1000.000000 "
            "value_per_kg=48.78048780487805#48.780488 value_per_unit=100#100.000000");
}

// A malformed corpus and how many records it holds (data rows or non-blank lines).
struct Corpus {
  const char* name;
  InputFormat format;
  std::string text;
  std::size_t records;
};

std::vector<Corpus> MalformedCorpora() {
  const InputFormat csv = InputFormat::kCsv, jsonl = InputFormat::kJsonl;
  return {
      {"ragged", csv, "record_id,mode\nB1\nB2,SEA,x\nB3,AIR\n,\n", 4},
      {"quotes", csv, "record_id,mode\n\"B1\"x,SEA\nB2,S\"EA\nB3,\"SEA\"\n\"B4,AIR\n", 4},
      {"unterminated last", csv, "record_id,mode\nB1,SEA\nB2,\"AIR\n\nB3\n", 2},
      {"bad values", csv,
       "record_id,quantity,arrival_date,description\nB1,1,000,2026-01-01,x\nB2,1.2.3,,\n"
       "B3,,2026-02-29,\nB4,,,\xff\n,,,\n",
       5},
      {"line ends", csv, "record_id\r\nB1\r\n\r\nB2\rB3\n\"B4\r\n\"\r\nB5,x\r\n", 5},
      {"limits", csv,
       "record_id,description\nB1," + std::string(300, 'd') + "\nB2,\"" + std::string(300, 'e') +
           "\"\nB3,x\n",
       3},
      {"json mix", jsonl,
       "{\"record_id\":\"B1\"\n[]\n\n{\"record_id\":\"B2\",\"routing\":[[1]]}\n  \n"
       "{\"record_id\":\"B3\"}garbage\n{\"record_id\":{}}\n{\"quantity\":\"x\"}\n\xff\n"
       "{\"record_id\":\"" + std::string(300, 'f') + "\"}\n{\"record_id\":\"ok\"}",
       9},
      {"json deep", jsonl,
       std::string(5000, '[') + "\n{\"a\":" + std::string(5000, '{') + "\n" +
           "{\"record_id\":\"B1\",\"x\":" + std::string(2000, '[') + std::string(2000, ']') + "}\n",
       3},
  };
}

TEST(Formats, EveryRecordIsARecordOrAReject) {
  ReaderOptions options;
  options.max_field_bytes = 200;
  options.max_record_bytes = 250;
  for (const Corpus& corpus : MalformedCorpora()) {
    for (std::size_t chunk : {SIZE_MAX, std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
      Counts c = ReadString(corpus.text, corpus.format, Schema::Manifest(), options, chunk);
      ASSERT_TRUE(c.status.ok()) << corpus.name << ": " << c.status.message();
      EXPECT_EQ(c.records.size() + c.rejects.size(), corpus.records) << corpus.name;
      EXPECT_FALSE(c.rejects.empty()) << corpus.name;
      for (const Reject& r : c.rejects) {
        EXPECT_GT(r.line, 0u) << corpus.name;
        EXPECT_FALSE(r.reason.empty()) << corpus.name;
        EXPECT_EQ(r.source, "in");
      }
      for (std::size_t i = 1; i < c.lines.size(); ++i) {
        EXPECT_LT(c.lines[i - 1], c.lines[i]) << corpus.name;
      }
    }
  }
}

// Random bytes drawn mostly from the characters that matter to each format:
// the reader must end, agree with itself read in small chunks, and account
// for everything it reads.
TEST(Formats, RandomInputIsReadConsistently) {
  std::mt19937 rng(20260101);
  const std::string csv_alphabet = "ab,,,\"\"\"\r\n\n \xff\xc3\xa9;1.";
  const std::string json_alphabet = "{}[]\":,,\"\"\n\n\r ab1-e.\\u\xff" "tnl";
  const Schema& schema = Schema::Manifest();
  for (int round = 0; round < 1000; ++round) {
    // Small random limits, so that they are crossed often and together
    // (but the CSV header still fits).
    ReaderOptions options;
    options.max_field_bytes = 12 + rng() % 30;
    options.max_record_bytes = 45 + rng() % 100;
    const bool is_csv = round % 2 == 0;
    const std::string& alphabet = is_csv ? csv_alphabet : json_alphabet;
    std::string text = is_csv ? "record_id,description,quantity,routing,other\n"
                              : "{\"record_id\":\"a\",\"routing\":[\"x\"],\"quantity\":1}\n";
    std::uniform_int_distribution<std::size_t> len(0, 400), pick(0, alphabet.size() - 1);
    for (std::size_t i = len(rng); i > 0; --i) {
      if (!is_csv && rng() % 8 == 0) text += "{\"record_id\":";
      text += alphabet[pick(rng)];
    }
    const InputFormat format = is_csv ? InputFormat::kCsv : InputFormat::kJsonl;
    Counts whole = ReadString(text, format, schema, options);
    Counts bytes = ReadString(text, format, schema, options, 1 + rng() % 8);
    ASSERT_TRUE(whole.status.ok()) << whole.status.message();
    EXPECT_EQ(whole.records, bytes.records) << round;
    EXPECT_EQ(whole.lines, bytes.lines) << round;
    ASSERT_EQ(whole.rejects.size(), bytes.rejects.size()) << round;
    for (std::size_t i = 0; i < whole.rejects.size(); ++i) {
      EXPECT_EQ(whole.rejects[i].reason, bytes.rejects[i].reason) << round;
      EXPECT_EQ(whole.rejects[i].record_id, bytes.rejects[i].record_id) << round;
      EXPECT_GT(whole.rejects[i].line, 0u);
      EXPECT_FALSE(whole.rejects[i].reason.empty());
    }
    for (std::size_t i = 1; i < whole.lines.size(); ++i) EXPECT_LT(whole.lines[i - 1], whole.lines[i]);
  }
}

// A measurement, not a check: with TARGETING_IO_BENCH=FILE (.csv or .jsonl)
// it reads FILE with the manifest schema and prints records per second and
// how much the peak resident memory grew.
TEST(Formats, Throughput) {
  const char* path = std::getenv("TARGETING_IO_BENCH");
  if (path == nullptr) GTEST_SKIP() << "set TARGETING_IO_BENCH=FILE to measure";
  auto format = InputFormatFromPath(path);
  ASSERT_TRUE(format.has_value()) << path;
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  const long rss_before = usage.ru_maxrss;
  const auto start = std::chrono::steady_clock::now();
  auto reader = RecordReader::Open(path, *format, Schema::Manifest());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  Record record(Schema::Manifest());
  Reject reject;
  std::uint64_t records = 0, rejects = 0;
  for (;;) {
    Next next = reader.value()->Read(&record, &reject);
    if (next == Next::kEnd) break;
    ++(next == Next::kRecord ? records : rejects);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::getrusage(RUSAGE_SELF, &usage);
  ASSERT_TRUE(reader.value()->status().ok()) << reader.value()->status().message();
  std::printf("%s: %llu records, %llu rejects in %.3f s: %.0f records/s; peak RSS grew %ld KiB\n",
              path, static_cast<unsigned long long>(records),
              static_cast<unsigned long long>(rejects), seconds,
              static_cast<double>(records + rejects) / seconds, usage.ru_maxrss - rss_before);
}

#if TARGETING_COUNT_ALLOCATIONS
long AllocationsWhileReading(InputFormat format, const std::string& text) {
  const Schema& schema = Schema::Manifest();
  auto reader = RecordReader::FromString(text, "in", format, schema);
  EXPECT_TRUE(reader.ok());
  Record record(schema);
  Reject reject;
  for (int i = 0; i < 100; ++i) EXPECT_NE(reader.value()->Read(&record, &reject), Next::kEnd);
  g_allocations = 0;
  g_count_allocations = true;
  int read = 0;
  while (reader.value()->Read(&record, &reject) == Next::kRecord) ++read;
  g_count_allocations = false;
  EXPECT_EQ(read, 9900);
  return g_allocations;
}

TEST(Formats, NoAllocationPerRecordOnceWarm) {
  std::string csv = "record_id,arrival_date,mode,routing,shipper_name,description,quantity,"
                    "gross_weight_kg,declared_value_usd\n";
  std::string jsonl;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = "B" + std::to_string(i);
    csv += id + ",2026-01-0" + std::to_string(i % 9 + 1) + ",SEA,CN;HK;VN,\"Acme Co, Ltd\"," +
           std::string(static_cast<std::size_t>(i % 13), 'd') + "," + std::to_string(i) + ",20,100\n";
    jsonl += "{\"record_id\":\"" + id + "\",\"arrival_date\":\"2026-01-0" + std::to_string(i % 9 + 1) +
             "\",\"mode\":\"SEA\",\"routing\":[\"CN\",\"HK\"],\"shipper_name\":\"Acme Co, Ltd\","
             "\"description\":\"" + std::string(static_cast<std::size_t>(i % 13), 'd') +
             "\",\"quantity\":" + std::to_string(i) + ",\"x\":{\"y\":[1]},\"gross_weight_kg\":20}\n";
  }
  EXPECT_EQ(AllocationsWhileReading(InputFormat::kCsv, csv), 0);
  EXPECT_EQ(AllocationsWhileReading(InputFormat::kJsonl, jsonl), 0);
}
#endif

}  // namespace
}  // namespace targeting
