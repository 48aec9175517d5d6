#include "gen/gen.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <queue>
#include <system_error>
#include <vector>

#include "eval/jaro_winkler.h"
#include "gen/episodes.h"
#include "gen/rng.h"
#include "gen/suggestable.h"
#include "gen/world.h"
#include "targeting/record.h"
#include "targeting/score.h"
#include "load/normalize.h"

namespace targeting::gen {

namespace {

// How a port selects exams beyond rule hits and its officers' queries.
constexpr double kRedExamRate = 0.50;     // records in the red lane
constexpr double kYellowExamRate = 0.20;  // records in the yellow lane
constexpr double kGreenHitExamRate = 0.02;  // green records on which an active entry fired
constexpr double kTipRateDiscrepant = 0.008;
constexpr double kTipRateClean = 0.0001;
constexpr double kObservationRateDiscrepant = 0.012;
constexpr double kObservationRateClean = 0.003;
// Lab results that arrive after the exam: the outcome row is amended later.
constexpr double kAmendedShare = 0.5;
constexpr std::size_t kFlushBytes = 1 << 20;
constexpr std::uint64_t kProgressEvery = 1 << 16;

// ---------------------------------------------------------------------------
// Text output.

void AppendCsvField(std::string_view v, std::string* out) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendJsonString(std::string_view v, std::string* out) {
  out->push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto u = static_cast<unsigned char>(v[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out->append(v.data() + run, i - run);
    run = i + 1;
    if (u == '"' || u == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(u));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out->append(buf);
    }
  }
  out->append(v.data() + run, v.size() - run);
  out->push_back('"');
}

// A number for truth.json: integers as integers, other values rounded to six
// decimals in their shortest form (std::to_chars, so the same on every platform).
void AppendNumber(double v, std::string* out) {
  char buf[64];
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    out->append(buf, r.ptr);
    return;
  }
  double rounded = std::round(v * 1e6) / 1e6;
  auto r = std::to_chars(buf, buf + sizeof buf, rounded);
  out->append(buf, r.ptr);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

enum class Column {
  kRecordId, kArrivalDate, kMode, kPortOfEntry, kPortOfLading, kCountryOfOrigin,
  kCountryOfExport, kRouting, kShipperName, kShipperCountry, kConsigneeName,
  kConsigneeAddress, kConsigneeType, kImporterId, kManufacturerId, kCarrier, kHtsCode,
  kDescription, kQuantity, kGrossWeight, kDeclaredValue, kUnknown
};

Column ColumnOf(std::string_view name) {
  static const std::pair<std::string_view, Column> kNames[] = {
      {"record_id", Column::kRecordId},
      {"arrival_date", Column::kArrivalDate},
      {"mode", Column::kMode},
      {"port_of_entry", Column::kPortOfEntry},
      {"port_of_lading", Column::kPortOfLading},
      {"country_of_origin", Column::kCountryOfOrigin},
      {"country_of_export", Column::kCountryOfExport},
      {"routing", Column::kRouting},
      {"shipper_name", Column::kShipperName},
      {"shipper_country", Column::kShipperCountry},
      {"consignee_name", Column::kConsigneeName},
      {"consignee_address", Column::kConsigneeAddress},
      {"consignee_type", Column::kConsigneeType},
      {"importer_id", Column::kImporterId},
      {"manufacturer_id", Column::kManufacturerId},
      {"carrier", Column::kCarrier},
      {"hts_code", Column::kHtsCode},
      {"description", Column::kDescription},
      {"quantity", Column::kQuantity},
      {"gross_weight_kg", Column::kGrossWeight},
      {"declared_value_usd", Column::kDeclaredValue},
  };
  for (const auto& [n, c] : kNames) {
    if (n == name) return c;
  }
  return Column::kUnknown;
}

// The manifest columns: the input fields of the built-in schema, in its order.
struct Columns {
  std::vector<std::string> names;
  std::vector<Column> kinds;
};
Columns ManifestColumns() {
  Columns c;
  for (const FieldDef& f : Schema::Manifest().fields()) {
    if (f.derived) continue;
    c.names.push_back(f.name);
    c.kinds.push_back(ColumnOf(f.name));
  }
  return c;
}

// The value of a column as written, for scalar text columns.
std::string_view Text(const Shipment& s, Column c, std::string* scratch) {
  auto code = [&](std::string_view v) -> std::string_view {
    if (!s.lowercase_codes) return v;
    *scratch = Lower(v);
    return *scratch;
  };
  switch (c) {
    case Column::kRecordId: return s.record_id;
    case Column::kMode: return ModeCode(s.mode);
    case Column::kPortOfEntry: return s.port_of_entry;
    case Column::kPortOfLading: return s.port_of_lading;
    case Column::kCountryOfOrigin: return code(s.origin);
    case Column::kCountryOfExport: return code(s.export_country);
    case Column::kShipperName: return s.shipper_name;
    case Column::kShipperCountry: return code(s.shipper_country);
    case Column::kConsigneeName: return s.consignee_name;
    case Column::kConsigneeAddress: return s.consignee_address;
    case Column::kConsigneeType: return s.residential ? "RESIDENTIAL" : "BUSINESS";
    case Column::kImporterId: return s.importer_id;
    case Column::kManufacturerId: return s.manufacturer_id;
    case Column::kCarrier: return s.carrier;
    case Column::kHtsCode: return s.hts_written;
    case Column::kDescription: return s.description;
    case Column::kQuantity: return s.quantity_text;
    case Column::kGrossWeight: return s.weight_text;
    case Column::kDeclaredValue: return s.value_text;
    default: return {};
  }
}

void AppendCsvRecord(const Shipment& s, const Columns& cols, std::string* out) {
  std::string scratch;
  for (std::size_t i = 0; i < cols.kinds.size(); ++i) {
    if (i) out->push_back(',');
    const Column c = cols.kinds[i];
    if (c == Column::kArrivalDate) {
      out->append(FormatDate(s.arrival));
    } else if (c == Column::kRouting) {
      std::string joined;
      for (int k = 0; k < s.routing_count; ++k) {
        if (k) joined.push_back(';');
        std::string_view r = s.routing[static_cast<std::size_t>(k)];
        joined += s.lowercase_codes ? Lower(r) : std::string(r);
      }
      AppendCsvField(joined, out);
    } else {
      AppendCsvField(Text(s, c, &scratch), out);
    }
  }
  out->push_back('\n');
}

void AppendJsonRecord(const Shipment& s, const Columns& cols, std::string* out) {
  std::string scratch;
  out->push_back('{');
  for (std::size_t i = 0; i < cols.kinds.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(cols.names[i], out);
    out->push_back(':');
    const Column c = cols.kinds[i];
    if (c == Column::kArrivalDate) {
      AppendJsonString(FormatDate(s.arrival), out);
    } else if (c == Column::kRouting) {
      out->push_back('[');
      for (int k = 0; k < s.routing_count; ++k) {
        if (k) out->push_back(',');
        std::string_view r = s.routing[static_cast<std::size_t>(k)];
        AppendJsonString(s.lowercase_codes ? Lower(r) : std::string(r), out);
      }
      out->push_back(']');
    } else if (c == Column::kQuantity || c == Column::kGrossWeight ||
               c == Column::kDeclaredValue) {
      std::string_view v = Text(s, c, &scratch);
      if (v.empty()) out->append("null");
      else out->append(v);
    } else if (c == Column::kUnknown) {
      out->append("null");
    } else {
      AppendJsonString(Text(s, c, &scratch), out);
    }
  }
  out->append("}\n");
}

// ---------------------------------------------------------------------------
// Ground truth, accumulated while streaming.

struct Tally {
  std::uint64_t records = 0;
  double sum_p = 0;               // expected discrepancies
  std::uint64_t discrepant = 0;   // drawn discrepancies (examined or not)
  std::uint64_t examined = 0;
  std::uint64_t examined_discrepant = 0;

  void Add(double p, bool disc, bool examined_now) {
    ++records;
    sum_p += p;
    discrepant += disc;
    examined += examined_now;
    examined_discrepant += examined_now && disc;
  }
};

enum By { kByRule, kByQuery, kByObservation, kByTip, kByRandom, kByCount };
const char* const kByNames[kByCount] = {"rule", "query", "observation", "tip", "random"};

struct Truth {
  Tally all;
  Tally sampled;
  Tally patterns[kPatternCount];
  std::vector<Tally> entries;
  std::uint64_t by[kByCount] = {};
  std::uint64_t discrepant_by[kByCount] = {};
  std::uint64_t waived = 0;
  std::uint64_t amended = 0;
  std::uint64_t outcome_rows = 0;
  std::uint64_t modes[kModeCount] = {};
  std::uint64_t residential = 0;
  std::uint64_t lanes[3] = {};  // green, yellow, red
  // Name variants (world.h): records by decoy and by sanctioned entity, and
  // the violator records under a respelling.
  std::vector<Tally> decoys;
  std::vector<Tally> sanctioned;
  Tally respelt;
  std::uint64_t decoys_fired_by_twin = 0;
  std::uint64_t respelt_fired_by_twin = 0;
  std::uint64_t respelt_fired_by_exact = 0;
};

// The Jaro-Winkler similarity of two names after `name` normalization.
double NameSimilarity(std::string_view a, std::string_view b) {
  std::string na, nb;
  internal::AppendName(a, &na);
  internal::AppendName(b, &nb);
  return internal::JaroWinkler(na, nb);
}

int EntryIndex(std::string_view id) {
  const std::vector<PackEntry>& entries = PackEntries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

// The members of a JSON object of one count per identified_by value:
// "rule": N, "query": N, ...
void AppendByCounts(const std::uint64_t (&counts)[kByCount], std::string* out) {
  for (int b = 0; b < kByCount; ++b) {
    if (b) out->append(", ");
    out->append("\"");
    out->append(kByNames[b]);
    out->append("\": ");
    AppendNumber(static_cast<double>(counts[b]), out);
  }
}

void AppendTally(const Tally& t, double population_rate, std::string* out) {
  out->append("\"records\": ");
  AppendNumber(static_cast<double>(t.records), out);
  out->append(", \"true_discrepancy_rate\": ");
  if (t.records) AppendNumber(t.sum_p / static_cast<double>(t.records), out);
  else out->append("null");
  out->append(", \"true_lift\": ");
  if (t.records && population_rate > 0) {
    AppendNumber(t.sum_p / static_cast<double>(t.records) / population_rate, out);
  } else {
    out->append("null");
  }
  out->append(", \"discrepant\": ");
  AppendNumber(static_cast<double>(t.discrepant), out);
  out->append(", \"examined\": ");
  AppendNumber(static_cast<double>(t.examined), out);
  out->append(", \"examined_discrepant\": ");
  AppendNumber(static_cast<double>(t.examined_discrepant), out);
}

std::string TruthJson(const GenOptions& o, const Truth& t, const SuggestablePlanting& sp) {
  const double n = static_cast<double>(t.all.records);
  const double population = n > 0 ? t.all.sum_p / n : 0;
  std::string out = "{\n";
  out += "  \"generator\": {\"command\": \"targeting gen\", \"format\": 1, \"seed\": ";
  AppendNumber(static_cast<double>(o.seed), &out);
  out += ", \"records\": ";
  AppendNumber(n, &out);
  out += ", \"first_day\": \"" + std::string(kFirstDay) + "\", \"days\": ";
  AppendNumber(kDays, &out);
  out += "},\n";

  out += "  \"rule_pack\": {\"path\": \"rules/\", \"note\": \"exams were selected by the "
         "example pack's entries as mirrored in lib/gen/planted.cc; lanes red >= ";
  AppendNumber(kPackRed, &out);
  out += ", yellow >= ";
  AppendNumber(kPackYellow, &out);
  out += "\"},\n";

  out += "  \"sampling\": {\"rate\": ";
  AppendNumber(o.sampling_rate, &out);
  out += ", \"salt\": ";
  AppendJsonString(o.salt, &out);
  out += ", \"sampled\": ";
  AppendNumber(static_cast<double>(t.sampled.records), &out);
  out += ", \"sampled_discrepant\": ";
  AppendNumber(static_cast<double>(t.sampled.discrepant), &out);
  out += ", \"note\": \"every sampled record is examined and its outcome row says "
         "identified_by random; no other row does\"},\n";

  out += "  \"base_rate\": {\"background\": ";
  AppendNumber(kBackgroundRate, &out);
  out += ", \"population\": ";
  AppendNumber(population, &out);
  out += ", \"sampled_observed\": ";
  if (t.sampled.records) {
    AppendNumber(static_cast<double>(t.sampled.discrepant) /
                     static_cast<double>(t.sampled.records),
                 &out);
  } else {
    out += "null";
  }
  out += ", \"note\": \"background is the discrepancy probability of a record outside every "
         "planted pattern; population is the mean probability over all records, which the "
         "random sample estimates (backtest's base_rate)\"},\n";

  out += "  \"traffic\": {\"modes\": {";
  for (int m = 0; m < kModeCount; ++m) {
    if (m) out += ", ";
    out += "\"";
    out += ModeCode(static_cast<Mode>(m));
    out += "\": ";
    AppendNumber(static_cast<double>(t.modes[m]), &out);
  }
  out += "}, \"residential\": ";
  AppendNumber(static_cast<double>(t.residential), &out);
  out += ", \"lanes\": {\"green\": ";
  AppendNumber(static_cast<double>(t.lanes[0]), &out);
  out += ", \"yellow\": ";
  AppendNumber(static_cast<double>(t.lanes[1]), &out);
  out += ", \"red\": ";
  AppendNumber(static_cast<double>(t.lanes[2]), &out);
  out += "}},\n";

  out += "  \"exams\": {\"examined\": ";
  AppendNumber(static_cast<double>(t.all.examined), &out);
  out += ", \"discrepant\": ";
  AppendNumber(static_cast<double>(t.all.examined_discrepant), &out);
  out += ", \"identified_by\": {";
  AppendByCounts(t.by, &out);
  out += "}, \"discrepant_identified_by\": {";
  AppendByCounts(t.discrepant_by, &out);
  out += "}, \"outcome_rows\": ";
  AppendNumber(static_cast<double>(t.outcome_rows), &out);
  out += ", \"waived\": ";
  AppendNumber(static_cast<double>(t.waived), &out);
  out += ", \"amended\": ";
  AppendNumber(static_cast<double>(t.amended), &out);
  out += ", \"note\": \"waived rows are red-lane records released without an exam "
         "(examined false); amended records have a first row without a finding and a later "
         "row with the lab result, which holds\"},\n";

  out += "  \"patterns\": [\n";
  for (int p = 0; p < kPatternCount; ++p) {
    const PatternInfo& info = GetPattern(p);
    out += "    {\"id\": ";
    AppendJsonString(info.id, &out);
    out += ", \"name\": ";
    AppendJsonString(info.name, &out);
    out += ", \"factor\": ";
    AppendNumber(info.factor, &out);
    out += ", \"signature\": ";
    AppendJsonString(info.signature, &out);
    out += ", ";
    AppendTally(t.patterns[p], population, &out);
    out += ", \"entries\": [";
    bool first = true;
    for (const PackEntry& e : PackEntries()) {
      if (e.pattern != p) continue;
      if (!first) out += ", ";
      first = false;
      AppendJsonString(e.id, &out);
    }
    out += "]}";
    out += p + 1 < kPatternCount ? ",\n" : "\n";
  }
  out += "  ],\n";

  sp.AppendTruth(&out);
  out += "  \"measurement_note\": \"true_discrepancy_rate and true_lift are the generator's "
         "expectations over every record an entry fires on. backtest measures an entry on its "
         "examined records, which tips, officer observation and other entries' hits select for "
         "discrepancies more often than chance, so measured lifts run above these (noise "
         "entries typically measure 1 to 3); the base rate, from the random sample, does "
         "not have that bias\",\n";
  out += "  \"entries\": [\n";
  const std::vector<PackEntry>& entries = PackEntries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const PackEntry& e = entries[i];
    out += "    {\"id\": ";
    AppendJsonString(e.id, &out);
    out += ", \"kind\": \"";
    out += EntryKindName(e.kind);
    out += "\", \"status\": \"";
    out += EntryStatusName(e.status);
    out += "\", \"class\": \"";
    out += EntryClassName(e.cls);
    out += "\", \"pattern\": ";
    if (e.pattern >= 0) AppendJsonString(GetPattern(e.pattern).id, &out);
    else out += "null";
    out += ", \"expected_candidate\": ";
    out += e.cls == EntryClass::kPredictive ? "true" : "false";
    out += ", ";
    AppendTally(t.entries[i], population, &out);
    out += ", \"note\": ";
    AppendJsonString(e.note, &out);
    out += "}";
    out += i + 1 < entries.size() ? ",\n" : "\n";
  }
  out += "  ],\n";

  out += "  \"name_variants\": {\"note\": \"similarity is Jaro-Winkler after name "
         "normalization, with the violator's listed name (respellings, decoys) or the SDN "
         "entry (sanctioned); respellings carry their violator's discrepancy rate, decoys the "
         "background rate\",\n";
  out += "    \"respellings\": {";
  AppendTally(t.respelt, population, &out);
  out += ", \"fired_by_UDR-RV-0001\": ";
  AppendNumber(static_cast<double>(t.respelt_fired_by_exact), &out);
  out += ", \"fired_by_UDR-RV-0002\": ";
  AppendNumber(static_cast<double>(t.respelt_fired_by_twin), &out);
  out += ", \"names\": [";
  {
    bool first = true;
    for (const Violator& v : Violators()) {
      for (const char* r : v.respellings) {
        out += first ? "\n      " : ",\n      ";
        first = false;
        out += "{\"name\": ";
        AppendJsonString(r, &out);
        out += ", \"listed\": ";
        AppendJsonString(v.listed, &out);
        out += ", \"similarity\": ";
        AppendNumber(NameSimilarity(r, v.listed), &out);
        out += "}";
      }
    }
  }
  out += "]},\n";
  out += "    \"decoys\": {\"records\": ";
  {
    std::uint64_t decoy_records = 0;
    for (const Tally& d : t.decoys) decoy_records += d.records;
    AppendNumber(static_cast<double>(decoy_records), &out);
  }
  out += ", \"fired_by_UDR-RV-0002\": ";
  AppendNumber(static_cast<double>(t.decoys_fired_by_twin), &out);
  out += ", \"names\": [";
  for (std::size_t i = 0; i < NameDecoys().size(); ++i) {
    const NameDecoy& d = NameDecoys()[i];
    out += i ? ",\n      " : "\n      ";
    out += "{\"name\": ";
    AppendJsonString(d.name, &out);
    out += ", \"near\": ";
    AppendJsonString(Violators()[static_cast<std::size_t>(d.near)].listed, &out);
    out += ", \"similarity\": ";
    AppendNumber(NameSimilarity(d.name, Violators()[static_cast<std::size_t>(d.near)].listed), &out);
    out += ", ";
    AppendTally(t.decoys[i], population, &out);
    out += "}";
  }
  out += "]},\n";
  out += "    \"sanctioned\": [";
  for (std::size_t i = 0; i < SanctionedEntities().size(); ++i) {
    const SanctionedEntity& e = SanctionedEntities()[i];
    out += i ? ",\n      " : "\n      ";
    out += "{\"listed\": ";
    AppendJsonString(e.listed, &out);
    out += ", \"variant\": ";
    AppendJsonString(e.variant, &out);
    out += ", \"field\": ";
    out += e.consignee ? "\"consignee_name\"" : "\"shipper_name\"";
    out += ", \"similarity\": ";
    AppendNumber(NameSimilarity(e.variant, e.listed), &out);
    out += ", ";
    AppendTally(t.sanctioned[i], population, &out);
    out += "}";
  }
  out += "]},\n";

  out += "  \"queries\": {";
  const EntryClass kClasses[] = {EntryClass::kPredictive, EntryClass::kNoise,
                                 EntryClass::kPortLocal, EntryClass::kWeak,
                                 EntryClass::kDecaying};
  for (std::size_t k = 0; k < std::size(kClasses); ++k) {
    if (k) out += ", ";
    out += "\"";
    out += EntryClassName(kClasses[k]);
    out += "\": [";
    bool first = true;
    for (const PackEntry& e : entries) {
      if (e.kind != EntryKind::kQuery || e.cls != kClasses[k]) continue;
      if (!first) out += ", ";
      first = false;
      AppendJsonString(e.id, &out);
    }
    out += "]";
  }
  out += ", \"note\": \"predictive queries find planted discrepancies that no active rule "
         "finds, at two or more ports, at a true rate well above "
         "promotion.min_discrepancy_rate: promote should list them. noise queries target "
         "nothing planted. port_local and weak queries are predictive but fail min_ports or "
         "min_discrepancy_rate. decaying queries are predictive until their pattern ends "
         "(cosmetics_ring, 2026-07-01) and find nothing after: backtest --by month should "
         "flag them, and none of the others\"}\n";
  out += "}\n";
  return out;
}

// ---------------------------------------------------------------------------

class FileSink : public Sink {
 public:
  static Result<std::unique_ptr<FileSink>> Open(const std::filesystem::path& path) {
    std::FILE* f = std::fopen(path.string().c_str(), "wb");
    if (f == nullptr) {
      return Status(StatusCode::kIoError,
                    "cannot write " + path.string() + ": " + std::strerror(errno));
    }
    return std::unique_ptr<FileSink>(new FileSink(f, path.string()));
  }
  ~FileSink() override {
    if (f_) std::fclose(f_);
  }
  bool Write(std::string_view bytes) override {
    if (std::fwrite(bytes.data(), 1, bytes.size(), f_) == bytes.size()) return true;
    error_ = std::strerror(errno);
    return false;
  }
  Status Close() {
    std::FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0 && error_.empty()) error_ = std::strerror(errno);
    if (!error_.empty()) return Status(StatusCode::kIoError, "cannot write " + path_ + ": " + error_);
    return Status::Ok();
  }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  FileSink(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  std::FILE* f_;
  std::string path_;
  std::string error_;
};

struct Pending {
  std::uint64_t due;
  std::uint64_t seq;
  std::string row;
  bool operator>(const Pending& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};

}  // namespace

Result<GenSummary> GenerateCorpus(const GenOptions& o, const CorpusSinks& sinks) {
  if (o.records < 1 || o.records > kMaxRecords) {
    return Status(StatusCode::kInvalidArgument,
                  "records must be between 1 and " + std::to_string(kMaxRecords));
  }
  if (!(o.sampling_rate >= 0 && o.sampling_rate <= 1)) {
    return Status(StatusCode::kInvalidArgument, "sampling rate must be between 0 and 1");
  }
  if (!sinks.manifest_csv || !sinks.outcomes_csv || !sinks.truth_json) {
    return Status(StatusCode::kInvalidArgument, "a required output is missing");
  }

  const World world(o.seed);
  const Columns cols = ManifestColumns();
  const std::vector<PackEntry>& entries = PackEntries();
  std::uint64_t active_rules = 0, active_queries = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].status != EntryStatus::kActive) continue;
    (entries[i].kind == EntryKind::kRule ? active_rules : active_queries) |= std::uint64_t{1} << i;
  }

  Truth truth;
  truth.entries.resize(entries.size());
  truth.decoys.resize(NameDecoys().size());
  truth.sanctioned.resize(SanctionedEntities().size());
  const int twin = EntryIndex("UDR-RV-0002");
  const int exact = EntryIndex("UDR-RV-0001");
  GenSummary summary;
  std::string csv, jsonl, outcomes;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending;
  std::uint64_t pending_seq = 0;

  for (std::size_t i = 0; i < cols.names.size(); ++i) {
    if (i) csv.push_back(',');
    csv += cols.names[i];
  }
  csv.push_back('\n');
  outcomes = "record_id,examined,finding,action,msrp_usd,identified_by\n";

  auto flush = [&](bool force) -> Status {
    struct Out {
      Sink* sink;
      std::string* buf;
    };
    for (Out out : {Out{sinks.manifest_csv, &csv}, Out{sinks.manifest_jsonl, &jsonl},
                    Out{sinks.outcomes_csv, &outcomes}}) {
      if (out.sink == nullptr) {
        out.buf->clear();
        continue;
      }
      if (!force && out.buf->size() < kFlushBytes) continue;
      if (!out.sink->Write(*out.buf)) return Status(StatusCode::kIoError, "write failed");
      out.buf->clear();
    }
    return Status::Ok();
  };

  Shipment s;
  PackStream stream;  // the pack's aggregate entries, over the records in order
  SuggestablePlanting suggestable;  // patterns for `targeting suggest` (gen/suggestable.h)
  for (std::uint64_t i = 0; i < o.records; ++i) {
    Rng rng(o.seed, i);
    GenerateShipment(world, o.seed, i, o.records, rng, &s);
    const std::uint32_t patterns = PlantedPatterns(s);
    const double p = suggestable.Probability(s, DiscrepancyProbability(patterns));
    const std::uint64_t fires = PackFires(s) | stream.Fires(s);
    const bool disc = rng.Chance(p);
    const bool sampled = IsSampled(o.sampling_rate, o.salt, s.record_id);

    double score = 0;
    for (std::size_t e = 0; e < entries.size(); ++e) {
      if ((fires >> e & 1) && entries[e].status == EntryStatus::kActive) score += entries[e].weight;
    }
    const int lane = score >= kPackRed ? 2 : score >= kPackYellow ? 1 : 0;
    const bool rule_fired = (fires & active_rules) != 0;
    const bool entry_fired = (fires & (active_rules | active_queries)) != 0;

    // Exam selection, as a port would: the random compliance sample first, then
    // the lane, then officers working their queries, tips and observation.
    int by = -1;
    if (sampled) {
      by = kByRandom;
    } else {
      const double lane_rate = lane == 2   ? kRedExamRate
                               : lane == 1 ? kYellowExamRate
                               : entry_fired ? kGreenHitExamRate
                                             : 0.0;
      if (lane_rate > 0 && rng.Chance(lane_rate)) by = rule_fired ? kByRule : kByQuery;
      for (std::size_t e = 0; by < 0 && e < entries.size(); ++e) {
        if ((fires >> e & 1) && (active_queries >> e & 1) &&
            rng.Chance(entries[e].officer_rate)) {
          by = kByQuery;
        }
      }
      if (by < 0 && rng.Chance(disc ? kTipRateDiscrepant : kTipRateClean)) by = kByTip;
      if (by < 0 && rng.Chance(disc ? kObservationRateDiscrepant : kObservationRateClean)) {
        by = kByObservation;
      }
    }
    const bool examined = by >= 0;

    // Outcome rows.
    if (examined) {
      std::string row = s.record_id + ",true,";
      std::string final_row = row;
      if (disc) {
        const int lead = LeadPattern(patterns);
        const PatternInfo& info = lead >= 0 ? GetPattern(lead) : BackgroundOutcome();
        double x = rng.Uniform();
        const char* action = info.actions.back().action;
        for (const ActionShare& a : info.actions) {
          if (x < a.share) {
            action = a.action;
            break;
          }
          x -= a.share;
        }
        final_row += "discrepant,";
        final_row += action;
        final_row += ',';
        if (std::string_view(action) == "seizure") {
          char buf[64];
          double msrp = std::round(s.declared_value_usd * rng.Range(info.msrp_lo, info.msrp_hi));
          auto r = std::to_chars(buf, buf + sizeof buf, msrp, std::chars_format::fixed, 0);
          final_row.append(buf, r.ptr);
        }
      } else {
        final_row += "no_discrepancy,none,";
      }
      final_row += ',';
      final_row += kByNames[by];
      final_row += '\n';
      const bool lab = s.goods == Goods::kChipFake || s.goods == Goods::kChipGenuine ||
                       s.goods == Goods::kMaskFake || s.goods == Goods::kMaskOther;
      if (disc && lab && rng.Chance(kAmendedShare)) {
        // Released on a first look; the lab result comes back later.
        outcomes += row + "no_discrepancy,none,," + kByNames[by] + "\n";
        pending.push({i + 500 + rng.Below(1500), pending_seq++, std::move(final_row)});
        ++truth.amended;
        ++truth.outcome_rows;
      } else {
        outcomes += final_row;
      }
      ++truth.outcome_rows;
      ++truth.by[by];
      if (disc) ++truth.discrepant_by[by];
    } else if (lane == 2) {
      outcomes += s.record_id + ",false,,none,," + (rule_fired ? "rule" : "query") + "\n";
      ++truth.waived;
      ++truth.outcome_rows;
    }
    while (!pending.empty() && pending.top().due <= i) {
      outcomes += pending.top().row;
      pending.pop();
    }

    AppendCsvRecord(s, cols, &csv);
    if (sinks.manifest_jsonl) AppendJsonRecord(s, cols, &jsonl);

    truth.all.Add(p, disc, examined);
    suggestable.Count(p, disc, examined);
    if (sampled) truth.sampled.Add(p, disc, examined);
    for (int k = 0; k < kPatternCount; ++k) {
      if (patterns >> k & 1u) truth.patterns[k].Add(p, disc, examined);
    }
    for (std::size_t e = 0; e < entries.size(); ++e) {
      if (fires >> e & 1) truth.entries[e].Add(p, disc, examined);
    }
    if (s.decoy >= 0) {
      truth.decoys[static_cast<std::size_t>(s.decoy)].Add(p, disc, examined);
      truth.decoys_fired_by_twin += twin >= 0 && (fires >> twin & 1);
    }
    if (s.sanctioned >= 0) {
      truth.sanctioned[static_cast<std::size_t>(s.sanctioned)].Add(p, disc, examined);
    }
    if (s.violator_respelt) {
      truth.respelt.Add(p, disc, examined);
      truth.respelt_fired_by_twin += twin >= 0 && (fires >> twin & 1);
      truth.respelt_fired_by_exact += exact >= 0 && (fires >> exact & 1);
    }
    ++truth.modes[static_cast<int>(s.mode)];
    truth.residential += s.residential;
    ++truth.lanes[lane];

    Status st = flush(false);
    if (!st.ok()) return st;
    if (o.progress && (i + 1) % kProgressEvery == 0) o.progress(i + 1, o.records);
  }
  while (!pending.empty()) {
    outcomes += pending.top().row;
    pending.pop();
  }
  Status st = flush(true);
  if (!st.ok()) return st;
  if (!sinks.truth_json->Write(TruthJson(o, truth, suggestable))) {
    return Status(StatusCode::kIoError, "write failed");
  }
  if (o.progress) o.progress(o.records, o.records);

  summary.records = truth.all.records;
  summary.sampled = truth.sampled.records;
  summary.examined = truth.all.examined;
  summary.discrepant = truth.all.examined_discrepant;
  summary.outcome_rows = truth.outcome_rows;
  return summary;
}

Result<GenSummary> WriteCorpus(const std::string& dir, const GenOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root(dir);
  if (fs::exists(root, ec) && !fs::is_directory(root, ec)) {
    return Status(StatusCode::kIoError, dir + " exists and is not a directory");
  }
  fs::create_directories(root, ec);
  if (ec) return Status(StatusCode::kIoError, "cannot create " + dir + ": " + ec.message());

  std::unique_ptr<FileSink> files[4];
  const char* const kNames[4] = {"manifest.csv", "manifest.jsonl", "outcomes.csv", "truth.json"};
  for (int k = 0; k < 4; ++k) {
    auto opened = FileSink::Open(root / kNames[k]);
    if (!opened.ok()) return opened.status();
    files[k] = std::move(opened).value();
  }
  CorpusSinks sinks{files[0].get(), files[1].get(), files[2].get(), files[3].get()};
  Result<GenSummary> result = GenerateCorpus(options, sinks);
  for (auto& f : files) {
    if (!result.ok() && result.status().code() == StatusCode::kIoError && !f->error().empty()) {
      return Status(StatusCode::kIoError, "cannot write " + f->path() + ": " + f->error());
    }
  }
  if (!result.ok()) return result;
  for (auto& f : files) {
    Status st = f->Close();
    if (!st.ok()) return st;
  }
  return result;
}

}  // namespace targeting::gen
