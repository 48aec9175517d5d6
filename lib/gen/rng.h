// The generator's own random numbers: xoshiro256** seeded through splitmix64.
// Private header.
//
// Every draw is integer arithmetic or one IEEE multiplication, so a seed gives
// the same numbers on every platform and standard library (unlike
// std::uniform_*_distribution, whose algorithms are unspecified).
#ifndef TARGETING_LIB_GEN_RNG_H_
#define TARGETING_LIB_GEN_RNG_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace targeting::gen {

// One step of splitmix64 (the SPEC section 5 mixing function), advancing *state.
inline std::uint64_t SplitMixNext(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna). Value type; not thread-safe.
class Rng {
 public:
  // An independent stream for (seed, stream): record i of a corpus draws from
  // Rng(seed, i), so records do not depend on each other.
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t sm = seed;
    sm = SplitMixNext(&sm) ^ (stream * 0xd1b54a32d192ed03ULL + 0x8bb84b93962eacc9ULL);
    for (std::uint64_t& w : s_) w = SplitMixNext(&sm);
  }

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n); n > 0. The modulo bias is below 2^-40 for the
  // small n used here.
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }
  // Uniform integer in [lo, hi].
  long long Int(long long lo, long long hi) {
    return lo + static_cast<long long>(Below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // Uniform in [lo, hi).
  double Range(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // In [lo, hi), skewed towards lo: lo + (hi - lo) * u^power. Cheap and exact
  // stand-in for a log-normal (no libm, so no platform-dependent rounding).
  double Skewed(double lo, double hi, int power) {
    double u = Uniform();
    double x = u;
    for (int i = 1; i < power; ++i) x *= u;
    return lo + (hi - lo) * x;
  }
  bool Chance(double p) { return Uniform() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(Below(items.size()))];
  }
  template <typename T, std::size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[static_cast<std::size_t>(Below(N))];
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// A discrete distribution over 0..n-1 given by weights. Value type.
class WeightedIndex {
 public:
  WeightedIndex() = default;
  explicit WeightedIndex(const std::vector<double>& weights) {
    double sum = 0;
    for (double w : weights) {
      sum += w;
      cumulative_.push_back(sum);
    }
  }
  bool empty() const { return cumulative_.empty(); }
  std::size_t size() const { return cumulative_.size(); }
  std::size_t Pick(Rng& rng) const {
    const double x = rng.Uniform() * cumulative_.back();
    std::size_t lo = 0, hi = cumulative_.size() - 1;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (x < cumulative_[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

 private:
  std::vector<double> cumulative_;
};

}  // namespace targeting::gen

#endif  // TARGETING_LIB_GEN_RNG_H_
