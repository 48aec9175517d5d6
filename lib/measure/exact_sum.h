// An exactly rounded sum of doubles, whatever the order they are added in
// (Shewchuk's algorithm, as Python's math.fsum): partial backtests merged in
// any grouping give the same sum, to the bit, as one run over every record.
// Private header. Value type; not thread-safe.
#ifndef TARGETING_LIB_MEASURE_EXACT_SUM_H_
#define TARGETING_LIB_MEASURE_EXACT_SUM_H_

#include <cmath>
#include <vector>

namespace targeting::internal {

class ExactSum {
 public:
  // Adds a finite value. A non-finite one makes the sum the plain IEEE sum
  // from then on (it is no longer a number to round).
  void Add(double x) {
    if (!finite_) {
      special_ += x;
      return;
    }
    if (!std::isfinite(x)) {
      special_ = Value() + x;
      finite_ = false;
      return;
    }
    std::size_t i = 0;
    for (double y : partials_) {
      if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
      const double hi = x + y;
      const double lo = y - (hi - x);
      if (lo != 0.0) partials_[i++] = lo;
      x = hi;
    }
    partials_.resize(i);
    partials_.push_back(x);
    if (!std::isfinite(x)) {  // the sum overflowed
      special_ = x;
      finite_ = false;
    }
  }
  // Adds everything `other` holds.
  void Add(const ExactSum& other) {
    if (!other.finite_) {
      Add(other.special_);
      return;
    }
    for (double p : other.partials_) Add(p);
  }

  // The exact sum rounded to the nearest double (ties to even).
  double Value() const {
    if (!finite_) return special_;
    std::size_t n = partials_.size();
    if (n == 0) return 0.0;
    double hi = partials_[--n];
    double lo = 0;
    while (n > 0) {
      const double x = hi;
      const double y = partials_[--n];
      hi = x + y;
      const double yr = hi - x;
      lo = y - yr;
      if (lo != 0.0) break;
    }
    // Half-even rounding across partials.
    if (n > 0 && ((lo < 0.0 && partials_[n - 1] < 0.0) || (lo > 0.0 && partials_[n - 1] > 0.0))) {
      const double y = lo * 2.0;
      const double x = hi + y;
      const double yr = x - hi;
      if (y == yr) hi = x;
    }
    return hi;
  }

  // The non-overlapping partials, smallest magnitude first: what a partial
  // backtest writes, and FromPartials reads back.
  const std::vector<double>& partials() const { return partials_; }
  static ExactSum FromPartials(const std::vector<double>& partials) {
    ExactSum s;
    for (double p : partials) s.Add(p);
    return s;
  }

 private:
  std::vector<double> partials_;
  bool finite_ = true;
  double special_ = 0;
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_MEASURE_EXACT_SUM_H_
