#include "bench/measure.h"

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "index/match_index.h"
#include "plan/ruleset_data.h"
#include "targeting/score.h"

namespace targeting::bench {

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of the calling thread: on a shared machine, wall time also counts
// the time other processes held the core.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Run {
  std::size_t records = 0;
  double wall = 0;  // seconds
  double cpu = 0;   // seconds, all threads
};

// Scores records [begin, end) of every pass on `threads` threads (thread t
// takes every threads-th record), until `min_seconds` have passed or, with a
// deadline, until it is reached. Returns records scored and seconds taken.
// A scorer whose streams start from `state` (a state file's bytes, or empty).
Scorer NewScorer(const std::shared_ptr<const RuleSet>& rules, Days as_of, const std::string& state) {
  Scorer scorer(rules, ScoreOptions{as_of});
  if (!state.empty() && scorer.has_stream()) {
    (void)scorer.stream()->Load(state, "state");
    (void)scorer.reference_stream()->Load(state, "state");
  }
  return scorer;
}

template <typename ScoreFn>
Run Throughput(const std::shared_ptr<const RuleSet>& rules,
                                          const std::vector<Record>& records, Days as_of,
                                          int threads, double min_seconds, bool stop_mid_pass,
                                          const std::string& state, ScoreFn score) {
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> total{0};
  std::atomic<std::int64_t> cpu_ns{0};
  const auto start = Clock::now();
  auto work = [&](int t) {
    const double cpu0 = ThreadCpuSeconds();
    Scorer scorer = NewScorer(rules, as_of, state);
    ScoreResult result;
    std::size_t done = 0;
    for (;;) {
      for (std::size_t i = static_cast<std::size_t>(t); i < records.size();
           i += static_cast<std::size_t>(threads)) {
        score(scorer, records[i], &result);
        ++done;
        if (stop_mid_pass && (done & 15) == 0 && stop.load(std::memory_order_relaxed)) break;
      }
      if (stop.load(std::memory_order_relaxed)) break;
      if (stop_mid_pass) break;  // the reference makes at most one pass
      if (Seconds(start, Clock::now()) >= min_seconds) break;
    }
    total.fetch_add(done);
    cpu_ns.fetch_add(static_cast<std::int64_t>((ThreadCpuSeconds() - cpu0) * 1e9));
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  std::thread timer;
  if (stop_mid_pass) {
    timer = std::thread([&] {
      while (!stop.load()) {
        if (Seconds(start, Clock::now()) >= min_seconds) stop.store(true);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  work(0);
  for (std::thread& th : pool) th.join();
  const double secs = Seconds(start, Clock::now());
  if (timer.joinable()) {
    stop.store(true);
    timer.join();
  }
  return Run{total.load(), secs, static_cast<double>(cpu_ns.load()) * 1e-9};
}

}  // namespace

PerRecord CountPerRecord(const RuleSet& rules, const std::vector<Record>& records, Days as_of) {
  const internal::MatchIndex& index = *rules.data().index;
  auto scratch = index.NewScratch();
  std::vector<std::uint32_t> fired;
  std::size_t fired_total = 0;
  // With aggregates the records are a stream: measure each in order.
  std::unique_ptr<StreamState> stream;
  if (rules.aggregate_count() > 0) {
    stream = std::make_unique<StreamState>(
        std::shared_ptr<const RuleSet>(std::shared_ptr<const RuleSet>(), &rules), as_of);
  }
  AggregateMeasures measures;
  for (const Record& r : records) {
    if (stream) {
      (void)stream->Advance(r, &measures);
      scratch->measures = &measures;
    }
    index.Match(r, as_of, scratch.get(), &fired);
    fired_total += fired.size();
  }
  const auto n = static_cast<double>(records.size());
  PerRecord per{static_cast<double>(scratch->candidates) / n,
                static_cast<double>(fired_total) / n};
  const auto lookups = static_cast<double>(scratch->similar_queries + scratch->similar_cache_hits);
  per.similar_lookups = lookups / n;
  if (lookups > 0) per.similar_cached_share = static_cast<double>(scratch->similar_cache_hits) / lookups;
  if (scratch->similar_operands > 0) {
    per.similar_pass_rate = static_cast<double>(scratch->similar_verified) /
                            static_cast<double>(scratch->similar_operands);
  }
  return per;
}

std::size_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

Measurement Measure(const std::shared_ptr<const RuleSet>& rules, const std::vector<Record>& records,
                    Days as_of, const MeasureOptions& options) {
  Measurement m;
  m.records = records.size();
  m.threads = std::max(1, options.threads);
  if (records.empty()) return m;
  {
    Scorer scorer(rules, ScoreOptions{as_of});
    ScoreResult result;
    Status st = scorer.Score(records.front(), &result);
    if (!st.ok()) {
      m.error = st.message();
      return m;
    }
  }

  // Warm up (scratch, RE2's DFA caches) and count candidates on one pass.
  const PerRecord per = CountPerRecord(*rules, records, as_of);
  m.candidates_per_record = per.candidates;
  m.fired_per_record = per.fired;
  m.similar_lookups_per_record = per.similar_lookups;
  m.similar_cached_share = per.similar_cached_share;
  m.similar_pass_rate = per.similar_pass_rate;

  const Run idx_run = Throughput(rules, records, as_of, m.threads, options.min_seconds, false,
                                 options.state, [](Scorer& s, const Record& r, ScoreResult* out) {
                                   (void)s.Score(r, out);
                                 });
  m.indexed_rps = static_cast<double>(idx_run.records) / idx_run.wall;
  m.indexed_rps_cpu = static_cast<double>(idx_run.records) / idx_run.cpu;

  std::size_t n_ref = 0;
  if (options.reference_seconds > 0) {
    const Run ref_run = Throughput(rules, records, as_of, m.threads, options.reference_seconds,
                                   true, options.state, [](Scorer& s, const Record& r, ScoreResult* out) {
                                     (void)s.ScoreReference(r, out);
                                   });
    n_ref = ref_run.records;
    m.reference_rps = static_cast<double>(ref_run.records) / ref_run.wall;
    m.reference_rps_cpu = static_cast<double>(ref_run.records) / ref_run.cpu;
  }
  m.reference_records = n_ref;
  m.reference_sampled = n_ref < records.size();

  // Single-record latency on one thread, and a check that the index agrees
  // with the reference on the records the reference scored.
  {
    Scorer scorer = NewScorer(rules, as_of, options.state);
    ScoreResult idx, ref;
    const std::size_t n = std::min(records.size(), options.latency_records);
    std::vector<double> us;
    us.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto a = Clock::now();
      (void)scorer.Score(records[i], &idx);
      const auto b = Clock::now();
      us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
    }
    // Per-record CPU time cannot be read finely enough; the single-thread
    // CPU throughput gives its mean.
    std::sort(us.begin(), us.end());
    auto pct = [&](double q) {
      return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))];
    };
    m.p50_us = pct(0.50);
    m.p99_us = pct(0.99);
    m.p999_us = pct(0.999);
    m.max_us = us.back();
    const std::size_t checked = std::min(records.size(), std::max<std::size_t>(n_ref, 1));
    const auto check_start = Clock::now();
    // A fresh scorer: with aggregates the check must stream each record once.
    Scorer check = NewScorer(rules, as_of, options.state);
    for (std::size_t i = 0; i < checked; ++i) {
      if ((i & 15) == 15 && Seconds(check_start, Clock::now()) > 2) break;
      (void)check.Score(records[i], &idx);
      (void)check.ScoreReference(records[i], &ref);
      if (idx.fired != ref.fired || idx.score != ref.score) ++m.mismatches;
    }
  }
  // The cost of keeping the aggregates: the stream stage alone, in input
  // order on one thread, repeated with fresh streams for at least 0.2 s.
  m.aggregates = rules->aggregate_count();
  if (m.aggregates > 0) {
    std::size_t done = 0;
    double cpu = 0;
    ScoreResult res;
    do {
      Scorer s = NewScorer(rules, as_of, options.state);
      const double cpu0 = ThreadCpuSeconds();
      for (const Record& r : records) (void)s.Measure(r, &res);
      cpu += ThreadCpuSeconds() - cpu0;
      done += records.size();
      const StreamStats st = s.stream()->stats();
      m.stream_keys = st.keys;
      m.stream_slots = st.slots;
      m.stream_memory_bytes = st.memory_bytes;
    } while (cpu < 0.2);
    m.stream_ns_per_record = cpu * 1e9 / static_cast<double>(done);
  }
  return m;
}

}  // namespace targeting::bench
