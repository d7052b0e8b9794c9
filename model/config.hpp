// The model's hyper-parameters: read from YAML (model/configs/*.yaml), carried as JSON inside the
// model file, and the single source of every derived size (heads, LoRA ranks, subsampled widths).
#pragma once

#include <string>

namespace rwkvt {

struct ModelConfig {
    std::string name = "unnamed";
    int n_mels = 80;               // log-mel bins of the front end (spec section 1)
    int subsample_channels = 64;   // F1: channels of both subsampling convolutions
    int width = 288;               // C: model width of encoder, predictor and joiner
    int head_size = 32;            // N: WKV head size; C must be a multiple of it
    int ffn_width = 1152;          // F: channel-mix hidden width (4C)
    int encoder_blocks = 12;
    int predictor_blocks = 4;
    int vocab_size = 1024;         // V, blank included
    int blank_id = 0;
    std::string tokenizer = "bpe";  // "char", "bpe" or "unigram"

    int heads() const { return width / head_size; }
    // LoRA ranks of spec section 3: max(32, round(f * sqrt(C) / 32) * 32).
    int lora_decay_rank() const;   // D_w
    int lora_iclr_rank() const;    // D_a
    int lora_value_rank() const;   // D_v
    int lora_gate_rank() const;    // D_g
    // Mel positions after each stride-2 convolution (padding 1): 80 -> 40 -> 20.
    int mels_after_conv1() const { return (n_mels - 1) / 2 + 1; }
    int mels_after_conv2() const { return (mels_after_conv1() - 1) / 2 + 1; }
    int subsample_flat() const { return subsample_channels * mels_after_conv2(); }

    // Throws std::runtime_error naming the offending field.
    void validate() const;

    std::string to_json() const;
    static ModelConfig from_json(const std::string& json);
    static ModelConfig from_yaml_file(const std::string& path);
};

}  // namespace rwkvt
