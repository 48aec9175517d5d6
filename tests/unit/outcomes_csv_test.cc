// Reading outcomes files: CSV through lib/io's tokenizer, then the outcome rules.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "targeting/measure.h"

namespace targeting {
namespace {

Result<Outcomes> Read(std::string text) {
  return Outcomes::ReadCsvString(std::move(text), "o.csv", Schema::Manifest());
}

TEST(OutcomesCsv, ColumnOrderIsFreeAndUnknownColumnsAreIgnored) {
  auto o = Read(
      "identified_by,msrp_usd,notes,action,finding,examined,record_id\n"
      "tip,\"1,5\",x,seizure,discrepant,true,A\n"  // "1,5" is one cell and not a number
      "rule,2500,\"a, b\",seizure,discrepant,true,B\n");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->rows(), 2u);
  ASSERT_EQ(o->bad_rows().size(), 1u);
  EXPECT_EQ(o->bad_rows()[0].line, 2u);
  EXPECT_EQ(o->bad_rows()[0].reason, "msrp_usd is not a number: '1,5'");
  const Outcome* b = o->Find("B");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->discrepant());
  EXPECT_EQ(b->action, OutcomeAction::kSeizure);
  EXPECT_EQ(*b->msrp_usd, 2500);
  EXPECT_EQ(b->identified_by, IdentifiedBy::kRule);
}

TEST(OutcomesCsv, OptionalColumnsMayBeAbsent) {
  auto o = Read("record_id,examined,finding\nA,true,discrepant\nB,false,\n");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->bad_rows().empty());
  EXPECT_EQ(o->Find("A")->action, OutcomeAction::kNone);
  EXPECT_EQ(o->Find("A")->identified_by, IdentifiedBy::kUnknown);
  EXPECT_FALSE(o->Find("B")->examined);
}

TEST(OutcomesCsv, RequiredColumns) {
  auto no_id = Read("examined,finding\ntrue,discrepant\n");
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.status().message().find("no 'record_id' column"), std::string::npos);
  auto no_examined = Read("record_id,finding\nA,discrepant\n");
  ASSERT_FALSE(no_examined.ok());
  EXPECT_EQ(no_examined.status().message(), "o.csv:1: the header has no 'examined' column");
  auto no_finding = Read("record_id,examined\nA,false\n");
  ASSERT_FALSE(no_finding.ok());
  EXPECT_NE(no_finding.status().message().find("no 'finding' column"), std::string::npos);
}

TEST(OutcomesCsv, LineNumbersCountPhysicalLines) {
  auto o = Read(
      "record_id,examined,finding,action\n"
      "A,true,discrepant,\"seizure\"\n"
      "B,true,\"no_discrepancy\",\"none\n"  // a quoted cell over two lines: not an action
      "really\"\n"
      "C,maybe,,\n"
      "D,true,discrepant\n");  // too few cells: the tokenizer rejects it
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->rows(), 4u);
  ASSERT_EQ(o->bad_rows().size(), 3u);
  EXPECT_EQ(o->bad_rows()[0].line, 3u);
  EXPECT_EQ(o->bad_rows()[0].record_id, "B");
  EXPECT_NE(o->bad_rows()[0].reason.find("action must be"), std::string::npos);
  EXPECT_NE(o->bad_rows()[0].reason.find("'none\\x0areally'"), std::string::npos)
      << o->bad_rows()[0].reason;
  EXPECT_EQ(o->bad_rows()[1].line, 5u);
  EXPECT_EQ(o->bad_rows()[1].reason, "examined must be true or false, not 'maybe'");
  EXPECT_EQ(o->bad_rows()[2].line, 6u);
  EXPECT_NE(o->bad_rows()[2].reason.find("fields"), std::string::npos);
}

TEST(OutcomesCsv, EveryValueIsNamedAsItIsRead) {
  EXPECT_STREQ(FindingName(Finding::kNone), "");
  EXPECT_STREQ(FindingName(Finding::kDiscrepant), "discrepant");
  EXPECT_STREQ(FindingName(Finding::kNoDiscrepancy), "no_discrepancy");
  const std::pair<OutcomeAction, const char*> actions[] = {
      {OutcomeAction::kNone, "none"},
      {OutcomeAction::kSeizure, "seizure"},
      {OutcomeAction::kIprAbandonment, "ipr_abandonment"},
      {OutcomeAction::kAbandonment, "abandonment"},
      {OutcomeAction::kRefusedEntry, "refused_entry"},
      {OutcomeAction::kReferral, "referral"}};
  const std::pair<IdentifiedBy, const char*> by[] = {
      {IdentifiedBy::kRule, "rule"},       {IdentifiedBy::kQuery, "query"},
      {IdentifiedBy::kObservation, "observation"}, {IdentifiedBy::kTip, "tip"},
      {IdentifiedBy::kRandom, "random"}};
  std::string text = "record_id,examined,finding,action,identified_by\n";
  int n = 0;
  for (const auto& [a, name] : actions) {
    EXPECT_STREQ(OutcomeActionName(a), name);
    text += "A" + std::to_string(n++) + ",true,discrepant," + name + ",tip\n";
  }
  for (const auto& [b, name] : by) {
    EXPECT_STREQ(IdentifiedByName(b), name);
    text += "A" + std::to_string(n++) + ",true,no_discrepancy,none," + name + "\n";
  }
  EXPECT_STREQ(IdentifiedByName(IdentifiedBy::kUnknown), "unknown");
  auto o = Read(text);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->bad_rows().empty());
  n = 0;
  for (const auto& [a, name] : actions) {
    EXPECT_EQ(o->Find("A" + std::to_string(n++))->action, a) << name;
  }
  for (const auto& [b, name] : by) {
    EXPECT_EQ(o->Find("A" + std::to_string(n++))->identified_by, b) << name;
  }
  EXPECT_EQ(o->Find("A0")->finding, Finding::kDiscrepant);
  EXPECT_EQ(o->Find("A6")->finding, Finding::kNoDiscrepancy);
}

TEST(OutcomesCsv, EmptyFileHasNoRows) {
  auto o = Read("");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->rows(), 0u);
  auto header_only = Read("record_id,examined,finding\n");
  ASSERT_TRUE(header_only.ok());
  EXPECT_EQ(header_only->rows(), 0u);
}

TEST(OutcomesCsv, MissingFileIsAnError) {
  auto o = Outcomes::ReadCsvFile("/no/such/outcomes.csv", Schema::Manifest());
  EXPECT_FALSE(o.ok());
}

}  // namespace
}  // namespace targeting
