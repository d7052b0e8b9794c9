#include "interleaved_timing.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>
#include <stdexcept>

namespace rwkvt::tune {

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace

std::vector<Timing> time_interleaved(const std::vector<std::function<void()>>& calls, int rounds, double sample_seconds,
                                     unsigned seed, const std::vector<std::function<void()>>& prepare) {
    const size_t n = calls.size();
    if (!prepare.empty() && prepare.size() != n) throw std::logic_error("time_interleaved: one preparation per call, or none");
    // Seconds of `repeats` calls of calls[i]: back to back, or each after its untimed preparation.
    auto time_calls = [&](size_t i, int repeats) {
        if (prepare.empty()) {
            const double start = now();
            for (int k = 0; k < repeats; ++k) calls[i]();
            return now() - start;
        }
        double seconds = 0;
        for (int k = 0; k < repeats; ++k) {
            prepare[i]();
            const double start = now();
            calls[i]();
            seconds += now() - start;
        }
        return seconds;
    };
    // Calls per sample, from one warm-up call each (which also pays any first-call costs).
    std::vector<int> repeats(n, 1);
    for (size_t i = 0; i < n; ++i) {
        const double once = std::max(time_calls(i, 1), 1e-7);
        repeats[i] = std::max(1, static_cast<int>(sample_seconds / once));
    }
    std::vector<std::vector<double>> samples(n);
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::mt19937 rng(seed);
    for (int r = 0; r < rounds; ++r) {
        std::shuffle(order.begin(), order.end(), rng);
        for (size_t i : order) samples[i].push_back(time_calls(i, repeats[i]) / repeats[i]);
    }
    std::vector<Timing> out(n);
    for (size_t i = 0; i < n; ++i) {
        out[i].rounds = samples[i];
        out[i].seconds = quantile(samples[i], 0.5);
        out[i].spread = (quantile(samples[i], 0.75) - quantile(samples[i], 0.25)) / out[i].seconds;
    }
    return out;
}

Comparison compare(const Timing& challenger, const Timing& incumbent) {
    std::vector<double> ratios;
    int faster = 0;
    for (size_t r = 0; r < challenger.rounds.size() && r < incumbent.rounds.size(); ++r) {
        ratios.push_back(challenger.rounds[r] / incumbent.rounds[r]);
        faster += challenger.rounds[r] < incumbent.rounds[r];
    }
    if (ratios.empty()) return {};
    return {quantile(ratios, 0.5), static_cast<double>(faster) / static_cast<double>(ratios.size())};
}

}  // namespace rwkvt::tune
