// What `targeting gen` plants in its corpus, and how the simulated port
// targets it. Private header.
//
// Ground truth: a record's probability of a discrepancy is the background rate
// times the largest factor of the planted patterns its fields match. Patterns
// are decided on the record as written (and, for repeat violators, on who the
// shipper really is), never on the rule pack.
//
// Practice: the simulated port runs the example rule pack of rules/. Its
// entries are mirrored here as C++ predicates with the SPEC semantics, so gen
// can select exams the way the port would (rule hits, officers working their
// queries) without the rule compiler. tests/unit/gen_test.cc checks the mirror
// against the pack compiled by the library, record by record.
#ifndef TARGETING_LIB_GEN_PLANTED_H_
#define TARGETING_LIB_GEN_PLANTED_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "gen/world.h"
#include "targeting/rules.h"

namespace targeting::gen {

// The discrepancy probability of a record that matches no planted pattern.
inline constexpr double kBackgroundRate = 0.02;
// The day the counterfeit-cosmetics ring is broken up: from it on, the
// records that looked like its parcels are as clean as any.
inline constexpr const char* kCosmeticsRingEnds = "2026-07-01";

enum Pattern : int {
  kLuxuryViaHk,
  kAirbags,
  kBrakePads,
  kMicrochips,
  kMasks,
  kReelsOnePort,
  kRepeatViolators,
  kLedLighting,
  kSanctioned,
  // Holds only on records that arrive before kCosmeticsRingEnds: the query
  // aimed at it decays (backtest --by month).
  kCosmeticsRing,
  // Across records (gen/episodes.h): the e-commerce patterns of SPEC section 8.
  kSplitShipment,
  kAddressManyShippers,
  kShipperFanout,
  kPatternCount,
};

// What a discrepancy of a pattern leads to (SPEC section 6 `action`).
struct ActionShare {
  const char* action;
  double share;
};

struct PatternInfo {
  const char* id;         // "luxury_via_hk"
  const char* name;       // one line for people
  double factor;          // multiplies kBackgroundRate
  const char* signature;  // the fields that define it, in words
  std::vector<ActionShare> actions;
  double msrp_lo, msrp_hi;  // MSRP of seized goods as a multiple of the declared value
};
const PatternInfo& GetPattern(int pattern);
// Actions and MSRP multiples for a discrepancy outside every pattern.
const PatternInfo& BackgroundOutcome();

// Bit p set when the record matches pattern p.
std::uint32_t PlantedPatterns(const Shipment& s);
// kBackgroundRate times the largest factor among `patterns` (capped at 0.9).
double DiscrepancyProbability(std::uint32_t patterns);
// The pattern with the largest factor among `patterns`, or -1.
int LeadPattern(std::uint32_t patterns);

// How gen's truth classifies an entry of the example pack.
enum class EntryClass : std::uint8_t {
  kRule,        // a formal rule
  kPredictive,  // a query that finds a planted pattern the active rules miss,
                // across ports: it should be a promotion candidate
  kPortLocal,   // predictive, but scoped to one port (fails min_ports)
  kWeak,        // finds a planted pattern whose discrepancy rate is below
                // promotion.min_discrepancy_rate
  kNoise,       // looks plausible, targets nothing planted
  kDecaying,    // predictive until its pattern ends, then finds nothing: its
                // latest months' rate falls (backtest --by month flags it)
};
const char* EntryClassName(EntryClass c);

struct PackEntry {
  const char* id;
  EntryKind kind;
  EntryStatus status;
  double weight;
  EntryClass cls;
  // For active queries: the share of their hits that officers examine.
  double officer_rate;
  int pattern;  // the planted pattern it aims at, or -1
  const char* note;
};

// The compiled entries of the example pack (active, shadow and draft; the
// retired one is not compiled), sorted by id in byte order, as RuleSet does.
const std::vector<PackEntry>& PackEntries();
// Bit i set when PackEntries()[i]'s condition, with its scope and effective
// window, holds on `s` (whatever the entry's status). The pack's aggregate
// entries depend on the records before `s`: PackStream (gen/episodes.h) sets
// their bits.
std::uint64_t PackFires(const Shipment& s);

// The example pack's configuration that gen depends on (rules/targeting.yaml).
inline constexpr double kPackSamplingRate = 0.01;
inline constexpr std::string_view kPackSalt = "fy2026";
inline constexpr double kPackRed = 60;
inline constexpr double kPackYellow = 30;
// The names on rules/lists/repeat-violators.txt and the values of the pack's
// other lists, as written there.
std::vector<std::string_view> PackRepeatViolators();
std::vector<std::string_view> PackLuxuryBrands();
std::vector<std::string_view> PackAuthorizedAirbagSuppliers();
// The names of rules/lists/sdn-entities.txt (the pack's screening list), as
// written there.
std::vector<std::string_view> PackSdnEntities();
// Whether `raw`, normalized as a name, is within the screening rule's reach
// (UDR-SAN-0001: Jaro-Winkler >= 0.92 with a name of that list).
bool ScreensSdnName(std::string_view raw);

}  // namespace targeting::gen

#endif  // TARGETING_LIB_GEN_PLANTED_H_
