#include "gen/planted.h"

#include <re2/re2.h>

#include <algorithm>
#include <initializer_list>
#include <string>

#include "eval/jaro_winkler.h"
#include "index/similar_index.h"
#include "load/normalize.h"

namespace targeting::internal {
std::string_view EmbeddedSdnEntities();  // generated from rules/lists/sdn-entities.txt
}  // namespace targeting::internal

namespace targeting::gen {

namespace {

using SV = std::string_view;

// ---------------------------------------------------------------------------
// Field tests with the SPEC section 4 semantics, on the record as the engine
// would normalize it. A missing value fails every test but `ne`, `not_in`
// and `exists: false`.

std::string_view Hs6(const Shipment& s) { return std::string_view(s.hts).substr(0, 6); }

bool HtsPrefix(const Shipment& s, std::initializer_list<SV> prefixes) {
  for (SV p : prefixes) {
    if (std::string_view(s.hts).substr(0, p.size()) == p) return true;
  }
  return false;
}

bool Hs6In(const Shipment& s, std::initializer_list<SV> codes) {
  SV h = Hs6(s);
  return std::find(codes.begin(), codes.end(), h) != codes.end();
}

bool ModeIn(const Shipment& s, std::initializer_list<Mode> modes) {
  return std::find(modes.begin(), modes.end(), s.mode) != modes.end();
}

bool In(SV value, std::initializer_list<SV> set) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

bool Vpk(const Shipment& s, double* v) { return s.ValuePerKg(v); }
bool Vpu(const Shipment& s, double* v) { return s.ValuePerUnit(v); }

bool VpkLt(const Shipment& s, double bound) {
  double v = 0;
  return Vpk(s, &v) && v < bound;
}
bool VpuLt(const Shipment& s, double bound) {
  double v = 0;
  return Vpu(s, &v) && v < bound;
}

// contains_any: ASCII case-insensitive substring of the text as written.
bool ContainsAny(SV text, const std::vector<std::string>& needles_lower) {
  for (const std::string& n : needles_lower) {
    if (internal::ContainsFolded(text, n)) return true;
  }
  return false;
}

// Each of `values` as `append` writes it (a normalizer of lib/load).
std::vector<std::string> Normalized(const std::vector<SV>& values,
                                    void (*append)(SV, std::string*)) {
  std::vector<std::string> out;
  for (SV v : values) {
    std::string n;
    append(v, &n);
    out.push_back(std::move(n));
  }
  return out;
}

bool NameIn(const std::string& norm, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), norm) != names.end();
}

Days Date(const char* text) { return ParseDate(text).value_or(0); }

// The regexes of the pack, as written in rules/*.yaml.
const RE2& RespiratorRe() {
  static const RE2* const re = new RE2(R"((?i)\b(k?n95|respirators?|ffp2)\b)");
  return *re;
}
const RE2& RefurbishedRe() {
  static const RE2* const re = new RE2(R"((?i)\b(refurb\w*|pulled|recycled|used)\b)");
  return *re;
}
const RE2& ApartmentRe() {
  static const RE2* const re = new RE2(R"((?i)\b(apt|suite|unit)\b)");
  return *re;
}
const RE2& ReplicaRe() {
  static const RE2* const re = new RE2(R"((?i)\b(replica|mirror quality|aaa)\b)");
  return *re;
}
const std::vector<const RE2*>& ViolatorVariantRes() {
  static const std::vector<const RE2*>* const res = [] {
    auto* v = new std::vector<const RE2*>;
    for (const char* p : {"HONG ?DA TRAD", "XIN ?YUE AUTO", "JIA ?LI IMP", "RUI ?SHENG ELEC",
                          "GOLDEN HARBOU?R", "JIN ?LONG BAG", "HAO ?YUN SPORT", "TIAN ?YU LIGHT",
                          "WAH FUNG ELEC", "KAI ?YUAN GARMENT"}) {
      v->push_back(new RE2(p));
    }
    return v;
  }();
  return *res;
}

const std::vector<std::string>& LuxuryBrandsLower() {
  static const std::vector<std::string>* const v =
      new std::vector<std::string>(Normalized(PackLuxuryBrands(), internal::AppendLowerAscii));
  return *v;
}
const std::vector<std::string>& ViolatorNames() {
  static const std::vector<std::string>* const v =
      new std::vector<std::string>(Normalized(PackRepeatViolators(), internal::AppendName));
  return *v;
}
const std::vector<std::string>& AirbagSupplierNames() {
  static const std::vector<std::string>* const v = new std::vector<std::string>(
      Normalized(PackAuthorizedAirbagSuppliers(), internal::AppendName));
  return *v;
}

// similar on a name field (SPEC section 4): some operand at min or above;
// false on a missing (empty) value.
bool SimilarToAny(const std::string& norm, const std::vector<std::string>& names, double min) {
  if (norm.empty()) return false;
  for (const std::string& n : names) {
    if (internal::JaroWinkler(norm, n) >= min) return true;
  }
  return false;
}

// UDR-SAN-0001's test: the list is too long to compare with every name for
// every record, so the mirror uses the engine's filter (tested against
// comparing with every name in tests/unit/similar_test.cc).
bool ScreensSdn(const std::string& norm) {
  static const internal::SimilarFilter* const filter = [] {
    return new internal::SimilarFilter(
        Normalized(PackSdnEntities(), internal::AppendName), 0.92);
  }();
  if (norm.empty()) return false;
  thread_local internal::SimilarScratch scratch;
  return filter->Holds(norm, &scratch);
}

bool IsIc(const Shipment& s) { return HtsPrefix(s, {"854231", "854232", "854233", "854239"}); }
bool IsLed(const Shipment& s) { return HtsPrefix(s, {"9405", "853951", "853952"}); }

}  // namespace

std::vector<std::string_view> PackRepeatViolators() {
  std::vector<std::string_view> out;
  for (const Violator& v : Violators()) out.push_back(v.listed);
  return out;
}

bool ScreensSdnName(std::string_view raw) {
  std::string norm;
  internal::AppendName(raw, &norm);
  return ScreensSdn(norm);
}

std::vector<std::string_view> PackSdnEntities() {
  std::vector<std::string_view> out;
  std::string_view text = internal::EmbeddedSdnEntities();
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    out.push_back(line);
  }
  return out;
}

std::vector<std::string_view> PackLuxuryBrands() {
  return {"GUCCI",  "CHANEL",   "LOUIS VUITTON", "PRADA",      "HERMES", "BURBERRY",
          "FENDI",  "DIOR",     "BALENCIAGA",    "MICHAEL KORS", "COACH", "VERSACE"};
}

std::vector<std::string_view> PackAuthorizedAirbagSuppliers() {
  return {"Jiangsu Anbao Safety Systems Co., Ltd.", "Shanghai Hengrui Automotive Safety Co., Ltd.",
          "Ningbo Jiayu Passive Safety Co., Ltd."};
}

// ---------------------------------------------------------------------------
// Planted patterns.

const PatternInfo& GetPattern(int pattern) {
  static const std::vector<PatternInfo>* const kPatterns = new std::vector<PatternInfo>{
      {"luxury_via_hk", "Luxury handbags, wallets and apparel via Hong Kong, undervalued", 15,
       "HS 4202.21/.22/.31/.32 under $30/kg or luxury apparel under $15/kg, a luxury brand in "
       "the description, routed via HK",
       {{"seizure", 0.70}, {"ipr_abandonment", 0.25}, {"referral", 0.05}}, 20, 60},
      {"airbags", "Counterfeit airbag modules", 20,
       "HS 8708.95 from CN under $120 a unit",
       {{"seizure", 0.80}, {"refused_entry", 0.10}, {"referral", 0.10}}, 6, 15},
      {"brake_pads", "Counterfeit brake pads", 10, "HS 8708.30 from CN under $4/kg",
       {{"seizure", 0.70}, {"refused_entry", 0.20}, {"referral", 0.10}}, 3, 6},
      {"microchips", "Counterfeit integrated circuits", 20,
       "HS 8542.31/.32/.33/.39 shipped from HK or CN by express or air under $0.30 a unit",
       {{"seizure", 0.65}, {"referral", 0.35}}, 10, 40},
      {"masks", "Counterfeit N95/KN95 respirators", 15,
       "a respirator in the description, from CN, under $0.40 a unit",
       {{"seizure", 0.50}, {"refused_entry", 0.40}, {"abandonment", 0.10}}, 5, 12},
      {"reels_one_port", "Counterfeit fishing reels into port 3001 (Seattle)", 15,
       "HS 9507.30 from CN entered at port 3001",
       {{"seizure", 0.75}, {"ipr_abandonment", 0.25}}, 5, 15},
      {"repeat_violators", "Shipments of ten repeat-violator shippers", 15,
       "the shipper is one of the ten repeat violators, under its listed name or a variant",
       {{"seizure", 0.60}, {"referral", 0.30}, {"ipr_abandonment", 0.10}}, 3, 10},
      {"led_lighting", "Uncertified LED lamps and lighting (fire risk)", 6,
       "HS 9405/8539.51/8539.52 from CN under $2 a unit",
       {{"refused_entry", 0.55}, {"seizure", 0.25}, {"abandonment", 0.20}}, 3, 6},
      {"sanctioned", "Shipments of SDN-listed entities under variant names", 15,
       "the shipper or consignee is an SDN-listed entity written under a variant of its listed "
       "name (truth.json name_variants.sanctioned)",
       {{"seizure", 0.50}, {"referral", 0.40}, {"refused_entry", 0.10}}, 2, 5},
      {"cosmetics_ring", "Counterfeit branded cosmetics from China, until the ring is broken up", 20,
       "HS 3304 from CN under $60/kg, arriving before 2026-07-01 (from then on such parcels "
       "are as clean as any: the pattern decays)",
       {{"seizure", 0.60}, {"ipr_abandonment", 0.30}, {"abandonment", 0.10}}, 4, 10},
      {"split_shipment", "Split shipments: one consignee, several parcels in a day under $800 each",
       12, "three to six EXPRESS/MAIL parcels to one residential consignee on one day from "
       "different shippers, each under $800, together over it",
       {{"seizure", 0.50}, {"ipr_abandonment", 0.30}, {"abandonment", 0.20}}, 2, 6},
      {"address_many_shippers", "One address receiving parcels from many shippers in a week", 15,
       "a residential address receiving EXPRESS/MAIL parcels from many shippers, under "
       "several names, within seven days",
       {{"seizure", 0.45}, {"ipr_abandonment", 0.35}, {"referral", 0.20}}, 2, 6},
      {"shipper_fanout", "A shipper fanning out to many residential consignees in a day", 15,
       "one seller sending EXPRESS/MAIL parcels to about thirty residential consignees on "
       "one day",
       {{"seizure", 0.55}, {"ipr_abandonment", 0.25}, {"abandonment", 0.20}}, 2, 5},
  };
  return (*kPatterns)[static_cast<std::size_t>(pattern)];
}

const PatternInfo& BackgroundOutcome() {
  static const PatternInfo* const kBackground = new PatternInfo{
      "background", "Discrepancies outside the planted patterns", 1,
      "misdescription, undervaluation, marking and other findings at the background rate",
      {{"referral", 0.35}, {"seizure", 0.15}, {"abandonment", 0.15}, {"refused_entry", 0.15},
       {"none", 0.20}},
      1.5, 4};
  return *kBackground;
}

std::uint32_t PlantedPatterns(const Shipment& s) {
  std::uint32_t p = 0;
  const bool cn = s.origin == "CN";
  if (s.RoutedVia("HK") && ContainsAny(s.description, LuxuryBrandsLower())) {
    if ((Hs6In(s, {"420221", "420222", "420231", "420232"}) && VpkLt(s, 30)) ||
        (Hs6In(s, {"610910", "611020", "620443", "620462", "610462", "620343"}) &&
         VpkLt(s, 15))) {
      p |= 1u << kLuxuryViaHk;
    }
  }
  if (cn && Hs6(s) == "870895" && VpuLt(s, 120)) p |= 1u << kAirbags;
  if (cn && Hs6(s) == "870830" && VpkLt(s, 4)) p |= 1u << kBrakePads;
  if (IsIc(s) && (s.shipper_country == "HK" || s.shipper_country == "CN") &&
      ModeIn(s, {Mode::kExpress, Mode::kAir}) && VpuLt(s, 0.30)) {
    p |= 1u << kMicrochips;
  }
  if (cn && VpuLt(s, 0.40) && RE2::PartialMatch(s.description, RespiratorRe())) {
    p |= 1u << kMasks;
  }
  if (cn && Hs6(s) == "950730" && s.port_of_entry == "3001") p |= 1u << kReelsOnePort;
  if (s.violator >= 0) p |= 1u << kRepeatViolators;
  if (s.sanctioned >= 0) p |= 1u << kSanctioned;
  if (cn && IsLed(s) && VpuLt(s, 2.0)) p |= 1u << kLedLighting;
  static const Days kRingEnds = Date(kCosmeticsRingEnds);
  if (cn && HtsPrefix(s, {"3304"}) && VpkLt(s, 60) && s.arrival < kRingEnds) {
    p |= 1u << kCosmeticsRing;
  }
  if (s.episode >= 0) p |= 1u << s.episode;
  return p;
}

int LeadPattern(std::uint32_t patterns) {
  int best = -1;
  for (int i = 0; i < kPatternCount; ++i) {
    if ((patterns >> i & 1u) && (best < 0 || GetPattern(i).factor > GetPattern(best).factor)) {
      best = i;
    }
  }
  return best;
}

double DiscrepancyProbability(std::uint32_t patterns) {
  int lead = LeadPattern(patterns);
  double factor = lead < 0 ? 1.0 : GetPattern(lead).factor;
  return std::min(0.9, kBackgroundRate * factor);
}

const char* EntryClassName(EntryClass c) {
  switch (c) {
    case EntryClass::kRule: return "rule";
    case EntryClass::kPredictive: return "predictive";
    case EntryClass::kPortLocal: return "port_local";
    case EntryClass::kWeak: return "weak";
    case EntryClass::kNoise: return "noise";
    case EntryClass::kDecaying: return "decaying";
  }
  return "rule";
}

// ---------------------------------------------------------------------------
// The example pack.

const std::vector<PackEntry>& PackEntries() {
  using K = EntryKind;
  using S = EntryStatus;
  using C = EntryClass;
  static const std::vector<PackEntry>* const kEntries = new std::vector<PackEntry>{
      {"Q-JFK-0207", K::kQuery, S::kActive, 20, C::kPredictive, 0.40, kMasks,
       "finds respirators outside UDR-SAFE-0001's window (2026-01-01 to 2026-06-30) and those "
       "declared under other tariff codes"},
      {"Q-LAX-0301", K::kQuery, S::kActive, 5, C::kNoise, 0.03, -1,
       "trading companies routed via Singapore: nothing planted"},
      {"Q-LAX-0512", K::kQuery, S::kActive, 15, C::kWeak, 0.30, kLedLighting,
       "finds uncertified LED lighting, but its true discrepancy rate (about 0.12) is below "
       "promotion.min_discrepancy_rate"},
      {"Q-MIA-0019", K::kQuery, S::kActive, 10, C::kNoise, 0.08, -1,
       "apartment consignees just under the de minimis value: nothing planted"},
      {"Q-NTC-0142", K::kQuery, S::kActive, 30, C::kPredictive, 0.45, kAirbags,
       "finds counterfeit airbags in express and mail, where UDR-AUTO-0001 (sea and air) "
       "does not look"},
      {"Q-NTC-0311", K::kQuery, S::kActive, 20, C::kPredictive, 0.40, kMicrochips,
       "finds counterfeit integrated circuits; the rule drafted from it (UDR-NS-0001) is not "
       "active"},
      {"Q-NTC-0415", K::kQuery, S::kActive, 30, C::kPredictive, 0.45, kRepeatViolators,
       "finds repeat violators shipping under name variants that UDR-RV-0001's list misses"},
      {"Q-NTC-0520", K::kQuery, S::kActive, 10, C::kNoise, 0.05, -1,
       "toys under a dollar a unit: nothing planted"},
      {"Q-NTC-0601", K::kQuery, S::kDraft, 20, C::kNoise, 0, -1,
       "draft: not evaluated; gen writes no replica wording"},
      {"Q-NTC-0701", K::kQuery, S::kActive, 15, C::kPredictive, 0.40, kAddressManyShippers,
       "an aggregate: one residential address, parcels from six or more shippers in a week"},
      {"Q-NTC-0702", K::kQuery, S::kActive, 15, C::kPredictive, 0.40, kShipperFanout,
       "an aggregate: one shipper, twenty or more residential consignees in a day"},
      {"Q-NTC-0801", K::kQuery, S::kActive, 15, C::kDecaying, 0.60, kCosmeticsRing,
       "finds counterfeit cosmetics from China until the ring is broken up on 2026-07-01, "
       "then nothing: its rate decays, and backtest --by month should flag it"},
      {"Q-NYC-0088", K::kQuery, S::kActive, 10, C::kNoise, 0.08, -1,
       "cheap footwear from Vietnam: nothing planted"},
      {"Q-ORD-0012", K::kQuery, S::kActive, 10, C::kNoise, 0.15, -1,
       "Korean cosmetics by air: nothing planted"},
      {"Q-ORD-0044", K::kQuery, S::kShadow, 10, C::kNoise, 0, -1,
       "shadow: measured but not worked by officers; nothing planted"},
      {"Q-SEATTLE-0031", K::kQuery, S::kActive, 25, C::kPortLocal, 0.50, kReelsOnePort,
       "finds the counterfeit reels, but only at port 3001, so it fails promotion.min_ports"},
      {"UDR-AUTO-0001", K::kRule, S::kActive, 60, C::kRule, 0, kAirbags, ""},
      {"UDR-AUTO-0002", K::kRule, S::kActive, 35, C::kRule, 0, kBrakePads, ""},
      {"UDR-IPR-0001", K::kRule, S::kActive, 40, C::kRule, 0, kLuxuryViaHk, ""},
      {"UDR-IPR-0002", K::kRule, S::kActive, 30, C::kRule, 0, kLuxuryViaHk, ""},
      {"UDR-NS-0001", K::kRule, S::kDraft, 50, C::kRule, 0, kMicrochips,
       "draft: compiled and tested, not evaluated"},
      {"UDR-NS-0002", K::kRule, S::kActive, 20, C::kRule, 0, -1,
       "thermal and night-vision optics: nothing planted"},
      {"UDR-RV-0001", K::kRule, S::kActive, 50, C::kRule, 0, kRepeatViolators, ""},
      {"UDR-RV-0002", K::kRule, S::kShadow, 50, C::kRule, 0, kRepeatViolators,
       "shadow twin of UDR-RV-0001 with similar (min 0.92): finds the respelt names the exact "
       "list misses, and fires on the few name decoys above 0.92"},
      {"UDR-SAFE-0001", K::kRule, S::kActive, 30, C::kRule, 0, kMasks,
       "effective 2026-01-01 to 2026-06-30 only"},
      {"UDR-SAFE-0002", K::kRule, S::kShadow, 25, C::kRule, 0, kLedLighting,
       "shadow: measured, adds nothing to the score"},
      {"UDR-SAN-0001", K::kRule, S::kActive, 60, C::kRule, 0, kSanctioned,
       "SDN screening of shipper and consignee (similar, min 0.92, 6,874 names)"},
      {"UDR-TS-0001", K::kRule, S::kActive, 10, C::kRule, 0, -1,
       "two or more transshipment hubs: nothing planted (a formal rule that finds little)"},
      {"UDR-VAL-0001", K::kRule, S::kActive, 40, C::kRule, 0, kSplitShipment,
       "an aggregate: split shipments, over $800 to one residential consignee in a day"},
  };
  return *kEntries;
}

std::uint64_t PackFires(const Shipment& s) {
  static const Days kMaskFrom = Date("2026-01-01");
  static const Days kMaskUntil = Date("2026-06-30");
  std::uint64_t fired = 0;
  int i = 0;
  auto set = [&](bool holds) {
    if (holds) fired |= std::uint64_t{1} << i;
    ++i;
  };
  const bool express_or_mail = ModeIn(s, {Mode::kExpress, Mode::kMail});
  const bool shipper_hk_cn = s.shipper_country == "HK" || s.shipper_country == "CN";
  double vpk = 0, vpu = 0;
  const bool has_vpk = Vpk(s, &vpk);
  const bool has_vpu = Vpu(s, &vpu);
  const bool ics = IsIc(s);
  const bool led = IsLed(s);

  // Q-JFK-0207: respirators at pennies a unit.
  set(has_vpu && vpu < 0.35 && RE2::PartialMatch(s.description, RespiratorRe()));
  // Q-LAX-0301: trading companies routed via Singapore, not shipped from there.
  set(s.RoutedVia("SG") && s.shipper_country != "SG" &&
      internal::ContainsFolded(s.shipper_norm, "trading"));
  // Q-LAX-0512: LED lighting by express and mail under $1.50 a unit.
  set(express_or_mail && led && has_vpu && vpu < 1.5);
  // Q-MIA-0019: apartment consignees just under the de minimis value.
  set(s.mode == Mode::kExpress && s.declared_value_usd >= 700 && s.declared_value_usd <= 800 &&
      RE2::PartialMatch(s.consignee_address, ApartmentRe()));
  // Q-NTC-0142: airbag modules to residential consignees by express and mail.
  set(express_or_mail && HtsPrefix(s, {"870895"}) && s.residential);
  // Q-NTC-0311: integrated circuits at implausible unit values.
  set(ics && has_vpu && vpu > 0 && vpu < 0.25 && shipper_hk_cn);
  // Q-NTC-0415: name variants of repeat violators.
  {
    bool variant = false;
    if (!NameIn(s.shipper_norm, ViolatorNames())) {
      for (const RE2* re : ViolatorVariantRes()) {
        if (RE2::PartialMatch(s.shipper_norm, *re)) {
          variant = true;
          break;
        }
      }
    }
    set(variant);
  }
  // Q-NTC-0520: toys under a dollar a unit.
  set(HtsPrefix(s, {"9503"}) && has_vpu && vpu <= 1);
  // Q-NTC-0601 (draft): handbags described as replicas.
  set(HtsPrefix(s, {"4202"}) && RE2::PartialMatch(s.description, ReplicaRe()));
  // Q-NTC-0701, Q-NTC-0702: aggregates, answered by PackStream (gen/episodes.h).
  set(false);
  set(false);
  // Q-NTC-0801: cosmetics from China under $60/kg (decays: kCosmeticsRing).
  set(HtsPrefix(s, {"3304"}) && s.origin == "CN" && has_vpk && vpk < 60);
  // Q-NYC-0088: footwear from Vietnam under $12/kg.
  set(HtsPrefix(s, {"64"}) && s.origin == "VN" && has_vpk && vpk < 12);
  // Q-ORD-0012: Korean cosmetics by air under $30/kg.
  set(s.mode == Mode::kAir && HtsPrefix(s, {"3304"}) && s.origin == "KR" && has_vpk && vpk < 30);
  // Q-ORD-0044 (shadow): bicycle parts from Taiwan without a manufacturer id.
  set(HtsPrefix(s, {"8714"}) && s.origin == "TW" && s.manufacturer_id.empty());
  // Q-SEATTLE-0031: fishing reels from China into port 3001.
  set(s.port_of_entry == "3001" && HtsPrefix(s, {"950730"}) && s.origin == "CN");
  // UDR-AUTO-0001: airbag modules from China by unauthorized suppliers, sea and air.
  set(ModeIn(s, {Mode::kSea, Mode::kAir}) && HtsPrefix(s, {"870895"}) &&
      In(s.origin, {"CN", "HK"}) && !NameIn(s.shipper_norm, AirbagSupplierNames()));
  // UDR-AUTO-0002: brake parts from China at counterfeit prices.
  set(HtsPrefix(s, {"870830"}) && s.origin == "CN" && has_vpk && vpk < 4);
  // UDR-IPR-0001: luxury handbags via Hong Kong, undervalued.
  set(ModeIn(s, {Mode::kSea, Mode::kAir, Mode::kExpress}) &&
      HtsPrefix(s, {"420221", "420222"}) && (s.RoutedVia("HK") || s.export_country == "HK") &&
      has_vpk && vpk < 40 && ContainsAny(s.description, LuxuryBrandsLower()));
  // UDR-IPR-0002: luxury apparel via Hong Kong, undervalued.
  set(HtsPrefix(s, {"6104", "6106", "6109", "6110", "6202", "6204"}) && s.RoutedVia("HK") &&
      ContainsAny(s.description, LuxuryBrandsLower()) && has_vpk && vpk >= 1 && vpk <= 15);
  // UDR-NS-0001 (draft): counterfeit integrated circuits, two of four signs.
  {
    bool holds = false;
    if (ics) {
      int n = (has_vpu && vpu < 0.25) + shipper_hk_cn + express_or_mail +
              RE2::PartialMatch(s.description, RefurbishedRe());
      holds = n >= 2;
    }
    set(holds);
  }
  // UDR-NS-0002: thermal and night-vision optics to residential consignees.
  set(express_or_mail && HtsPrefix(s, {"900580", "901380", "852589"}) && s.residential);
  // UDR-RV-0001: repeat-violator shippers.
  set(NameIn(s.shipper_norm, ViolatorNames()));
  // UDR-RV-0002 (shadow): the same list, by Jaro-Winkler at 0.92.
  set(SimilarToAny(s.shipper_norm, ViolatorNames(), 0.92));
  // UDR-SAFE-0001: respirators, while the emergency rule is in effect.
  set(s.arrival >= kMaskFrom && s.arrival <= kMaskUntil && HtsPrefix(s, {"630790", "902000"}) &&
      RE2::PartialMatch(s.description, RespiratorRe()));
  // UDR-SAFE-0002 (shadow): LED lighting below a safe unit cost.
  set(led && has_vpu && vpu < 1.5 && s.origin == "CN");
  // UDR-SAN-0001: shipper or consignee close to an SDN-listed entity.
  set(ScreensSdn(s.shipper_norm) || ScreensSdn(s.consignee_norm));
  // UDR-TS-0001: two or more transshipment hubs, origin not itself a hub.
  {
    int hubs = 0;
    for (SV h : {"HK", "SG", "AE", "KR", "MY", "PA"}) hubs += s.RoutedVia(h);
    set(hubs >= 2 && !In(s.origin, {"HK", "SG", "AE", "KR", "MY", "PA"}));
  }
  // UDR-VAL-0001: an aggregate, answered by PackStream (gen/episodes.h).
  set(false);
  return fired;
}

}  // namespace targeting::gen
