// The embedded reference data: what counts as a real country and tariff code.
#include "check/refdata.h"
#include "gen/world_tables.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace targeting::internal {
namespace {

TEST(RefData, IsoAlpha2) {
  for (const char* code : {"US", "CN", "HK", "TW", "NA", "DE", "VN", "AX"}) {
    EXPECT_TRUE(IsIsoAlpha2(code)) << code;
  }
  EXPECT_FALSE(IsIsoAlpha2("hk"));   // rule literals are checked after normalization
  EXPECT_FALSE(IsIsoAlpha2("Hk"));
  EXPECT_FALSE(IsIsoAlpha2("UK"));   // the ISO code is GB
  EXPECT_FALSE(IsIsoAlpha2("EU"));   // not a country
  EXPECT_FALSE(IsIsoAlpha2("XK"));   // Kosovo: user-assigned, not in ISO 3166-1
  EXPECT_FALSE(IsIsoAlpha2("USA"));  // alpha-3
  EXPECT_FALSE(IsIsoAlpha2("C"));
  EXPECT_FALSE(IsIsoAlpha2(""));
  EXPECT_FALSE(IsIsoAlpha2("C1"));
}

TEST(RefData, CountriesTable) {
  EXPECT_EQ(Countries().size(), 249u);
  const Country* hk = FindCountry("HK");
  ASSERT_NE(hk, nullptr);
  EXPECT_EQ(hk->alpha3, "HKG");
  EXPECT_EQ(hk->name, "Hong Kong");
  EXPECT_EQ(hk->region, "Asia");
  EXPECT_EQ(hk->subregion, "Eastern Asia");
  ASSERT_NE(FindCountry("AX"), nullptr);
  EXPECT_EQ(FindCountry("AX")->name, "\xC3\x85land Islands");  // UTF-8 survives embedding
  EXPECT_EQ(FindCountry("ZZ"), nullptr);
}

TEST(RefData, HsPrefixLevels) {
  EXPECT_TRUE(IsHsPrefix("42"));          // chapter
  EXPECT_TRUE(IsHsPrefix("4202"));        // heading
  EXPECT_TRUE(IsHsPrefix("420221"));      // subheading
  EXPECT_TRUE(IsHsPrefix("42022160"));    // US 8-digit subheading of a real 6-digit code
  EXPECT_TRUE(IsHsPrefix("4202216000"));  // 10-digit statistical suffix
  EXPECT_TRUE(IsHsPrefix("870895"));
  EXPECT_TRUE(IsHsPrefix("950730"));
  EXPECT_TRUE(IsHsPrefix("01"));
  EXPECT_TRUE(IsHsPrefix("97"));
}

TEST(RefData, HsPrefixRejects) {
  EXPECT_FALSE(IsHsPrefix("77"));          // chapter 77 is reserved
  EXPECT_FALSE(IsHsPrefix("00"));
  EXPECT_FALSE(IsHsPrefix("4299"));        // no such heading
  EXPECT_FALSE(IsHsPrefix("420223"));      // no such subheading
  EXPECT_FALSE(IsHsPrefix("42022360"));    // 8 digits over a subheading that does not exist
  EXPECT_FALSE(IsHsPrefix("4202236000"));
  EXPECT_FALSE(IsHsPrefix("420"));         // odd lengths are not HS levels
  EXPECT_FALSE(IsHsPrefix("42022"));
  EXPECT_FALSE(IsHsPrefix("4202216"));
  EXPECT_FALSE(IsHsPrefix("420221600"));
  EXPECT_FALSE(IsHsPrefix("42022160001"));  // 11 digits
  EXPECT_FALSE(IsHsPrefix("4202.21"));      // not normalized
  EXPECT_FALSE(IsHsPrefix(""));
  EXPECT_FALSE(IsHsPrefix("99"));          // Comtrade's "not specified", not HS
  EXPECT_FALSE(IsHsPrefix("9999"));
  EXPECT_FALSE(IsHsPrefix("999999"));
}

TEST(RefData, HsTableMatchesDataFile) {
  // Every 6-digit code in data/hs2022.csv outside the TOTAL section is accepted,
  // so the embedded copy is the file, not a subset of it.
  std::ifstream in(TARGETING_SOURCE_DIR "/data/hs2022.csv", std::ios::binary);
  ASSERT_TRUE(in) << "data/hs2022.csv";
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  std::string_view rest = text;
  std::vector<std::string> row;
  std::size_t six = 0;
  ASSERT_TRUE(NextCsvRow(&rest, &row));  // header
  while (NextCsvRow(&rest, &row)) {
    ASSERT_EQ(row.size(), 5u);
    if (row[0] == "TOTAL") continue;
    EXPECT_TRUE(IsHsPrefix(row[1])) << row[1];
    if (row[4] == "6") ++six;
  }
  EXPECT_EQ(six, 5612u);
  std::size_t six_embedded = 0;
  for (const HsCode& c : HsCodes()) six_embedded += c.level == 6;
  EXPECT_EQ(six_embedded, six);
}

TEST(RefData, HsDescription) {
  EXPECT_EQ(HsDescription("950730"), "Fishing reels");
  EXPECT_EQ(HsDescription("870895"),
            "Vehicle parts; safety airbags with inflater system; parts thereof");
  // Quoted in the file because it holds commas.
  EXPECT_EQ(HsDescription("0101"), "Horses, asses, mules and hinnies; live");
  EXPECT_EQ(HsDescription("420223"), "");
}

TEST(RefData, FieldKinds) {
  EXPECT_TRUE(IsHsField("hts_code"));
  EXPECT_TRUE(IsHsField("hs_code"));
  EXPECT_TRUE(IsHsField("tariff_code"));
  EXPECT_FALSE(IsHsField("description"));
  EXPECT_FALSE(IsHsField("hts"));
  for (const char* f : {"country_of_origin", "country_of_export", "shipper_country", "routing",
                        "consignee_country", "manufacturer_country"}) {
    EXPECT_TRUE(IsCountryField(f)) << f;
  }
  EXPECT_FALSE(IsCountryField("_country"));  // a suffix alone is not a name
  EXPECT_FALSE(IsCountryField("country"));
  EXPECT_FALSE(IsCountryField("port_of_lading"));
  EXPECT_FALSE(IsCountryField("countryside"));
}

TEST(RefData, CsvRows) {
  std::string_view text = "\xEF\xBB\xBF" "a,\"b,\"\"c\"\"\",\r\n\"x\ny\",z\nlast";
  std::vector<std::string> row;
  ASSERT_TRUE(NextCsvRow(&text, &row));
  EXPECT_EQ(row, (std::vector<std::string>{"a", "b,\"c\"", ""}));
  ASSERT_TRUE(NextCsvRow(&text, &row));
  EXPECT_EQ(row, (std::vector<std::string>{"x\ny", "z"}));
  ASSERT_TRUE(NextCsvRow(&text, &row));
  EXPECT_EQ(row, (std::vector<std::string>{"last"}));
  EXPECT_FALSE(NextCsvRow(&text, &row));
}

TEST(RefData, EmbeddedPortsHaveUnixLineEnds) {
  std::string_view ports = EmbeddedPortsCsv();
  EXPECT_EQ(ports.find('\r'), std::string_view::npos);
  EXPECT_EQ(ports.substr(0, 7), "locode,");
  EXPECT_NE(ports.find("\nHKHKG,HK,HKG,Hong Kong,"), std::string_view::npos);
}

}  // namespace
}  // namespace targeting::internal
