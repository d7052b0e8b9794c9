// The trainer's entry points: `rwkvt train`, `rwkvt export` and `rwkvt train --benchmark`.
// This header needs no LibTorch, so the command-line front end and tests compile without torch's
// heavy headers; all torch code lives in trainer.cpp, checkpoint.cpp and distributed.cpp.
#pragma once

#include <cstdint>
#include <string>

#include "operator_profile.hpp"
#include "train_config.hpp"

namespace rwkvt::train {

struct RunOptions {
    Mode mode = Mode::Joint;
    std::string config_path;  // train.yaml
    bool resume = false;      // continue from run.out_dir/checkpoint.ckpt exactly where it stopped
    // Data parallelism over torch's c10d (Gloo over TCP): one process per rank.
    int world_size = 1, rank = 0;
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
    // Stop (after writing a checkpoint) once this many optimizer steps are done; 0 = run to the end.
    // Emulates a run killed right after a checkpoint, for the exact-resume test.
    int64_t stop_after_step = 0;
    bool quiet = false;  // no progress lines on stderr (tests)
};

struct RunSummary {
    int64_t steps = 0;         // optimizer steps done in total (including before a resume)
    double last_loss = 0.0;    // training loss of the last step
    double valid_wer = -1.0, valid_cer = -1.0;  // last validation (-1: none)
};

// Throws std::runtime_error with a one-line message for every user error (config, data, checkpoint,
// non-finite loss with the step and utterance ids).
RunSummary run_training(const RunOptions& options);

// Checkpoint -> model file (config, tokenizer, feature statistics, every tensor), F32 or BF16 matrices.
void export_checkpoint(const std::string& checkpoint_path, const std::string& model_path, bool bf16);

struct BenchmarkOptions {
    std::string model_config;    // model YAML
    int batch = 16;              // utterances per step
    double seconds = 10.0;       // audio per utterance
    double tokens_per_second = 3.0;  // label length (BPE pieces of read English speech are ~3/s)
    int steps = 4;               // timed steps after one warm-up step
    int threads = 0;             // 0 = all cores
    int prune_range = 5;         // pruned RNN-T window (0 = the full lattice)
    MatmulPrecision matmul_precision = MatmulPrecision::F32;  // optim.matmul_precision
    bool profile = false;        // also time every operator of the timed steps (slows them)
};

struct BenchmarkResult {
    double step_seconds_median = 0.0;
    double audio_hours_per_hour = 0.0;
    double peak_rss_mb = 0.0;  // the process's maximum resident set (getrusage)
    double features_share = 0.0;  // share of a step spent computing log-mel features
    int threads = 0;
    std::vector<OperatorTime> operators;  // with BenchmarkOptions::profile, largest self time first
};

// Joint training steps (RNN-T + CTC, backward, AdamW) on synthetic audio and labels.
BenchmarkResult run_benchmark(const BenchmarkOptions& options);

}  // namespace rwkvt::train
