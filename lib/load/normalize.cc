#include "load/normalize.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <utility>

namespace targeting {
namespace internal {
namespace {

// By byte: its upper-case form when that is a letter or digit, else 0.
constexpr std::array<char, 256> kAlnumUpper = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c >= 'a' && c <= 'z') t[static_cast<std::size_t>(c)] = static_cast<char>(c - 32);
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) t[static_cast<std::size_t>(c)] = static_cast<char>(c);
  }
  return t;
}();
char AlnumUpper(char c) { return kAlnumUpper[static_cast<unsigned char>(c)]; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

constexpr std::array<std::string_view, 20> kLegalSuffixes = {
    "CO",  "COMPANY", "CORP", "CORPORATION", "INC", "INCORPORATED", "LLC",
    "LTD", "LIMITED", "LP",   "PLC",         "GMBH", "SA",          "SRL",
    "BV",  "AG",      "PTE",  "PVT",         "",     ""};

bool IsLegalSuffix(std::string_view word) {
  // Most last words are settled by their length and first letter.
  if (word.size() < 2 || word.size() > 12) return false;
  switch (word[0]) {
    case 'A': case 'B': case 'C': case 'G': case 'I': case 'L': case 'P': case 'S': break;
    default: return false;
  }
  for (std::string_view s : kLegalSuffixes) {
    if (!s.empty() && s == word) return true;
  }
  return false;
}

// SPEC section 2's address words and their abbreviations (USPS Publication 28).
constexpr std::pair<std::string_view, std::string_view> kAddressWords[] = {
    {"STREET", "ST"},     {"AVENUE", "AVE"},   {"ROAD", "RD"},        {"BOULEVARD", "BLVD"},
    {"DRIVE", "DR"},      {"LANE", "LN"},      {"COURT", "CT"},       {"PLACE", "PL"},
    {"SQUARE", "SQ"},     {"TERRACE", "TER"},  {"PARKWAY", "PKWY"},   {"HIGHWAY", "HWY"},
    {"CIRCLE", "CIR"},    {"SUITE", "STE"},    {"APARTMENT", "APT"},  {"BUILDING", "BLDG"},
    {"FLOOR", "FL"},      {"ROOM", "RM"},      {"NORTH", "N"},        {"SOUTH", "S"},
    {"EAST", "E"},        {"WEST", "W"},       {"NORTHEAST", "NE"},   {"NORTHWEST", "NW"},
    {"SOUTHEAST", "SE"},  {"SOUTHWEST", "SW"}};

// The abbreviation of an address word, or the word itself. The long forms
// are 4 to 9 letters and none starts with a digit, which settles most words
// (house numbers, zip codes, abbreviations already) without a comparison.
std::string_view AddressWord(std::string_view word) {
  if (word.size() < 4 || word.size() > 9 || IsDigit(word[0])) return word;
  for (const auto& [w, abbr] : kAddressWords) {
    if (w == word) return abbr;
  }
  return word;
}

}  // namespace

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The normal forms below are never longer than the raw text (each byte out
// is a byte in, or a space standing for one or more bytes that were not
// letters or digits; abbreviations are shorter than their words), so each
// writes into the output grown by raw.size() and then cuts it to size: no
// capacity check per byte. Growing the output moves it, so raw text that
// lies within it is copied first.

static bool Aliases(std::string_view raw, const std::string& out) {
  const std::less<const char*> before;
  return !raw.empty() && !before(raw.data(), out.data()) && before(raw.data(), out.data() + out.capacity());
}

void AppendCode(std::string_view raw, std::string* out) {
  std::string copy;
  if (Aliases(raw, *out)) raw = copy.assign(raw);
  const std::size_t start = out->size();
  out->resize(start + raw.size());
  char* p = out->data() + start;
  for (char c : raw) {
    *p = AlnumUpper(c);
    p += *p != 0;
  }
  out->resize(static_cast<std::size_t>(p - out->data()));
}

void AppendName(std::string_view raw, std::string* out) {
  std::string copy;
  if (Aliases(raw, *out)) raw = copy.assign(raw);
  const std::size_t start = out->size();
  out->resize(start + raw.size());
  char* const base = out->data() + start;
  char* p = base;
  bool pending_space = false;
  for (char c : raw) {
    c = AlnumUpper(c);
    if (c != 0) {
      if (pending_space && p > base) *p++ = ' ';
      pending_space = false;
      *p++ = c;
    } else {
      pending_space = true;
    }
  }
  // Drop trailing legal suffixes while more than one word remains.
  std::string_view name(base, static_cast<std::size_t>(p - base));
  for (;;) {
    const std::size_t space = name.rfind(' ');
    if (space == std::string_view::npos) break;
    if (!IsLegalSuffix(name.substr(space + 1))) break;
    name = name.substr(0, space);
  }
  out->resize(start + name.size());
}

void AppendAddress(std::string_view raw, std::string* out) {
  std::string copy;
  if (Aliases(raw, *out)) raw = copy.assign(raw);
  // Words first (as for a name), each abbreviated as it ends; then the
  // pairs, left to right: a `PO` made of a pair takes part in no other pair.
  const std::size_t start = out->size();
  out->resize(start + raw.size());
  char* const base = out->data() + start;
  char* p = base;
  char* word = nullptr;  // where the word being written starts
  bool pair_start = false;  // a word P or POST, which may start a pair
  auto end_word = [&]() {
    if (word == nullptr) return;
    const std::string_view w(word, static_cast<std::size_t>(p - word));
    pair_start = pair_start || w == "P" || w == "POST";
    const std::string_view abbr = AddressWord(w);
    if (abbr.data() != word) {  // an abbreviation: shorter than the word
      std::memcpy(word, abbr.data(), abbr.size());
      p = word + abbr.size();
    }
    word = nullptr;
  };
  for (char c : raw) {
    c = AlnumUpper(c);
    if (c != 0) {
      if (word == nullptr) {
        if (p > base) *p++ = ' ';
        word = p;
      }
      *p++ = c;
    } else {
      end_word();
    }
  }
  end_word();
  out->resize(start + static_cast<std::size_t>(p - base));
  if (!pair_start) return;  // no pair can form
  std::string_view text(out->data() + start, out->size() - start);
  std::string joined;
  std::string_view prev;  // a word waiting for its successor
  bool have_prev = false;
  auto emit = [&](std::string_view w) {
    if (!joined.empty()) joined.push_back(' ');
    joined.append(w);
  };
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view w = text.substr(i, j - i);
    if (have_prev && ((prev == "P" && w == "O") || (prev == "POST" && w == "OFFICE"))) {
      emit("PO");
      have_prev = false;
    } else {
      if (have_prev) emit(prev);
      prev = w;
      have_prev = true;
    }
    i = j + 1;
  }
  if (have_prev) emit(prev);
  out->resize(start);
  out->append(joined);
}

std::optional<double> ParseNumber(std::string_view s) {
  // sign? (digits ('.' digits*)? | '.' digits) ([eE] sign? digits)?
  std::size_t i = 0, n = s.size();
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < n && IsDigit(s[i])) ++i, ++int_digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < n && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != n) return std::nullopt;
  // from_chars does not take a leading '+'.
  std::string_view body = s;
  if (!body.empty() && body.front() == '+') body.remove_prefix(1);
  double value = 0;
  auto res = std::from_chars(body.data(), body.data() + body.size(), value);
  if (res.ec == std::errc::result_out_of_range) {
    // Underflow is a tiny number, not an error; overflow is.
    bool overflow = false;
    std::size_t e = body.find_first_of("eE");
    if (e != std::string_view::npos) {
      std::string_view exp = body.substr(e + 1);
      overflow = exp.empty() || exp.front() != '-';
    } else {
      overflow = true;
    }
    if (overflow) return std::nullopt;
    return 0.0;
  }
  if (res.ec != std::errc() || res.ptr != body.data() + body.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

bool ContainsFolded(std::string_view haystack, std::string_view needle_lower) {
  if (needle_lower.empty()) return true;
  if (needle_lower.size() > haystack.size()) return false;
  const std::size_t last = haystack.size() - needle_lower.size();
  const char first = needle_lower[0];
  for (std::size_t i = 0; i <= last; ++i) {
    if (LowerAscii(haystack[i]) != first) continue;
    std::size_t j = 1;
    while (j < needle_lower.size() && LowerAscii(haystack[i + j]) == needle_lower[j]) ++j;
    if (j == needle_lower.size()) return true;
  }
  return false;
}

void AppendLowerAscii(std::string_view s, std::string* out) {
  for (char c : s) out->push_back(LowerAscii(c));
}

bool IsValidUtf8(std::string_view s, std::size_t* bad_offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    if (i + len > n) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      unsigned char cc = p[i + k];
      if ((cc & 0xC0) != 0x80) {
        if (bad_offset) *bad_offset = i;
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    if (overlong || surrogate || cp > 0x10FFFF) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

void AppendNumber(double value, std::string* out) {
  if (value == 0) value = 0;  // no "-0"
  // Whole numbers under 10,000 in magnitude, most of what is written (scores,
  // weights, counts): their shortest form is their digits (4 or fewer, where
  // the exponent form takes 5 or more), written without std::to_chars.
  if (value > -10000 && value < 10000) {
    const int whole = static_cast<int>(value);
    if (static_cast<double>(whole) == value) {
      char digits[8];
      char* p = digits + sizeof digits;
      unsigned u = static_cast<unsigned>(whole < 0 ? -whole : whole);
      do {
        *--p = static_cast<char>('0' + u % 10);
        u /= 10;
      } while (u != 0);
      if (whole < 0) *--p = '-';
      out->append(p, digits + sizeof digits);
      return;
    }
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, res.ptr);
}

std::string FormatNumber(double value) {
  std::string s;
  AppendNumber(value, &s);
  return s;
}

}  // namespace internal

using internal::TrimSpaces;

namespace {

// The name of each field type, as schemas are written, for reading and
// writing alike.
constexpr std::pair<const char*, FieldType> kFieldTypeNames[] = {
    {"string", FieldType::kString}, {"code", FieldType::kCode},     {"name", FieldType::kName},
    {"text", FieldType::kText},     {"number", FieldType::kNumber}, {"date", FieldType::kDate},
    {"address", FieldType::kAddress}};

}  // namespace

std::optional<FieldType> FieldTypeFromName(std::string_view name) {
  for (const auto& [n, t] : kFieldTypeNames) {
    if (name == n) return t;
  }
  return std::nullopt;
}

const char* FieldTypeName(FieldType type) {
  for (const auto& [n, t] : kFieldTypeNames) {
    if (t == type) return n;
  }
  return "?";
}

namespace {

// Days from civil, after Howard Hinnant's algorithm.
Days DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<Days>(era * 146097 + static_cast<int>(doe) - 719468);
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<Days> ParseDate(std::string_view text) {
  std::string_view s = TrimSpaces(text);
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  auto num = [&](std::size_t at, std::size_t len) {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (m < 1 || m > 12 || d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int dim = kDays[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0);
  if (d > dim) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string FormatDate(Days days) {
  // Civil from days (Hinnant).
  int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

Days TodayUtc() {
  auto now = std::chrono::system_clock::now();
  auto days = std::chrono::floor<std::chrono::days>(now);
  return static_cast<Days>(days.time_since_epoch().count());
}

bool NormalizeValue(FieldType type, std::string_view raw, std::string* out, double* number,
                    std::string* error) {
  switch (type) {
    case FieldType::kString:
    case FieldType::kText:
      out->append(raw);
      return true;
    case FieldType::kCode:
      internal::AppendCode(raw, out);
      return true;
    case FieldType::kName:
      internal::AppendName(raw, out);
      return true;
    case FieldType::kAddress:
      internal::AppendAddress(raw, out);
      return true;
    case FieldType::kNumber: {
      std::string_view t = TrimSpaces(raw);
      if (t.empty()) return true;
      auto v = internal::ParseNumber(t);
      if (!v) {
        *error = "not a number";
        return false;
      }
      *number = *v;
      out->append(t);
      return true;
    }
    case FieldType::kDate: {
      std::string_view t = TrimSpaces(raw);
      if (t.empty()) return true;
      auto d = ParseDate(t);
      if (!d) {
        *error = "not a date (YYYY-MM-DD)";
        return false;
      }
      *number = *d;
      out->append(t);
      return true;
    }
  }
  return true;
}

}  // namespace targeting
