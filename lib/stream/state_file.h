// The state file (docs/rule-language.md, "State files"): the format that
// carries a stream's history from one run to the next. Private header.
//
//   magic "TARGETING-STATE\n" (16 bytes), u32 version (1), u32 flags (bit 0: H set),
//   i32 H, u32 aggregates, then per aggregate: str definition, u8 measure,
//   u64 keys, then per key: str key, u32 items, then per item: i32 day and
//   u32 n (count) | f64 value (sum) | str value (distinct);
//   last, u64 FNV-1a 64 of every byte before it.
// Integers are little-endian; str is a u32 length and that many bytes.
#ifndef TARGETING_LIB_STREAM_STATE_FILE_H_
#define TARGETING_LIB_STREAM_STATE_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stream/history.h"
#include "targeting/status.h"

namespace targeting::internal {

inline constexpr std::uint32_t kStateFormatVersion = 1;

struct HeldKey {
  std::string key;
  std::vector<HeldItem> items;
};
struct HeldAggregate {
  std::string definition;  // AggregateDef::key
  std::uint8_t measure = 0;  // AggregateDef::Measure
  std::vector<HeldKey> keys;
};
struct HeldState {
  StreamClock clock;
  std::vector<HeldAggregate> aggregates;
};

std::string EncodeState(const HeldState& state);
// Parses untrusted bytes. On failure the status says why in one line
// (without the file name) and *state is unspecified.
Status DecodeState(std::string_view bytes, HeldState* state);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_STREAM_STATE_FILE_H_
