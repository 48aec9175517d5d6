// The generator's world: repeat violators, shippers and consignees, ports and
// routes (world_tables.h has the tables, world_goods.cc the goods and one
// shipment).
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


using namespace detail;  // NOLINT: the tables are this file's vocabulary


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

}  // namespace targeting::gen
