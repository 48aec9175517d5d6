// `targeting score` and `targeting check` from the command line: golden
// output, CSV and JSONL agreement, threads, exit codes, rejects.
#include <gtest/gtest.h>

#include "cli/run_command.h"

namespace targeting::testing {
namespace {

const std::string kRules = Src("tests/golden/score/rules.yaml");
const std::string kCsv = Src("tests/golden/score/records.csv");
const std::string kJsonl = Src("tests/golden/score/records.jsonl");
const std::string kExpected = Slurp(Src("tests/golden/score/expected.jsonl"));

TEST(ScoreCli, GoldenCsvJsonlStdinThreadsReference) {
  for (const std::string& args :
       {"score " + kRules + " " + kCsv, "score " + kRules + " " + kJsonl,
        "score " + kRules + " - --input-format jsonl", "score " + kRules + " " + kCsv + " --threads 2",
        "score " + kRules + " " + kJsonl + " --reference"}) {
    SCOPED_TRACE(args);
    CommandResult r = RunTargeting(args, args.find(" - ") != std::string::npos ? kJsonl : "");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, kExpected);
    EXPECT_NE(r.err.find("fingerprint sha256:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("read 5 = scored 5 + rejected 0"), std::string::npos) << r.err;
  }
}

TEST(ScoreCli, ManyRecordsSameOutputOnAnyThreadCount) {
  // Enough records for many batches, so ordering across threads is exercised.
  auto dir = FreshDir("many");
  std::string body = Slurp(kCsv);
  std::string header = body.substr(0, body.find('\n') + 1);
  std::string rows = body.substr(header.size());
  std::ofstream f(dir / "big.csv", std::ios::binary);
  f << header;
  for (int i = 0; i < 3000; ++i) f << rows;
  f.close();
  CommandResult one = RunTargeting("score " + kRules + " " + (dir / "big.csv").string() + " --threads 1");
  CommandResult two = RunTargeting("score " + kRules + " " + (dir / "big.csv").string() + " --threads 2");
  CommandResult ref = RunTargeting("score " + kRules + " " + (dir / "big.csv").string() + " --reference");
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_EQ(std::count(one.out.begin(), one.out.end(), '\n'), 15000);
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(one.out, ref.out);
  std::filesystem::remove_all(dir);
}

TEST(ScoreCli, PipelineKeepsOrderCountsAndRejectsOnAnyThreadCount) {
  // Two inputs of many batches with rejects scattered through them, and a
  // third that does not exist: on any number of threads the same records
  // come out in the same order, the same rejects in the same order, the
  // same counts, and the run stops at the missing input.
  auto dir = FreshDir("pipeline");
  std::string body = Slurp(kCsv);
  std::string header = body.substr(0, body.find('\n') + 1);
  std::string rows = body.substr(header.size());
  std::ofstream csv(dir / "a.csv", std::ios::binary);
  csv << header;
  for (int i = 0; i < 2000; ++i) {
    csv << rows;
    if (i % 97 == 0) csv << "BAD" << i << ",SEA,1,x,,not-a-number,1,B,\n";
    if (i % 389 == 0) csv << "SHORT" << i << ",SEA\n";
  }
  csv.close();
  std::string jsonl_rows = Slurp(kJsonl);
  std::ofstream jsonl(dir / "b.jsonl", std::ios::binary);
  for (int i = 0; i < 700; ++i) {
    jsonl << jsonl_rows;
    if (i % 101 == 0) jsonl << "{\"record_id\":\"J" << i << "\",\n";
  }
  jsonl.close();
  const std::string inputs = (dir / "a.csv").string() + " " + (dir / "b.jsonl").string();
  CommandResult base;
  std::string base_rejects;
  for (int threads : {1, 2, 3, 4}) {
    SCOPED_TRACE(threads);
    const std::string rejects = (dir / ("rej" + std::to_string(threads) + ".jsonl")).string();
    CommandResult r = RunTargeting("score " + kRules + " " + inputs + " --threads " +
                                   std::to_string(threads) + " --rejects " + rejects);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("read 13534 = scored 13500 + rejected 34"), std::string::npos) << r.err;
    const std::string rej = Slurp(rejects);
    EXPECT_EQ(std::count(rej.begin(), rej.end(), '\n'), 34);
    CommandResult missing = RunTargeting("score " + kRules + " " + inputs + " " +
                                         (dir / "none.csv").string() + " --threads " +
                                         std::to_string(threads));
    EXPECT_EQ(missing.exit_code, 2) << missing.err;
    EXPECT_NE(missing.err.find("none.csv"), std::string::npos) << missing.err;
    if (threads == 1) {
      base = r;
      base_rejects = rej;
      EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 13500);
      EXPECT_EQ(missing.out, r.out);
    } else {
      EXPECT_EQ(r.out, base.out);
      EXPECT_EQ(rej, base_rejects);
      EXPECT_EQ(missing.out, base.out);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(ScoreCli, RejectsAreCountedAndWritten) {
  auto dir = FreshDir("rejects");
  std::ofstream(dir / "in.csv") << "record_id,quantity,arrival_date\nA,1,2026-01-01\nB,\"1,000\",\n"
                                   "C,2,2026-02-30\n,3,\nD,4\nE,5,2026-01-02\n";
  CommandResult r = RunTargeting("score " + kRules + " " + (dir / "in.csv").string() + " --rejects " +
                                 (dir / "rej.jsonl").string());
  EXPECT_EQ(r.exit_code, 1) << r.err;  // some record was rejected
  EXPECT_NE(r.err.find("read 6 = scored 2 + rejected 4"), std::string::npos) << r.err;
  std::string rej = Slurp(dir / "rej.jsonl");
  EXPECT_EQ(std::count(rej.begin(), rej.end(), '\n'), 4) << rej;
  for (const char* line : {"\"line\":3", "\"line\":4", "\"line\":5", "\"line\":6"}) {
    EXPECT_NE(rej.find(line), std::string::npos) << line << "\n" << rej;
  }
  EXPECT_NE(rej.find("\"record_id\":\"B\""), std::string::npos) << rej;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
  std::filesystem::remove_all(dir);
}

TEST(ScoreCli, UsageErrorsExit2) {
  EXPECT_EQ(RunTargeting("score").exit_code, 2);
  EXPECT_EQ(RunTargeting("score " + kRules).exit_code, 2);  // no input
  EXPECT_EQ(RunTargeting("score " + kRules + " " + kCsv + " --bogus").exit_code, 2);
  EXPECT_EQ(RunTargeting("score " + kRules + " " + kCsv + " --as-of 2026-13-01").exit_code, 2);
  EXPECT_EQ(RunTargeting("score " + kRules + " /nonexistent.csv").exit_code, 2);
  EXPECT_EQ(RunTargeting("score " + kRules + " " + kRules).exit_code, 2);  // unknown format
  EXPECT_EQ(RunTargeting("score " + kRules + " -").exit_code, 2);  // stdin needs a format
  EXPECT_EQ(RunTargeting("score /nonexistent " + kCsv).exit_code, 2);
  CommandResult bad = RunTargeting("score " + Src("tests/golden/errors/spec_errors.yaml") + " " + kCsv);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("does not compile"), std::string::npos) << bad.err;
  EXPECT_EQ(RunTargeting("nonsense").exit_code, 2);
  EXPECT_EQ(RunTargeting("").exit_code, 2);
  CommandResult help = RunTargeting("score --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: targeting score"), std::string::npos);
}

TEST(CheckCli, ExitCodes) {
  CommandResult ok = RunTargeting("check " + kRules);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  CommandResult errors = RunTargeting("check " + Src("tests/golden/errors/spec_errors.yaml"));
  EXPECT_EQ(errors.exit_code, 1);
  EXPECT_NE(errors.out.find("spec_errors.yaml:11:11: error: [E-1] unknown field 'hts_cod'"),
            std::string::npos)
      << errors.out;
  CommandResult failing = RunTargeting("check " + Src("tests/golden/errors/failing_tests.yaml"));
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_NE(failing.out.find("test failed: [T-1] fires[1] did not fire"), std::string::npos);
  EXPECT_EQ(RunTargeting("check /nonexistent/rules").exit_code, 2);
  EXPECT_EQ(RunTargeting("check").exit_code, 2);
}

TEST(ExplainCli, ShowsTheTreeAndValues) {
  CommandResult r = RunTargeting("explain " + kRules + " " + kCsv + " --record G5 --entry R-BAGS --entry R-VAL");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("R-BAGS (rule v2, active, weight 30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[yes] hts_code prefix [\"4202\"]   <- hts_code = \"420292\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("R-VAL (rule v1, active, weight 25"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[no]  value_per_kg lt 10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("value_per_kg = \"50\""), std::string::npos) << r.out;
  EXPECT_EQ(RunTargeting("explain " + kRules + " " + kCsv + " --record NOPE").exit_code, 2);
  EXPECT_EQ(RunTargeting("explain " + kRules + " " + kCsv + " --record G1 --entry NOPE").exit_code, 2);
}

}  // namespace
}  // namespace targeting::testing
