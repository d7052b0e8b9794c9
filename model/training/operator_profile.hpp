// Where a training step's time goes, operator by operator: LibTorch's CPU profiler around a stretch
// of code, reduced to each operator's self time (its own time less that of the operators it called),
// summed over its calls. The trainer's own kernels (WKV-7, the oneDNN products) appear under their
// rwkvt:: names; backward passes under their autograd node's name. For `rwkvt train --benchmark
// --profile`: the profiler's bookkeeping slows the steps it watches, so the shares are what to read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rwkvt::train {

struct OperatorTime {
    std::string name;
    int64_t calls = 0;
    double self_seconds = 0.0;
};

class OperatorProfile {
public:
    // Starts recording the operators this thread runs (and the work torch hands to other threads).
    OperatorProfile();
    ~OperatorProfile();
    OperatorProfile(const OperatorProfile&) = delete;
    OperatorProfile& operator=(const OperatorProfile&) = delete;

    // Stops recording; every operator seen, the largest self time first. Later calls return none.
    std::vector<OperatorTime> stop();

private:
    bool recording_ = false;
};

}  // namespace rwkvt::train
