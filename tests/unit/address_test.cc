// The address type (SPEC section 2), with expected values written from the
// spec's text and its abbreviation table.
#include <gtest/gtest.h>

#include <string>

#include "targeting/record.h"

namespace targeting {
namespace {

std::string Addr(std::string_view raw) {
  std::string out, err;
  double n = 0;
  EXPECT_TRUE(NormalizeValue(FieldType::kAddress, raw, &out, &n, &err)) << raw << ": " << err;
  return out;
}

TEST(AddressNormalize, SpecExamples) {
  EXPECT_EQ(Addr("123 North Main Street, Apt. 4"), "123 N MAIN ST APT 4");
  EXPECT_EQ(Addr("P.O. Box 77"), "PO BOX 77");
}

TEST(AddressNormalize, EveryWordOfTheTable) {
  const std::pair<const char*, const char*> table[] = {
      {"STREET", "ST"},    {"AVENUE", "AVE"},    {"ROAD", "RD"},       {"BOULEVARD", "BLVD"},
      {"DRIVE", "DR"},     {"LANE", "LN"},       {"COURT", "CT"},      {"PLACE", "PL"},
      {"SQUARE", "SQ"},    {"TERRACE", "TER"},   {"PARKWAY", "PKWY"},  {"HIGHWAY", "HWY"},
      {"CIRCLE", "CIR"},   {"SUITE", "STE"},     {"APARTMENT", "APT"}, {"BUILDING", "BLDG"},
      {"FLOOR", "FL"},     {"ROOM", "RM"},       {"NORTH", "N"},       {"SOUTH", "S"},
      {"EAST", "E"},       {"WEST", "W"},        {"NORTHEAST", "NE"},  {"NORTHWEST", "NW"},
      {"SOUTHEAST", "SE"}, {"SOUTHWEST", "SW"}};
  for (const auto& [word, abbr] : table) {
    EXPECT_EQ(Addr(std::string("1 ") + word + " X"), std::string("1 ") + abbr + " X") << word;
    // Lower case is upper-cased first, so it is abbreviated too.
    std::string lower(word);
    for (char& c : lower) c = static_cast<char>(c - 'A' + 'a');
    EXPECT_EQ(Addr(lower), abbr) << lower;
  }
}

TEST(AddressNormalize, WholeWordsOnly) {
  EXPECT_EQ(Addr("Streeter Avenue"), "STREETER AVE");
  EXPECT_EQ(Addr("Northfield Rd"), "NORTHFIELD RD");
  EXPECT_EQ(Addr("STREETS"), "STREETS");
  // An abbreviation already written stays as it is.
  EXPECT_EQ(Addr("12 Main St Ste 5"), "12 MAIN ST STE 5");
}

TEST(AddressNormalize, PostOfficePairs) {
  EXPECT_EQ(Addr("Post Office Box 12"), "PO BOX 12");
  EXPECT_EQ(Addr("p o box 9"), "PO BOX 9");
  EXPECT_EQ(Addr("P-O-Box 9"), "PO BOX 9");
  EXPECT_EQ(Addr("PO Box 9"), "PO BOX 9");
  // Pairs are taken left to right; a PO made of a pair joins nothing else.
  EXPECT_EQ(Addr("P O O"), "PO O");
  EXPECT_EQ(Addr("P P O"), "P PO");
  EXPECT_EQ(Addr("POST POST OFFICE"), "POST PO");
  // Only adjacent words pair.
  EXPECT_EQ(Addr("P X O"), "P X O");
  EXPECT_EQ(Addr("Post Road Office"), "POST RD OFFICE");
  EXPECT_EQ(Addr("OFFICE POST"), "OFFICE POST");
  EXPECT_EQ(Addr("P"), "P");
  EXPECT_EQ(Addr("O P"), "O P");
}

TEST(AddressNormalize, SpacesPunctuationAndEmpty) {
  EXPECT_EQ(Addr("  12   Harbor Rd,, Unit 5  "), "12 HARBOR RD UNIT 5");
  EXPECT_EQ(Addr("12 Oak St\nApt 4B"), "12 OAK ST APT 4B");
  EXPECT_EQ(Addr("caf\xc3\xa9 Street"), "CAF ST");  // non-ASCII bytes separate words
  EXPECT_EQ(Addr(" ,.- "), "");
  EXPECT_EQ(Addr(""), "");
  // No legal suffixes are dropped: an address is not a name.
  EXPECT_EQ(Addr("1 Company Ltd"), "1 COMPANY LTD");
}

TEST(AddressNormalize, TypeName) {
  EXPECT_STREQ(FieldTypeName(FieldType::kAddress), "address");
  EXPECT_EQ(FieldTypeFromName("address"), FieldType::kAddress);
}

TEST(AddressNormalize, ManifestConsigneeAddress) {
  const Schema& s = Schema::Manifest();
  const int f = s.Find("consignee_address");
  ASSERT_GE(f, 0);
  EXPECT_EQ(s.field(f).type, FieldType::kAddress);
}

}  // namespace
}  // namespace targeting
