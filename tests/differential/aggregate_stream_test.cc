// Aggregates (SPEC section 8) against the reference: random rule sets with
// aggregate conditions anywhere a condition may be, and random streams of
// records with out-of-order and missing dates, missing keys, list values
// and sums whose result depends on the order of addition. For every record
// the indexed scorer (bucketed, forgetting history) and the reference
// (every record kept, rescanned) must agree on the measures, the fired
// entries, the score and the lane; so must a stream split into runs through
// state files, and a stream measured on one scorer and matched on another
// (what --threads does).
//
// Environment: TARGETING_AGG_SEED=S start seed, TARGETING_AGG_SETS=N sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "stream/history.h"
#include "targeting/targeting.h"

namespace targeting::testing {
namespace {

std::uint64_t StreamEnvNumber(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtoull(v, nullptr, 10);
}

class StreamRng {
 public:
  explicit StreamRng(std::uint64_t seed) : s_(seed * 0x9e3779b97f4a7c15ULL + 1) {}
  std::uint64_t Next() {
    s_ = SplitMix64(s_);
    return s_;
  }
  int Int(int n) { return static_cast<int>(Next() % static_cast<std::uint64_t>(n)); }
  bool Chance(int percent) { return Int(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(Int(static_cast<int>(v.size())))];
  }

 private:
  std::uint64_t s_;
};

const std::vector<std::string> kByFields = {"consignee_name", "consignee_address", "shipper_name",
                                            "mode", "declared_value_usd", "arrival_date"};
const std::vector<std::string> kDistinctFields = {"shipper_name", "routing", "declared_value_usd",
                                                  "consignee_address", "arrival_date"};
const std::vector<std::string> kSumFields = {"declared_value_usd", "gross_weight_kg",
                                             "value_per_kg"};

std::string RandomTest(StreamRng& rng, bool sum) {
  const std::vector<std::string> ops = {"eq", "ne", "lt", "le", "gt", "ge", "between"};
  std::string out;
  const int n = 1 + rng.Int(2);
  std::vector<std::string> used;
  for (int i = 0; i < n; ++i) {
    std::string op = rng.Pick(ops);
    if (std::find(used.begin(), used.end(), op) != used.end()) continue;
    used.push_back(op);
    if (!out.empty()) out += ", ";
    auto value = [&] {
      if (sum) {
        const std::vector<std::string> v = {"0", "100", "800", "1000", "1e16", "0.3", "1200.5"};
        return rng.Pick(v);
      }
      return std::to_string(rng.Int(5));
    };
    if (op == "between") {
      std::string a = value(), b = value();
      if (std::stod(a) > std::stod(b)) std::swap(a, b);
      out += "between: [" + a + ", " + b + "]";
    } else {
      out += op + ": " + value();
    }
  }
  return out;
}

std::string RandomWhere(StreamRng& rng) {
  switch (rng.Int(4)) {
    case 0: return "{mode: [EXPRESS, MAIL]}";
    case 1: return "{declared_value_usd: {lt: 500}}";
    case 2: return "{not: {consignee_type: BUSINESS}}";
    default: return "{any: [{shipper_name: S1}, {routing: HK}]}";
  }
}

std::uint64_t g_definition_base = 0;  // per rule set

std::string RandomAggregate(StreamRng& rng, int definitions) {
  // A few definitions per set, so that entries share state.
  StreamRng def(g_definition_base + static_cast<std::uint64_t>(rng.Int(definitions)));
  std::vector<std::string> by;
  const int nby = 1 + def.Int(2);
  for (int i = 0; i < nby; ++i) {
    std::string f = def.Pick(kByFields);
    if (std::find(by.begin(), by.end(), f) == by.end()) by.push_back(f);
  }
  std::string out = "{aggregate: {by: [";
  for (std::size_t i = 0; i < by.size(); ++i) out += (i ? ", " : "") + by[i];
  out += "], days: " + std::to_string(1 + def.Int(4));
  if (def.Chance(50)) out += ", where: " + RandomWhere(def);
  switch (def.Int(3)) {
    case 0: out += ", count: {" + RandomTest(rng, false) + "}"; break;
    case 1: out += ", sum: {field: " + def.Pick(kSumFields) + ", " + RandomTest(rng, true) + "}"; break;
    default: out += ", distinct: {field: " + def.Pick(kDistinctFields) + ", " + RandomTest(rng, false) + "}";
  }
  return out + "}}";
}

std::string RandomCondition(StreamRng& rng, int depth, int definitions) {
  if (depth >= 2 || rng.Chance(40)) {
    if (rng.Chance(55)) return RandomAggregate(rng, definitions);
    const std::vector<std::string> leaves = {"{mode: [EXPRESS, MAIL]}", "{consignee_type: RESIDENTIAL}",
                                             "{shipper_name: S2}", "{declared_value_usd: {lt: 800}}",
                                             "{routing: HK}", "{consignee_name: {prefix: A}}"};
    return rng.Pick(leaves);
  }
  switch (rng.Int(4)) {
    case 0: return "{not: " + RandomCondition(rng, depth + 1, definitions) + "}";
    case 1:
      return "{any: [" + RandomCondition(rng, depth + 1, definitions) + ", " +
             RandomCondition(rng, depth + 1, definitions) + "]}";
    case 2:
      return "{at_least: 1, of: [" + RandomCondition(rng, depth + 1, definitions) + ", " +
             RandomCondition(rng, depth + 1, definitions) + "]}";
    default:
      return "{all: [" + RandomCondition(rng, depth + 1, definitions) + ", " +
             RandomCondition(rng, depth + 1, definitions) + "]}";
  }
}

std::string RandomRuleSet(StreamRng& rng) {
  std::string y = "lanes: {red: 50, yellow: 20}\nrules:\n";
  const int n = 3 + rng.Int(10);
  const int definitions = 2 + rng.Int(5);
  g_definition_base = rng.Next();
  for (int i = 0; i < n; ++i) {
    y += "  - id: E" + std::to_string(i) + "\n";
    y += "    weight: " + std::to_string(rng.Int(40)) + "\n";
    if (rng.Chance(20)) y += "    status: shadow\n";
    if (rng.Chance(15)) y += "    effective: {from: 2026-03-03}\n";
    y += "    when: " + RandomCondition(rng, 0, definitions) + "\n";
  }
  return y;
}

std::string RandomCsv(StreamRng& rng, int records) {
  std::string csv =
      "record_id,arrival_date,mode,consignee_name,consignee_address,consignee_type,shipper_name,"
      "routing,declared_value_usd,gross_weight_kg\n";
  int day = 1;
  const std::vector<std::string> names = {"Ann", "Bob", "Acme Ltd", ""};
  const std::vector<std::string> addresses = {"1 Main St", "2 Oak Ave", ""};
  const std::vector<std::string> shippers = {"S1", "S2", "S3", "S4", ""};
  const std::vector<std::string> modes = {"EXPRESS", "MAIL", "SEA", ""};
  const std::vector<std::string> values = {"", "0.1", "0.2", "0.3", "1e16", "-1e16", "1",
                                           "450", "799.99", "350", "-0"};
  const std::vector<std::string> routing = {"", "HK", "CN;HK", "SG;CN", "CN"};
  for (int i = 0; i < records; ++i) {
    if (rng.Chance(25)) day += 1 + (rng.Chance(10) ? rng.Int(6) : 0);
    int d = day;
    if (rng.Chance(12)) d = std::max(1, day - 1 - rng.Int(6));  // arrives late
    const std::string date = rng.Chance(5) ? "" : FormatDate(*ParseDate("2026-02-28") + d);
    csv += "R" + std::to_string(i) + "," + date + "," + rng.Pick(modes) + "," + rng.Pick(names) +
           "," + rng.Pick(addresses) + "," + (rng.Chance(30) ? "BUSINESS" : "RESIDENTIAL") + "," +
           rng.Pick(shippers) + "," + rng.Pick(routing) + "," + rng.Pick(values) + "," +
           (rng.Chance(20) ? "" : std::to_string(1 + rng.Int(9))) + "\n";
  }
  return csv;
}

std::vector<Record> ReadAll(const RuleSet& rules, const std::string& csv) {
  auto reader = RecordReader::FromString(csv, "stream.csv", InputFormat::kCsv, rules.schema());
  EXPECT_TRUE(reader.ok());
  std::vector<Record> out;
  Record r(rules.schema());
  Reject reject;
  while (true) {
    auto next = reader.value()->Read(&r, &reject);
    if (next == RecordReader::Next::kEnd) break;
    EXPECT_EQ(next, RecordReader::Next::kRecord) << reject.reason;
    if (next == RecordReader::Next::kRecord) out.push_back(r);
  }
  return out;
}

bool SameMeasures(const AggregateMeasures& a, const AggregateMeasures& b) {
  if (a.keyed != b.keyed || a.value.size() != b.value.size()) return false;
  for (std::size_t i = 0; i < a.value.size(); ++i) {
    if (!a.keyed[i]) continue;
    if (std::memcmp(&a.value[i], &b.value[i], sizeof(double)) != 0 &&
        !(a.value[i] == 0 && b.value[i] == 0)) {
      return false;
    }
  }
  return true;
}

std::string Describe(const ScoreResult& r) {
  std::string s = "fired [";
  for (auto e : r.fired) s += std::to_string(e) + " ";
  s += "] score " + std::to_string(r.score) + " measures [";
  for (std::size_t i = 0; i < r.measures.value.size(); ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%.17g", r.measures.keyed[i] ? "" : "nokey:", r.measures.value[i]);
    s += std::string(buf) + " ";
  }
  return s + "]";
}

// One random rule set of the differential tests and a stream of records
// for it, drawn from `rng` (seeded by `seed`); `keys` records from
// ManyKeysCsv instead of a short RandomCsv when non-zero. False, with
// nothing to test, when the dice left the set without an aggregate.
struct DrawnStream {
  std::string yaml;
  std::shared_ptr<const RuleSet> rules;
  std::vector<Record> records;
};
std::string ManyKeysCsv(StreamRng& rng, int records);
bool DrawStream(std::uint64_t seed, StreamRng& rng, int keys, DrawnStream* out) {
  out->yaml = RandomRuleSet(rng);
  CompileResult compiled = CompileString(out->yaml, "agg.yaml");
  if (!compiled.ok()) {
    ADD_FAILURE() << "seed " << seed << "\n" << out->yaml
                  << (compiled.issues.empty() ? "" : compiled.issues[0].ToString());
    return false;
  }
  out->rules = compiled.rule_set;
  if (out->rules->aggregate_count() == 0) return false;
  out->records =
      ReadAll(*out->rules, keys > 0 ? ManyKeysCsv(rng, keys) : RandomCsv(rng, 150 + rng.Int(150)));
  return true;
}

TEST(AggregateDifferential, IndexedStreamMatchesReference) {
  const std::uint64_t first = StreamEnvNumber("TARGETING_AGG_SEED", 8080);
  const std::uint64_t sets = StreamEnvNumber("TARGETING_AGG_SETS", 150);
  const Days as_of = *ParseDate("2026-03-09");
  std::uint64_t records = 0, fired = 0, measured = 0, keyless = 0, splits = 0;
  for (std::uint64_t seed = first; seed < first + sets; ++seed) {
    StreamRng rng(seed);
    DrawnStream drawn;
    if (!DrawStream(seed, rng, 0, &drawn)) continue;  // the dice left no aggregate
    const std::string& yaml = drawn.yaml;
    const auto& rules = drawn.rules;
    const std::vector<Record>& stream = drawn.records;
    Scorer one(rules, ScoreOptions{as_of});
    // A stream measured here and matched by `other`, as the pipeline's workers do.
    Scorer measurer(rules, ScoreOptions{as_of});
    Scorer other(rules, ScoreOptions{as_of});
    // The stream split into runs through a state file at a random record.
    const std::size_t cut = static_cast<std::size_t>(rng.Int(static_cast<int>(stream.size())));
    auto run_a = std::make_unique<Scorer>(rules, ScoreOptions{as_of});
    std::unique_ptr<Scorer> run_b;
    ScoreResult idx, ref, split, threaded;
    for (std::size_t i = 0; i < stream.size(); ++i) {
      const Record& r = stream[i];
      ASSERT_TRUE(one.Score(r, &idx).ok());
      ASSERT_TRUE(one.ScoreReference(r, &ref).ok());
      ASSERT_TRUE(measurer.Measure(r, &threaded).ok());
      ASSERT_TRUE(other.ScoreMeasured(r, &threaded).ok());
      if (i == cut) {
        // What the two histories hold is the same: they write the same file.
        ASSERT_TRUE(one.stream()->Save() == one.reference_stream()->Save())
            << "seed " << seed << ": the indexed and reference states differ at record " << i;
        const std::string bytes = run_a->stream()->Save();
        run_b = std::make_unique<Scorer>(rules, ScoreOptions{as_of});
        std::vector<std::string> missing;
        ASSERT_TRUE(run_b->stream()->Load(bytes, "state", &missing).ok());
        EXPECT_TRUE(missing.empty());
        ++splits;
      }
      Scorer& runner = i < cut ? *run_a : *run_b;
      ASSERT_TRUE(runner.Score(r, &split).ok());
      const std::string where = "seed " + std::to_string(seed) + " (TARGETING_AGG_SEED=" +
                                std::to_string(seed) + " TARGETING_AGG_SETS=1) record " +
                                std::string(r.record_id()) + "\n" + yaml;
      ASSERT_TRUE(SameMeasures(idx.measures, ref.measures))
          << "indexed " << Describe(idx) << "\nreference " << Describe(ref) << "\n" << where;
      ASSERT_EQ(idx.fired, ref.fired) << "indexed " << Describe(idx) << "\nreference "
                                      << Describe(ref) << "\n" << where;
      ASSERT_EQ(idx.score, ref.score) << where;
      ASSERT_EQ(idx.lane, ref.lane) << where;
      ASSERT_EQ(split.fired, ref.fired) << "split at " << cut << " " << Describe(split) << "\n" << where;
      ASSERT_TRUE(SameMeasures(split.measures, ref.measures)) << "split " << Describe(split) << "\n" << where;
      ASSERT_EQ(threaded.fired, ref.fired) << where;
      ++records;
      fired += ref.fired.size();
      for (std::size_t a = 0; a < ref.measures.keyed.size(); ++a) {
        if (ref.measures.keyed[a]) {
          measured += ref.measures.value[a] > 0;
        } else {
          ++keyless;
        }
      }
    }
  }
  std::printf("aggregate differential: %llu records over %llu rule sets, %llu fired, %llu "
              "non-zero measures, %llu keyless, %llu split runs\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(sets),
              static_cast<unsigned long long>(fired), static_cast<unsigned long long>(measured),
              static_cast<unsigned long long>(keyless), static_cast<unsigned long long>(splits));
  if (sets >= 100) {
    EXPECT_GT(fired, records / 4);
    EXPECT_GT(measured, records);
    EXPECT_GT(keyless, records / 10);
  }
}

// A stream with many keys: names and addresses drawn from thousands, some
// longer than a row holds inline, so the key tables grow, rehash, sweep,
// shift runs back on removal and reuse rows.
std::string ManyKeysCsv(StreamRng& rng, int records) {
  std::string csv =
      "record_id,arrival_date,mode,consignee_name,consignee_address,consignee_type,shipper_name,"
      "routing,declared_value_usd,gross_weight_kg\n";
  int day = 1;
  const std::vector<std::string> modes = {"EXPRESS", "MAIL", "SEA", ""};
  const std::vector<std::string> routing = {"", "HK", "CN;HK", "SG;CN", "CN"};
  for (int i = 0; i < records; ++i) {
    if (rng.Chance(2)) day += 1 + (rng.Chance(10) ? rng.Int(6) : 0);
    int d = day;
    if (rng.Chance(8)) d = std::max(1, day - 1 - rng.Int(6));  // arrives late
    const std::string date = rng.Chance(3) ? "" : FormatDate(*ParseDate("2026-02-28") + d);
    std::string name = rng.Chance(3) ? "" : "N" + std::to_string(rng.Int(rng.Chance(50) ? 40 : 3000));
    if (rng.Chance(10)) name += " OF A NAME LONG ENOUGH NOT TO FIT IN A ROW OF ITS OWN";
    const std::string address = rng.Chance(3) ? "" : std::to_string(rng.Int(500)) + " MAIN ST";
    csv += "R" + std::to_string(i) + "," + date + "," + rng.Pick(modes) + "," + name + "," +
           address + "," + (rng.Chance(30) ? "BUSINESS" : "RESIDENTIAL") + ",S" +
           std::to_string(rng.Int(rng.Chance(20) ? 2000 : 30)) + "," + rng.Pick(routing) + "," +
           std::to_string(rng.Int(1000)) + "." + std::to_string(rng.Int(100)) + "," +
           (rng.Chance(20) ? "" : std::to_string(1 + rng.Int(9))) + "\n";
  }
  return csv;
}

// StreamState::AdvanceBatch (Scorer::MeasureBatch) in batches of random
// sizes, with single Measure calls between them, gives every record the
// measures of the reference; and it leaves the same history (state file).
TEST(AggregateDifferential, BatchedStreamMatchesReference) {
  const std::uint64_t first = StreamEnvNumber("TARGETING_AGG_SEED", 8080);
  const std::uint64_t sets = StreamEnvNumber("TARGETING_AGG_SETS", 150);
  const Days as_of = *ParseDate("2026-03-09");
  std::uint64_t records = 0;
  // A batch looks ahead only in a large history, which these streams never
  // hold: odd seeds force the look-ahead on every batch, even ones never.
  struct Restore {
    ~Restore() { internal::look_ahead_from_bytes.store(internal::kLookAheadFromBytes); }
  } restore;
  for (std::uint64_t seed = first; seed < first + sets; ++seed) {
    internal::look_ahead_from_bytes.store(seed % 2 ? 0 : SIZE_MAX);
    StreamRng rng(seed);
    DrawnStream drawn;
    if (!DrawStream(seed, rng, seed % 5 == 0 ? 4000 : 0, &drawn)) continue;
    const std::string& yaml = drawn.yaml;
    const auto& rules = drawn.rules;
    const std::vector<Record>& stream = drawn.records;
    Scorer batched(rules, ScoreOptions{as_of});
    Scorer reference(rules, ScoreOptions{as_of});
    std::vector<ScoreResult> got(stream.size());
    for (std::size_t at = 0; at < stream.size();) {
      if (rng.Chance(20)) {
        ASSERT_TRUE(batched.Measure(stream[at], &got[at]).ok());
        ++at;
        continue;
      }
      const std::size_t m = std::min<std::size_t>(stream.size() - at, 1 + rng.Int(rng.Chance(50) ? 8 : 400));
      ASSERT_TRUE(batched.MeasureBatch(&stream[at], &got[at], m).ok());
      at += m;
    }
    ScoreResult ref;
    for (std::size_t i = 0; i < stream.size(); ++i) {
      ASSERT_TRUE(reference.MeasureReference(stream[i], &ref).ok());
      ASSERT_TRUE(SameMeasures(got[i].measures, ref.measures))
          << "seed " << seed << " (TARGETING_AGG_SEED=" << seed << " TARGETING_AGG_SETS=1) record "
          << stream[i].record_id() << "\nbatched " << Describe(got[i]) << "\nreference "
          << Describe(ref) << "\n" << yaml;
      ++records;
    }
    ASSERT_TRUE(batched.stream()->Save() == reference.reference_stream()->Save()) << "seed " << seed;
  }
  std::printf("aggregate differential, batched: %llu records\n",
              static_cast<unsigned long long>(records));
}

// A record of another schema in a batch is refused as Measure refuses it,
// and the rest of the batch advances as without it.
TEST(AggregateDifferential, BatchSkipsARecordOfAnotherSchema) {
  CompileResult compiled = CompileString(
      "rules:\n  - {id: A, when: {aggregate: {by: [consignee_name], days: 3, count: {ge: 2}}}}\n",
      "agg.yaml");
  ASSERT_TRUE(compiled.ok());
  auto rules = compiled.rule_set;
  StreamRng rng(7);
  std::vector<Record> stream = ReadAll(*rules, RandomCsv(rng, 40));
  auto other = Schema::Build({FieldDef{"record_id", FieldType::kString}}, "record_id", "", "", "");
  ASSERT_TRUE(other.ok());
  Record foreign(other.value());
  std::vector<Record> mixed;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    mixed.push_back(stream[i]);
    if (i == 10) mixed.push_back(foreign);
  }
  Scorer batched(rules, ScoreOptions{*ParseDate("2026-03-09")});
  Scorer single(rules, ScoreOptions{*ParseDate("2026-03-09")});
  std::vector<ScoreResult> got(mixed.size());
  EXPECT_FALSE(batched.MeasureBatch(mixed.data(), got.data(), mixed.size()).ok());
  EXPECT_TRUE(got[11].measures.value.empty());
  ScoreResult one;
  for (std::size_t i = 0, j = 0; i < mixed.size(); ++i) {
    if (i == 11) continue;
    ASSERT_TRUE(single.Measure(stream[j++], &one).ok());
    EXPECT_TRUE(SameMeasures(got[i].measures, one.measures)) << i;
  }
}


// Peek measures a record as Advance would, against either kind of stream,
// and changes nothing: a stream that is peeked at every few records saves
// the same bytes as one that never was.
TEST(AggregateDifferential, PeekMeasuresAsAdvanceAndChangesNothing) {
  const std::uint64_t first = StreamEnvNumber("TARGETING_AGG_SEED", 9090);
  const std::uint64_t sets = StreamEnvNumber("TARGETING_AGG_SETS", 120);
  const Days as_of = *ParseDate("2026-03-09");
  std::uint64_t peeks = 0;
  for (std::uint64_t seed = first; seed < first + sets; ++seed) {
    StreamRng rng(seed);
    DrawnStream drawn;
    if (!DrawStream(seed, rng, seed % 5 == 0 ? 2000 : 0, &drawn)) continue;
    const std::string& yaml = drawn.yaml;
    const auto& rules = drawn.rules;
    const std::vector<Record>& stream = drawn.records;
    for (StreamState::Kind kind : {StreamState::Kind::kIndexed, StreamState::Kind::kReference}) {
      StreamState peeked(rules, as_of, kind);
      StreamState plain(rules, as_of, kind);
      AggregateMeasures ahead, got, want;
      for (std::size_t i = 0; i < stream.size(); ++i) {
        // Peek at this record, and now and then at a later one (a question
        // about a record that has not arrived), before advancing.
        ASSERT_TRUE(peeked.Peek(stream[i], &ahead).ok());
        if (rng.Chance(10)) {
          ASSERT_TRUE(peeked.Peek(stream[rng.Int(static_cast<int>(stream.size()))], &got).ok());
        }
        ASSERT_TRUE(peeked.Advance(stream[i], &got).ok());
        ASSERT_TRUE(plain.Advance(stream[i], &want).ok());
        ASSERT_TRUE(SameMeasures(ahead, want))
            << "seed " << seed << " (TARGETING_AGG_SEED=" << seed << " TARGETING_AGG_SETS=1) "
            << (kind == StreamState::Kind::kIndexed ? "indexed" : "reference") << " record "
            << stream[i].record_id() << "\n" << yaml;
        ASSERT_TRUE(SameMeasures(got, want)) << "seed " << seed << " record " << i;
        ++peeks;
      }
      ASSERT_TRUE(peeked.Save() == plain.Save()) << "seed " << seed;
    }
  }
  std::printf("aggregate differential, peek: %llu records\n", static_cast<unsigned long long>(peeks));
  EXPECT_GT(peeks, 0u);
}

// The indexed history measures a record of the latest day H from running
// counts (every item held is then in the window) and a late record by
// scanning its window. Streams mostly in date order, many records a day,
// keys and values that come back day after day within windows of up to 30
// days (list values, numbers, a `where`), and late records now and then
// (within and beyond the windows): every record's measures, in batches and
// one by one, and the state at the end must be the reference's. The random
// sets above keep windows of 1-4 days over short streams; this holds the
// running counts to long windows whose values recur across many days.
std::string RecurringCsv(StreamRng& rng, int records, int late_percent) {
  std::string csv =
      "record_id,arrival_date,mode,consignee_name,consignee_address,consignee_type,shipper_name,"
      "routing,declared_value_usd,gross_weight_kg\n";
  int day = 1;
  const std::vector<std::string> modes = {"EXPRESS", "MAIL", "SEA"};
  const std::vector<std::string> routing = {"", "HK", "CN;HK", "SG;CN", "CN", "HK;SG;CN"};
  for (int i = 0; i < records; ++i) {
    if (rng.Chance(6)) day += 1 + (rng.Chance(5) ? rng.Int(12) : 0);
    int d = day;
    if (rng.Chance(late_percent)) d = std::max(1, day - 1 - rng.Int(rng.Chance(50) ? 5 : 40));
    csv += "R" + std::to_string(i) + "," + FormatDate(*ParseDate("2026-01-01") + d) + "," +
           rng.Pick(modes) + ",N" + std::to_string(rng.Int(rng.Chance(70) ? 6 : 60)) + "," +
           std::to_string(rng.Int(8)) + " MAIN ST," + (rng.Chance(30) ? "BUSINESS" : "RESIDENTIAL") +
           ",S" + std::to_string(rng.Int(rng.Chance(80) ? 7 : 200)) + "," + rng.Pick(routing) + "," +
           std::to_string(rng.Int(rng.Chance(50) ? 5 : 3000)) + "." + std::to_string(rng.Int(10)) +
           "," + (rng.Chance(10) ? "" : std::to_string(1 + rng.Int(9))) + "\n";
  }
  return csv;
}

TEST(AggregateDifferential, RecurringValuesInOrderAndLateMatchReference) {
  const std::string yaml = R"(rules:
  - {id: C1, when: {aggregate: {by: [consignee_name], days: 1, count: {ge: 2}}}}
  - {id: C30, when: {aggregate: {by: [consignee_name], days: 30, count: {ge: 20}}}}
  - {id: S7, when: {aggregate: {by: [consignee_name], days: 7, sum: {field: declared_value_usd, gt: 800}}}}
  - {id: S30, when: {aggregate: {by: [shipper_name], days: 30, where: {mode: [EXPRESS, MAIL]}, sum: {field: gross_weight_kg, gt: 50}}}}
  - {id: D30, when: {aggregate: {by: [consignee_name], days: 30, distinct: {field: shipper_name, ge: 5}}}}
  - {id: D7R, when: {aggregate: {by: [shipper_name], days: 7, distinct: {field: routing, ge: 3}}}}
  - {id: D3V, when: {aggregate: {by: [consignee_address], days: 3, distinct: {field: declared_value_usd, ge: 3}}}}
  - {id: D30W, when: {aggregate: {by: [consignee_name, consignee_address], days: 30, where: {not: {consignee_type: BUSINESS}}, distinct: {field: shipper_name, ge: 2}}}}
  - {id: D1, when: {aggregate: {by: [shipper_name], days: 1, distinct: {field: consignee_name, ge: 2}}}}
)";
  CompileResult compiled = CompileString(yaml, "agg.yaml");
  ASSERT_TRUE(compiled.ok()) << (compiled.issues.empty() ? "" : compiled.issues[0].ToString());
  const auto rules = compiled.rule_set;
  const Days as_of = *ParseDate("2026-06-30");
  std::uint64_t records = 0, late = 0;
  for (int late_percent : {0, 3, 15}) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      StreamRng rng(seed * 100 + static_cast<std::uint64_t>(late_percent));
      const std::vector<Record> stream = ReadAll(*rules, RecurringCsv(rng, 3000, late_percent));
      Scorer single(rules, ScoreOptions{as_of});
      Scorer batched(rules, ScoreOptions{as_of});
      Scorer reference(rules, ScoreOptions{as_of});
      std::vector<ScoreResult> got(stream.size());
      for (std::size_t at = 0; at < stream.size();) {
        const std::size_t m = std::min<std::size_t>(stream.size() - at, 1 + rng.Int(300));
        ASSERT_TRUE(batched.MeasureBatch(&stream[at], &got[at], m).ok());
        at += m;
      }
      ScoreResult one, ref;
      Days latest = 0;
      for (std::size_t i = 0; i < stream.size(); ++i) {
        ASSERT_TRUE(single.Measure(stream[i], &one).ok());
        ASSERT_TRUE(reference.MeasureReference(stream[i], &ref).ok());
        const std::string where = "late " + std::to_string(late_percent) + "% seed " +
                                  std::to_string(seed) + " record " + std::string(stream[i].record_id());
        ASSERT_TRUE(SameMeasures(one.measures, ref.measures))
            << where << "\nindexed " << Describe(one) << "\nreference " << Describe(ref);
        ASSERT_TRUE(SameMeasures(got[i].measures, ref.measures))
            << where << "\nbatched " << Describe(got[i]) << "\nreference " << Describe(ref);
        const Days d = static_cast<Days>(stream[i].num(rules->schema().date_field()));
        late += d < latest;
        latest = std::max(latest, d);
        ++records;
      }
      ASSERT_TRUE(single.stream()->Save() == reference.reference_stream()->Save()) << seed;
      ASSERT_TRUE(batched.stream()->Save() == reference.reference_stream()->Save()) << seed;
    }
  }
  std::printf("aggregate differential, recurring values: %llu records, %llu late\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(late));
  EXPECT_GT(late, records / 50);
}

}  // namespace
}  // namespace targeting::testing
