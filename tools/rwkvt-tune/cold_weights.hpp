// `rwkvt tune --cold-weights`: each timed call finds its weights beyond L2 and its activations in it.
//
// In transcription a layer's weights have left the core's L2 by the time the layer runs again: each
// encoder chunk runs every block in turn, about 25 MB of bf16 weights for the default model. A
// kernel timed call after call (the tuner's default) finds its weights in L2. This mode flushes a
// call's weights from every core's caches before it, reads them back and sweeps them out of this
// core's L2 with a scratch buffer, so that they come from the last-level cache, as after a pass
// over the other blocks; the activations are read back into L2. Measured on an AMD Zen 4
// (schedules/README.md), the schedules this mode chose for the bf16 GEMMs ran the model no faster
// than those of the warm timing (likely because within a 256-token chunk each weight, once loaded,
// serves every token, so its first read from L3 weighs little), so it is an option, for machines
// whose caches or memory differ.
#pragma once

#include <cstddef>
#include <vector>

#include "kernel_cases.hpp"

namespace rwkvt::tune {

class ColdWeights {
public:
    // scratch_bytes: the sweep that pushes weights out of L2 (by default twice this core's L2).
    explicit ColdWeights(size_t scratch_bytes = 0);
    // Flushes the call's weights from every cache and reads them back, reads a scratch buffer
    // larger than L2 (evicting the weights to the last-level cache), then the call's activations
    // and outputs (bringing them back into L2).
    void prepare(const Call& call);

private:
    std::vector<unsigned char> scratch_;
};

}  // namespace rwkvt::tune
