// The RWKV-T transducer (spec sections 2-4) as a LibTorch module, for training.
//
// Parameters are named exactly as model/schema.hpp names the tensors ("encoder.blocks.3.att.w1",
// ...), with the same shapes: named_parameters() keys are the schema's names (minus the two front
// end statistics, which are buffers: named_buffers() has "frontend.feature_mean" / "feature_std").
// The module tree is built from the schema (one plain torch::nn::Module per dotted prefix), so the
// two cannot drift apart. The computations mirror model/reference/ and match it to float rounding.
//
// Shapes: B batch, T feature frames, T' = ceil(T/4) encoder frames, U labels, C width, V vocabulary.
// Every part is causal, so right padding of a batch never changes valid frames or tokens.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>

#include <torch/torch.h>

#include "config.hpp"
#include "tokenizer.hpp"
#include "weights.hpp"

namespace rwkvt::train {

class TransducerImpl : public torch::nn::Module {
public:
    explicit TransducerImpl(const ModelConfig& config);

    // Copies every tensor of `model` (same config; e.g. init_model() for the spec's initialisation)
    // into the parameters and feature statistics. Throws std::invalid_argument on a config mismatch.
    void load_from(const Model& model);
    // Every tensor, feature statistics included, as a Model with this config, the given tokenizer
    // and provenance (Model::validate() holds).
    Model to_model(const Tokenizer& tokenizer, const std::string& origin) const;
    // mean, std: [n_mels].
    void set_feature_stats(const torch::Tensor& mean, const torch::Tensor& std);

    // Normalised features [B, T, n_mels] ((x - mean) / std already applied) and lengths [B] (int)
    // -> encoder output [B, T', C] with T' = ceil(T / 4), and encoder lengths ceil(lengths / 4)
    // (int64). Frames past an utterance's length hold values computed from padding: mask them.
    std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& features, const torch::Tensor& lengths);
    // CTC head on encoder output: [B, T', C] -> [B, T', V].
    torch::Tensor ctc_logits(const torch::Tensor& enc);
    // Teacher-forced predictor: tokens [B, U+1] (int64, blank first) -> [B, U+1, C].
    torch::Tensor predict(const torch::Tensor& tokens);
    // Joiner over every (frame, token) pair: [B, T', C] x [B, U+1, C] -> [B, T', U+1, V] logits.
    torch::Tensor joint(const torch::Tensor& enc, const torch::Tensor& pred);
    // Joiner in pruning windows only: s_begin [B, T'] (int64, rnnt_loss_batch.hpp) -> [B, T', S, V]
    // logits at (t, s_begin[b, t] + k), positions past the padded U clamped to U.
    torch::Tensor joint_pruned(const torch::Tensor& enc, const torch::Tensor& pred, const torch::Tensor& s_begin, int S);
    // The joiner with a zero encoder input (spec section 5, stage 2 language model): [B, U+1, V].
    torch::Tensor lm_logits(const torch::Tensor& pred);

    const ModelConfig& config() const { return config_; }

private:
    const torch::Tensor& p(const std::string& name) const;  // parameter or buffer by schema name
    torch::Tensor subsample(const torch::Tensor& features);
    // All blocks of a stack then its ln_out, over a whole sequence: [B, T, C] -> [B, T, C].
    torch::Tensor run_stack(const std::string& stack, int blocks, torch::Tensor x);
    torch::Tensor block(const std::string& stack, int l, torch::Tensor x, torch::Tensor& v_first);
    torch::Tensor joiner_from_hidden(const torch::Tensor& pre_activation);

    ModelConfig config_;
    std::unordered_map<std::string, torch::Tensor> tensors_;  // shares storage with the registered ones
};
TORCH_MODULE(Transducer);

}  // namespace rwkvt::train
