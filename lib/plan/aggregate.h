// Aggregate conditions (SPEC section 8) as the later stages see them: the
// test of an aggregate leaf on a record's measures, and the key and day of a
// record for an aggregate. Private header.
#ifndef TARGETING_LIB_PLAN_AGGREGATE_H_
#define TARGETING_LIB_PLAN_AGGREGATE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
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

// Appends one value of `field` in key form: the normalized text of a string
// like field, the 8 bytes of the number (0 for -0) of a number or date.
inline void AppendKeyValue(const Record& r, int field, int i, bool numeric, std::string* out) {
  if (numeric) {
    double d = r.num(field, i);
    if (d == 0) d = 0;
    char b[sizeof d];
    std::memcpy(b, &d, sizeof d);
    out->append(b, sizeof b);
  } else {
    out->append(r.str(field, i));
  }
}

// Appends the key of `r` over the fields `by` to *out: each value
// length-prefixed, so no two keys collide; numeric(j) says whether by[j] is
// a number or date. False, with *out as it was, when a by field is missing.
// The one encoding of keys: the histories, state files and Peek all use it.
template <class Numeric>
inline bool AppendAggregateKey(const Record& r, const std::vector<int>& by, Numeric numeric,
                               std::string* out) {
  const std::size_t start = out->size();
  for (std::size_t j = 0; j < by.size(); ++j) {
    const int f = by[j];
    if (!r.has(f)) {
      out->resize(start);
      return false;
    }
    const std::size_t before = out->size();
    out->append(4, '\0');
    AppendKeyValue(r, f, 0, numeric(j), out);
    const auto n = static_cast<std::uint32_t>(out->size() - before - 4);
    std::memcpy(out->data() + before, &n, 4);
  }
  return true;
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
