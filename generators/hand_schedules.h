// The hand schedules' parameter values, in one place: the defaults of the generators' schedule
// parameters, and where `rwkvt tune` starts its search (tools/rwkvt-tune/kernel_cases.cpp). A
// schedule file overrides them per kernel (schedules/README.md). Register tiles are not here: they
// are chosen from the target (schedule_util.h, register_tile).
#pragma once

#include <algorithm>

#include "Halide.h"

namespace rwkvt_gen::hand {

// gemm: cache blocks of 32 register tiles of tokens by 8 register tiles of outputs.
constexpr int kGemmBlockRows = 32;
constexpr int kGemmBlockCols = 8;
// gemm decode steps (one token) on the calling thread: a step's product is a few microseconds of
// work, less than waking the pool costs (a 288 x 288 step took 2.6x longer on 2 threads than on
// the calling thread on Zen 5).
constexpr bool kGemmParallelSteps = false;
// layer_norm and token shift + mix: tokens per parallel task.
constexpr int kLayerNormTokensPerTask = 4;
constexpr int kTokenShiftMixTokensPerTask = 8;
// subsample: conv2 output rows per parallel task, and conv2's register tile (channel vectors by mels).
constexpr int kSubsampleRowsPerTask = 2;
constexpr int kSubsampleChannelVectors = 2;
constexpr int kSubsampleMelBlock = 4;
// subsample's vector lanes over output channels: `lanes` when set (> 0), else the target's natural
// width.
inline int subsample_lanes(const Halide::Target& target, int lanes = 0) {
    return lanes > 0 ? lanes : target.natural_vector_size<float>();
}
// wkv7: the state update unrolled over the value index.
constexpr bool kWkv7UnrollValues = true;

// wkv7's vector lanes over the value index: `lanes` when set (> 0), else the target's natural width
// capped at the head size.
inline int wkv7_lanes(const Halide::Target& target, int head_size, int lanes = 0) {
    return lanes > 0 ? lanes : std::min(target.natural_vector_size<float>(), head_size);
}

}  // namespace rwkvt_gen::hand
