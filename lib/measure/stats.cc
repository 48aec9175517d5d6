// The normal quantile and the Wilson score interval (SPEC section 6).
#include <algorithm>
#include <cmath>
#include <limits>

#include "targeting/measure.h"

namespace targeting {

// Acklam's rational approximation (relative error < 1.15e-9) followed by one
// Halley step on Phi(x) - p, computed with erfc so the tails keep their
// precision; the result is good to about 1e-15.
double NormalQuantile(double p) {
  if (!(p > 0 && p < 1)) return std::numeric_limits<double>::quiet_NaN();
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  const double p_low = 0.02425;
  double x;
  if (p < p_low) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - p_low) {
    double q = p - 0.5;
    double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley refinement. In the upper half the error is taken from the upper
  // tail, 1 - p, which erfc gives without cancellation.
  const double sqrt2pi = 2.50662827463100050242;
  double e = p <= 0.5 ? 0.5 * std::erfc(-x / std::sqrt(2.0)) - p
                      : (1 - p) - 0.5 * std::erfc(x / std::sqrt(2.0));
  double u = e * sqrt2pi * std::exp(x * x / 2);
  x = x - u / (1 + x * u / 2);
  return x;
}

Interval WilsonInterval(std::uint64_t d, std::uint64_t n, double confidence) {
  const double z = NormalQuantile((1 + confidence) / 2);
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(d) / nn;
  const double z2 = z * z;
  const double center = p + z2 / (2 * nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  const double denom = 1 + z2 / nn;
  Interval w;
  // At d = 0 (d = n) the bound is 0 (1) exactly; rounding must not push it out.
  w.low = d == 0 ? 0.0 : std::max(0.0, (center - half) / denom);
  w.high = d == n ? 1.0 : std::min(1.0, (center + half) / denom);
  return w;
}

}  // namespace targeting
