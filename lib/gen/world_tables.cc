// The generator's text helpers (world_tables.h).
#include <cstdio>
#include <charconv>
#include <system_error>

#include "gen/world_tables.h"

namespace targeting::gen::detail {

// ---------------------------------------------------------------------------
// Names.

// Legal-suffix spellings. Within a family every spelling normalizes away
// (SPEC section 2, `name`), except where real manifests spell them otherwise.
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

}  // namespace targeting::gen::detail
