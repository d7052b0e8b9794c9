// The training run's settings, read from a YAML file (`rwkvt train --config train.yaml`).
//
//   model:                      # exactly one of config / init_from, or encoder_from + predictor_from
//     config: ../model/configs/tiny.yaml     # start from a fresh initialisation of this config
//     init_from: stage1.ckpt                 # or from a checkpoint / model file (.safetensors)
//     encoder_from: ctc.ckpt                 # stage 3: encoder + CTC head + feature statistics
//     predictor_from: lm.ckpt                #          predictor + joiner (+ LM head)
//     init_seed: 1
//   tokenizer: tokenizer.json                # optional for char configs (the built-in char tokenizer)
//   data:
//     train: train.jsonl                     # speech modes: JSONL manifests
//     valid: valid.jsonl
//     text: corpus.txt                       # --mode lm: one sentence per line
//     batch_seconds: 160                     # padded seconds of audio per (global) batch
//     lm_batch_tokens: 4096                  # --mode lm: padded tokens per batch
//     buckets: 8                             # length buckets
//     max_duration: 20                       # longer utterances are skipped
//     feature_stats_utterances: 500          # how many training utterances the statistics sample
//     augment: false                         # waveform augmentation (data/augment: speed, noise, reverb, ...)
//     augment_fraction: 1.0                  # share of utterances augmented when augment is on (the rest clean)
//     formant_probability: 0.0               # share of the augmented utterances whose formants move
//     formant_range: [0.87, 1.15]            # formant factors drawn uniformly (other vocal tracts)
//     spec_augment: false                    # SpecAugment masks on the features (data/augment)
//     spec_augment_frequency_masks: 2        # masks across up to 27 mel bins each
//     spec_augment_time_masks: 2             # masks across up to 40 frames (0.4 s) each
//   optim:
//     lr: 1.0e-3
//     final_lr: 1.0e-5
//     warmup_steps: 500
//     weight_decay: 0.01
//     betas: [0.9, 0.99]
//     eps: 1.0e-8
//     grad_clip: 1.0
//     ctc_lambda: 0.25                        # joint mode: loss = rnnt + ctc_lambda * ctc
//     prune_range: 0                          # joint mode: pruned RNN-T over S label positions per
//                                             # frame (5 is typical); 0 = the full lattice
//     matmul_precision: f32                   # or bf16: the matrix products round their operands
//                                             # to bf16 and sum in f32 (needs AVX-512; linear_op.hpp)
//   run:
//     out_dir: runs/tiny                      # checkpoint.ckpt, metrics.jsonl, model.safetensors
//     epochs: 10
//     max_steps: 0                            # 0 = epochs decide
//     seed: 1
//     threads: 0                              # 0 = all cores
//     log_every: 10
//     valid_every: 500                        # 0 = only at the end
//     valid_max_utterances: 200
//     valid_decoder: torch                    # joint mode: torch (greedy in LibTorch) or runtime
//                                             # (export, then the inference runtime's Recognizer)
//     checkpoint_every: 200
//
// Relative paths are relative to the YAML file's folder, so a run folder can be moved as a whole.
// Unknown keys are errors (a misspelt key must not silently fall back to a default), and every error
// names the key and what was expected.
#pragma once

#include <cstdint>
#include <string>

#include "matmul_precision.hpp"

namespace rwkvt::train {

enum class Mode { Ctc, Lm, Joint };
const char* mode_name(Mode mode);
Mode parse_mode(const std::string& text);  // "ctc" | "lm" | "joint"

struct TrainConfig {
    std::string source_path;  // the YAML file this came from (for messages)

    // model
    std::string model_config, init_from, encoder_from, predictor_from;
    uint64_t init_seed = 1;
    std::string tokenizer;

    // data
    std::string train_manifest, valid_manifest, text_corpus;
    double batch_seconds = 160.0;
    int lm_batch_tokens = 4096;
    int buckets = 8;
    double max_duration = 20.0;
    int feature_stats_utterances = 500;
    bool augment = false, spec_augment = false;
    int spec_augment_frequency_masks = 2, spec_augment_time_masks = 2;
    double augment_fraction = 1.0;
    double formant_probability = 0.0, formant_min = 0.87, formant_max = 1.15;

    // optim
    double lr = 1e-3, final_lr = 1e-5;
    int64_t warmup_steps = 500;
    double weight_decay = 0.01;
    double beta1 = 0.9, beta2 = 0.99, eps = 1e-8;
    double grad_clip = 1.0;
    double ctc_lambda = 0.25;
    int prune_range = 0;
    MatmulPrecision matmul_precision = MatmulPrecision::F32;

    // run
    std::string out_dir;
    int epochs = 10;
    int64_t max_steps = 0;
    uint64_t seed = 1;
    int threads = 0;
    int64_t log_every = 10, valid_every = 500, checkpoint_every = 200;
    int valid_max_utterances = 200;
    std::string valid_decoder = "torch";

    // Checks that the inputs a mode needs are named; throws std::runtime_error naming the key.
    void require_inputs_for(Mode mode) const;

    std::string checkpoint_path() const { return out_dir + "/checkpoint.ckpt"; }
    std::string metrics_path() const { return out_dir + "/metrics.jsonl"; }
    std::string final_model_path() const { return out_dir + "/model.safetensors"; }
};

// Throws std::runtime_error("train.yaml: optim.lr: expected a number, got 'fast'") and the like.
TrainConfig load_train_config(const std::string& path);

}  // namespace rwkvt::train
