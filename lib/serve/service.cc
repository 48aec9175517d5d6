#include "serve/service.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <utility>

#include "serve/json_body.h"
#include "targeting/explain.h"
#include "targeting/io.h"
#include "targeting/json.h"

namespace targeting::serve {

// One compiled rule set as served: the set, when it was loaded, and the
// metric counter of each of its entries.
struct Service::Loaded {
  std::shared_ptr<const RuleSet> rules;
  std::string loaded_at;  // RFC 3339, UTC
  std::uint64_t generation = 0;
  std::vector<std::uint64_t*> fired;  // by entry index
};

// A record read from a request, or why it could not be.
struct Service::Item {
  bool ok = false;
  std::size_t record = 0;  // index into Worker::records when ok
  std::uint64_t position = 0;  // 1-based: the line (NDJSON) or element (array)
  std::string record_id;   // of a reject, when it could be read
  std::string reason;
  ScoreResult result;
};

// Per-request scratch, reused across requests: a scorer on one rule set and
// the records, results and text of one request.
struct Service::Worker {
  std::shared_ptr<const Loaded> loaded;
  std::uint64_t version = 0;
  Days as_of = 0;
  std::optional<Scorer> scorer;
  // The set whose schema `records` were built with: usually `loaded`, an
  // older one for the rest of a request moved by a reload (ScoreStreamed).
  std::shared_ptr<const Loaded> records_of;
  std::vector<Record> records;  // records[0..used) hold this request's
  std::size_t used = 0;
  std::vector<Item> items;
  std::size_t item_count = 0;
  std::string text;
  std::vector<std::uint64_t> tally;  // fires by entry index, this request
  // The JSON Lines reader of request bodies, restarted for each (a new one
  // per request cost ~9 us, more than reading a record); made with the
  // schema of records_of, and dropped with the records when that changes.
  std::unique_ptr<RecordReader> reader;
  std::vector<const Record*> batch_records;  // ScoreStreamed's batch for the stream
  std::vector<AggregateMeasures*> batch_measures;
};

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kNdjson = "application/x-ndjson";

std::string Sha256(std::string_view s) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string NowRfc3339() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The media type of a Content-Type value, lower-cased, parameters dropped.
std::string MediaType(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return Lower(value);
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

Response Answer(unsigned version, http::status status, std::string body,
                std::string_view content_type = kJson) {
  Response res{status, version};
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// {"error": MESSAGE} and a line end.
Response Error(unsigned version, http::status status, std::string_view message,
               std::string extra = {}) {
  std::string body = "{\"error\":";
  AppendJsonString(message, &body);
  body += extra;
  body += "}\n";
  return Answer(version, status, std::move(body));
}

// 400 with where the JSON goes wrong and why.
Response Malformed(unsigned version, const JsonError& error) {
  std::string extra = ",\"offset\":" + std::to_string(error.offset) + ",\"reason\":";
  AppendJsonString(error.reason, &extra);
  return Error(version, http::status::bad_request, "malformed JSON", std::move(extra));
}

struct Route {
  Endpoint endpoint;
  http::verb method;
  bool needs_token;
  const char* allow;
};

const Route* FindRoute(std::string_view path) {
  static const Route kRoutes[] = {
      {Endpoint::kScore, http::verb::post, true, "POST"},
      {Endpoint::kExplain, http::verb::post, true, "POST"},
      {Endpoint::kRules, http::verb::get, true, "GET, HEAD"},
      {Endpoint::kReload, http::verb::post, true, "POST"},
      {Endpoint::kHealthz, http::verb::get, false, "GET, HEAD"},
      {Endpoint::kReadyz, http::verb::get, false, "GET, HEAD"},
      {Endpoint::kMetrics, http::verb::get, true, "GET, HEAD"},
  };
  switch (Service::EndpointOf(path)) {
    case Endpoint::kScore: return &kRoutes[0];
    case Endpoint::kExplain: return &kRoutes[1];
    case Endpoint::kRules: return &kRoutes[2];
    case Endpoint::kReload: return &kRoutes[3];
    case Endpoint::kHealthz: return &kRoutes[4];
    case Endpoint::kReadyz: return &kRoutes[5];
    case Endpoint::kMetrics: return &kRoutes[6];
    case Endpoint::kOther: return nullptr;
  }
  return nullptr;
}

}  // namespace

Endpoint Service::EndpointOf(std::string_view target) {
  const std::string_view path = PathOf(target);
  if (path == "/v1/score") return Endpoint::kScore;
  if (path == "/v1/explain") return Endpoint::kExplain;
  if (path == "/v1/rules") return Endpoint::kRules;
  if (path == "/v1/reload") return Endpoint::kReload;
  if (path == "/healthz") return Endpoint::kHealthz;
  if (path == "/readyz") return Endpoint::kReadyz;
  if (path == "/metrics") return Endpoint::kMetrics;
  return Endpoint::kOther;
}

std::unique_ptr<Service> Service::Create(ServiceOptions options, std::string* error,
                                         std::vector<std::string>* issues) {
  CompileResult compiled = CompilePath(options.rules_path, options.compile);
  if (!compiled.status.ok()) {
    *error = "cannot read rules: " + compiled.status.message();
    return nullptr;
  }
  for (const Issue& issue : compiled.issues) {
    if (issue.severity == Severity::kError) issues->push_back(issue.ToString());
  }
  if (!compiled.ok()) {
    *error = "the rule set " + options.rules_path + " does not compile (" +
             std::to_string(compiled.error_count()) + " errors; see targeting check " +
             options.rules_path + ")";
    return nullptr;
  }
  return std::unique_ptr<Service>(new Service(std::move(options), compiled.rule_set));
}

std::unique_ptr<Service> Service::Create(ServiceOptions options, std::shared_ptr<const RuleSet> rules) {
  return std::unique_ptr<Service>(new Service(std::move(options), std::move(rules)));
}

Service::Service(ServiceOptions options, std::shared_ptr<const RuleSet> rules)
    : options_(std::move(options)), engine_(rules) {
  if (!options_.token.empty()) token_digest_ = Sha256(options_.token);
  Publish(std::move(rules));
}

Service::~Service() = default;

Days Service::Today() const { return options_.as_of ? *options_.as_of : TodayUtc(); }

void Service::Publish(std::shared_ptr<const RuleSet> rules) {
  // Everything that takes time with the set's size (a counter per entry) is
  // done before the stream's lock, which every scoring request takes.
  auto loaded = std::make_shared<Loaded>();
  loaded->rules = rules;
  loaded->loaded_at = NowRfc3339();
  loaded->generation = engine_.generation();
  for (const EntryInfo& e : loaded->rules->entries()) {
    loaded->fired.push_back(metrics_.EntryCounter(e.id, EntryKindName(e.kind)));
  }
  // What this replaces is freed off the locks and off this thread.
  std::shared_ptr<const Loaded> old;
  std::unique_ptr<StreamState> old_stream;
  std::unique_lock<std::mutex> stream_lock(stream_mu_);
  if (!stream_) {
    stream_ = std::make_unique<StreamState>(rules, Today());
  } else {
    std::vector<std::string> started_empty;
    if (Status s = stream_->Rebind(rules, &started_empty); !s.ok()) {
      std::fprintf(stderr, "targeting serve: %s: the aggregates' stream starts empty\n", s.message().c_str());
      old_stream = std::exchange(stream_, std::make_unique<StreamState>(rules, Today()));
      for (std::size_t a = 0; a < rules->aggregate_count(); ++a) {
        started_empty.push_back(rules->aggregate_label(a));
      }
    }
    for (const std::string& label : started_empty) {
      std::fprintf(stderr, "targeting serve: aggregate %s is new in this rule set: it starts empty\n",
                   label.c_str());
    }
    stream_dirty_ = true;
  }
  {
    std::lock_guard<std::mutex> lock(loaded_mu_);
    old = std::exchange(loaded_, std::move(loaded));
    loaded_version_.fetch_add(1, std::memory_order_release);
  }
  stream_lock.unlock();
  ReleaseInBackground(std::move(old));
  if (old_stream) ReleaseInBackground(std::shared_ptr<const StreamState>(std::move(old_stream)));
}

Status Service::RestoreState(std::vector<std::string>* notes) {
  notes->clear();
  std::lock_guard<std::mutex> lock(stream_mu_);
  std::vector<std::string> not_in_file;
  Status s = stream_->LoadFile(options_.state_path, &not_in_file);
  if (s.code() == StatusCode::kNotFound) {
    notes->push_back("state " + options_.state_path + " does not exist yet: the stream starts empty");
    return s;
  }
  if (!s.ok()) return s;
  notes->push_back("restored " + std::to_string(stream_->stats().keys) + " keys of " +
                   std::to_string(stream_->rules().aggregate_count()) + " aggregates from " +
                   options_.state_path);
  for (const std::string& label : not_in_file) {
    notes->push_back("aggregate " + label + " is not in " + options_.state_path + ": it starts empty");
  }
  return s;
}

Status Service::Checkpoint(bool* wrote, bool force) {
  *wrote = false;
  std::lock_guard<std::mutex> serial(checkpoint_mu_);
  std::string bytes;
  std::uint64_t held = 0;
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    if (!stream_dirty_ && !force) return Status::Ok();
    bytes = stream_->Save();
    stream_dirty_ = false;
    held = stream_records_;
  }
  Status s = WriteStateFile(options_.state_path, bytes);
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(stream_mu_);
    stream_dirty_ = true;  // try again next time
    metrics_.checkpoints_failed.fetch_add(1);
    return s;
  }
  metrics_.checkpointed_records.store(held);
  metrics_.checkpoints.fetch_add(1);
  *wrote = true;
  return s;
}

std::shared_ptr<const Service::Loaded> Service::Current() const {
  std::lock_guard<std::mutex> lock(loaded_mu_);
  return loaded_;
}

std::string Service::fingerprint() const { return Current()->rules->fingerprint(); }

std::unique_ptr<Service::Worker> Service::Acquire() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      std::unique_ptr<Worker> w = std::move(pool_.back());
      pool_.pop_back();
      return w;
    }
  }
  return std::make_unique<Worker>();
}

void Service::Release(std::unique_ptr<Worker> worker) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  pool_.push_back(std::move(worker));
}

// Hands a worker back to the pool however the request ends.
class Service::WorkerLease {
 public:
  explicit WorkerLease(Service* s) : service_(s), worker_(s->Acquire()) { s->Refresh(*worker_); }
  ~WorkerLease() { service_->Release(std::move(worker_)); }
  WorkerLease(const WorkerLease&) = delete;
  WorkerLease& operator=(const WorkerLease&) = delete;
  Worker& operator*() { return *worker_; }

 private:
  Service* service_;
  std::unique_ptr<Worker> worker_;
};

void Service::Refresh(Worker& w) {
  const Days today = options_.as_of ? *options_.as_of : TodayUtc();
  const std::uint64_t version = loaded_version_.load(std::memory_order_acquire);
  // records_of differs from loaded when a reload moved the last request to
  // a new set after its records were read (ScoreStreamed): the records are
  // rebuilt now, so that every record of a request refers to the schema of
  // one set that the worker keeps alive.
  if (w.scorer && w.version == version && w.as_of == today && w.records_of == w.loaded) return;
  std::shared_ptr<const Loaded> loaded = Current();
  if (!w.records_of || w.records_of->rules != loaded->rules) {
    w.records.clear();  // built with the old schema
    w.reader.reset();   // likewise
    w.records_of = loaded;
  }
  if (!w.loaded || w.loaded->rules != loaded->rules) {
    w.tally.assign(loaded->rules->entries().size(), 0);
  }
  // This worker may hold the last reference to the old rule set: it is freed
  // on a background thread rather than in the request.
  std::shared_ptr<const Loaded> old = std::move(w.loaded);
  w.loaded = std::move(loaded);
  w.version = version;
  w.as_of = today;
  NewScorer(w, today);  // `old` still holds the old set: it is freed below, off this thread
  ReleaseInBackground(std::move(old));
}

void Service::NewScorer(Worker& w, Days as_of) {
  // The new scorer keeps the old one's similar answers (the filters of an
  // unchanged list are shared by the reloaded set): after a reload the
  // screening does not start cold.
  std::optional<Scorer> previous;
  if (w.scorer) previous.emplace(std::move(*w.scorer));
  w.scorer.emplace(w.loaded->rules, ScoreOptions{as_of});
  if (previous) w.scorer->AdoptCaches(&*previous);
}

std::optional<Response> Service::Precheck(const RequestHeader& h) const {
  const unsigned v = h.version();
  const std::string_view target(h.target().data(), h.target().size());
  const Route* route = FindRoute(target);
  if ((!route || route->needs_token) && !token_digest_.empty()) {
    const auto auth_value = h[http::field::authorization];
    const std::string_view auth(auth_value.data(), auth_value.size());
    constexpr std::string_view kBearer = "Bearer ";
    bool ok = auth.size() > kBearer.size() && Lower(auth.substr(0, kBearer.size())) == "bearer ";
    // Compared as digests, whose length does not depend on the guess, with
    // a comparison whose time does not depend on where they differ.
    const std::string digest = Sha256(ok ? auth.substr(kBearer.size()) : std::string_view("-"));
    ok = CRYPTO_memcmp(digest.data(), token_digest_.data(), digest.size()) == 0 && ok;
    if (!ok) {
      Response res{http::status::unauthorized, v};
      res.set(http::field::www_authenticate, "Bearer");
      res.prepare_payload();
      return res;
    }
  }
  if (!route) return Error(v, http::status::not_found, "no such path; see docs/service.md");
  const bool head_ok = route->method == http::verb::get && h.method() == http::verb::head;
  if (h.method() != route->method && !head_ok) {
    Response res = Error(v, http::status::method_not_allowed,
                         std::string("use ") + route->allow + " on " + std::string(PathOf(target)));
    res.set(http::field::allow, route->allow);
    return res;
  }
  if (route->endpoint == Endpoint::kScore || route->endpoint == Endpoint::kExplain) {
    const auto type_value = h[http::field::content_type];
    const std::string type = MediaType(std::string_view(type_value.data(), type_value.size()));
    const bool ndjson_ok = route->endpoint == Endpoint::kScore;
    if (type != kJson && !(ndjson_ok && type == kNdjson)) {
      return Error(v, http::status::unsupported_media_type,
                   ndjson_ok ? "Content-Type must be application/json or application/x-ndjson"
                             : "Content-Type must be application/json");
    }
  }
  const auto length_value = h[http::field::content_length];
  const std::string_view length(length_value.data(), length_value.size());
  if (!length.empty() && length.size() > 18) {
    return Error(v, http::status::payload_too_large, "body over --max-body-bytes");
  }
  if (!length.empty()) {
    std::uint64_t n = 0;
    for (char c : length) n = c >= '0' && c <= '9' ? n * 10 + static_cast<std::uint64_t>(c - '0') : n;
    if (n > options_.max_body_bytes) {
      return Error(v, http::status::payload_too_large,
                   "body of " + std::to_string(n) + " bytes over --max-body-bytes " +
                       std::to_string(options_.max_body_bytes));
    }
  }
  return std::nullopt;
}

Response Service::Handle(Request&& request) {
  if (std::optional<Response> early = Precheck(request)) return std::move(*early);
  const unsigned v = request.version();
  if (request.body().size() > options_.max_body_bytes) {
    return Error(v, http::status::payload_too_large, "body over --max-body-bytes");
  }
  Response res;
  switch (EndpointOf(std::string_view(request.target().data(), request.target().size()))) {
    case Endpoint::kScore: {
      const auto type_value = request[http::field::content_type];
      const bool ndjson = MediaType(std::string_view(type_value.data(), type_value.size())) == kNdjson;
      std::string body = std::move(request.body());
      res = Score(request, std::move(body), ndjson);
      break;
    }
    case Endpoint::kExplain: res = Explain(request); break;
    case Endpoint::kRules: res = Rules(request); break;
    case Endpoint::kReload: res = Reload(); res.version(v); break;
    case Endpoint::kHealthz: res = Answer(v, http::status::ok, "ok\n", "text/plain"); break;
    case Endpoint::kReadyz:
      res = stopping() ? Answer(v, http::status::service_unavailable, "shutting down\n", "text/plain")
                       : Answer(v, http::status::ok, "ready\n", "text/plain");
      break;
    case Endpoint::kMetrics: res = MetricsText(request); break;
    case Endpoint::kOther: res = Error(v, http::status::not_found, "no such path"); break;
  }
  if (request.method() == http::verb::head) {
    // The length of what GET would send, without it.
    const std::size_t n = res.body().size();
    res.body().clear();
    res.content_length(n);
  }
  return res;
}

bool Service::Decode(Worker& w, std::string text) {
  const Schema& schema = w.loaded->rules->schema();
  w.used = 0;
  w.item_count = 0;
  if (w.reader) {
    (void)w.reader->Restart(std::move(text));  // a JSON Lines reader: cannot fail
  } else {
    auto opened = RecordReader::FromString(std::move(text), "request", InputFormat::kJsonl, schema,
                                           options_.reader);
    if (!opened.ok()) return true;  // cannot happen for JSON Lines: no header
    w.reader = std::move(opened.value());
  }
  RecordReader& reader = *w.reader;
  Reject reject;
  for (;;) {
    if (w.used == w.records.size()) w.records.emplace_back(schema);
    if (w.item_count == w.items.size()) w.items.emplace_back();
    Record& record = w.records[w.used];
    RecordReader::Next next = reader.Read(&record, &reject);
    if (next == RecordReader::Next::kEnd) break;
    if (w.item_count == options_.max_records) return false;
    Item& item = w.items[w.item_count++];
    if (next == RecordReader::Next::kRecord) {
      item.ok = true;
      item.record = w.used++;
      item.position = record.line();
      item.record_id.clear();
      item.reason.clear();
    } else {
      item.ok = false;
      item.position = reject.line;
      item.record_id = std::move(reject.record_id);
      item.reason = std::move(reject.reason);
    }
  }
  if (!reader.status().ok()) {
    // The reader gave up (an endless line past --max-skip-bytes): what is
    // left of the body is one more reject, so nothing goes unanswered.
    if (w.item_count == w.items.size()) w.items.emplace_back();
    Item& item = w.items[w.item_count++];
    item.ok = false;
    item.position = 0;
    item.record_id.clear();
    item.reason = reader.status().message();
  }
  return true;
}

void Service::ScoreStreamed(Worker& w) {
  // A record that was read but could not be scored is answered in its place
  // as an error object (its position is already the record's line).
  auto RejectRead = [](Item& item, const Record& record, std::string reason) {
    item.ok = false;
    item.record_id = record.record_id();
    item.reason = std::move(reason);
  };
  std::unique_lock<std::mutex> lock(stream_mu_);
  if (&stream_->rules() != w.loaded->rules.get()) {
    // A reload landed between this request's reading and now. The stream is
    // on the published set (Publish holds stream_mu_): the request moves to
    // it, as it would have had it come a moment later.
    std::shared_ptr<const Loaded> current = Current();
    if (!current->rules->schema().SameAs(w.loaded->rules->schema())) {
      for (std::size_t i = 0; i < w.item_count; ++i) {
        Item& item = w.items[i];
        if (item.ok) {
          RejectRead(item, w.records[item.record],
                     "the rules were reloaded with a different schema while this request was read; send it again");
        }
      }
      return;
    }
    // The records keep referring to the schema of the set they were read
    // with, which w.records_of keeps alive until the next Refresh rebuilds
    // them; the set this request leaves may be the last reference to a big
    // one, freed off the request's thread.
    std::shared_ptr<const Loaded> left = std::exchange(w.loaded, std::move(current));
    ReleaseInBackground(std::move(left));
    w.version = loaded_version_.load(std::memory_order_acquire);
    NewScorer(w, w.as_of);
    w.tally.assign(w.loaded->rules->entries().size(), 0);
  }
  // A new day (no --as-of): records without a date now get today's.
  stream_->SetAsOf(w.as_of);
  // Only the stream stage is serial: the records join the stream in
  // acceptance order under the lock, and are scored from their measures
  // after it, so that workers score in parallel. The measures are all the
  // state a score reads; the set they were taken on is w.loaded's, which
  // the worker holds.
  // In one batch, which overlaps the records' lookups of the history.
  w.batch_records.clear();
  w.batch_measures.clear();
  for (std::size_t i = 0; i < w.item_count; ++i) {
    Item& item = w.items[i];
    if (!item.ok) continue;
    w.batch_records.push_back(&w.records[item.record]);
    w.batch_measures.push_back(&item.result.measures);
  }
  const Status batch =
      stream_->AdvanceBatch(w.batch_records.data(), w.batch_records.size(), w.batch_measures.data());
  // A record the stream refused (of another schema: not expected, as the set
  // was checked above) has its measures cleared (the set has aggregates, so
  // a measured record's are not empty); it did not join.
  std::size_t joined = w.batch_records.size();
  if (!batch.ok()) {
    for (const AggregateMeasures* m : w.batch_measures) joined -= m->value.empty() ? 1 : 0;
  }
  stream_records_ += joined;
  stream_dirty_ = true;
  lock.unlock();
  if (!batch.ok()) {
    for (std::size_t i = 0; i < w.item_count; ++i) {
      Item& item = w.items[i];
      if (item.ok && item.result.measures.value.empty()) RejectRead(item, w.records[item.record], batch.message());
    }
  }
  for (std::size_t i = 0; i < w.item_count; ++i) {
    Item& item = w.items[i];
    if (!item.ok) continue;
    const Record& record = w.records[item.record];
    Status s = w.scorer->ScoreMeasured(record, &item.result);
    if (!s.ok()) RejectRead(item, record, s.message());
  }
}

void Service::PeekStream(const Worker& w, const Record& record, AggregateMeasures* out) {
  std::lock_guard<std::mutex> lock(stream_mu_);
  if (&stream_->rules() != w.loaded->rules.get()) {
    out->Clear();
    return;
  }
  stream_->SetAsOf(w.as_of);  // as ScoreStreamed: a dateless record is today's
  if (!stream_->Peek(record, out).ok()) out->Clear();
}

void Service::ScoreItems(Worker& w, bool scoring) {
  // With aggregates, the records of a score request join the one stream in
  // acceptance order, under its lock; without, each request scores on its
  // own worker, in parallel.
  const bool streamed = w.loaded->rules->aggregate_count() > 0;
  if (streamed && scoring) ScoreStreamed(w);
  RecordTally tally;
  const RuleSet& rules = *w.loaded->rules;
  for (std::size_t i = 0; i < w.item_count; ++i) {
    Item& item = w.items[i];
    if (!item.ok) {
      ++tally.rejected;
      continue;
    }
    Status s = Status::Ok();
    if (!streamed) {
      s = w.scorer->Score(w.records[item.record], &item.result);
    } else if (!scoring) {
      PeekStream(w, w.records[item.record], &item.result.measures);
      s = w.scorer->ScoreMeasured(w.records[item.record], &item.result);
    }
    if (!s.ok()) {
      // Records are read with the scorer's own schema; kept as a reject
      // rather than trusted blindly.
      item.ok = false;
      item.reason = s.message();
      ++tally.rejected;
      continue;
    }
    ++tally.scored;
    tally.sampled += item.result.sampled ? 1 : 0;
    ++tally.lanes[static_cast<std::size_t>(item.result.lane)];
    for (std::uint32_t e : item.result.fired) ++w.tally[e];
  }
  for (std::size_t e = 0; e < rules.entries().size(); ++e) {
    if (w.tally[e] == 0) continue;
    tally.fired.emplace_back(w.loaded->fired[e], w.tally[e]);
    w.tally[e] = 0;
  }
  if (scoring) metrics_.Add(tally);
}

void Service::AppendItem(const Worker& w, const Item& item, std::string* out) const {
  if (item.ok) {
    AppendScoreJson(*w.loaded->rules, w.records[item.record].record_id(), item.result, out);
    return;
  }
  *out += "{\"record_id\":";
  if (item.record_id.empty()) *out += "null";
  else AppendJsonString(item.record_id, out);
  *out += ",\"error\":{\"position\":";
  *out += std::to_string(item.position);
  *out += ",\"reason\":";
  AppendJsonString(item.reason, out);
  *out += "}}";
}

Response Service::Score(const Request& request, std::string body, bool ndjson) {
  const unsigned v = request.version();
  WorkerLease lease(this);
  Worker& w = *lease;
  enum class Shape { kOne, kArray, kLines } shape = Shape::kLines;
  if (ndjson) {
    w.text = std::move(body);
  } else {
    JsonError error;
    if (!CheckJson(body, &error)) {
      return Malformed(v, error);
    }
    const std::string_view value = TrimJson(body);
    w.text.clear();
    if (value.front() == '[') {
      shape = Shape::kArray;
      std::vector<std::string_view> elements = ArrayElements(value);
      if (elements.size() > options_.max_records) {
        return Error(v, http::status::payload_too_large,
                     "more than --max-records " + std::to_string(options_.max_records) + " records");
      }
      w.text.reserve(value.size() + 1);
      for (std::string_view e : elements) AppendAsLine(e, &w.text);
    } else if (value.front() == '{') {
      shape = Shape::kOne;
      AppendAsLine(value, &w.text);
    } else {
      return Error(v, http::status::bad_request,
                   "the body must be a JSON object (one record) or an array of them");
    }
  }
  if (!Decode(w, std::move(w.text))) {
    return Error(v, http::status::payload_too_large,
                 "more than --max-records " + std::to_string(options_.max_records) + " records");
  }
  if (options_.after_read) options_.after_read();
  ScoreItems(w, true);
  const std::string& fingerprint = w.loaded->rules->fingerprint();
  std::string out;
  http::status status = http::status::ok;
  switch (shape) {
    case Shape::kOne:
      if (w.item_count == 1) {
        AppendItem(w, w.items[0], &out);
        if (!w.items[0].ok) status = http::status::unprocessable_entity;
      }
      out += '\n';
      break;
    case Shape::kArray:
      out.reserve(64 + w.item_count * 160);
      out += "{\"fingerprint\":\"" + fingerprint + "\",\"results\":[";
      for (std::size_t i = 0; i < w.item_count; ++i) {
        if (i) out += ',';
        AppendItem(w, w.items[i], &out);
      }
      out += "]}\n";
      break;
    case Shape::kLines:
      out.reserve(w.item_count * 160);
      for (std::size_t i = 0; i < w.item_count; ++i) {
        AppendItem(w, w.items[i], &out);
        out += '\n';
      }
      break;
  }
  Response res = Answer(v, status, std::move(out), shape == Shape::kLines ? kNdjson : kJson);
  res.set("Targeting-Fingerprint", fingerprint);
  return res;
}

Response Service::Explain(const Request& request) {
  const unsigned v = request.version();
  const std::string& body = request.body();
  JsonError error;
  if (!CheckJson(body, &error)) {
    return Malformed(v, error);
  }
  const std::string_view value = TrimJson(body);
  if (value.front() != '{') {
    return Error(v, http::status::bad_request, "the body must be an object {\"record\": {...}, \"entries\": [ID, ...]}");
  }
  std::optional<std::string_view> record_text;
  std::optional<std::vector<std::string>> ids;
  for (const auto& [key, member] : ObjectMembers(value)) {
    const std::optional<std::string> name = StringValue(key);
    if (name == "record") {
      record_text = member;
    } else if (name == "entries") {
      ids = StringArray(member);
      if (!ids) return Error(v, http::status::bad_request, "\"entries\" must be an array of entry ids");
    }
  }
  if (!record_text || record_text->empty() || record_text->front() != '{') {
    return Error(v, http::status::bad_request, "\"record\" must be a JSON object: the record to explain");
  }
  WorkerLease lease(this);
  Worker& w = *lease;
  const RuleSet& rules = *w.loaded->rules;
  std::vector<int> entries;
  if (ids) {
    for (const std::string& id : *ids) {
      const int e = rules.FindEntry(id);
      if (e < 0) {
        return Error(v, http::status::bad_request,
                     "no entry '" + id + "' in the rule set (retired entries are not compiled)");
      }
      entries.push_back(e);
    }
  } else {
    for (int e = 0; e < static_cast<int>(rules.entries().size()); ++e) entries.push_back(e);
  }
  w.text.clear();
  AppendAsLine(*record_text, &w.text);
  Decode(w, std::move(w.text));
  ScoreItems(w, false);
  std::string out;
  http::status status = http::status::ok;
  if (w.item_count != 1 || !w.items[0].ok) {
    status = http::status::unprocessable_entity;
    if (w.item_count == 1) AppendItem(w, w.items[0], &out);
    out += '\n';
  } else {
    // As `targeting explain --format json` writes it; the record is line 1
    // of the request.
    const Record& r = w.records[w.items[0].record];
    out = "{\"record_id\":";
    AppendJsonString(r.record_id(), &out);
    out += ",\"line\":1,\"fingerprint\":\"" + rules.fingerprint() + "\",\"score\":";
    AppendScoreJson(rules, r.record_id(), w.items[0].result, &out);
    out += ",\"entries\":[";
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i) out += ',';
      AppendExplanationJson(
          rules, targeting::Explain(rules, r, entries[i], w.as_of, &w.items[0].result.measures), &out);
    }
    out += "]}\n";
  }
  Response res = Answer(v, status, std::move(out));
  res.set("Targeting-Fingerprint", rules.fingerprint());
  return res;
}

Response Service::Rules(const Request& request) const {
  std::shared_ptr<const Loaded> loaded = Current();
  const RuleSet& rules = *loaded->rules;
  std::string out = "{\"fingerprint\":\"" + rules.fingerprint() + "\",\"loaded_at\":\"" +
                    loaded->loaded_at + "\",\"generation\":" + std::to_string(loaded->generation) +
                    ",\"entries\":[";
  bool first = true;
  for (const EntryInfo& e : rules.entries()) {
    if (!first) out += ',';
    first = false;
    out += "{\"id\":";
    AppendJsonString(e.id, &out);
    out += ",\"kind\":\"";
    out += EntryKindName(e.kind);
    out += "\",\"version\":" + std::to_string(e.version) + ",\"status\":\"" +
           EntryStatusName(e.status) + "\",\"weight\":";
    AppendJsonNumber(e.weight, &out);
    out += ",\"priorities\":[";
    for (std::size_t i = 0; i < e.priorities.size(); ++i) {
      if (i) out += ',';
      AppendJsonString(e.priorities[i], &out);
    }
    out += "]}";
  }
  out += "]}\n";
  Response res = Answer(request.version(), http::status::ok, std::move(out));
  res.set("Targeting-Fingerprint", rules.fingerprint());
  return res;
}

Response Service::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  const std::string previous = fingerprint();
  const auto started = std::chrono::steady_clock::now();
  CompileResult result = engine_.Reload(options_.rules_path, options_.compile);
  const std::string compile_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  std::string out;
  if (result.ok()) {
    Publish(result.rule_set);
    metrics_.reloads.fetch_add(1);
    out = "{\"reloaded\":true,\"fingerprint\":\"" + result.rule_set->fingerprint() +
          "\",\"previous\":\"" + previous + "\",\"entries\":" +
          std::to_string(result.rule_set->entries().size()) + ",\"warnings\":" +
          std::to_string(result.warning_count()) + ",\"compile_ms\":" + compile_ms + "}\n";
    std::fprintf(stderr, "targeting serve: reloaded %s in %s ms: fingerprint %s\n", options_.rules_path.c_str(),
                 compile_ms.c_str(), result.rule_set->fingerprint().c_str());
    Response res = Answer(11, http::status::ok, std::move(out));
    res.set("Targeting-Fingerprint", result.rule_set->fingerprint());
    return res;
  }
  metrics_.reloads_failed.fetch_add(1);
  const std::string reason =
      !result.status.ok() ? "cannot read rules: " + result.status.message()
                          : "the rule set does not compile (" + std::to_string(result.error_count()) + " errors)";
  out = "{\"reloaded\":false,\"fingerprint\":\"" + previous + "\",\"reason\":";
  AppendJsonString(reason, &out);
  out += ",\"issues\":[";
  bool first = true;
  for (const Issue& issue : result.issues) {
    if (issue.severity != Severity::kError) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(issue.ToString(), &out);
  }
  out += "]}\n";
  std::fprintf(stderr, "targeting serve: reload of %s failed, still serving %s: %s\n",
               options_.rules_path.c_str(), previous.c_str(), reason.c_str());
  Response res = Answer(11, http::status::unprocessable_entity, std::move(out));
  res.set("Targeting-Fingerprint", previous);
  return res;
}

Response Service::MetricsText(const Request& request) const {
  std::shared_ptr<const Loaded> loaded = Current();
  return Answer(request.version(), http::status::ok,
                metrics_.Render(loaded->rules->fingerprint(), loaded->loaded_at,
                                loaded->rules->entries().size()),
                "text/plain; version=0.0.4");
}

}  // namespace targeting::serve
