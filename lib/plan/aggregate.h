// Aggregate conditions (SPEC section 8) as the later stages see them: the
// test of an aggregate leaf on a record's measures, and the key and day of a
// record for an aggregate. Private header.
#ifndef TARGETING_LIB_PLAN_AGGREGATE_H_
#define TARGETING_LIB_PLAN_AGGREGATE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "plan/ruleset_data.h"
#include "targeting/record.h"
#include "targeting/stream.h"

namespace targeting::internal {

inline bool MeasureTestHolds(const MeasureTest& t, double v) {
  switch (t.kind) {
    case MeasureTest::Kind::kEq: return v == t.a;
    case MeasureTest::Kind::kNe: return v != t.a;
    case MeasureTest::Kind::kLt: return v < t.a;
    case MeasureTest::Kind::kLe: return v <= t.a;
    case MeasureTest::Kind::kGt: return v > t.a;
    case MeasureTest::Kind::kGe: return v >= t.a;
    case MeasureTest::Kind::kBetween: return t.a <= v && v <= t.b;
  }
  return false;
}

// Whether aggregate leaf `p` holds given the record's measures: false when
// there are none (a record scored outside a stream) or its key is missing.
inline bool AggregateHolds(const Predicate& p, const AggregateMeasures* m) {
  if (m == nullptr) return false;
  const auto a = static_cast<std::size_t>(p.aggregate);
  if (a >= m->keyed.size() || !m->keyed[a]) return false;
  for (const MeasureTest& t : p.measure_tests) {
    if (!MeasureTestHolds(t, m->value[a])) return false;
  }
  return true;
}

// Where the encoders below write: a std::string, or any buffer with
// size(), Extend(n) (room for n more bytes at the end, returned) and
// Shrink(size).
struct StringSink {
  std::string* s;
  std::size_t size() const { return s->size(); }
  char* Extend(std::size_t n) {
    const std::size_t at = s->size();
    s->resize(at + n);
    return s->data() + at;
  }
  void Shrink(std::size_t n) { s->resize(n); }
};

// Writes one value of `field` in key form: the normalized text of a string
// like field, the 8 bytes of the number (0 for -0) of a number or date.
template <class Sink>
inline void EncodeKeyValue(const Record& r, int field, int i, bool numeric, Sink* out) {
  if (numeric) {
    double d = r.num(field, i);
    if (d == 0) d = 0;
    std::memcpy(out->Extend(sizeof d), &d, sizeof d);
  } else {
    const std::string_view v = r.str(field, i);
    if (!v.empty()) std::memcpy(out->Extend(v.size()), v.data(), v.size());
  }
}
inline void AppendKeyValue(const Record& r, int field, int i, bool numeric, std::string* out) {
  StringSink sink{out};
  EncodeKeyValue(r, field, i, numeric, &sink);
}

// Writes the key of `r` over the fields `by`: each value length-prefixed,
// so no two keys collide; numeric(j) says whether by[j] is a number or
// date. False, with the sink as it was, when a by field is missing. The one
// encoding of keys: the histories, state files and Peek all use it.
template <class Numeric, class Sink>
inline bool EncodeAggregateKey(const Record& r, const std::vector<int>& by, Numeric numeric,
                               Sink* out) {
  const std::size_t start = out->size();
  for (std::size_t j = 0; j < by.size(); ++j) {
    const int f = by[j];
    if (!r.has(f)) {
      out->Shrink(start);
      return false;
    }
    const bool num = numeric(j);
    const auto n = static_cast<std::uint32_t>(num ? sizeof(double) : r.str(f, 0).size());
    std::memcpy(out->Extend(4), &n, 4);
    EncodeKeyValue(r, f, 0, num, out);
  }
  return true;
}
template <class Numeric>
inline bool AppendAggregateKey(const Record& r, const std::vector<int>& by, Numeric numeric,
                               std::string* out) {
  StringSink sink{out};
  return EncodeAggregateKey(r, by, numeric, &sink);
}

// The key of `r` for `def`; false when a by field is missing.
inline bool AggregateKey(const Schema& schema, const AggregateDef& def, const Record& r,
                         std::string* key) {
  key->clear();
  return AppendAggregateKey(
      r, def.by, [&](std::size_t j) { return IsNumeric(schema.field(def.by[j]).type); }, key);
}

// The day of `r`: its date, or `as_of` when it has none.
inline Days RecordDay(const Schema& schema, const Record& r, Days as_of) {
  const int f = schema.date_field();
  if (f >= 0 && r.has(f)) return static_cast<Days>(r.num(f));
  return as_of;
}

}  // namespace targeting::internal

#endif  // TARGETING_LIB_PLAN_AGGREGATE_H_
