// The reference implementation of spec sections 1-4: plain C++ and Eigen, one token at a time,
// written to be read against the spec rather than to be fast. It is the oracle of the tests and the
// baseline of `rwkvt bench`. Matrices are row-major with one row per time step.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>

#include "../token_ngram_lm.hpp"
#include "../weights.hpp"

namespace rwkvt::ref {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::VectorXf;

// ---- Front end (spec section 1) -------------------------------------------------------------
// Log-mel features of 16 kHz samples, unnormalised: [frame_count(n), n_mels].
Mat log_mel(const std::vector<float>& samples, int n_mels);
// (x - mean) / std per mel bin, with the model's frontend.feature_mean / feature_std.
Mat normalise_features(const Model& model, const Mat& log_mel_features);

// ---- Subsampling (spec section 2) -----------------------------------------------------------
// Normalised features [T, n_mels] -> [encoder_frame_count(T), C]: conv, relu, conv, relu, linear.
Mat subsample(const Model& model, const Mat& features);

// ---- One RWKV-7 block (spec section 3) ------------------------------------------------------
Vec layer_norm(const Vec& x, const Vec& weight, const Vec& bias, float eps = 1e-5f);

struct BlockState {
    Vec shift_att, shift_ffn;   // [C]
    std::vector<Mat> wkv;       // H matrices [N][N]: wkv[h](i, j), i value index, j key index
};
struct StackState {
    std::vector<BlockState> blocks;
};
StackState zero_stack_state(const ModelConfig& config, int blocks);

// The per-token quantities of the time mix (steps 1-9), for tests of the fused kernels.
struct TimeMixTerms {
    Vec xa;                            // LN1 output (the next shift_att)
    Vec x_r, x_w, x_k, x_v, x_a, x_g;  // step 2
    Vec r, w, k, v, a, g, kk;          // k after step 9, v after step 6, kk normalised (step 8)
};
// Steps 1-9 for block `l` of `stack` ("encoder"/"predictor"); x is the block input (after LN0 for
// l == 0); v_first is read for l > 0 and written for l == 0. Does not change `state`.
TimeMixTerms time_mix_terms(const Model& model, const std::string& stack, int l, const Vec& x,
                            const BlockState& state, Vec& v_first);
// Steps 10-13 for one token: updates the heads' states in place, returns y after GroupNorm and bonus.
Vec wkv7_step(const Model& model, const std::string& stack, int l, const TimeMixTerms& t,
              std::vector<Mat>& wkv_state);
// A whole block for one token (steps 0-15): returns the block output and advances `state`.
Vec block_step(const Model& model, const std::string& stack, int l, const Vec& x, BlockState& state, Vec& v_first);

// ---- The transducer (spec section 4) --------------------------------------------------------
// All blocks of a stack then ln_out, token by token: [T, C] -> [T, C].
Mat run_stack(const Model& model, const std::string& stack, const Mat& x, StackState& state);
// Whole utterance: normalised features -> encoder output [encoder_frame_count(T), C].
Mat encoder_forward(const Model& model, const Mat& features);
// Embedding of `token` through the predictor stack: the predictor output g for the prefix so far.
Vec predictor_step(const Model& model, int token, StackState& state);
// Teacher-forced predictor over [blank, tokens...]: row u is the output after u tokens.
Mat predictor_sequence(const Model& model, const std::vector<int>& tokens);
// Joiner logits for one encoder frame e and predictor output g: [V].
Vec joiner_logits(const Model& model, const Vec& e, const Vec& g);
Vec ctc_logits(const Model& model, const Vec& e);

struct DecodeResult {
    std::vector<int> tokens;
    std::vector<int> frames;  // encoder frame at which each token was emitted
};
// Greedy transducer decoding (spec algorithms.md) with at most max_symbols_per_frame per frame.
// blank_penalty is subtracted from blank's logit before each choice (0: plain greedy decoding).
DecodeResult greedy_decode(const Model& model, const Mat& encoder_out, int max_symbols_per_frame, float blank_penalty = 0.0f);

// Greedy CTC decoding on the CTC head: each frame's arg max (blank lowered by blank_penalty),
// repeats merged, blanks dropped.
DecodeResult ctc_greedy_decode(const Model& model, const Mat& encoder_out, float blank_penalty = 0.0f);

// One hypothesis of modified beam search: its tokens, the frame that emitted each, and its log
// probability summed over the alignments merged into it.
struct BeamHypothesis {
    std::vector<int> tokens, frames;
    double log_prob = 0.0;
};
// Modified beam search (spec algorithms.md): at most one token per frame; of every (hypothesis,
// token) extension the `beam` best by log probability are kept, ties to the earlier hypothesis and
// then the lower token; extensions with the same token sequence merge (log-add-exp of their
// probabilities, the frames of the first). blank_penalty is subtracted from blank's logit before
// the log-softmax. Returns the final beam in the order it was built (best extension first).
// Shallow fusion of a token n-gram model: in each hypothesis's candidates, blank and its
// `tokens_per_hypothesis` likeliest other tokens (by log probability, ties to the lower token), each
// token's score raised by weight x ln P_lm(token | the hypothesis's tokens); the other tokens are
// not candidates.
struct LmFusion {
    const TokenNgramLm* lm = nullptr;  // nullptr: no fusion, every token is a candidate
    float weight = 0.0f;
    int tokens_per_hypothesis = 16;
};
std::vector<BeamHypothesis> modified_beam_search_beam(const Model& model, const Mat& encoder_out, int beam, float blank_penalty = 0.0f,
                                                      const LmFusion& fusion = {});
// The final beam's best hypothesis by log probability per symbol, tokens + 1 (the start symbol
// counts, so that the empty hypothesis has a length); ties to the earlier one.
DecodeResult modified_beam_search(const Model& model, const Mat& encoder_out, int beam, float blank_penalty = 0.0f,
                                  const LmFusion& fusion = {});

// Audio -> tokens: log-mel, normalisation, encoder, greedy decoding.
DecodeResult transcribe(const Model& model, const std::vector<float>& samples, int max_symbols_per_frame, float blank_penalty = 0.0f);

}  // namespace rwkvt::ref
