// The HTTP API of `targeting serve` without the network: requests in,
// answers out. The server (http_server.h) reads and writes the bytes; the
// fuzz target calls this directly. docs/service.md is the contract.
#ifndef TARGETING_LIB_SERVE_SERVICE_H_
#define TARGETING_LIB_SERVE_SERVICE_H_

#include <atomic>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/metrics.h"
#include "serve/serve.h"
#include "targeting/score.h"
#include "targeting/stream.h"

namespace targeting::serve {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using RequestHeader = http::request_header<>;

// Thread-safe: any number of threads may call every member at once. The
// rule set is swapped atomically on reload; a request is scored whole on
// the set it started with, whose fingerprint its answer carries.
class Service {
 public:
  // Compiles options.rules_path; null with *error (one line) when it cannot
  // be read or does not compile, with the issues in *issues.
  static std::unique_ptr<Service> Create(ServiceOptions options, std::string* error,
                                         std::vector<std::string>* issues);
  // A service on a rule set already compiled (embedders, the fuzz target);
  // reloads compile options.rules_path as usual.
  static std::unique_ptr<Service> Create(ServiceOptions options, std::shared_ptr<const RuleSet> rules);
  ~Service();

  static Endpoint EndpointOf(std::string_view target);

  // The checks that need only the header (authentication, path, method,
  // content type, declared length), so that a request can be refused before
  // its body is read. nullopt: read the body and call Handle().
  std::optional<Response> Precheck(const RequestHeader& header) const;
  // Answers a whole request (Precheck included).
  Response Handle(Request&& request);

  // Recompiles the start path and swaps it in when it compiles; on failure
  // the set in place stays. Serialized: one reload at a time. Also what
  // SIGHUP does.
  Response Reload();

  // The aggregates' stream (SPEC section 8, docs/service.md "Stream state").
  // Every record a /v1/score request reads joins one stream, in the order
  // the service accepts them (requests are fed whole, one at a time); a
  // reload keeps the history of the aggregates whose definitions did not
  // change. Restores options().state_path into the stream; call before
  // serving. kNotFound when there is no such file (the stream starts
  // empty); otherwise a one-line reason naming the file, and the stream is
  // as it was. *notes: one line each on what was restored.
  Status RestoreState(std::vector<std::string>* notes);
  // Writes the stream to options().state_path: Save() under the stream's
  // lock, the file (write aside, fsync, rename) outside it. Serialized; a
  // stream unchanged since the last checkpoint is not written again unless
  // `force`. *wrote: whether a file was written.
  Status Checkpoint(bool* wrote, bool force = false);

  // After shutdown starts, /readyz answers 503.
  void SetStopping() { stopping_.store(true); }
  bool stopping() const { return stopping_.load(); }

  Metrics& metrics() { return metrics_; }
  const ServiceOptions& options() const { return options_; }
  std::string fingerprint() const;
  std::size_t max_body_bytes() const { return options_.max_body_bytes; }

 private:
  struct Loaded;
  struct Worker;
  struct Item;
  class WorkerLease;

  Service(ServiceOptions options, std::shared_ptr<const RuleSet> rules);
  // Installs `rules` and moves the stream onto them (stream_mu_ taken).
  void Publish(std::shared_ptr<const RuleSet> rules);
  Days Today() const;
  std::shared_ptr<const Loaded> Current() const;
  std::unique_ptr<Worker> Acquire();
  void Release(std::unique_ptr<Worker> worker);
  // Brings a worker to the current rule set and today's date.
  void Refresh(Worker& w);
  // Replaces w.scorer with one on w.loaded's set, keeping its caches
  // (Scorer::AdoptCaches).
  void NewScorer(Worker& w, Days as_of);

  Response Score(const Request& request, std::string body, bool ndjson);
  Response Explain(const Request& request);
  Response Rules(const Request& request) const;
  Response MetricsText(const Request& request) const;

  // Reads the NDJSON text into w.items (records into w.records), at most
  // max_records; false when there are more.
  bool Decode(Worker& w, std::string text);
  // Scores w.items in acceptance order: the one place records reach a
  // scorer, where a stream of aggregates would be fed (docs/service.md).
  // `scoring`: the records join the stream and the record metrics (score);
  // otherwise (explain) they are measured against the stream without joining
  // it (StreamState::Peek): nothing later records see changes.
  void ScoreItems(Worker& w, bool scoring);
  // The measures `record` would have as the stream's next record, under
  // stream_mu_; unmeasured (cleared) when a reload moved the stream to
  // another set since the request was read.
  void PeekStream(const Worker& w, const Record& record, AggregateMeasures* out);
  // ScoreItems for a rule set with aggregates: the records join the stream
  // under stream_mu_, then are scored from their measures outside it.
  void ScoreStreamed(Worker& w);
  void AppendItem(const Worker& w, const Item& item, std::string* out) const;

  ServiceOptions options_;
  std::string token_digest_;  // SHA-256 of the token, when there is one
  Engine engine_;
  Metrics metrics_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex loaded_mu_;
  std::shared_ptr<const Loaded> loaded_;
  std::atomic<std::uint64_t> loaded_version_{0};

  std::mutex reload_mu_;

  // Lock order: stream_mu_, then loaded_mu_ (Publish holds both).
  std::mutex stream_mu_;
  std::unique_ptr<StreamState> stream_;  // on the published rule set
  bool stream_dirty_ = false;            // changed since the last checkpoint
  std::uint64_t stream_records_ = 0;     // records this process streamed
  std::mutex checkpoint_mu_;

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Worker>> pool_;
};

}  // namespace targeting::serve

#endif  // TARGETING_LIB_SERVE_SERVICE_H_
