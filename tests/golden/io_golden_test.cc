// Golden files for the record readers: tests/golden/io/NAME.csv or
// NAME.jsonl is read with the manifest schema (and the limits in
// NAME.options, if there is one) and rendered as text, which must equal
// NAME.expected. With TARGETING_UPDATE_GOLDEN=1 the expected files are
// rewritten instead; review the diff before committing it.
//
// The rendering, one line each:
//   line N: field="value" list=["a","b"]      a record: its present fields in schema order
//   reject line N: reason                      a reject (with (record_id "X") when known)
//   error: message                             the reader stopped: a bad header or I/O error
//   read N: R records, J rejects               last
// Values are quoted as JSON strings (\", \\, \n, \r, \t, \u00XX); other
// UTF-8 is written as is.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "targeting/io.h"
#include "targeting/record.h"

namespace targeting {
namespace {

namespace fs = std::filesystem;

fs::path GoldenDir() { return fs::path(TARGETING_SOURCE_DIR) / "tests" / "golden" / "io"; }

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// NAME.options: lines of "max_field_bytes=N" / "max_record_bytes=N".
ReaderOptions LoadOptions(const fs::path& path) {
  ReaderOptions options;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq);
    const std::size_t value = std::stoul(line.substr(eq + 1));
    if (key == "max_field_bytes") options.max_field_bytes = value;
    if (key == "max_record_bytes") options.max_record_bytes = value;
  }
  return options;
}

std::string Render(const fs::path& input) {
  const Schema& schema = Schema::Manifest();
  const std::string name = input.filename().string();
  fs::path options_path = input;
  options_path.replace_extension(".options");
  std::FILE* file = std::fopen(input.c_str(), "rb");
  if (file == nullptr) return "cannot open " + input.string() + "\n";
  auto opened = RecordReader::FromFile(file, name, *InputFormatFromPath(name), schema,
                                       LoadOptions(options_path));
  std::string out;
  if (!opened.ok()) {
    std::fclose(file);
    return "error: " + opened.status().message() + "\n";
  }
  RecordReader& reader = *opened.value();
  Record record(schema);
  Reject reject;
  std::uint64_t records = 0, rejects = 0;
  for (;;) {
    const RecordReader::Next next = reader.Read(&record, &reject);
    if (next == RecordReader::Next::kEnd) break;
    if (next == RecordReader::Next::kReject) {
      ++rejects;
      out += "reject line " + std::to_string(reject.line);
      if (!reject.record_id.empty()) out += " (record_id " + Quote(reject.record_id) + ")";
      out += ": " + reject.reason + "\n";
      continue;
    }
    ++records;
    out += "line " + std::to_string(record.line()) + ":";
    for (int f = 0; f < schema.size(); ++f) {
      if (!record.has(f)) continue;
      out += " " + schema.field(f).name + "=";
      if (!schema.field(f).list) {
        out += Quote(record.str(f));
        continue;
      }
      out += "[";
      for (int i = 0; i < record.count(f); ++i) out += (i ? "," : "") + Quote(record.str(f, i));
      out += "]";
    }
    out += "\n";
  }
  if (!reader.status().ok()) out += "error: " + reader.status().message() + "\n";
  out += "read " + std::to_string(records + rejects) + ": " + std::to_string(records) +
         " records, " + std::to_string(rejects) + " rejects\n";
  std::fclose(file);
  return out;
}

std::vector<std::string> GoldenInputs() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(GoldenDir())) {
    const std::string name = entry.path().filename().string();
    if (InputFormatFromPath(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

class IoGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(IoGolden, MatchesExpected) {
  const fs::path input = GoldenDir() / GetParam();
  fs::path expected_path = input;
  expected_path.replace_extension(".expected");
  const std::string actual = Render(input);
  const char* update = std::getenv("TARGETING_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << expected_path << " is missing";
  EXPECT_EQ(actual, ReadFile(expected_path)) << "for " << input;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Inputs, IoGolden, ::testing::ValuesIn(GoldenInputs()), TestName);

TEST(IoGoldenFiles, EveryExpectedFileHasAnInput) {
  const std::vector<std::string> inputs = GoldenInputs();
  EXPECT_FALSE(inputs.empty());
  for (const auto& entry : fs::directory_iterator(GoldenDir())) {
    if (entry.path().extension() != ".expected") continue;
    const std::string stem = entry.path().stem().string();
    const bool found = std::any_of(inputs.begin(), inputs.end(), [&](const std::string& in) {
      return fs::path(in).stem().string() == stem;
    });
    EXPECT_TRUE(found) << entry.path() << " has no input";
  }
}

}  // namespace
}  // namespace targeting
