// Outcomes and measurement (SPEC section 6): joining exam outcomes to scored
// records, per-entry metrics, promotion candidates, and rule-set diffs.
//
//   Outcomes (read once)  ─┐
//   (Record, ScoreResult) ─┴─> Backtest ──> BacktestReport ──> JSON / promotion
//   Record ──> RuleSetDiff (scores under two rule sets) ──> DiffReport
//
// Decisions the spec leaves open are written down in docs/measurement.md.
#ifndef TARGETING_MEASURE_H_
#define TARGETING_MEASURE_H_

#include <array>
#include <map>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targeting/io.h"
#include "targeting/record.h"
#include "targeting/rules.h"
#include "targeting/score.h"
#include "targeting/status.h"

namespace targeting {

// ---------------------------------------------------------------------------
// Outcomes

enum class Finding : std::uint8_t { kNone, kDiscrepant, kNoDiscrepancy };
enum class OutcomeAction : std::uint8_t {
  kNone,  // `none`, or empty
  kSeizure,
  kIprAbandonment,
  kAbandonment,
  kRefusedEntry,
  kReferral,
};
enum class IdentifiedBy : std::uint8_t { kRule, kQuery, kObservation, kTip, kRandom, kUnknown };
inline constexpr int kIdentifiedByCount = 6;

const char* FindingName(Finding f);            // "", "discrepant", "no_discrepancy"
const char* OutcomeActionName(OutcomeAction a);  // "none", "seizure", ...
const char* IdentifiedByName(IdentifiedBy i);    // "rule", ..., "unknown"

// What happened to one record. Value type.
struct Outcome {
  bool examined = false;
  Finding finding = Finding::kNone;
  OutcomeAction action = OutcomeAction::kNone;
  std::optional<double> msrp_usd;
  IdentifiedBy identified_by = IdentifiedBy::kUnknown;

  bool discrepant() const { return examined && finding == Finding::kDiscrepant; }
};

// An outcome row that was not used, with where and why.
struct BadOutcomeRow {
  std::uint64_t line = 0;  // 1-based line where the row starts
  std::string record_id;   // when it could be read
  std::string reason;
};

// One data row of an outcomes file as text cells, before validation. An
// absent column is an empty cell. This is the seam between a CSV tokenizer
// and the outcome rules, so tests and embedders can feed rows directly.
struct OutcomeCells {
  std::string_view record_id;
  std::string_view examined;
  std::string_view finding;
  std::string_view action;
  std::string_view msrp_usd;
  std::string_view identified_by;
};

// The outcomes of one file, keyed by normalized record_id; when an id has
// several valid rows the last one holds. Immutable once built; thread-safe.
class Outcomes {
 public:
  // Validates and collects rows in file order. Not thread-safe.
  class Builder {
   public:
    // `id_type` normalizes record ids, as the rule set's schema does for its
    // record_id field, so outcomes join records however ids were written.
    explicit Builder(FieldType id_type = FieldType::kString);
    // Adds one data row; invalid rows are kept as bad rows with the reason.
    void AddRow(std::uint64_t line, const OutcomeCells& cells);
    // Adds a row the tokenizer could not read (counted in rows and bad).
    void AddBadRow(std::uint64_t line, std::string record_id, std::string reason);
    Outcomes Build();

   private:
    FieldType id_type_;
    std::vector<std::pair<std::string, Outcome>> rows_;  // valid rows, in order
    std::vector<BadOutcomeRow> bad_;
    std::uint64_t total_ = 0;
    std::string scratch_;
  };

  // Reads an outcomes CSV (header row; columns record_id, examined and
  // finding required, action, msrp_usd and identified_by optional, others
  // ignored; RFC 4180 quoting). "-" is standard input. Rows that do not parse
  // or break the rules of docs/measurement.md become bad rows; a file that
  // cannot be opened, read, or has no usable header is an error.
  static Result<Outcomes> ReadCsvFile(const std::string& path, const Schema& schema);
  static Result<Outcomes> ReadCsvString(std::string text, std::string name, const Schema& schema);

  // The outcome joined to `record_id` (normalized), or null: not examined.
  const Outcome* Find(std::string_view record_id) const;
  // Index of the outcome for `record_id` in [0, size()), or -1.
  int FindIndex(std::string_view record_id) const;
  std::size_t size() const { return outcomes_.size(); }  // distinct record ids
  const std::string& id(std::size_t i) const { return ids_[i]; }
  const Outcome& outcome(std::size_t i) const { return outcomes_[i]; }

  std::uint64_t rows() const { return rows_; }              // data rows, bad ones included
  std::uint64_t duplicates() const { return duplicates_; }  // valid rows overridden by a later one
  const std::vector<BadOutcomeRow>& bad_rows() const { return bad_; }

  Outcomes();
  ~Outcomes();
  Outcomes(Outcomes&&) noexcept;
  Outcomes& operator=(Outcomes&&) noexcept;

 private:
  struct Index;
  std::vector<std::string> ids_;
  std::vector<Outcome> outcomes_;
  std::vector<BadOutcomeRow> bad_;
  std::uint64_t rows_ = 0;
  std::uint64_t duplicates_ = 0;
  std::unique_ptr<Index> index_;
};

// ---------------------------------------------------------------------------
// Statistics

// The standard normal quantile: x with Phi(x) = p, for 0 < p < 1 (accurate to
// about 1e-15). NaN outside (0, 1).
double NormalQuantile(double p);

struct Interval {
  double low = 0;
  double high = 0;
};
// The two-sided Wilson score interval for d successes of n trials at
// `confidence` (0 < confidence < 1). Preconditions: 0 <= d <= n, n > 0.
Interval WilsonInterval(std::uint64_t d, std::uint64_t n, double confidence);

// ---------------------------------------------------------------------------
// Backtest

// The section 6 metrics of one active or shadow entry. Value type.
struct EntryMetrics {
  int entry = -1;  // index into RuleSet::entries()
  std::string id;
  EntryKind kind = EntryKind::kRule;
  EntryStatus status = EntryStatus::kActive;
  std::uint64_t fired = 0;
  double hit_rate = 0;  // fired / records (0 when there are no records)
  std::uint64_t examined = 0;
  std::uint64_t discrepant = 0;
  std::optional<double> discrepancy_rate;
  std::optional<double> ci_low, ci_high;
  std::optional<double> lift;
  std::uint64_t unique_discrepant = 0;
  std::uint64_t new_discrepant = 0;
  std::uint64_t seizures = 0;
  double msrp_usd = 0;
  std::uint64_t ports = 0;
  bool candidate = false;  // queries only: meets every promotion criterion
};

struct OutcomeCounts {
  std::uint64_t rows = 0;
  std::uint64_t unmatched = 0;  // distinct valid record ids that joined no scored record
  std::uint64_t bad = 0;
  std::uint64_t duplicates = 0;
};

struct PriorityCoverage {
  std::string tag;
  std::vector<std::string> entries;  // active and shadow entries carrying it, by id
  std::uint64_t discrepant = 0;      // discrepant records at least one of them fired on
};

// Beyond section 6: what each active entry adds, and which entries fire
// together. Written by AppendOverlapJson, not in the section 6 report.
struct OverlapReport {
  struct Marginal {
    std::string id;
    EntryKind kind = EntryKind::kRule;
    std::uint64_t discrepant = 0;  // discrepant records it fired on
    // Discrepant records on which no other active entry fired: lost if it were removed.
    std::uint64_t only = 0;
    std::vector<std::string> examples;  // up to BacktestOptions::examples record ids
  };
  struct Pair {
    std::string a, b;  // a < b
    std::uint64_t fired_a = 0, fired_b = 0, both = 0;
    double jaccard = 0;  // both / (fired_a + fired_b - both)
  };
  std::vector<Marginal> marginal;  // every active entry, by `only` descending, then id
  std::vector<std::string> top;    // the most-firing entries, by fired descending, then id
  std::vector<Pair> top_pairs;     // every pair of `top` that fired together at least once
  std::vector<Pair> redundant;     // any pair with jaccard >= redundant_jaccard
  double redundant_jaccard = 0.8;
  // True when the pair table hit BacktestOptions::max_pairs; pairs first seen
  // after that were not counted.
  bool truncated = false;
};

// The exams a centre can afford (docs/measurement.md, "Capacity"): per day
// (the schema's date field; the as-of date for a record without one; the
// whole run when the schema has no date field).
struct CapacityBudget {
  enum class Kind : std::uint8_t { kShare, kPerDay, kPerPort };
  Kind kind = Kind::kShare;
  double share = 0;            // kShare: this fraction of the day's records (0.05 for "5%")
  std::uint64_t per_day = 0;   // kPerDay
  std::map<std::string, std::uint64_t, std::less<>> per_port;  // kPerPort: normalized port -> exams a day
  std::string label;           // as written: "5%", "2000/day", "per-port:FILE"
};
// "5%" (0 < share <= 100), "2000/day", or "per-port:FILE" (a CSV with a
// header and the columns port,exams_per_day; ports normalized by the
// schema's port field). Errors name the spec, or the file and line.
Result<CapacityBudget> ParseCapacity(std::string_view spec, const Schema& schema);

// What the exams of one budget find. Value type.
struct CapacityReport {
  std::string budget;
  std::uint64_t selected = 0;
  std::uint64_t with_outcome = 0;  // selected records examined, with a finding
  std::uint64_t discrepant = 0;    // of those
  std::optional<double> precision, ci_low, ci_high;  // discrepant / with_outcome, Wilson
  std::optional<double> recall;    // discrepant selected / every discrepant record
  std::uint64_t seizures = 0;
  double msrp_usd = 0;
  std::uint64_t missed_fired = 0;    // discrepant, not selected, an active entry fired
  std::uint64_t missed_unfired = 0;  // discrepant, not selected, no active entry fired
  // Selected without an outcome, times the random sample's base rate (and
  // its Wilson bounds): an estimate, null without a base rate.
  std::optional<double> estimated_discrepant, estimated_low, estimated_high;
};

// Rules over time (docs/measurement.md, "Rules over time").
enum class TrendPeriod : std::uint8_t { kNone, kWeek, kMonth };
struct PeriodCounts {
  std::uint64_t fired = 0, examined = 0, discrepant = 0;
  std::optional<double> rate, ci_low, ci_high;
};
struct EntryTrend {
  std::string id;
  std::vector<PeriodCounts> periods;  // parallel to TrendReport::periods
  std::optional<double> z;            // latest period against all earlier ones
  bool decaying = false;              // z below the one-sided critical value
  std::uint64_t idle_periods = 0;     // latest periods in a row with no fire
  bool idle = false;                  // idle_periods >= TrendReport::idle_after
};
struct TrendReport {
  std::string by;                    // "week" or "month"
  std::vector<std::string> periods;  // "2026-03" (month) or the Monday "2026-03-02" (week), ascending
  std::string method;
  double confidence = 0.95;
  std::uint64_t idle_after = 3;
  std::vector<EntryTrend> entries;   // every active and shadow entry, by id
};

// The whole backtest. Value type.
struct BacktestReport {
  std::string fingerprint;
  std::uint64_t records = 0;  // scored
  std::uint64_t rejected = 0;
  OutcomeCounts outcomes;
  std::uint64_t examined = 0;    // records
  std::uint64_t discrepant = 0;  // records
  std::uint64_t sampled = 0;     // records
  std::uint64_t sampled_examined = 0;
  std::uint64_t sampled_discrepant = 0;
  std::optional<double> base_rate;
  struct {
    std::uint64_t rule = 0, query_only = 0, missed = 0;
  } discrepant_by;
  std::array<std::uint64_t, kIdentifiedByCount> identified_by{};  // by IdentifiedBy
  std::vector<PriorityCoverage> priorities;  // as declared in targeting.yaml
  std::vector<EntryMetrics> entries;         // active and shadow, by id
  PromotionCriteria criteria;
  OverlapReport overlap;
  // With BacktestOptions::capacity, capacity_curve and by.
  std::optional<CapacityReport> capacity;
  std::vector<CapacityReport> capacity_curve;
  std::optional<TrendReport> trends;

  // The metrics of an entry by id, or null.
  const EntryMetrics* Find(std::string_view id) const;
};

struct BacktestOptions {
  std::size_t overlap_top = 20;       // entries in the pairwise overlap summary
  double redundant_jaccard = 0.8;     // pairs at or above are named redundant
  std::size_t examples = 5;           // record ids kept per marginal entry
  std::size_t hits_per_query = 3;     // discrepant records kept per query (promotion tests)
  std::size_t max_pairs = 4'000'000;  // distinct co-firing pairs tracked
  // Capacity (kept per record: about 40 bytes each) and trends; neither is
  // part of a partial backtest.
  std::optional<CapacityBudget> capacity;
  std::vector<CapacityBudget> capacity_curve;
  TrendPeriod by = TrendPeriod::kNone;
  std::uint64_t idle_periods = 3;
  Days as_of = TodayUtc();            // the day of a record without a date
};

// Accumulates section 6 over scored records. Feed every scored record in
// input order with its ScoreResult from the same rule set; count rejects with
// AddRejected. Not thread-safe (one per run); memory grows with the number of
// entries, ports and co-firing pairs, not with the number of records.
class Backtest {
 public:
  Backtest(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const Outcomes> outcomes,
           BacktestOptions options = {});
  ~Backtest();
  Backtest(const Backtest&) = delete;
  Backtest& operator=(const Backtest&) = delete;

  void Add(const Record& record, const ScoreResult& result);
  void AddRejected(std::uint64_t n = 1);

  // The report so far; may be called more than once.
  BacktestReport Report() const;

  // Up to hits_per_query discrepant records the entry fired on (first in
  // input order, records with a date preferred when the schema has a date
  // field), for writing promotion tests. Empty for entries that are not queries.
  std::vector<Record> DiscrepantHits(int entry) const;
  // Record ids of outcomes that joined no scored record, in file order.
  std::vector<std::string> UnmatchedIds(std::size_t limit) const;

  // This backtest as a partial (docs/measurement.md, "Partial backtests"):
  // versioned JSON text holding every count behind Report(), and what it was
  // counted with (fingerprint, schema, outcomes digest, options), so that
  // the partials of consecutive shards of one stream merge into exactly the
  // report of the whole stream (MergeBacktestPartials).
  std::string PartialJson() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Merges partial backtests (Backtest::PartialJson) of the shards of one
// stream, given in stream order, into the report one Backtest over the whole
// stream gives, field for field. `names` (one per text, for messages) name
// the partial in errors. Errors when a text is not a partial of a version
// this library reads, or when partials differ in rule-set fingerprint,
// schema, outcomes or backtest options. The order matters only for the
// overlap report's examples.
Result<BacktestReport> MergeBacktestPartials(const std::vector<std::string>& texts,
                                             const std::vector<std::string>& names);

// Writes the SPEC section 6 report: exactly its keys, in its order, then
// "capacity", "capacity_curve" and "periods" when they were asked for.
void AppendBacktestJson(const BacktestReport& report, std::string* out);
// The report as one self-contained HTML page (docs/measurement.md, "The HTML
// report"): inline SVG charts and styles, no script, no network fetch; the
// fingerprint on every page. Capacity and trend charts appear when the
// report has them.
std::string BacktestHtml(const BacktestReport& report, const std::string& title);
// Writes the overlap report as one JSON object.
void AppendOverlapJson(const BacktestReport& report, std::string* out);

// ---------------------------------------------------------------------------
// Promotion

enum class PromotionCriterion : std::uint8_t {
  kMinExamined,
  kMinDiscrepancyRate,  // tested on ci_low
  kMinPorts,
  kMinNewDiscrepant,
};
const char* PromotionCriterionName(PromotionCriterion c);  // "min_examined", ...

// How a query measures against the promotion criteria. Value type.
struct PromotionAssessment {
  struct Shortfall {
    PromotionCriterion criterion;
    double required = 0;
    double actual = 0;  // ci_low for kMinDiscrepancyRate (0 when it is null)
  };
  const EntryMetrics* metrics = nullptr;  // points into the report assessed
  std::vector<Shortfall> failed;          // empty: a candidate
  // When only more exams are missing: the smallest examined count at which
  // the criteria on examined and ci_low would hold if the query kept its
  // discrepancy rate; nullopt when that rate cannot reach the bar.
  std::optional<std::uint64_t> exams_needed;

  bool candidate() const { return failed.empty(); }
};

// Every active or shadow query of `report`, by (number of failed criteria,
// then discrepant descending, then id). The report must outlive the result.
std::vector<PromotionAssessment> AssessPromotion(const BacktestReport& report);

// The text of a rule file promoting `query` (an index into rules.entries()):
// kind rule, status shadow, id `new_id`, version 1, promoted_from the query,
// name/description/owner/priority/scope/effective/weight carried over, the
// query's `when` and inline tests copied from its source file (re-read from
// EntryInfo::file), plus one `fires` test per record in `hits` (its
// non-derived fields) and one `{sequence: [...]}` test per stream in
// `sequences` (its records in order: the assertion is about the last).
// Errors when the source cannot be read or the entry is not found in it.
Result<std::string> PromotedRuleYaml(const RuleSet& rules, int query, std::string_view new_id,
                                     const std::vector<Record>& hits,
                                     const std::vector<std::vector<Record>>& sequences = {});

// Whether `earlier`, streamed before `last`, can count towards an aggregate
// that `query`'s condition names when `last` is scored: it has last's key
// for one of them and its day falls in that aggregate's window ending on
// last's day (a missing date stands for `as_of`). False for a query without
// aggregates. For gathering the records of a hit's `{sequence: ...}` test.
bool InAggregateWindow(const RuleSet& rules, int query, const Record& earlier, const Record& last,
                       Days as_of);

// A shortest-first reduction of `stream` (records in stream order, ending
// with the hit) to a sequence on which `query` fires on the last record when
// the sequence is streamed alone, as an inline `{sequence: ...}` test is
// (SPEC section 8), as of `as_of`: records are dropped, earliest first, while
// it still fires. Nullopt when it does not fire on the whole stream.
std::optional<std::vector<Record>> FiringSequence(const std::shared_ptr<const RuleSet>& rules,
                                                  int query, std::vector<Record> stream,
                                                  Days as_of);

// ---------------------------------------------------------------------------
// Scorecard

enum class Verdict : std::uint8_t { kKeep, kTune, kRetire, kPromote };
const char* VerdictName(Verdict v);  // "keep", "tune", "retire", "promote"

// One entry's verdict with its reasons, in numbers. Value type.
struct EntryVerdict {
  std::string id;
  EntryKind kind = EntryKind::kRule;
  EntryStatus status = EntryStatus::kActive;
  Verdict verdict = Verdict::kKeep;
  std::vector<std::string> reasons;
};

struct Scorecard {
  std::string fingerprint;
  ScorecardCriteria criteria;
  std::vector<EntryVerdict> entries;  // every active and shadow entry, by id
};

// Judges every entry of `report` (a backtest with trends, BacktestOptions::by
// set from criteria.by) by the criteria of docs/measurement.md: promote a
// query that meets the promotion criteria; retire when ci_high is below the
// base rate, or the entry fired nowhere or not in the last idle_periods
// periods; tune when its rate decays or it is redundant; else keep. An
// entry that is the only one carrying a priority says so when retired.
Scorecard MakeScorecard(const BacktestReport& report, const ScorecardCriteria& criteria);
void AppendScorecardJson(const Scorecard& card, std::string* out);

// ---------------------------------------------------------------------------
// Lists derived from outcomes (`targeting lists derive`)

struct DeriveListOptions {
  std::string field;                 // a field of the schema (list fields count every element)
  std::uint64_t min_discrepant = 2;  // values on at least this many discrepant records
  std::optional<Days> since;         // records dated before it are skipped (undated ones too)
  ReaderOptions reader;
};

struct DerivedList {
  std::vector<std::pair<std::string, std::uint64_t>> values;  // normalized value, discrepant records; by value
  std::uint64_t records = 0, rejected = 0, discrepant = 0;
  std::optional<Days> latest;  // the latest date among the records counted
  // The list file: a provenance header (the inputs' and the outcomes' sha256,
  // the parameters, the latest date), then one value a line. The same
  // inputs give the same bytes.
  std::string text;
};

// Reads every input (in order) and the outcomes, and lists the values of
// options.field on discrepant records. Errors when a file cannot be read or
// the field is unknown.
Result<DerivedList> DeriveList(const Schema& schema, const std::vector<std::string>& inputs,
                               const std::string& outcomes_path, const DeriveListOptions& options);

// ---------------------------------------------------------------------------
// Diff

struct RecordChange {
  std::string record_id;
  std::uint64_t line = 0;
  double old_score = 0, new_score = 0;
  Lane old_lane = Lane::kGreen, new_lane = Lane::kGreen;
  std::vector<std::string> gained, lost;  // entry ids, sorted
};

struct EntryChange {
  std::string id;
  std::uint64_t gained = 0;  // records it fires on under the new set only
  std::uint64_t lost = 0;    // records it fires on under the old set only
};

struct DiffReport {
  std::string old_fingerprint, new_fingerprint;
  std::uint64_t records = 0;
  std::uint64_t changed = 0;        // fired set, score or lane differs
  std::uint64_t fired_changed = 0;  // of which the fired set differs
  std::uint64_t score_changed = 0;
  std::uint64_t lane_changed = 0;
  std::array<std::uint64_t, 3> old_lanes{}, new_lanes{};         // by Lane
  std::array<std::array<std::uint64_t, 3>, 3> lane_moves{};       // [old][new]
  std::vector<EntryChange> entries;  // entries with gains or losses, by id
  std::vector<RecordChange> changes;  // the first DiffOptions::limit changed records

  // With outcomes: a discrepant record is "found" by a set when at least one
  // of its active entries fired or its lane is not green.
  bool has_outcomes = false;
  OutcomeCounts outcomes;  // rows, unmatched, bad, duplicates
  std::uint64_t discrepant = 0;
  std::uint64_t found_old = 0, found_new = 0;
  std::uint64_t discrepant_gained = 0, discrepant_lost = 0;
  std::vector<std::string> gained_examples, lost_examples;  // up to DiffOptions::limit
};

struct DiffOptions {
  std::size_t limit = 50;  // changed records listed (all are counted)
  Days as_of = TodayUtc();
};

// Scores records under two rule sets and compares. The two sets must use the
// same schema (same Schema::Canonical()). Not thread-safe.
class RuleSetDiff {
 public:
  // Errors when the schemas differ.
  static Result<std::unique_ptr<RuleSetDiff>> Create(std::shared_ptr<const RuleSet> old_rules,
                                                     std::shared_ptr<const RuleSet> new_rules,
                                                     std::shared_ptr<const Outcomes> outcomes,
                                                     DiffOptions options = {});
  ~RuleSetDiff();

  // Scores `record` (built with the old set's schema) under both sets.
  Status Add(const Record& record);
  DiffReport Report() const;
  // Record ids of outcomes that joined no record, in file order.
  std::vector<std::string> UnmatchedIds(std::size_t limit) const;
  // The aggregate streams of the two sets (SPEC section 8), null for a set
  // without aggregates: load them before the first Add, save after the last.
  StreamState* old_stream();
  StreamState* new_stream();

 private:
  RuleSetDiff();
  struct State;
  std::unique_ptr<State> s_;
};

void AppendDiffJson(const DiffReport& report, std::string* out);

}  // namespace targeting

#endif  // TARGETING_MEASURE_H_
