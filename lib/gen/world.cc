#include "gen/world.h"

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

const char* ModeCode(Mode mode) {
  switch (mode) {
    case Mode::kSea: return "SEA";
    case Mode::kAir: return "AIR";
    case Mode::kExpress: return "EXPRESS";
    case Mode::kMail: return "MAIL";
  }
  return "SEA";
}

const char* GoodsName(Goods goods) {
  static const char* const kNames[] = {
      "background",    "luxury_bag_fake", "luxury_apparel_fake", "luxury_genuine", "generic_bag",
      "apparel",       "airbag_fake",     "airbag_genuine",      "brake_fake",     "brake_genuine",
      "auto_parts",    "chip_fake",       "chip_genuine",        "mask_fake",      "mask_other",
      "fishing_reels", "led_cheap",       "led_other",           "footwear",       "cosmetics",
      "toys",          "bike_parts",      "optics",              "electronics"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<std::size_t>(Goods::kCount));
  return kNames[static_cast<std::size_t>(goods)];
}

const std::vector<Violator>& Violators() {
  using G = Goods;
  static const std::vector<Violator>* const kViolators = new std::vector<Violator>{
      {"Shenzhen Hongda Trading Co., Ltd.", "CN",
       {"Shenzhen Hong Da Trading Co Ltd", "Hongda Trading (Shenzhen) Co., Ltd."},
       {G::kLuxuryBagFake, G::kElectronics, G::kToys, G::kGenericBag},
       {"Shenzen Hongda Trading Co., Ltd.", "Shenzhen Hongda Tradng Co Ltd",
        "Shenzhen Hongda Trading Pty Ltd", "Shenzhen Hongda Intl Trading Co., Ltd."}},
      {"Guangzhou Xinyue Auto Parts Co., Ltd.", "CN",
       {"Guangzhou Xin Yue Auto Parts Co Ltd", "GZ Xinyue Autoparts Co., Ltd."},
       {G::kBrakeFake, G::kAirbagFake, G::kAutoParts},
       {"Guangzhou Xinyeu Auto Parts Co., Ltd.", "Guangzhou Xinyue Auto Part Co Ltd",
        "Guangzhou Xinyue Auto Parts Trading Co., Ltd."}},
      {"Yiwu Jiali Import & Export Co., Ltd.", "CN",
       {"Yiwu Jia Li Import and Export Co., Ltd."},
       {G::kToys, G::kLedCheap, G::kApparel, G::kMaskFake},
       {"Yiwu Jiali Imports & Export Co., Ltd.", "Yiwu Jiali Import & Export JSC",
        "Yiwu Jaili Import & Export Co., Ltd."}},
      {"Dongguan Ruisheng Electronics Co., Ltd.", "CN",
       {"Dongguan Rui Sheng Electronic Co., Ltd."},
       {G::kChipFake, G::kElectronics, G::kLedCheap},
       {"Dongguang Ruisheng Electronics Co Ltd",
        "Dongguan Ruisheng Electronics Technology Co., Ltd."}},
      {"Golden Harbour International Trading Limited", "HK",
       {"Golden Harbor Intl Trading Ltd"},
       {G::kLuxuryBagFake, G::kLuxuryApparelFake, G::kElectronics},
       {"Golden Harbour Intl Trading Limited", "Golden Habour International Trading Ltd",
        "Golden Harbour International Trading (HK) Limited"}},
      {"Fujian Jinlong Bags Co., Ltd.", "CN",
       {"Fujian Jin Long Bags Co Ltd"},
       {G::kLuxuryBagFake, G::kGenericBag},
       {"Fujian Jinlong Bag Co., Ltd.", "Fujian Jinlong Bags Industry Co., Ltd.",
        "Fujain Jinlong Bags Co Ltd"}},
      {"Xiamen Haoyun Sporting Goods Co., Ltd.", "CN",
       {"Xiamen Hao Yun Sports Goods Co., Ltd."},
       {G::kReels, G::kFootwear, G::kBikeParts},
       {"Xiamen Haoyun Sporting Good Co., Ltd.", "Xiamen Haoyun Sport Goods Co., Ltd."}},
      {"Ningbo Tianyu Lighting Co., Ltd.", "CN",
       {"Ningbo Tian Yu Lighting Co Ltd"},
       {G::kLedCheap, G::kLedOther},
       {"Ningbo Tianyu Lightings Co., Ltd.", "Ningbo Tianyu Lighting Technology Co., Ltd.",
        "Ningbo Tainyu Lighting Co Ltd"}},
      {"Wah Fung Electronic Components Co., Limited", "HK",
       {"Wah Fung Electronics Components Ltd"},
       {G::kChipFake, G::kElectronics},
       {"Wah Fung Electronic Component Ltd", "Wah Feng Electronic Components Co., Limited"}},
      {"Zhejiang Kaiyuan Garments Co., Ltd.", "CN",
       {"Zhejiang Kai Yuan Garment Co Ltd"},
       {G::kLuxuryApparelFake, G::kApparel, G::kFootwear},
       {"Zhejaing Kaiyuan Garments Co Ltd", "Zhejiang Kaiyuan Garments Imp & Exp Co., Ltd."}},
  };
  return *kViolators;
}

const std::vector<NameDecoy>& NameDecoys() {
  // Same city and trade as a violator, another company; most stay below a
  // Jaro-Winkler of 0.92 with every listed name, three (marked) do not.
  static const std::vector<NameDecoy>* const kDecoys = new std::vector<NameDecoy>{
      {"Shenzhen Yongsheng Trading Co., Ltd.", 0},  {"Shenzhen Huafeng Trading Co., Ltd.", 0},
      {"Shenzhen Minghao Trading Co., Ltd.", 0},  // 0.943
      {"Guangzhou Sanxing Auto Parts Co., Ltd.", 1}, {"Guangzhou Dehong Auto Parts Co., Ltd.", 1},
      {"Yiwu Kangda Import & Export Co., Ltd.", 2}, {"Yiwu Baoli Import & Export Co., Ltd.", 2},
      {"Dongguan Jinhui Electronics Co., Ltd.", 3},  {"Dongguan Xinhua Electronics Co., Ltd.", 3},
      {"Dongguan Hengtai Electronics Co., Ltd.", 3},  // 0.938
      {"Golden Fuda International Trading Co., Ltd.", 4},
      {"Golden Baoli International Trading Co., Ltd.", 4},
      {"Fujian Sanxing Bags Co., Ltd.", 5},         {"Fujian Dehong Bags Co., Ltd.", 5},
      {"Xiamen Minghao Sporting Goods Co., Ltd.", 6}, {"Xiamen Lianfa Sporting Goods Co., Ltd.", 6},
      {"Ningbo Kangda Lighting Co., Ltd.", 7},      {"Ningbo Jinhui Lighting Co., Ltd.", 7},
      {"Ningbo Tianhe Lighting Co., Ltd.", 7},  // 0.939
      {"Wah Weiye Electronic Components Co., Limited", 8},
      {"Wah Fuda Electronic Components Co., Limited", 8},
      {"Zhejiang Weiye Garments Co., Ltd.", 9},     {"Zhejiang Tianhe Garments Co., Ltd.", 9},
  };
  return *kDecoys;
}

const std::vector<SanctionedEntity>& SanctionedEntities() {
  static const std::vector<SanctionedEntity>* const kEntities = new std::vector<SanctionedEntity>{
      {"KOREA RYONBONG GENERAL CORPORATION", "Korea Ryongbong General Corp.", false},
      {"ISLAMIC REPUBLIC OF IRAN SHIPPING LINES", "Islamic Republic of Iran Shipping Line", false},
      {"HESONG TRADING CORPORATION", "Hesong Tradeing Corp.", false},
      {"TOSONG TECHNOLOGY TRADING CORPORATION", "Tosong Technologies Trading Corp.", false},
      {"BEIJING ALITE TECHNOLOGIES CO., LTD.", "Beijing Alite Technology Co Ltd", false},
      {"LIMMT ECONOMIC AND TRADE COMPANY, LTD.", "Limmt Economic and Trading Company Ltd", false},
      {"DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD",
       "Dandong Hong Xiang Industrial Development Co., Ltd.", false},
      {"SHENZHEN 5G HIGH-TECH INNOVATION CO., LIMITED", "Shenzhen 5G Hi-Tech Innovation Co., Limited",
       false},
      {"MAHAN AIR", "Mahan Airlines", true},
  };
  return *kEntities;
}

namespace {

// ---------------------------------------------------------------------------
// Static tables.

struct Weighted {
  const char* value;
  double weight;
};

// Ports of entry (CBP four-digit port codes, illustrative) by mode.
const std::vector<Weighted> kEntryPorts[kModeCount] = {
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
constexpr const char* kReelPort = "3001";

const std::vector<Weighted> kCarriers[kModeCount] = {
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
const std::vector<Weighted> kOrigins[kModeCount] = {
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
const std::vector<double> kModeShares = {32, 16, 38, 14};

// Curated ports of lading: the big sea ports and airports of each country.
// Each must be in data/unlocode-ports.csv with the right function (tested).
struct CountryPorts {
  const char* country;
  std::vector<const char*> sea;
  std::vector<const char*> air;
};
const std::vector<CountryPorts> kLadingPorts = {
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
const ChapterGroup kChapterGroups[] = {
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
const GoodsShare kGoodsShares[] = {
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
constexpr double kViolatorShare = 0.0025;
// Of those, the share written under the listed name (the rest use a variant).
constexpr double kViolatorListedShare = 0.75;
// Of a violator's unlisted shipments, the share under a respelling (Plant).
constexpr double kRespeltShare = 0.5;
// Background shipments whose shipper is a name decoy, and those with an
// SDN-listed party under a variant name.
constexpr double kDecoyShare = 0.002;
constexpr double kSanctionedShare = 0.0006;

const char* const kCarMakes[] = {"TOYOTA", "HONDA", "FORD",   "NISSAN", "CHEVROLET",
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
constexpr int kSectorCount = static_cast<int>(Sector::kCount);

const char* const kSectorWords[kSectorCount][5] = {
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
const std::vector<const char*>& SuffixSpellings(Suffix s) {
  static const std::vector<const char*> kTable[] = {
      {"Co., Ltd.", "Co.,Ltd.", "CO., LTD", "CO LTD", "Co. Ltd", "Company Limited", "Co.,Ltd",
       "co.,ltd"},
      {"Limited", "Ltd", "Ltd.", "LTD"},
      {"GmbH", "GMBH", "Gmbh"},
      {"S.r.l.", "SRL", "Srl"},
      {"Inc.", "Inc", "INC", "Incorporated"},
      {"Pte. Ltd.", "Pte Ltd", "PTE LTD"},
      {"Pvt. Ltd.", "Pvt Ltd", "Private Limited"},
      {"Sdn. Bhd.", "Sdn Bhd", "SDN BHD"},
      {"Corporation", "Corp.", "Corp"},
      {"B.V.", "BV"},
      {"SAS", "S.A."},
      {"LLC", "L.L.C."},
      {"Pty Ltd", "Pty. Ltd."},
      {"AG"},
      {"Ltda.", "LTDA"},
      {"S.L.", "SL"},
      {"A.S.", "AS"},
      {""},
  };
  return kTable[static_cast<std::size_t>(s)];
}

struct NameStyle {
  const char* country;
  std::vector<const char*> cores;
  std::vector<const char*> places;  // a city word used in names and MIDs
  Suffix suffix;
  const char* pattern;  // {P} place, {C} core, {S} sector word
};

// Cores never spell a repeat violator's name (so Q-NTC-0415's patterns only
// find violators), nor a real company's.
const std::vector<NameStyle>& NameStyles() {
  static const std::vector<NameStyle>* const kStyles = new std::vector<NameStyle>{
      {"CN",
       {"Huaxin", "Jinda", "Xinyuan", "Hengtai", "Tianli", "Yongsheng", "Baoli", "Ruifeng",
        "Haoyu", "Kaida", "Mingyang", "Shengda", "Zhongxing", "Weilong", "Fuxing", "Longteng",
        "Jiahe", "Dingsheng", "Anda", "Hengyuan", "Xinda", "Huamei", "Lianfa", "Meida",
        "Runfeng", "Sanhe", "Shunfa", "Tongda", "Wanjia", "Xiangyu", "Yida", "Yuanfeng",
        "Zhenghe", "Boxin", "Chuangxin", "Fengyuan", "Guoxin", "Hongyun", "Jiarui", "Qiaolian"},
       {"Shenzhen", "Guangzhou", "Dongguan", "Yiwu", "Ningbo", "Xiamen", "Shanghai", "Hangzhou",
        "Foshan", "Quanzhou", "Wenzhou", "Suzhou", "Tianjin", "Qingdao", "Zhongshan", "Shantou",
        "Jinhua", "Changzhou"},
       Suffix::kCoLtd, "{P} {C} {S}"},
      {"HK",
       {"Kam Wah", "Sun Hing", "Tai Fung", "Lucky Star", "Fortune Bridge", "Grand Ocean",
        "Silver Dragon", "Pearl River", "Evergain", "Bright Wealth", "Jade Phoenix",
        "Ocean Crown", "Asia Link", "Rich Harvest", "Victory Bay", "Star Gate"},
       {"Kowloon", "Kwun Tong", "Tsuen Wan", "Sheung Wan"},
       Suffix::kLimited, "{C} {S} (HK)"},
      {"TW", {"Chen Hsin", "Yung Fu", "Tai Chang", "Hsin Yi", "Kuo Feng", "Ming Tai", "Lien Hwa",
              "Sheng Yu"},
       {"Taichung", "Taipei", "Kaohsiung", "Tainan"}, Suffix::kCoLtd, "{C} {S} Enterprise"},
      {"KR", {"Daehan", "Hanil", "Samjin", "Dongyang", "Sejin", "Myungsung", "Shinwoo", "Kumsan",
              "Haesung"},
       {"Seoul", "Busan", "Incheon", "Daegu"}, Suffix::kCoLtd, "{C} {S}"},
      {"JP", {"Tanaka", "Yamato", "Fujimi", "Kobayashi", "Nishida", "Sakura", "Hoshino",
              "Aoyama"},
       {"Tokyo", "Osaka", "Nagoya", "Yokohama"}, Suffix::kCorp, "{C} {S}"},
      {"VN", {"Phu Thanh", "Minh Long", "Hoang Gia", "An Phat", "Tan Thanh", "Dai Viet",
              "Thanh Cong", "Hung Thinh"},
       {"Ho Chi Minh", "Hanoi", "Haiphong", "Binh Duong"}, Suffix::kCoLtd, "{C} {S}"},
      {"IN", {"Shree Ganesh", "Sai Krishna", "Bharat", "Om Sai", "Laxmi", "Surya", "Arihant",
              "Mahalaxmi"},
       {"Mumbai", "Chennai", "Delhi", "Tiruppur"}, Suffix::kPvt, "{C} {S}"},
      {"TH", {"Siam Rattana", "Chao Phraya", "Ratchada", "Bangna", "Sukhumvit"},
       {"Bangkok", "Chonburi"}, Suffix::kCoLtd, "{C} {S}"},
      {"MY", {"Seri Maju", "Bintang", "Gemilang", "Perdana", "Cahaya"},
       {"Penang", "Klang", "Johor"}, Suffix::kSdnBhd, "{C} {S}"},
      {"ID", {"Sinar Jaya", "Maju Bersama", "Karya Mandiri", "Bumi Indah"},
       {"Jakarta", "Surabaya", "Bandung"}, Suffix::kNone, "PT {C} {S}"},
      {"BD", {"Padma", "Meghna", "Rupsha", "Karnaphuli"}, {"Dhaka", "Chattogram"},
       Suffix::kLimited, "{C} {S}"},
      {"PK", {"Indus", "Ravi", "Chenab", "Sialkot Star"}, {"Karachi", "Sialkot", "Lahore"},
       Suffix::kPvt, "{C} {S}"},
      {"LK", {"Lanka Star", "Ceylon Pearl"}, {"Colombo"}, Suffix::kPvt, "{C} {S}"},
      {"AE", {"Al Noor", "Al Madina", "Gulf Star", "Desert Rose", "Al Safa"},
       {"Dubai", "Sharjah"}, Suffix::kLlc, "{C} General Trading"},
      {"DE", {"M\xC3\xBCller", "Sch\xC3\xA4" "fer", "Becker", "Nordlicht", "Weber", "Hoffmann",
              "Bergmann", "Kr\xC3\xBCger"},
       {"Hamburg", "Frankfurt", "Stuttgart", "Bremen"}, Suffix::kGmbh, "{C} {S}"},
      {"NL", {"Van Dijk", "De Vries", "Oranje", "Hollandia"}, {"Rotterdam", "Amsterdam"},
       Suffix::kBv, "{C} {S}"},
      {"BE", {"Schelde", "Vlaanderen"}, {"Antwerpen", "Brussel"}, Suffix::kBv, "{C} {S}"},
      {"IT", {"Pelletteria Fiorentina", "Tessitura Lombarda", "Moda Veneta",
              "Calzaturificio Marche", "Officine Meccaniche Rossi", "Pelletteria Toscana",
              "Bianchi Industrie", "Conti Commerciale", "Esposito Import Export",
              "Galli Forniture"},
       {"Firenze", "Milano", "Venezia", "Napoli"}, Suffix::kSrl, "{C}"},
      {"FR", {"Maison Lef\xC3\xA8vre", "Atelier Dubois", "Parfums de Provence",
              "Maroquinerie Laurent", "Durand Industries", "Moreau Export"},
       {"Paris", "Lyon", "Grasse"}, Suffix::kSa, "{C}"},
      {"GB", {"Thames", "Albion", "Pennine", "Northgate", "Kingsway"},
       {"London", "Leeds", "Bristol"}, Suffix::kLimited, "{C} {S}"},
      {"ES", {"Levante", "Iberia Moda", "Costa Brava"}, {"Valencia", "Barcelona"}, Suffix::kSl,
       "{C} {S}"},
      {"MX", {"Grupo Azteca", "Industrias del Norte", "Autopartes Baj\xC3\xADo",
              "Manufacturas Jalisco"},
       {"Monterrey", "Guadalajara", "Queretaro"}, Suffix::kSa, "{C} de C.V."},
      {"TR", {"Anadolu", "Bosphorus", "Ege Tekstil"}, {"Istanbul", "Izmir"}, Suffix::kAs,
       "{C} {S}"},
      {"PH", {"Luzon", "Visayas"}, {"Manila", "Cebu"}, Suffix::kInc, "{C} {S}"},
      {"KH", {"Angkor", "Mekong"}, {"Phnom Penh"}, Suffix::kCoLtd, "{C} {S}"},
      {"CA", {"Northern Lights", "Great Lakes", "Laurentian"}, {"Toronto", "Vancouver"},
       Suffix::kInc, "{C} {S}"},
      {"BR", {"Paulista", "Rio Grande", "Amazonas"}, {"Sao Paulo", "Santos"}, Suffix::kLtda,
       "{C} {S}"},
      {"AU", {"Southern Cross", "Coral Coast"}, {"Sydney", "Melbourne"}, Suffix::kPtyLtd,
       "{C} {S}"},
      {"CH", {"Alpen", "Helvetia"}, {"Zurich", "Basel"}, Suffix::kAg, "{C} {S}"},
      {"IL", {"Negev", "Carmel"}, {"Tel Aviv", "Haifa"}, Suffix::kLimited, "{C} {S}"},
      {"SG", {"Lion City", "Merlion", "Straits"}, {"Singapore"}, Suffix::kPte, "{C} {S}"},
  };
  return *kStyles;
}

const char* const kFirstNames[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Carlos", "Maria", "Juan", "Ana", "Wei", "Mei", "Minh", "Linh", "Priya", "Raj",
    "Ahmed", "Fatima", "Kevin", "Emily", "Jose", "Luis", "Daniel", "Ashley", "Brian", "Nicole",
    "Jin", "Soo-ah", "Olga", "Ivan", "Aisha", "Omar", "Grace", "Tyler", "Hannah", "Diego"};
const char* const kLastNames[] = {
    "Smith",  "Johnson", "Williams", "Brown",  "Jones",  "Garcia",    "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore",   "Jackson",  "Martin", "Lee",    "Nguyen",    "Chen",   "Wang",
    "Kim",    "Patel",   "Singh",    "Khan",   "O'Brien", "Perez",    "Ramirez", "Walker",
    "Young",  "Allen",   "King",     "Wright", "Scott",  "Torres",    "Hill",   "Flores",
    "Green",  "Adams",   "Baker",    "Hall",   "Rivera", "Campbell",  "Mitchell", "Carter"};
const char* const kStreets[] = {"Main",    "Oak",       "Pine",      "Maple",   "Cedar",
                                "Elm",     "Washington", "Lake",     "Hill",    "Park",
                                "Sunset",  "Ridge",     "Harbor",    "Industrial", "Commerce",
                                "Airport", "Market",    "Church",    "Mill",    "River",
                                "Valley",  "Highland",  "Lincoln",   "Jefferson", "Madison"};
const char* const kStreetTypes[] = {"St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Way", "Ct", "Pkwy"};
struct City {
  const char* name;
  const char* state;
  int zip_lo, zip_hi;
};
const City kCities[] = {
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
const char* const kBusinessWords1[] = {
    "Pacific", "Atlantic", "Summit", "Evergreen", "Blue Harbor", "Golden State", "Liberty",
    "Eagle", "Keystone", "Frontier", "Pioneer", "Lakeside", "Sunrise", "Northstar", "Cascade",
    "Redwood", "Heartland", "Coastal", "Premier", "United", "Allied", "Metro", "Prime",
    "Tri-State", "Gulf Coast", "Silver Line", "Iron Bridge", "Bayview", "Crescent", "Patriot"};
const char* const kBusinessWords2[] = {
    "Imports", "Trading", "Distribution", "Supply", "Wholesale", "Home Goods", "Auto Supply",
    "Electronics", "Apparel", "Brands", "Outdoor", "Lighting", "Components", "Merchandise",
    "Logistics", "Retail Group", "Industries", "Parts", "Fashion", "Sports"};
const char* const kBusinessSuffixes[] = {"Inc.", "Inc", "LLC", "L.L.C.", "Corp.", "Corporation",
                                         "Co.", "Company", "Ltd", "Group Inc"};

// ---------------------------------------------------------------------------
// Helpers.

WeightedIndex IndexByWeight(const std::vector<Weighted>& items) {
  std::vector<double> weights;
  for (const Weighted& item : items) weights.push_back(item.weight);
  return WeightedIndex(weights);
}

void AppendUpper(std::string_view s, std::string* out) {
  for (char c : s) out->push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c);
}
void AppendLower(std::string_view s, std::string* out) {
  for (char c : s) out->push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
}

// Writes `text` in the case a clerk or a shipping system would use.
void AppendMessyCase(Rng& rng, std::string_view text, std::string* out) {
  double u = rng.Uniform();
  if (u < 0.55) AppendUpper(text, out);
  else if (u < 0.94) out->append(text);
  else AppendLower(text, out);
}

std::string FormatFixed(double value, int decimals) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
  return std::string(buf, res.ptr);
}
double ParseBack(const std::string& text) {
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::string Letters3(std::string_view word) {
  std::string out;
  for (char c : word) {
    if (out.size() == 3) break;
    if (c >= 'a' && c <= 'z') out.push_back(static_cast<char>(c - 32));
    else if (c >= 'A' && c <= 'Z') out.push_back(c);
  }
  while (out.size() < 3) out.push_back('X');
  return out;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

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

}  // namespace

// ---------------------------------------------------------------------------

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

namespace {

Party MakeParty(Rng& rng, const NameStyle& style, Sector sector) {
  Party p;
  p.country = style.country;
  std::string_view core = rng.Pick(style.cores);
  std::string_view place = rng.Pick(style.places);
  std::string_view word = kSectorWords[static_cast<int>(sector)][rng.Below(5)];
  for (const char* c = style.pattern; *c; ++c) {
    if (c[0] == '{' && c[1] && c[2] == '}') {
      if (c[1] == 'P') p.base.append(place);
      else if (c[1] == 'C') p.base.append(core);
      else if (c[1] == 'S') p.base.append(word);
      c += 2;
    } else {
      p.base.push_back(*c);
    }
  }
  p.suffix = style.suffix;
  // CBP manufacturer id: country, 3 letters of the first two name words,
  // 4 digits of the street number, 3 letters of the city.
  std::vector<std::string_view> words = Words(core);
  std::string_view w1 = words.empty() ? core : words[0];
  std::string_view w2 = words.size() > 1 ? words[1] : word;
  char digits[8];
  std::snprintf(digits, sizeof digits, "%04d", static_cast<int>(rng.Int(1, 9999)));
  p.mid = std::string(style.country) + Letters3(w1) + Letters3(w2) + digits + Letters3(place);
  return p;
}

Party PartyFromName(std::string_view full, std::string_view country) {
  Party p;
  p.country = std::string(country);
  p.suffix = Suffix::kNone;
  p.base = std::string(full);
  // Strip the legal suffix the name was written with; the party is then
  // written with any spelling of that family.
  static const char* const kEndings[] = {"Co., Ltd.", "Co.,Ltd.", "Co., Limited", "Co Ltd",
                                         "Co. Ltd", "Company Limited", "Limited", "Ltd.", "Ltd"};
  for (std::string_view ending : kEndings) {
    if (full.size() > ending.size() + 1 && full.substr(full.size() - ending.size()) == ending &&
        full[full.size() - ending.size() - 1] == ' ') {
      p.base = std::string(full.substr(0, full.size() - ending.size() - 1));
      p.suffix = ending.substr(0, 2) == "Co" ? Suffix::kCoLtd : Suffix::kLimited;
      break;
    }
  }
  std::vector<std::string_view> words = Words(p.base);
  p.mid = std::string(country) + Letters3(words.size() > 1 ? words[1] : words[0]) +
          Letters3(words.size() > 2 ? words[2] : words[0]) + "1088" + Letters3(words[0]);
  return p;
}

}  // namespace

void World::Impl::WriteParty(Rng& rng, const Party& p, std::string* out) const {
  out->clear();
  AppendMessyCase(rng, p.base, out);
  const std::vector<const char*>& spellings = SuffixSpellings(p.suffix);
  std::string_view suffix = spellings[rng.Below(spellings.size())];
  if (!suffix.empty()) {
    out->push_back(' ');
    if (rng.Chance(0.5)) AppendMessyCase(rng, suffix, out);
    else out->append(suffix);
  }
  double u = rng.Uniform();
  if (u < 0.03) out->push_back('.');
  else if (u < 0.05) out->append("  ");
}

const Party& World::Impl::PickShipper(Rng& rng, std::string_view country, Sector sector) const {
  auto it = shippers.find(country);
  if (it == shippers.end()) it = shippers.find("CN");
  const std::vector<Party>& pool = it->second[static_cast<std::size_t>(sector)];
  // Big shippers ship more: the index is skewed towards the front.
  double u = rng.Uniform();
  return pool[static_cast<std::size_t>(u * u * static_cast<double>(pool.size()))];
}

std::string_view World::Impl::LadingPort(Rng& rng, std::string_view country, Mode mode) const {
  const bool sea = mode == Mode::kSea;
  auto tail = tail_ports.find(country);
  if (tail != tail_ports.end() && rng.Chance(0.05)) {
    const std::vector<std::string>& list = sea ? tail->second.first : tail->second.second;
    if (!list.empty()) return rng.Pick(list);
  }
  for (const CountryPorts& cp : kLadingPorts) {
    if (country != cp.country) continue;
    const std::vector<const char*>& list = sea ? cp.sea : cp.air;
    if (!list.empty()) {
      // The first ports of each list are the biggest.
      double u = rng.Uniform();
      return list[static_cast<std::size_t>(u * u * static_cast<double>(list.size()))];
    }
    if (!cp.sea.empty()) return cp.sea[0];
  }
  return sea ? "CNSGH" : "CNPVG";
}

// Transit countries. `force_hk`: 1 = the goods go through Hong Kong, 0 =
// as the traffic usually goes, -1 = never through Hong Kong.
void World::Impl::Route(Rng& rng, Mode mode, Shipment* s, int force_hk) const {
  s->routing_count = 0;
  auto add = [&](std::string_view c) {
    if (s->RoutedVia(c) || s->routing_count >= static_cast<int>(s->routing.size())) return;
    s->routing[static_cast<std::size_t>(s->routing_count++)] = c;
  };
  std::string_view origin = s->origin;
  add(origin);
  s->export_country = origin;
  const double u = rng.Uniform();
  std::string_view hub1, hub2;
  bool export_from_hub = false;
  if (force_hk == 1) {
    hub1 = "HK";
    export_from_hub = origin != "HK" && rng.Chance(0.7);
  } else if (origin == "CN") {
    double via_hk = mode == Mode::kExpress ? 0.35 : mode == Mode::kMail ? 0.12
                    : mode == Mode::kAir   ? 0.15 : 0.08;
    if (force_hk == -1) via_hk = 0;
    if (u < via_hk) {
      hub1 = "HK";
      export_from_hub = rng.Chance(mode == Mode::kSea ? 0.5 : 0.6);
    } else if (u < via_hk + 0.05) {
      hub1 = "KR";
    } else if (u < via_hk + 0.09) {
      hub1 = mode == Mode::kSea ? "SG" : "AE";
    } else if (u < via_hk + 0.115 && mode != Mode::kMail) {
      // Multi-hub routings, mostly sea.
      hub1 = force_hk == -1 ? "KR" : "HK";
      hub2 = mode == Mode::kSea ? (rng.Chance(0.5) ? "SG" : "PA") : "AE";
    }
  } else if (origin == "VN" || origin == "TH" || origin == "MY" || origin == "ID" ||
             origin == "KH" || origin == "PH") {
    if (u < 0.22) {
      hub1 = "SG";
      export_from_hub = rng.Chance(0.1);
    } else if (u < 0.27 && origin != "MY") {
      hub1 = "MY";
    } else if (u < 0.30) {
      hub1 = "SG";
      hub2 = "KR";
    }
  } else if (origin == "IN" || origin == "PK" || origin == "BD" || origin == "LK") {
    if (u < 0.15) hub1 = "AE";
    else if (u < 0.30) hub1 = "SG";
    else if (u < 0.34) {
      hub1 = "AE";
      hub2 = "SG";
    }
  } else if (origin == "DE" || origin == "IT" || origin == "FR" || origin == "ES" ||
             origin == "GB" || origin == "TR" || origin == "CH") {
    if (u < 0.10 && origin != "DE") hub1 = "DE";
    else if (u < 0.18) hub1 = mode == Mode::kSea ? "NL" : "BE";
    else if (u < 0.22 && mode == Mode::kSea) hub1 = "PA";
  } else if (origin == "KR" || origin == "JP" || origin == "TW") {
    if (u < 0.06) hub1 = "HK";
  } else if (origin == "HK") {
    // Hong Kong origin ships direct.
  } else if (u < 0.05 && mode == Mode::kSea) {
    hub1 = "PA";
  }
  if (!hub1.empty() && hub1 != origin) {
    add(hub1);
    if (export_from_hub) s->export_country = hub1;
  }
  if (!hub2.empty() && hub2 != origin) add(hub2);
  // Goods are laden where they leave the last transit country.
  std::string_view lading_country = s->routing[static_cast<std::size_t>(s->routing_count - 1)];
  if (lading_country == "PA" && mode != Mode::kSea) lading_country = origin;
  s->port_of_lading = LadingPort(rng, lading_country, mode);
}

void World::Impl::Background(Rng& rng, Shipment* s, std::string* desc, double* vpk,
                             Mode* mode) const {
  *mode = static_cast<Mode>(modes.Pick(rng));
  const int m = static_cast<int>(*mode);
  const ChapterGroup& g = kChapterGroups[chapter_groups[m].Pick(rng)];
  int chapter = static_cast<int>(rng.Int(g.first, g.last));
  while (hs6_by_chapter[static_cast<std::size_t>(chapter)].empty()) {
    chapter = chapter >= g.last ? g.first : chapter + 1;
  }
  const internal::HsCode* hs = rng.Pick(hs6_by_chapter[static_cast<std::size_t>(chapter)]);
  s->hts = hs->code;
  *vpk = rng.Skewed(g.vpk_lo, g.vpk_hi, 2);
  // A manifest description from the nomenclature's: the heading words, then
  // the first clause of the subheading ("VEHICLE PARTS, BRAKES").
  std::string_view d = hs->description;
  std::size_t semi = d.find(';');
  std::string text(d.substr(0, semi));
  if (semi != std::string_view::npos) {
    std::string_view rest = d.substr(semi + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::size_t cut = rest.find_first_of(",(;");
    rest = rest.substr(0, cut);
    while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
    if (!rest.empty() && rest.size() < 40) text += ", " + std::string(rest);
  }
  // Clerks do not write the nomenclature's cross-references.
  for (std::string_view cut : {"n.e.c", " in heading", " in item", " of heading"}) {
    std::size_t at = text.find(cut);
    if (at != std::string::npos && at > 0) text.resize(at);
  }
  if (text.size() > 60) text.resize(60);
  while (!text.empty() && (text.back() == ' ' || text.back() == ',')) text.pop_back();
  desc->clear();
  AppendMessyCase(rng, text, desc);
}

World::World(std::uint64_t seed) : impl_(new Impl) {
  Impl& w = *impl_;
  Rng rng(seed, ~0ULL);
  w.first_day = ParseDate(kFirstDay).value_or(0);

  for (const NameStyle& style : NameStyles()) {
    std::vector<std::vector<Party>> by_sector(kSectorCount);
    const int n = style.country == std::string_view("CN")   ? 150
                  : style.country == std::string_view("HK") ? 60
                                                            : 25;
    for (int sec = 0; sec < kSectorCount; ++sec) {
      for (int i = 0; i < n; ++i) by_sector[static_cast<std::size_t>(sec)].push_back(
          MakeParty(rng, style, static_cast<Sector>(sec)));
    }
    w.shippers.emplace(style.country, std::move(by_sector));
  }
  // No generated party may be within the screening rule's reach of an SDN
  // name by accident (the consignee pool had NORTHSTAR TRADING and PIONEER
  // LOGISTICS, both on the list): a party that is gets another word, drawn
  // from a stream of its own so the rest of the pools stay as they were.
  // UDR-SAN-0001 then finds the planted entities, not a percent of traffic.
  Rng unscreen(seed ^ 0x736372656e6564ULL, 0);  // "screened"
  for (const NameStyle& style : NameStyles()) {
    for (std::vector<Party>& sector : w.shippers[std::string(style.country)]) {
      for (Party& p : sector) {
        const std::string base = p.base;
        for (int attempt = 0; attempt < 16 && ScreensSdnName(p.base); ++attempt) {
          const std::size_t sp = base.find(' ');
          const std::string word(unscreen.Pick(style.cores));
          p.base = sp == std::string::npos ? base + " " + word
                                           : base.substr(0, sp) + " " + word + base.substr(sp);
        }
      }
    }
  }
  for (const Violator& v : Violators()) {
    std::vector<int> variants;
    w.violator_parties.push_back(PartyFromName(v.listed, v.country));
    for (const char* name : v.variants) {
      variants.push_back(static_cast<int>(w.violator_parties.size()));
      w.violator_parties.push_back(PartyFromName(name, v.country));
    }
    w.violator_variant_index.push_back(std::move(variants));
  }
  for (std::string_view name : PackAuthorizedAirbagSuppliers()) {
    w.airbag_suppliers.push_back(PartyFromName(name, "CN"));
  }
  w.seed = seed;
  for (const Violator& v : Violators()) {
    w.violator_respellings.emplace_back();
    for (const char* name : v.respellings) {
      w.violator_respellings.back().push_back(PartyFromName(name, v.country));
    }
  }
  for (const NameDecoy& d : NameDecoys()) {
    w.decoys.push_back(PartyFromName(d.name, Violators()[static_cast<std::size_t>(d.near)].country));
  }
  for (const SanctionedEntity& e : SanctionedEntities()) {
    w.sanctioned.push_back(PartyFromName(e.variant, "CN"));
  }
  for (int i = 0; i < 3000; ++i) {
    Consignee c;
    c.name = std::string(rng.Pick(kBusinessWords1)) + " " + rng.Pick(kBusinessWords2) + " " +
             rng.Pick(kBusinessSuffixes);
    for (int attempt = 0; attempt < 16 && ScreensSdnName(c.name); ++attempt) {
      c.name = std::string(unscreen.Pick(kBusinessWords1)) + " " +
               unscreen.Pick(kBusinessWords2) + " " + unscreen.Pick(kBusinessSuffixes);
    }
    const City& city = rng.Pick(kCities);
    char buf[160];
    if (rng.Chance(0.4)) {
      std::snprintf(buf, sizeof buf, "%d %s %s, Suite %d, %s, %s %05d",
                    static_cast<int>(rng.Int(100, 19999)), rng.Pick(kStreets),
                    rng.Pick(kStreetTypes), static_cast<int>(rng.Int(100, 950)), city.name,
                    city.state, static_cast<int>(rng.Int(city.zip_lo, city.zip_hi)));
    } else {
      std::snprintf(buf, sizeof buf, "%d %s %s, %s, %s %05d",
                    static_cast<int>(rng.Int(100, 19999)), rng.Pick(kStreets),
                    rng.Pick(kStreetTypes), city.name, city.state,
                    static_cast<int>(rng.Int(city.zip_lo, city.zip_hi)));
    }
    c.address = buf;
    std::snprintf(buf, sizeof buf, "%02d-%07d%02d", static_cast<int>(rng.Int(10, 99)),
                  static_cast<int>(rng.Int(0, 9999999)), static_cast<int>(rng.Int(0, 3)));
    c.importer_id = buf;
    w.businesses.push_back(std::move(c));
  }

  for (int m = 0; m < kModeCount; ++m) {
    w.entry_ports[m] = IndexByWeight(kEntryPorts[m]);
    w.carriers[m] = IndexByWeight(kCarriers[m]);
    w.origins[m] = IndexByWeight(kOrigins[m]);
    std::vector<double> weights;
    for (const ChapterGroup& g : kChapterGroups) weights.push_back(g.share[m]);
    w.chapter_groups[m] = WeightedIndex(weights);
  }
  w.modes = WeightedIndex(kModeShares);
  {
    std::vector<double> weights;
    double featured = kViolatorShare;
    for (const GoodsShare& g : kGoodsShares) {
      weights.push_back(g.share);
      featured += g.share;
    }
    weights.push_back(kViolatorShare);
    weights.push_back(1.0 - featured);  // background
    w.goods = WeightedIndex(weights);
  }

  w.hs6_by_chapter.assign(100, {});
  for (const internal::HsCode& c : internal::HsCodes()) {
    if (c.level != 6) continue;
    int chapter = (c.code[0] - '0') * 10 + (c.code[1] - '0');
    w.hs6_by_chapter[static_cast<std::size_t>(chapter)].push_back(&c);
  }

  // The long tail of ports of lading: every UN/LOCODE sea port and airport of
  // the countries the model ships from.
  for (const CountryPorts& cp : kLadingPorts) w.tail_ports[cp.country];
  internal::ForEachCsvRow(internal::EmbeddedPortsCsv(), [&](const std::vector<std::string>& row) {
    if (row.size() < 8 || row[0].size() != 5 || row[7].size() != 8) return;
    auto it = w.tail_ports.find(row[1]);
    if (it == w.tail_ports.end()) return;
    if (row[7][0] == '1') it->second.first.push_back(row[0]);
    if (row[7][3] == '4') it->second.second.push_back(row[0]);
  });
}

World::~World() = default;

std::vector<World::PortCheck> World::CuratedPorts() const {
  std::vector<PortCheck> out;
  for (const CountryPorts& cp : kLadingPorts) {
    for (const char* p : cp.sea) out.push_back({p, true});
    for (const char* p : cp.air) out.push_back({p, false});
  }
  return out;
}

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
