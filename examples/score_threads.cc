// Compile a rule set once, then score records held in memory on several
// threads, one Scorer per thread, all sharing the same immutable RuleSet.
//
//   example_score_threads RULES_DIR
#include <cstdio>
#include <thread>
#include <vector>

#include "targeting/targeting.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s RULES_DIR\n", argv[0]);
    return 2;
  }
  // 1. Compile once. Mistakes in the rules come back as issues, not exceptions.
  targeting::CompileResult compiled = targeting::CompilePath(argv[1]);
  if (!compiled.ok()) {
    for (const targeting::Issue& issue : compiled.issues) {
      std::fprintf(stderr, "%s\n", issue.ToString().c_str());
    }
    std::fprintf(stderr, "%s\n", compiled.status.message().c_str());
    return 1;
  }
  std::shared_ptr<const targeting::RuleSet> rules = compiled.rule_set;
  std::printf("rule set %s: %zu entries\n", rules->fingerprint().c_str(), rules->entries().size());

  // 2. Records built in memory from field/value pairs (a real system would map
  //    its own structs the same way, or use RecordReader for CSV / JSON Lines).
  const targeting::Schema& schema = rules->schema();
  std::vector<targeting::Record> records;
  const char* kinds[][4] = {
      {"4202.21.6000", "CN;HK", "GUCCI handbags", "2704"},
      {"8708.95.0500", "CN", "airbag modules", "4601"},
      {"0901.21", "CO", "roasted coffee", "5301"},
      {"9405.42", "CN;SG", "LED panel lights", "2704"},
  };
  for (int i = 0; i < 4000; ++i) {
    const auto& k = kinds[i % 4];
    auto r = targeting::Record::FromFields(
        schema, {{"record_id", "MEM-" + std::to_string(i)},
                 {"arrival_date", "2026-03-15"},
                 {"mode", i % 3 ? "SEA" : "EXPRESS"},
                 {"hts_code", k[0]},
                 {"routing", k[1]},
                 {"description", k[2]},
                 {"port_of_entry", k[3]},
                 {"declared_value_usd", std::to_string(50 + i % 500)},
                 {"gross_weight_kg", std::to_string(5 + i % 40)},
                 {"quantity", "10"}});
    if (!r.ok()) {
      std::fprintf(stderr, "record %d: %s\n", i, r.status().message().c_str());
      return 1;
    }
    records.push_back(std::move(r).value());
  }

  // 3. Score on several threads. Each thread owns its Scorer (scratch space);
  //    the RuleSet is shared read-only.
  const int threads = 4;
  std::vector<std::vector<targeting::ScoreResult>> results(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      targeting::Scorer scorer(rules, targeting::ScoreOptions{*targeting::ParseDate("2026-03-15")});
      targeting::ScoreResult result;
      for (std::size_t i = static_cast<std::size_t>(t); i < records.size(); i += threads) {
        if (!scorer.Score(records[i], &result).ok()) continue;
        results[static_cast<std::size_t>(t)].push_back(result);
      }
    });
  }
  for (std::thread& th : pool) th.join();

  // 4. Use the results: lanes and the entries that fired.
  std::size_t red = 0, yellow = 0, fired = 0, scored = 0;
  for (const auto& per_thread : results) {
    for (const targeting::ScoreResult& r : per_thread) {
      ++scored;
      red += r.lane == targeting::Lane::kRed;
      yellow += r.lane == targeting::Lane::kYellow;
      fired += r.fired.size();
    }
  }
  std::printf("scored %zu records on %d threads: %zu red, %zu yellow, %zu entry hits\n", scored,
              threads, red, yellow, fired);
  // One record's result as the score command prints it.
  targeting::Scorer scorer(rules, targeting::ScoreOptions{*targeting::ParseDate("2026-03-15")});
  targeting::ScoreResult one;
  scorer.Score(records[0], &one);
  std::string json;
  targeting::AppendScoreJson(*rules, records[0].record_id(), one, &json);
  std::printf("%s\n", json.c_str());
  return scored == records.size() ? 0 : 1;
}
