#include "eval/jaro_winkler.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace targeting::internal {

double JaroWinkler(std::string_view a, std::string_view b) {
  if (a == b) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const std::size_t la = a.size(), lb = b.size();
  const std::size_t half = std::max(la, lb) / 2;
  const std::size_t d = half >= 1 ? half - 1 : 0;
  // Which bytes of b (and of a) are matched: on the stack for the names and
  // addresses the operator is meant for.
  constexpr std::size_t kStack = 256;
  std::uint8_t stack_a[kStack], stack_b[kStack];
  std::vector<std::uint8_t> heap;
  std::uint8_t* ma = stack_a;
  std::uint8_t* mb = stack_b;
  if (la > kStack || lb > kStack) {
    heap.assign(la + lb, 0);
    ma = heap.data();
    mb = heap.data() + la;
  } else {
    std::fill(ma, ma + la, std::uint8_t{0});
    std::fill(mb, mb + lb, std::uint8_t{0});
  }
  std::size_t m = 0;
  for (std::size_t i = 0; i < la; ++i) {
    const std::size_t lo = i > d ? i - d : 0;
    const std::size_t hi = std::min(lb, i + d + 1);  // exclusive
    for (std::size_t j = lo; j < hi; ++j) {
      if (!mb[j] && b[j] == a[i]) {
        mb[j] = 1;
        ma[i] = 1;
        ++m;
        break;
      }
    }
  }
  if (m == 0) return 0.0;
  std::size_t k = 0;
  for (std::size_t i = 0, j = 0; i < la; ++i) {
    if (!ma[i]) continue;
    while (!mb[j]) ++j;
    if (a[i] != b[j]) ++k;
    ++j;
  }
  const double md = static_cast<double>(m);
  const double t = static_cast<double>(k) / 2;
  const double jaro =
      (md / static_cast<double>(la) + md / static_cast<double>(lb) + (md - t) / md) / 3;
  std::size_t l = 0;
  while (l < 4 && l < la && l < lb && a[l] == b[l]) ++l;
  return jaro + static_cast<double>(l) * 0.1 * (1 - jaro);
}

}  // namespace targeting::internal
