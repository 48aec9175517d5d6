// Golden files for targeting suggest over the small fixed corpus of
// tests/golden/suggest: a pattern that holds all quarter (carrier ZX by
// express) and one that holds only until mid-February (port 3001 to
// residences), with the holdout from March. Commands run inside that
// directory with relative paths.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_util.h"
#include "golden/golden_util.h"

namespace targeting {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::ExpectGolden;
using testing::GoldenDir;
using testing::RunCli;

std::vector<std::string> SuggestArgs(std::vector<std::string> more) {
  std::vector<std::string> a = {"suggest", "pack", "records.csv", "--outcomes", "outcomes.csv",
                                "--holdout-from", "2026-03-01", "--as-of", "2026-06-01",
                                "--fields", "mode,port_of_entry,carrier,consignee_type,hts_code,declared_value_usd"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

TEST(GoldenSuggest, TextJsonAndDraft) {
  const std::string dir = GoldenDir("suggest");
  const std::string tmp = testing::TempDir("golden-suggest");
  CliResult text = RunCli(dir, SuggestArgs({}));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  ExpectGolden(dir + "/suggest.txt.expected", text.out);

  CliResult json = RunCli(dir, SuggestArgs({"--format", "json", "-o", tmp + "/suggest.json"}));
  EXPECT_EQ(json.exit_code, 0) << json.err;
  ExpectGolden(dir + "/suggest.json.expected", testing::Slurp(tmp + "/suggest.json"));

  CliResult w = RunCli(dir, SuggestArgs({"--write", tmp + "/drafts"}));
  EXPECT_EQ(w.exit_code, 0) << w.err;
  std::vector<std::string> written = testing::FilesWithExtension(tmp + "/drafts", ".yaml");
  ASSERT_EQ(written.size(), 1u);
  ExpectGolden(dir + "/draft.yaml.expected", testing::Slurp(tmp + "/drafts/" + written[0]));

  // The same inputs give the same bytes.
  CliResult again = RunCli(dir, SuggestArgs({}));
  EXPECT_EQ(again.out, text.out);
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace targeting
