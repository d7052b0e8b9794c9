// The model as the kernels consume it: linear-layer weights transposed to (out contiguous) once at
// load time, per-block parameters grouped, front-end tables precomputed. Read-only after loading and
// shared by every stream of a recognizer.
#pragma once

#include <cstdint>
#include <vector>

#include "config.hpp"
#include "tokenizer.hpp"
#include "weights.hpp"

namespace rwkvt::rt {

using Floats = std::vector<float>;

// A Linear layer y = W x, its weights in one of two packings:
//   w_t      f32, transposed: w_t[in][out], out contiguous;
//   w_pairs  bf16 bits, W[o][2p + j] at [p][o][j] (the two weights of an input pair adjacent), when the
//            model file stores the matrix in bf16. Then w_t is empty and a bf16 kernel runs the layer
//            (generators/gemm.cpp; the joiner's two inner layers: generators/joiner.cpp).
struct PackedLinear {
    int in = 0, out = 0;
    Floats w_t;
    std::vector<uint16_t> w_pairs;
    Floats bias;  // empty when the layer has none
    bool bf16() const { return !w_pairs.empty(); }
};

struct PackedBlock {
    Floats ln0_weight, ln0_bias;  // block 0 only
    Floats ln1_weight, ln1_bias, ln2_weight, ln2_bias;
    Floats time_mu;  // [6][C]: r, w, k, v, a, g
    PackedLinear receptance, key, value, output;
    Floats w0, w1, w2, a0, a1, a2, v0, v1, v2, g1, g2;  // LoRA, as stored
    Floats k_k, k_a, r_k, ln_x_weight, ln_x_bias;
    Floats ffn_mu;
    PackedLinear ffn_key, ffn_value;
};

struct PackedStack {
    std::vector<PackedBlock> blocks;
    Floats ln_out_weight, ln_out_bias;
};

struct PackedModel {
    ModelConfig config;
    Tokenizer tokenizer;
    std::string origin;
    // Front end: DFT basis with the Hann window folded in, [257][400] each; filterbank [257][n_mels].
    Floats dft_cos, dft_sin, filterbank, feature_mean, feature_inv_std;
    // Subsampling convolutions as stored ([co][ci][3][3]) and the flatten -> C linear.
    Floats conv1_weight, conv1_bias, conv2_weight, conv2_bias;
    PackedLinear subsample_out;
    PackedStack encoder, predictor;
    Floats embedding;  // [V][C]
    PackedLinear joiner_enc, joiner_pred, joiner_hidden, joiner_out, ctc_head;

    // Consumes `model` tensor by tensor, so loading never holds two full copies of the weights.
    static PackedModel from(Model&& model);
};

}  // namespace rwkvt::rt
