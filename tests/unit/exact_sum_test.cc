// ExactSum: the correctly rounded sum, whatever the order or grouping, which
// is what lets partial backtests merge into a single run's msrp_usd.
#include "measure/exact_sum.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace targeting::internal {
namespace {

double Sum(const std::vector<double>& v) {
  ExactSum s;
  for (double x : v) s.Add(x);
  return s.Value();
}

TEST(ExactSum, CancellationThatNaiveSummingLoses) {
  // Naively, 1e16 + 1 - 1e16 is 0; the exact sum is 1.
  EXPECT_EQ(Sum({1e16, 1, -1e16}), 1.0);
  // The values as doubles sum to 2^-55 exactly (Python: math.fsum gives the same).
  EXPECT_EQ(Sum({0.1, 0.2, 0.3, -0.6}), 2.7755575615628914e-17);
  EXPECT_EQ(Sum({}), 0.0);
  // Ties round to even across partials (as math.fsum): 2^53 + 1 + 2^-60.
  EXPECT_EQ(Sum({9007199254740992.0, 1.0, 1.0 / (1ull << 60)}), 9007199254740994.0);
  EXPECT_EQ(Sum({9007199254740992.0, 1.0}), 9007199254740992.0);
}

TEST(ExactSum, AnyOrderAndAnyGroupingGiveTheSameBits) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> price(0, 50000);
  std::vector<double> v(5000);
  for (double& x : v) x = static_cast<double>(static_cast<long long>(price(rng) * 100)) / 100;
  const double whole = Sum(v);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(v.begin(), v.end(), rng);
    // Four shards, merged through their partials as partial backtests are.
    ExactSum merged;
    for (int shard = 0; shard < 4; ++shard) {
      ExactSum part;
      for (std::size_t i = static_cast<std::size_t>(shard); i < v.size(); i += 4) part.Add(v[i]);
      merged.Add(ExactSum::FromPartials(part.partials()));
    }
    EXPECT_EQ(merged.Value(), whole);
    EXPECT_EQ(Sum(v), whole);
  }
}

TEST(ExactSum, OverflowFallsBackToTheIeeeSum) {
  EXPECT_EQ(Sum({1.7e308, 1.7e308}), std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace targeting::internal
