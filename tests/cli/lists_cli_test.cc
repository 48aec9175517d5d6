// targeting lists derive: the values on discrepant records, counted here
// independently from the JSON Lines copy of the corpus; reproducible bytes;
// a rule set can use the file.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <map>
#include <sstream>
#include <string>

#include "run_command.h"

namespace targeting::testing {
namespace {

TEST(ListsCli, DeriveRepeatImportersFromOutcomes) {
  auto dir = FreshDir("lists");
  ASSERT_EQ(RunTargeting("gen --records 60000 --seed 9 --quiet -o " + (dir / "c").string()).exit_code, 0);
  const std::string manifest = (dir / "c" / "manifest.csv").string();
  const std::string outcomes = (dir / "c" / "outcomes.csv").string();
  const std::string list = (dir / "derived.txt").string();
  CommandResult r = RunTargeting("lists derive --outcomes " + outcomes + " " + manifest +
                                 " --field importer_id --min-discrepant 2 -o " + list);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Independently: discrepant record ids from the outcomes (the last row holds),
  // importer ids from the JSON Lines copy.
  std::map<std::string, bool> discrepant;
  std::istringstream rows(Slurp(outcomes));
  std::string line;
  std::getline(rows, line);  // record_id,examined,finding,...
  while (std::getline(rows, line)) {
    std::vector<std::string> cells;
    std::stringstream cs(line);
    std::string cell;
    while (std::getline(cs, cell, ',')) cells.push_back(cell);
    discrepant[cells[0]] = cells.size() > 2 && cells[1] == "true" && cells[2] == "discrepant";
  }
  std::map<std::string, int> counts;
  simdjson::ondemand::parser parser;
  std::istringstream jl(Slurp(dir / "c" / "manifest.jsonl"));
  while (std::getline(jl, line)) {
    simdjson::padded_string p(line);
    auto doc = parser.iterate(p);
    std::string id(std::string_view(doc["record_id"].get_string().value()));
    auto it = discrepant.find(id);
    if (it == discrepant.end() || !it->second) continue;
    std::string_view importer;
    if (doc["importer_id"].get_string().get(importer) == simdjson::SUCCESS && !importer.empty()) {
      std::string code;
      for (char ch : importer) {
        if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')) code += ch;
        if (ch >= 'a' && ch <= 'z') code += static_cast<char>(ch - 32);
      }
      ++counts[code];
    }
  }
  std::string want;
  for (const auto& [code, n] : counts) {
    if (n >= 2) want += code + "\n";
  }
  const std::string text = Slurp(list);
  std::string values, header;
  std::istringstream lines(text);
  while (std::getline(lines, line)) (line.rfind("#", 0) == 0 ? header : values) += line + "\n";
  EXPECT_EQ(values, want);
  EXPECT_FALSE(want.empty());
  EXPECT_NE(header.find("# input sha256:"), std::string::npos);
  EXPECT_NE(header.find("# outcomes sha256:"), std::string::npos);
  EXPECT_NE(header.find("# parameters: --field importer_id --min-discrepant 2\n"), std::string::npos);

  // The same inputs, the same bytes.
  ASSERT_EQ(RunTargeting("lists derive --outcomes " + outcomes + " " + manifest +
                         " --field importer_id -o " + list + ".again").exit_code, 0);
  EXPECT_EQ(Slurp(list + ".again"), text);

  // A rule set uses it.
  std::filesystem::create_directories(dir / "pack");
  WriteFile(dir / "pack" / "targeting.yaml",
            "lists:\n  repeat_importers: {file: ../derived.txt}\n");
  WriteFile(dir / "pack" / "rv.yaml",
            "rules:\n  - id: UDR-DERIVED-0001\n    weight: 30\n    when: {importer_id: {in: {list: repeat_importers}}}\n");
  CommandResult check = RunTargeting("check " + (dir / "pack").string());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  CommandResult bad = RunTargeting("lists derive --outcomes " + outcomes + " " + manifest + " --field hts_cod -o " + list);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "targeting lists: unknown field 'hts_cod'\n");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace targeting::testing
