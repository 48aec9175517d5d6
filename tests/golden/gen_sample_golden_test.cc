// examples/data is what `targeting gen --records 500 --seed 7` writes, byte for
// byte: the sample corpus stays reproducible, and a change to gen's output is seen.
#include <gtest/gtest.h>

#include <string>

#include "gen/gen.h"
#include "gen_test_util.h"
#include "golden/golden_util.h"

namespace targeting::gen {
namespace {

TEST(GenGolden, SampleCorpusIsReproducible) {
  GenOptions o;
  o.records = 500;
  o.seed = 7;
  Status status;
  const testing::Corpus c = testing::GenerateInMemory(o, &status);
  ASSERT_TRUE(status.ok()) << status.message();
  const std::string dir = TARGETING_SOURCE_DIR "/examples/data/";
  // EXPECT_TRUE, not EXPECT_EQ: a diff of whole files would drown the message.
  const char* hint = "; if gen changed on purpose, run: targeting gen --records 500 --seed 7 -o examples/data";
  EXPECT_TRUE(c.csv == testing::ReadAll(dir + "manifest.csv")) << "manifest.csv" << hint;
  EXPECT_TRUE(c.jsonl == testing::ReadAll(dir + "manifest.jsonl")) << "manifest.jsonl" << hint;
  EXPECT_TRUE(c.outcomes == testing::ReadAll(dir + "outcomes.csv")) << "outcomes.csv" << hint;
  EXPECT_TRUE(c.truth == testing::ReadAll(dir + "truth.json")) << "truth.json" << hint;
}

}  // namespace
}  // namespace targeting::gen
