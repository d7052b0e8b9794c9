// Training checkpoints: everything a killed run needs to continue exactly where it stopped, in one
// file written atomically (temporary file, fsync, rename: write_file_atomically), so a crash or a
// full disk while saving leaves the previous checkpoint intact.
//
// Contents (a torch serialize archive): format tag, model config JSON, tokenizer JSON, the mode
// that wrote it, the feature statistics, every parameter and buffer of the Transducer, the AdamW
// state (moments and step counts per parameter), the progress counters (optimizer step, epoch, batch
// within the epoch, audio seen), and torch's CPU generator state. The data order needs no state: it
// is a pure function of (seed, epoch), see batch_plan.hpp.
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "config.hpp"
#include "tokenizer.hpp"
#include "transducer.hpp"

namespace rwkvt::train {

struct Progress {
    int64_t step = 0;            // optimizer steps done
    int64_t epoch = 0;           // epoch of the next batch
    int64_t batch_in_epoch = 0;  // index of the next batch in that epoch's plan
    double audio_seconds = 0.0;  // audio trained on so far (all ranks)
};

struct CheckpointInfo {
    ModelConfig config;
    std::string config_json;
    Tokenizer tokenizer;
    std::string mode;
    Progress progress;
    torch::Tensor feature_mean, feature_std;
};

void save_checkpoint(const std::string& path, const CheckpointInfo& info, Transducer& model, const torch::optim::Optimizer* optimizer);

// Reads only the header part (config, tokenizer, mode, progress, statistics).
CheckpointInfo read_checkpoint_info(const std::string& path);

// Loads the weights into `model`, which must have been built from the same config: a checkpoint of
// another config is a one-line error naming both.
void load_checkpoint_weights(const std::string& path, Transducer& model);
void load_checkpoint_optimizer(const std::string& path, torch::optim::Optimizer& optimizer);
void restore_checkpoint_rng(const std::string& path);

// True when `path` is a model file (safetensors) rather than a checkpoint.
bool is_model_file(const std::string& path);

}  // namespace rwkvt::train
