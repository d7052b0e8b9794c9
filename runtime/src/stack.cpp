#include "stack.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "kernels.hpp"

namespace rwkvt::rt {

using kernels::dense;
using kernels::Epilogue;
using kernels::Lora;
using kernels::Rows;

StackState StackState::zeros(const ModelConfig& c, int blocks) {
    StackState s;
    for (int l = 0; l < blocks; ++l) {
        BlockState b;
        b.shift_att.assign(c.width, 0.0f);
        b.shift_ffn.assign(c.width, 0.0f);
        b.wkv.assign(static_cast<size_t>(c.width) * c.head_size, 0.0f);
        s.blocks.push_back(std::move(b));
    }
    return s;
}

size_t StackState::bytes() const {
    size_t n = 0;
    for (const BlockState& b : blocks) n += (b.shift_att.size() + b.shift_ffn.size() + b.wkv.size()) * sizeof(float);
    return n;
}

void StackWorkspace::reserve(const ModelConfig& c, int tokens) {
    if (tokens <= tokens_) return;
    tokens_ = tokens;
    const size_t tc = static_cast<size_t>(tokens) * c.width;
    const size_t tf = static_cast<size_t>(tokens) * c.ffn_width;
    storage_.assign(tc * 6 + tc * 11 + tf, 0.0f);
    float* p = storage_.data();
    auto take = [&](size_t n) { float* q = p; p += n; return q; };
    mixed = take(6 * tc);
    r = take(tc); w = take(tc); k = take(tc); v = take(tc); a = take(tc); g = take(tc);
    v_mixed = take(tc); v_first = take(tc); y = take(tc); x_alt = take(tc); kx = take(tc);
    hidden = take(tf);
    state_scratch.assign(static_cast<size_t>(c.width) * c.head_size, 0.0f);
}

void run_stack(const PackedStack& stack, const ModelConfig& c, float* x, int tokens, StackState& state,
               StackWorkspace& ws) {
    StackState* one = &state;
    run_stacks(stack, c, x, tokens, &one, 1, ws);
}

void run_stacks(const PackedStack& stack, const ModelConfig& c, float* x, int tokens, StackState* const* states,
                int sequences, StackWorkspace& ws) {
    if (sequences < 1 || tokens % sequences != 0) throw std::logic_error("run_stacks: the tokens must split evenly into the sequences");
    const int C = c.width, T = tokens, length = T / sequences;
    ws.reserve(c, T);
    Rows current = dense(x, C, T), spare = dense(ws.x_alt, C, T);
    auto slot = [&](int m) { return Rows{ws.mixed + static_cast<size_t>(m) * C, C, T, 6 * C}; };
    auto rows = [&](float* p) { return dense(p, C, T); };
    const Rows none{};

    for (size_t l = 0; l < stack.blocks.size(); ++l) {
        const PackedBlock& b = stack.blocks[l];
        auto block_state = [&](int q) -> BlockState& { return states[q]->blocks[l]; };
        if (l == 0) {  // step 0: LN0 on the stack's input
            kernels::layer_norm(current, b.ln0_weight, b.ln0_bias, spare);
            std::swap(current, spare);
        }
        // Steps 1-2: LN1, token shift, the six mixes (r, w, k, v, a, g); the shift runs per sequence.
        for (int q = 0; q < sequences; ++q) {
            BlockState& s = block_state(q);
            kernels::token_shift_mix(6, current.row_range(q * length, length), b.ln1_weight, b.ln1_bias, s.shift_att.data(),
                                     b.time_mu, ws.mixed + static_cast<size_t>(q) * length * 6 * C, ws.state_scratch.data());
            std::copy_n(ws.state_scratch.data(), C, s.shift_att.data());
        }
        // Steps 3-7.
        kernels::gemm(Epilogue::Plain, slot(0), b.receptance, none, rows(ws.r));
        kernels::gemm(Epilogue::Plain, slot(2), b.key, none, rows(ws.k));
        kernels::gemm(Epilogue::Plain, slot(3), b.value, none, rows(ws.v));
        kernels::lora(Lora::Decay, slot(1), b.w1, b.w2, b.w0, none, none, rows(ws.w));
        kernels::lora(Lora::Iclr, slot(4), b.a1, b.a2, b.a0, none, none, rows(ws.a));
        float* v = ws.v;
        if (l == 0) {
            std::copy_n(ws.v, static_cast<size_t>(T) * C, ws.v_first);
        } else {
            kernels::lora(Lora::ValueResidual, slot(3), b.v1, b.v2, b.v0, rows(ws.v), rows(ws.v_first), rows(ws.v_mixed));
            v = ws.v_mixed;
        }
        kernels::lora(Lora::Gate, slot(5), b.g1, b.g2, {}, none, none, rows(ws.g));
        // Steps 8-13 and the gate, per sequence, in chunks the WKV kernel accepts, carrying the state.
        for (int q = 0; q < sequences; ++q) {
            BlockState& s = block_state(q);
            for (int t0 = q * length; t0 < (q + 1) * length; t0 += kernels::kWkvMaxChunk) {
                const int n = std::min(kernels::kWkvMaxChunk, (q + 1) * length - t0);
                kernels::wkv7(rows(ws.r).row_range(t0, n), rows(ws.w).row_range(t0, n), rows(ws.k).row_range(t0, n),
                              rows(v).row_range(t0, n), rows(ws.a).row_range(t0, n), rows(ws.g).row_range(t0, n), b,
                              c.head_size, s.wkv.data(), ws.state_scratch.data(), rows(ws.y).row_range(t0, n));
                std::swap(s.wkv, ws.state_scratch);
            }
        }
        // Step 14: output projection added to the residual stream.
        kernels::gemm(Epilogue::Residual, rows(ws.y), b.output, current, spare);
        std::swap(current, spare);
        // Step 15: channel mix.
        for (int q = 0; q < sequences; ++q) {
            BlockState& s = block_state(q);
            kernels::token_shift_mix(1, current.row_range(q * length, length), b.ln2_weight, b.ln2_bias, s.shift_ffn.data(),
                                     b.ffn_mu, ws.kx + static_cast<size_t>(q) * length * C, ws.state_scratch.data());
            std::copy_n(ws.state_scratch.data(), C, s.shift_ffn.data());
        }
        kernels::gemm(Epilogue::ReluSquare, rows(ws.kx), b.ffn_key, none, dense(ws.hidden, c.ffn_width, T));
        kernels::gemm(Epilogue::Residual, dense(ws.hidden, c.ffn_width, T), b.ffn_value, current, spare);
        std::swap(current, spare);
    }
    kernels::layer_norm(current, stack.ln_out_weight, stack.ln_out_bias, spare);
    if (spare.data != x) std::memcpy(x, spare.data, static_cast<size_t>(T) * C * sizeof(float));
}

}  // namespace rwkvt::rt
