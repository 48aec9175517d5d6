#include "bench/synthetic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/json_writer.h"

namespace targeting::synthetic {

namespace {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL) {}
  std::uint64_t Next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  std::size_t Below(std::size_t n) { return n <= 1 ? 0 : static_cast<std::size_t>(Next() % n); }
  int Between(int lo, int hi) { return lo + static_cast<int>(Below(static_cast<std::size_t>(hi - lo + 1))); }
  bool Chance(double p) { return Uniform() < p; }
  double LogNormal(double median, double sigma) {
    // Box-Muller.
    double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
    double z = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return median * std::exp(sigma * z);
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Below(v.size())]; }

 private:
  std::uint64_t s_;
};

// Draws indices 0..n-1 with weight 1/(i+1)^s: a few common, most rare.
class Zipf {
 public:
  Zipf() = default;
  Zipf(std::size_t n, double s) {
    cdf_.resize(n);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      total += 1.0 / std::pow(static_cast<double>(i + 1), s);
      cdf_[i] = total;
    }
    for (double& c : cdf_) c /= total;
  }
  std::size_t operator()(Rng& rng) const {
    auto it = std::lower_bound(cdf_.begin(), cdf_.end(), rng.Uniform());
    return it == cdf_.end() ? cdf_.size() - 1 : static_cast<std::size_t>(it - cdf_.begin());
  }
  std::size_t size() const { return cdf_.size(); }

 private:
  std::vector<double> cdf_;
};

template <typename T>
struct Pool {
  std::vector<T> values;
  Zipf zipf;
  void Freeze(double s) { zipf = Zipf(values.size(), s); }
  const T& Draw(Rng& rng) const { return values[zipf(rng)]; }
};

const char* const kCountries[] = {
    "CN", "MX", "CA", "DE", "JP", "VN", "KR", "IN", "IT", "TW", "GB", "FR", "TH", "MY", "IE",
    "CH", "ID", "BR", "NL", "ES", "BE", "IL", "SG", "TR", "PH", "HK", "AU", "SE", "PK", "BD",
    "KH", "LK", "CO", "CL", "PE", "ZA", "AT", "DK", "PL", "CZ", "PT", "HU", "NO", "FI", "AR",
    "EC", "GT", "HN", "SV", "NI", "CR", "DO", "EG", "MA", "NG", "AE", "SA", "NZ", "RU", "UA"};

const char* const kMajorPorts[] = {"2704", "2709", "1001", "4601", "5301", "1703", "3002", "2809",
                                   "4701", "3901", "5201", "1401", "1303", "2002", "5501", "3001",
                                   "1601", "2301", "2304", "0901", "3801", "4101", "2904", "1101"};

const char* const kScacs[] = {"MAEU", "MSCU", "CMDU", "COSU", "EGLV", "HLCU", "ONEY", "YMLU",
                              "ZIMU", "HDMU", "OOLU", "APLU", "SUDU", "MATS", "WHLC", "SMLM",
                              "FDXE", "UPSN", "DHLA", "KALT"};

const char* const kNameWords[] = {
    "GOLDEN", "ORIENT", "PACIFIC", "GLOBAL", "SUNRISE", "EVERGREEN", "DRAGON", "UNITED",
    "STAR", "OCEAN", "GREAT", "WORLD", "NEW", "ASIA", "ROYAL", "SILVER", "TRIUMPH", "BRIGHT",
    "HARMONY", "PRIME", "EAGLE", "LOTUS", "JADE", "PHOENIX", "CRYSTAL", "SUMMIT", "DELTA",
    "ATLAS", "NOVA", "VISTA", "MERIDIAN", "APEX", "ZENITH", "HORIZON", "PIONEER", "VANGUARD"};
const char* const kNameKinds[] = {"TRADING", "INDUSTRIAL", "IMPORT EXPORT", "MANUFACTURING",
                                  "ELECTRONICS", "TEXTILE", "LOGISTICS", "HOLDINGS", "SUPPLY",
                                  "INTERNATIONAL", "GARMENT", "HOME GOODS"};
const char* const kNameSuffixes[] = {"CO., LTD.", "LIMITED", "INC", "LLC", "CORP", "GMBH", "S.A.",
                                     "PTE LTD", ""};

struct Goods {
  int chapter;
  const char* words[4];
};
// Goods descriptions by HS chapter; rules' regexes are written over them.
const Goods kGoods[] = {
    {42, {"LEATHER HANDBAGS", "WALLETS", "BACKPACKS POLYESTER", "TRAVEL BAGS"}},
    {61, {"COTTON T-SHIRTS", "KNIT SWEATERS", "BABY GARMENTS", "HOSIERY"}},
    {62, {"WOMENS DRESSES", "MENS JACKETS", "DENIM TROUSERS", "SILK SCARVES"}},
    {64, {"SNEAKERS RUBBER SOLE", "LEATHER SHOES", "SANDALS", "ATHLETIC FOOTWEAR"}},
    {85, {"LITHIUM ION BATTERIES", "MOBILE PHONE CHARGERS", "LED LIGHTS", "BLUETOOTH SPEAKERS"}},
    {84, {"LAPTOP COMPUTERS", "AIR CONDITIONER PARTS", "CENTRIFUGAL PUMPS", "BALL BEARINGS"}},
    {94, {"WOODEN FURNITURE", "OFFICE CHAIRS", "MATTRESSES", "LAMPS"}},
    {95, {"PLASTIC TOYS", "VIDEO GAME CONSOLES", "FITNESS EQUIPMENT", "HOVERBOARDS"}},
    {39, {"PLASTIC BAGS", "PVC FILM", "POLYETHYLENE RESIN", "PLASTIC CONTAINERS"}},
    {73, {"STEEL PIPES", "STEEL SCREWS", "WIRE MESH", "STEEL FITTINGS"}},
    {87, {"BRAKE PADS", "BICYCLE PARTS", "AUTO PARTS", "ALLOY WHEELS"}},
    {30, {"PHARMACEUTICAL TABLETS", "VITAMINS", "MEDICAMENTS", "CAPSULES"}},
    {33, {"COSMETICS", "PERFUME", "SHAMPOO", "LIPSTICK"}},
    {91, {"WRIST WATCHES", "CLOCKS", "WATCH STRAPS", "WATCH PARTS"}},
    {71, {"SILVER JEWELRY", "GOLD CHAINS", "IMITATION JEWELRY", "PEARLS"}},
    {3, {"FROZEN SHRIMP", "FISH FILLETS", "SQUID", "CRAB MEAT"}},
    {9, {"COFFEE BEANS", "BLACK PEPPER", "GREEN TEA", "CINNAMON"}},
    {22, {"RED WINE", "BEER", "VODKA", "SAKE"}},
    {24, {"E-CIGARETTES", "TOBACCO LEAF", "CIGARS", "VAPE CARTRIDGES"}},
    {44, {"PLYWOOD", "WOODEN DOORS", "HARDWOOD FLOORING", "PICTURE FRAMES"}},
    {69, {"CERAMIC TILES", "PORCELAIN TABLEWARE", "SINKS", "VASES"}},
    {70, {"GLASS BOTTLES", "MIRRORS", "GLASSWARE", "FIBERGLASS"}},
    {76, {"ALUMINUM EXTRUSIONS", "ALUMINUM FOIL", "ALUMINUM SHEETS", "COOKWARE"}},
    {90, {"MEDICAL DEVICES", "OPTICAL LENSES", "SURGICAL GLOVES", "THERMOMETERS"}},
};
const char* const kBrands[] = {"GUCCI", "LOUIS VUITTON", "CHANEL", "NIKE", "ADIDAS", "ROLEX",
                               "APPLE", "SAMSUNG", "PRADA", "HERMES", "BURBERRY", "OAKLEY"};
const char* const kRegexExtras[] = {"REPLICA", "COUNTERFEIT", "SAMPLE", "GIFT", "USED", "FAKE",
                                    "NO COMMERCIAL VALUE", "PERSONAL EFFECTS"};

struct Subheading {
  std::string code6;
  std::vector<std::string> codes10;
  int goods;  // index into kGoods, or -1
};

}  // namespace

class Vocabulary {
 public:
  explicit Vocabulary(std::uint64_t seed);

  Pool<std::string> countries, ports, lading, carriers, importers, manufacturers, shippers,
      consignees;
  Pool<std::size_t> subheadings;  // into subs
  std::vector<Subheading> subs;
  std::vector<std::string> goods_words;  // every word of every goods description
};

Vocabulary::Vocabulary(std::uint64_t seed) {
  Rng rng(seed);
  for (const char* c : kCountries) countries.values.emplace_back(c);
  countries.Freeze(1.1);  // CN first and far ahead, as in US imports
  for (const char* p : kMajorPorts) ports.values.emplace_back(p);
  while (ports.values.size() < 300) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d%02d", rng.Between(1, 55), rng.Between(1, 99));
    if (std::find(ports.values.begin(), ports.values.end(), buf) == ports.values.end()) {
      ports.values.emplace_back(buf);
    }
  }
  ports.Freeze(1.0);
  // Ports of lading: UN/LOCODE-like, country + three letters, weighted like origins.
  for (std::size_t i = 0; i < 400; ++i) {
    const std::string& c = countries.values[std::min(i % 25, countries.values.size() - 1)];
    std::string code = c;
    for (int k = 0; k < 3; ++k) code += static_cast<char>('A' + rng.Below(26));
    lading.values.push_back(code);
  }
  lading.Freeze(1.0);
  for (const char* s : kScacs) carriers.values.emplace_back(s);
  while (carriers.values.size() < 80) {
    std::string s;
    for (int k = 0; k < 4; ++k) s += static_cast<char>('A' + rng.Below(26));
    carriers.values.push_back(s);
  }
  carriers.Freeze(1.0);
  for (int i = 0; i < 60000; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d-%07d%c%c", rng.Between(10, 99),
                  static_cast<int>(rng.Below(10000000)), static_cast<char>('A' + rng.Below(26)),
                  static_cast<char>('A' + rng.Below(26)));
    importers.values.emplace_back(buf);
  }
  importers.Freeze(0.7);
  for (int i = 0; i < 100000; ++i) {
    // Manufacturer ID: country, name letters, number, city.
    std::string m = countries.Draw(rng);
    for (int k = 0; k < 6; ++k) m += static_cast<char>('A' + rng.Below(26));
    m += std::to_string(rng.Below(9000) + 100);
    for (int k = 0; k < 3; ++k) m += static_cast<char>('A' + rng.Below(26));
    manufacturers.values.push_back(m);
  }
  manufacturers.Freeze(0.7);
  auto company = [&]() {
    std::string n = kNameWords[rng.Below(std::size(kNameWords))];
    if (rng.Chance(0.6)) n += " " + std::string(kNameWords[rng.Below(std::size(kNameWords))]);
    n += " " + std::string(kNameKinds[rng.Below(std::size(kNameKinds))]);
    std::string suffix = kNameSuffixes[rng.Below(std::size(kNameSuffixes))];
    if (!suffix.empty()) n += " " + suffix;
    return n;
  };
  for (int i = 0; i < 30000; ++i) shippers.values.push_back(company());
  shippers.Freeze(0.7);
  for (int i = 0; i < 30000; ++i) consignees.values.push_back(company());
  consignees.Freeze(0.7);
  // The tariff: ~97 chapters, headings and subheadings with 10-digit lines.
  for (int chapter = 1; chapter <= 97; ++chapter) {
    if (chapter == 77) continue;
    int goods = -1;
    for (std::size_t g = 0; g < std::size(kGoods); ++g) {
      if (kGoods[g].chapter == chapter) goods = static_cast<int>(g);
    }
    const int headings = rng.Between(4, 20);
    for (int h = 1; h <= headings; ++h) {
      const int sub_count = rng.Between(1, 8);
      for (int s = 0; s < sub_count; ++s) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%02d%02d%02d", chapter, h, s == 0 ? 0 : 10 * s + rng.Between(0, 9));
        Subheading sub{buf, {}, goods};
        const int lines = rng.Between(1, 5);
        for (int l = 0; l < lines; ++l) {
          char ten[32];  // buf (up to 15 bytes) and two %02d
          std::snprintf(ten, sizeof ten, "%s%02d%02d", buf, 10 * (l + 1) % 100, rng.Between(0, 9) * 10);
          sub.codes10.emplace_back(ten);
        }
        subs.push_back(std::move(sub));
      }
    }
  }
  // Popular goods first: the chapters with descriptions, in table order,
  // then the rest in a shuffled order.
  std::vector<std::size_t> order(subs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return (subs[a].goods >= 0) > (subs[b].goods >= 0);
  });
  subheadings.values = order;
  subheadings.Freeze(0.8);
  for (const Goods& g : kGoods) {
    for (const char* w : g.words) {
      std::string phrase = w;
      std::size_t start = 0;
      while (start < phrase.size()) {
        std::size_t sp = phrase.find(' ', start);
        if (sp == std::string::npos) sp = phrase.size();
        std::string word = phrase.substr(start, sp - start);
        if (word.size() >= 4 &&
            std::find(goods_words.begin(), goods_words.end(), word) == goods_words.end()) {
          goods_words.push_back(word);
        }
        start = sp + 1;
      }
    }
  }
}

std::shared_ptr<const Vocabulary> MakeVocabulary(std::uint64_t seed) {
  return std::make_shared<const Vocabulary>(seed);
}

const char* MixName(Mix mix) {
  switch (mix) {
    case Mix::kEqSet: return "eqset";
    case Mix::kRealistic: return "realistic";
    case Mix::kRegexHeavy: return "regex";
    case Mix::kNegationOr: return "negation";
  }
  return "?";
}

std::optional<Mix> MixFromName(std::string_view name) {
  for (Mix m : {Mix::kEqSet, Mix::kRealistic, Mix::kRegexHeavy, Mix::kNegationOr}) {
    if (name == MixName(m)) return m;
  }
  return std::nullopt;
}

namespace {

std::string Q(std::string_view s) {
  std::string out;
  internal::AppendJsonString(s, &out);  // JSON strings are YAML double-quoted scalars
  return out;
}

class RuleWriter {
 public:
  RuleWriter(const RuleOptions& options, const Vocabulary& vocab)
      : opt_(options), v_(vocab), rng_(options.seed) {}

  std::string Run() {
    std::string y;
    y.reserve(opt_.rules * 260);
    y += "# Synthetic rule set: " + std::to_string(opt_.rules) + " rules, mix " +
         MixName(opt_.mix) + ", seed " + std::to_string(opt_.seed) + "\n";
    y += "lanes: {red: 60, yellow: 30}\nsampling: {rate: 0.002, salt: bench}\nrules:\n";
    for (std::size_t i = 0; i < opt_.rules; ++i) Rule(i, &y);
    return y;
  }

 private:
  enum class Kind { kEqSet, kPrefix, kRange, kRegex };

  Kind Draw() {
    const double u = rng_.Uniform();
    switch (opt_.mix) {
      case Mix::kEqSet: return Kind::kEqSet;
      case Mix::kRegexHeavy:
        return u < 0.6 ? Kind::kRegex : u < 0.8 ? Kind::kEqSet : u < 0.92 ? Kind::kPrefix : Kind::kRange;
      case Mix::kRealistic:
      case Mix::kNegationOr:
        break;
    }
    return u < 0.5 ? Kind::kEqSet : u < 0.75 ? Kind::kPrefix : u < 0.9 ? Kind::kRange : Kind::kRegex;
  }

  // Values weighted like records (commodities, origins, ports: analysts
  // watch where the volume is) or, with `uniform`, drawn evenly (parties: a
  // risky importer is not the same as a big one).
  std::string Values(const Pool<std::string>& pool, int lo, int hi, bool uniform = false) {
    const int n = rng_.Between(lo, hi);
    auto one = [&]() { return Q(uniform ? rng_.Pick(pool.values) : pool.Draw(rng_)); };
    if (n == 1) return one();
    std::string s = "[";
    for (int i = 0; i < n; ++i) s += (i ? ", " : "") + one();
    return s + "]";
  }

  // Eq / in over one field. Party tests narrow a rule; lading port, carrier,
  // origin, routing, mode and consignee type only qualify it.
  std::string EqSet(bool negate, bool narrow, std::vector<std::string>* used) {
    std::string field, values;
    for (int attempt = 0; attempt < 20; ++attempt) {
      const double u = narrow ? rng_.Uniform() * 0.60 : rng_.Uniform();
      if (u < 0.20) {
        field = "importer_id", values = Values(v_.importers, 1, 4, true);
      } else if (u < 0.35) {
        field = "manufacturer_id", values = Values(v_.manufacturers, 1, 3, true);
      } else if (u < 0.50) {
        field = "shipper_name", values = Values(v_.shippers, 1, 2, true);
      } else if (u < 0.60) {
        field = "consignee_name", values = Values(v_.consignees, 1, 2, true);
      } else if (u < 0.73) {
        field = "port_of_lading", values = Values(v_.lading, 1, 3);
      } else if (u < 0.83) {
        field = "carrier", values = Values(v_.carriers, 1, 2);
      } else if (u < 0.90) {
        field = "country_of_origin", values = Values(v_.countries, 1, 3);
      } else if (u < 0.94) {
        field = "routing", values = Values(v_.countries, 1, 2);
      } else if (u < 0.97) {
        field = "mode", values = Q(rng_.Pick(std::vector<std::string>{"SEA", "AIR", "EXPRESS"}));
      } else {
        field = "consignee_type", values = Q(rng_.Chance(0.5) ? "BUSINESS" : "RESIDENTIAL");
      }
      if (std::find(used->begin(), used->end(), field) == used->end()) break;
    }
    used->push_back(field);
    const bool seq = !values.empty() && values[0] == '[';
    if (negate) return "{" + field + ": {" + (seq ? "not_in: " : "ne: ") + values + "}}";
    return "{" + field + ": " + values + "}";
  }

  std::string Prefix() {
    const int n = rng_.Between(1, 3);
    std::string s = "{hts_code: {prefix: [";
    for (int i = 0; i < n; ++i) {
      const Subheading& sub = v_.subs[v_.subheadings.Draw(rng_)];
      const double u = rng_.Uniform();
      std::string p;
      if (u < 0.35) {
        p = sub.code6.substr(0, 4);  // heading
      } else if (u < 0.75) {
        p = sub.code6.substr(0, 4) + "." + sub.code6.substr(4, 2);
      } else {
        const std::string& ten = rng_.Pick(sub.codes10);
        p = u < 0.9 ? ten.substr(0, 4) + "." + ten.substr(4, 2) + "." + ten.substr(6, 2)
                    : ten.substr(0, 4) + "." + ten.substr(4, 2) + "." + ten.substr(6, 4);
      }
      s += (i ? ", " : "") + Q(p);
    }
    return s + "]}}";
  }

  std::string Range(std::vector<std::string>* used) {
    double u = rng_.Uniform();
    const char* fields[] = {"value_per_kg", "declared_value_usd", "declared_value_usd",
                            "gross_weight_kg", "value_per_unit"};
    auto field_of = [&](double x) {
      return fields[x < 0.35 ? 0 : x < 0.55 ? 1 : x < 0.7 ? 2 : x < 0.85 ? 3 : 4];
    };
    for (int attempt = 0; attempt < 10; ++attempt) {
      if (std::find(used->begin(), used->end(), field_of(u)) == used->end()) break;
      u = rng_.Uniform();
    }
    used->push_back(field_of(u));
    char buf[96];
    if (u < 0.35) {
      std::snprintf(buf, sizeof buf, "{value_per_kg: {lt: %d}}", rng_.Between(1, 40));
    } else if (u < 0.55) {
      std::snprintf(buf, sizeof buf, "{declared_value_usd: {ge: %d}}", rng_.Between(1, 50) * 1000);
    } else if (u < 0.7) {
      int lo = rng_.Between(1, 20) * 100;
      std::snprintf(buf, sizeof buf, "{declared_value_usd: {between: [%d, %d]}}", lo, lo * 5);
    } else if (u < 0.85) {
      std::snprintf(buf, sizeof buf, "{gross_weight_kg: {gt: %d}}", rng_.Between(1, 30) * 500);
    } else {
      std::snprintf(buf, sizeof buf, "{value_per_unit: {lt: %.1f}}", rng_.Between(1, 50) / 10.0);
    }
    return buf;
  }

  std::string Regex() {
    const double u = rng_.Uniform();
    std::string p;
    auto word = [&]() { return rng_.Pick(v_.goods_words); };
    if (u < 0.3) {
      p = "\\b(" + std::string(kBrands[rng_.Below(std::size(kBrands))]) + "|" +
          kBrands[rng_.Below(std::size(kBrands))] + ")\\b";
    } else if (u < 0.5) {
      p = "(?i)" + word();
      for (char& c : p) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    } else if (u < 0.7) {
      p = word() + ".*(" + kRegexExtras[rng_.Below(std::size(kRegexExtras))] + "|" + word() + ")";
    } else if (u < 0.85) {
      p = std::string(kRegexExtras[rng_.Below(std::size(kRegexExtras))]) + "|" +
          kRegexExtras[rng_.Below(std::size(kRegexExtras))];
    } else if (u < 0.95) {
      std::string w = word();
      p = w.substr(0, w.size() - 1) + "S?\\b";
    } else {
      // No required literal: matched through RE2::Set.
      p = rng_.Chance(0.5) ? "\\b[A-Z]{3}\\d{4,}\\b" : "^\\d{3}[A-Z]";
    }
    return "{description: {regex: " + Q(p) + "}}";
  }

  // One test; `narrow` asks for one that narrows the rule to a commodity, a
  // party, a lading port or carrier, or a description.
  std::string Test(Kind k, bool negate, bool narrow, std::vector<std::string>* used) {
    const bool have_hts = std::find(used->begin(), used->end(), "hts_code") != used->end();
    const bool have_desc = std::find(used->begin(), used->end(), "description") != used->end();
    if (k == Kind::kPrefix && have_hts) k = Kind::kEqSet;
    if (k == Kind::kRegex && have_desc) k = Kind::kEqSet;
    if (k == Kind::kRange && narrow) k = have_hts ? Kind::kEqSet : Kind::kPrefix;
    switch (k) {
      case Kind::kEqSet: return EqSet(negate, narrow, used);
      case Kind::kPrefix:
        used->push_back("hts_code");
        return negate ? "{not: " + Prefix() + "}" : Prefix();
      case Kind::kRange: return Range(used);
      case Kind::kRegex:
        used->push_back("description");
        return negate ? "{not: " + Regex() + "}" : Regex();
    }
    return "{}";
  }

  std::string When() {
    const int n = rng_.Chance(0.4) ? 2 : rng_.Chance(0.67) ? 3 : 4;
    std::vector<std::string> parts, used;
    // A rule narrows first (its first test), then qualifies.
    if (opt_.mix != Mix::kNegationOr) {
      for (int i = 0; i < n; ++i) parts.push_back(Test(Draw(), false, i == 0, &used));
    } else {
      // OR groups, negations and at_least over the same tests; the first
      // part still narrows.
      for (int i = 0; i < n; ++i) {
        const double u = i == 0 ? 1 : rng_.Uniform();
        if (u < 0.3) {
          std::vector<std::string> u1 = used, u2 = used, u3 = used;
          parts.push_back("{any: [" + Test(Draw(), false, false, &u1) + ", " +
                          Test(Draw(), false, false, &u2) + ", " + Test(Draw(), false, false, &u3) +
                          "]}");
        } else if (u < 0.55) {
          parts.push_back(Test(Draw(), true, false, &used));
        } else if (u < 0.65) {
          parts.push_back("{at_least: 2, of: [" + Test(Draw(), false, false, &used) + ", " +
                          Test(Draw(), false, false, &used) + ", " + Test(Draw(), true, false, &used) +
                          "]}");
        } else {
          parts.push_back(Test(Draw(), false, i == 0, &used));
        }
      }
    }
    std::string s = "{all: [";
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
    return s + "]}";
  }

  void Rule(std::size_t i, std::string* y) {
    char id[32];
    std::snprintf(id, sizeof id, "%s-%06zu", rng_.Chance(0.8) ? "UDR" : "Q", i + 1);
    *y += "  - id: ";
    *y += id;
    if (id[0] == 'Q') *y += "\n    kind: query";
    const double st = rng_.Uniform();
    *y += st < 0.85 ? "\n    status: active" : st < 0.95 ? "\n    status: shadow" : "\n    status: draft";
    *y += "\n    weight: " + std::to_string(rng_.Between(1, 12) * 5);
    if (rng_.Chance(0.2)) {
      *y += "\n    scope: {ports: [" + Q(v_.ports.Draw(rng_));
      if (rng_.Chance(0.5)) *y += ", " + Q(v_.ports.Draw(rng_));
      *y += "]}";
    }
    if (rng_.Chance(0.15)) *y += "\n    effective: {from: 2026-01-01, until: 2026-12-31}";
    *y += "\n    when: " + When() + "\n";
  }

  const RuleOptions& opt_;
  const Vocabulary& v_;
  Rng rng_;
};

}  // namespace

std::string RulesYaml(const RuleOptions& options, const Vocabulary& vocab) {
  return RuleWriter(options, vocab).Run();
}

struct RecordGenerator::State {
  std::shared_ptr<const Vocabulary> v;
  Rng rng;
  std::uint64_t count = 0;
  RawRecord raw;
  State(std::shared_ptr<const Vocabulary> vocab, std::uint64_t seed)
      : v(std::move(vocab)), rng(seed) {}
};

RecordGenerator::RecordGenerator(std::shared_ptr<const Vocabulary> vocab, std::uint64_t seed)
    : state_(std::make_unique<State>(std::move(vocab), seed)) {}
RecordGenerator::~RecordGenerator() = default;
RecordGenerator::RecordGenerator(RecordGenerator&&) noexcept = default;
RecordGenerator& RecordGenerator::operator=(RecordGenerator&&) noexcept = default;

void RecordGenerator::Next(RawRecord* out) {
  State& s = *state_;
  const Vocabulary& v = *s.v;
  Rng& rng = s.rng;
  out->clear();
  auto put = [&](const char* field, std::string value) {
    out->emplace_back(field, std::vector<std::string>{std::move(value)});
  };
  put("record_id", "S" + std::to_string(++s.count));
  char date[16];
  std::snprintf(date, sizeof date, "2026-%02d-%02d", rng.Between(1, 12), rng.Between(1, 28));
  put("arrival_date", date);
  const double m = rng.Uniform();
  put("mode", m < 0.6 ? "SEA" : m < 0.8 ? "AIR" : m < 0.9 ? "EXPRESS" : m < 0.97 ? "TRUCK" : m < 0.99 ? "RAIL" : "MAIL");
  put("port_of_entry", v.ports.Draw(rng));
  const std::string& origin = v.countries.Draw(rng);
  put("port_of_lading", v.lading.Draw(rng));
  put("country_of_origin", origin);
  put("country_of_export", rng.Chance(0.8) ? origin : v.countries.Draw(rng));
  if (rng.Chance(0.3)) {
    std::vector<std::string> routing = {v.countries.Draw(rng)};
    if (rng.Chance(0.3)) routing.push_back(v.countries.Draw(rng));
    out->emplace_back("routing", std::move(routing));
  }
  put("shipper_name", v.shippers.Draw(rng));
  put("shipper_country", origin);
  put("consignee_name", v.consignees.Draw(rng));
  put("consignee_address", std::to_string(rng.Between(1, 9999)) + " COMMERCE BLVD, SUITE " +
                               std::to_string(rng.Between(100, 999)));
  put("consignee_type", rng.Chance(0.85) ? "BUSINESS" : "RESIDENTIAL");
  put("importer_id", v.importers.Draw(rng));
  if (rng.Chance(0.9)) put("manufacturer_id", v.manufacturers.Draw(rng));
  put("carrier", v.carriers.Draw(rng));
  const Subheading& sub = v.subs[v.subheadings.Draw(rng)];
  const std::string& ten = rng.Pick(sub.codes10);
  put("hts_code", ten.substr(0, 4) + "." + ten.substr(4, 2) + "." + ten.substr(6, 4));
  std::string desc;
  if (rng.Chance(0.05)) desc += std::string(kBrands[rng.Below(std::size(kBrands))]) + " ";
  if (sub.goods >= 0) {
    desc += kGoods[sub.goods].words[rng.Below(4)];
  } else {
    desc += rng.Chance(0.5) ? "GENERAL MERCHANDISE" : "PARTS AND ACCESSORIES";
  }
  if (rng.Chance(0.03)) desc += std::string(" ") + kRegexExtras[rng.Below(std::size(kRegexExtras))];
  desc += " PO#" + std::to_string(100000 + rng.Below(900000));
  if (rng.Chance(0.3)) desc += " " + std::to_string(rng.Between(1, 500)) + " CTNS";
  put("description", desc);
  char num[32];
  const double qty = std::max(1.0, std::round(rng.LogNormal(200, 1.5)));
  const double kg = std::max(0.1, std::round(rng.LogNormal(800, 1.4) * 10) / 10);
  const double usd = std::max(1.0, std::round(rng.LogNormal(12000, 1.6)));
  std::snprintf(num, sizeof num, "%.0f", qty);
  put("quantity", num);
  std::snprintf(num, sizeof num, "%.1f", kg);
  put("gross_weight_kg", num);
  std::snprintf(num, sizeof num, "%.0f", usd);
  put("declared_value_usd", num);
}

bool RecordGenerator::NextRecord(Record* record, std::string* error) {
  Next(&state_->raw);
  record->Clear();
  const Schema& schema = record->schema();
  for (const auto& [name, values] : state_->raw) {
    const int f = schema.Find(name);
    if (f < 0) continue;
    for (const std::string& value : values) {
      if (!record->AddElement(f, value, error)) return false;
    }
  }
  return record->Finish(error);
}

void RecordGenerator::NextJson(std::string* out) {
  Next(&state_->raw);
  out->push_back('{');
  bool first = true;
  for (const auto& [name, values] : state_->raw) {
    if (!first) out->push_back(',');
    first = false;
    internal::AppendJsonString(name, out);
    out->push_back(':');
    if (name == "routing") {
      out->push_back('[');
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out->push_back(',');
        internal::AppendJsonString(values[i], out);
      }
      out->push_back(']');
    } else {
      internal::AppendJsonString(values[0], out);
    }
  }
  out->push_back('}');
}

}  // namespace targeting::synthetic
