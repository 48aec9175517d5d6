// Aggregates from the command line (SPEC section 8): --state across runs,
// bad state files, --threads, explain, and every command that scores.
#include <gtest/gtest.h>

#include "cli/run_command.h"

namespace targeting::testing {
namespace {

const std::string kPackRules = Src("rules");

// A gen corpus (with the planted episodes) split in two halves by lines.
struct Split {
  std::filesystem::path dir;
  std::string all, a, b, outcomes;
};

const Split& Corpus() {
  static const Split* split = [] {
    auto* s = new Split;
    s->dir = FreshDir("state-corpus");
    // 12,000 records: both aggregate entries fire (UDR-VAL-0001 50 times,
    // Q-NTC-0702 once, in the second half), and the tests stay quick under
    // the sanitizers, which run each command on them several times.
    CommandResult g = RunTargeting("gen --records 12000 --seed 11 --quiet -o " + s->dir.string());
    EXPECT_EQ(g.exit_code, 0) << g.err;
    s->all = (s->dir / "manifest.csv").string();
    s->outcomes = (s->dir / "outcomes.csv").string();
    const std::string text = Slurp(s->all);
    const std::size_t header = text.find('\n') + 1;
    std::size_t mid = header;
    for (int lines = 0; lines < 5600; ++lines) mid = text.find('\n', mid) + 1;
    s->a = (s->dir / "a.csv").string();
    s->b = (s->dir / "b.csv").string();
    std::ofstream(s->a, std::ios::binary) << text.substr(0, mid);
    std::ofstream(s->b, std::ios::binary) << text.substr(0, header) << text.substr(mid);
    return s;
  }();
  return *split;
}

TEST(StateCli, TwoRunsWithAStateFileGiveExactlyTheOneRunOutput) {
  const Split& c = Corpus();
  const std::string state = (c.dir / "run.state").string();
  std::filesystem::remove(state);
  CommandResult one = RunTargeting("score " + kPackRules + " " + c.all);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  CommandResult a = RunTargeting("score " + kPackRules + " " + c.a + " --state " + state);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.err.find("does not exist yet; the stream starts empty"), std::string::npos) << a.err;
  CommandResult b = RunTargeting("score " + kPackRules + " " + c.b + " --state " + state);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(a.out + b.out == one.out) << "the two runs differ from the one run";
  // The aggregates do fire in this corpus, so the comparison says something.
  EXPECT_NE(one.out.find("UDR-VAL-0001"), std::string::npos);
  EXPECT_NE(one.out.find("Q-NTC-0702"), std::string::npos);
  // Two parcels to one consignee on one day, in two runs: only the state
  // lets the second see the first.
  const std::string header =
      "record_id,arrival_date,mode,consignee_name,consignee_address,consignee_type,"
      "declared_value_usd\n";
  const std::string p1 = (c.dir / "p1.csv").string(), p2 = (c.dir / "p2.csv").string();
  std::ofstream(p1) << header << "P1,2026-03-02,MAIL,Ann Lee,1 Main St,RESIDENTIAL,500\n";
  std::ofstream(p2) << header << "P2,2026-03-02,EXPRESS,ANN LEE,1 Main St,RESIDENTIAL,450\n";
  const std::string pstate = (c.dir / "p.state").string();
  std::filesystem::remove(pstate);
  ASSERT_EQ(RunTargeting("score " + kPackRules + " " + p1 + " --state " + pstate).exit_code, 0);
  CommandResult with = RunTargeting("score " + kPackRules + " " + p2 + " --state " + pstate);
  CommandResult without = RunTargeting("score " + kPackRules + " " + p2);
  EXPECT_NE(with.out.find("UDR-VAL-0001"), std::string::npos) << with.out << with.err;
  EXPECT_EQ(without.out.find("UDR-VAL-0001"), std::string::npos) << without.out;
}

TEST(StateCli, ThreadsGiveTheSameBytes) {
  const Split& c = Corpus();
  CommandResult one = RunTargeting("score " + kPackRules + " " + c.all + " --threads 1");
  CommandResult two = RunTargeting("score " + kPackRules + " " + c.all + " --threads 2");
  CommandResult four = RunTargeting("score " + kPackRules + " " + c.all + " --threads 4");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(one.out == two.out);
  EXPECT_TRUE(one.out == four.out);
  // The reference on 4 threads, on the pack without its SDN screening: the
  // reference compares every record with each of the list's 6,874 names,
  // which under the sanitizers takes far longer than the test may.
  const auto flat = c.dir / "no-screening";
  std::filesystem::remove_all(flat);
  std::filesystem::copy(kPackRules, flat, std::filesystem::copy_options::recursive);
  std::filesystem::remove(flat / "screening.yaml");
  CommandResult flat_one = RunTargeting("score " + flat.string() + " " + c.all + " --threads 1");
  CommandResult flat_ref = RunTargeting("score " + flat.string() + " " + c.all + " --threads 4 --reference");
  ASSERT_EQ(flat_one.exit_code, 0) << flat_one.err;
  EXPECT_NE(flat_one.out.find("UDR-VAL-0001"), std::string::npos);
  EXPECT_TRUE(flat_one.out == flat_ref.out);
}

TEST(StateCli, BadStateFilesExitTwoAndAreLeftAsTheyWere) {
  const Split& c = Corpus();
  const std::string state = (c.dir / "bad.state").string();
  std::filesystem::remove(state);
  ASSERT_EQ(RunTargeting("score " + kPackRules + " " + c.a + " --state " + state).exit_code, 0);
  std::string good = Slurp(state);
  ASSERT_GT(good.size(), 100u);
  struct Case {
    std::string name;
    std::string bytes;
    std::string why;
  };
  std::string flipped = good;
  flipped[good.size() / 2] ^= 1;
  std::string newer = good;
  newer[16] = 2;
  const std::vector<Case> cases = {
      {"corrupt", flipped, "checksum mismatch"},
      {"truncated", good.substr(0, good.size() / 3), "checksum mismatch"},
      {"foreign", "record_id,mode\nR1,SEA\n", "not a targeting state file"},
      {"newer", newer, "newer state format"},
  };
  for (const std::string& cmd :
       {"score " + kPackRules + " " + c.b, "backtest " + kPackRules + " " + c.b + " --outcomes " + c.outcomes,
        "explain " + kPackRules + " " + c.b + " --record R0000010000",
        "diff " + kPackRules + " " + kPackRules + " " + c.b, "bench " + kPackRules + " " + c.b + " --seconds 1"}) {
    for (const Case& k : cases) {
      SCOPED_TRACE(cmd + " with a " + k.name + " state");
      std::ofstream(state, std::ios::binary) << k.bytes;
      CommandResult r = RunTargeting(cmd + " --state " + state);
      EXPECT_EQ(r.exit_code, 2) << r.err;
      EXPECT_NE(r.err.find("cannot use --state: " + state + ": "), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(k.why), std::string::npos) << r.err;
      EXPECT_TRUE(Slurp(state) == k.bytes) << "the state file was changed";
    }
  }
}

TEST(StateCli, EveryCommandThatScoresCarriesTheState) {
  const Split& c = Corpus();
  const std::string state = (c.dir / "cmds.state").string();
  for (const std::string& cmd :
       {"backtest " + kPackRules + " " + c.a + " --outcomes " + c.outcomes,
        "promote " + kPackRules + " " + c.a + " --outcomes " + c.outcomes,
        "diff " + kPackRules + " " + kPackRules + " " + c.a, "explain " + kPackRules + " " + c.a + " --record R0000000100"}) {
    SCOPED_TRACE(cmd);
    std::filesystem::remove(state);
    CommandResult r = RunTargeting(cmd + " --state " + state);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(state));
    // The same file as score writes for the same records.
    const std::string written = Slurp(state);
    std::filesystem::remove(state);
    ASSERT_EQ(RunTargeting("score " + kPackRules + " " + c.a + " --state " + state).exit_code, 0);
    EXPECT_TRUE(written == Slurp(state));
  }
  // bench reads the state and never writes it.
  const std::string before = Slurp(state);
  CommandResult bench = RunTargeting("bench " + kPackRules + " " + c.b +
                                     " --seconds 1 --reference-seconds 1 --state " + state);
  EXPECT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.out.find("aggregates     3 kept"), std::string::npos) << bench.out;
  EXPECT_TRUE(before == Slurp(state));
}

TEST(StateCli, ExplainShowsTheAggregateKeyMeasureAndTest) {
  const Split& c = Corpus();
  // The first record the split-shipment rule fires on.
  CommandResult scored = RunTargeting("score " + kPackRules + " " + c.all);
  const std::size_t hit = scored.out.find("UDR-VAL-0001");
  ASSERT_NE(hit, std::string::npos);
  const std::size_t line = scored.out.rfind("{\"record_id\":\"", hit);
  const std::string id = scored.out.substr(line + 14, 11);
  CommandResult text = RunTargeting("explain " + kPackRules + " " + c.all + " --record " + id +
                                    " --entry UDR-VAL-0001");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("FIRES"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[yes] aggregate by [consignee_name, consignee_address] days 1"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find(", measure "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("test sum declared_value_usd gt 800"), std::string::npos) << text.out;
  CommandResult json = RunTargeting("explain " + kPackRules + " " + c.all + " --record " + id +
                                    " --entry UDR-VAL-0001 --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"aggregate\":{\"key\":[\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"test\":\"sum declared_value_usd gt 800\"}"), std::string::npos)
      << json.out;
}

}  // namespace
}  // namespace targeting::testing
