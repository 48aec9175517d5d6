// Patterns across records (SPEC section 8) that `targeting gen` plants, and
// the mirror of the example pack's aggregate entries. Private header.
//
// Episodes are laid out by day: the records of one arrival day are cut into
// blocks of about 120, and each block, by a draw of its own seeded from
// (seed, day, block), may host one episode: a split shipment (one residential
// consignee, three to six EXPRESS/MAIL parcels from different shippers, each
// under $800), a shipper fanning out to many residential consignees, or a
// decoy (a business consignee receiving several small parcels a day, not
// predictive). An address episode spans a week: the same block of each day
// of it adds one to three parcels to one residential address, each from
// another shipper. Only
// records generated as EXPRESS or MAIL join an episode, so ports and routes
// stay those of their mode. A few other records arrive one or two days late.
// Every draw here comes from streams of its own, so a record that joins no
// episode is exactly what World::Generate made (but for a late date).
#ifndef TARGETING_LIB_GEN_EPISODES_H_
#define TARGETING_LIB_GEN_EPISODES_H_

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "gen/rng.h"
#include "gen/world.h"

namespace targeting::gen {

// World::Generate, then the episodes and late arrivals: record `index` of a
// corpus of `total`, as `targeting gen` writes it.
void GenerateShipment(const World& world, std::uint64_t seed, std::uint64_t index,
                      std::uint64_t total, Rng& rng, Shipment* s);

// The example pack's aggregate entries (Q-NTC-0701, Q-NTC-0702,
// UDR-VAL-0001) over gen's stream, with SPEC section 8 semantics (late
// records included). Feed every record in order. Not thread-safe.
class PackStream {
 public:
  PackStream();
  // Bits of PackEntries() for the aggregate entries that fire on `s`.
  std::uint64_t Fires(const Shipment& s);

 private:
  struct DaySum {
    Days day = 0;
    double sum = 0;
  };
  struct DayNames {
    Days day = 0;
    std::vector<std::string> names;
  };
  struct Item {
    Days day = 0;
    std::string shipper;
  };
  bool started_ = false;
  Days latest_ = 0;
  Days swept_ = 0;
  int bit_split_ = -1, bit_address_ = -1, bit_fanout_ = -1;
  boost::unordered_flat_map<std::string, DaySum> split_;         // consignee name + address
  boost::unordered_flat_map<std::string, std::vector<Item>> address_;  // address -> shippers
  boost::unordered_flat_map<std::string, DayNames> fanout_;      // shipper -> consignees
  std::string scratch_;
};

}  // namespace targeting::gen

#endif  // TARGETING_LIB_GEN_EPISODES_H_
