// The example rule pack (rules/) and its next release (examples/rules-next/):
// they compile cleanly, their inline tests pass, gen's copies of their lists
// agree, and rules-next differs from rules/ only where it says it does.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "file_util.h"
#include "gen/planted.h"
#include "targeting/record.h"
#include "targeting/rules.h"

namespace targeting {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot = TARGETING_SOURCE_DIR;

using testing::Slurp;

std::vector<std::string> ListFile(const fs::path& p) {
  std::vector<std::string> out;
  std::istringstream in(Slurp(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

std::shared_ptr<const RuleSet> CompileClean(const fs::path& dir) {
  CompileResult r = CompilePath(dir.string());
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  for (const Issue& i : r.issues) ADD_FAILURE() << i.ToString();
  if (!r.ok()) return nullptr;
  // Inline tests give the dates their entries need, so the as-of date does not matter.
  for (const char* as_of : {"2025-01-01", "2026-03-15", "2030-12-31"}) {
    TestReport tests = RunInlineTests(*r.rule_set, ParseDate(as_of).value());
    EXPECT_GT(tests.run, 100u);
    for (const TestFailure& f : tests.failures) ADD_FAILURE() << as_of << ": " << f.ToString();
  }
  return r.rule_set;
}

TEST(ExamplePack, CompilesWithoutWarningsAndItsTestsPass) {
  auto rules = CompileClean(kRoot / "rules");
  ASSERT_NE(rules, nullptr);
  EXPECT_GE(rules->entries().size(), 15u);
  EXPECT_LE(rules->entries().size(), 30u);
  std::map<std::string, int> statuses;
  int queries = 0;
  for (const EntryInfo& e : rules->entries()) {
    ++statuses[EntryStatusName(e.status)];
    queries += e.kind == EntryKind::kQuery;
    EXPECT_FALSE(e.name.empty()) << e.id;
    EXPECT_FALSE(e.owner.empty()) << e.id;
  }
  EXPECT_GT(statuses["active"], 10);
  EXPECT_GT(statuses["shadow"], 0);
  EXPECT_GT(statuses["draft"], 0);
  EXPECT_GT(queries, 5);
  EXPECT_EQ(rules->config().priorities,
            (std::vector<std::string>{"health_safety", "national_security", "repeat_violator",
                                      "automotive", "transshipment"}));
}

TEST(ExamplePack, GenKnowsTheSameLists) {
  std::vector<std::string> violators = ListFile(kRoot / "rules/lists/repeat-violators.txt");
  std::vector<std::string> from_gen;
  for (std::string_view v : gen::PackRepeatViolators()) from_gen.emplace_back(v);
  EXPECT_EQ(violators, from_gen);
  std::vector<std::string> brands = ListFile(kRoot / "rules/lists/luxury-brands.txt");
  from_gen.clear();
  for (std::string_view v : gen::PackLuxuryBrands()) from_gen.emplace_back(v);
  EXPECT_EQ(brands, from_gen);
  const std::string automotive = Slurp(kRoot / "rules/automotive.yaml");
  for (std::string_view s : gen::PackAuthorizedAirbagSuppliers()) {
    EXPECT_NE(automotive.find("- " + std::string(s) + "\n"), std::string::npos) << s;
  }
}

TEST(ExamplePack, RulesNextDiffersOnlyWhereItSays) {
  const fs::path a = kRoot / "rules", b = kRoot / "examples/rules-next";
  const std::set<std::string> changed = {"targeting.yaml", "automotive.yaml",
                                         "ipr/luxury-goods.yaml", "queries/ntc.yaml"};
  std::set<std::string> files_a, files_b;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (e.is_regular_file()) files_a.insert(fs::relative(e.path(), a).generic_string());
  }
  for (const auto& e : fs::recursive_directory_iterator(b)) {
    if (e.is_regular_file()) files_b.insert(fs::relative(e.path(), b).generic_string());
  }
  EXPECT_EQ(files_a, files_b);
  for (const std::string& f : files_a) {
    if (changed.count(f)) {
      EXPECT_NE(Slurp(a / f), Slurp(b / f)) << f;
    } else {
      EXPECT_EQ(Slurp(a / f), Slurp(b / f)) << f << " drifted from rules/";
    }
  }

  auto old_rules = CompileClean(a);
  auto new_rules = CompileClean(b);
  ASSERT_NE(old_rules, nullptr);
  ASSERT_NE(new_rules, nullptr);
  std::set<std::string> old_ids, new_ids;
  for (const EntryInfo& e : old_rules->entries()) old_ids.insert(e.id);
  for (const EntryInfo& e : new_rules->entries()) new_ids.insert(e.id);
  std::set<std::string> expected = old_ids;
  expected.erase("Q-NTC-0142");
  expected.insert("UDR-AUTO-0003");
  EXPECT_EQ(new_ids, expected);
  const EntryInfo& promoted = new_rules->entries()[new_rules->FindEntry("UDR-AUTO-0003")];
  EXPECT_EQ(promoted.kind, EntryKind::kRule);
  EXPECT_EQ(promoted.promoted_from, "Q-NTC-0142");
  EXPECT_EQ(old_rules->entries()[old_rules->FindEntry("UDR-IPR-0001")].version, 3);
  EXPECT_EQ(new_rules->entries()[new_rules->FindEntry("UDR-IPR-0001")].version, 4);
  EXPECT_NE(old_rules->fingerprint(), new_rules->fingerprint());
}

}  // namespace
}  // namespace targeting
