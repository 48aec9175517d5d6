// targeting bench RULES INPUT...: how fast the rule set scores these records,
// with the index and with the reference evaluator (SPEC section 7).
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include "bench/measure.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "targeting/json.h"

namespace targeting::cli {
namespace {

// Rounds to `decimals` places; scaling up then down keeps the shortest
// printed form short (615.9, not 615.9000000000001).
double Round(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

// The process's peak resident set so far (getrusage counts it in KiB).
std::uint64_t PeakRssBytes() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return static_cast<std::uint64_t>(ru.ru_maxrss) * 1024;
}

int RunBench(const Args& args) {
  const std::string cmd = "bench";
  auto as_of = AsOf(cmd, args);
  if (!as_of) return kExitUsage;
  const std::string format = args.get("format", "text");
  if (format != "text" && format != "json") {
    Fail(cmd, "--format must be text or json, not '" + format + "'");
    return kExitUsage;
  }
  bench::MeasureOptions options;
  if (args.has("threads")) {
    auto n = ParseCount(args.get("threads"));
    if (!n || *n < 1 || *n > 256) {
      Fail(cmd, "--threads needs a whole number from 1 to 256");
      return kExitUsage;
    }
    options.threads = static_cast<int>(*n);
  }
  for (const char* name : {"seconds", "reference-seconds"}) {
    if (!args.has(name)) continue;
    auto n = ParseCount(args.get(name));
    if (!n || *n < 1 || *n > 3600) {
      Fail(cmd, std::string("--") + name + " needs a whole number of seconds from 1 to 3600");
      return kExitUsage;
    }
    (std::string(name) == "seconds" ? options.min_seconds : options.reference_seconds) =
        static_cast<double>(*n);
  }

  // The compiled set's size is the allocator's bytes in use after compiling
  // minus before (as targeting_bench's "memory MB"); the peak is the
  // process's resident peak when compiling ends, before any record is read.
  const std::size_t heap_before = bench::HeapInUse();
  const auto compile_start = std::chrono::steady_clock::now();
  auto rules = LoadRules(cmd, args.positional()[0], args);
  const double compile_ms = std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - compile_start)
                                .count();
  if (!rules) return kExitUsage;
  const std::size_t heap_after = bench::HeapInUse();
  const std::size_t compiled_bytes = heap_after > heap_before ? heap_after - heap_before : 0;
  const std::uint64_t compile_peak_rss = PeakRssBytes();
  const std::size_t entries = rules->entries().size();
  PrintFingerprint(cmd, args.positional()[0], *rules);

  // Every record is read and normalized before anything is timed.
  std::vector<std::string> inputs(args.positional().begin() + 1, args.positional().end());
  InputSet in(cmd, rules->schema(), args, inputs);
  if (!in.Begin()) return kExitUsage;
  std::vector<Record> records;
  RunCounts counts;
  const bool read_ok = in.ForEach([&](const Record& r) { records.push_back(r); }, &counts);
  if (!in.End() || !read_ok) return kExitUsage;
  PrintSummary(cmd, counts, args);
  if (records.empty()) {
    Fail(cmd, "no records to time");
    return kExitUsage;
  }

  // --state: every timed pass starts from the file; bench never writes it.
  if (args.has("state") && rules->aggregate_count() > 0) {
    StreamState probe(rules, *as_of);
    Status st = probe.LoadFile(args.get("state"));
    if (!st.ok() && st.code() != StatusCode::kNotFound) {
      Fail(cmd, "cannot use --state: " + st.message());
      return kExitUsage;
    }
    if (st.ok()) options.state = probe.Save();
  }
  const bench::Measurement m = bench::Measure(rules, records, *as_of, options);
  if (!m.error.empty()) {
    Fail(cmd, "internal error: " + m.error);
    return kExitUsage;
  }
  if (m.mismatches != 0) {
    Fail(cmd, "internal error: the index and the reference disagree on " +
                  std::to_string(m.mismatches) + " records");
    return kExitUsage;
  }
  if (m.reference_sampled) {
    std::fprintf(stderr,
                 "targeting bench: the reference was timed on the first %zu of %zu records "
                 "(--reference-seconds %.0f); its rate is taken from them\n",
                 m.reference_records, m.records, options.reference_seconds);
  }
  const double speedup = m.indexed_rps / m.reference_rps;
  // Issue 13's figures, derived: entries verified per entry that fired, and
  // the CPU time of a record and of one verified entry (a record's time over
  // the entries verified for it, as the issue counts it; 0 when none were).
  const double per_entry = entries ? static_cast<double>(compiled_bytes) / static_cast<double>(entries) : 0;
  const double verified_per_fired =
      m.fired_per_record > 0 ? m.candidates_per_record / m.fired_per_record : 0;
  const double ns_per_record = m.indexed_rps_cpu > 0 ? 1e9 / m.indexed_rps_cpu : 0;
  const double ns_per_verified =
      m.candidates_per_record > 0 ? ns_per_record / m.candidates_per_record : 0;

  if (format == "json") {
    // Keys in a fixed order; every figure the text output prints is here too.
    std::string out = "{\"records\": " + std::to_string(m.records) +
                      ", \"threads\": " + std::to_string(m.threads);
    const auto add = [&out](const char* key, double value, int decimals) {
      out += ", \"";
      out += key;
      out += "\": ";
      AppendJsonNumber(Round(value, decimals), &out);
    };
    add("indexed_rps", m.indexed_rps, 0);
    add("indexed_rps_per_cpu", m.indexed_rps_cpu, 0);
    add("reference_rps", m.reference_rps, 1);
    add("reference_rps_per_cpu", m.reference_rps_cpu, 1);
    out += ", \"reference_records\": " + std::to_string(m.reference_records);
    add("speedup", speedup, 1);
    add("p50_us", m.p50_us, 2);
    add("p99_us", m.p99_us, 2);
    add("p999_us", m.p999_us, 2);
    add("max_us", m.max_us, 2);
    add("verified_per_record", m.candidates_per_record, 2);
    add("fired_per_record", m.fired_per_record, 2);
    add("compile_ms", compile_ms, 1);
    out += ", \"entries\": " + std::to_string(entries) +
           ", \"compiled_bytes\": " + std::to_string(compiled_bytes) +
           ", \"compile_peak_rss_bytes\": " + std::to_string(compile_peak_rss);
    add("compiled_bytes_per_entry", per_entry, 1);
    add("verified_per_fired", verified_per_fired, 2);
    add("cpu_ns_per_record", ns_per_record, 1);
    add("cpu_ns_per_verified", ns_per_verified, 1);
    if (m.similar_lookups_per_record > 0) {
      add("similar_lookups_per_record", m.similar_lookups_per_record, 2);
      add("similar_cached_share", m.similar_cached_share, 4);
      add("similar_pass_rate", m.similar_pass_rate, 6);
    }
    if (m.aggregates > 0) {
      out += ", \"aggregates\": " + std::to_string(m.aggregates) + ", \"stream_ns_per_record\": ";
      AppendJsonNumber(Round(m.stream_ns_per_record, 1), &out);
      out += ", \"stream_keys\": " + std::to_string(m.stream_keys) +
             ", \"stream_memory_bytes\": " + std::to_string(m.stream_memory_bytes);
    }
    out += "}\n";
    std::fputs(out.c_str(), stdout);
    return kExitOk;
  }
  const char* threads = m.threads == 1 ? "thread" : "threads";
  std::printf("records        %zu, read and normalized before timing\n", m.records);
  std::printf("compile        %.1f ms, %zu entries, %.1f MB compiled (%.0f bytes per entry), "
              "peak RSS %.1f MB\n",
              compile_ms, entries, static_cast<double>(compiled_bytes) / 1e6, per_entry,
              static_cast<double>(compile_peak_rss) / 1e6);
  std::printf("indexed        %.0f records/s on %d %s (%.0f per CPU-second)\n", m.indexed_rps,
              m.threads, threads, m.indexed_rps_cpu);
  std::printf("reference      %.1f records/s on %d %s (%.1f per CPU-second)%s\n", m.reference_rps,
              m.threads, threads, m.reference_rps_cpu,
              m.reference_sampled
                  ? (", on " + std::to_string(m.reference_records) + " records").c_str()
                  : "");
  std::printf("speedup        %.1fx\n", speedup);
  std::printf("latency        p50 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.2f us (one thread)\n",
              m.p50_us, m.p99_us, m.p999_us, m.max_us);
  std::printf("per record     %.1f entries verified, %.2f fired (%.2f verified per fired); "
              "%.0f ns of CPU, %.0f ns per entry verified\n",
              m.candidates_per_record, m.fired_per_record, verified_per_fired, ns_per_record,
              ns_per_verified);
  if (m.similar_lookups_per_record > 0) {
    std::printf("similar        %.2f lookups per record, %.1f%% answered from the cache on a first "
                "pass; the filter compared %.4f%% of list operands\n",
                m.similar_lookups_per_record, 100 * m.similar_cached_share,
                100 * m.similar_pass_rate);
  }
  if (m.aggregates > 0) {
    std::printf("aggregates     %zu kept: %.1f ns per record in input order on one thread; at the "
                "end %llu keys, %llu items, %.1f MiB (%.1f bytes per item)\n",
                m.aggregates, m.stream_ns_per_record, static_cast<unsigned long long>(m.stream_keys),
                static_cast<unsigned long long>(m.stream_slots),
                static_cast<double>(m.stream_memory_bytes) / (1 << 20),
                m.stream_slots ? static_cast<double>(m.stream_memory_bytes) /
                                     static_cast<double>(m.stream_slots)
                               : 0.0);
  }
  return kExitOk;
}

std::vector<OptionSpec> BenchOptions() {
  std::vector<OptionSpec> o = {
      {"format", true, "FMT",
       "text (default) or json: one object with the text's figures under fixed keys "
       "(records, threads, indexed_rps, indexed_rps_per_cpu, reference_rps, "
       "reference_rps_per_cpu, reference_records, speedup, p50_us, p99_us, p999_us, max_us, "
       "verified_per_record, fired_per_record, compile_ms, entries, compiled_bytes, "
       "compile_peak_rss_bytes, compiled_bytes_per_entry, verified_per_fired, "
       "cpu_ns_per_record, cpu_ns_per_verified; similar_* and aggregates, stream_* when the "
       "set has them)"},
      {"threads", true, "N", "score on N threads, one scorer each, for both rates (default 1)"},
      {"seconds", true, "S", "repeat the records through the index for at least S seconds (default 1)"},
      {"reference-seconds", true, "S",
       "stop the reference after S seconds and take its rate from the records it scored "
       "(default 10)"},
  };
  return RecordCommandOptions(std::move(o));
}

const bool kBenchRegistered = RegisterCommand(Command{
    CommandSpec{"bench",
                "RULES INPUT... [--format json] [--threads N] [--seconds S] [--reference-seconds S]",
                "Time the rule set on these records: records per second with the index and with\n"
                "the naive reference evaluator, their ratio, single-record latency percentiles,\n"
                "entries verified and fired per record, and the compile: its time, the compiled\n"
                "set's size (glibc's allocator bytes in use after compiling minus before, which\n"
                "include the reference tables the checker loads; 0 under another allocator) and\n"
                "the process's peak memory when it ended.\n\n"
                "Every record is read and normalized first; only scoring is timed. The index\n"
                "makes passes over the records for at least --seconds; the reference makes at\n"
                "most one and stops at --reference-seconds, in which case its rate comes from\n"
                "the records it scored (said on standard error). Latency is measured one record\n"
                "at a time on one thread. Rates are records per second of wall time; the text\n"
                "output adds records per CPU-second, which on a busy machine is the fairer\n"
                "per-core figure. Before reporting, the index and the reference are checked to\n"
                "agree on every record the reference scored. Exit 0, or 2 when the command\n"
                "cannot run (bad usage, an unreadable file, a rule set that does not compile, no\n"
                "records).",
                BenchOptions(), 2, -1},
    60, RunBench});

}  // namespace
}  // namespace targeting::cli
