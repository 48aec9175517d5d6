// The command line as users type it: option forms, usage errors (exit 2 with
// a one-line reason), and the bash completion made from the same tables.
#include <gtest/gtest.h>

#include <string>

#include "run_command.h"

namespace targeting::testing {
namespace {

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

TEST(CliArgs, UsageErrorsAreOneLineWithExitTwo) {
  struct Case {
    std::string args;
    std::string message;
  } cases[] = {
      {"score rules/ x.csv --bogus", "targeting score: unknown option --bogus for 'score' (see targeting score --help)"},
      {"score rules/ x.csv --bogus=1", "targeting score: unknown option --bogus for 'score' (see targeting score --help)"},
      {"score rules/ x.csv --as-of", "targeting score: option --as-of needs a value (DATE)"},
      {"score rules/ x.csv -o", "targeting score: option --output needs a value (FILE)"},
      {"check rules/ --quiet=yes", "targeting check: option --quiet takes no value"},
      {"score rules/", "targeting score: usage: targeting score RULES INPUT... [-o OUT] [--rejects FILE] [--as-of DATE] [--threads N]"},
      {"check rules/ extra", "targeting check: usage: targeting check RULES [--as-of DATE] [--quiet]"},
  };
  for (const Case& c : cases) {
    CommandResult r = RunTargeting(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_EQ(r.err, c.message + "\n") << c.args;
    EXPECT_EQ(r.out, "") << c.args;
  }
}

TEST(CliArgs, ValueFormsRepeatsAndPositionalsAgree) {
  const std::string sample = Src("examples/data/manifest.csv");
  CommandResult spaced = RunTargeting("score " + Src("rules") + " " + sample + " --as-of 2026-09-30");
  CommandResult joined = RunTargeting("score " + Src("rules") + " " + sample + " --as-of=2026-09-30");
  // "--" ends the options; "-" is standard input, a positional.
  CommandResult dashed = RunTargeting("score --as-of 2026-09-30 --input-format csv -- " +
                                      Src("rules") + " -", sample);
  ASSERT_EQ(spaced.exit_code, 0) << spaced.err;
  EXPECT_EQ(spaced.out, joined.out);
  EXPECT_EQ(spaced.out, dashed.out);
  // The last of a repeated single-valued option wins; --entry collects all.
  CommandResult last = RunTargeting("score " + Src("rules") + " " + sample +
                                    " --as-of 1999-01-01 --as-of 2026-09-30");
  EXPECT_EQ(last.out, spaced.out);
  CommandResult entries = RunTargeting("explain " + Src("rules") + " " + sample +
                                       " --as-of 2026-09-30 --record R0000000001 --entry "
                                       "UDR-IPR-0001 --entry=Q-NTC-0142");
  ASSERT_EQ(entries.exit_code, 0) << entries.err;
  EXPECT_NE(entries.out.find("UDR-IPR-0001 ("), std::string::npos);
  EXPECT_NE(entries.out.find("Q-NTC-0142 ("), std::string::npos);
}

TEST(CliArgs, HelpWinsOverMissingArguments) {
  CommandResult r = RunTargeting("score --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(FirstLine(r.out), "usage: targeting score RULES INPUT... [-o OUT] [--rejects FILE] [--as-of DATE] [--threads N]");
  // Every option's help starts in one column.
  std::size_t column = 0;
  std::size_t at = r.out.find("\noptions:\n");
  ASSERT_NE(at, std::string::npos);
  std::string rest = r.out.substr(at + 10);
  int lines = 0;
  for (std::size_t pos = 0; pos < rest.size();) {
    std::size_t end = rest.find('\n', pos);
    std::string line = rest.substr(pos, end - pos);
    pos = end == std::string::npos ? rest.size() : end + 1;
    if (line.empty()) break;
    std::size_t gap = line.find("  ", 2);
    std::size_t text = line.find_first_not_of(' ', gap);
    if (column == 0) column = text;
    EXPECT_EQ(text, column) << line;
    ++lines;
  }
  EXPECT_GT(lines, 10);
}

TEST(CliArgs, BashCompletionNamesEveryCommandAndParses) {
  CommandResult r = RunTargeting("completion bash");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* command : {"check", "score", "explain", "backtest", "promote", "diff", "bench", "gen"}) {
    EXPECT_NE(r.out.find(std::string("    ") + command + ")\n"), std::string::npos) << command;
  }
  EXPECT_NE(r.out.find("--as-of"), std::string::npos);
  EXPECT_NE(r.out.find("complete -o filenames -F _targeting targeting"), std::string::npos);
  auto dir = FreshDir("completion");
  WriteFile(dir / "c.sh", r.out);
  std::string probe = "bash -c 'source " + (dir / "c.sh").string() +
                      "; COMP_WORDS=(targeting score --thr); COMP_CWORD=2; _targeting; "
                      "echo \"${COMPREPLY[*]}\"' > " + (dir / "out").string();
  ASSERT_EQ(std::system(probe.c_str()), 0);
  EXPECT_EQ(Slurp(dir / "out"), "--threads\n");
  std::filesystem::remove_all(dir);
  CommandResult zsh = RunTargeting("completion zsh");
  EXPECT_EQ(zsh.exit_code, 2);
}

}  // namespace
}  // namespace targeting::testing
