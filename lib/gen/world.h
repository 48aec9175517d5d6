// The synthetic traffic of `targeting gen`: who ships what, from where, by which
// mode, at what declared value. Private header.
#ifndef TARGETING_LIB_GEN_WORLD_H_
#define TARGETING_LIB_GEN_WORLD_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gen/rng.h"
#include "targeting/record.h"

namespace targeting::gen {

enum class Mode : std::uint8_t { kSea, kAir, kExpress, kMail };
inline constexpr int kModeCount = 4;
const char* ModeCode(Mode mode);  // "SEA", "AIR", "EXPRESS", "MAIL"

// What a shipment is, as the generator chose it. The record fields are drawn
// from it; the planted patterns are decided on the record fields, not on this.
enum class Goods : std::uint8_t {
  kBackground,         // any HS 2022 code, values by chapter
  kLuxuryBagFake,      // brand-name handbags and wallets via Hong Kong, undervalued
  kLuxuryApparelFake,  // brand-name apparel via Hong Kong, undervalued
  kLuxuryGenuine,      // brand-name goods from Italy and France at real prices
  kGenericBag,
  kApparel,
  kAirbagFake,
  kAirbagGenuine,
  kBrakeFake,
  kBrakeGenuine,
  kAutoParts,
  kChipFake,
  kChipGenuine,
  kMaskFake,   // N95/KN95 respirators at pennies a unit
  kMaskOther,  // surgical and cloth masks
  kReels,
  kLedCheap,
  kLedOther,
  kFootwear,
  kCosmetics,
  kToys,
  kBikeParts,
  kOptics,
  kElectronics,
  kCount,
};
const char* GoodsName(Goods goods);

// One record as generated: the fields as written (with the usual messiness)
// plus the generator's own knowledge. Reused across records.
struct Shipment {
  // Fields of the manifest schema, as written.
  std::string record_id;
  Days arrival = 0;
  Mode mode = Mode::kSea;
  std::string_view port_of_entry;
  std::string_view port_of_lading;
  std::string_view origin;          // country_of_origin
  std::string_view export_country;  // country_of_export
  std::array<std::string_view, 5> routing{};
  int routing_count = 0;
  std::string shipper_name;
  std::string_view shipper_country;
  std::string consignee_name;
  std::string consignee_address;
  bool residential = false;  // consignee_type
  std::string importer_id;
  std::string manufacturer_id;
  std::string_view carrier;
  std::string hts;          // 10 digits, as normalized
  std::string hts_written;  // as written: "4202.21.6000", "4202216000", "4202.21.60.00"
  std::string description;
  bool has_quantity = true;
  bool has_weight = true;
  long long quantity = 0;
  double gross_weight_kg = 0;     // exactly the value the written text parses to
  double declared_value_usd = 0;  // likewise
  bool lowercase_codes = false;  // country codes written in lower case (they normalize back)
  std::string quantity_text;
  std::string weight_text;
  std::string value_text;

  // The generator's knowledge.
  Goods goods = Goods::kBackground;
  int violator = -1;           // index into Violators(), or -1
  bool violator_listed = false;  // written under the name on the repeat-violator list
  bool violator_respelt = false;  // written under one of the violator's respellings
  int decoy = -1;              // the shipper is NameDecoys()[decoy], or -1
  int sanctioned = -1;         // a party is SanctionedEntities()[sanctioned], or -1
  std::string shipper_norm;    // shipper_name normalized as a `name`
  std::string consignee_norm;  // consignee_name normalized as a `name`
  // Planted across records (gen/episodes.h): the pattern of the episode the
  // record belongs to (-1: none), a look-alike that is not predictive, and a
  // record that arrives after later-dated ones.
  int episode = -1;
  bool episode_decoy = false;
  bool late = false;

  bool RoutedVia(std::string_view country) const {
    for (int i = 0; i < routing_count; ++i) {
      if (routing[static_cast<std::size_t>(i)] == country) return true;
    }
    return false;
  }
  // The derived fields of the manifest schema; false when missing.
  bool ValuePerKg(double* out) const {
    if (!has_weight || gross_weight_kg == 0) return false;
    *out = declared_value_usd / gross_weight_kg;
    return true;
  }
  bool ValuePerUnit(double* out) const {
    if (!has_quantity || quantity == 0) return false;
    *out = declared_value_usd / static_cast<double>(quantity);
    return true;
  }
};

// A repeat violator: one real-world entity that ships under its listed name
// (the entry in rules/lists/repeat-violators.txt) and under variants of it.
struct Violator {
  const char* listed;      // as on the list, e.g. "Shenzhen Hongda Trading Co., Ltd."
  const char* country;
  std::vector<const char*> variants;  // names that do not normalize to the listed one
  std::vector<Goods> goods;           // what it ships
  // Misspellings of the listed name as a clerk writes them: typos,
  // transpositions, a dropped or added word, another legal form. Half of the
  // violator's unlisted shipments use one (drawn from a stream of their own,
  // so the rest of the corpus does not move).
  std::vector<const char*> respellings;
};
const std::vector<Violator>& Violators();

// A shipper that is not a repeat violator but whose name comes close to one
// (same city and trade, another company): background traffic, there to see
// how many innocent names an approximate rule catches.
struct NameDecoy {
  const char* name;
  int near;  // the violator it resembles (index into Violators())
};
const std::vector<NameDecoy>& NameDecoys();

// An entity on OFAC's SDN list (rules/lists/sdn-entities.txt) that ships, or
// receives, under a variant of its listed name, with the elevated
// discrepancy rate of the `sanctioned` pattern.
struct SanctionedEntity {
  const char* listed;   // as on the SDN list
  const char* variant;  // as written on the manifest
  bool consignee;       // the consignee rather than the shipper
};
const std::vector<SanctionedEntity>& SanctionedEntities();

// The first day of generated traffic and the number of days it spans: arrival
// dates run from kFirstDay through kFirstDay + kDays - 1 in record order (US
// federal fiscal year 2026, the example pack's sampling salt).
inline constexpr std::string_view kFirstDay = "2025-10-01";
inline constexpr int kDays = 365;

// The traffic model. Immutable after construction; thread-safe.
class World {
 public:
  // Builds the shipper and consignee pools from `seed` and the embedded
  // reference data (HS codes, UN/LOCODE ports).
  explicit World(std::uint64_t seed);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Record `index` (0-based) of a corpus of `total` records; draws only from
  // `rng`, so the record depends on (seed, index, total) alone.
  void Generate(std::uint64_t index, std::uint64_t total, Rng& rng, Shipment* s) const;

  // The ports of lading the model uses, for tests: every one must be a UN/LOCODE
  // sea port (for SEA) or airport (otherwise) of its country.
  struct PortCheck {
    std::string locode;
    bool sea = false;
  };
  std::vector<PortCheck> CuratedPorts() const;
  // Every 6-digit HS code the model can write outside the background draws.
  std::vector<std::string> CuratedHsCodes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace targeting::gen

#endif  // TARGETING_LIB_GEN_WORLD_H_
