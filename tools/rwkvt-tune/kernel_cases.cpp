#include "kernel_cases.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <utility>

#include "chunk_sizes.hpp"
#include "hand_schedules.h"
#include "kernels.hpp"
#include "schedule_util.h"

namespace rwkvt::tune {

namespace {

using Halide::Buffer;
namespace hand = rwkvt_gen::hand;
std::string str(int value) { return std::to_string(value); }

struct TableEntry {
    const char* kernel;
    const char* generator;
    std::vector<std::pair<const char*, const char*>> fixed;
};
// Every inference kernel the build makes, from the build's own table (generators/CMakeLists.txt).
const std::vector<TableEntry> kKernelTable = {
#include "kernel_table.inc"
};

// Whole files run the encoder on chunks of kWholeFileChunk frames (4 feature frames each), the WKV-7
// recurrence within them on at most kWkvMaxChunk tokens per call; greedy decoding evaluates the
// joiner on a window of frames at once: 4 after an emission, doubling to 8 and 16 while all blank.
// kJoinerWindows shares the joiner's weight (1, as before windows varied) among them as the README's
// sample made them (194 calls for 135 tokens: about 7 of 10 windows are the first after an emission).
constexpr int kChunk = rt::kWholeFileChunk;
const std::vector<std::pair<int, double>> kJoinerWindows = {{4, 0.7}, {8, 0.2}, {16, 0.1}};
// Tokens greedy decoding emits per second of speech (the default model on the README's sample:
// `rwkvt bench` reports 6.5), each one a step of every predictor block; an encoder frame is 40 ms.
constexpr double kTokensPerSecond = 6.5;
constexpr double kEncoderFrameSeconds = 0.04;

class Filler {
public:
    explicit Filler(unsigned seed) : rng_(seed) {}
    Buffer<float> uniform(std::vector<int> sizes, float lo, float hi) {
        Buffer<float> b(sizes);
        std::uniform_real_distribution<float> d(lo, hi);
        b.for_each_value([&](float& v) { v = d(rng_); });
        return b;
    }
    Buffer<float> signed_unit(std::vector<int> sizes, float scale = 1.0f) { return uniform(std::move(sizes), -scale, scale); }
    // bf16 weight pairs (2, O, K/2) of uniform values in [-scale, scale].
    Buffer<Halide::bfloat16_t> bf16_pairs(int O, int K, float scale) {
        Buffer<Halide::bfloat16_t> b(2, O, K / 2);
        std::uniform_real_distribution<float> d(-scale, scale);
        b.for_each_value([&](Halide::bfloat16_t& v) { v = Halide::bfloat16_t(d(rng_)); });
        return b;
    }

private:
    std::mt19937 rng_;
};

// Halide 14's public API has no JIT entry point for a generator created by name (Generator<T>::apply
// needs the concrete type); these reach the same protected steps that Halide's GeneratorStub takes:
// configure, set the inputs, generate and schedule.
struct GeneratorSteps : Halide::Internal::GeneratorBase {
    static void configure(GeneratorBase& g) { (g.*(&GeneratorSteps::ensure_configure_has_been_called))(); }
    static Halide::Pipeline build(GeneratorBase& g) { return (g.*(&GeneratorSteps::build_pipeline))(); }
};

// gen.set_inputs(inputs[0], ..., inputs[N-1]) for a run-time N (the generators' arities are 2-12).
template <size_t... I>
void set_buffers(Halide::Internal::GeneratorBase& gen, const std::vector<Buffer<>>& in, std::index_sequence<I...>) {
    gen.set_inputs(in[I]...);
}
void set_inputs(Halide::Internal::GeneratorBase& gen, const Call& call, bool scalar_second) {
    const auto& in = call.inputs;
    if (scalar_second) {  // subsample: features, first_conv1_row, conv1_w, conv1_b, conv2_w, conv2_b
        gen.set_inputs(in.at(0), static_cast<int32_t>(call.scalar), in.at(1), in.at(2), in.at(3), in.at(4));
        return;
    }
    switch (in.size()) {
        case 2: return set_buffers(gen, in, std::make_index_sequence<2>{});
        case 3: return set_buffers(gen, in, std::make_index_sequence<3>{});
        case 4: return set_buffers(gen, in, std::make_index_sequence<4>{});
        case 5: return set_buffers(gen, in, std::make_index_sequence<5>{});
        case 6: return set_buffers(gen, in, std::make_index_sequence<6>{});
        case 8: return set_buffers(gen, in, std::make_index_sequence<8>{});
        case 12: return set_buffers(gen, in, std::make_index_sequence<12>{});
        default: throw std::logic_error("tuner: no binding for a generator with " + std::to_string(in.size()) + " inputs");
    }
}

// The register tiles worth trying: (vectors, rows) whose accumulators, weight vectors and the
// broadcast fit the target's vector registers, around the hand schedule's choice.
std::vector<std::string> tile_shapes(const Halide::Target& target) {
    const int registers = rwkvt_gen::vector_registers(target);
    std::vector<std::string> out;
    for (int vectors : {1, 2, 3, 4})
        for (int rows : {3, 4, 5, 6, 8, 10, 12})
            if (rwkvt_gen::registers_needed(vectors, rows) <= registers && vectors * rows >= registers / 2 - 1)
                out.push_back(std::to_string(vectors) + "x" + std::to_string(rows));
    return out;
}

}  // namespace

std::vector<KernelCase> kernel_cases(const ModelConfig& c, const Halide::Target& target, unsigned seed) {
    Filler fill(seed);
    const int C = c.width, F = c.ffn_width, V = c.vocab_size, N = c.head_size, H = c.heads(), M = c.n_mels;
    // WKV-7's decode step (one token), per encoder chunk call of a block: the tokens emitted in the
    // chunk's audio, in the proportion of the predictor's blocks to the encoder's.
    const double steps_per_chunk = kTokensPerSecond * kChunk * kEncoderFrameSeconds * c.predictor_blocks / c.encoder_blocks;
    const int T = kChunk;
    // A linear layer's weights W [O, K] as the kernels take them: f32 W^T, or bf16 pairs and w_units,
    // the same memory as 32-bit units (o, p), as the runtime passes them.
    auto add_weights = [&](Call& call, int O, int K, bool bf16) {
        if (!bf16) {
            call.weight_inputs.push_back(call.inputs.size());
            call.inputs.push_back(fill.signed_unit({O, K}, 0.1f));
            return;
        }
        Buffer<Halide::bfloat16_t> pairs = fill.bf16_pairs(O, K, 0.1f);
        call.weight_inputs.push_back(call.inputs.size());
        call.inputs.push_back(pairs);
        call.weight_inputs.push_back(call.inputs.size());
        call.inputs.push_back(Buffer<uint32_t>(reinterpret_cast<uint32_t*>(pairs.data()), O, K / 2));
    };
    auto gemm_call = [&](int K, int O, bool bias, bool residual, bool bf16) {
        Call call;
        call.shape = "T=" + std::to_string(T) + " K=" + std::to_string(K) + " O=" + std::to_string(O);
        call.inputs = {fill.signed_unit({K, T})};
        add_weights(call, O, K, bf16);
        if (bias) {
            call.weight_inputs.push_back(call.inputs.size());
            call.inputs.push_back(fill.signed_unit({O}));
        }
        if (residual) call.inputs.push_back(fill.signed_unit({O, T}));
        call.outputs = {Buffer<float>(O, T)};
        return call;
    };
    auto lora_call = [&](int D, bool with_base, bool value_residual) {
        Call call;
        call.shape = "T=" + std::to_string(T) + " C=" + std::to_string(C) + " D=" + std::to_string(D);
        call.inputs = {fill.signed_unit({C, T}), fill.signed_unit({D, C}, 0.1f), fill.signed_unit({C, D}, 0.1f)};
        call.weight_inputs = {1, 2};
        if (with_base) {
            call.weight_inputs.push_back(call.inputs.size());
            call.inputs.push_back(fill.signed_unit({C}));
        }
        if (value_residual) {
            call.inputs.push_back(fill.signed_unit({C, T}));
            call.inputs.push_back(fill.signed_unit({C, T}));
        }
        call.outputs = {Buffer<float>(C, T)};
        return call;
    };
    auto mix_call = [&](int mixes) {
        Call call;
        call.shape = "T=" + std::to_string(T) + " C=" + std::to_string(C) + " mixes=" + std::to_string(mixes);
        call.inputs = {fill.signed_unit({C, T}), fill.uniform({C}, 0.5f, 1.5f), fill.signed_unit({C}, 0.1f),
                       fill.signed_unit({C}), fill.uniform({C, mixes}, 0.0f, 1.0f)};
        call.weight_inputs = {1, 2, 4};  // LayerNorm's and the mixes' parameters; 3 is the shift state
        call.outputs = {Buffer<float>(C, mixes, T), Buffer<float>(C)};
        return call;
    };
    auto wkv_call = [&](int tokens) {
        Call call;
        call.shape = "T=" + std::to_string(tokens) + " H=" + std::to_string(H) + " N=" + std::to_string(N);
        call.inputs = {fill.signed_unit({C, tokens}),                 // r
                       fill.uniform({C, tokens}, 0.55f, 1.0f),        // w: decays
                       fill.signed_unit({C, tokens}, 0.3f),           // k
                       fill.signed_unit({C, tokens}),                 // v
                       fill.uniform({C, tokens}, 0.0f, 1.0f),         // a: in-context learning rates
                       fill.signed_unit({C, tokens}),                 // g
                       fill.uniform({C}, 0.5f, 1.0f),                 // k_k
                       fill.uniform({C}, 0.9f, 1.1f),                 // k_a
                       fill.signed_unit({N, H}, 0.1f),                // r_k
                       fill.uniform({C}, 0.5f, 1.5f),                 // ln_x weight
                       fill.signed_unit({C}, 0.1f),                   // ln_x bias
                       fill.signed_unit({N, N, H}, 0.1f)};            // state_in
        call.weight_inputs = {6, 7, 8, 9, 10};
        call.outputs = {Buffer<float>(C, tokens), Buffer<float>(N, N, H)};
        call.weight = tokens == 1 ? steps_per_chunk : static_cast<double>(kChunk) / tokens;
        return call;
    };

    std::vector<KernelCase> cases;
    const std::vector<std::string> tiles = tile_shapes(target);
    const rwkvt_gen::RegisterTile hand = rwkvt_gen::register_tile(target);  // the hand schedule's tile
    const std::string hand_tile = std::to_string(hand.vectors) + "x" + std::to_string(hand.rows);
    const Axis tile_axis{"tile", tiles, hand_tile};  // expands to tile_vectors and tile_rows
    for (const TableEntry& entry : kKernelTable) {
        KernelCase k;
        k.kernel = entry.kernel;
        k.generator = entry.generator;
        for (const auto& [key, value] : entry.fixed) k.fixed[key] = value;
        const std::string& g = k.generator;
        const std::string& name = k.kernel;
        const bool bf16 = k.fixed.count("weights") != 0 && k.fixed.at("weights") == "bf16";  // gemm_bf16_*, joiner_bf16
        if (g == "gemm") {
            // The shapes follow the epilogue (the layers that use it); f32 and bf16 weights alike.
            // Decode steps (one token) are not timed: their schedule (columns of single vectors, on
            // the calling thread) takes none of the parameters searched. Whether they should share
            // their columns among the threads (parallel_steps) cannot be judged here either: timed
            // alone and back to back, such a step finds the thread pool awake, while in
            // transcription the kernels around it run on the calling thread and the pool has gone
            // to sleep. Measured on an Intel Xeon with AMX: the tuner chose it for the 288 -> 1152
            // step, which then ran at 13 instead of 25 GFLOP/s in `rwkvt bench`.
            const std::string& epilogue = k.fixed.at("epilogue");
            auto call = [&](int K, int O) { return gemm_call(K, O, epilogue == "bias", epilogue == "residual", bf16); };
            if (epilogue == "plain") k.calls = {call(C, C)};
            if (epilogue == "bias") k.calls = {call(c.subsample_flat(), C), call(C, C)};
            if (epilogue == "relu_square") k.calls = {call(C, F)};
            if (epilogue == "residual") k.calls = {call(C, C), call(F, C)};
            k.axes = {tile_axis, {"block_rows", {"4", "8", "16", "32"}, str(hand::kGemmBlockRows)},
                      {"block_cols", {"2", "4", "8", "16"}, str(hand::kGemmBlockCols)}};
        } else if (g == "lora") {
            if (name == "lora_decay") k.calls = {lora_call(c.lora_decay_rank(), true, false)};
            if (name == "lora_iclr") k.calls = {lora_call(c.lora_iclr_rank(), true, false)};
            if (name == "lora_value_residual") k.calls = {lora_call(c.lora_value_rank(), true, true)};
            if (name == "lora_gate") k.calls = {lora_call(c.lora_gate_rank(), false, false)};
            k.axes = {tile_axis};
        } else if (g == "layer_norm") {
            Call call;
            call.shape = "T=" + std::to_string(T) + " C=" + std::to_string(C);
            call.inputs = {fill.signed_unit({C, T}), fill.uniform({C}, 0.5f, 1.5f), fill.signed_unit({C}, 0.1f)};
            call.weight_inputs = {1, 2};
            call.outputs = {Buffer<float>(C, T)};
            k.calls = {call};
            k.axes = {{"tokens_per_task", {"1", "2", "4", "8", "16"}, str(hand::kLayerNormTokensPerTask)}};
        } else if (g == "token_shift_mix") {
            k.calls = {mix_call(name == "time_mix_shift" ? 6 : 1)};
            k.axes = {{"tokens_per_task", {"2", "4", "8", "16", "32"}, str(hand::kTokenShiftMixTokensPerTask)}};
        } else if (g == "wkv7") {
            if (k.fixed.at("head_size") != std::to_string(N)) continue;  // the config's head size only
            k.calls = {wkv_call(rt::kernels::kWkvMaxChunk), wkv_call(1)};
            std::vector<std::string> lanes;
            for (int l : {4, 8, 16})
                if (l <= N && N % l == 0 && l <= target.natural_vector_size<float>()) lanes.push_back(std::to_string(l));
            k.axes = {{"lanes", lanes, str(hand::wkv7_lanes(target, N))},
                      {"unroll_values", {"true", "false"}, hand::kWkv7UnrollValues ? "true" : "false"}};
            // LLVM did not finish compiling the autoscheduled recurrence (its 2N unrolled steps per
            // token) within 10 minutes on the build machine.
            k.try_autoscheduler = false;
        } else if (g == "log_mel") {
            const int frames = 4 * T;
            Call call;
            call.shape = "frames=" + std::to_string(frames) + " mels=" + std::to_string(M);
            call.inputs = {fill.signed_unit({160 * (frames - 1) + 400}, 0.3f), fill.signed_unit({257, 400}),
                           fill.signed_unit({257, 400}), fill.uniform({M, 257}, 0.0f, 0.1f), fill.signed_unit({M}),
                           fill.uniform({M}, 0.5f, 1.5f)};
            call.weight_inputs = {1, 2, 3, 4, 5};  // the DFT and mel tables and the normalisation
            call.outputs = {Buffer<float>(M, frames)};
            k.calls = {call};
            k.axes = {tile_axis};
        } else if (g == "subsample") {
            const int F1 = c.subsample_channels, J = T;
            std::vector<std::string> subsample_lanes;
            for (int l : {4, 8, 16})
                if (l <= target.natural_vector_size<float>()) subsample_lanes.push_back(std::to_string(l));
            Call call;
            call.shape = "rows=" + std::to_string(J) + " F1=" + std::to_string(F1);
            call.inputs = {fill.signed_unit({M, 4 * J + 3}), fill.signed_unit({3, 3, 1, F1}, 0.3f), fill.signed_unit({F1}, 0.1f),
                           fill.signed_unit({3, 3, F1, F1}, 0.05f), fill.signed_unit({F1}, 0.1f)};
            call.weight_inputs = {1, 2, 3, 4};  // the convolutions' weights and biases
            call.scalar = 2 * J;  // a chunk in the middle of an utterance: no padding rows
            call.outputs = {Buffer<float>(c.mels_after_conv2(), F1, J)};
            k.calls = {call};
            k.axes = {{"rows_per_task", {"1", "2", "4", "8"}, str(hand::kSubsampleRowsPerTask)},
                      {"channel_vectors", {"1", "2", "4"}, str(hand::kSubsampleChannelVectors)},
                      {"mel_block", {"2", "4", "5"}, str(hand::kSubsampleMelBlock)},
                      {"lanes", subsample_lanes, str(hand::subsample_lanes(target))}};
        } else if (g == "joiner") {
            for (const auto& [B, weight] : kJoinerWindows) {
                Call call;
                call.shape = "pairs=" + std::to_string(B) + " C=" + std::to_string(C) + " V=" + std::to_string(V);
                call.inputs = {fill.signed_unit({C, B}), fill.signed_unit({C, B})};
                add_weights(call, C, C, bf16);
                call.weight_inputs.push_back(call.inputs.size());
                call.inputs.push_back(fill.signed_unit({C}, 0.1f));
                add_weights(call, V, C, bf16);
                call.weight_inputs.push_back(call.inputs.size());
                call.inputs.push_back(fill.signed_unit({V}, 0.1f));
                call.outputs = {Buffer<float>(V, B)};
                call.weight = weight;
                k.calls.push_back(call);
            }
            k.axes = {tile_axis};
        } else {
            throw std::logic_error("tuner: no cases for generator " + g);
        }
        const bool scalar_second = g == "subsample";
        k.build = [generator = k.generator, scalar_second](const Params& params, const Halide::Target& t, const Call& call) {
            auto gen = Halide::Internal::GeneratorRegistry::create(generator, Halide::GeneratorContext(t));
            Halide::Internal::GeneratorParamsMap map;
            for (const auto& [key, value] : params) map[key] = value;
            gen->set_generator_param_values(map);
            GeneratorSteps::configure(*gen);
            set_inputs(*gen, call, scalar_second);
            return GeneratorSteps::build(*gen);
        };
        cases.push_back(std::move(k));
    }
    return cases;
}

}  // namespace rwkvt::tune
