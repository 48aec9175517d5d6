// Helpers shared by the tests: compile YAML text, build records, score.
#ifndef TARGETING_TESTS_TEST_UTIL_H_
#define TARGETING_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "file_util.h"
#include "targeting/targeting.h"

namespace targeting::testing {

// Compiles a single-file rule set; fails the test (and returns null) on errors.
inline std::shared_ptr<const RuleSet> MustCompile(const std::string& yaml) {
  CompileResult r = CompileString(yaml, "test.yaml");
  std::string all;
  for (const Issue& i : r.issues) all += i.ToString() + "\n";
  EXPECT_TRUE(r.ok()) << all;
  return r.rule_set;
}

// The error lines ("file:line:col: error: ...") of a rule set that must not compile.
inline std::vector<std::string> Errors(const std::string& yaml) {
  CompileResult r = CompileString(yaml, "test.yaml");
  std::vector<std::string> out;
  for (const Issue& i : r.issues) {
    if (i.severity == Severity::kError) out.push_back(i.ToString());
  }
  EXPECT_FALSE(r.ok()) << "expected errors";
  return out;
}

inline bool AnyContains(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

inline std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

inline Record MakeRecord(const RuleSet& rules, Fields fields) {
  bool has_id = std::any_of(fields.begin(), fields.end(),
                            [](const auto& f) { return f.first == "record_id"; });
  if (!has_id) fields.emplace_back("record_id", "R1");
  auto r = Record::FromFields(rules.schema(), fields);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : Record(rules.schema());
}

// Ids of the entries that fire, by the reference and by the index (which must agree).
inline std::vector<std::string> Fired(const std::shared_ptr<const RuleSet>& rules, const Record& rec,
                                      Days as_of = 20000) {
  Scorer scorer(rules, ScoreOptions{as_of});
  ScoreResult ref, idx;
  EXPECT_TRUE(scorer.ScoreReference(rec, &ref).ok());
  EXPECT_TRUE(scorer.Score(rec, &idx).ok());
  EXPECT_EQ(ref.fired, idx.fired) << "index and reference disagree";
  std::vector<std::string> ids;
  for (auto i : ref.fired) ids.push_back(rules->entries()[i].id);
  return ids;
}

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_TEST_UTIL_H_
