// log(exp(a) + exp(b)) without overflow, with -infinity as the log of zero: the lattice losses' sum.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace rwkvt::train {

inline double log_add(double a, double b) {
    if (a == -std::numeric_limits<double>::infinity()) return b;
    if (b == -std::numeric_limits<double>::infinity()) return a;
    const double hi = std::max(a, b);
    return hi + std::log1p(std::exp(std::min(a, b) - hi));
}

}  // namespace rwkvt::train
