// splitmix64 and the few distributions augmentation needs, defined here so that results do not
// depend on the standard library's (implementation-defined) distribution algorithms.
#include <cmath>

#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

uint64_t Rng::next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

double Rng::uniform(double low, double high) { return low + (high - low) * uniform(); }

int Rng::integer(int low, int high) {
    if (high <= low) return low;
    const uint64_t span = static_cast<uint64_t>(high - low) + 1;
    return low + static_cast<int>(next() % span);  // bias is negligible for the small spans used here
}

double Rng::normal() {
    const double u1 = 1.0 - uniform();  // (0, 1], so the log is finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace rwkvt::data::augment
