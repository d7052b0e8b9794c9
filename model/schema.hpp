// Every tensor of a model file: its name, shape and which part of the transducer it belongs to.
// This list is the contract between the model file, initialisation, the reference implementation,
// the runtime and the trainer: all of them look tensors up by these names.
//
// Names follow the official RWKV-7 naming, prefixed by the stack:
//   encoder.subsample.conv1.weight [F1,1,3,3]  .bias [F1]
//   encoder.subsample.conv2.weight [F1,F1,3,3] .bias [F1]
//   encoder.subsample.out.weight   [C,F1*20]   .bias [C]        (flatten order: channel * 20 + mel)
//   {encoder,predictor}.blocks.L.ln0.{weight,bias} [C]          (L == 0 only)
//   {stack}.blocks.L.ln1/ln2.{weight,bias} [C]
//   {stack}.blocks.L.att.x_r/x_w/x_k/x_v/x_a/x_g [C]            (token-shift mixes mu_*)
//   {stack}.blocks.L.att.w0 [C] w1 [C,Dw] w2 [Dw,C]             (decay LoRA)
//   {stack}.blocks.L.att.a0 [C] a1 [C,Da] a2 [Da,C]             (in-context learning rate LoRA)
//   {stack}.blocks.L.att.v0 [C] v1 [C,Dv] v2 [Dv,C]             (value residual, L > 0 only)
//   {stack}.blocks.L.att.g1 [C,Dg] g2 [Dg,C]                     (gate)
//   {stack}.blocks.L.att.k_k [C] k_a [C] r_k [H,N]
//   {stack}.blocks.L.att.receptance/key/value/output.weight [C,C]   (Linear: y = W x)
//   {stack}.blocks.L.att.ln_x.{weight,bias} [C]
//   {stack}.blocks.L.ffn.x_k [C] ffn.key.weight [F,C] ffn.value.weight [C,F]
//   {stack}.ln_out.{weight,bias} [C]
//   predictor.emb.weight [V,C]
//   joiner.enc_proj.weight [C,C] joiner.enc_proj.bias [C] (b1) joiner.pred_proj.weight [C,C]
//   joiner.hidden.weight [C,C] joiner.hidden.bias [C] joiner.out.weight [V,C] joiner.out.bias [V]
//   ctc_head.weight [V,C] ctc_head.bias [V]
//   frontend.feature_mean [n_mels] frontend.feature_std [n_mels]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"

namespace rwkvt {

enum class ModelPart { Frontend, Encoder, Predictor, Joiner, CtcHead };

const char* part_name(ModelPart part);

struct TensorSpec {
    std::string name;
    std::vector<int64_t> shape;
    ModelPart part;
    int64_t numel() const;
};

// All tensors of a model with this config, in a fixed order.
std::vector<TensorSpec> tensor_specs(const ModelConfig& config);

// Name of a block tensor: block_tensor("encoder", 3, "att.w1") == "encoder.blocks.3.att.w1".
std::string block_tensor(const std::string& stack, int block, const std::string& suffix);

struct ParameterCount {
    int64_t frontend = 0, encoder = 0, predictor = 0, joiner = 0, ctc_head = 0;
    // As the seed counts: encoder + predictor + joiner (no CTC head, no feature statistics).
    int64_t total() const { return encoder + predictor + joiner; }
};
ParameterCount count_parameters(const ModelConfig& config);

}  // namespace rwkvt
