// Puts a kernel call's buffers where transcription finds them before the tuner times the call.
//
// In transcription a layer's weights are not in the core's L2 when the layer runs: each encoder
// chunk runs every block in turn, streaming all their weights (26 MB in bf16 for the default model)
// before the same layer runs again, so they come from the last-level cache or memory; its
// activations were written by the kernel just before and are still in L2. A kernel timed call after
// call on the same buffers finds its weights in L2 as well, and the two can rank schedules
// differently (a cache block that wins on warm weights can lose when each weight is an L2 miss).
#pragma once

#include <cstddef>
#include <vector>

#include "kernel_cases.hpp"

namespace rwkvt::tune {

class TranscriptionCacheState {
public:
    // scratch_bytes: the sweep that pushes weights out of L2 (by default twice this core's L2).
    explicit TranscriptionCacheState(size_t scratch_bytes = 0);
    // Reads a scratch buffer larger than L2 (evicting the call's weights to the last-level cache),
    // then the call's activations and outputs (bringing them back into L2).
    void prepare(const Call& call);

private:
    std::vector<unsigned char> scratch_;
};

}  // namespace rwkvt::tune
