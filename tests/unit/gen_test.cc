// targeting gen: determinism, well-formed output, sampling, and the ground truth.
#include "gen/episodes.h"
#include "gen/gen.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <simdjson.h>
#include <string>
#include <vector>

#include "check/refdata.h"
#include "gen_test_util.h"
#include "gen/planted.h"
#include "gen/world_tables.h"
#include "gen/world.h"
#include "load/normalize.h"
#include "targeting/io.h"
#include "targeting/record.h"
#include "targeting/rules.h"
#include "targeting/score.h"

namespace targeting::gen {
namespace {

using testing::Corpus;
using testing::StringSink;

Corpus Generate(std::uint64_t records, std::uint64_t seed, double rate = kPackSamplingRate,
                std::string salt = std::string(kPackSalt)) {
  GenOptions o;
  o.records = records;
  o.seed = seed;
  o.sampling_rate = rate;
  o.salt = std::move(salt);
  Status status;
  Corpus c = testing::GenerateInMemory(o, &status);
  EXPECT_TRUE(status.ok()) << status.message();
  return c;
}

std::vector<std::vector<std::string>> CsvRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::string_view rest = text;
  std::vector<std::string> row;
  while (internal::NextCsvRow(&rest, &row)) rows.push_back(row);
  return rows;
}

// The SPEC section 5 formula, written out again so the generator's copy is
// checked against something independent.
bool SpecSampled(double rate, std::string_view salt, std::string_view id) {
  std::string key = std::string(salt) + ":" + std::string(id);
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  std::uint64_t z = h + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return rate > 0 && static_cast<double>(z >> 11) / 9007199254740992.0 < rate;
}

TEST(Gen, SameSeedSameBytes) {
  Corpus a = Generate(3000, 42);
  Corpus b = Generate(3000, 42);
  EXPECT_EQ(a.csv, b.csv);
  EXPECT_EQ(a.jsonl, b.jsonl);
  EXPECT_EQ(a.outcomes, b.outcomes);
  EXPECT_EQ(a.truth, b.truth);
  EXPECT_GT(a.csv.size(), 3000u * 100);
}

TEST(Gen, DifferentSeedsDiffer) {
  Corpus a = Generate(500, 1);
  Corpus b = Generate(500, 2);
  EXPECT_NE(a.csv, b.csv);
  EXPECT_NE(a.jsonl, b.jsonl);
  // Record ids do not depend on the seed; their contents do, row by row.
  auto ra = CsvRows(a.csv), rb = CsvRows(b.csv);
  ASSERT_EQ(ra.size(), rb.size());
  int same = 0;
  for (std::size_t i = 1; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i][0], rb[i][0]);
    same += ra[i] == rb[i];
  }
  EXPECT_LT(same, 5);
}

TEST(Gen, RecordsAreIndependentOfEachOther) {
  // Record i depends on (seed, i, N) only: the same N gives the same record i
  // whatever was generated before it, so 10^7 records stream.
  World world(9);
  Shipment a, b;
  Rng r1(9, 123);
  world.Generate(123, 1000, r1, &a);
  Rng r0(9, 5);
  world.Generate(5, 1000, r0, &b);  // something else in between
  Rng r2(9, 123);
  world.Generate(123, 1000, r2, &b);
  EXPECT_EQ(a.shipper_name, b.shipper_name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.value_text, b.value_text);
}

TEST(Gen, EveryManifestRowParses) {
  Corpus c = Generate(4000, 7);
  auto rows = CsvRows(c.csv);
  ASSERT_EQ(rows.size(), 4001u);
  const Schema& schema = Schema::Manifest();
  const std::vector<std::string>& header = rows[0];
  // The header is the built-in schema's input fields, in order.
  std::vector<std::string> expected;
  for (const FieldDef& f : schema.fields()) {
    if (!f.derived) expected.push_back(f.name);
  }
  EXPECT_EQ(header, expected);
  std::set<std::string> ids;
  std::map<std::string, int> modes;
  int with_vpk = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), header.size()) << "row " << i;
    std::vector<std::pair<std::string, std::string>> fields;
    for (std::size_t k = 0; k < header.size(); ++k) fields.emplace_back(header[k], rows[i][k]);
    auto rec = Record::FromFields(schema, fields);
    ASSERT_TRUE(rec.ok()) << "row " << i << ": " << rec.status().message();
    EXPECT_TRUE(ids.insert(std::string(rec->record_id())).second) << "duplicate id";
    const int mode = schema.Find("mode");
    ASSERT_TRUE(rec->has(mode));
    ++modes[std::string(rec->str(mode))];
    for (const char* f : {"country_of_origin", "country_of_export", "shipper_country"}) {
      int k = schema.Find(f);
      ASSERT_TRUE(rec->has(k)) << f;
      EXPECT_TRUE(internal::IsIsoAlpha2(rec->str(k))) << f << " " << rec->str(k);
    }
    const int routing = schema.Find("routing");
    ASSERT_GE(rec->count(routing), 1);
    for (int e = 0; e < rec->count(routing); ++e) {
      EXPECT_TRUE(internal::IsIsoAlpha2(rec->str(routing, e)));
    }
    // Goods are laden in the last country of the routing, by the shipper's country.
    const int lading = schema.Find("port_of_lading");
    ASSERT_TRUE(rec->has(lading));
    EXPECT_EQ(rec->str(lading).substr(0, 2), rec->str(routing, rec->count(routing) - 1))
        << rec->record_id();
    EXPECT_EQ(rec->str(schema.Find("shipper_country")), rec->str(schema.Find("country_of_export")));
    const int hts = schema.Find("hts_code");
    EXPECT_TRUE(internal::IsHsPrefix(rec->str(hts))) << rec->str(hts);
    with_vpk += rec->has(schema.Find("value_per_kg"));
  }
  EXPECT_EQ(modes.size(), 4u);
  for (const char* m : {"SEA", "AIR", "EXPRESS", "MAIL"}) EXPECT_GT(modes[m], 200) << m;
  EXPECT_GT(with_vpk, 3900);  // a few mail parcels have no weight
  EXPECT_LT(with_vpk, 4000);
}

// The JSON Lines file holds the same records as the CSV file, value for value
// after normalization.
TEST(Gen, JsonLinesMatchCsv) {
  Corpus c = Generate(3000, 11);
  // Some values need quoting in CSV and escaping in JSON (an inch mark: 24").
  ASSERT_NE(c.jsonl.find("\\\""), std::string::npos);
  ASSERT_NE(c.csv.find("\"\""), std::string::npos);
  auto rows = CsvRows(c.csv);
  const Schema& schema = Schema::Manifest();
  simdjson::dom::parser parser;
  std::string_view rest = c.jsonl;
  std::size_t line = 0;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    ASSERT_NE(nl, std::string_view::npos);
    std::string text(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
    ++line;
    simdjson::dom::object obj;
    ASSERT_EQ(parser.parse(text).get(obj), simdjson::SUCCESS) << text;
    std::vector<std::pair<std::string, std::string>> from_json, from_csv;
    for (auto [key, value] : obj) {
      std::string cell;
      if (value.is_string()) {
        cell = std::string(value.get_string().value());
      } else if (value.is_array()) {
        for (auto el : value.get_array()) {
          if (!cell.empty()) cell += ";";
          cell += std::string(el.get_string().value());
        }
      } else if (value.is_null()) {
        cell.clear();
      } else {
        cell = simdjson::minify(value);
      }
      from_json.emplace_back(std::string(key), cell);
    }
    ASSERT_LT(line, rows.size());
    for (std::size_t k = 0; k < rows[0].size(); ++k) from_csv.emplace_back(rows[0][k], rows[line][k]);
    auto a = Record::FromFields(schema, from_json);
    auto b = Record::FromFields(schema, from_csv);
    ASSERT_TRUE(a.ok()) << a.status().message();
    ASSERT_TRUE(b.ok()) << b.status().message();
    for (int f = 0; f < schema.size(); ++f) {
      ASSERT_EQ(a->count(f), b->count(f)) << schema.field(f).name << " line " << line;
      for (int e = 0; e < a->count(f); ++e) {
        if (IsNumeric(schema.field(f).type)) {
          EXPECT_EQ(a->num(f, e), b->num(f, e)) << schema.field(f).name;
        } else {
          EXPECT_EQ(a->str(f, e), b->str(f, e)) << schema.field(f).name;
        }
      }
    }
  }
  EXPECT_EQ(line + 1, rows.size());
}

TEST(Gen, OutcomesJoinAndFollowTheSpec) {
  Corpus c = Generate(20000, 3);
  auto manifest = CsvRows(c.csv);
  std::set<std::string> ids;
  for (std::size_t i = 1; i < manifest.size(); ++i) ids.insert(manifest[i][0]);
  auto rows = CsvRows(c.outcomes);
  ASSERT_GT(rows.size(), 100u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"record_id", "examined", "finding", "action",
                                               "msrp_usd", "identified_by"}));
  std::map<std::string, std::vector<std::string>> last;
  std::set<std::string> random_ids;
  int discrepant = 0, seizures = 0, waived = 0, duplicates = 0;
  const std::set<std::string> kActions = {"seizure", "ipr_abandonment", "abandonment",
                                          "refused_entry", "referral", "none"};
  const std::set<std::string> kBy = {"rule", "query", "observation", "tip", "random"};
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    ASSERT_EQ(r.size(), 6u);
    EXPECT_TRUE(ids.count(r[0])) << "outcome for unknown record " << r[0];
    EXPECT_TRUE(r[1] == "true" || r[1] == "false");
    EXPECT_TRUE(kActions.count(r[3])) << r[3];
    EXPECT_TRUE(kBy.count(r[5])) << r[5];
    if (r[1] == "true") {
      EXPECT_TRUE(r[2] == "discrepant" || r[2] == "no_discrepancy");
    } else {
      EXPECT_EQ(r[2], "");
      EXPECT_EQ(r[3], "none");
      ++waived;
    }
    if (r[3] == "seizure") {
      ++seizures;
      ASSERT_FALSE(r[4].empty());
      EXPECT_GT(std::stod(r[4]), 0);
    } else {
      EXPECT_EQ(r[4], "");
    }
    if (r[2] != "discrepant") {
      EXPECT_EQ(r[3], "none");
    }
    if (last.count(r[0])) ++duplicates;
    last[r[0]] = r;
    if (r[5] == "random") random_ids.insert(r[0]);
  }
  for (const auto& [id, r] : last) discrepant += r[2] == "discrepant";
  EXPECT_GT(discrepant, 20);
  EXPECT_GT(seizures, 10);
  EXPECT_GT(waived, 0);
  EXPECT_GT(duplicates, 0);  // amended lab results

  // The random exams are exactly the sampled records.
  std::set<std::string> sampled;
  for (const std::string& id : ids) {
    bool s = SpecSampled(kPackSamplingRate, kPackSalt, id);
    EXPECT_EQ(s, IsSampled(kPackSamplingRate, kPackSalt, id)) << id;
    if (s) sampled.insert(id);
  }
  EXPECT_EQ(random_ids, sampled);
  EXPECT_GT(sampled.size(), 120u);
  EXPECT_LT(sampled.size(), 290u);
  for (const std::string& id : sampled) {
    EXPECT_EQ(last[id][1], "true") << id;
    EXPECT_EQ(last[id][5], "random") << id;
  }
}

TEST(Gen, SamplingOptionsAreHonoured) {
  Corpus c = Generate(2000, 3, 0.2, "other-salt");
  std::set<std::string> random_ids, sampled;
  for (const auto& r : CsvRows(c.outcomes)) {
    if (r.size() == 6 && r[5] == "random") random_ids.insert(r[0]);
  }
  for (int i = 1; i <= 2000; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "R%010d", i);
    if (SpecSampled(0.2, "other-salt", id)) sampled.insert(id);
  }
  EXPECT_EQ(random_ids, sampled);
  EXPECT_GT(sampled.size(), 300u);
  Corpus none = Generate(2000, 3, 0.0, "x");
  EXPECT_EQ(none.outcomes.find(",random\n"), std::string::npos);
}

TEST(Gen, TruthIsJsonAndNamesThePack) {
  Corpus c = Generate(5000, 5);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(c.truth).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["generator"]["seed"].get_uint64().value(), 5u);
  EXPECT_EQ(doc["generator"]["records"].get_uint64().value(), 5000u);
  EXPECT_EQ(doc["base_rate"]["background"].get_double().value(), kBackgroundRate);
  simdjson::dom::array patterns = doc["patterns"].get_array().value();
  EXPECT_EQ(patterns.size(), static_cast<std::size_t>(kPatternCount));
  std::set<std::string> predictive;
  for (auto id : doc["queries"]["predictive"].get_array()) {
    predictive.insert(std::string(id.get_string().value()));
  }
  EXPECT_EQ(predictive, (std::set<std::string>{"Q-JFK-0207", "Q-NTC-0142", "Q-NTC-0311",
                                               "Q-NTC-0415", "Q-NTC-0701", "Q-NTC-0702"}));
  std::set<std::string> noise;
  for (auto id : doc["queries"]["noise"].get_array()) {
    noise.insert(std::string(id.get_string().value()));
  }
  for (const std::string& id : predictive) EXPECT_FALSE(noise.count(id));
  EXPECT_GE(noise.size(), 5u);
}

TEST(Gen, BadOptions) {
  StringSink a, b, c, d;
  CorpusSinks sinks{&a, &b, &c, &d};
  GenOptions o;
  o.records = 0;
  EXPECT_EQ(GenerateCorpus(o, sinks).status().code(), StatusCode::kInvalidArgument);
  o.records = kMaxRecords + 1;
  EXPECT_EQ(GenerateCorpus(o, sinks).status().code(), StatusCode::kInvalidArgument);
  o.records = 10;
  o.sampling_rate = 1.5;
  EXPECT_EQ(GenerateCorpus(o, sinks).status().code(), StatusCode::kInvalidArgument);
  o.sampling_rate = -0.1;
  EXPECT_EQ(GenerateCorpus(o, sinks).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(a.text.empty());
}

class FailingSink : public Sink {
 public:
  bool Write(std::string_view) override { return false; }
};

TEST(Gen, SinkFailureStops) {
  StringSink a, c, d;
  FailingSink bad;
  GenOptions o;
  o.records = 100;
  auto r = GenerateCorpus(o, CorpusSinks{&a, &bad, &c, &d});
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
}

// ---------------------------------------------------------------------------
// The model's reference data and the planted truth.

TEST(GenWorld, CuratedPortsAreRealUnLocodes) {
  std::map<std::string, std::string> functions;  // locode -> function
  std::string_view text = internal::EmbeddedPortsCsv();
  std::vector<std::string> row;
  internal::NextCsvRow(&text, &row);
  while (internal::NextCsvRow(&text, &row)) {
    if (row.size() >= 8) functions.emplace(row[0], row[7]);
  }
  World world(1);
  auto ports = world.CuratedPorts();
  EXPECT_GT(ports.size(), 60u);
  for (const auto& p : ports) {
    auto it = functions.find(p.locode);
    ASSERT_NE(it, functions.end()) << p.locode;
    EXPECT_EQ(it->second[p.sea ? 0 : 3], p.sea ? '1' : '4') << p.locode << " " << it->second;
    EXPECT_TRUE(internal::IsIsoAlpha2(p.locode.substr(0, 2))) << p.locode;
  }
}

TEST(GenWorld, CuratedTariffCodesAreReal) {
  World world(1);
  for (const std::string& code : world.CuratedHsCodes()) {
    EXPECT_TRUE(internal::IsHsPrefix(code)) << code;
    EXPECT_EQ(code.size(), 6u);
  }
}

TEST(GenWorld, ViolatorNamesNormalizeAsTheListSays) {
  std::set<std::string> listed;
  for (const Violator& v : Violators()) {
    std::string n;
    internal::AppendName(v.listed, &n);
    EXPECT_TRUE(listed.insert(n).second) << n;
  }
  EXPECT_EQ(listed.size(), 10u);
  for (const Violator& v : Violators()) {
    for (const char* variant : v.variants) {
      std::string n;
      internal::AppendName(variant, &n);
      EXPECT_FALSE(listed.count(n)) << variant << " normalizes to a listed name";
    }
  }
}

// Every shipment a violator makes is written under a name that normalizes to
// its listed name (listed) or to one of its variants; no other shipper's name
// does, so the list rule and the variant query find violators only.
TEST(GenWorld, ShipperNamesAndPatterns) {
  World world(7);
  Shipment s;
  std::set<std::string> listed;
  for (std::string_view v : PackRepeatViolators()) {
    std::string n;
    internal::AppendName(v, &n);
    listed.insert(n);
  }
  int violators = 0, listed_hits = 0;
  int pattern_counts[kPatternCount] = {};
  const std::size_t rv = [] {
    for (std::size_t i = 0; i < PackEntries().size(); ++i) {
      if (std::string_view(PackEntries()[i].id) == "UDR-RV-0001") return i;
    }
    return std::size_t{0};
  }();
  for (std::uint64_t i = 0; i < 60000; ++i) {
    Rng rng(7, i);
    GenerateShipment(world, 7, i, 60000, rng, &s);
    std::string n;
    internal::AppendName(s.shipper_name, &n);
    EXPECT_EQ(n, s.shipper_norm);
    const bool on_list = listed.count(n) > 0;
    EXPECT_EQ(on_list, s.violator >= 0 && s.violator_listed) << s.shipper_name;
    EXPECT_EQ(on_list, (PackFires(s) >> rv & 1) != 0);
    violators += s.violator >= 0;
    listed_hits += on_list;
    const std::uint32_t p = PlantedPatterns(s);
    for (int k = 0; k < kPatternCount; ++k) pattern_counts[k] += (p >> k) & 1;
    const double prob = DiscrepancyProbability(p);
    EXPECT_GE(prob, kBackgroundRate);
    EXPECT_LE(prob, 0.9);
    if (p == 0) {
      EXPECT_EQ(prob, kBackgroundRate);
    }
  }
  EXPECT_GT(violators, 100);
  EXPECT_GT(listed_hits, violators / 2);
  EXPECT_LT(listed_hits, violators);
  for (int k = 0; k < kPatternCount; ++k) {
    EXPECT_GT(pattern_counts[k], 5) << GetPattern(k).id;
  }
}

TEST(GenWorld, PackEntriesAreSortedAndDistinct) {
  const auto& entries = PackEntries();
  ASSERT_LE(entries.size(), 64u);
  for (std::size_t i = 1; i < entries.size(); ++i) {
    EXPECT_LT(std::string_view(entries[i - 1].id), std::string_view(entries[i].id));
  }
  for (const PackEntry& e : entries) {
    if (e.cls != EntryClass::kRule) {
      EXPECT_EQ(e.kind, EntryKind::kQuery) << e.id;
    }
    if (e.officer_rate > 0) {
      EXPECT_EQ(e.status, EntryStatus::kActive) << e.id;
    }
  }
}

}  // namespace
}  // namespace targeting::gen

namespace targeting::gen {
namespace {

// The mirror of the example pack in planted.cc must fire exactly where the pack
// compiled by the library fires, or gen's exams would not be the ones the rules
// select. Also checks that the mirror's weights, kinds and statuses are the pack's.
TEST(GenPack, MirrorAgreesWithTheCompiledPack) {
  CompileResult compiled = CompilePath(TARGETING_SOURCE_DIR "/rules");
  ASSERT_TRUE(compiled.ok()) << compiled.error_count() << " errors";
  const RuleSet& rules = *compiled.rule_set;
  const std::vector<PackEntry>& mirror = PackEntries();
  ASSERT_EQ(rules.entries().size(), mirror.size());
  for (std::size_t i = 0; i < mirror.size(); ++i) {
    const EntryInfo& e = rules.entries()[i];
    EXPECT_EQ(e.id, mirror[i].id);
    EXPECT_EQ(e.kind, mirror[i].kind) << e.id;
    EXPECT_EQ(e.status, mirror[i].status) << e.id;
    EXPECT_EQ(e.weight, mirror[i].weight) << e.id;
  }
  EXPECT_EQ(rules.config().sampling_rate, kPackSamplingRate);
  EXPECT_EQ(rules.config().salt, kPackSalt);
  EXPECT_EQ(rules.config().red, kPackRed);
  EXPECT_EQ(rules.config().yellow, kPackYellow);

  constexpr std::uint64_t kRecords = 40000;
  constexpr std::uint64_t kSeed = 21;
  Corpus c = Generate(kRecords, kSeed);
  auto reader = RecordReader::FromString(c.csv, "manifest.csv", InputFormat::kCsv,
                                         rules.schema());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  Scorer scorer(compiled.rule_set);
  Record record(rules.schema());
  Reject reject;
  ScoreResult result;
  World world(kSeed);
  PackStream stream;  // the aggregate entries, over the corpus in order
  Shipment s;
  std::vector<int> fired_count(mirror.size(), 0);
  std::uint64_t n = 0;
  while (true) {
    auto next = reader.value()->Read(&record, &reject);
    if (next == RecordReader::Next::kEnd) break;
    ASSERT_EQ(next, RecordReader::Next::kRecord) << reject.line << ": " << reject.reason;
    Rng rng(kSeed, n);
    GenerateShipment(world, kSeed, n, kRecords, rng, &s);
    ++n;
    ASSERT_EQ(record.record_id(), s.record_id);
    ASSERT_TRUE(scorer.Score(record, &result).ok());
    std::uint64_t engine = 0;
    for (std::uint32_t k : result.fired) engine |= std::uint64_t{1} << k;
    std::uint64_t expected = 0, all = PackFires(s) | stream.Fires(s);
    double score = 0;
    for (std::size_t k = 0; k < mirror.size(); ++k) {
      if (mirror[k].status == EntryStatus::kDraft || !(all >> k & 1)) continue;
      expected |= std::uint64_t{1} << k;
      ++fired_count[k];
      if (mirror[k].status == EntryStatus::kActive) score += mirror[k].weight;
    }
    if (engine != expected) {
      std::string diff;
      for (std::size_t k = 0; k < mirror.size(); ++k) {
        if ((engine ^ expected) >> k & 1) {
          diff += std::string(mirror[k].id) + ((engine >> k & 1) ? " (engine only) " : " (gen only) ");
        }
      }
      ADD_FAILURE() << s.record_id << ": " << diff;
    }
    EXPECT_EQ(result.score, score) << s.record_id;
    EXPECT_EQ(result.sampled, IsSampled(kPackSamplingRate, kPackSalt, s.record_id));
  }
  EXPECT_EQ(n, kRecords);
  for (std::size_t k = 0; k < mirror.size(); ++k) {
    if (mirror[k].status == EntryStatus::kDraft) continue;
    EXPECT_GT(fired_count[k], 0) << mirror[k].id << " never fired, so it was not compared";
  }
}

}  // namespace
}  // namespace targeting::gen

namespace targeting::gen {
namespace {

// The project's own readers take every record gen writes, in both formats, and
// read the same values from each.
TEST(GenPack, ReadersAcceptEveryRecordInBothFormats) {
  Corpus c = Generate(5000, 13);
  const Schema& schema = Schema::Manifest();
  auto csv = RecordReader::FromString(c.csv, "manifest.csv", InputFormat::kCsv, schema);
  auto jsonl = RecordReader::FromString(c.jsonl, "manifest.jsonl", InputFormat::kJsonl, schema);
  ASSERT_TRUE(csv.ok()) << csv.status().message();
  ASSERT_TRUE(jsonl.ok()) << jsonl.status().message();
  Record a(schema), b(schema);
  Reject reject;
  int n = 0;
  while (true) {
    auto ra = csv.value()->Read(&a, &reject);
    ASSERT_NE(ra, RecordReader::Next::kReject) << "csv line " << reject.line << ": " << reject.reason;
    auto rb = jsonl.value()->Read(&b, &reject);
    ASSERT_NE(rb, RecordReader::Next::kReject) << "jsonl line " << reject.line << ": " << reject.reason;
    ASSERT_EQ(ra, rb);
    if (ra == RecordReader::Next::kEnd) break;
    ++n;
    for (int f = 0; f < schema.size(); ++f) {
      ASSERT_EQ(a.count(f), b.count(f)) << schema.field(f).name << " " << a.record_id();
      for (int e = 0; e < a.count(f); ++e) {
        if (IsNumeric(schema.field(f).type)) {
          EXPECT_EQ(a.num(f, e), b.num(f, e)) << schema.field(f).name;
        } else {
          EXPECT_EQ(a.str(f, e), b.str(f, e)) << schema.field(f).name;
        }
      }
    }
  }
  EXPECT_EQ(n, 5000);
  EXPECT_TRUE(csv.value()->status().ok());
  EXPECT_TRUE(jsonl.value()->status().ok());
}

}  // namespace
}  // namespace targeting::gen
