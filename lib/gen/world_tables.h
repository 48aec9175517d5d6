// The world the generator draws traffic from: static tables (ports, carriers,
// origins, HS chapters, name styles, streets and cities), small text helpers,
// and World::Impl, shared by world.cc (parties and routes), world_tables.cc
// and world_goods.cc (goods and one shipment). Private header of the tools
// library.
#ifndef TARGETING_LIB_GEN_WORLD_TABLES_H_
#define TARGETING_LIB_GEN_WORLD_TABLES_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/refdata.h"
#include "gen/rng.h"
#include "gen/world.h"

namespace targeting::internal {
// data/unlocode-ports.csv, embedded in the tools library by cmake/embed_file.cmake.
std::string_view EmbeddedPortsCsv();
}  // namespace targeting::internal

namespace targeting::gen {

namespace detail {

// ---------------------------------------------------------------------------
// Static tables.

struct Weighted {
  const char* value;
  double weight;
};

// Ports of entry (CBP four-digit port codes, illustrative) by mode.
inline const std::vector<Weighted> kEntryPorts[kModeCount] = {
    // SEA: Los Angeles, Long Beach, New York/Newark, Savannah, Houston, Seattle,
    // Tacoma, Charleston, Norfolk, Oakland, Miami.
    {{"2704", 22}, {"2709", 18}, {"4601", 14}, {"1703", 9}, {"5301", 8}, {"3001", 6},
     {"3002", 5}, {"1601", 5}, {"1401", 5}, {"2811", 4}, {"5201", 4}},
    // AIR: JFK, LAX, Chicago, Miami, Atlanta, Dallas/Fort Worth, Seattle-Tacoma,
    // San Francisco, Houston.
    {{"4701", 22}, {"2720", 20}, {"3901", 14}, {"5206", 12}, {"1704", 8}, {"5501", 8},
     {"3029", 6}, {"2801", 5}, {"5309", 5}},
    // EXPRESS: consignment hubs (Memphis, Louisville, Cincinnati) and gateways.
    {{"2095", 30}, {"4196", 30}, {"4197", 15}, {"4701", 10}, {"2720", 10}, {"5206", 5}},
    // MAIL: international mail facilities.
    {{"4772", 35}, {"2774", 25}, {"3991", 20}, {"5298", 20}},
};

// The port where counterfeit fishing reels arrive (planted pattern).
inline constexpr const char* kReelPort = "3001";

inline const std::vector<Weighted> kCarriers[kModeCount] = {
    {{"MAEU", 16}, {"MSCU", 16}, {"CMDU", 12}, {"COSU", 12}, {"EGLV", 9}, {"ONEY", 9},
     {"HLCU", 8}, {"YMLU", 6}, {"ZIMU", 5}, {"HDMU", 5}},
    {{"CX", 10}, {"CA", 8}, {"CZ", 8}, {"MU", 6}, {"KE", 8}, {"OZ", 5}, {"NH", 5}, {"JL", 4},
     {"LH", 7}, {"AF", 5}, {"EK", 6}, {"QR", 5}, {"TK", 5}, {"BR", 5}, {"CI", 5}, {"5Y", 6},
     {"K4", 4}},
    {{"FX", 40}, {"5X", 35}, {"D0", 20}, {"O3", 5}},
    {{"CA", 20}, {"CZ", 15}, {"MU", 15}, {"CX", 10}, {"KE", 8}, {"BA", 8}, {"LH", 8}, {"AC", 8},
     {"JL", 4}, {"QF", 4}},
};

// Countries of origin of background traffic, by mode.
inline const std::vector<Weighted> kOrigins[kModeCount] = {
    {{"CN", 40}, {"VN", 9}, {"IN", 6}, {"KR", 4}, {"JP", 4}, {"TW", 4}, {"TH", 3}, {"MY", 3},
     {"ID", 3}, {"DE", 5}, {"IT", 3}, {"NL", 2}, {"BE", 1}, {"BR", 2}, {"TR", 2}, {"BD", 2},
     {"MX", 2}, {"ES", 2}, {"FR", 1}, {"GB", 1}, {"PK", 1}, {"KH", 1}, {"LK", 0.5}, {"PH", 1},
     {"CA", 0.5}},
    {{"CN", 35}, {"DE", 8}, {"JP", 6}, {"KR", 6}, {"TW", 6}, {"IN", 5}, {"IT", 5}, {"FR", 5},
     {"GB", 4}, {"VN", 4}, {"MX", 2}, {"IL", 2}, {"SG", 3}, {"TH", 2}, {"CH", 3}, {"MY", 2},
     {"NL", 2}},
    {{"CN", 52}, {"HK", 8}, {"KR", 5}, {"JP", 4}, {"GB", 5}, {"DE", 4}, {"TW", 3}, {"IN", 3},
     {"VN", 3}, {"CA", 3}, {"FR", 3}, {"IT", 3}, {"AU", 2}, {"SG", 1}, {"TH", 1}},
    {{"CN", 58}, {"GB", 6}, {"DE", 4}, {"JP", 4}, {"KR", 4}, {"CA", 6}, {"FR", 3}, {"IN", 3},
     {"AU", 4}, {"HK", 3}, {"IT", 2}, {"ES", 2}, {"TH", 1}},
};

// Record shares of the traffic modes (background traffic).
inline const std::vector<double> kModeShares = {32, 16, 38, 14};

// Curated ports of lading: the big sea ports and airports of each country.
// Each must be in data/unlocode-ports.csv with the right function (tested).
struct CountryPorts {
  const char* country;
  std::vector<const char*> sea;
  std::vector<const char*> air;
};
inline const std::vector<CountryPorts> kLadingPorts = {
    {"CN", {"CNSGH", "CNSHG", "CNNBG", "CNYTN", "CNSHK", "CNQDG", "CNXMG", "CNTXG", "CNNSA"},
     {"CNPVG", "CNCAN", "CNSZX", "CNPEK", "CNHGH", "CNXAM"}},
    {"HK", {"HKHKG"}, {"HKHKG"}},
    {"SG", {"SGSIN"}, {"SGSIN"}},
    {"VN", {"VNSGN", "VNHPH", "VNCMT"}, {"VNSGN", "VNHAN"}},
    {"KR", {"KRPUS"}, {"KRICN"}},
    {"TW", {"TWKHH", "TWTXG", "TWTPE"}, {"TWTPE", "TWKHH"}},
    {"JP", {"JPTYO", "JPYOK", "JPOSA"}, {"JPNRT", "JPKIX"}},
    {"IN", {"INNSA", "INMAA"}, {"INBOM", "INDEL", "INMAA"}},
    {"TH", {"THLCH", "THBKK"}, {"THBKK"}},
    {"MY", {"MYPKG", "MYTPP"}, {"MYKUL"}},
    {"ID", {"IDSUB", "IDSRG", "IDCTO"}, {"IDCGK"}},
    {"BD", {"BDCGP"}, {"BDCGP"}},
    {"PK", {"PKKHI"}, {"PKKHI"}},
    {"LK", {"LKCMB"}, {"LKCMB"}},
    {"AE", {"AEJEA", "AEDXB"}, {"AEDXB", "AEDWC"}},
    {"DE", {"DEHAM", "DEBRE"}, {"DEFRA"}},
    {"NL", {"NLRTM"}, {"NLAMS"}},
    {"BE", {"BEANR"}, {"BEBRU"}},
    {"IT", {"ITGOA", "ITSPE", "ITLIV"}, {"ITMXP", "ITFCO"}},
    {"FR", {"FRLEH", "FRFOS"}, {"FRCDG"}},
    {"GB", {"GBFXT"}, {"GBLHR"}},
    {"ES", {"ESVLC", "ESBCN"}, {"ESBCN"}},
    {"MX", {"MXZLO", "MXLZC"}, {"MXMEX"}},
    {"TR", {"TRMER", "TRIST"}, {"TRIST"}},
    {"PH", {"PHMNL"}, {"PHMNL"}},
    {"KH", {"KHPNH", "KHKOS"}, {"KHPNH"}},
    {"CA", {"CAVAN"}, {"CAYYZ", "CAVAN"}},
    {"BR", {"BRSSZ"}, {"BRGRU"}},
    {"AU", {"AUSYD", "AUMEL"}, {"AUSYD", "AUMEL"}},
    {"CH", {"CHBSL"}, {"CHZRH"}},
    {"IL", {"ILHFA"}, {"ILTLV"}},
    {"PA", {"PAMIT", "PABLB"}, {}},
};

// The HS chapter groups of background traffic: share by mode and declared
// value per kilogram.
struct ChapterGroup {
  int first, last;
  double share[kModeCount];
  double vpk_lo, vpk_hi;
};
inline const ChapterGroup kChapterGroups[] = {
    {1, 5, {2, 0.5, 0.1, 0.05}, 2, 15},        // animal products
    {6, 14, {3, 0.8, 0.2, 0.1}, 1, 8},         // vegetable products
    {15, 15, {1, 0, 0, 0}, 1, 4},              // fats and oils
    {16, 24, {5, 1, 0.5, 0.3}, 2, 15},         // prepared food, beverages
    {25, 27, {2, 0, 0, 0}, 0.1, 1.5},          // minerals, fuels
    {28, 29, {3, 1, 0.1, 0}, 2, 40},           // chemicals
    {30, 30, {1, 2, 0.5, 0.3}, 50, 2000},      // pharmaceuticals
    {31, 38, {3, 1, 0.3, 0.1}, 1, 30},         // other chemical products
    {39, 40, {8, 1, 1, 0.3}, 2, 10},           // plastics, rubber
    {41, 43, {1, 1, 1, 0.5}, 15, 120},         // leather, bags
    {44, 46, {4, 0, 0.1, 0}, 0.5, 4},          // wood
    {47, 49, {3, 0.5, 0.5, 0.8}, 1, 15},       // paper, books
    {50, 60, {4, 1, 0.3, 0.2}, 3, 20},         // textiles
    {61, 63, {6, 3, 4, 2}, 12, 80},            // apparel
    {64, 67, {3, 1, 3, 1.5}, 8, 60},           // footwear, headgear
    {68, 70, {4, 0.3, 0.3, 0}, 0.5, 5},        // stone, ceramics, glass
    {71, 71, {0.2, 2, 1, 0.5}, 500, 20000},    // jewellery
    {72, 73, {8, 0.5, 0.3, 0.1}, 1, 12},       // iron and steel
    {74, 83, {5, 1, 0.6, 0.2}, 3, 30},         // other base metals
    {84, 84, {9, 5, 3, 0.8}, 10, 120},         // machinery
    {85, 85, {8, 6, 6, 2.5}, 15, 300},         // electrical equipment
    {86, 89, {4, 1, 0.8, 0.2}, 5, 40},         // vehicles
    {90, 90, {1, 3, 2, 0.8}, 50, 1500},        // instruments
    {91, 92, {0.2, 1, 1.2, 0.6}, 20, 3000},    // clocks, musical instruments
    {93, 93, {0.05, 0.1, 0.05, 0}, 50, 500},   // arms
    {94, 94, {6, 0.5, 1.5, 0.4}, 3, 25},       // furniture, lighting
    {95, 96, {4, 1, 3, 1.5}, 5, 40},           // toys, sports, miscellaneous
    {97, 97, {0.1, 0.3, 0.2, 0.1}, 100, 10000},  // art
};

// Shares of the goods in all traffic; the rest is background.
struct GoodsShare {
  Goods goods;
  double share;
};
inline const GoodsShare kGoodsShares[] = {
    {Goods::kLuxuryBagFake, 0.0020}, {Goods::kLuxuryApparelFake, 0.0015},
    {Goods::kLuxuryGenuine, 0.0010}, {Goods::kGenericBag, 0.0080},
    {Goods::kApparel, 0.0400},       {Goods::kAirbagFake, 0.0012},
    {Goods::kAirbagGenuine, 0.0006}, {Goods::kBrakeFake, 0.0015},
    {Goods::kBrakeGenuine, 0.0030},  {Goods::kAutoParts, 0.0100},
    {Goods::kChipFake, 0.0010},      {Goods::kChipGenuine, 0.0050},
    {Goods::kMaskFake, 0.0012},      {Goods::kMaskOther, 0.0015},
    {Goods::kReels, 0.0015},         {Goods::kLedCheap, 0.0025},
    {Goods::kLedOther, 0.0030},      {Goods::kFootwear, 0.0200},
    {Goods::kCosmetics, 0.0150},     {Goods::kToys, 0.0200},
    {Goods::kBikeParts, 0.0050},     {Goods::kOptics, 0.0003},
    {Goods::kElectronics, 0.0300},
};
// Shipments by a repeat violator (the goods come from the violator's line).
inline constexpr double kViolatorShare = 0.0025;
// Of those, the share written under the listed name (the rest use a variant).
inline constexpr double kViolatorListedShare = 0.75;
// Of a violator's unlisted shipments, the share under a respelling (Plant).
inline constexpr double kRespeltShare = 0.5;
// Background shipments whose shipper is a name decoy, and those with an
// SDN-listed party under a variant name.
inline constexpr double kDecoyShare = 0.002;
inline constexpr double kSanctionedShare = 0.0006;

inline const char* const kCarMakes[] = {"TOYOTA", "HONDA", "FORD",   "NISSAN", "CHEVROLET",
                                 "HYUNDAI", "KIA",  "SUBARU", "JEEP",   "VOLKSWAGEN"};

// ---------------------------------------------------------------------------
// Names.

enum class Sector : std::uint8_t {
  kGeneral,
  kAuto,
  kElectronics,
  kApparel,
  kLighting,
  kSporting,
  kEcommerce,
  kCount
};
inline constexpr int kSectorCount = static_cast<int>(Sector::kCount);

inline const char* const kSectorWords[kSectorCount][5] = {
    {"Trading", "Import & Export", "Industrial", "Commerce", "International Trade"},
    {"Auto Parts", "Automotive Parts", "Auto Accessories", "Motor Parts", "Auto Components"},
    {"Electronics", "Electronic Technology", "Technology", "Microelectronics",
     "Electronic Components"},
    {"Garments", "Apparel", "Clothing", "Handbags", "Leather Products"},
    {"Lighting", "Optoelectronic", "Lighting Technology", "Illumination", "Lamps"},
    {"Sporting Goods", "Outdoor Products", "Fishing Tackle", "Sports Equipment", "Toys"},
    {"E-Commerce", "Supply Chain", "Network Technology", "Cross-Border E-Commerce", "Trading"},
};

// Legal-suffix spellings. Within a family every spelling normalizes away
// (SPEC section 2, `name`), except where real manifests spell them otherwise.
enum class Suffix : std::uint8_t {
  kCoLtd, kLimited, kGmbh, kSrl, kInc, kPte, kPvt, kSdnBhd, kCorp, kBv, kSa, kLlc, kPtyLtd,
  kAg, kLtda, kSl, kAs, kNone
};
const std::vector<const char*>& SuffixSpellings(Suffix s);

struct NameStyle {
  const char* country;
  std::vector<const char*> cores;
  std::vector<const char*> places;  // a city word used in names and MIDs
  Suffix suffix;
  const char* pattern;  // {P} place, {C} core, {S} sector word
};

// Cores never spell a repeat violator's name (so Q-NTC-0415's patterns only
// find violators), nor a real company's.
const std::vector<NameStyle>& NameStyles();

inline const char* const kFirstNames[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Carlos", "Maria", "Juan", "Ana", "Wei", "Mei", "Minh", "Linh", "Priya", "Raj",
    "Ahmed", "Fatima", "Kevin", "Emily", "Jose", "Luis", "Daniel", "Ashley", "Brian", "Nicole",
    "Jin", "Soo-ah", "Olga", "Ivan", "Aisha", "Omar", "Grace", "Tyler", "Hannah", "Diego"};
inline const char* const kLastNames[] = {
    "Smith",  "Johnson", "Williams", "Brown",  "Jones",  "Garcia",    "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore",   "Jackson",  "Martin", "Lee",    "Nguyen",    "Chen",   "Wang",
    "Kim",    "Patel",   "Singh",    "Khan",   "O'Brien", "Perez",    "Ramirez", "Walker",
    "Young",  "Allen",   "King",     "Wright", "Scott",  "Torres",    "Hill",   "Flores",
    "Green",  "Adams",   "Baker",    "Hall",   "Rivera", "Campbell",  "Mitchell", "Carter"};
inline const char* const kStreets[] = {"Main",    "Oak",       "Pine",      "Maple",   "Cedar",
                                "Elm",     "Washington", "Lake",     "Hill",    "Park",
                                "Sunset",  "Ridge",     "Harbor",    "Industrial", "Commerce",
                                "Airport", "Market",    "Church",    "Mill",    "River",
                                "Valley",  "Highland",  "Lincoln",   "Jefferson", "Madison"};
inline const char* const kStreetTypes[] = {"St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Way", "Ct", "Pkwy"};
struct City {
  const char* name;
  const char* state;
  int zip_lo, zip_hi;
};
inline const City kCities[] = {
    {"Los Angeles", "CA", 90001, 90089},  {"Long Beach", "CA", 90802, 90815},
    {"Ontario", "CA", 91761, 91764},      {"San Jose", "CA", 95110, 95139},
    {"Houston", "TX", 77001, 77099},      {"Dallas", "TX", 75201, 75254},
    {"El Paso", "TX", 79901, 79938},      {"Miami", "FL", 33101, 33199},
    {"Orlando", "FL", 32801, 32839},      {"Doral", "FL", 33122, 33178},
    {"New York", "NY", 10001, 10282},     {"Brooklyn", "NY", 11201, 11256},
    {"Jamaica", "NY", 11430, 11439},      {"Edison", "NJ", 8817, 8837},
    {"Newark", "NJ", 7101, 7114},         {"Chicago", "IL", 60601, 60661},
    {"Elk Grove Village", "IL", 60007, 60009}, {"Atlanta", "GA", 30301, 30349},
    {"Savannah", "GA", 31401, 31419},     {"Seattle", "WA", 98101, 98199},
    {"Kent", "WA", 98030, 98035},         {"Portland", "OR", 97201, 97239},
    {"Phoenix", "AZ", 85001, 85054},      {"Denver", "CO", 80201, 80239},
    {"Memphis", "TN", 38101, 38141},      {"Louisville", "KY", 40201, 40299},
    {"Columbus", "OH", 43085, 43235},     {"Detroit", "MI", 48201, 48243},
    {"Charlotte", "NC", 28201, 28299},    {"Boston", "MA", 2108, 2137},
    {"Philadelphia", "PA", 19102, 19154}, {"Baltimore", "MD", 21201, 21239},
    {"Las Vegas", "NV", 89101, 89199},    {"Salt Lake City", "UT", 84101, 84199},
    {"Minneapolis", "MN", 55401, 55488},  {"St. Louis", "MO", 63101, 63199}};
inline const char* const kBusinessWords1[] = {
    "Pacific", "Atlantic", "Summit", "Evergreen", "Blue Harbor", "Golden State", "Liberty",
    "Eagle", "Keystone", "Frontier", "Pioneer", "Lakeside", "Sunrise", "Northstar", "Cascade",
    "Redwood", "Heartland", "Coastal", "Premier", "United", "Allied", "Metro", "Prime",
    "Tri-State", "Gulf Coast", "Silver Line", "Iron Bridge", "Bayview", "Crescent", "Patriot"};
inline const char* const kBusinessWords2[] = {
    "Imports", "Trading", "Distribution", "Supply", "Wholesale", "Home Goods", "Auto Supply",
    "Electronics", "Apparel", "Brands", "Outdoor", "Lighting", "Components", "Merchandise",
    "Logistics", "Retail Group", "Industries", "Parts", "Fashion", "Sports"};
inline const char* const kBusinessSuffixes[] = {"Inc.", "Inc", "LLC", "L.L.C.", "Corp.", "Corporation",
                                         "Co.", "Company", "Ltd", "Group Inc"};

// ---------------------------------------------------------------------------
// Helpers.

WeightedIndex IndexByWeight(const std::vector<Weighted>& items);

void AppendUpper(std::string_view s, std::string* out);
void AppendLower(std::string_view s, std::string* out);

// Writes `text` in the case a clerk or a shipping system would use.
void AppendMessyCase(Rng& rng, std::string_view text, std::string* out);

std::string FormatFixed(double value, int decimals);
double ParseBack(const std::string& text);

std::string Letters3(std::string_view word);

std::vector<std::string_view> Words(std::string_view s);

struct Party {
  std::string base;  // without the legal suffix
  Suffix suffix = Suffix::kNone;
  std::string country;
  std::string mid;  // manufacturer id (CBP MID form)
};

struct Consignee {
  std::string name;
  std::string address;
  std::string importer_id;
};

}  // namespace detail

using detail::Consignee;
using detail::Party;
using detail::Sector;

struct World::Impl {
  // Shippers by country and sector.
  std::map<std::string, std::vector<std::vector<Party>>, std::less<>> shippers;
  std::vector<Party> violator_parties;  // listed names, then variants, per violator
  std::vector<std::vector<int>> violator_variant_index;
  std::vector<Party> airbag_suppliers;
  // Names drawn from a stream of their own (see Plant).
  std::uint64_t seed = 0;
  std::vector<std::vector<Party>> violator_respellings;  // by violator
  std::vector<Party> decoys;                             // by NameDecoys()
  std::vector<Party> sanctioned;                         // by SanctionedEntities()
  void Plant(std::uint64_t index, Shipment* s) const;
  std::vector<Consignee> businesses;
  // Ports.
  WeightedIndex entry_ports[kModeCount];
  WeightedIndex carriers[kModeCount];
  WeightedIndex origins[kModeCount];
  WeightedIndex modes;
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>,
           std::less<>>
      tail_ports;  // country -> (sea, air) from UN/LOCODE
  // Goods.
  WeightedIndex goods;  // over kGoodsShares plus background
  WeightedIndex chapter_groups[kModeCount];
  std::vector<std::vector<const internal::HsCode*>> hs6_by_chapter;  // [chapter] -> 6-digit codes
  Days first_day = 0;

  const Party& PickShipper(Rng& rng, std::string_view country, Sector sector) const;
  void Route(Rng& rng, Mode mode, Shipment* s, int force_hk) const;
  std::string_view LadingPort(Rng& rng, std::string_view country, Mode mode) const;
  void WriteParty(Rng& rng, const Party& p, std::string* out) const;
  void Background(Rng& rng, Shipment* s, std::string* desc, double* vpk, Mode* mode) const;
};

}  // namespace targeting::gen

#endif  // TARGETING_LIB_GEN_WORLD_TABLES_H_
