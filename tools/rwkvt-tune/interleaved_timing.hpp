// Robust timing of competing kernels on a shared, noisy machine: every candidate is timed in each of
// several rounds, in a fresh random order each round, so that a burst of load from elsewhere hits
// all candidates alike; each candidate's figure is the median over rounds, and the spread of its
// rounds says how far the machine can be trusted.
#pragma once

#include <functional>
#include <vector>

namespace rwkvt::tune {

struct Timing {
    double seconds = 0;  // median seconds per call
    double spread = 0;   // interquartile range of the rounds / median
};

// Runs each callable (one kernel call) in `rounds` interleaved rounds of at least `sample_seconds`
// each (several calls per sample when a call is shorter).
std::vector<Timing> time_interleaved(const std::vector<std::function<void()>>& calls, int rounds, double sample_seconds,
                                     unsigned seed);

}  // namespace rwkvt::tune
