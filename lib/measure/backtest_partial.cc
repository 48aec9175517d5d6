// Partial backtests (docs/measurement.md, "Partial backtests"): the counts of
// a backtest over one shard of a stream as versioned JSON, read back without
// trusting the text, and merged shard by shard into the counts of the whole.
#include <simdjson.h>

#include <cmath>
#include <limits>

#include "measure/backtest_counts.h"
#include "targeting/measure.h"
#include "util/json_writer.h"

namespace targeting::internal {

namespace {

constexpr const char* kFormat = "targeting-backtest-partial";
constexpr std::int64_t kVersion = 1;

void Key(const char* k, std::string* out) { internal::AppendJsonKey(k, out); }
void Count(const char* k, std::uint64_t v, std::string* out) {
  Key(k, out);
  out->append(std::to_string(v));
  out->push_back(',');
}
void Counts(const char* k, const std::vector<std::uint64_t>& v, std::string* out) {
  Key(k, out);
  out->push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out->push_back(',');
    out->append(std::to_string(v[i]));
  }
  out->append("],");
}
void Str(const char* k, std::string_view v, std::string* out) {
  Key(k, out);
  AppendJsonString(v, out);
  out->push_back(',');
}

}  // namespace

void AppendPartialJson(const BacktestCounts& c, std::string* out) {
  out->push_back('{');
  Str("format", kFormat, out);
  Count("version", kVersion, out);
  Str("fingerprint", c.fingerprint, out);
  Str("schema", c.schema, out);
  Key("priorities", out);
  AppendJsonStringArray(c.priorities, out);
  out->append(",\n\"aggregate_entries\":");
  AppendJsonStringArray(c.aggregate_entries, out);
  out->append(",\n\"criteria\":{");
  Count("min_examined", static_cast<std::uint64_t>(std::max(0, c.criteria.min_examined)), out);
  Key("min_discrepancy_rate", out);
  AppendJsonNumber(c.criteria.min_discrepancy_rate, out);
  out->push_back(',');
  Key("confidence", out);
  AppendJsonNumber(c.criteria.confidence, out);
  out->push_back(',');
  Count("min_ports", static_cast<std::uint64_t>(std::max(0, c.criteria.min_ports)), out);
  Key("min_new_discrepant", out);
  out->append(std::to_string(std::max(0, c.criteria.min_new_discrepant)));
  out->append("},\n\"options\":{");
  Count("overlap_top", c.overlap_top, out);
  Key("redundant_jaccard", out);
  AppendJsonNumber(c.redundant_jaccard, out);
  out->push_back(',');
  Count("examples", c.examples, out);
  Key("max_pairs", out);
  out->append(std::to_string(c.max_pairs));
  out->append("},\n\"outcomes\":");
  if (!c.has_outcomes) {
    out->append("null");
  } else {
    out->push_back('{');
    Str("digest", c.outcomes_digest, out);
    Count("rows", c.outcome_rows, out);
    Count("bad", c.outcome_bad, out);
    Count("duplicates", c.outcome_duplicates, out);
    Count("size", c.joined.size(), out);
    Key("joined", out);
    out->push_back('[');
    bool first = true;
    for (std::size_t i = 0; i < c.joined.size(); ++i) {
      if (!c.joined[i]) continue;
      if (!first) out->push_back(',');
      first = false;
      out->append(std::to_string(i));
    }
    out->append("]}");
  }
  out->append(",\n");
  Count("records", c.records, out);
  Count("rejected", c.rejected, out);
  Count("examined", c.examined, out);
  Count("discrepant", c.discrepant, out);
  Count("sampled", c.sampled, out);
  Count("sampled_examined", c.sampled_examined, out);
  Count("sampled_discrepant", c.sampled_discrepant, out);
  Counts("discrepant_by", {c.by_rule, c.by_query, c.missed}, out);
  Counts("identified_by", std::vector<std::uint64_t>(c.identified_by.begin(), c.identified_by.end()),
         out);
  Counts("tag_discrepant", c.tag_discrepant, out);
  out->append("\n");
  Key("ports", out);
  AppendJsonStringArray(c.port_names, out);
  out->append(",\n\"entries\":[");
  for (std::size_t s = 0; s < c.slots.size(); ++s) {
    const SlotCounts& a = c.slots[s];
    out->append(s ? ",\n{" : "\n{");
    Count("entry", static_cast<std::uint64_t>(a.entry), out);
    Str("id", a.id, out);
    Str("kind", EntryKindName(a.kind), out);
    Str("status", EntryStatusName(a.status), out);
    std::vector<std::uint64_t> tags(a.tags.begin(), a.tags.end());
    Counts("tags", tags, out);
    Count("fired", a.fired, out);
    Count("examined", a.examined, out);
    Count("discrepant", a.discrepant, out);
    Count("unique", a.unique, out);
    Count("fresh", a.fresh, out);
    Count("seizures", a.seizures, out);
    Count("only", a.only, out);
    Key("msrp", out);
    out->push_back('[');
    const auto& parts = a.msrp.partials();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i) out->push_back(',');
      AppendJsonNumber(parts[i], out);
    }
    out->append("],");
    std::vector<std::uint64_t> ports(a.ports.begin(), a.ports.end());
    std::sort(ports.begin(), ports.end());
    Counts("ports", ports, out);
    Key("examples", out);
    AppendJsonStringArray(a.examples, out);
    out->push_back('}');
  }
  out->append("],\n\"pairs\":[");
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs(c.pairs.begin(), c.pairs.end());
  std::sort(pairs.begin(), pairs.end());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (i) out->push_back(',');
    out->push_back('[');
    out->append(std::to_string(PairFirst(pairs[i].first)) + "," +
                std::to_string(PairSecond(pairs[i].first)) + "," + std::to_string(pairs[i].second));
    out->push_back(']');
  }
  out->append("],\n\"pairs_truncated\":");
  out->append(c.pairs_truncated ? "true" : "false");
  out->append("}\n");
}

namespace {

namespace dom = simdjson::dom;

// Reads one partial, field by field; the first problem is kept in `error`.
class PartialReader {
 public:
  explicit PartialReader(std::string name) : name_(std::move(name)) {}

  bool Fail(const std::string& what) {
    if (error_.empty()) error_ = name_ + ": not a partial backtest this version reads: " + what;
    return false;
  }
  const std::string& error() const { return error_; }

  bool Object(dom::element e, const char* what, dom::object* out) {
    if (e.get_object().get(*out) != simdjson::SUCCESS) return Fail(std::string(what) + " is not an object");
    return true;
  }
  bool Field(dom::object o, const char* key, dom::element* out) {
    if (o.at_key(key).get(*out) != simdjson::SUCCESS) return Fail(std::string("no \"") + key + "\"");
    return true;
  }
  bool U64(dom::object o, const char* key, std::uint64_t* out) {
    dom::element e;
    if (!Field(o, key, &e)) return false;
    if (e.get_uint64().get(*out) != simdjson::SUCCESS) {
      return Fail(std::string("\"") + key + "\" is not a whole number >= 0");
    }
    return true;
  }
  bool Int(dom::object o, const char* key, int* out, std::uint64_t max) {
    std::uint64_t v = 0;
    if (!U64(o, key, &v)) return false;
    if (v > max) return Fail(std::string("\"") + key + "\" is too large");
    *out = static_cast<int>(v);
    return true;
  }
  bool Size(dom::object o, const char* key, std::size_t* out) {
    std::uint64_t v = 0;
    if (!U64(o, key, &v)) return false;
    *out = static_cast<std::size_t>(v);
    return true;
  }
  bool Double(dom::element e, const char* key, double* out) {
    if (e.get_double().get(*out) != simdjson::SUCCESS || !std::isfinite(*out)) {
      return Fail(std::string("\"") + key + "\" is not a number");
    }
    return true;
  }
  bool Double(dom::object o, const char* key, double* out) {
    dom::element e;
    return Field(o, key, &e) && Double(e, key, out);
  }
  bool String(dom::object o, const char* key, std::string* out) {
    dom::element e;
    if (!Field(o, key, &e)) return false;
    std::string_view v;
    if (e.get_string().get(v) != simdjson::SUCCESS) return Fail(std::string("\"") + key + "\" is not a string");
    *out = std::string(v);
    return true;
  }
  bool Array(dom::object o, const char* key, dom::array* out) {
    dom::element e;
    if (!Field(o, key, &e)) return false;
    if (e.get_array().get(*out) != simdjson::SUCCESS) return Fail(std::string("\"") + key + "\" is not an array");
    return true;
  }
  bool Strings(dom::object o, const char* key, std::vector<std::string>* out) {
    dom::array a;
    if (!Array(o, key, &a)) return false;
    for (dom::element e : a) {
      std::string_view v;
      if (e.get_string().get(v) != simdjson::SUCCESS) return Fail(std::string("\"") + key + "\" holds a non-string");
      out->emplace_back(v);
    }
    return true;
  }
  // Whole numbers, each below `limit`.
  bool Counts(dom::object o, const char* key, std::vector<std::uint64_t>* out,
              std::uint64_t limit = std::numeric_limits<std::uint64_t>::max()) {
    dom::array a;
    if (!Array(o, key, &a)) return false;
    for (dom::element e : a) {
      std::uint64_t v = 0;
      if (e.get_uint64().get(v) != simdjson::SUCCESS) return Fail(std::string("\"") + key + "\" holds a non-count");
      if (v >= limit) return Fail(std::string("\"") + key + "\" holds an index out of range");
      out->push_back(v);
    }
    return true;
  }

 private:
  std::string name_;
  std::string error_;
};

Status Bad(const std::string& message) { return Status(StatusCode::kInvalidArgument, message); }

}  // namespace

Result<BacktestCounts> ReadPartialJson(std::string_view text, const std::string& name) {
  dom::parser parser;
  dom::element root;
  simdjson::padded_string padded(text);
  if (auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS) {
    return Bad(name + ": not a partial backtest: " + simdjson::error_message(err));
  }
  PartialReader r(name);
  BacktestCounts c;
  dom::object top;
  std::string format;
  std::uint64_t version = 0;
  if (!r.Object(root, "the document", &top) || !r.String(top, "format", &format)) {
    return Bad(r.error());
  }
  if (format != kFormat) return Bad(name + ": not a partial backtest (format \"" + format + "\")");
  if (!r.U64(top, "version", &version)) return Bad(r.error());
  if (version != static_cast<std::uint64_t>(kVersion)) {
    return Bad(name + ": a partial backtest of version " + std::to_string(version) +
               ", which this version of targeting does not read (it reads version " +
               std::to_string(kVersion) + ")");
  }
  dom::object crit, opts;
  dom::element outcomes, e;
  std::vector<std::uint64_t> by, ident, tags;
  bool ok = r.String(top, "fingerprint", &c.fingerprint) && r.String(top, "schema", &c.schema) &&
            r.Strings(top, "priorities", &c.priorities) &&
            r.Strings(top, "aggregate_entries", &c.aggregate_entries) && r.Field(top, "criteria", &e) &&
            r.Object(e, "\"criteria\"", &crit) &&
            r.Int(crit, "min_examined", &c.criteria.min_examined, INT32_MAX) &&
            r.Double(crit, "min_discrepancy_rate", &c.criteria.min_discrepancy_rate) &&
            r.Double(crit, "confidence", &c.criteria.confidence) &&
            r.Int(crit, "min_ports", &c.criteria.min_ports, INT32_MAX) &&
            r.Int(crit, "min_new_discrepant", &c.criteria.min_new_discrepant, INT32_MAX) &&
            r.Field(top, "options", &e) && r.Object(e, "\"options\"", &opts) &&
            r.Size(opts, "overlap_top", &c.overlap_top) &&
            r.Double(opts, "redundant_jaccard", &c.redundant_jaccard) &&
            r.Size(opts, "examples", &c.examples) && r.Size(opts, "max_pairs", &c.max_pairs) &&
            r.Field(top, "outcomes", &outcomes);
  if (ok && !outcomes.is_null()) {
    dom::object o;
    std::uint64_t size = 0;
    std::vector<std::uint64_t> joined;
    ok = r.Object(outcomes, "\"outcomes\"", &o) && r.String(o, "digest", &c.outcomes_digest) &&
         r.U64(o, "rows", &c.outcome_rows) && r.U64(o, "bad", &c.outcome_bad) &&
         r.U64(o, "duplicates", &c.outcome_duplicates) && r.U64(o, "size", &size);
    if (ok && size > c.outcome_rows) ok = r.Fail("more outcomes than outcome rows");
    ok = ok && r.Counts(o, "joined", &joined, size);
    if (ok) {
      c.has_outcomes = true;
      c.joined.assign(static_cast<std::size_t>(size), 0);
      for (std::uint64_t i : joined) c.joined[static_cast<std::size_t>(i)] = 1;
    }
  }
  ok = ok && r.U64(top, "records", &c.records) && r.U64(top, "rejected", &c.rejected) &&
       r.U64(top, "examined", &c.examined) && r.U64(top, "discrepant", &c.discrepant) &&
       r.U64(top, "sampled", &c.sampled) && r.U64(top, "sampled_examined", &c.sampled_examined) &&
       r.U64(top, "sampled_discrepant", &c.sampled_discrepant) &&
       r.Counts(top, "discrepant_by", &by) && r.Counts(top, "identified_by", &ident) &&
       r.Counts(top, "tag_discrepant", &tags) && r.Strings(top, "ports", &c.port_names);
  if (ok && by.size() != 3) ok = r.Fail("\"discrepant_by\" does not hold 3 counts");
  if (ok && ident.size() != c.identified_by.size()) ok = r.Fail("\"identified_by\" has the wrong length");
  if (ok && tags.size() != c.priorities.size()) ok = r.Fail("\"tag_discrepant\" does not match \"priorities\"");
  if (!ok) return Bad(r.error());
  c.by_rule = by[0];
  c.by_query = by[1];
  c.missed = by[2];
  std::copy(ident.begin(), ident.end(), c.identified_by.begin());
  c.tag_discrepant = tags;
  for (std::size_t i = 0; i < c.port_names.size(); ++i) {
    if (!c.port_ids.emplace(c.port_names[i], static_cast<std::uint32_t>(i)).second) {
      return Bad(name + ": not a partial backtest this version reads: a port is listed twice");
    }
  }

  dom::array entries;
  if (!r.Array(top, "entries", &entries)) return Bad(r.error());
  for (dom::element item : entries) {
    dom::object o;
    SlotCounts a;
    std::string kind, status;
    std::vector<std::uint64_t> slot_tags, ports, msrp_bits;
    dom::array msrp;
    ok = r.Object(item, "an entry", &o) && r.Int(o, "entry", &a.entry, INT32_MAX) &&
         r.String(o, "id", &a.id) && r.String(o, "kind", &kind) && r.String(o, "status", &status) &&
         r.Counts(o, "tags", &slot_tags, c.priorities.size()) && r.U64(o, "fired", &a.fired) &&
         r.U64(o, "examined", &a.examined) && r.U64(o, "discrepant", &a.discrepant) &&
         r.U64(o, "unique", &a.unique) && r.U64(o, "fresh", &a.fresh) &&
         r.U64(o, "seizures", &a.seizures) && r.U64(o, "only", &a.only) &&
         r.Array(o, "msrp", &msrp) && r.Counts(o, "ports", &ports, c.port_names.size()) &&
         r.Strings(o, "examples", &a.examples);
    if (!ok) return Bad(r.error());
    auto k = EntryKindFromName(kind);
    auto st = EntryStatusFromName(status);
    if (!k || !st || (*st != EntryStatus::kActive && *st != EntryStatus::kShadow)) {
      return Bad(name + ": not a partial backtest this version reads: entry '" + a.id +
                 "' has kind '" + kind + "' and status '" + status + "'");
    }
    a.kind = *k;
    a.status = *st;
    a.active = *st == EntryStatus::kActive;
    a.rule = *k == EntryKind::kRule;
    for (std::uint64_t t : slot_tags) a.tags.push_back(static_cast<int>(t));
    for (dom::element part : msrp) {
      double v = 0;
      if (!r.Double(part, "msrp", &v)) return Bad(r.error());
      a.msrp.Add(v);
    }
    for (std::uint64_t p : ports) a.ports.insert(static_cast<std::uint32_t>(p));
    if (!c.slots.empty() && !(c.slots.back().id < a.id)) {
      return Bad(name + ": not a partial backtest this version reads: entries are not sorted by id");
    }
    c.slots.push_back(std::move(a));
  }
  dom::array pairs;
  if (!r.Array(top, "pairs", &pairs)) return Bad(r.error());
  for (dom::element item : pairs) {
    dom::array triple;
    std::uint64_t v[3] = {0, 0, 0};
    int n = 0;
    if (item.get_array().get(triple) != simdjson::SUCCESS) return Bad(name + ": a pair is not an array");
    for (dom::element x : triple) {
      if (n == 3 || x.get_uint64().get(v[n]) != simdjson::SUCCESS) {
        return Bad(name + ": not a partial backtest this version reads: a pair is not [a, b, count]");
      }
      ++n;
    }
    if (n != 3 || !(v[0] < v[1]) || v[1] >= c.slots.size()) {
      return Bad(name + ": not a partial backtest this version reads: a pair is not [a, b, count] of two entries");
    }
    c.pairs[PairKey(static_cast<int>(v[0]), static_cast<int>(v[1]))] += v[2];
  }
  if (top.at_key("pairs_truncated").get(c.pairs_truncated) != simdjson::SUCCESS) {
    return Bad(name + ": not a partial backtest this version reads: no \"pairs_truncated\" true or false");
  }
  return c;
}

Status MergeCounts(BacktestCounts* into, const BacktestCounts& b, const std::string& name) {
  BacktestCounts& a = *into;
  auto differs = [&](const std::string& what) {
    return Bad(name + ": cannot be merged: its " + what + " differs from the first partial's");
  };
  if (a.fingerprint != b.fingerprint) {
    return Bad(name + ": cannot be merged: rule set " + b.fingerprint + ", not " + a.fingerprint);
  }
  if (a.schema != b.schema) return differs("schema");
  if (a.priorities != b.priorities) return differs("priorities");
  if (a.criteria.min_examined != b.criteria.min_examined ||
      a.criteria.min_discrepancy_rate != b.criteria.min_discrepancy_rate ||
      a.criteria.confidence != b.criteria.confidence || a.criteria.min_ports != b.criteria.min_ports ||
      a.criteria.min_new_discrepant != b.criteria.min_new_discrepant) {
    return differs("promotion criteria");
  }
  if (a.overlap_top != b.overlap_top || a.redundant_jaccard != b.redundant_jaccard ||
      a.examples != b.examples || a.max_pairs != b.max_pairs) {
    return differs("backtest options");
  }
  if (a.has_outcomes != b.has_outcomes || a.outcomes_digest != b.outcomes_digest ||
      a.outcome_rows != b.outcome_rows || a.outcome_bad != b.outcome_bad ||
      a.outcome_duplicates != b.outcome_duplicates || a.joined.size() != b.joined.size()) {
    return differs("outcomes file");
  }
  if (a.slots.size() != b.slots.size()) return differs("list of entries");
  for (std::size_t s = 0; s < a.slots.size(); ++s) {
    const SlotCounts& x = a.slots[s];
    const SlotCounts& y = b.slots[s];
    if (x.id != y.id || x.entry != y.entry || x.kind != y.kind || x.status != y.status ||
        x.tags != y.tags) {
      return differs("list of entries");
    }
  }
  for (std::size_t i = 0; i < a.joined.size(); ++i) a.joined[i] |= b.joined[i];
  a.records += b.records;
  a.rejected += b.rejected;
  a.examined += b.examined;
  a.discrepant += b.discrepant;
  a.sampled += b.sampled;
  a.sampled_examined += b.sampled_examined;
  a.sampled_discrepant += b.sampled_discrepant;
  a.by_rule += b.by_rule;
  a.by_query += b.by_query;
  a.missed += b.missed;
  for (std::size_t i = 0; i < a.identified_by.size(); ++i) a.identified_by[i] += b.identified_by[i];
  for (std::size_t t = 0; t < a.tag_discrepant.size(); ++t) a.tag_discrepant[t] += b.tag_discrepant[t];
  for (std::size_t s = 0; s < a.slots.size(); ++s) {
    SlotCounts& x = a.slots[s];
    const SlotCounts& y = b.slots[s];
    x.fired += y.fired;
    x.examined += y.examined;
    x.discrepant += y.discrepant;
    x.unique += y.unique;
    x.fresh += y.fresh;
    x.seizures += y.seizures;
    x.only += y.only;
    x.msrp.Add(y.msrp);
    for (std::uint32_t p : y.ports) x.ports.insert(a.PortId(b.port_names[p]));
    for (const std::string& id : y.examples) {
      if (x.examples.size() >= a.examples) break;
      x.examples.push_back(id);
    }
  }
  // As one run would count them: past max_pairs, only pairs already held count.
  a.pairs_truncated |= b.pairs_truncated;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs(b.pairs.begin(), b.pairs.end());
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [key, both] : pairs) {
    auto it = a.pairs.find(key);
    if (it != a.pairs.end()) {
      it->second += both;
    } else if (a.pairs.size() >= a.max_pairs) {
      a.pairs_truncated = true;
    } else {
      a.pairs.emplace(key, both);
    }
  }
  return Status::Ok();
}

}  // namespace targeting::internal

namespace targeting {

Result<BacktestReport> MergeBacktestPartials(const std::vector<std::string>& texts,
                                             const std::vector<std::string>& names) {
  if (texts.empty()) return Status(StatusCode::kInvalidArgument, "no partial backtests to merge");
  auto name_of = [&](std::size_t i) {
    return i < names.size() ? names[i] : "partial " + std::to_string(i + 1);
  };
  auto first = internal::ReadPartialJson(texts[0], name_of(0));
  if (!first.ok()) return first.status();
  internal::BacktestCounts merged = std::move(first).value();
  if (texts.size() > 1 && !merged.aggregate_entries.empty()) {
    std::string ids;
    for (const std::string& id : merged.aggregate_entries) ids += (ids.empty() ? "" : ", ") + id;
    return Status(StatusCode::kInvalidArgument,
                  "cannot merge partial backtests of a rule set with aggregates (" + ids +
                  "): each shard's aggregates saw only its own records, so the merge would not be "
                  "the backtest of the whole stream; backtest it in one run (docs/measurement.md, "
                  "\"Partial backtests and merge\")");
  }
  for (std::size_t i = 1; i < texts.size(); ++i) {
    auto next = internal::ReadPartialJson(texts[i], name_of(i));
    if (!next.ok()) return next.status();
    if (Status s = internal::MergeCounts(&merged, next.value(), name_of(i)); !s.ok()) return s;
  }
  return internal::ReportOf(merged);
}

}  // namespace targeting
