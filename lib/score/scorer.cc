// Layout: score/ scores records, explains them and runs inline tests (engine stage 10 of 11).
// Scoring a record (SPEC section 5): fired entries, score, lane, sampling.
#include <algorithm>

#include "index/match_index.h"
#include "plan/ruleset_data.h"
#include "eval/evaluate.h"
#include "stream/history.h"
#include "targeting/score.h"
#include "util/background_release.h"
#include "util/json_writer.h"

namespace targeting {

std::uint64_t Fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t SplitMix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool IsSampled(double rate, std::string_view salt, std::string_view record_id) {
  if (!(rate > 0)) return false;
  // FNV-1a over salt + ":" + record_id without building the string.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto feed = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
  };
  feed(salt);
  feed(":");
  feed(record_id);
  h = SplitMix64(h);
  return static_cast<double>(h >> 11) * 0x1.0p-53 < rate;
}

struct Scorer::Scratch {
  std::unique_ptr<internal::MatchIndex::Scratch> index;
  // The streams of Score and ScoreReference; null without aggregates.
  std::unique_ptr<StreamState> stream;
  std::unique_ptr<StreamState> reference;
};

Scorer::Scorer(std::shared_ptr<const RuleSet> rules, ScoreOptions options)
    : rules_(std::move(rules)), options_(options), scratch_(std::make_unique<Scratch>()) {
  scratch_->index = rules_->data().index->NewScratch();
  if (!rules_->data().aggregates.empty()) {
    scratch_->stream = std::make_unique<StreamState>(rules_, options_.as_of);
    scratch_->reference =
        std::make_unique<StreamState>(rules_, options_.as_of, StreamState::Kind::kReference);
  }
}
Scorer::~Scorer() = default;
Scorer::Scorer(Scorer&&) noexcept = default;
Scorer& Scorer::operator=(Scorer&&) noexcept = default;

namespace {

Status CheckSchema(const RuleSet& rules, const Record& record, ScoreResult* result) {
  result->Clear();
  if (!record.schema().SameAs(rules.schema())) {
    return Status(StatusCode::kInvalidArgument,
                  "the record was not built with this rule set's schema");
  }
  return Status::Ok();
}

void Finish(const RuleSet& rules, const Record& record, ScoreResult* result) {
  const auto& entries = rules.entries();
  double score = 0;
  for (std::uint32_t e : result->fired) {
    if (entries[e].status == EntryStatus::kActive) score += entries[e].weight;
  }
  const RuleSetConfig& cfg = rules.config();
  result->score = score;
  result->lane = score >= cfg.red ? Lane::kRed : score >= cfg.yellow ? Lane::kYellow : Lane::kGreen;
  result->sampled = IsSampled(cfg.sampling_rate, cfg.salt, record.record_id());
}

}  // namespace

Status Scorer::Score(const Record& record, ScoreResult* result) {
  if (Status s = Measure(record, result); !s.ok()) return s;
  return ScoreMeasured(record, result);
}

Status Scorer::ScoreReference(const Record& record, ScoreResult* result) {
  if (Status s = MeasureReference(record, result); !s.ok()) return s;
  return ScoreReferenceMeasured(record, result);
}

Status Scorer::Measure(const Record& record, ScoreResult* result) {
  if (!scratch_->stream) {
    result->measures.Clear();
    return Status::Ok();
  }
  Status s = scratch_->stream->Advance(record, &result->measures);
  if (!s.ok()) result->Clear();
  return s;
}

Status Scorer::MeasureBatch(const Record* records, ScoreResult* results, std::size_t n) {
  if (!scratch_->stream) {
    for (std::size_t i = 0; i < n; ++i) results[i].measures.Clear();
    return Status::Ok();
  }
  Status status = Status::Ok();
  constexpr std::size_t kChunk = 256;
  const Record* rs[kChunk];
  AggregateMeasures* out[kChunk];
  for (std::size_t at = 0; at < n; at += kChunk) {
    const std::size_t m = std::min(kChunk, n - at);
    for (std::size_t i = 0; i < m; ++i) {
      rs[i] = &records[at + i];
      out[i] = &results[at + i].measures;
    }
    Status s = scratch_->stream->AdvanceBatch(rs, m, out);
    if (!s.ok()) {
      for (std::size_t i = 0; i < m; ++i) {
        if (!rs[i]->schema().SameAs(rules_->schema())) results[at + i].Clear();
      }
      if (status.ok()) status = s;
    }
  }
  return status;
}

Status Scorer::MeasureReference(const Record& record, ScoreResult* result) {
  if (!scratch_->reference) {
    result->measures.Clear();
    return Status::Ok();
  }
  Status s = scratch_->reference->Advance(record, &result->measures);
  if (!s.ok()) result->Clear();
  return s;
}

Status Scorer::ScoreMeasured(const Record& record, ScoreResult* result) {
  if (Status s = CheckSchema(*rules_, record, result); !s.ok()) return s;
  internal::MatchIndex::Scratch* ix = scratch_->index.get();
  ix->measures = result->measures.keyed.empty() ? nullptr : &result->measures;
  rules_->data().index->Match(record, options_.as_of, ix, &result->fired);
  ix->measures = nullptr;
  Finish(*rules_, record, result);
  return Status::Ok();
}

Status Scorer::ScoreReferenceMeasured(const Record& record, ScoreResult* result) {
  if (Status s = CheckSchema(*rules_, record, result); !s.ok()) return s;
  internal::ReferenceMatch(rules_->data(), record, options_.as_of, &result->fired,
                           result->measures.keyed.empty() ? nullptr : &result->measures);
  Finish(*rules_, record, result);
  return Status::Ok();
}

bool Scorer::has_stream() const { return scratch_->stream != nullptr; }
StreamState* Scorer::stream() { return scratch_->stream.get(); }
StreamState* Scorer::reference_stream() { return scratch_->reference.get(); }

void Scorer::AdoptCaches(Scorer* other) {
  if (other == nullptr || other == this || !other->scratch_ || !other->scratch_->index) return;
  rules_->data().index->CarryCaches(other->scratch_->index.get(), scratch_->index.get());
}

Status Scorer::Rebind(std::shared_ptr<const RuleSet> next, std::vector<std::string>* started_empty) {
  if (!next || !next->schema().SameAs(rules_->schema())) {
    return Status(StatusCode::kInvalidArgument, "the new rule set has a different schema");
  }
  auto carry = [&](std::unique_ptr<StreamState>* stream, StreamState::Kind kind,
                   std::vector<std::string>* notes) -> Status {
    if (next->data().aggregates.empty()) {
      stream->reset();
      return Status::Ok();
    }
    if (!*stream) {
      *stream = std::make_unique<StreamState>(next, options_.as_of, kind);
      for (std::size_t a = 0; a < next->aggregate_count(); ++a) {
        if (notes) notes->push_back(next->aggregate_label(a));
      }
      return Status::Ok();
    }
    return (*stream)->Rebind(next, notes);
  };
  if (Status s = carry(&scratch_->stream, StreamState::Kind::kIndexed, started_empty); !s.ok()) {
    return s;
  }
  carry(&scratch_->reference, StreamState::Kind::kReference, nullptr);
  auto index = next->data().index->NewScratch();
  next->data().index->CarryCaches(scratch_->index.get(), index.get());
  scratch_->index = std::move(index);
  rules_ = std::move(next);
  return Status::Ok();
}

void AppendScoreJson(const RuleSet& rules, std::string_view record_id, const ScoreResult& result,
                     std::string* out) {
  using internal::AppendJsonNumber;
  using internal::AppendJsonString;
  out->append("{\"record_id\":");
  AppendJsonString(record_id, out);
  out->append(",\"score\":");
  AppendJsonNumber(result.score, out);
  out->append(",\"lane\":\"");
  out->append(LaneName(result.lane));
  out->append("\",\"sampled\":");
  out->append(result.sampled ? "true" : "false");
  out->append(",\"fired\":[");
  bool first = true;
  for (std::uint32_t i : result.fired) {
    const EntryInfo& e = rules.entries()[i];
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"id\":");
    AppendJsonString(e.id, out);
    out->append(",\"kind\":\"");
    out->append(EntryKindName(e.kind));
    out->append("\",\"version\":");
    out->append(std::to_string(e.version));
    out->append(",\"status\":\"");
    out->append(EntryStatusName(e.status));
    out->append("\",\"weight\":");
    AppendJsonNumber(e.weight, out);
    out->push_back('}');
  }
  out->append("]}");
}

void ReleaseInBackground(std::shared_ptr<const void> p) {
  internal::ReleaseInBackground(std::move(p));
}

Engine::Engine(std::shared_ptr<const RuleSet> initial) : current_(std::move(initial)) {}

std::shared_ptr<const RuleSet> Engine::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void Engine::Swap(std::shared_ptr<const RuleSet> next) {
  if (!next) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_.swap(next);
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
  // `next` now holds the old set; it is released here unless a scorer still
  // uses it, in which case the last scorer releases it.
}

Status Engine::Refresh(Scorer* scorer, std::vector<std::string>* started_empty) const {
  std::shared_ptr<const RuleSet> current = Current();
  if (scorer->rules_ptr() == current) return Status::Ok();
  // The scorer may hold the last reference to the old set: freeing it (a
  // few hundred ms at 100k rules) happens off the scoring thread.
  std::shared_ptr<const RuleSet> old = scorer->rules_ptr();
  Status s = scorer->Rebind(std::move(current), started_empty);
  internal::ReleaseInBackground(std::move(old));
  return s;
}

CompileResult Engine::Reload(const std::string& path, CompileOptions options) {
  CompileResult result = CompilePath(path, options);
  if (result.ok()) Swap(result.rule_set);
  return result;
}

TestReport RunInlineTests(const RuleSet& rules, Days as_of) {
  TestReport report;
  const internal::RuleSetData& data = rules.data();
  for (std::size_t i = 0; i < data.entries.size(); ++i) {
    const EntryInfo& e = data.entries[i];
    for (const internal::TestCase& tc : data.code[i].tests) {
      ++report.run;
      AggregateMeasures measures;
      if (!data.aggregates.empty()) internal::StreamTestRecords(data, tc, as_of, &measures);
      bool fired = internal::EvalNode(data, data.code[i].root, tc.record, as_of,
                                      data.aggregates.empty() ? nullptr : &measures);
      if (fired == tc.fires) continue;
      const int sequence = tc.before.empty() ? 0 : static_cast<int>(tc.before.size()) + 1;
      report.failures.push_back(
          TestFailure{e.id, e.file, tc.line, tc.column, tc.fires, tc.index, sequence});
    }
  }
  return report;
}

}  // namespace targeting
