// The greedy choice both decoders make over one frame's logits.
#pragma once

namespace rwkvt::rt {

// The arg max of logits[0, V) with blank's logit lowered by blank_penalty. Ties go to the lower
// index, so with the spec's blank id 0 they go to blank.
inline int blank_penalised_argmax(const float* logits, int V, int blank, float blank_penalty) {
    int choice = 0;
    float value = blank == 0 ? logits[0] - blank_penalty : logits[0];
    for (int k = 1; k < V; ++k) {
        const float v = k == blank ? logits[k] - blank_penalty : logits[k];
        if (v > value) value = v, choice = k;
    }
    return choice;
}

}  // namespace rwkvt::rt
