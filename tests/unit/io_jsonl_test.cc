// The JSON Lines reader, with expected values written from SPEC sections 2
// and 7 and docs/input-formats.md. Every case is read twice, as one chunk and
// a few bytes at a time, and the two readings must agree.
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

using testing::Drain;
using testing::Lines;
using testing::Small;

Lines JsonlReadWith(std::string text, const Schema& schema, ReaderOptions options,
               std::size_t chunk_bytes) {
  auto opened = internal::NewJsonlReader(internal::ByteSource::FromString(text, chunk_bytes),
                                         "in.jsonl", schema, options);
  if (!opened.ok()) return {"error: " + opened.status().message()};
  return Drain(*opened.value(), schema, "in.jsonl");
}

// As ReadWith, by a reader that first read `before` (to its end, whatever
// that was) and was then restarted on `text` (RestartJsonlReader, serve's
// reader of request bodies).
Lines ReadRestarted(const std::string& before, std::string text, const Schema& schema,
                    ReaderOptions options, std::size_t chunk_bytes) {
  auto opened = internal::NewJsonlReader(internal::ByteSource::FromString(before, 3), "in.jsonl", schema,
                                         options);
  if (!opened.ok()) return {"error: " + opened.status().message()};
  RecordReader& reader = *opened.value();
  Record record(schema);
  Reject reject;
  while (reader.Read(&record, &reject) != RecordReader::Next::kEnd) {
  }
  auto source = internal::ByteSource::FromString(std::move(text), chunk_bytes);
  EXPECT_TRUE(internal::RestartJsonlReader(&reader, &source));
  return Drain(reader, schema, "in.jsonl");
}

Lines JsonlRead(const std::string& text, const Schema& schema = Small(), ReaderOptions options = {}) {
  Lines whole = JsonlReadWith(text, schema, options, SIZE_MAX);
  EXPECT_EQ(JsonlReadWith(text, schema, options, 1), whole) << "read one byte at a time";
  EXPECT_EQ(JsonlReadWith(text, schema, options, 5), whole) << "read 5 bytes at a time";
  // Left mid-object, after malformed JSON, with a CR ending a chunk, and
  // with a last line that has no line end: the restart forgets all of it.
  const std::string before = "{\"id\":\"P0\",\"qty\":\"7\"}\r\n{\"id\":\"P1\",\"code\":\r\n{bad\n{\"id\":\"P2\"}\r";
  EXPECT_EQ(ReadRestarted(before, text, schema, options, SIZE_MAX), whole) << "restarted";
  EXPECT_EQ(ReadRestarted(before, text, schema, options, 5), whole) << "restarted, 5 bytes at a time";
  return whole;
}

// The reason of the only reject in `lines`, for checks on simdjson's wording
// that only pin its prefix.
std::string OnlyReason(const Lines& lines) {
  EXPECT_EQ(lines.size(), 1u);
  if (lines.empty()) return "";
  std::size_t colon = lines[0].find(": ");
  return colon == std::string::npos ? lines[0] : lines[0].substr(colon + 2);
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(JsonlReader, PlainObjects) {
  EXPECT_EQ(JsonlRead(R"({"id":"B1","code":"cn-sha","qty":"12","tags":["cn","hk"],"note":"Hi","day":"2026-01-05"})"
                 "\n"
                 R"({"id":"B2"})"
                 "\n"),
            (Lines{"1: id=B1 code=CNSHA qty=12 tags=CN|HK note=Hi day=2026-01-05", "2: id=B2"}));
}

TEST(JsonlReader, NullIsMissing) {
  EXPECT_EQ(JsonlRead(R"({"id":"B1","code":null,"qty":null,"tags":null,"note":null})" "\n"),
            (Lines{"1: id=B1"}));
}

TEST(JsonlReader, NumbersAndBooleansAreTheirJsonText) {
  EXPECT_EQ(JsonlRead(R"({"id":"B1","qty":1.50,"code":12,"note":true})" "\n"
                 R"({"id":7,"qty":-2.5E-3,"note":false})" "\n"
                 R"({"id":"B3","qty":1e400})" "\n"),
            (Lines{"1: id=B1 code=12 qty=1.50 note=true", "2: id=7 qty=-2.5E-3 note=false",
                   "3 reject [B3]: field qty: not a number: \"1e400\""}));
}

TEST(JsonlReader, StringsAreUnescaped) {
  EXPECT_EQ(JsonlRead(R"({"id":"B\u0031","note":"a\"b\\c\u00e9\n"})" "\n"),
            (Lines{"1: id=B1 note=a\"b\\c\xc3\xa9\n"}));
}

TEST(JsonlReader, ListFields) {
  EXPECT_EQ(JsonlRead(R"({"id":"B1","tags":["cn",null,"hk",""," "]})" "\n"
                 R"({"id":"B2","tags":"cn;hk"})" "\n"  // a bare scalar is one element: no split
                 R"({"id":"B3","tags":[]})" "\n"
                 R"({"id":"B4","tags":[12,true]})" "\n"
                 R"({"id":"B5","tags":[null]})" "\n"),
            (Lines{"1: id=B1 tags=CN|HK", "2: id=B2 tags=CNHK", "3: id=B3", "4: id=B4 tags=12|TRUE",
                   "5: id=B5"}));
  EXPECT_EQ(JsonlRead(R"({"record_id":"B1","routing":["CN","HK"]})" "\n"
                 R"({"record_id":"B2","routing":"CN;HK"})" "\n",
                 Schema::Manifest()),
            (Lines{"1: record_id=B1 routing=CN|HK", "2: record_id=B2 routing=CNHK"}));
}

TEST(JsonlReader, ObjectsAndMisplacedArraysReject) {
  EXPECT_EQ(JsonlRead(R"({"id":"B1","note":{"a":1}})" "\n"
                 R"({"id":"B2","note":["a"]})" "\n"
                 R"({"id":"B3","tags":["a",["b"]]})" "\n"
                 R"({"id":"B4","tags":[{"a":1}]})" "\n"
                 R"({"id":"B5","tags":{}})" "\n"
                 R"({"id":["B6"]})" "\n"),
            (Lines{"1 reject [B1]: field note: an object is not a value",
                   "2 reject [B2]: field note: an array in a field that is not a list",
                   "3 reject [B3]: field tags: a list element is an array or object",
                   "4 reject [B4]: field tags: a list element is an array or object",
                   "5 reject [B5]: field tags: an object is not a value",
                   "6 reject: field id: an array in a field that is not a list"}));
}

TEST(JsonlReader, RecordIdAfterABadValueIsStillReported) {
  EXPECT_EQ(JsonlRead(R"({"note":{"a":[1,2]},"code":"x","id":"B7"})" "\n"
                 R"({"tags":["a",["b"],"c"],"qty":"1,000","id":"B8","x":1})" "\n"
                 R"({"qty":"abc","id":"B9"})" "\n"),
            (Lines{"1 reject [B7]: field note: an object is not a value",
                   "2 reject [B8]: field tags: a list element is an array or object",
                   "3 reject [B9]: field qty: not a number: \"abc\""}));
}

TEST(JsonlReader, KeysOutsideTheSchemaAreIgnoredWhateverTheyHold) {
  EXPECT_EQ(JsonlRead(R"({"id":"B1","extra":{"deep":[1,{"x":null}],"s":"\u00e9"},"more":[[]],"n":-0.5e+3,"b":false,"z":null})"
                 "\n"),
            (Lines{"1: id=B1"}));
  // Derived fields are never read from input.
  EXPECT_EQ(JsonlRead(R"({"record_id":"B1","declared_value_usd":100,"gross_weight_kg":20,"value_per_kg":{"x":1}})"
                 "\n",
                 Schema::Manifest()),
            (Lines{"1: record_id=B1 gross_weight_kg=20 declared_value_usd=100 value_per_kg=5"}));
}

TEST(JsonlReader, KeysAreComparedUnescaped) {
  EXPECT_EQ(JsonlRead(R"({"\u0069d":"B1","co\u0064e":"x","Code":"y"})" "\n"), (Lines{"1: id=B1 code=X"}));
}

TEST(JsonlReader, KeysInAnyOrderFromLineToLine) {
  // The reader tries the field the same position named in the last object
  // first; a key in another place, another field, an escaped name, a name
  // outside the schema or a repeated key must read as if looked up afresh.
  EXPECT_EQ(JsonlRead(R"({"id":"B1","code":"a","qty":1})" "\n"
                 R"({"id":"B2","code":"b","qty":2})" "\n"
                 R"({"qty":3,"id":"B3","code":"c"})" "\n"
                 R"({"id":"B4","cod":"x","qty":4,"code":"d"})" "\n"
                 R"({"\u0069d":"B5","code":"e","q\u0074y":5})" "\n"
                 R"({"id":"B6","id":"B7"})" "\n"
                 R"({"id":"B8","code":"f","qty":8,"note":"n","day":"2026-01-05","tags":["x"]})" "\n"
                 R"({"id":"B9"})" "\n"
                 R"({"id":"B10","code":"g","qty":10,"note":"m","day":"2026-01-06","tags":["y"]})" "\n"),
            (Lines{"1: id=B1 code=A qty=1", "2: id=B2 code=B qty=2", "3: id=B3 code=C qty=3",
                   "4: id=B4 code=D qty=4", "5: id=B5 code=E qty=5",
                   "6 reject [B6]: field id is given more than once",
                   "7: id=B8 code=F qty=8 tags=X note=n day=2026-01-05", "8: id=B9",
                   "9: id=B10 code=G qty=10 tags=Y note=m day=2026-01-06"}));
  // A derived field's name is not a key the reader takes, in any position.
  EXPECT_EQ(JsonlRead(R"({"record_id":"B1","gross_weight_kg":20,"declared_value_usd":100})" "\n"
                 R"({"record_id":"B2","value_per_kg":7,"declared_value_usd":100})" "\n",
                 Schema::Manifest()),
            (Lines{"1: record_id=B1 gross_weight_kg=20 declared_value_usd=100 value_per_kg=5",
                   "2: record_id=B2 declared_value_usd=100"}));
}

TEST(JsonlReader, ButTheyMustBeValidJson) {
  for (const char* line : {R"({"id":"B1","x":[1,,2]})", R"({"id":"B1","x":{"a" 1}})",
                           R"({"id":"B1","x":tru})", R"({"id":"B1","x":nul})",
                           R"({"id":"B1","x":12abc})", R"({"id":"B1","x":01})",
                           R"({"id":"B1","x":"\ud800"})", R"({"id":"B1","x":"\q"})"}) {
    Lines got = JsonlRead(std::string(line) + "\n");
    ASSERT_EQ(got.size(), 1u) << line;
    EXPECT_TRUE(StartsWith(got[0], "1 reject [B1]: invalid JSON: ")) << line << " -> " << got[0];
  }
}

TEST(JsonlReader, SchemaKeyGivenTwice) {
  EXPECT_EQ(JsonlRead(R"({"id":"B1","code":"a","code":"b"})" "\n"
                 R"({"id":"B2","code":"a","code":null})" "\n"
                 R"({"id":"B3","x":1,"x":2})" "\n"),
            (Lines{"1 reject [B1]: field code is given more than once",
                   "2 reject [B2]: field code is given more than once", "3: id=B3"}));
  EXPECT_EQ(JsonlRead(R"({"id":"B1","id":"B2"})" "\n"),
            (Lines{"1 reject [B1]: field id is given more than once"}));
}

TEST(JsonlReader, MalformedLines) {
  EXPECT_TRUE(StartsWith(OnlyReason(JsonlRead(R"({"id":"B1","code":)" "\n")), "invalid JSON: "));
  EXPECT_TRUE(StartsWith(OnlyReason(JsonlRead(R"({"id":"B1")" "\n")), "invalid JSON: "));
  EXPECT_TRUE(StartsWith(OnlyReason(JsonlRead(R"({"id":"B1",})" "\n")), "invalid JSON: "));
  EXPECT_TRUE(StartsWith(OnlyReason(JsonlRead(R"({id:"B1"})" "\n")), "invalid JSON: "));
  // A line end inside a string splits the object into two bad lines.
  Lines split = JsonlRead("{\"id\":\"B1\nB2\"}\n");
  ASSERT_EQ(split.size(), 2u);
  EXPECT_TRUE(StartsWith(split[0], "1 reject: invalid JSON: ")) << split[0];
  EXPECT_TRUE(StartsWith(split[1], "2 reject: invalid JSON: ")) << split[1];
  EXPECT_EQ(JsonlRead("[1]\n\"x\"\n5\nnull\n"),
            (Lines{"1 reject: not a JSON object", "2 reject: not a JSON object",
                   "3 reject: not a JSON object", "4 reject: not a JSON object"}));
}

TEST(JsonlReader, TrailingGarbage) {
  EXPECT_EQ(JsonlRead(R"({"id":"B1"}})" "\n" R"({"id":"B2"} {"id":"B3"})" "\n"),
            (Lines{"1 reject [B1]: invalid JSON: text after the object",
                   "2 reject [B2]: invalid JSON: text after the object"}));
  EXPECT_TRUE(StartsWith(OnlyReason(JsonlRead(R"({"id":"B1"} x)" "\n")), "invalid JSON: "));
  // Spaces after the object are fine.
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\"}  \t\n"), (Lines{"1: id=B1"}));
}

TEST(JsonlReader, DeepNesting) {
  EXPECT_EQ(JsonlRead(std::string(10000, '[') + "\n"), (Lines{"1 reject: not a JSON object"}));
  EXPECT_TRUE(StartsWith(OnlyReason(JsonlRead(std::string(10000, '{') + "\n")), "invalid JSON: "));
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"x\":" + deep + "}\n"),
            (Lines{"1 reject [B1]: invalid JSON: nested more than 1024 levels deep"}));
  EXPECT_EQ(JsonlRead("{\"x\":" + deep + ",\"id\":\"B1\"}\n"),
            (Lines{"1 reject: invalid JSON: nested more than 1024 levels deep"}));
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"note\":" + deep + "}\n"),
            (Lines{"1 reject [B1]: field note: an array in a field that is not a list"}));
  // 1023 arrays inside the root object make 1024 levels: the most there may be.
  // Scalars do not count as levels.
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"x\":" + std::string(1023, '[') + std::string(1023, ']') + "}\n"),
            (Lines{"1: id=B1"}));
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"x\":[" + std::string(1022, '{') + std::string(1022, '}') + "]}\n"),
            (Lines{"1 reject [B1]: invalid JSON: The JSON document has an improper structure: missing "
                   "or superfluous commas, braces, missing keys, etc."}));
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"x\":[" + [] {
              std::string s;
              for (int i = 0; i < 1022; ++i) s += "{\"a\":";
              s += "0";
              for (int i = 0; i < 1022; ++i) s += "}";
              return s;
            }() + "]}\n"),
            (Lines{"1: id=B1"}));
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"x\":" + std::string(1024, '[') + std::string(1024, ']') + "}\n"),
            (Lines{"1 reject [B1]: invalid JSON: nested more than 1024 levels deep"}));
}

TEST(JsonlReader, BlankLinesAreSkippedButCounted) {
  EXPECT_EQ(JsonlRead("\n  \n\t\n{\"id\":\"B1\"}\n\n{\"id\":\"B2\"}"), (Lines{"4: id=B1", "6: id=B2"}));
  EXPECT_EQ(JsonlRead(""), Lines{});
  EXPECT_EQ(JsonlRead("\n\n \n"), Lines{});
}

TEST(JsonlReader, LineEnds) {
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\"}\r\n{\"id\":\"B2\"}\r\n"), (Lines{"1: id=B1", "2: id=B2"}));
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\"}\r{\"id\":\"B2\"}\r\r\n{\"id\":\"B3\"}"),
            (Lines{"1: id=B1", "2: id=B2", "4: id=B3"}));
}

TEST(JsonlReader, ByteOrderMarkIsDropped) {
  EXPECT_EQ(JsonlRead("\xEF\xBB\xBF{\"id\":\"B1\"}\n"), (Lines{"1: id=B1"}));
}

TEST(JsonlReader, InvalidUtf8) {
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"note\":\"a\xff\"}\n{\"id\":\"B2\",\"x\":\"\xc0\xaf\"}\n"
                 "{\"id\":\"B3\"}\n"),
            (Lines{"1 reject: invalid JSON: The input is not valid UTF-8",
                   "2 reject: invalid JSON: The input is not valid UTF-8", "3: id=B3"}));
}

TEST(JsonlReader, Limits) {
  ReaderOptions options;
  options.max_record_bytes = 30;
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"note\":\"0123456789012345\"}\n{\"id\":\"B2\",\"note\":\"x\"}\n",
                 Small(), options),
            (Lines{"1 reject: line is longer than max_record_bytes (30)", "2: id=B2 note=x"}));
  options = {};
  options.max_field_bytes = 5;
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"note\":\"123456\"}\n{\"id\":\"B2\",\"note\":\"12345\"}\n"
                 "{\"id\":\"B3\",\"tags\":[\"abc\",\"def\"]}\n{\"id\":\"B4\",\"x\":\"1234567\"}\n",
                 Small(), options),
            (Lines{"1 reject [B1]: field note is longer than max_field_bytes (5)", "2: id=B2 note=12345",
                   "3 reject [B3]: field tags is longer than max_field_bytes (5)", "4: id=B4"}));
}

TEST(JsonlReader, MissingRecordId) {
  EXPECT_EQ(JsonlRead("{\"code\":\"x\"}\n{\"id\":\"\"}\n{\"id\":null}\n{}\n"),
            (Lines{"1 reject: missing id", "2 reject: missing id", "3 reject: missing id",
                   "4 reject: missing id"}));
}

TEST(JsonlReader, DuplicateRecordIdsAreBothRecords) {
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\"}\n{\"id\":\"B1\",\"code\":\"y\"}\n"),
            (Lines{"1: id=B1", "2: id=B1 code=Y"}));
}

TEST(JsonlReader, ValuesThatDoNotNormalize) {
  EXPECT_EQ(JsonlRead("{\"id\":\"B1\",\"qty\":\"1,000\"}\n{\"id\":\"B2\",\"day\":\"2026-13-01\"}\n"
                 "{\"id\":\"B3\",\"day\":20260101}\n"),
            (Lines{"1 reject [B1]: field qty: not a number: \"1,000\"",
                   "2 reject [B2]: field day: not a date (YYYY-MM-DD): \"2026-13-01\"",
                   "3 reject [B3]: field day: not a date (YYYY-MM-DD): \"20260101\""}));
}

// A reader that gave up its input (a line past max_record_bytes +
// max_skip_bytes) reads the next text it is restarted on in full.
TEST(JsonlReader, RestartAfterGivingUpReadsTheNextTextWhole) {
  ReaderOptions options;
  options.max_record_bytes = 64;
  options.max_skip_bytes = 16;
  auto opened = internal::NewJsonlReader(
      internal::ByteSource::FromString("{\"id\":\"A\"}\n{\"note\":\"" + std::string(500, 'x') + "\"}\n{\"id\":\"C\"}\n"),
      "in.jsonl", Small(), options);
  ASSERT_TRUE(opened.ok());
  RecordReader& reader = *opened.value();
  Record record(Small());
  Reject reject;
  while (reader.Read(&record, &reject) != RecordReader::Next::kEnd) {
  }
  ASSERT_FALSE(reader.status().ok());
  auto source = internal::ByteSource::FromString("{\"id\":\"D\"}\n\n{\"id\":\"E\",\"qty\":\"2\"}");
  ASSERT_TRUE(internal::RestartJsonlReader(&reader, &source));
  EXPECT_EQ(Drain(reader, Small(), "in.jsonl"), (Lines{"1: id=D", "3: id=E qty=2"}));
  // The public form, from a string.
  EXPECT_TRUE(reader.Restart("{\"id\":\"F\"}\n").ok());
  EXPECT_EQ(Drain(reader, Small(), "in.jsonl"), (Lines{"1: id=F"}));
  // Not a JSON Lines reader: refused, and the source is left to the caller.
  auto csv = internal::NewCsvReader(internal::ByteSource::FromString("id\nX\n"), "in.csv", Small(), {});
  ASSERT_TRUE(csv.ok());
  auto kept = internal::ByteSource::FromString("{}");
  EXPECT_FALSE(internal::RestartJsonlReader(csv.value().get(), &kept));
  EXPECT_NE(kept, nullptr);
  const Status refused = csv.value()->Restart("id\nY\n");
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(), "in.csv: only a JSON Lines reader can be restarted");
  EXPECT_EQ(Drain(*csv.value(), Small(), "in.csv"), (Lines{"2: id=X"}));
}

}  // namespace
}  // namespace targeting
