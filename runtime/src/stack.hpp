// A stack of RWKV-7 blocks (encoder or predictor) run over a chunk of tokens with the kernels,
// carrying every block's recurrent state from chunk to chunk.
#pragma once

#include <vector>

#include "packed_model.hpp"

namespace rwkvt::rt {

struct BlockState {
    Floats shift_att, shift_ffn;  // [C]
    Floats wkv;                   // [H][N][N], S_h[i][j] at (h * N + j) * N + i (value index i innermost)
};

struct StackState {
    std::vector<BlockState> blocks;
    static StackState zeros(const ModelConfig& config, int blocks);
    size_t bytes() const;
};

// Scratch memory for one chunk; grows to the largest chunk seen and is reused.
class StackWorkspace {
public:
    void reserve(const ModelConfig& config, int tokens);
    float* mixed = nullptr;  // [T][6][C]
    float *r = nullptr, *w = nullptr, *k = nullptr, *v = nullptr, *a = nullptr, *g = nullptr;
    float *v_mixed = nullptr, *v_first = nullptr, *y = nullptr, *x_alt = nullptr, *kx = nullptr, *hidden = nullptr;
    Floats state_scratch;

private:
    Floats storage_;
    int tokens_ = 0;
};

// x: [T][C], the stack's input rows; on return holds ln_out(stack(x)).
void run_stack(const PackedStack& stack, const ModelConfig& config, float* x, int tokens, StackState& state,
               StackWorkspace& workspace);
// The same for `sequences` independent sequences of tokens / sequences rows each, in order in x, the
// q-th carrying states[q]: the GEMMs run over all rows at once (one pass over each weight matrix),
// the token shifts and the WKV-7 recurrence per sequence. Beam search steps its hypotheses this way.
void run_stacks(const PackedStack& stack, const ModelConfig& config, float* x, int tokens, StackState* const* states,
                int sequences, StackWorkspace& workspace);

}  // namespace rwkvt::rt
