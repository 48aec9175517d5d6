// Scoring the same records under two rule sets and comparing (targeting diff).
#include <algorithm>

#include "measure/outcome_join.h"
#include "targeting/measure.h"
#include "util/json_writer.h"

namespace targeting {

struct RuleSetDiff::State {
  std::shared_ptr<const RuleSet> old_rules, new_rules;
  std::shared_ptr<const Outcomes> outcomes;
  DiffOptions options;
  std::unique_ptr<Scorer> old_scorer, new_scorer;
  Record copy;  // the record rebuilt with the new set's schema
  ScoreResult old_result, new_result;
  std::vector<int> new_of_old;  // old entry index -> new entry index with the same id, or -1
  // Per id (the union of both sets' scored entries): gained and lost.
  std::vector<std::string> ids;
  std::vector<int> id_of_old, id_of_new;  // entry index -> index into ids
  std::vector<std::uint64_t> gained, lost;
  internal::OutcomeJoin join{nullptr};
  DiffReport report;
  std::vector<int> scratch_old, scratch_new;

  explicit State(const Schema& schema) : copy(schema) {}
};

RuleSetDiff::RuleSetDiff() = default;
StreamState* RuleSetDiff::old_stream() { return s_->old_scorer->stream(); }
StreamState* RuleSetDiff::new_stream() { return s_->new_scorer->stream(); }
RuleSetDiff::~RuleSetDiff() = default;

Result<std::unique_ptr<RuleSetDiff>> RuleSetDiff::Create(std::shared_ptr<const RuleSet> old_rules,
                                                         std::shared_ptr<const RuleSet> new_rules,
                                                         std::shared_ptr<const Outcomes> outcomes,
                                                         DiffOptions options) {
  if (old_rules->schema().Canonical() != new_rules->schema().Canonical()) {
    return Status(StatusCode::kInvalidArgument,
                  "the two rule sets use different schemas; diff compares sets over the same "
                  "records");
  }
  std::unique_ptr<RuleSetDiff> d(new RuleSetDiff());
  d->s_ = std::make_unique<State>(new_rules->schema());
  State& s = *d->s_;
  s.old_rules = old_rules;
  s.new_rules = new_rules;
  s.outcomes = std::move(outcomes);
  s.options = options;
  s.old_scorer = std::make_unique<Scorer>(old_rules, ScoreOptions{options.as_of});
  s.new_scorer = std::make_unique<Scorer>(new_rules, ScoreOptions{options.as_of});
  // Entries are sorted by id in both sets, so their union is a merge.
  const auto& oe = old_rules->entries();
  const auto& ne = new_rules->entries();
  s.id_of_old.assign(oe.size(), -1);
  s.id_of_new.assign(ne.size(), -1);
  std::size_t i = 0, j = 0;
  while (i < oe.size() || j < ne.size()) {
    int c = i == oe.size() ? 1 : j == ne.size() ? -1 : oe[i].id.compare(ne[j].id);
    s.ids.push_back(c <= 0 ? oe[i].id : ne[j].id);
    int k = static_cast<int>(s.ids.size()) - 1;
    if (c <= 0) s.id_of_old[i++] = k;
    if (c >= 0) s.id_of_new[j++] = k;
  }
  s.gained.assign(s.ids.size(), 0);
  s.lost.assign(s.ids.size(), 0);
  s.join = internal::OutcomeJoin(s.outcomes.get());
  s.report.old_fingerprint = old_rules->fingerprint();
  s.report.new_fingerprint = new_rules->fingerprint();
  s.report.has_outcomes = s.outcomes != nullptr;
  return d;
}

namespace {

// Rebuilds a record under another (identical) schema. A record keeps each
// value's normalized text (numbers and dates as written, trimmed), and
// normalizing that text again gives the same value.
bool CopyRecord(const Record& from, Record* to, std::string* error) {
  to->Clear();
  const Schema& schema = from.schema();
  for (int f = 0; f < schema.size(); ++f) {
    if (schema.field(f).derived) continue;
    for (int i = 0; i < from.count(f); ++i) {
      if (!to->AddElement(f, from.str(f, i), error)) return false;
    }
  }
  to->ComputeDerived();
  to->set_line(from.line());
  return true;
}

bool Found(const RuleSet& rules, const ScoreResult& r) {
  if (r.lane != Lane::kGreen) return true;
  for (std::uint32_t e : r.fired) {
    if (rules.entries()[e].status == EntryStatus::kActive) return true;
  }
  return false;
}

}  // namespace

Status RuleSetDiff::Add(const Record& record) {
  State& s = *s_;
  if (Status st = s.old_scorer->Score(record, &s.old_result); !st.ok()) return st;
  const Record* for_new = &record;
  if (&record.schema() != &s.new_rules->schema()) {
    std::string error;
    if (!CopyRecord(record, &s.copy, &error)) return Status(StatusCode::kInternal, error);
    for_new = &s.copy;
  }
  if (Status st = s.new_scorer->Score(*for_new, &s.new_result); !st.ok()) return st;

  DiffReport& rep = s.report;
  ++rep.records;
  const ScoreResult& a = s.old_result;
  const ScoreResult& b = s.new_result;
  ++rep.old_lanes[static_cast<std::size_t>(a.lane)];
  ++rep.new_lanes[static_cast<std::size_t>(b.lane)];
  ++rep.lane_moves[static_cast<std::size_t>(a.lane)][static_cast<std::size_t>(b.lane)];

  // Fired sets as sorted union ids.
  s.scratch_old.clear();
  s.scratch_new.clear();
  for (std::uint32_t e : a.fired) s.scratch_old.push_back(s.id_of_old[e]);
  for (std::uint32_t e : b.fired) s.scratch_new.push_back(s.id_of_new[e]);
  const bool fired_changed = s.scratch_old != s.scratch_new;
  const bool score_changed = a.score != b.score;
  const bool lane_changed = a.lane != b.lane;
  if (fired_changed || score_changed || lane_changed) {
    ++rep.changed;
    rep.fired_changed += fired_changed;
    rep.score_changed += score_changed;
    rep.lane_changed += lane_changed;
    RecordChange* change = nullptr;
    if (rep.changes.size() < s.options.limit) {
      rep.changes.emplace_back();
      change = &rep.changes.back();
      change->record_id = std::string(record.record_id());
      change->line = record.line();
      change->old_score = a.score;
      change->new_score = b.score;
      change->old_lane = a.lane;
      change->new_lane = b.lane;
    }
    std::size_t i = 0, j = 0;
    while (i < s.scratch_old.size() || j < s.scratch_new.size()) {
      if (j == s.scratch_new.size() ||
          (i < s.scratch_old.size() && s.scratch_old[i] < s.scratch_new[j])) {
        ++s.lost[static_cast<std::size_t>(s.scratch_old[i])];
        if (change) change->lost.push_back(s.ids[static_cast<std::size_t>(s.scratch_old[i])]);
        ++i;
      } else if (i == s.scratch_old.size() || s.scratch_new[j] < s.scratch_old[i]) {
        ++s.gained[static_cast<std::size_t>(s.scratch_new[j])];
        if (change) change->gained.push_back(s.ids[static_cast<std::size_t>(s.scratch_new[j])]);
        ++j;
      } else {
        ++i;
        ++j;
      }
    }
  }

  if (int k = s.join.Join(record.record_id());
      k >= 0 && s.outcomes->outcome(static_cast<std::size_t>(k)).discrepant()) {
    ++rep.discrepant;
    const bool fo = Found(*s.old_rules, a), fn = Found(*s.new_rules, b);
    rep.found_old += fo;
    rep.found_new += fn;
    if (fn && !fo) {
      ++rep.discrepant_gained;
      if (rep.gained_examples.size() < s.options.limit) {
        rep.gained_examples.emplace_back(record.record_id());
      }
    } else if (fo && !fn) {
      ++rep.discrepant_lost;
      if (rep.lost_examples.size() < s.options.limit) {
        rep.lost_examples.emplace_back(record.record_id());
      }
    }
  }
  return Status::Ok();
}

DiffReport RuleSetDiff::Report() const {
  const State& s = *s_;
  DiffReport r = s.report;
  for (std::size_t k = 0; k < s.ids.size(); ++k) {
    if (s.gained[k] || s.lost[k]) r.entries.push_back(EntryChange{s.ids[k], s.gained[k], s.lost[k]});
  }
  r.outcomes = s.join.Counts();
  return r;
}

std::vector<std::string> RuleSetDiff::UnmatchedIds(std::size_t limit) const {
  return s_->join.UnmatchedIds(limit);
}

namespace {

void Lanes(const std::array<std::uint64_t, 3>& v, std::string* out) {
  out->append("{\"red\":" + std::to_string(v[2]) + ",\"yellow\":" + std::to_string(v[1]) +
              ",\"green\":" + std::to_string(v[0]) + "}");
}

}  // namespace

void AppendDiffJson(const DiffReport& r, std::string* out) {
  out->append("{\"old_fingerprint\":");
  internal::AppendJsonString(r.old_fingerprint, out);
  out->append(",\"new_fingerprint\":");
  internal::AppendJsonString(r.new_fingerprint, out);
  out->append(",\"records\":" + std::to_string(r.records) + ",\"changed\":" +
              std::to_string(r.changed) + ",\"fired_changed\":" + std::to_string(r.fired_changed) +
              ",\"score_changed\":" + std::to_string(r.score_changed) +
              ",\"lane_changed\":" + std::to_string(r.lane_changed));
  out->append(",\n\"lanes\":{\"old\":");
  Lanes(r.old_lanes, out);
  out->append(",\"new\":");
  Lanes(r.new_lanes, out);
  out->append("},\n\"lane_moves\":{");
  bool first = true;
  for (int a = 2; a >= 0; --a) {
    for (int b = 2; b >= 0; --b) {
      if (a == b) continue;
      std::uint64_t n = r.lane_moves[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
      if (!first) out->push_back(',');
      first = false;
      out->push_back('"');
      out->append(LaneName(static_cast<Lane>(a)));
      out->append("->");
      out->append(LaneName(static_cast<Lane>(b)));
      out->append("\":" + std::to_string(n));
    }
  }
  out->append("},\n\"entries\":[");
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    out->append(i ? ",\n" : "\n");
    out->append("{\"id\":");
    internal::AppendJsonString(r.entries[i].id, out);
    out->append(",\"gained\":" + std::to_string(r.entries[i].gained) +
                ",\"lost\":" + std::to_string(r.entries[i].lost) + "}");
  }
  out->append("],\n\"changes\":[");
  for (std::size_t i = 0; i < r.changes.size(); ++i) {
    const RecordChange& c = r.changes[i];
    out->append(i ? ",\n" : "\n");
    out->append("{\"record_id\":");
    internal::AppendJsonString(c.record_id, out);
    out->append(",\"line\":" + std::to_string(c.line) + ",\"old\":{\"score\":");
    internal::AppendJsonNumber(c.old_score, out);
    out->append(",\"lane\":\"");
    out->append(LaneName(c.old_lane));
    out->append("\"},\"new\":{\"score\":");
    internal::AppendJsonNumber(c.new_score, out);
    out->append(",\"lane\":\"");
    out->append(LaneName(c.new_lane));
    out->append("\"},\"gained\":");
    internal::AppendJsonStringArray(c.gained, out);
    out->append(",\"lost\":");
    internal::AppendJsonStringArray(c.lost, out);
    out->push_back('}');
  }
  out->push_back(']');
  if (r.has_outcomes) {
    out->append(",\n\"outcomes\":{\"rows\":" + std::to_string(r.outcomes.rows) +
                ",\"unmatched\":" + std::to_string(r.outcomes.unmatched) +
                ",\"bad\":" + std::to_string(r.outcomes.bad) +
                ",\"duplicates\":" + std::to_string(r.outcomes.duplicates) + "}");
    out->append(",\n\"discrepant\":{\"records\":" + std::to_string(r.discrepant) +
                ",\"found_old\":" + std::to_string(r.found_old) +
                ",\"found_new\":" + std::to_string(r.found_new) +
                ",\"gained\":" + std::to_string(r.discrepant_gained) +
                ",\"lost\":" + std::to_string(r.discrepant_lost) + ",\"gained_ids\":");
    internal::AppendJsonStringArray(r.gained_examples, out);
    out->append(",\"lost_ids\":");
    internal::AppendJsonStringArray(r.lost_examples, out);
    out->push_back('}');
  }
  out->append("}\n");
}

}  // namespace targeting
