#include "stream/state_file.h"

#include <boost/unordered/unordered_flat_set.hpp>
#include <cstring>
#include <functional>
#include <set>

#include "plan/ruleset_data.h"
#include "targeting/score.h"

namespace targeting::internal {

namespace {

constexpr char kMagic[] = "TARGETING-STATE\n";
constexpr std::size_t kMagicSize = 16;

void PutU32(std::uint32_t v, std::string* out) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, 4);
}
void PutU64(std::uint64_t v, std::string* out) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, 8);
}

// The encoded size, so the output is allocated once.
std::size_t EncodedSize(const HeldState& state) {
  std::size_t n = kMagicSize + 16 + 8;
  for (const HeldAggregate& a : state.aggregates) {
    n += 4 + a.definition.size() + 1 + 8;
    for (const HeldKey& k : a.keys) {
      n += 4 + k.key.size() + 4;
      for (const HeldItem& i : k.items) {
        n += 4 + (static_cast<AggregateDef::Measure>(a.measure) == AggregateDef::Measure::kSum
                      ? 8
                      : 4 + (static_cast<AggregateDef::Measure>(a.measure) ==
                                     AggregateDef::Measure::kDistinct
                                 ? i.text.size()
                                 : 0));
      }
    }
  }
  return n;
}
void PutStr(std::string_view s, std::string* out) {
  PutU32(static_cast<std::uint32_t>(s.size()), out);
  out->append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool U8(std::uint8_t* v) {
    if (b_.size() - pos_ < 1) return false;
    *v = static_cast<std::uint8_t>(b_[pos_++]);
    return true;
  }
  bool U32(std::uint32_t* v) {
    if (b_.size() - pos_ < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      *v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b_[pos_ + i])) << (8 * i);
    }
    pos_ += 4;
    return true;
  }
  bool U64(std::uint64_t* v) {
    if (b_.size() - pos_ < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) {
      *v |= static_cast<std::uint64_t>(static_cast<unsigned char>(b_[pos_ + i])) << (8 * i);
    }
    pos_ += 8;
    return true;
  }
  bool Str(std::string* s) {
    std::string_view v;
    if (!View(&v)) return false;
    s->assign(v);
    return true;
  }
  // As Str, a view into the bytes.
  bool View(std::string_view* s) {
    std::uint32_t n = 0;
    if (!U32(&n) || b_.size() - pos_ < n) return false;
    *s = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  std::size_t left() const { return b_.size() - pos_; }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

Status Bad(std::string why) { return Status(StatusCode::kInvalidArgument, std::move(why)); }

}  // namespace

std::string EncodeState(const HeldState& state) {
  std::string out;
  out.reserve(EncodedSize(state));
  out.append(kMagic, kMagicSize);
  PutU32(kStateFormatVersion, &out);
  PutU32(state.clock.started ? 1 : 0, &out);
  PutU32(static_cast<std::uint32_t>(state.clock.latest), &out);
  PutU32(static_cast<std::uint32_t>(state.aggregates.size()), &out);
  for (const HeldAggregate& a : state.aggregates) {
    PutStr(a.definition, &out);
    out.push_back(static_cast<char>(a.measure));
    PutU64(a.keys.size(), &out);
    for (const HeldKey& k : a.keys) {
      PutStr(k.key, &out);
      PutU32(static_cast<std::uint32_t>(k.items.size()), &out);
      for (const HeldItem& i : k.items) {
        PutU32(static_cast<std::uint32_t>(i.day), &out);
        switch (static_cast<AggregateDef::Measure>(a.measure)) {
          case AggregateDef::Measure::kCount: PutU32(i.n, &out); break;
          case AggregateDef::Measure::kSum: {
            std::uint64_t bits = 0;
            std::memcpy(&bits, &i.number, sizeof bits);
            PutU64(bits, &out);
            break;
          }
          case AggregateDef::Measure::kDistinct: PutStr(i.text, &out); break;
        }
      }
    }
  }
  PutU64(Fnv1a64(out), &out);
  return out;
}

Status DecodeState(std::string_view bytes, HeldState* state) {
  *state = HeldState{};
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
    if (bytes.size() < kMagicSize && std::memcmp(bytes.data(), kMagic, bytes.size()) == 0) {
      return Bad("truncated state file (" + std::to_string(bytes.size()) + " bytes)");
    }
    return Bad("not a targeting state file");
  }
  Reader r(bytes.substr(kMagicSize));
  std::uint32_t version = 0, flags = 0, latest = 0, naggs = 0;
  if (!r.U32(&version)) return Bad("truncated state file (no version)");
  if (version > kStateFormatVersion) {
    return Bad("written by a newer state format (version " + std::to_string(version) +
               "; this build reads version " + std::to_string(kStateFormatVersion) + ")");
  }
  if (version == 0) return Bad("corrupt state file (version 0)");
  if (bytes.size() < kMagicSize + 8) return Bad("truncated state file");
  // The checksum covers everything before it: check it before believing any
  // count in the body.
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  Reader tail(bytes.substr(bytes.size() - 8));
  std::uint64_t sum = 0;
  tail.U64(&sum);
  if (Fnv1a64(body) != sum) return Bad("corrupt or truncated state file (checksum mismatch)");
  r = Reader(body.substr(kMagicSize + 4));
  if (!r.U32(&flags) || !r.U32(&latest) || !r.U32(&naggs)) return Bad("truncated state file");
  if (flags > 1) return Bad("corrupt state file (unknown flags " + std::to_string(flags) + ")");
  state->clock.started = flags == 1;
  state->clock.latest = static_cast<Days>(latest);
  auto truncated = [] { return Bad("corrupt state file (a length runs past the end)"); };
  std::set<std::string> definitions;
  for (std::uint32_t a = 0; a < naggs; ++a) {
    if (r.left() < 13) return truncated();
    HeldAggregate agg;
    std::uint64_t nkeys = 0;
    if (!r.Str(&agg.definition) || !r.U8(&agg.measure) || !r.U64(&nkeys)) return truncated();
    if (agg.measure > 2) {
      return Bad("corrupt state file (unknown measure " + std::to_string(agg.measure) + ")");
    }
    if (!definitions.insert(agg.definition).second) {
      return Bad("corrupt state file (an aggregate is held twice)");
    }
    if (nkeys > r.left() / 8) return truncated();  // each key takes at least 8 bytes
    // Views into `bytes`: a million keys are checked without a copy each.
    struct ViewHash {
      std::size_t operator()(std::string_view v) const noexcept {
        return std::hash<std::string_view>()(v);
      }
    };
    boost::unordered_flat_set<std::string_view, ViewHash> keys;
    keys.reserve(static_cast<std::size_t>(nkeys));
    agg.keys.reserve(static_cast<std::size_t>(nkeys));
    for (std::uint64_t k = 0; k < nkeys; ++k) {
      HeldKey hk;
      std::uint32_t nitems = 0;
      std::string_view key;
      if (!r.View(&key) || !r.U32(&nitems)) return truncated();
      if (nitems == 0) return Bad("corrupt state file (a key holds nothing)");
      if (nitems > r.left() / 8) return truncated();
      if (!keys.insert(key).second) return Bad("corrupt state file (a key is held twice)");
      hk.key.assign(key);
      hk.items.resize(nitems);
      for (HeldItem& i : hk.items) {
        std::uint32_t day = 0;
        if (!r.U32(&day)) return truncated();
        i.day = static_cast<Days>(day);
        if (!state->clock.started || i.day > state->clock.latest) {
          return Bad("corrupt state file (a day after the stream's latest day)");
        }
        switch (static_cast<AggregateDef::Measure>(agg.measure)) {
          case AggregateDef::Measure::kCount:
            if (!r.U32(&i.n)) return truncated();
            if (i.n == 0) return Bad("corrupt state file (a count of 0)");
            break;
          case AggregateDef::Measure::kSum: {
            std::uint64_t bits = 0;
            if (!r.U64(&bits)) return truncated();
            std::memcpy(&i.number, &bits, sizeof bits);
            break;
          }
          case AggregateDef::Measure::kDistinct:
            if (!r.Str(&i.text)) return truncated();
            break;
        }
      }
      agg.keys.push_back(std::move(hk));
    }
    state->aggregates.push_back(std::move(agg));
  }
  if (r.left() != 0) return Bad("corrupt state file (bytes after the last aggregate)");
  return Status::Ok();
}

}  // namespace targeting::internal
