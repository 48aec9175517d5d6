#include "gen/episodes.h"

#include <algorithm>

#include "gen/planted.h"

namespace targeting::gen {

namespace {

constexpr std::uint64_t kBlockSalt = 0x6570697365646573ULL;  // "episodes"
constexpr std::uint64_t kWeekSalt = 0x7765656b6c790000ULL;
constexpr std::uint64_t kDaySalt = 0x6461796c79000000ULL;
constexpr std::uint64_t kMemberSalt = 0x6d656d6265727300ULL;
constexpr std::uint64_t kLateSalt = 0x6c61746500000000ULL;
constexpr std::uint64_t kBlock = 120;

const char* const kFirst[] = {"Maria", "James", "Wei", "Aisha", "Carlos", "Olivia", "Noah",
                              "Priya", "Daniel", "Sofia", "Kevin", "Linh", "Grace", "Omar",
                              "Emily", "Jorge", "Hannah", "Tyrone", "Mei", "Lucas"};
const char* const kLast[] = {"Lopez", "Smith", "Chen", "Khan", "Garcia", "Johnson", "Nguyen",
                             "Patel", "Brown", "Rossi", "Kim", "Tran", "Miller", "Haddad",
                             "Davis", "Ramirez", "Wilson", "Jackson", "Zhang", "Silva"};
const char* const kStreet[] = {"Maple", "Oak", "Cedar", "Elm", "Willow", "Pine", "Lakeview",
                               "Sunset", "Hillcrest", "Park", "River", "Meadow"};
const char* const kStreetType[] = {"St", "Ave", "Dr", "Ln", "Ct", "Rd", "Blvd"};
struct Town {
  const char* name;
  const char* state;
  int zip;
};
const Town kTowns[] = {{"Houston", "TX", 77036}, {"Miami", "FL", 33126}, {"Queens", "NY", 11373},
                       {"Fresno", "CA", 93722},  {"Newark", "NJ", 7104},  {"Doral", "FL", 33172},
                       {"Aurora", "IL", 60505},  {"Tacoma", "WA", 98409}, {"Laredo", "TX", 78041},
                       {"Hialeah", "FL", 33012}};
// Sellers of small parcels: 41 names (a prime), so stepping through them
// by a fixed stride visits each before repeating.
const char* const kSellers[] = {
    "Shenzhen Yifan E-Commerce Co., Ltd.", "Yiwu Hongsheng Trading Co., Ltd.",
    "Guangzhou Meiya Online Store", "Dongguan Kaida Electronic Commerce Co., Ltd.",
    "Hangzhou Lanting Crossborder Ltd.", "Shenzhen Qianhai Youpin Trading",
    "Xiamen Haoyun Import & Export Co., Ltd.", "Ningbo Star Bright Gifts Co., Ltd.",
    "Quanzhou Feiyue Shoes Trading", "Shantou Happy Toys E-Shop",
    "Fuzhou Lucky Cat Trading Co.", "Jinhua Fashion Accessories Ltd.",
    "Shenzhen Topsun Digital Co., Ltd.", "Guangzhou Baiyun Beauty Supplies",
    "Suzhou Silk Road Online Co., Ltd.", "Wenzhou Rainbow Optical Ltd.",
    "Zhongshan Brightway Lighting Store", "Foshan Homegood Trading Co., Ltd.",
    "Hong Kong Wing Lee E-Commerce Ltd.", "Kowloon Best Deal Trading Co.",
    "Tsuen Wan Global Parcels Ltd.", "Shenzhen Mingda Phone Parts",
    "Yiwu Sunny Crafts Co., Ltd.", "Guangzhou Trendy Bags Trading",
    "Dongguan Speedy Sports Goods Co.", "Shenzhen Kuaile Gadget Store",
    "Changsha Fancy Watch Co., Ltd.", "Putian Runner Footwear Ltd.",
    "Hangzhou Pearl Jewelry Online", "Chengdu Panda Gifts Trading",
    "Tianjin Harbor E-Shop Co., Ltd.", "Qingdao Ocean Fashion Ltd.",
    "Shenzhen Aurora Cosmetics Co.", "Guangzhou Elite Perfume Trading",
    "Yiwu Golden Bridge Co., Ltd.", "Shenzhen Huafeng Accessories",
    "Jieyang Kitchen Star Ltd.", "Zhuhai Coastline Trading Co.",
    "Dongguan Forever Young Apparel", "Shenzhen Smart Life Store Ltd.",
    "Hong Kong Fortune Express Trading"};
constexpr std::uint64_t kSellerCount = sizeof(kSellers) / sizeof(kSellers[0]);
struct Business {
  const char* name;
  const char* address;
  const char* importer;
};
const Business kFulfilment[] = {
    {"Northgate Fulfillment LLC", "4500 Commerce Pkwy, Reno, NV 89502", "88-4102237"},
    {"Bluewater Retail Group Inc.", "1200 Distribution Way, Memphis, TN 38118", "62-7710452"},
    {"Summit Home Goods Corp.", "75 Logistics Dr, Edison, NJ 08817", "22-5306981"},
    {"Pacific Crest Trading LLC", "18800 S Harlan Rd, Lathrop, CA 95330", "94-3381760"},
    {"Lakeside Craft Supply Inc.", "3300 Warehouse Ave, Columbus, OH 43207", "31-6627415"},
    {"Evergreen Electronics Outlet", "901 Freight St, Kent, WA 98032", "91-2048836"},
};

enum class Kind { kNone, kSplit, kFanout, kDecoy, kAddress };

struct Slot {
  Kind kind = Kind::kNone;
  std::uint64_t group = 0;  // draws of the episode as a whole
  std::uint64_t member = 0;  // 0-based place among the candidates
};

std::string Person(Rng& r) { return std::string(r.Pick(kFirst)) + " " + r.Pick(kLast); }
std::string Address(Rng& r) {
  const Town& t = r.Pick(kTowns);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%d %s %s, %s, %s %05d", static_cast<int>(r.Int(10, 9899)),
                r.Pick(kStreet), r.Pick(kStreetType), t.name, t.state, t.zip);
  return buf;
}

std::uint64_t FirstOfDay(std::uint64_t day, std::uint64_t total) {
  return (day * total + kDays - 1) / kDays;
}

// Which episode record `index` is a candidate for.
Slot SlotOf(std::uint64_t seed, std::uint64_t index, std::uint64_t total) {
  const std::uint64_t day = index * kDays / total;
  const std::uint64_t lo = FirstOfDay(day, total);
  const std::uint64_t n = FirstOfDay(day + 1, total) - lo;
  if (n < 12) return {};
  const std::uint64_t blocks = std::max<std::uint64_t>(1, n / kBlock);
  const std::uint64_t p = index - lo;
  const std::uint64_t b = std::min(p / kBlock, blocks - 1);
  const std::uint64_t len = b == blocks - 1 ? n - b * kBlock : kBlock;
  const std::uint64_t q = p - b * kBlock;
  const double scale = std::min(1.0, static_cast<double>(len) / static_cast<double>(kBlock));
  // A week-long address episode first: one or two places in the block each day.
  const std::uint64_t week = day / 7;
  Rng wr(seed ^ kWeekSalt, week * 4096 + b);
  if (wr.Chance(0.2 * scale)) {
    Rng dr(seed ^ kDaySalt, day * 4096 + b);
    for (std::uint64_t k = 0; k < 3; ++k) {
      const std::uint64_t a = k == 0 || dr.Chance(0.7) ? dr.Below(len) : len;
      if (q == a) return {Kind::kAddress, week * 4096 + b, day * 3 + k};
    }
  }
  Rng br(seed ^ kBlockSalt, day * 4096 + b);
  const double u = br.Uniform();
  Kind kind = Kind::kNone;
  std::uint64_t candidates = 0;
  if (u < 0.22 * scale) {
    kind = Kind::kSplit;
    candidates = 8;
  } else if (u < 0.26 * scale) {
    kind = Kind::kFanout;
    candidates = 80;
  } else if (u < 0.44 * scale) {
    kind = Kind::kDecoy;
    candidates = 10;
  } else {
    return {};
  }
  for (std::uint64_t j = 0; j < candidates; ++j) {
    if (br.Below(len) == q) return {kind, day * 4096 + b, j};
  }
  return {};
}

void SetValue(Shipment* s, long long dollars) {
  s->value_text = std::to_string(dollars);
  s->declared_value_usd = static_cast<double>(dollars);
}

void SetShipper(Shipment* s, const char* name) {
  s->shipper_name = name;
  s->shipper_country = std::string_view(name).find("Hong Kong") != std::string_view::npos ||
                               std::string_view(name).find("Kowloon") != std::string_view::npos ||
                               std::string_view(name).find("Tsuen Wan") != std::string_view::npos
                           ? "HK"
                           : "CN";
  s->shipper_norm.clear();
  double unused = 0;
  std::string error;
  NormalizeValue(FieldType::kName, s->shipper_name, &s->shipper_norm, &unused, &error);
  s->violator = -1;
  s->violator_listed = false;
}

}  // namespace

void GenerateShipment(const World& world, std::uint64_t seed, std::uint64_t index,
                      std::uint64_t total, Rng& rng, Shipment* s) {
  world.Generate(index, total, rng, s);
  s->episode = -1;
  s->episode_decoy = false;
  s->late = false;
  const bool parcel = s->mode == Mode::kExpress || s->mode == Mode::kMail;
  const Slot slot = parcel ? SlotOf(seed, index, total) : Slot{};
  if (slot.kind == Kind::kNone) {
    Rng lr(seed ^ kLateSalt, index);
    static const Days kFirst = *ParseDate(kFirstDay);
    if (lr.Chance(0.002) && s->arrival >= kFirst + 3) {
      s->arrival -= static_cast<Days>(1 + lr.Below(2));
      s->late = true;
    }
    return;
  }
  Rng group(seed ^ kMemberSalt, slot.group * 2 + (slot.kind == Kind::kAddress));
  Rng member(seed ^ kMemberSalt ^ 0x9e3779b97f4a7c15ULL, slot.group * 64 + slot.member);
  switch (slot.kind) {
    case Kind::kSplit: {
      s->consignee_name = Person(group);
      s->consignee_address = Address(group);
      s->residential = true;
      s->importer_id.clear();
      const std::uint64_t base = group.Below(kSellerCount);
      SetShipper(s, kSellers[(base + slot.member * 7) % kSellerCount]);
      SetValue(s, 180 + static_cast<long long>(member.Below(600)));
      s->episode = kSplitShipment;
      break;
    }
    case Kind::kFanout: {
      SetShipper(s, kSellers[group.Below(kSellerCount)]);
      s->consignee_name = Person(member);
      s->consignee_address = Address(member);
      s->residential = true;
      s->importer_id.clear();
      SetValue(s, 15 + static_cast<long long>(member.Below(260)));
      s->episode = kShipperFanout;
      break;
    }
    case Kind::kDecoy: {
      const Business& b = group.Pick(kFulfilment);
      s->consignee_name = b.name;
      s->consignee_address = b.address;
      s->residential = false;
      s->importer_id = b.importer;
      const std::uint64_t base = group.Below(kSellerCount);
      SetShipper(s, kSellers[(base + slot.member * 5) % kSellerCount]);
      SetValue(s, 150 + static_cast<long long>(member.Below(600)));
      s->episode_decoy = true;
      break;
    }
    case Kind::kAddress: {
      s->consignee_address = Address(group);
      const std::uint64_t base = group.Below(kSellerCount);
      s->consignee_name = Person(member);
      s->residential = true;
      s->importer_id.clear();
      SetShipper(s, kSellers[(base + slot.member * 11) % kSellerCount]);
      SetValue(s, 25 + static_cast<long long>(member.Below(400)));
      s->episode = kAddressManyShippers;
      break;
    }
    case Kind::kNone:
      break;
  }
}

// ---------------------------------------------------------------------------

PackStream::PackStream() {
  const auto& entries = PackEntries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string_view id = entries[i].id;
    if (id == "UDR-VAL-0001") bit_split_ = static_cast<int>(i);
    if (id == "Q-NTC-0701") bit_address_ = static_cast<int>(i);
    if (id == "Q-NTC-0702") bit_fanout_ = static_cast<int>(i);
  }
}

std::uint64_t PackStream::Fires(const Shipment& s) {
  const Days d = s.arrival;
  latest_ = started_ ? std::max(latest_, d) : d;
  started_ = true;
  const Days h = latest_;
  if (h != swept_) {
    // Forget what no later record can count (SPEC section 8: at or before H - days).
    boost::unordered::erase_if(split_, [&](const auto& kv) { return kv.second.day < h; });
    boost::unordered::erase_if(fanout_, [&](const auto& kv) { return kv.second.day < h; });
    for (auto& [key, items] : address_) {
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [&](const Item& i) { return i.day <= h - 7; }),
                  items.end());
    }
    boost::unordered::erase_if(address_, [](const auto& kv) { return kv.second.empty(); });
    swept_ = h;
  }
  std::uint64_t fired = 0;
  const bool parcel = s.mode == Mode::kExpress || s.mode == Mode::kMail;
  const bool has_value = !s.value_text.empty();
  std::string name;
  double unused = 0;
  std::string error;
  NormalizeValue(FieldType::kName, s.consignee_name, &name, &unused, &error);

  // UDR-VAL-0001: by [consignee_name, consignee_address], days 1, where
  // EXPRESS/MAIL under $800, sum of declared_value_usd > 800.
  if (!name.empty() && !s.consignee_address.empty()) {
    scratch_ = name;
    scratch_.push_back('\0');
    scratch_ += s.consignee_address;
    const bool counted = parcel && has_value && s.declared_value_usd < 800;
    auto it = split_.find(scratch_);
    double sum = 0;
    if (it != split_.end() && it->second.day == d && d == h) sum = it->second.sum;
    if (counted) sum += s.declared_value_usd;
    if (counted && d == h) split_[scratch_] = DaySum{d, sum};
    if (parcel && s.residential && counted && sum > 800) fired |= std::uint64_t{1} << bit_split_;
  }
  // Q-NTC-0701: by consignee_address, days 7, where RESIDENTIAL and
  // EXPRESS/MAIL, distinct shipper_name >= 6.
  if (!s.consignee_address.empty()) {
    const bool counted = s.residential && parcel;
    std::vector<std::string_view> seen;
    auto it = address_.find(s.consignee_address);
    if (it != address_.end()) {
      for (const Item& i : it->second) {
        if (i.day >= d - 6 && i.day <= d && i.day > h - 7) seen.push_back(i.shipper);
      }
    }
    if (counted && !s.shipper_norm.empty()) seen.push_back(s.shipper_norm);
    std::sort(seen.begin(), seen.end());
    const auto distinct = std::unique(seen.begin(), seen.end()) - seen.begin();
    if (counted && !s.shipper_norm.empty()) {
      address_[s.consignee_address].push_back(Item{d, s.shipper_norm});
    }
    if (s.residential && parcel && distinct >= 6) fired |= std::uint64_t{1} << bit_address_;
  }
  // Q-NTC-0702: by shipper_name, days 1, where RESIDENTIAL, distinct
  // consignee_name >= 20.
  if (!s.shipper_norm.empty()) {
    const bool counted = s.residential;
    auto it = fanout_.find(s.shipper_norm);
    std::size_t distinct = 0;
    bool mine_seen = false;
    if (it != fanout_.end() && it->second.day == d && d == h) {
      distinct = it->second.names.size();
      mine_seen = std::find(it->second.names.begin(), it->second.names.end(), name) !=
                  it->second.names.end();
    }
    if (counted && !name.empty() && !mine_seen) ++distinct;
    if (counted && !name.empty() && d == h) {
      DayNames& dn = fanout_[s.shipper_norm];
      if (dn.day != d) {
        dn.day = d;
        dn.names.clear();
      }
      if (!mine_seen) dn.names.push_back(name);
    }
    if (s.residential && distinct >= 20) fired |= std::uint64_t{1} << bit_fanout_;
  }
  return fired;
}

}  // namespace targeting::gen
