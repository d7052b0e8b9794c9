// What the tuner tunes: for every kernel of the model config, the shapes the runtime calls it with
// (random inputs of those shapes), and the search space of its generator's schedule parameters.
#pragma once

#include <Halide.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config.hpp"

namespace rwkvt::tune {

using Params = std::map<std::string, std::string>;

// One call of a kernel: its inputs, in generator declaration order, and its outputs.
struct Call {
    std::string shape;  // e.g. "T=256 K=288 O=1152", for the report
    std::vector<Halide::Buffer<>> inputs;  // float32, except the bf16 GEMMs' weight pairs
    // Which inputs are the model's weights; the rest are activations, written by the kernel
    // before in transcription (for --cold-weights: cold_weights.hpp).
    std::vector<size_t> weight_inputs;
    int scalar = 0;  // subsample's first_conv1_row; unused elsewhere
    std::vector<Halide::Buffer<float>> outputs;
    // How many times transcription makes this call per encoder chunk (per block, for the blocks'
    // kernels), so that a candidate's summed time weighs a kernel's calls as the model does: WKV-7
    // runs a chunk in calls of 64 tokens, and its decode step once per token the predictor takes in
    // the chunk's audio, in the proportion of predictor to encoder blocks (kernel_cases.cpp).
    double weight = 1;
};

// A search stage: one parameter and the values tried for it, the other parameters held at the
// best values found so far (coordinate descent).
struct Axis {
    std::string name;
    std::vector<std::string> values;
    std::string hand;  // the hand schedule's value (not tried again while the hand schedule leads)
};

struct KernelCase {
    std::string kernel;     // library name without prefix and variant: "gemm_plain"
    std::string generator;  // "gemm"
    Params fixed;           // the parameters that select the algorithm ("epilogue=plain")
    std::vector<Call> calls;
    std::vector<Axis> axes;
    // Whether Halide's autoscheduler is timed for reference (see main.cpp).
    bool try_autoscheduler = true;
    // Generates and schedules the kernel with `params` (fixed + schedule) for `target`, one call's
    // inputs bound; not yet compiled.
    std::function<Halide::Pipeline(const Params& params, const Halide::Target& target, const Call& call)> build;
};

// The kernels of `config` (only those it uses, e.g. the WKV-7 kernel of its head size), with the
// shapes of whole-file transcription (encoder chunks of rt::kWholeFileChunk frames, WKV-7 calls of
// rt::kernels::kWkvMaxChunk tokens) and WKV-7's decoding step (one token), weighted by how often each runs.
std::vector<KernelCase> kernel_cases(const ModelConfig& config, const Halide::Target& target, unsigned seed);

}  // namespace rwkvt::tune
