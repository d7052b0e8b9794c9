// Greedy CTC decoding on the CTC head (spec model.md section 4: the fast alternative decoder): the
// arg max of every encoder frame, repeats merged, blanks dropped. It needs no predictor or joiner,
// so it also transcribes with a model whose transducer is not trained yet (a CTC stage's export).
#pragma once

#include <vector>

#include "packed_model.hpp"

namespace rwkvt::rt {

struct CtcState {
    std::vector<int> tokens, token_frames;
    int previous = -1;  // the last frame's choice: a repeat of it is the same token, not a new one
    long frames_done = 0;
};

class CtcDecoder {
public:
    CtcDecoder(const PackedModel& model, float blank_penalty) : model_(model), blank_penalty_(blank_penalty) {}
    // Decodes `frames` encoder output rows ([frames][C]). The state carries the previous frame's
    // choice across chunks, so chunked decoding merges repeats exactly as whole-utterance decoding.
    void advance(CtcState& state, const float* encoder_rows, int frames) const;

private:
    const PackedModel& model_;
    float blank_penalty_;  // subtracted from blank's logit before each choice
};

}  // namespace rwkvt::rt
