// Compiles a rule set and scores one record through the installed headers
// and library only, as the README's embedding snippet does.
#include <cstdio>
#include <string>

#include "targeting/targeting.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer RULES\n");
    return 2;
  }
  targeting::CompileResult compiled = targeting::CompilePath(argv[1]);
  if (!compiled.ok()) {
    for (const auto& issue : compiled.issues) std::fprintf(stderr, "%s\n", issue.ToString().c_str());
    return 1;
  }
  targeting::Engine engine(compiled.rule_set);
  targeting::Scorer scorer = engine.NewScorer();
  auto record = targeting::Record::FromFields(
      compiled.rule_set->schema(),
      {{"record_id", "B123"}, {"mode", "EXPRESS"}, {"hts_code", "4202.21.6000"},
       {"routing", "CN;HK"}, {"declared_value_usd", "100"}, {"gross_weight_kg", "20"},
       {"description", "GUCCI bags"}});
  if (!record.ok()) {
    std::fprintf(stderr, "%s\n", record.status().message().c_str());
    return 1;
  }
  targeting::ScoreResult result;
  scorer.Score(record.value(), &result);
  std::string line;
  for (const auto& f : result.fired) line += compiled.rule_set->entries()[f].id + " ";
  std::printf("fired %sscore %s lane %s\n", line.c_str(), targeting::FormatNumber(result.score).c_str(),
              targeting::LaneName(result.lane));
  return 0;
}
