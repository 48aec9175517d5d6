// Normalization by type, with expected values written from SPEC section 2.
#include <gtest/gtest.h>

#include <charconv>
#include <map>
#include <random>
#include <set>
#include <vector>
#include <string_view>

#include "load/normalize.h"
#include "targeting/record.h"

namespace targeting {
namespace {

std::string Norm(FieldType t, std::string_view raw) {
  std::string out, err;
  double n = 0;
  EXPECT_TRUE(NormalizeValue(t, raw, &out, &n, &err)) << raw << ": " << err;
  return out;
}

TEST(Normalize, Code) {
  EXPECT_EQ(Norm(FieldType::kCode, "4202.21.6000"), "4202216000");
  EXPECT_EQ(Norm(FieldType::kCode, " cn-sha "), "CNSHA");
  EXPECT_EQ(Norm(FieldType::kCode, "h\xc3\xa9llo"), "HLLO");  // non-ASCII bytes removed
  EXPECT_EQ(Norm(FieldType::kCode, "--"), "");
}

TEST(Normalize, Name) {
  EXPECT_EQ(Norm(FieldType::kName, "Acme Trading Co., Ltd."), "ACME TRADING");
  EXPECT_EQ(Norm(FieldType::kName, "  acme   trading  "), "ACME TRADING");
  EXPECT_EQ(Norm(FieldType::kName, "LTD"), "LTD");              // one word stays
  EXPECT_EQ(Norm(FieldType::kName, "Co Ltd"), "CO");            // stops at one word
  EXPECT_EQ(Norm(FieldType::kName, "Foo GmbH & Co. KG"), "FOO GMBH CO KG");
  EXPECT_EQ(Norm(FieldType::kName, "Big Corp Inc"), "BIG");
  EXPECT_EQ(Norm(FieldType::kName, "O'Neil-Smith S.A."), "O NEIL SMITH S A");
  EXPECT_EQ(Norm(FieldType::kName, "Company"), "COMPANY");
  EXPECT_EQ(Norm(FieldType::kName, "!!!"), "");
}

// The normal forms written byte by byte with push_back, as SPEC section 2
// says them: the reference for the in-place versions of lib/load.
namespace reference {
bool Alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }
std::string Code(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (Alnum(Upper(c))) out.push_back(Upper(c));
  }
  return out;
}
std::vector<std::string> Words(std::string_view raw) {
  std::vector<std::string> words(1);
  for (char c : raw) {
    if (Alnum(Upper(c))) {
      words.back().push_back(Upper(c));
    } else if (!words.back().empty()) {
      words.emplace_back();
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}
std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}
std::string Name(std::string_view raw) {
  static const std::set<std::string> kSuffixes = {"CO",  "COMPANY", "CORP", "CORPORATION", "INC", "INCORPORATED",
                                                  "LLC", "LTD",     "LIMITED", "LP",       "PLC", "GMBH",
                                                  "SA",  "SRL",     "BV",   "AG",          "PTE", "PVT"};
  std::vector<std::string> words = Words(raw);
  while (words.size() > 1 && kSuffixes.count(words.back())) words.pop_back();
  return Join(words);
}
std::string Address(std::string_view raw) {
  static const std::map<std::string, std::string> kAbbr = {
      {"STREET", "ST"},    {"AVENUE", "AVE"},  {"ROAD", "RD"},       {"BOULEVARD", "BLVD"}, {"DRIVE", "DR"},
      {"LANE", "LN"},      {"COURT", "CT"},    {"PLACE", "PL"},      {"SQUARE", "SQ"},      {"TERRACE", "TER"},
      {"PARKWAY", "PKWY"}, {"HIGHWAY", "HWY"}, {"CIRCLE", "CIR"},    {"SUITE", "STE"},      {"APARTMENT", "APT"},
      {"BUILDING", "BLDG"}, {"FLOOR", "FL"},   {"ROOM", "RM"},       {"NORTH", "N"},        {"SOUTH", "S"},
      {"EAST", "E"},       {"WEST", "W"},      {"NORTHEAST", "NE"},  {"NORTHWEST", "NW"},   {"SOUTHEAST", "SE"},
      {"SOUTHWEST", "SW"}};
  std::vector<std::string> words = Words(raw);
  for (std::string& w : words) {
    auto it = kAbbr.find(w);
    if (it != kAbbr.end()) w = it->second;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i + 1 < words.size() && ((words[i] == "P" && words[i + 1] == "O") ||
                                 (words[i] == "POST" && words[i + 1] == "OFFICE"))) {
      out.push_back("PO");
      ++i;
    } else {
      out.push_back(words[i]);
    }
  }
  return Join(out);
}
}  // namespace reference

// Random text drawn from the pieces that matter (legal suffixes, address
// words and their pairs, digits, punctuation, lower case, non-ASCII bytes),
// appended after text already in the output, as a record appends its
// fields: the in-place forms equal the reference and leave what was before.
TEST(Normalize, InPlaceFormsMatchTheReference) {
  static const char* const kPieces[] = {"co", "Ltd.", "GmbH", "inc", "P", "O", "p.o.", "Post", "Office", "street",
                                        "AVENUE", "Northeast", "n", "123", "07101", "Suite", "floor", "Acme",
                                        "x", "", " ", "  ", ",", "-", "&", "\xc3\xa9", "\t", "'", "BOULEVARDS",
                                        "apartment", "SOUTHWEST", "Rd", "a1b2", "road", "West", "LANES"};
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> piece(0, static_cast<int>(std::size(kPieces)) - 1), count(0, 9), sep(0, 3);
  const char* const kSeps[] = {" ", ", ", ".", ""};
  for (int i = 0; i < 20000; ++i) {
    std::string raw;
    for (int k = count(rng); k > 0; --k) raw += std::string(kPieces[piece(rng)]) + kSeps[sep(rng)];
    for (FieldType t : {FieldType::kCode, FieldType::kName, FieldType::kAddress}) {
      const std::string prefix = i % 3 == 0 ? "" : "KEEP|";
      std::string out = prefix, err;
      double n = 0;
      ASSERT_TRUE(NormalizeValue(t, raw, &out, &n, &err));
      const std::string want = t == FieldType::kCode   ? reference::Code(raw)
                               : t == FieldType::kName ? reference::Name(raw)
                                                       : reference::Address(raw);
      ASSERT_EQ(out, prefix + want) << FieldTypeName(t) << " of '" << raw << "'";
    }
  }
  // Raw text inside the output itself (it moves as the output grows).
  std::string out = "Acme Trading Co Ltd 12 Post Office Street";
  const std::string_view inside(out);
  internal::AppendAddress(inside, &out);
  EXPECT_EQ(out, "Acme Trading Co Ltd 12 Post Office StreetACME TRADING CO LTD 12 PO ST");
}

// Whole numbers under 10,000 skip std::to_chars; the bytes are the same.
TEST(Normalize, WholeNumbersAreWrittenAsToCharsWritesThem) {
  auto to_chars = [](double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
  };
  for (int i = -20000; i <= 20000; ++i) {
    std::string out = "x";
    internal::AppendNumber(i, &out);
    ASSERT_EQ(out, "x" + to_chars(i)) << i;
  }
  for (double v : {0.5, -0.5, 9999.5, 9999.999, -9999.0001, 1e-300, 12.25, 1e15, 1e22, -0.0}) {
    std::string out;
    internal::AppendNumber(v, &out);
    EXPECT_EQ(out, v == 0 ? "0" : to_chars(v)) << v;
  }
}

TEST(Normalize, TextAndStringAsWritten) {
  EXPECT_EQ(Norm(FieldType::kText, "  Gucci Bags "), "  Gucci Bags ");
  EXPECT_EQ(Norm(FieldType::kString, " B-1 "), " B-1 ");
}

TEST(Normalize, Numbers) {
  using internal::ParseNumber;
  EXPECT_EQ(ParseNumber("12"), 12.0);
  EXPECT_EQ(ParseNumber("-3.5"), -3.5);
  EXPECT_EQ(ParseNumber("+4"), 4.0);
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
  EXPECT_EQ(ParseNumber("2.5E-3"), 0.0025);
  EXPECT_EQ(ParseNumber(".5"), 0.5);
  EXPECT_EQ(ParseNumber("5."), 5.0);
  for (const char* bad : {"", "inf", "nan", "NaN", "0x10", "1,000", "1 000", "1e", "e3", ".", "-",
                          "1e309", "--1", "1.2.3", "Infinity", "12abc"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseNumber("1e-400"), 0.0);  // underflow is a tiny number, not an error
  double n = 0;
  std::string out, err;
  EXPECT_TRUE(NormalizeValue(FieldType::kNumber, "  42 ", &out, &n, &err));
  EXPECT_EQ(n, 42.0);
  out.clear();
  EXPECT_TRUE(NormalizeValue(FieldType::kNumber, "   ", &out, &n, &err));
  EXPECT_EQ(out, "");  // missing
  EXPECT_FALSE(NormalizeValue(FieldType::kNumber, "1,000", &out, &n, &err));
}

TEST(Normalize, Dates) {
  EXPECT_EQ(ParseDate("1970-01-01"), 0);
  EXPECT_EQ(ParseDate("1970-01-02"), 1);
  EXPECT_EQ(ParseDate("2024-02-29"), 19782);
  EXPECT_EQ(ParseDate(" 2026-12-31 "), 20818);
  for (const char* bad : {"2023-02-29", "2026-13-01", "2026-00-10", "2026-1-1", "20260101",
                          "2026/01/01", "2026-04-31", "", "abcd-ef-gh", "1900-02-29"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseDate("2000-02-29").has_value());
  EXPECT_EQ(FormatDate(20818), "2026-12-31");
  EXPECT_EQ(FormatDate(0), "1970-01-01");
}

TEST(Normalize, Utf8) {
  using internal::IsValidUtf8;
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  std::size_t at = 0;
  EXPECT_FALSE(IsValidUtf8("ab\xff", &at));
  EXPECT_EQ(at, 2u);
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

TEST(Normalize, NumberFormatting) {
  EXPECT_EQ(internal::FormatNumber(70), "70");
  EXPECT_EQ(internal::FormatNumber(12.5), "12.5");
  EXPECT_EQ(internal::FormatNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(internal::FormatNumber(-0.0), "0");
}

TEST(Normalize, FieldTypeNamesReadBack) {
  const std::pair<FieldType, const char*> names[] = {
      {FieldType::kString, "string"}, {FieldType::kCode, "code"},     {FieldType::kName, "name"},
      {FieldType::kText, "text"},     {FieldType::kNumber, "number"}, {FieldType::kDate, "date"}};
  for (const auto& [type, name] : names) {
    EXPECT_STREQ(FieldTypeName(type), name);
    EXPECT_EQ(FieldTypeFromName(name), type) << name;
  }
  EXPECT_EQ(FieldTypeFromName("String"), std::nullopt);
  EXPECT_EQ(FieldTypeFromName("integer"), std::nullopt);
  EXPECT_EQ(FieldTypeFromName(""), std::nullopt);
}

TEST(Record, ManifestListsAndDerived) {
  const Schema& s = Schema::Manifest();
  auto r = Record::FromFields(s, {{"record_id", "B1"},
                                  {"routing", "cn;;hk; "},
                                  {"declared_value_usd", "100"},
                                  {"gross_weight_kg", "20"},
                                  {"quantity", "0"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  int routing = s.Find("routing");
  ASSERT_EQ(r->count(routing), 2);
  EXPECT_EQ(r->str(routing, 0), "CN");
  EXPECT_EQ(r->str(routing, 1), "HK");
  EXPECT_EQ(r->num(s.Find("value_per_kg")), 5.0);
  EXPECT_FALSE(r->has(s.Find("value_per_unit")));  // divisor 0
  EXPECT_EQ(r->record_id(), "B1");
}

TEST(Record, Errors) {
  const Schema& s = Schema::Manifest();
  EXPECT_FALSE(Record::FromFields(s, {{"hts_code", "1"}}).ok());  // no record_id
  EXPECT_FALSE(Record::FromFields(s, {{"record_id", "x"}, {"quantity", "1,000"}}).ok());
  EXPECT_FALSE(Record::FromFields(s, {{"record_id", "x"}, {"arrival_date", "2026-02-30"}}).ok());
  EXPECT_FALSE(Record::FromFields(s, {{"record_id", "x"}, {"value_per_kg", "3"}}).ok());
  EXPECT_FALSE(Record::FromFields(s, {{"record_id", "x"}, {"nope", "3"}}).ok());
}

}  // namespace
}  // namespace targeting
