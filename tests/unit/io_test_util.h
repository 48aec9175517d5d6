// Helpers shared by the CSV and JSON Lines reader tests: a small schema and
// a one-line description of each record or reject a reader gives.
#ifndef TARGETING_TESTS_UNIT_IO_TEST_UTIL_H_
#define TARGETING_TESTS_UNIT_IO_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "targeting/io.h"
#include "targeting/record.h"

namespace targeting::testing {

using Lines = std::vector<std::string>;

inline FieldDef Def(std::string name, FieldType type, bool list = false) {
  FieldDef f;
  f.name = std::move(name);
  f.type = type;
  f.list = list;
  return f;
}

// id (string, the record id), code, qty (number), tags (code list), note (text), day (date).
inline const Schema& Small() {
  static const Schema* schema = [] {
    auto built = Schema::Build({Def("id", FieldType::kString), Def("code", FieldType::kCode),
                                Def("qty", FieldType::kNumber),
                                Def("tags", FieldType::kCode, /*list=*/true),
                                Def("note", FieldType::kText), Def("day", FieldType::kDate)},
                               "id", "day", "", "");
    return new Schema(std::move(built).value());
  }();
  return *schema;
}

// "LINE: name=value name=a|b" for a record (fields present, schema order);
// "LINE reject [ID]: reason" for a reject.
inline std::string Describe(const Record& r) {
  std::string s = std::to_string(r.line()) + ":";
  for (int f = 0; f < r.schema().size(); ++f) {
    if (!r.has(f)) continue;
    s += " " + r.schema().field(f).name + "=";
    for (int i = 0; i < r.count(f); ++i) {
      if (i > 0) s += "|";
      s += r.str(f, i);
    }
  }
  return s;
}

inline std::string Describe(const Reject& j) {
  std::string s = std::to_string(j.line) + " reject";
  if (!j.record_id.empty()) s += " [" + j.record_id + "]";
  return s + ": " + j.reason;
}

// Reads `reader` to its end, describing each record and reject. Every reject
// must name `source` and a line and give a reason, and the reader must end
// without a read error.
inline Lines Drain(RecordReader& reader, const Schema& schema, const std::string& source) {
  Lines out;
  Record record(schema);
  Reject reject;
  for (;;) {
    RecordReader::Next next = reader.Read(&record, &reject);
    if (next == RecordReader::Next::kEnd) break;
    if (next == RecordReader::Next::kRecord) {
      out.push_back(Describe(record));
    } else {
      EXPECT_EQ(reject.source, source);
      EXPECT_GT(reject.line, 0u);
      EXPECT_FALSE(reject.reason.empty());
      out.push_back(Describe(reject));
    }
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status().message();
  return out;
}

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_UNIT_IO_TEST_UTIL_H_
