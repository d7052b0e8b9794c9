// Modified beam search for the transducer (spec algorithms.md, as in icefall and sherpa-onnx): at
// most one token per encoder frame; every frame, the joiner scores all hypotheses against the frame
// in one call, the `beam` best (hypothesis, token) extensions survive, and extensions with the same
// token sequence merge (their probabilities add). Each hypothesis owns its predictor state: an
// RWKV predictor has no finite context to share, but the same sequence gives the same state, so
// merging is exact. With an n-gram language model (shallow fusion), a hypothesis's score is its
// log probability plus the weighted language-model log probability of its tokens.
#pragma once

#include <vector>

#include "packed_model.hpp"
#include "stack.hpp"
#include "token_ngram_lm.hpp"

namespace rwkvt::rt {

struct BeamHypothesis {
    std::vector<int> tokens, token_frames;
    double log_prob = 0.0;  // summed over the alignments merged into it
    StackState predictor;
    Floats pred_proj;  // W_p g for this prefix
};

struct BeamState {
    std::vector<BeamHypothesis> hyps;  // in the order they were built: best extension first
    long frames_done = 0;
    // The hypothesis with the best log probability per symbol (tokens + the start symbol); ties go
    // to the earlier one.
    const BeamHypothesis& best() const;
};

class BeamSearchDecoder {
public:
    // lm: an n-gram model fused into the search (nullptr: none): the lm_tokens likeliest tokens of
    // each hypothesis compete, with lm_weight x ln P_lm added to their scores.
    BeamSearchDecoder(const PackedModel& model, int beam, float blank_penalty, const TokenNgramLm* lm, float lm_weight, int lm_tokens)
        : model_(model), beam_(beam), blank_penalty_(blank_penalty), lm_(lm), lm_weight_(lm_weight), lm_tokens_(lm_tokens) {}
    BeamState start(StackWorkspace& workspace) const;
    // Decodes `frames` encoder output rows ([frames][C]), frame by frame: chunked decoding is the
    // same as whole-utterance decoding.
    void advance(BeamState& state, const float* encoder_rows, int frames, StackWorkspace& workspace) const;

private:
    const PackedModel& model_;
    int beam_;
    float blank_penalty_;  // subtracted from blank's logit before the log-softmax
    const TokenNgramLm* lm_;
    float lm_weight_;
    int lm_tokens_;  // per hypothesis and frame
};

}  // namespace rwkvt::rt
