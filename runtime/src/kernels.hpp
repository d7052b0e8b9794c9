// Typed C++ entry points over the AOT-compiled Halide kernels (generators/README.md has the
// contracts). Each call wraps caller-owned memory in halide buffers and throws on a kernel error.
#pragma once

#include <cstddef>

#include "packed_model.hpp"

namespace rwkvt::rt::kernels {

// A (channels x time) matrix: `time` rows of `channels` floats, consecutive rows `stride` floats apart.
struct Rows {
    float* data = nullptr;
    int channels = 0;
    int time = 0;
    int stride = 0;
    Rows row_range(int first, int count) const { return {data + static_cast<size_t>(first) * stride, channels, count, stride}; }
};
inline Rows dense(float* data, int channels, int time) { return {data, channels, time, channels}; }

// Normalised log-mel features of out.time frames; frame t reads samples [160 t, 160 t + 400).
void log_mel(const float* samples, size_t count, const PackedModel& model, Rows out);
// relu(conv2(relu(conv1))) of local feature rows, flattened (channel * mels + mel) per output row.
// first_conv1_row: global index of the first conv1 output row; negative rows are the zero padding.
void subsample(Rows features, int first_conv1_row, const PackedModel& model, Rows out);
void layer_norm(Rows x, const Floats& weight, const Floats& bias, Rows out);
// LayerNorm + token shift + `mixes` mixes. mixed is [T][mixes][C]; shift_out gets the last LN row.
void token_shift_mix(int mixes, Rows x, const Floats& ln_weight, const Floats& ln_bias, const float* shift_in,
                     const Floats& mu, float* mixed, float* shift_out);

enum class Epilogue { Plain, Bias, ReluSquare, Residual };
// out = a W^T (+ bias | relu^2 | + residual).
void gemm(Epilogue epilogue, Rows a, const PackedLinear& layer, Rows residual, Rows out);

enum class Lora { Decay, Iclr, ValueResidual, Gate };
// The LoRA paths of spec section 3 steps 4-7; v and v_first only for ValueResidual, base not for Gate.
void lora(Lora kind, Rows x, const Floats& down, const Floats& up, const Floats& base, Rows v, Rows v_first, Rows out);

// The WKV-7 recurrence (steps 8-13, times the gate) over out.time <= kWkvMaxChunk tokens.
constexpr int kWkvMaxChunk = 64;
void wkv7(Rows r, Rows w, Rows k, Rows v, Rows a, Rows g, const PackedBlock& block, int head_size,
          const float* state_in, float* state_out, Rows out);

// Joiner logits for out.time (enc_proj, pred_proj) pairs.
void joiner(Rows enc_proj, Rows pred_proj, const PackedModel& model, Rows logits);

// Kernel threads (Halide's thread pool) for the whole process.
void set_threads(int threads);

}  // namespace rwkvt::rt::kernels
