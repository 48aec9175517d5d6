// Loading a rule set from disk (SPEC section 1): targeting.yaml, rule files in
// byte order, list files, custom schema files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace targeting {
namespace {

namespace fs = std::filesystem;

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("targeting-loader-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  CompileResult Compile() { return CompilePath(dir_.string()); }
  std::string Issues(const CompileResult& r) {
    std::string s;
    for (const Issue& i : r.issues) s += i.ToString() + "\n";
    return s;
  }
  fs::path dir_;
};

TEST_F(LoaderTest, DirectoryWithListsAndConfig) {
  Write("targeting.yaml",
        "priorities: [repeat_violator]\nsampling: {rate: 0.5, salt: s1}\n"
        "lists:\n  violators: {file: lists/violators.txt}\n");
  // A BOM, CRLF line ends, comments and blank lines in the list file.
  Write("lists/violators.txt", "\xEF\xBB\xBF# known\r\nAcme Trading Co., Ltd.\r\n\r\n  Bright Star LLC  \r\n");
  Write("b/second.yaml", "rules:\n  - {id: R2, priority: repeat_violator, when: {shipper_name: {in: {list: violators}}}}\n");
  Write("a.yml", "lists:\n  modes: [SEA]\nrules:\n  - {id: R1, when: {mode: {in: {list: modes}}}}\n");
  Write("notes.txt", "not a rule file");
  Write(".hidden/x.yaml", "this: is ignored");
  CompileResult r = Compile();
  ASSERT_TRUE(r.ok()) << Issues(r);
  const RuleSet& rs = *r.rule_set;
  EXPECT_EQ(rs.entries().size(), 2u);
  EXPECT_EQ(rs.config().sampling_rate, 0.5);
  EXPECT_EQ(rs.config().salt, "s1");
  auto fired = testing::Fired(r.rule_set, testing::MakeRecord(rs, {{"shipper_name", "BRIGHT STAR"}}));
  EXPECT_EQ(fired, std::vector<std::string>{"R2"});
  fired = testing::Fired(r.rule_set, testing::MakeRecord(rs, {{"shipper_name", "acme trading"}}));
  EXPECT_EQ(fired, std::vector<std::string>{"R2"});
  fired = testing::Fired(r.rule_set, testing::MakeRecord(rs, {{"shipper_name", "known"}}));
  EXPECT_TRUE(fired.empty());  // '# known' is a comment line
}

TEST_F(LoaderTest, FilesAreReadInByteOrder) {
  Write("B.yaml", "rules: [{id: X, when: {mode: SEA}}]\n");
  Write("a.yaml", "rules: [{id: X, when: {mode: AIR}}]\n");
  CompileResult r = Compile();
  ASSERT_FALSE(r.ok());
  // 'B.yaml' < 'a.yaml' in byte order, so the duplicate is reported in a.yaml.
  std::string issues = Issues(r);
  EXPECT_NE(issues.find("a.yaml:1:9: error: [X] duplicate id 'X' (first defined at "), std::string::npos) << issues;
  EXPECT_NE(issues.find("B.yaml:1)"), std::string::npos) << issues;
}

TEST_F(LoaderTest, RuleFileErrors) {
  Write("targeting.yaml", "lists:\n  l: {values: [A]}\n");
  Write("r.yaml", "lanes: {red: 1}\nlists:\n  l: {values: [B]}\nrules: []\n");
  Write("s.yaml", "lists: {}\n");
  CompileResult r = Compile();
  ASSERT_FALSE(r.ok());
  std::string issues = Issues(r);
  EXPECT_NE(issues.find("r.yaml:1:1: error: 'lanes' belongs in targeting.yaml"), std::string::npos) << issues;
  EXPECT_NE(issues.find("r.yaml:3:3: error: list 'l' is defined twice"), std::string::npos) << issues;
  EXPECT_NE(issues.find("s.yaml:1:1: error: a rule file needs 'rules:'"), std::string::npos) << issues;
}

TEST_F(LoaderTest, MissingListFileAndMissingPath) {
  Write("targeting.yaml", "lists:\n  l: {file: nowhere.txt}\n");
  Write("r.yaml", "rules: []\n");
  CompileResult r = Compile();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Issues(r).find("targeting.yaml:2:13: error: cannot read list file: "), std::string::npos) << Issues(r);
  CompileResult none = CompilePath((dir_ / "nope").string());
  EXPECT_EQ(none.status.code(), StatusCode::kNotFound);
}

TEST_F(LoaderTest, CustomSchema) {
  Write("targeting.yaml", "schema: {file: schema/s.yaml}\nlanes: {red: 10, yellow: 5}\n");
  Write("schema/s.yaml",
        "record_id: id\ndate_field: day\nport_field: port\nfields:\n  id: string\n  day: date\n"
        "  port: code\n  tags: {type: code, list: true, separator: '|'}\n  value: number\n"
        "  weight: number\nderived:\n  density: {divide: [value, weight]}\n");
  Write("r.yaml",
        "rules:\n  - id: T\n    weight: 10\n    scope: {ports: [LAX]}\n"
        "    when: {tags: X1, density: {gt: 2}}\n"
        "    tests:\n      fires: [{port: lax, tags: [x1, y], value: 10, weight: 4}]\n"
        "      not_fires: [{port: lax, tags: [y], value: 10, weight: 4}]\n");
  CompileResult r = Compile();
  ASSERT_TRUE(r.ok()) << Issues(r);
  EXPECT_TRUE(RunInlineTests(*r.rule_set, 20000).failures.empty());
  const Schema& s = r.rule_set->schema();
  auto rec = Record::FromFields(s, {{"id", "1"}, {"port", "LAX"}, {"tags", "a|x1"}, {"value", "9"}, {"weight", "3"}});
  ASSERT_TRUE(rec.ok());
  Scorer scorer(r.rule_set);
  ScoreResult res;
  ASSERT_TRUE(scorer.Score(rec.value(), &res).ok());
  EXPECT_EQ(res.score, 10);
  EXPECT_EQ(res.lane, Lane::kRed);
}

TEST_F(LoaderTest, BadCustomSchema) {
  Write("targeting.yaml", "schema: {file: s.yaml}\n");
  Write("s.yaml", "fields:\n  record_id: string\n  all: code\n  x: {type: colour}\n");
  CompileResult r = Compile();
  ASSERT_FALSE(r.ok());
  std::string issues = Issues(r);
  EXPECT_NE(issues.find("s.yaml:3:3: error: 'all' is reserved"), std::string::npos) << issues;
  EXPECT_NE(issues.find("s.yaml:4:13: error: unknown type 'colour'"), std::string::npos) << issues;
}

}  // namespace
}  // namespace targeting
