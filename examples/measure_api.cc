// Read results and metrics through the API: read a manifest, score it, join
// exam outcomes, and ask which entries find discrepancies and which queries
// have earned promotion.
//
//   example_measure_api RULES_DIR MANIFEST.csv OUTCOMES.csv
#include <cstdio>

#include "targeting/targeting.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s RULES_DIR MANIFEST OUTCOMES\n", argv[0]);
    return 2;
  }
  targeting::CompileResult compiled = targeting::CompilePath(argv[1]);
  if (!compiled.ok()) {
    std::fprintf(stderr, "the rule set does not compile\n");
    return 1;
  }
  auto rules = compiled.rule_set;

  // Outcomes are keyed by record_id; bad rows come back counted, with line numbers.
  auto outcomes = targeting::Outcomes::ReadCsvFile(argv[3], rules->schema());
  if (!outcomes.ok()) {
    std::fprintf(stderr, "%s\n", outcomes.status().message().c_str());
    return 1;
  }
  auto shared_outcomes = std::make_shared<const targeting::Outcomes>(std::move(outcomes).value());

  auto reader = targeting::RecordReader::Open(argv[2], targeting::InputFormat::kCsv, rules->schema());
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.status().message().c_str());
    return 1;
  }
  targeting::Scorer scorer(rules, targeting::ScoreOptions{*targeting::ParseDate("2026-09-30")});
  targeting::Backtest backtest(rules, shared_outcomes);
  targeting::Record record(rules->schema());
  targeting::Reject reject;
  targeting::ScoreResult result;
  for (;;) {
    auto next = reader.value()->Read(&record, &reject);
    if (next == targeting::RecordReader::Next::kEnd) break;
    if (next == targeting::RecordReader::Next::kReject) {
      backtest.AddRejected();
      continue;
    }
    if (!scorer.Score(record, &result).ok()) return 1;
    backtest.Add(record, result);
  }
  if (!reader.value()->status().ok()) return 1;

  targeting::BacktestReport report = backtest.Report();
  std::printf("%llu records, %llu examined, %llu discrepant; base rate %s\n",
              static_cast<unsigned long long>(report.records),
              static_cast<unsigned long long>(report.examined),
              static_cast<unsigned long long>(report.discrepant),
              report.base_rate ? std::to_string(*report.base_rate).c_str() : "unknown");
  for (const targeting::EntryMetrics& m : report.entries) {
    if (m.discrepant == 0) continue;
    std::printf("  %-16s %-5s fired %5llu  examined %4llu  discrepant %3llu  lift %s\n", m.id.c_str(),
                targeting::EntryKindName(m.kind), static_cast<unsigned long long>(m.fired),
                static_cast<unsigned long long>(m.examined),
                static_cast<unsigned long long>(m.discrepant),
                m.lift ? std::to_string(*m.lift).c_str() : "-");
  }
  for (const targeting::PromotionAssessment& a : targeting::AssessPromotion(report)) {
    if (a.candidate()) std::printf("promotion candidate: %s\n", a.metrics->id.c_str());
  }
  std::string json;
  targeting::AppendBacktestJson(report, &json);
  std::printf("section 6 report: %zu bytes of JSON, fingerprint %s\n", json.size(), report.fingerprint.c_str());
  return report.records > 0 ? 0 : 1;
}
