// Hostile rule files: each must come back as a clear error with a position
// (where one exists), never a crash, a hang or an exception.
#include <gtest/gtest.h>

#include <chrono>

#include "test_util.h"

namespace targeting {
namespace {

struct Outcome {
  bool compiled = false;
  std::vector<Issue> errors;
  std::string text;
};

Outcome Compile(const std::string& yaml, CompileOptions options = {}) {
  auto start = std::chrono::steady_clock::now();
  CompileResult r = CompileString(yaml, "hostile.yaml", options);
  auto took = std::chrono::steady_clock::now() - start;
  // Not a timing assertion on speed, a guard against a hang or blow-up.
  EXPECT_LT(took, std::chrono::seconds(20));
  Outcome o;
  o.compiled = r.ok();
  for (const Issue& i : r.issues) {
    if (i.severity == Severity::kError) o.errors.push_back(i);
    o.text += i.ToString() + "\n";
  }
  return o;
}

// Fails unless compiling gives an error whose text contains `needle` at a real position.
void ExpectError(const std::string& yaml, const std::string& needle, bool positioned = true,
                 CompileOptions options = {}) {
  Outcome o = Compile(yaml, options);
  EXPECT_FALSE(o.compiled) << yaml.substr(0, 200);
  bool found = false;
  for (const Issue& i : o.errors) {
    if (i.message.find(needle) == std::string::npos) continue;
    found = true;
    if (positioned) {
      EXPECT_GT(i.line, 0) << i.ToString();
    }
  }
  EXPECT_TRUE(found) << "no error containing '" << needle << "' in:\n" << o.text;
}

TEST(HostileRules, EmptyAndMultipleDocuments) {
  ExpectError("", "the file is empty");
  ExpectError("   \n# only a comment\n", "the file is empty");
  ExpectError("rules: []\n---\nrules: []\n", "2 YAML documents");
  ExpectError("---\n...\n---\nx: 1\n", "YAML documents");
}

TEST(HostileRules, DeepNesting) {
  const int n = 10000;
  ExpectError("rules: " + std::string(n, '[') + std::string(n, ']') + "\n", "nesting is too deep");
  std::string deep = "rules:\n  - id: D\n    when: ";
  for (int i = 0; i < n; ++i) deep += "{not: ";
  deep += "{mode: SEA}" + std::string(n, '}') + "\n";
  ExpectError(deep, "too deep");
  // Deep but within yaml-cpp's guard: our own condition depth limit names itself.
  std::string medium = "rules:\n  - id: D\n    when: ";
  for (int i = 0; i < 100; ++i) medium += "{not: ";
  medium += "{mode: SEA}" + std::string(100, '}') + "\n";
  ExpectError(medium, "max_condition_depth=64");
  std::string block = "rules:\n  - id: D\n    when:\n";
  for (int i = 0; i < 70; ++i) block += std::string(6 + 2 * i, ' ') + "not:\n";
  block += std::string(6 + 140, ' ') + "mode: SEA\n";
  ExpectError(block, "max_condition_depth=64");
}

TEST(HostileRules, AliasBombsAndCycles) {
  // Billion laughs: each level doubles ten times; walking it would visit 10^9 nodes.
  std::string bomb = "a: &a [{mode: SEA},{mode: SEA},{mode: SEA},{mode: SEA},{mode: SEA},{mode: SEA},{mode: SEA},{mode: SEA},{mode: SEA},{mode: SEA}]\n";
  const char* names = "abcdefghi";
  for (int i = 1; i < 9; ++i) {
    bomb += std::string("") + names[i] + ": &" + names[i] + " [";
    for (int k = 0; k < 10; ++k) bomb += std::string(k ? "," : "") + "{any: *" + names[i - 1] + "}";
    bomb += "]\n";
  }
  // Anchors at the top level are not valid keys: wrap them in a list definition.
  std::string yaml = "lists:\n  x:\n    values: []\nrules:\n  - id: B\n    when: {any: [";
  yaml += "{any: [{mode: SEA}]}]}\n";
  // Build the bomb inside the entry's condition so it is actually walked.
  std::string walk = "rules:\n  - id: B\n    when:\n      any:\n";
  walk += "        - &a0 {any: [{mode: SEA}, {mode: AIR}, {mode: RAIL}, {mode: MAIL}, {mode: TRUCK}, {mode: SEA}, {mode: AIR}, {mode: RAIL}, {mode: MAIL}, {mode: TRUCK}]}\n";
  for (int i = 1; i < 9; ++i) {
    walk += "        - &a" + std::to_string(i) + " {any: [";
    for (int k = 0; k < 10; ++k) walk += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    walk += "]}\n";
  }
  Outcome o = Compile(walk);
  EXPECT_FALSE(o.compiled);
  EXPECT_NE(o.text.find("max_condition_nodes=10000"), std::string::npos) << o.text;
  // A cyclic alias: yaml-cpp refuses an alias to an anchor still being defined,
  // or builds a cycle that the depth limit stops.
  Outcome cyc = Compile("rules:\n  - id: C\n    when: &c {not: *c}\n");
  EXPECT_FALSE(cyc.compiled) << cyc.text;
  EXPECT_FALSE(cyc.errors.empty());
  Outcome cyc2 = Compile("rules: &r [{id: C, when: {any: *r}}]\n");
  EXPECT_FALSE(cyc2.compiled) << cyc2.text;
}

// A cyclic alias nests as deep as the depth limit lets it: a limit raised to
// millions overflowed the stack (found by hand: check --max-condition-depth
// 100000000 on `when: &c {not: *c}` died of SIGSEGV). The limit is capped.
TEST(HostileRules, ConditionDepthLimitIsCapped) {
  const std::string cyclic = "rules:\n  - id: C\n    when: &c {not: *c}\n";
  CompileOptions deepest;
  deepest.limits.max_condition_depth = kMaxConditionDepthCeiling;
  ExpectError(cyclic, "max_condition_depth=1000", true, deepest);
  CompileOptions over;
  over.limits.max_condition_depth = kMaxConditionDepthCeiling + 1;
  CompileResult r = CompileString(cyclic, "hostile.yaml", over);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "max_condition_depth=1001 is outside 1..1000");
  over.limits.max_condition_depth = 0;
  EXPECT_EQ(CompileString(cyclic, "hostile.yaml", over).status.code(), StatusCode::kInvalidArgument);
}

TEST(HostileRules, YamlCppHistoricalCrashers) {
  for (const std::string& text : {std::string("!2"), std::string("[[:"), std::string("{!\xdb:"),
                                  std::string("- &a\n- a\n-\n-- &a\n- a\n-\n-"),
                                  std::string("{{{{{{{{"), std::string("? [\n: {"),
                                  std::string("\"\\u"), std::string("'"), std::string(":"),
                                  std::string("&&&&"), std::string("*x"), std::string("!<tag:>x"),
                                  std::string("%YAML 1.2\n%YAML 1.2\n---\nx")}) {
    Outcome o = Compile(text);
    EXPECT_FALSE(o.compiled) << text;
    EXPECT_FALSE(o.errors.empty()) << text;
  }
}

// yaml-cpp never consumes a ',' outside [ ] or { } at the start of a
// document: YAML::LoadAll returned empty documents at that spot until memory
// ran out (found by fuzzing). It is an error at the comma.
TEST(HostileRules, StrayCommaAtTheTopLevel) {
  ExpectError(",", "unexpected ','");
  ExpectError(", a\n", "unexpected ','");
  ExpectError("rules: []\n---\n,\n", "unexpected ','");
  Outcome o = Compile("# comment\n  ,\n");
  ASSERT_EQ(o.errors.size(), 1u) << o.text;
  EXPECT_EQ(o.errors[0].line, 2);
  EXPECT_EQ(o.errors[0].column, 3);
}

TEST(HostileRules, EncodingProblems) {
  ExpectError("rules:\n  - id: X\n    when: {description: \"caf\xe9\"}\n", "invalid UTF-8");
  ExpectError(std::string("rules:\n  - id: X\0\n    when: {mode: SEA}\n", 36), "NUL byte");
  ExpectError("rules:\n  - id: X\n    when:\n\tmode: SEA\n", "tab");
  // A BOM is fine.
  Outcome bom = Compile("\xEF\xBB\xBFrules:\n  - {id: X, when: {mode: SEA}}\n");
  EXPECT_TRUE(bom.compiled) << bom.text;
}

TEST(HostileRules, DuplicateKeys) {
  ExpectError("rules:\n  - id: X\n    id: Y\n    when: {mode: SEA}\n", "duplicate key 'id'");
  ExpectError("rules: []\nrules: []\n", "duplicate key 'rules'");
  ExpectError("rules:\n  - id: X\n    when: {mode: {eq: SEA, eq: AIR}}\n", "duplicate key 'eq'");
}

TEST(HostileRules, RegexesRe2Rejects) {
  auto rx = [](const std::string& pattern) {
    return "rules:\n  - id: X\n    when: {description: {regex: '" + pattern + "'}}\n";
  };
  ExpectError(rx("(a)\\1"), "rejected by RE2");
  ExpectError(rx("(?=a)b"), "rejected by RE2");
  ExpectError(rx("(?<!a)b"), "rejected by RE2");
  ExpectError(rx("a{1001}"), "rejected by RE2");
  ExpectError(rx("("), "rejected by RE2");
  // Over the memory budget or the program-size limit.
  ExpectError(rx("((((a{100}){100}){100}){100})"), "RE2");
  CompileOptions tight;
  tight.limits.max_regex_program_size = 50;
  ExpectError(rx("[a-z]{100}"), "max_regex_program_size=50", true, tight);
}

TEST(HostileRules, NonFiniteAndEmptyOperands) {
  auto num = [](const std::string& v) {
    return "rules:\n  - id: X\n    when: {quantity: {gt: " + v + "}}\n";
  };
  for (const char* v : {".nan", "NaN", "nan", "inf", "-inf", ".inf", "1e309", "-1e309", "0x10", "'1,000'", "1e", "--1"}) {
    ExpectError(num(v), "is not a number");
  }
  ExpectError("rules:\n  - id: X\n    when: {hts_code: {prefix: ''}}\n", "empty once normalized");
  ExpectError("rules:\n  - id: X\n    when: {hts_code: {prefix: '..'}}\n", "empty once normalized");
  ExpectError("rules:\n  - id: X\n    when: {description: {contains: ''}}\n", "empty once normalized");
  ExpectError("rules:\n  - id: X\n    when: {mode: {in: []}}\n", "empty sequence");
  ExpectError("rules:\n  - id: X\n    weight: .nan\n    when: {mode: SEA}\n", "must be a number");
  ExpectError("lanes: {red: .inf}\nrules: []\n", "must be a number");
}

TEST(HostileRules, HugeLists) {
  std::string big = "lists:\n  big:\n    values: [";
  for (int i = 0; i < 1'000'000; ++i) big += (i ? ",A" : "A") + std::to_string(i);
  big += "]\nrules:\n  - {id: X, when: {importer_id: {in: {list: big}}}}\n";
  ExpectError(big, "max_list_size=100000");
  // Within a raised limit it compiles.
  std::string ok = "lists:\n  big:\n    values: [";
  for (int i = 0; i < 200'000; ++i) ok += (i ? ",A" : "A") + std::to_string(i);
  ok += "]\nrules:\n  - {id: X, when: {importer_id: {in: {list: big}}}}\n";
  CompileOptions raised;
  raised.limits.max_list_size = 1'000'000;
  Outcome o = Compile(ok, raised);
  EXPECT_TRUE(o.compiled) << o.text.substr(0, 500);
}

TEST(HostileRules, TooManyEntries) {
  std::string many = "rules:\n";
  for (int i = 0; i < 20; ++i) many += "  - {id: X" + std::to_string(i) + ", when: {mode: SEA}}\n";
  CompileOptions few;
  few.limits.max_entries = 10;
  ExpectError(many, "max_entries=10", true, few);
}

}  // namespace
}  // namespace targeting
