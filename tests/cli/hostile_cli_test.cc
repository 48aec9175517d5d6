// Hostile inputs through the built `targeting` command. Nothing here may
// crash or hang `check` or `score`:
// - a broken rule set gives exit 1 or 2 with a message, never 0, never a
//   signal, within a timeout;
// - a hostile record file gives exit 0 or 1 with the summary
//   `read N = scored S + rejected R`, N = S + R, S output lines, and R reject
//   lines each with a line number and a reason (exit 1 exactly when R > 0);
// - inputs that cannot be records (a device, a directory, an endless line on
//   standard input) give exit 2 with a message, within the timeout.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <sstream>

#include "cli/run_command.h"

namespace targeting::testing {
namespace {

namespace fs = std::filesystem;

const std::string kGoodRules = Src("tests/golden/score/rules.yaml");
const std::string kGoodCsv = Src("tests/golden/score/records.csv");

struct CliRun {
  int code = -1;  // the exit code; 124 and up: a timeout or a signal
  std::string out, err;
};

// Runs `targeting ARGS` under `timeout`, so a hang fails the test instead of
// stalling it; `stdin_path` (shell text) is fed to standard input.
CliRun Targeting(const std::string& args, const std::string& stdin_path = "/dev/null") {
  auto dir = FreshDir("hostile-run");
  std::string cmd = "timeout -s KILL 60 " + std::string(TARGETING_CLI) + " " + args + " >" +
                    (dir / "out").string() + " 2>" + (dir / "err").string() + " <" + stdin_path;
  int rc = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + (WIFSIGNALED(rc) ? WTERMSIG(rc) : 0);
  r.out = Slurp(dir / "out");
  r.err = Slurp(dir / "err");
  fs::remove_all(dir);
  return r;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// A 100 MB file of one line and no line end, shared by the tests and
// removed when the test program ends.
const fs::path& HugeLine() {
  struct Huge {
    fs::path dir = FreshDir("huge");
    fs::path path = dir / "line.txt";
    Huge() {
      std::ofstream f(path, std::ios::binary);
      std::string block(1 << 20, 'x');
      for (int i = 0; i < 100; ++i) f << block;
    }
    ~Huge() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  };
  static const Huge huge;
  return huge.path;
}

// Broken rule sets: `check` exits 1 or 2, `score` exits 2 (it cannot run),
// each with a message.
void ExpectBrokenRules(const std::string& name, const std::string& path) {
  SCOPED_TRACE(name + ": " + path);
  CliRun check = Targeting("check '" + path + "'");
  EXPECT_TRUE(check.code == 1 || check.code == 2) << "exit " << check.code << "\n" << check.err;
  EXPECT_FALSE(check.out.empty() && check.err.empty());
  CliRun score = Targeting("score '" + path + "' " + kGoodCsv);
  EXPECT_EQ(score.code, 2) << score.err;
  EXPECT_NE(score.err.find("targeting score: "), std::string::npos) << score.err;
  EXPECT_TRUE(score.out.empty()) << score.out.substr(0, 200);
}

TEST(HostileCli, RuleFiles) {
  const fs::path d = FreshDir("rule-files");
  std::vector<std::pair<std::string, std::string>> files = {
      {"empty", ""},
      {"comment only", "# nothing\n"},
      {"bom only", "\xEF\xBB\xBF"},
      {"two documents", "rules: []\n---\nrules: []\n"},
      {"deep flow", Repeat("[", 10000) + Repeat("]", 10000)},
      {"deep block", "rules:\n  - id: D\n    when: " + Repeat("{not: ", 10000) + "{mode: SEA}" +
                         Repeat("}", 10000) + "\n"},
      {"deeper than the limit", "rules:\n  - id: D\n    when: " + Repeat("{not: ", 100) +
                                    "{mode: SEA}" + Repeat("}", 100) + "\n"},
      {"cyclic alias", "rules:\n  - id: C\n    when: &c {not: *c}\n"},
      {"cyclic alias 2", "rules: &r [{id: C, when: {any: *r}}]\n"},
      {"undefined alias", "rules: *nowhere\n"},
      {"crasher !2", "!2"},
      {"crasher [[:", "[[:"},
      {"crasher {!\\xdb:", "{!\xdb:"},
      {"stray comma", ","},
      {"stray comma 2", "rules: []\n---\n, x\n"},
      {"invalid utf-8", "rules:\n  - id: X\n    when: {description: \"caf\xe9\"}\n"},
      {"nul byte", std::string("rules:\n  - id: X\0\n    when: {mode: SEA}\n", 36)},
      {"tab indent", "rules:\n  - id: X\n    when:\n\tmode: SEA\n"},
      {"duplicate keys", "rules:\n  - id: X\n    id: Y\n    when: {mode: SEA}\n"},
      {"backreference", "rules:\n  - id: X\n    when: {description: {regex: '(a)\\1'}}\n"},
      {"lookahead", "rules:\n  - id: X\n    when: {description: {regex: '(?=a)b'}}\n"},
      {"lookbehind", "rules:\n  - id: X\n    when: {description: {regex: '(?<!a)b'}}\n"},
      {"repeat over 1000", "rules:\n  - id: X\n    when: {description: {regex: 'a{1001}'}}\n"},
      {"regex over budget", "rules:\n  - id: X\n    when: {description: {regex: '((((a{100}){100}){100}){100})'}}\n"},
      {"nan", "rules:\n  - id: X\n    when: {quantity: {gt: .nan}}\n"},
      {"inf", "rules:\n  - id: X\n    when: {quantity: {lt: .inf}}\n"},
      {"1e309", "rules:\n  - id: X\n    when: {quantity: {ge: 1e309}}\n"},
      {"nan weight", "rules:\n  - id: X\n    weight: .nan\n    when: {mode: SEA}\n"},
      {"empty prefix", "rules:\n  - id: X\n    when: {hts_code: {prefix: ''}}\n"},
      {"punctuation prefix", "rules:\n  - id: X\n    when: {hts_code: {prefix: '..'}}\n"},
      {"not a mapping", "- a\n- b\n"},
      {"scalar", "hello\n"},
      {"rules not a list", "rules: {a: 1}\n"},
      {"unknown list", "rules:\n  - {id: X, when: {importer_id: {in: {list: nope}}}}\n"},
  };
  // An alias bomb: nine levels of ten, 10^9 nodes if expanded.
  std::string bomb = "rules:\n  - id: B\n    when:\n      any:\n        - &a0 {any: [{mode: SEA}, {mode: AIR}]}\n";
  for (int i = 1; i < 9; ++i) {
    bomb += "        - &a" + std::to_string(i) + " {any: [";
    for (int k = 0; k < 10; ++k) bomb += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    bomb += "]}\n";
  }
  files.emplace_back("alias bomb", bomb);
  std::string big = "lists:\n  big:\n    values: [";
  for (int i = 0; i < 1'000'000; ++i) big += (i ? ",A" : "A") + std::to_string(i);
  big += "]\nrules:\n  - {id: X, when: {importer_id: {in: {list: big}}}}\n";
  files.emplace_back("a list of 10^6 values", big);
  int n = 0;
  for (const auto& [name, text] : files) {
    fs::path p = d / ("r" + std::to_string(n++) + ".yaml");
    WriteFile(p, text);
    ExpectBrokenRules(name, p.string());
  }
  ExpectBrokenRules("100 MB on one line", HugeLine().string());
  fs::remove_all(d);
}

TEST(HostileCli, RuleSetPaths) {
  const fs::path d = FreshDir("rule-paths");
  const std::string good = "rules:\n  - {id: R1, when: {mode: SEA}}\n";
  ExpectBrokenRules("missing", (d / "nowhere").string());
  ExpectBrokenRules("/dev/zero", "/dev/zero");
  ASSERT_EQ(::mkfifo((d / "fifo.yaml").c_str(), 0600), 0);
  ExpectBrokenRules("a FIFO", (d / "fifo.yaml").string());
  // A directory with a symlink loop, a dangling link, a FIFO named *.yaml.
  fs::create_directories(d / "loop");
  WriteFile(d / "loop" / "a.yaml", good);
  fs::create_symlink("c.yaml", d / "loop" / "b.yaml");
  fs::create_symlink("b.yaml", d / "loop" / "c.yaml");
  ExpectBrokenRules("symlink loop", (d / "loop").string());
  fs::create_directories(d / "dirloop");
  WriteFile(d / "dirloop" / "a.yaml", good);
  fs::create_directory_symlink("..", d / "dirloop" / "up");
  ExpectBrokenRules("directory symlink loop", (d / "dirloop").string());
  fs::create_directories(d / "dangling");
  WriteFile(d / "dangling" / "a.yaml", good);
  fs::create_symlink("gone.yaml", d / "dangling" / "b.yaml");
  ExpectBrokenRules("dangling link", (d / "dangling").string());
  fs::create_directories(d / "withfifo");
  WriteFile(d / "withfifo" / "a.yaml", good);
  ASSERT_EQ(::mkfifo((d / "withfifo" / "b.yaml").c_str(), 0600), 0);
  ExpectBrokenRules("FIFO in a directory", (d / "withfifo").string());
  // A list file that is a directory, a FIFO, a device.
  for (const std::string& list : {std::string("lists"), std::string("fifo.yaml"), std::string("/dev/zero")}) {
    fs::create_directories(d / "lists");
    WriteFile(d / "lists.yaml", "lists:\n  a: {file: " + list + "}\nrules:\n  - {id: X, when: {importer_id: {in: {list: a}}}}\n");
    ExpectBrokenRules("list file " + list, (d / "lists.yaml").string());
  }
  if (::geteuid() != 0) {
    WriteFile(d / "locked.yaml", good);
    fs::permissions(d / "locked.yaml", fs::perms::none);
    ExpectBrokenRules("unreadable", (d / "locked.yaml").string());
    fs::create_directories(d / "lockeddir" / "sub");
    WriteFile(d / "lockeddir" / "sub" / "a.yaml", good);
    fs::permissions(d / "lockeddir" / "sub", fs::perms::none);
    ExpectBrokenRules("unreadable directory", (d / "lockeddir").string());
    fs::permissions(d / "lockeddir" / "sub", fs::perms::owner_all);
  }
  // A directory named x.yaml is a directory: its rules are read.
  fs::create_directories(d / "dirs" / "x.yaml");
  WriteFile(d / "dirs" / "x.yaml" / "a.yaml", good);
  CliRun ok = Targeting("check " + (d / "dirs").string());
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("1 entries"), std::string::npos) << ok.out;
  fs::remove_all(d);
}

struct Summary {
  bool found = false;
  std::uint64_t read = 0, scored = 0, rejected = 0;
};

// The number after `label` in `text`, or nullopt.
std::optional<std::uint64_t> NumberAfter(const std::string& text, const std::string& label) {
  std::size_t at = text.find(label);
  if (at == std::string::npos) return std::nullopt;
  at += label.size();
  std::size_t end = at;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  if (end == at) return std::nullopt;
  return std::stoull(text.substr(at, end - at));
}

Summary ParseSummary(const std::string& err) {
  Summary s;
  const std::size_t at = err.find(": read ");
  if (at == std::string::npos) return s;
  const std::string line = err.substr(at, err.find('\n', at) - at);
  auto read = NumberAfter(line, ": read ");
  auto scored = NumberAfter(line, " = scored ");
  auto rejected = NumberAfter(line, " + rejected ");
  if (!read || !scored || !rejected) return s;
  s.found = true;
  s.read = *read;
  s.scored = *scored;
  s.rejected = *rejected;
  return s;
}

// Scores `path` with good rules: exit 0 or 1, everything accounted for.
// Returns the summary.
Summary ExpectAccounted(const std::string& name, const std::string& path,
                        const std::string& extra = "") {
  SCOPED_TRACE(name + ": " + path);
  auto dir = FreshDir("rejects");
  const fs::path rejects = dir / "rejects.jsonl";
  CliRun r = Targeting("score " + kGoodRules + " '" + path + "' --rejects " + rejects.string() + " " + extra);
  EXPECT_TRUE(r.code == 0 || r.code == 1) << "exit " << r.code << "\n" << r.err;
  Summary s = ParseSummary(r.err);
  EXPECT_TRUE(s.found) << r.err;
  EXPECT_EQ(s.read, s.scored + s.rejected) << r.err;
  EXPECT_EQ(r.code, s.rejected > 0 ? 1 : 0) << r.err;
  EXPECT_EQ(static_cast<std::uint64_t>(std::count(r.out.begin(), r.out.end(), '\n')), s.scored);
  const std::string rej = Slurp(rejects);
  EXPECT_EQ(static_cast<std::uint64_t>(std::count(rej.begin(), rej.end(), '\n')), s.rejected) << rej;
  std::istringstream lines(rej);
  for (std::string line; std::getline(lines, line);) {
    auto number = NumberAfter(line, "\"line\":");
    EXPECT_TRUE(number && *number > 0) << line;
    const std::size_t reason = line.find("\"reason\":\"");
    EXPECT_TRUE(reason != std::string::npos && line.compare(reason + 10, 1, "\"") != 0) << line;
  }
  fs::remove_all(dir);
  return s;
}

TEST(HostileCli, RecordFiles) {
  const fs::path d = FreshDir("record-files");
  const std::string h = "record_id,mode,quantity,description\n";
  struct Case {
    std::string name, file, text;
    std::uint64_t read;  // records in it (data rows or non-blank lines)
  };
  std::vector<Case> cases = {
      {"ragged rows", "ragged.csv", h + "B1,SEA\nB2,SEA,1,x,extra\nB3,AIR,2,y\n", 3},
      {"unterminated quote", "quote.csv", h + "B1,SEA,1,\"open\nB2,AIR,2,y\n", 1},
      {"stray quotes", "stray.csv", h + "B1,S\"EA,1,x\n\"B2\"x,AIR,2,y\nB3,AIR,3,z\n", 3},
      {"CR-only line ends", "cr.csv", "record_id,mode\rB1,SEA\rB2,AIR\r", 2},
      {"CRLF and no final newline", "crlf.csv", "record_id,mode\r\nB1,SEA\r\nB2,AIR", 2},
      {"missing final newline", "nofinal.csv", h + "B1,SEA,1,x", 1},
      {"huge field", "hugefield.csv", h + "B1,SEA,1," + std::string(2 << 20, 'd') + "\nB2,AIR,2,y\n", 2},
      {"invalid UTF-8", "utf8.csv", h + "B1,SEA,1,caf\xe9\nB2,AIR,2,\xc0\xaf\nB3,AIR,3,ok\n", 3},
      {"NUL bytes", "nul.csv", h + "B1,SEA,1,a" + '\0' + "b\nB" + '\0' + ",AIR,2,y\n", 2},
      {"thousands separators", "thousands.csv", h + "B1,SEA,\"1,000\",x\nB2,SEA,1 000,x\nB3,SEA,1.000.000,x\n", 3},
      {"inf and nan", "inf.csv", h + "B1,SEA,inf,x\nB2,SEA,nan,x\nB3,SEA,1e309,x\nB4,SEA,0x10,x\n", 4},
      {"duplicate record ids", "dups.csv", h + "B1,SEA,1,x\nB1,AIR,2,y\nB1,SEA,3,z\n", 3},
      {"missing record ids", "noid.csv", h + ",SEA,1,x\n\"\",AIR,2,y\n", 2},
      {"bad dates", "dates.csv", "record_id,arrival_date\nB1,2026-02-30\nB2,2026-13-01\nB3,yesterday\n", 3},
      {"byte order mark", "bom.csv", "\xEF\xBB\xBF" + h + "B1,SEA,1,x\n", 1},
      {"empty", "empty.csv", "", 0},
      {"header only", "header.csv", h, 0},
      {"blank lines", "blank.csv", h + "\n\n\nB1,SEA,1,x\n\n", 1},
      {"malformed JSON", "bad.jsonl", "{\"record_id\":\"B1\",}\n{record_id:\"B2\"}\n{\"record_id\":\"B3\"}x\n[1]\n\"s\"\n", 5},
      {"truncated JSON", "trunc.jsonl", "{\"record_id\":\"B1\",\"mode\":\"SE", 1},
      {"deeply nested JSON", "deep.jsonl", "{\"record_id\":\"B1\",\"x\":" + Repeat("[", 100000) + Repeat("]", 100000) + "}\n" + Repeat("{\"a\":", 50000) + "\n{\"record_id\":\"B2\"}\n", 3},
      {"JSON wrong types", "types.jsonl", "{\"record_id\":{}}\n{\"record_id\":\"B2\",\"mode\":[\"SEA\"]}\n{\"record_id\":\"B3\",\"routing\":[[\"HK\"]]}\n{\"record_id\":\"B4\",\"quantity\":\"1,000\"}\n", 4},
      {"JSON invalid UTF-8", "utf8.jsonl", "{\"record_id\":\"B\xff\"}\n{\"record_id\":\"B2\"}\n", 2},
      {"JSON duplicate keys and ids", "dupkeys.jsonl", "{\"record_id\":\"B1\",\"record_id\":\"B2\"}\n{\"record_id\":\"B1\"}\n{\"record_id\":\"B1\"}\n", 3},
      {"JSON NUL bytes", "nul.jsonl", std::string("{\"record_id\":\"B1\\u0000\"}\n{\"record_id\":\"B") + '\0' + "\"}\n", 2},
      {"JSON blank and CR lines", "cr.jsonl", "\r\n  \r{\"record_id\":\"B1\"}\r{\"record_id\":\"B2\"}", 2},
  };
  for (const Case& c : cases) {
    const fs::path p = d / c.file;
    WriteFile(p, c.text);
    Summary s = ExpectAccounted(c.name, p.string());
    EXPECT_EQ(s.read, c.read) << c.name;
  }
  // 100 MB on one line: one reject (a JSON line; a CSV row after a header).
  fs::copy_file(HugeLine(), d / "huge.jsonl");
  EXPECT_EQ(ExpectAccounted("100 MB JSON line", (d / "huge.jsonl").string()).rejected, 1u);
  {
    std::ofstream f(d / "huge.csv", std::ios::binary);
    f << "record_id,description\n" << std::ifstream(HugeLine(), std::ios::binary).rdbuf() << "\nB2,x\n";
  }
  Summary huge = ExpectAccounted("100 MB CSV row", (d / "huge.csv").string());
  EXPECT_EQ(huge.rejected, 1u);
  EXPECT_EQ(huge.scored, 1u);
  // Reader limits from the command line: the field limit names itself.
  WriteFile(d / "limits.csv", h + "B1,SEA,1,0123456789abcdef\nB2,AIR,2,x\n");
  EXPECT_EQ(ExpectAccounted("--max-field-bytes", (d / "limits.csv").string(), "--max-field-bytes 12").rejected, 1u);
  fs::remove_all(d);
}

TEST(HostileCli, InputsThatAreNotRecordFiles) {
  const fs::path d = FreshDir("not-records");
  auto expect_usage = [&](const std::string& name, const std::string& args, const std::string& stdin_path,
                          const std::string& needle) {
    SCOPED_TRACE(name);
    CliRun r = Targeting("score " + kGoodRules + " " + args, stdin_path);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  };
  expect_usage("/dev/zero", "/dev/zero --input-format csv", "/dev/null", "is a device");
  expect_usage("/dev/urandom", "/dev/urandom --input-format jsonl", "/dev/null", "is a device");
  fs::create_directories(d / "dir.csv");
  expect_usage("a directory", (d / "dir.csv").string(), "/dev/null", "is a directory");
  // An endless line on standard input ends at the skip limit, after its reject.
  expect_usage("/dev/zero on stdin as CSV", "- --input-format csv --max-skip-bytes 1000000", "/dev/zero",
               "bad header");
  CliRun r = Targeting("score " + kGoodRules + " - --input-format jsonl --max-skip-bytes 1000000", "/dev/zero");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("-:1: the line runs on past max_record_bytes + max_skip_bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("read 1 = scored 0 + rejected 1"), std::string::npos) << r.err;
  // Bad limit values are usage errors.
  expect_usage("--max-record-bytes 0", kGoodCsv + " --max-record-bytes 0", "/dev/null", "--max-record-bytes needs");
  expect_usage("--max-field-bytes x", kGoodCsv + " --max-field-bytes x", "/dev/null", "--max-field-bytes needs");
  fs::remove_all(d);
}

// Every rule-set limit is a command-line option; set tight on the example
// pack, each is an error that names the limit (a file over max_file_bytes
// cannot be read at all: exit 2). A bad value is a usage error.
TEST(HostileCli, EveryRuleLimitIsAnOptionThatNamesIt) {
  const std::string pack = Src("rules");
  struct Case {
    std::string option;
    int code;
    std::string needle;
  };
  const Case cases[] = {
      {"--max-entries 3", 1, "max_entries=3"},
      {"--max-list-size 2", 1, "max_list_size=2"},
      {"--max-condition-depth 1", 1, "max_condition_depth=1"},
      {"--max-condition-nodes 2", 1, "max_condition_nodes=2"},
      {"--regex-max-mem 100", 1, "regex_max_mem=100"},
      {"--regex-max-program-size 20", 1, "max_regex_program_size=20"},
      {"--max-file-bytes 100", 2, "max_file_bytes=100"},
      {"--max-yaml-nodes 50", 1, "max_yaml_nodes=50"},
      {"--max-tests-per-entry 2", 1, "max_tests_per_entry=2"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.option);
    CliRun r = Targeting("check " + pack + " " + c.option);
    EXPECT_EQ(r.code, c.code) << r.err;
    EXPECT_NE((r.out + r.err).find(c.needle), std::string::npos) << r.out << r.err;
    CliRun bad = Targeting("check " + pack + " " + c.option.substr(0, c.option.find(' ')) + " 0");
    EXPECT_EQ(bad.code, 2) << bad.err;
    EXPECT_NE(bad.err.find(" needs a whole number"), std::string::npos) << bad.err;
  }
  // A tiny RE2::Set budget splits the sets down to single patterns, and
  // scoring does not change.
  const std::string score = "score " + pack + " " + Src("examples/data/manifest.csv") + " --as-of 2026-09-30";
  CliRun normal = Targeting(score);
  CliRun tight = Targeting(score + " --regex-set-max-mem 1");
  EXPECT_EQ(normal.code, 0) << normal.err;
  EXPECT_EQ(tight.code, 0) << tight.err;
  EXPECT_FALSE(normal.out.empty());
  EXPECT_EQ(normal.out, tight.out);
}

}  // namespace
}  // namespace targeting::testing
