// The goods of the generator's world and one shipment of traffic:
// World::Generate (world_tables.h).
#include "gen/world.h"
#include "gen/world_tables.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <system_error>

#include "check/refdata.h"
#include "gen/planted.h"
#include "load/normalize.h"
namespace targeting::gen {

using namespace detail;  // NOLINT: the tables are this file's vocabulary

namespace {

struct GoodsSpec {
  const char* hs6;
  double weight;
  const char* descriptions = nullptr;  // '|'-separated; null: the caller describes it
};

const std::vector<GoodsSpec> kLuxuryBagHs = {
    {"420221", 35}, {"420222", 35}, {"420231", 15}, {"420232", 15}};
const std::vector<GoodsSpec> kLuxuryApparelHs = {{"610910", 25}, {"611020", 20}, {"620443", 20},
                                                 {"620462", 15}, {"610462", 10}, {"620343", 10}};
const std::vector<GoodsSpec> kGenericBagHs = {
    {"420222", 40}, {"420292", 25}, {"420229", 15}, {"420212", 20}};
const std::vector<GoodsSpec> kApparelHs = {
    {"610910", 20, "MENS COTTON T-SHIRT|Cotton tee shirts|T-SHIRTS 100% COTTON"},
    {"610462", 10, "Ladies knit pants cotton|WOMENS JOGGERS COTTON"},
    {"611020", 10, "Ladies knitted pullover|COTTON SWEATER"},
    {"611030", 10, "KNIT SWEATER ACRYLIC|mens cardigan polyester"},
    {"620343", 10, "MENS TROUSERS POLYESTER|Boys pants synthetic"},
    {"620462", 10, "WOMENS JEANS|Girls shorts cotton"},
    {"620443", 8, "WOMENS DRESS 100% POLYESTER|Ladies dresses"},
    {"610510", 8, "MENS POLO SHIRTS COTTON|Polo shirt knit"},
    {"620520", 6, "MENS SHIRTS COTTON WOVEN|Dress shirts"},
    {"611595", 4, "SOCKS COTTON|Cotton socks assorted"},
    {"620342", 4, "MENS JEANS|cotton chino trousers"},
};
const std::vector<GoodsSpec> kAutoPartsHs = {
    {"870899", 35, "AUTO PARTS|car accessories|AUTO SPARE PARTS"},
    {"870840", 10, "GEARBOX PARTS|transmission parts"},
    {"870850", 8, "DRIVE AXLE|Differential assembly"},
    {"870870", 12, "alloy wheels|WHEEL RIMS"},
    {"870880", 12, "Shock absorber|SUSPENSION PARTS"},
    {"870829", 10, "BODY PARTS - DOOR PANEL|fender"},
    {"870821", 5, "Seat belt assembly|SEAT BELTS"},
    {"870810", 8, "BUMPER COVER|front bumper"},
};
const std::vector<GoodsSpec> kChipHs = {{"854231", 40}, {"854232", 30}, {"854239", 20},
                                        {"854233", 10}};
const std::vector<GoodsSpec> kLedHs = {{"853952", 30}, {"940542", 20}, {"940531", 15},
                                       {"940539", 10}, {"853951", 10}, {"940541", 10},
                                       {"940521", 5}};
const std::vector<GoodsSpec> kFootwearHs = {
    {"640411", 35}, {"640419", 20}, {"640399", 15}, {"640299", 20}, {"640291", 10}};
const std::vector<GoodsSpec> kCosmeticsHs = {
    {"330499", 50, "SKIN CARE CREAM|Facial mask sheets|Sunscreen lotion|COSMETICS ASSORTED"},
    {"330410", 15, "LIPSTICK|lip gloss"},
    {"330420", 15, "eye shadow palette|MASCARA"},
    {"330430", 10, "NAIL POLISH|nail care kit"},
    {"330491", 10, "FACE POWDER|compact powder"},
};
const std::vector<GoodsSpec> kBikeHs = {{"871493", 25}, {"871494", 25}, {"871499", 30},
                                        {"871496", 20}};
const std::vector<GoodsSpec> kOpticsHs = {{"900580", 40}, {"901380", 40}, {"852589", 20}};
const std::vector<GoodsSpec> kElectronicsHs = {
    {"851762", 20, "WIRELESS ROUTER|smart watch|BLUETOOTH MODULE"},
    {"847130", 10, "laptop computer|NOTEBOOK COMPUTER"},
    {"851830", 20, "BLUETOOTH EARPHONES|headphones"},
    {"850760", 15, "POWER BANK|LITHIUM ION BATTERY PACK"},
    {"392690", 15, "Phone cases|PLASTIC PHONE HOLDER"},
    {"854442", 15, "USB CABLES|charging cable"},
    {"851713", 5, "SMARTPHONE|mobile phones"},
};

// The goods whose draws follow one pattern, in this order: the mode, the
// origin, the tariff code (and its description, when the code's spec has
// descriptions), the net weight of a unit, the declared value (per unit or
// per kg, skewed towards the low end), the description from the profile's
// list, the units in the shipment, and the shipper's sector. The order is
// part of the generator's output: a seed gives the same corpus only while
// the draws come in the same order. Goods that do not follow it are drawn by
// their own code in World::Generate.
struct GoodsProfile {
  Goods goods;
  double modes[kModeCount];         // relative shares of SEA, AIR, EXPRESS, MAIL
  std::vector<Weighted> origins;    // countries of origin
  const std::vector<GoodsSpec>* specs;  // the tariff codes; null: the one code `hs6`
  const char* hs6;
  double unit_kg_lo, unit_kg_hi;    // net kg a unit, uniform
  bool per_unit;                    // the value is per unit (else per gross kg)
  double value_lo, value_hi;        // declared USD
  std::vector<const char*> descriptions;  // empty: the spec's descriptions
  long long units[kModeCount];      // the most units a shipment of each mode holds
  Sector sector;
};

const std::vector<GoodsProfile> kGoodsProfiles = {
    {Goods::kApparel, {0.55, 0.15, 0.22, 0.08},
     {{"CN", 35}, {"BD", 15}, {"VN", 15}, {"IN", 8}, {"KH", 6}, {"ID", 5}, {"PK", 4}, {"TR", 4},
      {"MX", 4}, {"IT", 2}, {"GB", 2}},
     &kApparelHs, nullptr, 0.15, 0.8, true, 1.5, 25, {}, {20000, 2000, 15, 4}, Sector::kApparel},
    {Goods::kAutoParts, {0.6, 0.2, 0.15, 0.05},
     {{"CN", 40}, {"MX", 15}, {"JP", 10}, {"DE", 10}, {"KR", 10}, {"TW", 8}, {"IN", 7}},
     &kAutoPartsHs, nullptr, 0.5, 12, false, 3, 25, {}, {3000, 400, 4, 2}, Sector::kAuto},
    {Goods::kFootwear, {0.6, 0.1, 0.25, 0.05},
     {{"VN", 35}, {"CN", 40}, {"ID", 10}, {"IN", 5}, {"IT", 5}, {"BR", 5}},
     &kFootwearHs, nullptr, 0.4, 1.2, false, 4, 40,
     {"MENS SPORTS SHOES", "Ladies sandals", "RUNNING SHOES", "canvas sneakers", "WOMENS BOOTS",
      "KIDS SHOES"},
     {8000, 800, 6, 2}, Sector::kApparel},
    {Goods::kCosmetics, {0.2, 0.35, 0.35, 0.1},
     {{"KR", 30}, {"FR", 20}, {"CN", 25}, {"JP", 10}, {"IT", 5}, {"GB", 10}},
     &kCosmeticsHs, nullptr, 0.05, 0.5, false, 5, 120, {}, {20000, 2000, 20, 5},
     Sector::kGeneral},
    {Goods::kToys, {0.55, 0.1, 0.25, 0.1},
     {{"CN", 85}, {"VN", 5}, {"MX", 5}, {"ID", 5}},
     nullptr, "950300", 0.05, 1.0, true, 0.3, 15,
     {"PLASTIC TOYS", "Dolls", "TOY CARS", "plush toys", "BUILDING BLOCKS", "Educational toys",
      "RC TOY DRONE"},
     {30000, 3000, 20, 4}, Sector::kSporting},
    {Goods::kBikeParts, {0.6, 0.2, 0.15, 0.05},
     {{"TW", 40}, {"CN", 45}, {"JP", 10}, {"IT", 5}},
     &kBikeHs, nullptr, 0.1, 2.0, false, 5, 60,
     {"BICYCLE PARTS", "Bicycle derailleur", "BIKE HUBS", "bicycle brake levers", "CRANKSET",
      "BICYCLE PEDALS"},
     {5000, 500, 6, 2}, Sector::kSporting},
    {Goods::kOptics, {0, 0.3, 0.5, 0.2},
     {{"CN", 50}, {"IL", 10}, {"DE", 10}, {"KR", 10}, {"JP", 20}},
     &kOpticsHs, nullptr, 0.3, 2.0, true, 80, 3000,
     {"THERMAL IMAGING SCOPE", "Night vision monocular", "INFRARED CAMERA",
      "thermal camera module"},
     {200, 50, 2, 1}, Sector::kElectronics},
    {Goods::kElectronics, {0.35, 0.25, 0.3, 0.1},
     {{"CN", 70}, {"VN", 8}, {"TW", 5}, {"KR", 5}, {"MY", 5}, {"TH", 4}, {"JP", 3}},
     &kElectronicsHs, nullptr, 0.02, 2.5, false, 8, 200, {}, {20000, 3000, 10, 3},
     Sector::kElectronics},
};

const GoodsProfile& ProfileOf(Goods goods) {
  for (const GoodsProfile& p : kGoodsProfiles) {
    if (p.goods == goods) return p;
  }
  return kGoodsProfiles.front();  // not reached: Generate asks only for goods with a profile
}

// One of `items` (non-empty), each as likely as its `weight` member.
template <typename T>
const T& PickByWeight(Rng& rng, const std::vector<T>& items) {
  double sum = 0;
  for (const T& item : items) sum += item.weight;
  double x = rng.Uniform() * sum;
  for (const T& item : items) {
    if (x < item.weight) return item;
    x -= item.weight;
  }
  return items.back();
}

const GoodsSpec& PickSpec(Rng& rng, const std::vector<GoodsSpec>& specs) {
  return PickByWeight(rng, specs);
}

// One of the spec's '|'-separated descriptions.
std::string Describe(Rng& rng, const GoodsSpec& spec) {
  std::string_view all = spec.descriptions;
  std::size_t n = 1 + static_cast<std::size_t>(std::count(all.begin(), all.end(), '|'));
  std::size_t k = rng.Below(n);
  for (std::size_t i = 0; i < k; ++i) all.remove_prefix(all.find('|') + 1);
  return std::string(all.substr(0, all.find('|')));
}

std::string_view PickWeighted(Rng& rng, const std::vector<Weighted>& items) {
  return PickByWeight(rng, items).value;
}

Mode PickMode(Rng& rng, double sea, double air, double express, double mail) {
  double x = rng.Uniform() * (sea + air + express + mail);
  if (x < sea) return Mode::kSea;
  if (x < sea + air) return Mode::kAir;
  if (x < sea + air + express) return Mode::kExpress;
  return Mode::kMail;
}

// How many units a shipment of a mode holds.
long long Units(Rng& rng, Mode mode, long long sea, long long air, long long express,
                long long mail) {
  // Freight holds from a tenth of the most to the most, mostly towards the
  // tenth; a parcel holds up to the most.
  auto freight = [&rng](long long most) {
    const double m = static_cast<double>(most);
    return static_cast<long long>(rng.Skewed(m / 10, m, 2)) + 1;
  };
  switch (mode) {
    case Mode::kSea: return freight(sea);
    case Mode::kAir: return freight(air);
    case Mode::kExpress: return rng.Int(1, express);
    case Mode::kMail: return rng.Int(1, mail);
  }
  return 1;
}

template <std::size_t N>
std::string Fill(Rng& rng, const char* const (&templates)[N], std::string_view x) {
  std::string_view t = rng.Pick(templates);
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '@') out.append(x);
    else out.push_back(t[i]);
  }
  return out;
}

}  // namespace

std::vector<std::string> World::CuratedHsCodes() const {
  std::vector<std::string> out;
  for (const auto* list : {&kLuxuryBagHs, &kLuxuryApparelHs, &kGenericBagHs, &kApparelHs,
                           &kAutoPartsHs, &kChipHs, &kLedHs, &kFootwearHs, &kCosmeticsHs,
                           &kBikeHs, &kOpticsHs, &kElectronicsHs}) {
    for (const GoodsSpec& s : *list) out.push_back(s.hs6);
  }
  for (const char* c : {"870895", "870830", "630790", "902000", "392690", "950730", "950300"}) {
    out.push_back(c);
  }
  return out;
}

void World::Generate(std::uint64_t index, std::uint64_t total, Rng& rng, Shipment* s) const {
  const Impl& w = *impl_;
  char buf[256];

  std::snprintf(buf, sizeof buf, "R%010llu", static_cast<unsigned long long>(index + 1));
  s->record_id = buf;
  s->arrival = w.first_day + static_cast<Days>((index * static_cast<std::uint64_t>(kDays)) /
                                               (total == 0 ? 1 : total));
  s->violator = -1;
  s->violator_listed = false;
  s->violator_respelt = false;
  s->decoy = -1;
  s->sanctioned = -1;
  s->has_quantity = true;
  s->has_weight = true;
  s->port_of_entry = {};
  s->lowercase_codes = rng.Chance(0.02);

  // What is shipped.
  std::size_t pick = w.goods.Pick(rng);
  const std::size_t n_goods = sizeof(kGoodsShares) / sizeof(kGoodsShares[0]);
  Goods goods = Goods::kBackground;
  if (pick < n_goods) {
    goods = kGoodsShares[pick].goods;
  } else if (pick == n_goods) {
    s->violator = static_cast<int>(rng.Below(Violators().size()));
    s->violator_listed = rng.Chance(kViolatorListedShare);
    goods = rng.Pick(Violators()[static_cast<std::size_t>(s->violator)].goods);
  }
  s->goods = goods;

  // The goods decide the mode, the origin, the tariff code, the unit value and
  // weight, the description and the kind of shipper.
  Mode mode = Mode::kSea;
  std::string_view origin = "CN";
  const char* hs6 = nullptr;
  std::string desc;
  double unit_value = 0;  // declared USD per unit (0: use vpk)
  double vpk = 0;         // declared USD per gross kg (when unit_value is 0)
  double unit_kg = 0;     // net kg per unit
  long long qty = 0;
  Sector sector = Sector::kGeneral;
  int force_hk = 0;
  double residential = -1;  // share of residential consignees; -1: by mode
  const Party* shipper = nullptr;
  std::string_view shipper_country;
  bool background_desc = false;

  static const std::vector<std::string_view> brands = PackLuxuryBrands();
  using G = Goods;
  switch (goods) {
    case G::kBackground: {
      w.Background(rng, s, &desc, &vpk, &mode);
      origin = kOrigins[static_cast<int>(mode)][w.origins[static_cast<int>(mode)].Pick(rng)].value;
      background_desc = true;
      sector = (mode == Mode::kExpress || mode == Mode::kMail) && origin == "CN" && rng.Chance(0.6)
                   ? Sector::kEcommerce
                   : Sector::kGeneral;
      break;
    }
    case G::kLuxuryBagFake:
    case G::kLuxuryApparelFake: {
      const bool bag = goods == G::kLuxuryBagFake;
      mode = PickMode(rng, 0.15, 0.20, 0.55, 0.10);
      origin = "CN";
      force_hk = 1;
      hs6 = PickSpec(rng, bag ? kLuxuryBagHs : kLuxuryApparelHs).hs6;
      std::string_view brand = rng.Pick(brands);
      if (bag) {
        const bool wallet = hs6[3] == '3';
        unit_kg = wallet ? rng.Range(0.1, 0.3) : rng.Range(0.6, 1.2);
        unit_value = wallet ? rng.Range(1, 4) : rng.Range(3, 14);
        static const char* const kT[] = {"@ HANDBAG", "@ Shoulder Bag", "LADIES HANDBAG @",
                                         "Leather handbag - @", "@ tote bag", "WOMENS BAG @",
                                         "@ Crossbody Bag"};
        static const char* const kW[] = {"@ WALLET", "@ Card Holder", "LEATHER WALLET @"};
        desc = wallet ? Fill(rng, kW, brand) : Fill(rng, kT, brand);
      } else {
        unit_kg = rng.Range(0.2, 0.6);
        unit_value = rng.Range(1, 5);
        static const char* const kT[] = {"@ T-SHIRT", "@ Sweater", "LADIES DRESS @",
                                         "@ polo shirt", "MENS TROUSERS @", "@ HOODIE"};
        desc = Fill(rng, kT, brand);
      }
      qty = Units(rng, mode, 3000, 400, 12, 3);
      sector = rng.Chance(0.5) ? Sector::kEcommerce : Sector::kApparel;
      if (rng.Chance(0.55)) shipper_country = "HK";
      break;
    }
    case G::kLuxuryGenuine: {
      mode = PickMode(rng, 0.05, 0.5, 0.45, 0);
      origin = rng.Chance(0.6) ? "IT" : "FR";
      force_hk = -1;
      const bool bag = rng.Chance(0.6);
      hs6 = PickSpec(rng, bag ? kLuxuryBagHs : kLuxuryApparelHs).hs6;
      std::string_view brand = rng.Pick(brands);
      unit_kg = bag ? rng.Range(0.6, 1.4) : rng.Range(0.2, 0.8);
      unit_value = bag ? rng.Range(600, 3500) : rng.Range(150, 1500);
      static const char* const kT[] = {"@ LEATHER HANDBAG", "@ Ready-to-wear", "@ SILK DRESS",
                                       "@ leather goods", "@ ACCESSORIES"};
      desc = Fill(rng, kT, brand);
      qty = Units(rng, mode, 500, 80, 3, 1);
      sector = Sector::kApparel;
      break;
    }
    case G::kGenericBag: {
      mode = PickMode(rng, 0.45, 0.10, 0.35, 0.10);
      origin = rng.Chance(0.8) ? "CN" : (rng.Chance(0.5) ? "VN" : "IN");
      hs6 = PickSpec(rng, kGenericBagHs).hs6;
      unit_kg = rng.Range(0.3, 1.0);
      unit_value = rng.Range(2, 20);
      static const char* const kT[] = {"LADIES HANDBAG PU", "Tote bag polyester",
                                       "WOMENS SHOULDER BAG", "PU LEATHER HANDBAGS ASSORTED",
                                       "Travel bag", "BACKPACK NYLON", "cosmetic bag",
                                       "LAPTOP BAG 15\" NYLON"};
      desc = rng.Pick(kT);
      qty = Units(rng, mode, 4000, 500, 10, 2);
      sector = Sector::kApparel;
      break;
    }
    case G::kAirbagFake: {
      mode = PickMode(rng, 0.15, 0.15, 0.50, 0.20);
      origin = "CN";
      hs6 = "870895";
      unit_kg = rng.Range(1.0, 2.5);
      unit_value = rng.Range(15, 70);
      std::string_view make = rng.Pick(kCarMakes);
      static const char* const kT[] = {"AIRBAG MODULE", "Steering wheel airbag @",
                                       "SRS AIR BAG @", "Passenger airbag for @",
                                       "AUTO PARTS - AIRBAG", "driver airbag cover @"};
      desc = Fill(rng, kT, make);
      qty = Units(rng, mode, 400, 200, 4, 2);
      sector = Sector::kAuto;
      residential = (mode == Mode::kExpress || mode == Mode::kMail) ? 0.8 : 0.0;
      break;
    }
    case G::kAirbagGenuine: {
      hs6 = "870895";
      unit_kg = rng.Range(1.2, 3.0);
      if (rng.Chance(0.5)) {
        // Supply to US assembly plants from authorized Chinese makers.
        mode = PickMode(rng, 0.8, 0.2, 0, 0);
        origin = "CN";
        shipper = &w.airbag_suppliers[rng.Below(w.airbag_suppliers.size())];
        unit_value = rng.Range(120, 300);
        force_hk = -1;
        residential = 0;
      } else {
        mode = PickMode(rng, 0.3, 0.3, 0.4, 0);
        static const std::vector<Weighted> kO = {
            {"JP", 35}, {"DE", 25}, {"KR", 25}, {"MX", 15}};
        origin = PickWeighted(rng, kO);
        unit_value = rng.Range(150, 900);
        residential = mode == Mode::kExpress ? 0.25 : 0.0;
      }
      static const char* const kT[] = {"AIRBAG MODULE ASSY", "Airbag inflator assembly",
                                       "SAFETY AIRBAG UNITS", "airbag module PN @"};
      std::snprintf(buf, sizeof buf, "%05d-%04d", static_cast<int>(rng.Int(10000, 99999)),
                    static_cast<int>(rng.Int(1000, 9999)));
      desc = Fill(rng, kT, buf);
      qty = Units(rng, mode, 2000, 300, 3, 1);
      sector = Sector::kAuto;
      break;
    }
    case G::kBrakeFake:
    case G::kBrakeGenuine: {
      const bool fake = goods == G::kBrakeFake;
      mode = fake ? PickMode(rng, 0.45, 0.15, 0.30, 0.10) : PickMode(rng, 0.7, 0.15, 0.13, 0.02);
      hs6 = "870830";
      unit_kg = rng.Range(1.0, 2.5);
      if (fake) {
        origin = "CN";
        vpk = rng.Range(0.8, 3.6);
      } else {
        static const std::vector<Weighted> kO = {{"CN", 40}, {"DE", 15}, {"JP", 15},
                                                 {"MX", 15}, {"KR", 10}, {"IN", 5}};
        origin = PickWeighted(rng, kO);
        vpk = origin == "CN" ? rng.Range(4.3, 9) : rng.Range(6, 20);
      }
      std::string_view make = rng.Pick(kCarMakes);
      static const char* const kT[] = {"BRAKE PADS", "Ceramic brake pad set",
                                       "BRAKE PADS FOR @", "brake disc rotor",
                                       "FRONT BRAKE PADS @", "Brake shoes"};
      desc = Fill(rng, kT, make);
      qty = Units(rng, mode, 6000, 600, 6, 2);
      sector = Sector::kAuto;
      break;
    }
    case G::kChipFake: {
      mode = PickMode(rng, 0, 0.3, 0.7, 0);
      static const std::vector<Weighted> kO = {{"TW", 30}, {"KR", 15}, {"MY", 20},
                                               {"JP", 10}, {"PH", 10}, {"CN", 15}};
      origin = PickWeighted(rng, kO);
      shipper_country = rng.Chance(0.6) ? "HK" : "CN";
      hs6 = PickSpec(rng, kChipHs).hs6;
      unit_kg = rng.Range(0.0005, 0.003);
      unit_value = rng.Range(0.02, 0.28);
      static const char* const kT[] = {"INTEGRATED CIRCUITS", "IC chips @", "MICROCONTROLLER @",
                                       "memory IC @", "ELECTRONIC COMPONENTS IC",
                                       "Integrated circuit @"};
      std::snprintf(buf, sizeof buf, "%s%d%s", rng.Chance(0.5) ? "STM" : "XC",
                    static_cast<int>(rng.Int(100, 9999)), rng.Chance(0.5) ? "F103" : "-7PQ");
      desc = Fill(rng, kT, buf);
      if (rng.Chance(0.2)) desc += rng.Chance(0.5) ? " (REFURBISHED)" : " - pulled parts";
      qty = mode == Mode::kAir ? rng.Int(2000, 50000) : rng.Int(100, 5000);
      sector = Sector::kElectronics;
      residential = 0.15;
      break;
    }
    case G::kChipGenuine: {
      mode = PickMode(rng, 0.05, 0.6, 0.35, 0);
      static const std::vector<Weighted> kO = {{"TW", 30}, {"KR", 15}, {"MY", 15}, {"JP", 10},
                                               {"CN", 15}, {"PH", 5},  {"DE", 5},  {"IL", 5}};
      origin = PickWeighted(rng, kO);
      hs6 = PickSpec(rng, kChipHs).hs6;
      unit_kg = rng.Range(0.0005, 0.01);
      unit_value = origin == "CN" ? rng.Range(0.26, 1.5) : rng.Skewed(0.3, 60, 3);
      static const char* const kT[] = {"INTEGRATED CIRCUITS", "SEMICONDUCTOR DEVICES",
                                       "Microprocessors", "DRAM MEMORY", "ICs for industrial use",
                                       "FPGA"};
      desc = rng.Pick(kT);
      qty = mode == Mode::kSea ? rng.Int(50000, 500000)
            : mode == Mode::kAir ? rng.Int(1000, 100000)
                                 : rng.Int(10, 3000);
      sector = Sector::kElectronics;
      residential = 0.02;
      break;
    }
    case G::kMaskFake: {
      mode = PickMode(rng, 0.2, 0.3, 0.35, 0.15);
      origin = "CN";
      double u = rng.Uniform();
      hs6 = u < 0.8 ? "630790" : u < 0.9 ? "902000" : "392690";
      unit_kg = rng.Range(0.004, 0.008);
      unit_value = rng.Range(0.04, 0.32);
      static const char* const kT[] = {"KN95 FACE MASK", "N95 respirator", "KN95 masks 5-ply",
                                       "Disposable respirator mask", "FFP2 MASK",
                                       "N95 RESPIRATORS NIOSH"};
      desc = rng.Pick(kT);
      if (hs6[0] == '3') desc = "PLASTIC ARTICLES - " + desc;
      qty = mode == Mode::kSea   ? rng.Int(50000, 500000)
            : mode == Mode::kAir ? rng.Int(10000, 100000)
            : mode == Mode::kExpress ? rng.Int(100, 5000)
                                     : rng.Int(20, 500);
      sector = Sector::kGeneral;
      break;
    }
    case G::kMaskOther: {
      mode = PickMode(rng, 0.4, 0.3, 0.2, 0.1);
      static const std::vector<Weighted> kO = {{"CN", 50}, {"VN", 20}, {"MX", 15}, {"KR", 15}};
      origin = PickWeighted(rng, kO);
      hs6 = "630790";
      unit_kg = rng.Range(0.003, 0.02);
      if (rng.Chance(0.3)) {
        unit_value = rng.Range(0.5, 1.5);
        static const char* const kT[] = {"N95 RESPIRATOR NIOSH APPROVED",
                                         "N95 particulate respirators"};
        desc = rng.Pick(kT);
        if (origin == "CN") origin = "MX";
      } else {
        unit_value = rng.Range(0.03, 1.5);
        static const char* const kT[] = {"SURGICAL FACE MASK", "Cotton face mask",
                                         "DISPOSABLE FACE MASKS 3 PLY", "face masks for children"};
        desc = rng.Pick(kT);
      }
      qty = mode == Mode::kSea ? rng.Int(50000, 500000)
            : mode == Mode::kAir ? rng.Int(5000, 100000)
                                 : rng.Int(50, 2000);
      sector = Sector::kGeneral;
      break;
    }
    case G::kReels: {
      mode = PickMode(rng, 0.6, 0.1, 0.25, 0.05);
      static const std::vector<Weighted> kO = {{"CN", 75}, {"JP", 10}, {"KR", 5}, {"TW", 5},
                                               {"VN", 5}};
      origin = PickWeighted(rng, kO);
      hs6 = "950730";
      unit_kg = rng.Range(0.25, 0.5);
      unit_value = origin == "CN" ? rng.Range(5, 40) : rng.Range(60, 300);
      static const char* const kT[] = {"FISHING REEL", "Spinning reel", "BAITCASTING REELS",
                                       "fishing reels assorted", "FISHING TACKLE - REELS"};
      desc = rng.Pick(kT);
      qty = Units(rng, mode, 5000, 500, 10, 2);
      sector = Sector::kSporting;
      if (mode == Mode::kSea && origin == "CN" && rng.Chance(0.30)) s->port_of_entry = kReelPort;
      break;
    }
    case G::kLedCheap:
    case G::kLedOther: {
      const bool cheap = goods == G::kLedCheap;
      mode = PickMode(rng, 0.25, 0.15, 0.35, 0.25);
      if (cheap) {
        origin = "CN";
        unit_value = rng.Range(0.2, 1.95);
      } else {
        static const std::vector<Weighted> kO = {{"CN", 50}, {"DE", 10}, {"MX", 15},
                                                 {"TW", 10}, {"KR", 5},  {"IT", 10}};
        origin = PickWeighted(rng, kO);
        unit_value = origin == "CN" ? rng.Range(2.1, 12) : rng.Range(3, 60);
      }
      hs6 = PickSpec(rng, kLedHs).hs6;
      unit_kg = rng.Range(0.05, 0.4);
      static const char* const kT[] = {"LED STRIP LIGHT", "LED bulb E26", "LED LAMP",
                                       "LED ceiling light", "CHRISTMAS LIGHTS LED",
                                       "Solar LED garden light", "LED PANEL LIGHT 24\"X24\""};
      desc = rng.Pick(kT);
      qty = Units(rng, mode, 20000, 3000, 50, 10);
      sector = Sector::kLighting;
      break;
    }
    case G::kApparel:
    case G::kAutoParts:
    case G::kFootwear:
    case G::kCosmetics:
    case G::kToys:
    case G::kBikeParts:
    case G::kOptics:
    case G::kElectronics: {
      const GoodsProfile& p = ProfileOf(goods);
      mode = PickMode(rng, p.modes[0], p.modes[1], p.modes[2], p.modes[3]);
      origin = PickWeighted(rng, p.origins);
      if (p.specs) {
        const GoodsSpec& spec = PickSpec(rng, *p.specs);
        hs6 = spec.hs6;
        if (p.descriptions.empty()) desc = Describe(rng, spec);
      } else {
        hs6 = p.hs6;
      }
      unit_kg = rng.Range(p.unit_kg_lo, p.unit_kg_hi);
      const double value = rng.Skewed(p.value_lo, p.value_hi, 2);
      if (p.per_unit) {
        unit_value = value;
      } else {
        vpk = value;
      }
      if (!p.descriptions.empty()) desc = rng.Pick(p.descriptions);
      qty = Units(rng, mode, p.units[0], p.units[1], p.units[2], p.units[3]);
      sector = p.sector;
      break;
    }
    case G::kCount:
      break;
  }

  if (s->violator >= 0) shipper_country = Violators()[static_cast<std::size_t>(s->violator)].country;
  s->mode = mode;
  s->origin = origin;
  if (!background_desc) {
    s->hts = hs6;
    s->description.clear();
    AppendMessyCase(rng, desc, &s->description);
  } else {
    s->description = desc;
  }

  // Route, ports, carrier.
  w.Route(rng, mode, s, force_hk);
  if (!shipper_country.empty() && shipper_country != s->export_country) {
    // The shipper exports from where it sits (counterfeit goods and chips
    // leave through Hong Kong traders; a violator ships from its own country).
    // A country not yet on the route becomes its last leg, where the goods
    // are laden; otherwise the goods are still laden where the route ends.
    if (!s->RoutedVia(shipper_country)) {
      s->routing[static_cast<std::size_t>(std::min(s->routing_count, 4))] = shipper_country;
      s->routing_count = std::min(s->routing_count + 1, 5);
      s->port_of_lading = w.LadingPort(rng, shipper_country, mode);
    }
    s->export_country = shipper_country;
  }
  s->shipper_country = s->export_country;
  if (s->port_of_entry.empty()) {
    const int m = static_cast<int>(mode);
    s->port_of_entry = kEntryPorts[m][w.entry_ports[m].Pick(rng)].value;
  }
  s->carrier = kCarriers[static_cast<int>(mode)][w.carriers[static_cast<int>(mode)].Pick(rng)].value;

  // The shipper.
  if (s->violator >= 0) {
    std::size_t first = 0;
    for (int i = 0; i < s->violator; ++i) {
      first += 1 + Violators()[static_cast<std::size_t>(i)].variants.size();
    }
    const std::vector<int>& variants =
        w.violator_variant_index[static_cast<std::size_t>(s->violator)];
    shipper = s->violator_listed ? &w.violator_parties[first]
                                 : &w.violator_parties[static_cast<std::size_t>(
                                       variants[rng.Below(variants.size())])];
  } else if (shipper == nullptr) {
    shipper = &w.PickShipper(rng, s->shipper_country, sector);
  }
  w.WriteParty(rng, *shipper, &s->shipper_name);
  s->shipper_norm.clear();
  internal::AppendName(s->shipper_name, &s->shipper_norm);

  // MID: often left out of small parcels.
  const double no_mid = mode == Mode::kMail ? 0.8 : mode == Mode::kExpress ? 0.4 : 0.03;
  s->manufacturer_id = rng.Chance(no_mid) ? std::string() : shipper->mid;

  // The consignee.
  if (residential < 0) {
    residential = mode == Mode::kMail ? 0.92 : mode == Mode::kExpress ? 0.65 : 0.02;
  }
  s->residential = rng.Chance(residential);
  if (s->residential) {
    s->consignee_name.clear();
    std::string person = std::string(rng.Pick(kFirstNames)) + " " + rng.Pick(kLastNames);
    AppendMessyCase(rng, person, &s->consignee_name);
    const City& city = rng.Pick(kCities);
    const int number = static_cast<int>(rng.Int(1, 9999));
    const char* street = rng.Pick(kStreets);
    const char* type = rng.Pick(kStreetTypes);
    const int zip = static_cast<int>(rng.Int(city.zip_lo, city.zip_hi));
    const double u = rng.Uniform();
    if (u < 0.22) {
      std::snprintf(buf, sizeof buf, "%d %s %s Apt %d%c, %s, %s %05d", number, street, type,
                    static_cast<int>(rng.Int(1, 40)), static_cast<char>('A' + rng.Below(6)),
                    city.name, city.state, zip);
    } else if (u < 0.30) {
      std::snprintf(buf, sizeof buf, "%d %s %s, Unit %d, %s, %s %05d", number, street, type,
                    static_cast<int>(rng.Int(1, 400)), city.name, city.state, zip);
    } else if (u < 0.35) {
      std::snprintf(buf, sizeof buf, "%d %s %s #%d, %s, %s %05d", number, street, type,
                    static_cast<int>(rng.Int(1, 400)), city.name, city.state, zip);
    } else {
      std::snprintf(buf, sizeof buf, "%d %s %s, %s, %s %05d", number, street, type, city.name,
                    city.state, zip);
    }
    s->consignee_address.clear();
    if (rng.Chance(0.2)) AppendUpper(buf, &s->consignee_address);
    else s->consignee_address = buf;
    s->importer_id.clear();
  } else {
    const double u = rng.Uniform();
    const Consignee& c = w.businesses[static_cast<std::size_t>(u * u * 3000.0)];
    s->consignee_name.clear();
    AppendMessyCase(rng, c.name, &s->consignee_name);
    s->consignee_address = c.address;
    s->importer_id = rng.Chance(0.15) ? c.importer_id.substr(0, 2) + c.importer_id.substr(3)
                                      : c.importer_id;
  }

  // Tariff code as written: the national suffix is made up.
  static const char* const kSuffixes[] = {"0000", "1000", "2000", "3000", "4000", "5000",
                                          "6000", "8000", "9000", "9010", "9020", "9050", "9090"};
  const char* nat = rng.Pick(kSuffixes);
  const std::string h6 = s->hts.substr(0, 6);
  const double hu = rng.Uniform();
  if (hu < 0.5) {
    std::snprintf(buf, sizeof buf, "%.4s.%.2s.%s", h6.c_str(), h6.c_str() + 4, nat);
    s->hts = h6 + nat;
  } else if (hu < 0.75) {
    std::snprintf(buf, sizeof buf, "%s%s", h6.c_str(), nat);
    s->hts = h6 + nat;
  } else if (hu < 0.9) {
    std::snprintf(buf, sizeof buf, "%.4s.%.2s.%.2s.%.2s", h6.c_str(), h6.c_str() + 4, nat, nat + 2);
    s->hts = h6 + nat;
  } else {
    std::snprintf(buf, sizeof buf, "%.4s.%.2s", h6.c_str(), h6.c_str() + 4);
    s->hts = h6;
  }
  s->hts_written = buf;

  // Quantities, weights and values. Gross weight covers the packing.
  const bool parcel = mode == Mode::kExpress || mode == Mode::kMail;
  double gross = 0;
  if (background_desc) {
    switch (mode) {
      case Mode::kSea: gross = rng.Skewed(300, 24000, 2); break;
      case Mode::kAir: gross = rng.Skewed(15, 2500, 3); break;
      case Mode::kExpress: gross = rng.Skewed(0.2, 30, 3); break;
      case Mode::kMail: gross = rng.Skewed(0.05, 2, 2); break;
    }
    unit_kg = rng.Skewed(0.05, 10, 2);
    qty = std::max<long long>(1, static_cast<long long>(gross / unit_kg));
  } else {
    if (qty < 1) qty = 1;
    gross = static_cast<double>(qty) * unit_kg * rng.Range(1.05, 1.3);
  }
  s->weight_text = FormatFixed(std::max(gross, parcel ? 0.01 : 0.1), parcel ? 2 : 1);
  s->gross_weight_kg = ParseBack(s->weight_text);
  double value = unit_value > 0 ? unit_value * static_cast<double>(qty)
                                : vpk * s->gross_weight_kg;
  s->value_text = FormatFixed(std::max(value, 1.0), parcel ? 2 : 0);
  s->declared_value_usd = ParseBack(s->value_text);
  s->quantity = qty;
  s->quantity_text = std::to_string(qty);
  // Missing values: small parcels are often declared without a weight or a count.
  if (mode == Mode::kMail && rng.Chance(0.03)) {
    s->has_weight = false;
    s->weight_text.clear();
  }
  if (mode == Mode::kExpress && rng.Chance(0.005)) {
    s->has_quantity = false;
    s->quantity_text.clear();
  }
  w.Plant(index, s);
  s->consignee_norm.clear();
  internal::AppendName(s->consignee_name, &s->consignee_norm);
}

// Name variants, from a stream of their own: (seed, index) through a second
// generator, so that planting them changes only the records they land on and
// not the draws of every record after the first new one.
void World::Impl::Plant(std::uint64_t index, Shipment* s) const {
  Rng side(seed ^ 0x6e616d65766172ULL, index);  // "namevar"
  const double u = side.Uniform();
  if (s->violator >= 0) {
    if (s->violator_listed || u >= kRespeltShare) return;
    const auto& parties = violator_respellings[static_cast<std::size_t>(s->violator)];
    if (parties.empty()) return;
    s->violator_respelt = true;
    WriteParty(side, side.Pick(parties), &s->shipper_name);
  } else if (u < kDecoyShare) {
    s->decoy = static_cast<int>(side.Below(decoys.size()));
    WriteParty(side, decoys[static_cast<std::size_t>(s->decoy)], &s->shipper_name);
  } else if (u < kDecoyShare + kSanctionedShare) {
    s->sanctioned = static_cast<int>(side.Below(sanctioned.size()));
    const Party& party = sanctioned[static_cast<std::size_t>(s->sanctioned)];
    if (SanctionedEntities()[static_cast<std::size_t>(s->sanctioned)].consignee) {
      WriteParty(side, party, &s->consignee_name);
    } else {
      WriteParty(side, party, &s->shipper_name);
    }
  } else {
    return;
  }
  s->shipper_norm.clear();
  internal::AppendName(s->shipper_name, &s->shipper_norm);
}

}  // namespace targeting::gen

