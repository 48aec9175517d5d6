// Golden files for what `check` prints: every YAML file in tests/golden/errors
// is compiled as a single-file rule set and its issues (and inline test
// failures, when it compiles) are compared with NAME.yaml.expected.
#include <gtest/gtest.h>

#include "golden/golden_util.h"
#include "targeting/targeting.h"

namespace targeting {
namespace {

std::string CheckOutput(const std::string& name, const std::string& text) {
  Compiler compiler;
  compiler.AddSource("errors/" + name, text, SourceRole::kSingle);
  CompileResult result = compiler.Build();
  std::string out;
  for (const Issue& i : result.issues) out += i.ToString() + "\n";
  if (result.ok()) {
    TestReport report = RunInlineTests(*result.rule_set, *ParseDate("2026-06-01"));
    for (const TestFailure& f : report.failures) out += f.ToString() + "\n";
    out += "tests run: " + std::to_string(report.run) + "\n";
  } else {
    out += "does not compile\n";
  }
  return out;
}

TEST(GoldenErrors, EveryFile) {
  const std::string dir = testing::GoldenDir("errors");
  auto files = testing::FilesWithExtension(dir, ".yaml");
  ASSERT_GE(files.size(), 5u);
  for (const std::string& name : files) {
    SCOPED_TRACE(name);
    testing::ExpectGolden(dir + "/" + name + ".expected",
                          CheckOutput(name, testing::ReadAll(dir + "/" + name)));
  }
}

}  // namespace
}  // namespace targeting
