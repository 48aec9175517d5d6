// The service's metrics, rendered in the Prometheus text format (0.0.4).
#ifndef TARGETING_LIB_SERVE_METRICS_H_
#define TARGETING_LIB_SERVE_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace targeting::serve {

enum class Endpoint : std::uint8_t { kScore, kExplain, kRules, kReload, kHealthz, kReadyz, kMetrics, kOther };
inline constexpr std::size_t kEndpoints = 8;
const char* EndpointName(Endpoint e);

// Upper bounds of the request latency histogram, in seconds.
inline constexpr std::array<double, 16> kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1,     2.5,   5,     10};

// What one request did to the record counters; merged in one step, so that
// a scrape sees every request whole: scored + rejected is the records
// received, the lanes add up to scored, the fired counters to the fires.
struct RecordTally {
  std::uint64_t scored = 0;
  std::uint64_t rejected = 0;
  std::uint64_t sampled = 0;
  std::array<std::uint64_t, 3> lanes{};  // by Lane: green, yellow, red
  // (counter, fires): counters from Metrics::EntryCounter.
  std::vector<std::pair<std::uint64_t*, std::uint64_t>> fired;
};

// Thread-safe.
class Metrics {
 public:
  // The fired counter of an entry, labelled with its id and kind; the same
  // counter across reloads for as long as the service runs. Valid for the
  // life of the Metrics.
  std::uint64_t* EntryCounter(const std::string& id, const std::string& kind);
  void Add(const RecordTally& tally);
  // The record counters so far (fired left empty).
  RecordTally Totals() const;
  void ObserveRequest(Endpoint endpoint, unsigned status, double seconds);

  std::atomic<std::uint64_t> reloads{0};
  std::atomic<std::uint64_t> reloads_failed{0};
  std::atomic<std::uint64_t> checkpoints{0};         // --state files written
  std::atomic<std::uint64_t> checkpoints_failed{0};
  // Of the records this process has streamed, how many the last checkpoint
  // written holds.
  std::atomic<std::uint64_t> checkpointed_records{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};  // over --max-connections
  std::atomic<std::uint64_t> connections_timed_out{0};

  // The text of /metrics. `fingerprint` and `loaded_at` label the info metric.
  std::string Render(const std::string& fingerprint, const std::string& loaded_at,
                     std::size_t entries) const;

 private:
  mutable std::mutex mu_;
  RecordTally totals_;  // fired unused here: the counters below hold them
  std::map<std::pair<std::string, std::string>, std::unique_ptr<std::uint64_t>> entries_;
  struct Histogram {
    std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  std::array<Histogram, kEndpoints> latency_{};
  std::map<std::pair<std::uint8_t, unsigned>, std::uint64_t> requests_;  // (endpoint, status)
};

}  // namespace targeting::serve

#endif  // TARGETING_LIB_SERVE_METRICS_H_
