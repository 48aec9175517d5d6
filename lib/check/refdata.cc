#include "check/refdata.h"

#include <algorithm>
#include <cstddef>

namespace targeting::internal {

namespace {

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<HsCode> LoadHsCodes() {
  std::vector<HsCode> out;
  ForEachCsvRow(EmbeddedHs2022Csv(), [&](const std::vector<std::string>& row) {
    // section,hscode,description,parent,level. The TOTAL section holds the
    // statistical "not specified" codes 99/9999/999999, which are not HS.
    if (row.size() < 5 || row[0] == "TOTAL") return;
    const std::string& code = row[1];
    if (!AllDigits(code) || (code.size() != 2 && code.size() != 4 && code.size() != 6)) return;
    out.push_back(HsCode{code, row[2], static_cast<int>(code.size())});
  });
  std::sort(out.begin(), out.end(),
            [](const HsCode& a, const HsCode& b) { return a.code < b.code; });
  return out;
}

std::vector<Country> LoadCountries() {
  std::vector<Country> out;
  ForEachCsvRow(EmbeddedCountriesCsv(), [&](const std::vector<std::string>& row) {
    if (row.size() < 6 || row[0].size() != 2) return;
    out.push_back(Country{row[0], row[1], row[3], row[4], row[5]});
  });
  return out;
}

const HsCode* FindHs(std::string_view code) {
  const std::vector<HsCode>& codes = HsCodes();
  auto it = std::lower_bound(codes.begin(), codes.end(), code,
                             [](const HsCode& a, std::string_view b) { return a.code < b; });
  return it != codes.end() && it->code == code ? &*it : nullptr;
}

}  // namespace

const std::vector<HsCode>& HsCodes() {
  static const std::vector<HsCode>* const kCodes = new std::vector<HsCode>(LoadHsCodes());
  return *kCodes;
}

std::string_view HsDescription(std::string_view code) {
  const HsCode* hs = FindHs(code);
  return hs ? std::string_view(hs->description) : std::string_view();
}

const std::vector<Country>& Countries() {
  static const std::vector<Country>* const kCountries = new std::vector<Country>(LoadCountries());
  return *kCountries;
}

const Country* FindCountry(std::string_view alpha2) {
  for (const Country& c : Countries()) {
    if (c.alpha2 == alpha2) return &c;
  }
  return nullptr;
}

bool IsIsoAlpha2(std::string_view code) {
  if (code.size() != 2) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return FindCountry(code) != nullptr;
}

bool IsHsPrefix(std::string_view digits) {
  if (!AllDigits(digits)) return false;
  switch (digits.size()) {
    case 2:
    case 4:
    case 6:
      return FindHs(digits) != nullptr;
    case 8:
    case 10:
      // National subheadings (US HTS 8-digit, statistical 10-digit) extend a
      // 6-digit HS code; the extra digits are not in the nomenclature.
      return FindHs(digits.substr(0, 6)) != nullptr;
    default:
      return false;
  }
}

bool IsHsField(std::string_view field_name) {
  return field_name == "hts_code" || field_name == "hs_code" || field_name == "tariff_code";
}

bool IsCountryField(std::string_view field_name) {
  static constexpr std::string_view kSuffix = "_country";
  if (field_name == "country_of_origin" || field_name == "country_of_export" ||
      field_name == "shipper_country" || field_name == "routing") {
    return true;
  }
  return field_name.size() > kSuffix.size() &&
         field_name.substr(field_name.size() - kSuffix.size()) == kSuffix;
}

bool NextCsvRow(std::string_view* text, std::vector<std::string>* fields) {
  fields->clear();
  std::string_view& t = *text;
  if (t.substr(0, 3) == "\xEF\xBB\xBF") t.remove_prefix(3);
  if (t.empty()) return false;
  std::string field;
  std::size_t i = 0;
  bool quoted = false;
  while (true) {
    if (i >= t.size()) {
      fields->push_back(std::move(field));
      t = std::string_view();
      return true;
    }
    char c = t[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < t.size() && t[i + 1] == '"') {
          field.push_back('"');
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field.push_back(c);
      }
      ++i;
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      ++i;
    } else if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
      ++i;
    } else if (c == '\n' || c == '\r') {
      fields->push_back(std::move(field));
      std::size_t next = i + 1;
      if (c == '\r' && next < t.size() && t[next] == '\n') ++next;
      t.remove_prefix(next);
      return true;
    } else {
      field.push_back(c);
      ++i;
    }
  }
}

void ForEachCsvRow(std::string_view text,
                   const std::function<void(const std::vector<std::string>&)>& on_row) {
  std::vector<std::string> row;
  if (!NextCsvRow(&text, &row)) return;  // the header
  while (NextCsvRow(&text, &row)) on_row(row);
}

}  // namespace targeting::internal
