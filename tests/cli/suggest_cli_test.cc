// targeting suggest on a gen corpus, with the holdout from two thirds of its
// date range: every pattern truth.json lists as suggestable (or a
// conjunction containing it) is suggested and keeps its lift, no noise
// pattern keeps its lift, and the written drafts pass check with the pack.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "run_command.h"
#include "targeting/record.h"

namespace targeting::testing {
namespace {

using Terms = std::set<std::pair<std::string, std::string>>;  // field, eq value

// The eq terms of a condition as a rule file holds it: {"F": "V"} or
// {"all": [{"F": "V"}, ...]}; other tests are left out (they only narrow).
Terms EqTerms(simdjson::dom::element when) {
  Terms out;
  auto add = [&out](simdjson::dom::object o) {
    for (auto [k, v] : o) {
      if (v.is_string()) out.emplace(std::string(k), std::string(v.get_string().value()));
    }
  };
  simdjson::dom::object o = when.get_object().value();
  simdjson::dom::array all;
  if (o["all"].get(all) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : all) add(e.get_object().value());
  } else {
    add(o);
  }
  return out;
}

bool Contains(const Terms& big, const Terms& small) {
  for (const auto& t : small) {
    if (!big.count(t)) return false;
  }
  return true;
}

class SuggestCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(FreshDir("suggest"));
    CommandResult g = RunTargeting("gen --records 200000 --seed 7 --quiet -o " + (*dir_ / "c").string());
    ASSERT_EQ(g.exit_code, 0) << g.err;
    // The holdout starts two thirds into the corpus's date range.
    truth_text_ = new std::string(Slurp(*dir_ / "c" / "truth.json"));
    simdjson::dom::parser parser;
    simdjson::dom::element truth;
    ASSERT_EQ(parser.parse(*truth_text_).get(truth), simdjson::SUCCESS);
    const std::string first(truth["generator"]["first_day"].get_string().value());
    const std::int64_t days = truth["generator"]["days"].get_int64().value();
    holdout_from_ = new std::string(FormatDate(*ParseDate(first) + static_cast<Days>(days * 2 / 3)));
    run_ = new CommandResult(RunTargeting(
        "suggest " + Src("rules") + " " + C("manifest.csv") + " --outcomes " + C("outcomes.csv") +
        " --holdout-from " + *holdout_from_ + " --as-of 2026-09-30 --format json -o " +
        (*dir_ / "suggest.json").string() + " --write " + (*dir_ / "drafts").string()));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete truth_text_;
    delete holdout_from_;
    delete run_;
  }
  static std::string C(const std::string& f) { return (*dir_ / "c" / f).string(); }
  static std::filesystem::path* dir_;
  static std::string* truth_text_;
  static std::string* holdout_from_;
  static CommandResult* run_;
};
std::filesystem::path* SuggestCli::dir_ = nullptr;
std::string* SuggestCli::truth_text_ = nullptr;
std::string* SuggestCli::holdout_from_ = nullptr;
CommandResult* SuggestCli::run_ = nullptr;

TEST_F(SuggestCli, FindsThePlantedPatternsAndNoNoiseKeepsItsLift) {
  ASSERT_EQ(run_->exit_code, 0) << run_->err;
  EXPECT_EQ(*holdout_from_, "2026-06-01");
  const std::string report = Slurp(*dir_ / "suggest.json");
  simdjson::dom::parser p1, p2;
  simdjson::dom::element truth, doc;
  ASSERT_EQ(p1.parse(*truth_text_).get(truth), simdjson::SUCCESS);
  ASSERT_EQ(p2.parse(report).get(doc), simdjson::SUCCESS) << report;
  std::vector<std::pair<Terms, bool>> suggestions;  // terms, keeps_lift
  simdjson::dom::array listed = doc["suggestions"].get_array().value();
  for (simdjson::dom::element s : listed) {
    suggestions.emplace_back(EqTerms(s["when"].value()), s["keeps_lift"].get_bool().value());
    // keeps_lift is exactly the holdout's ci_low above the holdout base rate.
    const double base = doc["holdout"]["base_rate"].get_double().value();
    double low = -1;
    if (s["holdout"]["ci_low"].get_double().get(low) != simdjson::SUCCESS) low = -1;
    EXPECT_EQ(s["keeps_lift"].get_bool().value(), low > base);
  }
  ASSERT_FALSE(suggestions.empty()) << report;

  std::size_t planted = 0;
  simdjson::dom::array suggestable = truth["suggestable"].get_array().value();
  for (simdjson::dom::element pat : suggestable) {
    ++planted;
    const Terms want = EqTerms(pat["when"].value());
    bool found = false;
    for (const auto& [terms, keeps] : suggestions) found = found || (keeps && Contains(terms, want));
    EXPECT_TRUE(found) << "planted pattern " << pat["id"].get_string().value() << " not suggested with its lift kept:\n"
                       << report;
  }
  EXPECT_GE(planted, 2u);
  std::size_t noise = 0;
  simdjson::dom::array noise_patterns = truth["noise"].get_array().value();
  for (simdjson::dom::element pat : noise_patterns) {
    ++noise;
    const Terms want = EqTerms(pat["when"].value());
    for (const auto& [terms, keeps] : suggestions) {
      EXPECT_FALSE(keeps && Contains(terms, want))
          << "noise pattern " << pat["id"].get_string().value() << " keeps its lift:\n" << report;
    }
  }
  EXPECT_GE(noise, 1u);
}

TEST_F(SuggestCli, WrittenDraftsPassCheckWithThePack) {
  ASSERT_EQ(run_->exit_code, 0) << run_->err;
  const std::string report = Slurp(*dir_ / "suggest.json");
  std::size_t keeping = 0;
  for (std::size_t at = report.find("\"keeps_lift\": true"); at != std::string::npos;
       at = report.find("\"keeps_lift\": true", at + 1)) {
    ++keeping;
  }
  ASSERT_GT(keeping, 0u);
  const auto pack = *dir_ / "pack";
  std::filesystem::copy(Src("rules"), pack, std::filesystem::copy_options::recursive);
  std::filesystem::create_directories(pack / "suggested");
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(*dir_ / "drafts")) {
    const std::string text = Slurp(e.path());
    EXPECT_NE(text.find("    kind: query\n    status: draft\n"), std::string::npos) << text;
    EXPECT_NE(text.find("      fires:\n"), std::string::npos) << text;
    EXPECT_NE(text.find("      not_fires:\n"), std::string::npos) << text;
    std::filesystem::copy(e.path(), pack / "suggested" / e.path().filename());
    ++files;
  }
  EXPECT_EQ(files, keeping);
  CommandResult check = RunTargeting("check " + pack.string());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find(", 0 errors, 0 warnings;"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find(" inline tests, 0 failed"), std::string::npos) << check.out;
}

// Usage errors need no corpus of their own: the golden one serves.
TEST(SuggestCliErrors, BadInputIsExitTwoWithAReason) {
  const std::string g = Src("tests/golden/suggest/");
  const auto dir = FreshDir("suggest-errors");
  const std::string base = "suggest " + g + "pack " + g + "records.csv --outcomes " + g + "outcomes.csv";
  CommandResult r = RunTargeting(base + " --holdout-from 2026-13-01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--holdout-from '2026-13-01' is not a date"), std::string::npos) << r.err;
  r = RunTargeting(base);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--holdout-from DATE is required"), std::string::npos) << r.err;
  r = RunTargeting(base + " --holdout-from 2026-06-01 --fields carrier,nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown field 'nope'"), std::string::npos) << r.err;
  r = RunTargeting(base + " --holdout-from 2026-06-01 --max-terms 9");
  EXPECT_EQ(r.exit_code, 2);
  r = RunTargeting("suggest " + g + "pack - --outcomes " + g + "outcomes.csv --holdout-from 2026-06-01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("reads its inputs twice"), std::string::npos) << r.err;
  // A bad rule set names the file, line and column.
  const auto bad = dir / "bad.yaml";
  WriteFile(bad, "rules:\n  - id: B1\n    when: {carrier: {startswith: X}}\n");
  r = RunTargeting("suggest " + bad.string() + " " + g + "records.csv --outcomes " + g +
                   "outcomes.csv --holdout-from 2026-06-01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml:3:"), std::string::npos) << r.err;
  // A list file whose field cannot be told.
  const auto list = dir / "plain.txt";
  WriteFile(list, "ACME\n");
  r = RunTargeting(base + " --holdout-from 2026-06-01 --lists " + list.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("plain.txt:1:1: cannot tell which field"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(SuggestCliErrors, HelpAnswers) {
  CommandResult r = RunTargeting("suggest --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--holdout-from"), std::string::npos);
  CommandResult c = RunTargeting("completion bash");
  EXPECT_NE(c.out.find("    suggest)\n"), std::string::npos);
  EXPECT_NE(c.out.find("--holdout-from"), std::string::npos);
}

}  // namespace
}  // namespace targeting::testing
