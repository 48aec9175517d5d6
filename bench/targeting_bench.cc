// Benchmarks of the compiler and the matcher on synthetic rule sets
// (lib/bench/synthetic.h): four predicate mixes at 1k, 10k and 100k rules,
// scored on manifest-shaped records that are generated and normalized before
// any timing starts. The reference runs beside the index on the same records.
//
//   targeting_bench [google benchmark flags]   the benchmarks below
//   targeting_bench --summary                  one table: every figure of bench/README.md
//   targeting_bench --write=DIR                rules.yaml + records.jsonl for `targeting bench`
//   targeting_bench --aggregates               the aggregate mix (SPEC section 8): the cost of
//                                              keeping aggregates, conjuncts, memory, state files
//   targeting_bench --aggregates=PARTS         only those parts of it, e.g. --aggregates=keep,memory
//                                              (keep, conjuncts, memory, state)
//   targeting_bench --profile=PASSES           compile, then score the records PASSES times
//                                              after one warm pass: nothing else, for
//                                              valgrind --tool=callgrind --toggle-collect
//
// Shared flags: --rules=1000,10000,100000 --mixes=eqset,realistic,regex,negation
// --records=N (scored records, default 20000) --seed=S.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/aggregate_bench.h"
#include "bench/measure.h"
#include "bench/synthetic.h"
#include "eval/jaro_winkler.h"
#include "index/match_index.h"
#include "index/similar_index.h"
#include "plan/ruleset_data.h"
#include "targeting/targeting.h"

namespace targeting::bench {
namespace {

using synthetic::Mix;

struct Flags {
  std::vector<std::size_t> rules = {1000, 10000, 100000};
  std::vector<Mix> mixes = {Mix::kEqSet, Mix::kRealistic, Mix::kRegexHeavy, Mix::kNegationOr};
  std::size_t records = 20000;
  std::uint64_t seed = 1;
  bool summary = false;
  bool aggregates = false;
  std::string aggregate_parts;  // empty: all
  std::string write_dir;
  double reference_seconds = 10;
  int profile_passes = 0;
  bool reload = false;
  unsigned reload_threads = 1;
};
Flags g_flags;

const Days kAsOf = 20600;  // 2026-05-27: inside the synthetic effective windows

struct Corpus {
  std::shared_ptr<const RuleSet> rules;
  double compile_ms = 0;
  std::size_t memory_bytes = 0;
  std::size_t yaml_bytes = 0;
  std::vector<Record> records;
};

std::shared_ptr<const synthetic::Vocabulary> Vocab() {
  static auto v = synthetic::MakeVocabulary();
  return v;
}

std::vector<Record> MakeRecords(const Schema& schema, std::size_t n, std::uint64_t seed) {
  synthetic::RecordGenerator gen(Vocab(), seed);
  std::vector<Record> out;
  out.reserve(n);
  std::string error;
  for (std::size_t i = 0; i < n; ++i) {
    Record r(schema);
    if (!gen.NextRecord(&r, &error)) {
      std::fprintf(stderr, "synthetic record does not normalize: %s\n", error.c_str());
      std::exit(2);
    }
    out.push_back(std::move(r));
  }
  return out;
}

Corpus& GetCorpus(Mix mix, std::size_t rules) {
  static std::map<std::pair<int, std::size_t>, std::unique_ptr<Corpus>> cache;
  auto& slot = cache[{static_cast<int>(mix), rules}];
  if (slot) return *slot;
  slot = std::make_unique<Corpus>();
  const std::string yaml = synthetic::RulesYaml({rules, mix, g_flags.seed}, *Vocab());
  slot->yaml_bytes = yaml.size();
  const std::size_t before = HeapInUse();
  const auto start = std::chrono::steady_clock::now();
  // The default limits are for rule files people write; a synthetic set of
  // a million rules in one file is past two of them.
  CompileOptions options;
  options.limits.max_file_bytes = std::max(options.limits.max_file_bytes, yaml.size());
  options.limits.max_yaml_nodes = std::max(options.limits.max_yaml_nodes, rules * 40);
  CompileResult r = CompileString(yaml, "synthetic.yaml", options);
  slot->compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!r.ok()) {
    std::fprintf(stderr, "the synthetic rule set does not compile:\n");
    for (const Issue& i : r.issues) std::fprintf(stderr, "%s\n", i.ToString().c_str());
    std::exit(2);
  }
  r.issues.clear();
  r.issues.shrink_to_fit();
  slot->memory_bytes = HeapInUse() - before;
  slot->rules = r.rule_set;
  slot->records = MakeRecords(slot->rules->schema(), g_flags.records, g_flags.seed + 1000);
  return *slot;
}

std::string Label(Mix mix, std::size_t rules) {
  return std::string(synthetic::MixName(mix)) + "/" + std::to_string(rules);
}

void BM_Compile(benchmark::State& state, Mix mix, std::size_t rules) {
  const std::string yaml = synthetic::RulesYaml({rules, mix, g_flags.seed}, *Vocab());
  for (auto _ : state) {
    CompileResult r = CompileString(yaml, "synthetic.yaml");
    benchmark::DoNotOptimize(r.rule_set);
  }
  Corpus& c = GetCorpus(mix, rules);
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["memory_MB"] = static_cast<double>(c.memory_bytes) / (1 << 20);
  state.counters["yaml_MB"] = static_cast<double>(c.yaml_bytes) / (1 << 20);
}

void BM_Score(benchmark::State& state, Mix mix, std::size_t rules, bool reference) {
  Corpus& c = GetCorpus(mix, rules);  // built before timing starts (thread 0 first)
  Scorer scorer(c.rules, ScoreOptions{kAsOf});
  ScoreResult result;
  const std::size_t n = c.records.size();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919 % n;
  for (auto _ : state) {
    if (reference) {
      (void)scorer.ScoreReference(c.records[i], &result);
    } else {
      (void)scorer.Score(c.records[i], &result);
    }
    benchmark::DoNotOptimize(result.score);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["ns_per_record"] = benchmark::Counter(
      static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// similar against the example pack's screening list (rules/lists/sdn-entities.txt,
// 6,874 names), as UDR-SAN-0001 uses it: the filter's build, a lookup that
// misses the cache (ForCandidates, then Jaro-Winkler on what it lets
// through), and comparing with every name, on the same values: half are SDN
// names with two bytes swapped, half company names that are on no list.
struct SdnSet {
  std::vector<std::string> names;   // normalized as `name`
  std::vector<std::string> values;  // normalized as `name`
};
const SdnSet& Sdn() {
  static const SdnSet* const set = [] {
    auto* s = new SdnSet;
    std::FILE* f = std::fopen(TARGETING_SOURCE_DIR "/rules/lists/sdn-entities.txt", "rb");
    char line[512];
    std::string norm, err;
    double unused = 0;
    while (f && std::fgets(line, sizeof line, f)) {
      std::string_view l(line);
      while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.remove_suffix(1);
      if (l.empty() || l.front() == '#') continue;
      norm.clear();
      targeting::NormalizeValue(targeting::FieldType::kName, l, &norm, &unused, &err);
      if (!norm.empty()) s->names.push_back(norm);
    }
    if (f) std::fclose(f);
    static const char* const kWords1[] = {"SHENZHEN", "NINGBO", "GOLDEN", "PACIFIC", "NORTHERN",
                                          "YIWU", "DONGGUAN", "ATLAS", "SUNRISE", "XIAMEN"};
    static const char* const kWords2[] = {"HENGDA", "BRIGHT", "MEIDA", "HARBOUR", "STAR", "KAIXIN",
                                          "LONGTENG", "OCEAN", "JINHUI", "UNITED"};
    static const char* const kWords3[] = {"TRADING", "ELECTRONICS", "IMPORT EXPORT", "LOGISTICS",
                                          "GARMENTS", "AUTO PARTS", "LIGHTING", "INDUSTRIAL"};
    for (std::size_t i = 0; i < 4000 && !s->names.empty(); ++i) {
      if (i % 2 == 0) {
        std::string v = s->names[(i * 7919) % s->names.size()];
        if (v.size() > 4) std::swap(v[v.size() / 2], v[v.size() / 2 + 1]);
        s->values.push_back(v);
      } else {
        s->values.push_back(std::string(kWords1[i % 10]) + " " + kWords2[(i / 10) % 10] + " " +
                            kWords3[(i / 100) % 8]);
      }
    }
    return s;
  }();
  return *set;
}

void BM_SimilarBuild(benchmark::State& state) {
  for (auto _ : state) {
    targeting::internal::SimilarFilter filter(Sdn().names, 0.92);
    benchmark::DoNotOptimize(filter.size());
  }
}

void BM_SimilarLookup(benchmark::State& state, bool brute) {
  const SdnSet& sdn = Sdn();
  targeting::internal::SimilarFilter filter(sdn.names, 0.92);
  targeting::internal::SimilarScratch scratch;
  std::size_t i = 0, holds = 0;
  for (auto _ : state) {
    const std::string& v = sdn.values[i++ % sdn.values.size()];
    bool h = false;
    if (brute) {
      for (const std::string& n : sdn.names) {
        if (targeting::internal::JaroWinkler(v, n) >= 0.92) {
          h = true;
          break;
        }
      }
    } else {
      filter.ForCandidates(v, &scratch, [&](std::uint32_t id) {
        return h = targeting::internal::JaroWinkler(v, sdn.names[id]) >= 0.92;
      });
    }
    holds += h;
  }
  state.counters["holds"] = static_cast<double>(holds) / static_cast<double>(std::max<std::size_t>(i, 1));
  if (!brute && scratch.operands > 0) {
    state.counters["compared"] =
        static_cast<double>(scratch.verified) / static_cast<double>(scratch.operands);
    const double q = static_cast<double>(std::max<std::uint64_t>(scratch.queries, 1));
    state.counters["considered"] = static_cast<double>(scratch.considered) / q;
    state.counters["filter_mb"] = static_cast<double>(filter.MemoryBytes()) / 1e6;
  }
}

void BM_Latency(benchmark::State& state, Mix mix, std::size_t rules) {
  Corpus& c = GetCorpus(mix, rules);
  Scorer scorer(c.rules, ScoreOptions{kAsOf});
  ScoreResult result;
  std::vector<double> us;
  us.reserve(c.records.size());
  for (const Record& r : c.records) (void)scorer.Score(r, &result);  // warm
  for (auto _ : state) {
    us.clear();
    for (const Record& r : c.records) {
      const auto a = std::chrono::steady_clock::now();
      (void)scorer.Score(r, &result);
      const auto b = std::chrono::steady_clock::now();
      us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
    }
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[us.size() * 99 / 100];
  state.counters["max_us"] = us.back();
}

void RegisterAll() {
  benchmark::RegisterBenchmark("similar/sdn_build", BM_SimilarBuild)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("similar/sdn_lookup_uncached", BM_SimilarLookup, false)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("similar/sdn_lookup_every_name", BM_SimilarLookup, true)
      ->Unit(benchmark::kMicrosecond);
  for (Mix mix : g_flags.mixes) {
    for (std::size_t rules : g_flags.rules) {
      const std::string l = Label(mix, rules);
      benchmark::RegisterBenchmark(("compile/" + l).c_str(), BM_Compile, mix, rules)
          ->Unit(benchmark::kMillisecond)
          ->Iterations(rules >= 100000 ? 1 : 3);
      benchmark::RegisterBenchmark(("indexed/" + l).c_str(), BM_Score, mix, rules, false)
          ->Threads(1)
          ->Threads(2)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("reference/" + l).c_str(), BM_Score, mix, rules, true)
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(rules >= 100000 ? 2.0 : 0.5);
      benchmark::RegisterBenchmark(("latency/" + l).c_str(), BM_Latency, mix, rules)
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
    }
  }
}

int Summary() {
  std::printf("records per configuration: %zu (pre-parsed), as_of 2026-05-27, seed %llu, %u hardware threads\n\n",
              g_flags.records, static_cast<unsigned long long>(g_flags.seed),
              std::thread::hardware_concurrency());
  std::printf("| mix | rules | compile ms | memory MB | indexed rec/s (wall) | per CPU-s | 2 threads (wall) | reference rec/s (wall) | per CPU-s | speedup (CPU) | ns/record (CPU) | p50 us | p99 us | candidates/rec | fired/rec |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (Mix mix : g_flags.mixes) {
    for (std::size_t rules : g_flags.rules) {
      Corpus& c = GetCorpus(mix, rules);
      MeasureOptions opt;
      opt.reference_seconds = g_flags.reference_seconds;
      Measurement one = Measure(c.rules, c.records, kAsOf, opt);
      opt.threads = 2;
      opt.reference_seconds = 0;  // the 2-thread reference figure is not reported
      Measurement two = Measure(c.rules, c.records, kAsOf, opt);
      const std::string sampled =
          one.reference_sampled ? " (" + std::to_string(one.reference_records) + ")" : "";
      std::printf("| %s | %zu | %.0f | %.1f | %.0f | %.0f | %.0f | %.0f%s | %.0f | %.0f | %.0f | %.2f | %.2f | %.1f | %.2f |\n",
                  synthetic::MixName(mix), rules, c.compile_ms,
                  static_cast<double>(c.memory_bytes) / (1 << 20), one.indexed_rps,
                  one.indexed_rps_cpu, two.indexed_rps, one.reference_rps, sampled.c_str(),
                  one.reference_rps_cpu, one.indexed_rps_cpu / one.reference_rps_cpu,
                  1e9 / one.indexed_rps_cpu, one.p50_us, one.p99_us, one.candidates_per_record,
                  one.fired_per_record);
      std::fflush(stdout);
      if (!one.error.empty()) {
        std::fprintf(stderr, "%s\n", one.error.c_str());
        return 1;
      }
      if (one.mismatches != 0) {
        std::fprintf(stderr, "MISMATCH: %zu records where the index and the reference disagree\n",
                     one.mismatches);
        return 1;
      }
      const auto st = c.rules->data().index->stats();
      std::fprintf(stderr,
                   "  %s/%zu: %zu scored, %zu always verified, %zu anchor predicates, %zu literals, "
                   "%zu regex sets (%zu patterns), index ~%.1f MB\n",
                   synthetic::MixName(mix), rules, st.scored_entries, st.always_verify,
                   st.anchor_predicates, st.literals, st.regex_sets, st.regex_set_patterns,
                   static_cast<double>(st.memory_bytes) / (1 << 20));
    }
  }
  std::printf("\n(N): the reference was timed on N records only (a %.0f s budget)\n",
              g_flags.reference_seconds);
  return 0;
}

// For instruction counts: one warm pass, then `profile_passes` passes of
// Scorer::Score over the records (run under callgrind with
// --toggle-collect='targeting::Scorer::Score*' and divide by the records
// scored, which this prints).
int Profile() {
  const Mix mix = g_flags.mixes.front();
  const std::size_t rules = g_flags.rules.front();
  Corpus& c = GetCorpus(mix, rules);
  const double candidates = CountPerRecord(*c.rules, c.records, kAsOf).candidates;
  Scorer scorer(c.rules, ScoreOptions{kAsOf});
  ScoreResult result;
  std::size_t fired = 0;
  for (const Record& r : c.records) (void)scorer.Score(r, &result);
  for (int pass = 0; pass < g_flags.profile_passes; ++pass) {
    for (const Record& r : c.records) {
      (void)scorer.Score(r, &result);
      fired += result.fired.size();
    }
  }
  const std::size_t scored = c.records.size() * static_cast<std::size_t>(g_flags.profile_passes);
  std::printf("%s/%zu: compiled in %.0f ms (%.1f MB); %zu Score calls (a warm pass of %zu, "
              "then %zu), %.2f fired/record, %.1f candidates/record\n",
              synthetic::MixName(mix), rules, c.compile_ms,
              static_cast<double>(c.memory_bytes) / (1 << 20), scored + c.records.size(),
              c.records.size(), scored, static_cast<double>(fired) / static_cast<double>(scored),
              candidates);
  return 0;
}

int Write() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(g_flags.write_dir, ec);
  if (ec) {
    std::fprintf(stderr, "cannot create %s: %s\n", g_flags.write_dir.c_str(), ec.message().c_str());
    return 2;
  }
  const Mix mix = g_flags.mixes.front();
  const std::size_t rules = g_flags.rules.front();
  const std::string rules_path = g_flags.write_dir + "/rules.yaml";
  const std::string records_path = g_flags.write_dir + "/records.jsonl";
  std::string yaml = synthetic::RulesYaml({rules, mix, g_flags.seed}, *Vocab());
  std::FILE* f = std::fopen(rules_path.c_str(), "wb");
  if (!f || std::fwrite(yaml.data(), 1, yaml.size(), f) != yaml.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "cannot write %s\n", rules_path.c_str());
    return 2;
  }
  f = std::fopen(records_path.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "cannot write %s\n", records_path.c_str());
    return 2;
  }
  synthetic::RecordGenerator gen(Vocab(), g_flags.seed + 1000);
  std::string line;
  for (std::size_t i = 0; i < g_flags.records; ++i) {
    line.clear();
    gen.NextJson(&line);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), f);
  }
  if (std::fclose(f) != 0) {
    std::fprintf(stderr, "cannot write %s\n", records_path.c_str());
    return 2;
  }
  std::printf("wrote %s (%zu rules, mix %s, seed %llu) and %s (%zu records)\n", rules_path.c_str(),
              rules, synthetic::MixName(mix), static_cast<unsigned long long>(g_flags.seed),
              records_path.c_str(), g_flags.records);
  return 0;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// --reload: one scorer thread scores the records one at a time through an
// Engine (Refresh when the generation moves, as a server does) while the
// main thread first idles for 3 s, then calls Engine::Reload on the same
// rule set written to a file, three times. Prints the latency of one record
// (Refresh included) without and during the reloads, and the longest
// Refresh that moved the scorer to a new set.
double Percentile(std::vector<float> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

int ReloadLatency() {
  const Mix mix = g_flags.mixes.front();
  const std::size_t rules = g_flags.rules.front();
  const std::string yaml = synthetic::RulesYaml({rules, mix, g_flags.seed}, *Vocab());
  const std::string path =
      (std::filesystem::temp_directory_path() / ("targeting-reload-" + std::to_string(::getpid()) + ".yaml")).string();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(yaml.data(), 1, yaml.size(), f) != yaml.size() || std::fclose(f) != 0) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 2;
    }
  }
  CompileOptions options;
  options.threads = g_flags.reload_threads;
  CompileResult first = CompilePath(path, options);
  if (!first.ok()) {
    std::fprintf(stderr, "the synthetic rule set does not compile\n");
    return 2;
  }
  const std::vector<Record> records =
      MakeRecords(first.rule_set->schema(), g_flags.records, g_flags.seed + 1000);
  // `first` stays alive: the records point at its schema. The later sets are
  // released when the scorer leaves them.
  Engine engine(first.rule_set);
  std::atomic<int> phase{0};  // 0 idle, 1 reloading, 2 stop
  std::vector<float> idle, during, swaps;
  idle.reserve(1 << 22);
  during.reserve(1 << 22);
  std::thread scorer_thread([&]() {
    Scorer scorer = engine.NewScorer(ScoreOptions{kAsOf});
    ScoreResult result;
    std::uint64_t seen = engine.generation();
    for (std::size_t i = 0;; i = (i + 1) % records.size()) {
      const int ph = phase.load(std::memory_order_acquire);
      if (ph == 2) break;
      const auto t0 = std::chrono::steady_clock::now();
      bool swapped = false;
      if (engine.generation() != seen) {
        seen = engine.generation();
        (void)engine.Refresh(&scorer);
        swapped = true;
      }
      if (!scorer.Score(records[i], &result).ok()) {
        std::fprintf(stderr, "a record does not score\n");
        std::exit(2);
      }
      const float us = std::chrono::duration<float, std::micro>(std::chrono::steady_clock::now() - t0).count();
      if (swapped) swaps.push_back(us);
      (ph == 0 ? idle : during).push_back(us);
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  phase.store(1, std::memory_order_release);
  std::vector<double> reload_ms;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    CompileResult next = engine.Reload(path, options);
    reload_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!next.ok()) std::fprintf(stderr, "reload failed\n");
  }
  // Let the scorer take the last set before stopping.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  phase.store(2, std::memory_order_release);
  scorer_thread.join();
  std::remove(path.c_str());
  std::printf("reload of %zu rules (%s), compile threads %u: %.0f, %.0f, %.0f ms\n", rules,
              synthetic::MixName(mix), g_flags.reload_threads, reload_ms[0], reload_ms[1], reload_ms[2]);
  auto line = [](const char* what, const std::vector<float>& v) {
    std::printf("%-16s %9zu records  p50 %7.2f us  p99 %7.2f us  p99.9 %8.2f us  max %9.2f us\n", what,
                v.size(), Percentile(v, 0.5), Percentile(v, 0.99), Percentile(v, 0.999),
                Percentile(v, 1.0));
  };
  line("without reload", idle);
  line("during reloads", during);
  float worst = 0;
  for (float s : swaps) worst = std::max(worst, s);
  std::printf("swaps seen      %zu, longest record with its Refresh %.2f us\n", swaps.size(), worst);
  return 0;
}

// Takes this program's own flags out of argv; false on a bad value.
bool ParseFlags(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      const std::size_t n = std::strlen(name);
      return a.compare(0, n, name) == 0 ? argv[i] + n : nullptr;
    };
    if (a == "--summary") {
      g_flags.summary = true;
    } else if (a == "--aggregates") {
      g_flags.aggregates = true;
    } else if (const char* parts = value("--aggregates=")) {
      g_flags.aggregates = true;
      g_flags.aggregate_parts = parts;
    } else if (const char* v = value("--rules=")) {
      g_flags.rules.clear();
      for (const std::string& s : Split(v)) g_flags.rules.push_back(std::stoull(s));
    } else if (const char* v2 = value("--mixes=")) {
      g_flags.mixes.clear();
      for (const std::string& s : Split(v2)) {
        auto m = synthetic::MixFromName(s);
        if (!m) {
          std::fprintf(stderr, "unknown mix '%s' (eqset, realistic, regex, negation)\n", s.c_str());
          return false;
        }
        g_flags.mixes.push_back(*m);
      }
    } else if (const char* v3 = value("--records=")) {
      g_flags.records = std::stoull(v3);
    } else if (const char* v4 = value("--seed=")) {
      g_flags.seed = std::stoull(v4);
    } else if (const char* v5 = value("--write=")) {
      g_flags.write_dir = v5;
    } else if (const char* v6 = value("--reference_seconds=")) {
      g_flags.reference_seconds = std::stod(v6);
    } else if (a == "--reload") {
      g_flags.reload = true;
    } else if (const char* v8 = value("--reload_threads=")) {
      g_flags.reload_threads = static_cast<unsigned>(std::stoul(v8));
    } else if (const char* v7 = value("--profile=")) {
      g_flags.profile_passes = std::max(1, std::stoi(v7));
    } else {
      argv[out++] = argv[i];
      continue;
    }
  }
  *argc = out;
  return !g_flags.rules.empty() && !g_flags.mixes.empty() && g_flags.records > 0;
}

}  // namespace
}  // namespace targeting::bench

int main(int argc, char** argv) {
  using namespace targeting::bench;
  if (!ParseFlags(&argc, argv)) return 2;
  if (!g_flags.write_dir.empty()) return Write();
  if (g_flags.summary) return Summary();
  if (g_flags.aggregates) return AggregateSummary(g_flags.records, g_flags.seed, g_flags.aggregate_parts);
  if (g_flags.profile_passes > 0) return Profile();
  if (g_flags.reload) return ReloadLatency();
  RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
