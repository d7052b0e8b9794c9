// Robust timing of competing kernels on a shared, noisy machine: every candidate is timed in each of
// several rounds, in a fresh random order each round, so that a burst of load from elsewhere hits
// all candidates alike. Each candidate's figure is the median over rounds; comparisons are paired
// by round (the ratio of two candidates timed moments apart), which cancels slow drifts in load.
#pragma once

#include <functional>
#include <vector>

namespace rwkvt::tune {

struct Timing {
    double seconds = 0;          // median seconds per call
    double spread = 0;           // interquartile range of the rounds / median: how noisy the machine was
    std::vector<double> rounds;  // seconds per call in each round
};

// A challenger against an incumbent timed in the same rounds: the median of the per-round ratios,
// and the share of rounds in which the challenger was faster.
struct Comparison {
    double ratio = 1;
    double faster_share = 0;
};
Comparison compare(const Timing& challenger, const Timing& incumbent);

// Runs each callable (one kernel call) in `rounds` interleaved rounds of at least `sample_seconds`
// each (several calls per sample when a call is shorter). With `prepare` (one per call, or empty),
// prepare[i] runs untimed before every call of calls[i] and each call is timed alone.
std::vector<Timing> time_interleaved(const std::vector<std::function<void()>>& calls, int rounds, double sample_seconds,
                                     unsigned seed, const std::vector<std::function<void()>>& prepare = {});

}  // namespace rwkvt::tune
