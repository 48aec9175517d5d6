// Jaro-Winkler similarity exactly as SPEC section 4 defines it, for the
// `similar` operator. Private header.
#ifndef TARGETING_LIB_EVAL_JARO_WINKLER_H_
#define TARGETING_LIB_EVAL_JARO_WINKLER_H_

#include <string_view>

namespace targeting::internal {

// The Jaro-Winkler similarity of the bytes of a and b, in [0, 1]:
// - 1 when a == b; otherwise 0 when either is empty;
// - match distance d = max(0, floor(max(|a|, |b|) / 2) - 1); walking a from
//   left to right, a[i] matches the first b[j] not yet matched with
//   b[j] == a[i] and |i - j| <= d; m matches (0 -> similarity 0);
// - k = positions where the matched bytes of a (in a's order) and of b (in
//   b's order) differ, t = k / 2;
// - jaro = (m/|a| + m/|b| + (m - t)/m) / 3; l = common prefix, at most 4;
//   similarity = jaro + l * 0.1 * (1 - jaro), in IEEE double in that order.
// Thread-safe; allocates only when a or b is longer than 256 bytes.
double JaroWinkler(std::string_view a, std::string_view b);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_EVAL_JARO_WINKLER_H_
