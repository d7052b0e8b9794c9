// Greedy transducer decoding with predictor caching (spec algorithms.md): the predictor runs only
// when a token is emitted, and W_p g is kept with its state across chunks.
#pragma once

#include <vector>

#include "packed_model.hpp"
#include "stack.hpp"

namespace rwkvt::rt {

struct GreedyState {
    StackState predictor;
    Floats pred_proj;  // W_p g for the current prefix
    std::vector<int> tokens, token_frames;
    long frames_done = 0;
};

class GreedyDecoder {
public:
    GreedyDecoder(const PackedModel& model, int max_symbols_per_frame, float blank_penalty)
        : model_(model), max_symbols_(max_symbols_per_frame), blank_penalty_(blank_penalty) {}
    GreedyState start(StackWorkspace& workspace) const;
    // Decodes `frames` encoder output rows ([frames][C]).
    void advance(GreedyState& state, const float* encoder_rows, int frames, StackWorkspace& workspace) const;

private:
    // Joiner windows (frames evaluated against one prefix): the first after an emission and at the
    // start of each chunk of encoder frames, and the longest, reached by doubling while a window
    // holds only blanks (320 ms streaming chunks hold 8 frames, so there windows stop at 8).
    static constexpr int kFirstWindow = 4;
    static constexpr int kMaxWindow = 16;
    const PackedModel& model_;
    int max_symbols_;
    float blank_penalty_;  // subtracted from blank's logit before each choice
};

}  // namespace rwkvt::rt
