// examples/data is what `targeting gen --records 500 --seed 7` writes, byte for
// byte: the sample corpus stays reproducible, and a change to gen's output is seen.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gen/gen.h"

namespace targeting::gen {
namespace {

class StringSink : public Sink {
 public:
  bool Write(std::string_view bytes) override {
    text.append(bytes);
    return true;
  }
  std::string text;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(GenGolden, SampleCorpusIsReproducible) {
  StringSink csv, jsonl, outcomes, truth;
  GenOptions o;
  o.records = 500;
  o.seed = 7;
  auto r = GenerateCorpus(o, CorpusSinks{&csv, &jsonl, &outcomes, &truth});
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::string dir = TARGETING_SOURCE_DIR "/examples/data/";
  // EXPECT_TRUE, not EXPECT_EQ: a diff of whole files would drown the message.
  const char* hint = "; if gen changed on purpose, run: targeting gen --records 500 --seed 7 -o examples/data";
  EXPECT_TRUE(csv.text == Slurp(dir + "manifest.csv")) << "manifest.csv" << hint;
  EXPECT_TRUE(jsonl.text == Slurp(dir + "manifest.jsonl")) << "manifest.jsonl" << hint;
  EXPECT_TRUE(outcomes.text == Slurp(dir + "outcomes.csv")) << "outcomes.csv" << hint;
  EXPECT_TRUE(truth.text == Slurp(dir + "truth.json")) << "truth.json" << hint;
}

}  // namespace
}  // namespace targeting::gen
