#include "serve/metrics.h"

#include "targeting/json.h"

namespace targeting::serve {
namespace {

// A label value: backslash, double quote and line feed escaped.
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

void Sample(std::string* out, const std::string& name_and_labels, std::uint64_t v) {
  *out += name_and_labels;
  *out += ' ';
  *out += std::to_string(v);
  *out += '\n';
}

}  // namespace

const char* EndpointName(Endpoint e) {
  switch (e) {
    case Endpoint::kScore: return "score";
    case Endpoint::kExplain: return "explain";
    case Endpoint::kRules: return "rules";
    case Endpoint::kReload: return "reload";
    case Endpoint::kHealthz: return "healthz";
    case Endpoint::kReadyz: return "readyz";
    case Endpoint::kMetrics: return "metrics";
    case Endpoint::kOther: return "other";
  }
  return "other";
}

std::uint64_t* Metrics::EntryCounter(const std::string& id, const std::string& kind) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = entries_[{id, kind}];
  if (!slot) slot = std::make_unique<std::uint64_t>(0);
  return slot.get();
}

void Metrics::Add(const RecordTally& t) {
  std::lock_guard<std::mutex> lock(mu_);
  totals_.scored += t.scored;
  totals_.rejected += t.rejected;
  totals_.sampled += t.sampled;
  for (std::size_t i = 0; i < t.lanes.size(); ++i) totals_.lanes[i] += t.lanes[i];
  for (const auto& [counter, n] : t.fired) *counter += n;
}

RecordTally Metrics::Totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return totals_;
}

void Metrics::ObserveRequest(Endpoint endpoint, unsigned status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Histogram& h = latency_[static_cast<std::size_t>(endpoint)];
  std::size_t b = 0;
  while (b < kLatencyBuckets.size() && seconds > kLatencyBuckets[b]) ++b;
  if (b < kLatencyBuckets.size()) ++h.buckets[b];
  ++h.count;
  h.sum += seconds;
  ++requests_[{static_cast<std::uint8_t>(endpoint), status}];
}

std::string Metrics::Render(const std::string& fingerprint, const std::string& loaded_at,
                            std::size_t entries) const {
  std::string out;
  out.reserve(8192);
  std::lock_guard<std::mutex> lock(mu_);
  Header(&out, "targeting_records_scored_total", "counter", "Records scored.");
  Sample(&out, "targeting_records_scored_total", totals_.scored);
  Header(&out, "targeting_records_rejected_total", "counter",
         "Records that could not be read, answered with an error object in their place.");
  Sample(&out, "targeting_records_rejected_total", totals_.rejected);
  Header(&out, "targeting_records_sampled_total", "counter", "Scored records selected for a random compliance exam.");
  Sample(&out, "targeting_records_sampled_total", totals_.sampled);
  Header(&out, "targeting_records_lane_total", "counter", "Scored records by lane; the lanes add up to the records scored.");
  static const char* const kLanes[] = {"green", "yellow", "red"};
  for (std::size_t i = 0; i < 3; ++i) {
    Sample(&out, std::string("targeting_records_lane_total{lane=\"") + kLanes[i] + "\"}", totals_.lanes[i]);
  }
  Header(&out, "targeting_entry_fired_total", "counter",
         "Records each entry (active or shadow) fired on, by id and kind, across reloads.");
  for (const auto& [key, n] : entries_) {
    Sample(&out, "targeting_entry_fired_total{id=\"" + Label(key.first) + "\",kind=\"" + Label(key.second) + "\"}", *n);
  }
  Header(&out, "targeting_reloads_total", "counter", "Successful rule set reloads.");
  Sample(&out, "targeting_reloads_total", reloads.load());
  Header(&out, "targeting_reloads_failed_total", "counter", "Reloads that failed; the rule set in place stayed.");
  Sample(&out, "targeting_reloads_failed_total", reloads_failed.load());
  Header(&out, "targeting_state_checkpoints_total", "counter", "Stream state checkpoints written to --state.");
  Sample(&out, "targeting_state_checkpoints_total", checkpoints.load());
  Header(&out, "targeting_state_checkpoints_failed_total", "counter", "Stream state checkpoints that could not be written; the next one tries again.");
  Sample(&out, "targeting_state_checkpoints_failed_total", checkpoints_failed.load());
  Header(&out, "targeting_state_checkpointed_records", "gauge", "Of the records this process streamed into the aggregates, how many the last checkpoint written holds.");
  Sample(&out, "targeting_state_checkpointed_records", checkpointed_records.load());
  Header(&out, "targeting_rule_set_info", "gauge", "The rule set being served.");
  Sample(&out, "targeting_rule_set_info{fingerprint=\"" + Label(fingerprint) + "\",loaded_at=\"" + Label(loaded_at) + "\"}", 1);
  Header(&out, "targeting_rule_set_entries", "gauge", "Entries (active, shadow and draft) in the rule set being served.");
  Sample(&out, "targeting_rule_set_entries", entries);
  Header(&out, "targeting_http_requests_total", "counter", "Requests answered, by endpoint and status code.");
  for (const auto& [key, n] : requests_) {
    Sample(&out, std::string("targeting_http_requests_total{endpoint=\"") +
                     EndpointName(static_cast<Endpoint>(key.first)) + "\",code=\"" +
                     std::to_string(key.second) + "\"}",
           n);
  }
  Header(&out, "targeting_http_request_duration_seconds", "histogram",
         "From a request's header read to its answer ready to send, by endpoint.");
  for (std::size_t e = 0; e < kEndpoints; ++e) {
    const Histogram& h = latency_[e];
    if (h.count == 0) continue;
    const std::string name = EndpointName(static_cast<Endpoint>(e));
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kLatencyBuckets.size(); ++b) {
      cumulative += h.buckets[b];
      Sample(&out, "targeting_http_request_duration_seconds_bucket{endpoint=\"" + name + "\",le=\"" +
                       FormatNumber(kLatencyBuckets[b]) + "\"}",
             cumulative);
    }
    Sample(&out, "targeting_http_request_duration_seconds_bucket{endpoint=\"" + name + "\",le=\"+Inf\"}", h.count);
    out += "targeting_http_request_duration_seconds_sum{endpoint=\"" + name + "\"} " + FormatNumber(h.sum) + "\n";
    Sample(&out, "targeting_http_request_duration_seconds_count{endpoint=\"" + name + "\"}", h.count);
  }
  Header(&out, "targeting_connections_open", "gauge", "Connections open now.");
  Sample(&out, "targeting_connections_open", connections_open.load());
  Header(&out, "targeting_connections_accepted_total", "counter", "Connections accepted.");
  Sample(&out, "targeting_connections_accepted_total", connections_accepted.load());
  Header(&out, "targeting_connections_refused_total", "counter", "Connections closed at once because --max-connections were open.");
  Sample(&out, "targeting_connections_refused_total", connections_refused.load());
  Header(&out, "targeting_connections_timed_out_total", "counter", "Connections closed because a request or an answer took longer than --timeout.");
  Sample(&out, "targeting_connections_timed_out_total", connections_timed_out.load());
  return out;
}

}  // namespace targeting::serve
