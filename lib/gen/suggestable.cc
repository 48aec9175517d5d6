#include "gen/suggestable.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "gen/planted.h"

namespace targeting::gen {

namespace {

// About 2.3% of records each, and each of its two tests alone holds on at
// least three times as many records, so neither alone has the rate. In a
// 200,000-record corpus the training two thirds of a pattern hold some 3,000
// records, of which some 80 are examined (the random sample, tips and
// observation), enough for promotion's 30.
// The noise patterns hold at the suggestable rate until day 150 or 120 of
// 365, then at the background rate: a search over the first two thirds of
// the year sees them, the last third does not.
const std::vector<SuggestablePattern> kPatterns = {
    {"d0_port_4196", "Carrier D0 into port 4196", false, 15, 0,
     "{\"all\": [{\"carrier\": \"D0\"}, {\"port_of_entry\": \"4196\"}]}", "carrier", "D0",
     "port_of_entry", "4196"},
    {"port_4701_residential", "Port 4701, to residences", false, 15, 0,
     "{\"all\": [{\"port_of_entry\": \"4701\"}, {\"consignee_type\": \"RESIDENTIAL\"}]}",
     "port_of_entry", "4701", "consignee_type", "RESIDENTIAL"},
    {"pvg_mail_burst", "Mail laden at Shanghai Pudong, a burst in the autumn", true, 15, 150,
     "{\"all\": [{\"port_of_lading\": \"CNPVG\"}, {\"mode\": \"MAIL\"}]}", "port_of_lading",
     "CNPVG", "mode", "MAIL"},
    {"ca_residential_burst", "Carrier CA to residences, a burst in the autumn", true, 15, 120,
     "{\"all\": [{\"carrier\": \"CA\"}, {\"consignee_type\": \"RESIDENTIAL\"}]}", "carrier", "CA",
     "consignee_type", "RESIDENTIAL"},
};

std::string_view FieldOf(const Shipment& s, std::string_view field) {
  if (field == "port_of_lading") return s.port_of_lading;
  if (field == "mode") return ModeCode(s.mode);
  if (field == "carrier") return s.carrier;
  if (field == "port_of_entry") return s.port_of_entry;
  if (field == "consignee_type") return s.residential ? "RESIDENTIAL" : "BUSINESS";
  return {};
}

void Number(double v, std::string* out) {
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    out->append(buf, r.ptr);
    return;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, std::round(v * 1e6) / 1e6);
  out->append(buf, r.ptr);
}

}  // namespace

const std::vector<SuggestablePattern>& SuggestablePatterns() { return kPatterns; }

SuggestablePlanting::SuggestablePlanting()
    : tallies_(kPatterns.size()), first_day_(ParseDate(kFirstDay).value_or(0)) {}

double SuggestablePlanting::Probability(const Shipment& s, double p) {
  matched_.clear();
  const int day = static_cast<int>(s.arrival - first_day_);
  for (std::size_t i = 0; i < kPatterns.size(); ++i) {
    const SuggestablePattern& pat = kPatterns[i];
    if (FieldOf(s, pat.field_a) != pat.value_a || FieldOf(s, pat.field_b) != pat.value_b) continue;
    matched_.push_back(static_cast<int>(i));
    if (pat.noise && day >= pat.until_day) continue;
    p = std::max(p, std::min(0.9, kBackgroundRate * pat.factor));
  }
  return p;
}

void SuggestablePlanting::Count(double p, bool discrepant, bool examined) {
  for (int i : matched_) {
    Tally& t = tallies_[static_cast<std::size_t>(i)];
    ++t.records;
    t.sum_p += p;
    t.discrepant += discrepant;
    t.examined += examined;
    t.examined_discrepant += examined && discrepant;
  }
}

void SuggestablePlanting::AppendTruth(std::string* out) const {
  for (int noise = 0; noise < 2; ++noise) {
    out->append(noise ? "  \"noise\": [" : "  \"suggestable\": [");
    bool first = true;
    for (std::size_t i = 0; i < kPatterns.size(); ++i) {
      const SuggestablePattern& p = kPatterns[i];
      if (p.noise != (noise == 1)) continue;
      const Tally& t = tallies_[i];
      out->append(first ? "\n" : ",\n");
      first = false;
      out->append("    {\"id\": \"");
      out->append(p.id);
      out->append("\", \"name\": \"");
      out->append(p.name);
      out->append("\", \"factor\": ");
      Number(p.factor, out);
      if (p.noise) {
        out->append(", \"until_day\": ");
        Number(p.until_day, out);
        out->append(", \"until\": \"" + FormatDate(first_day_ + p.until_day) + "\"");
      }
      out->append(", \"when\": ");
      out->append(p.when);
      out->append(", \"records\": ");
      Number(static_cast<double>(t.records), out);
      out->append(", \"true_discrepancy_rate\": ");
      if (t.records) Number(t.sum_p / static_cast<double>(t.records), out);
      else out->append("null");
      out->append(", \"discrepant\": ");
      Number(static_cast<double>(t.discrepant), out);
      out->append(", \"examined\": ");
      Number(static_cast<double>(t.examined), out);
      out->append(", \"examined_discrepant\": ");
      Number(static_cast<double>(t.examined_discrepant), out);
      out->append("}");
    }
    out->append(noise ? "\n  ],\n" : "\n  ],\n");
  }
  out->append(
      "  \"suggest_note\": \"suggestable patterns raise the discrepancy rate all year and no "
      "entry of the example pack targets them: targeting suggest should find each (or a "
      "conjunction containing it) and see it keep its lift on a later holdout. noise patterns "
      "hold only until their until date: a search over the first two thirds of the year sees "
      "them, and the holdout should not confirm them\",\n");
}

}  // namespace targeting::gen
