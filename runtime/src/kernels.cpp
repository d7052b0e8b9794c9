#include "kernels.hpp"

#include <HalideBuffer.h>
#include <HalideRuntime.h>

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "kernel_set.hpp"
#include "rwkvt/profile.hpp"

namespace rwkvt {

namespace {
struct Profile {
    std::mutex mutex;
    bool enabled = false;
    std::map<std::string, KernelTiming> totals;
} profile;
}  // namespace

void set_kernel_profiling(bool enabled) { profile.enabled = enabled; }
void reset_kernel_timings() {
    std::lock_guard<std::mutex> lock(profile.mutex);
    profile.totals.clear();
}
std::vector<KernelTiming> kernel_timings() {
    std::lock_guard<std::mutex> lock(profile.mutex);
    std::vector<KernelTiming> out;
    for (const auto& kv : profile.totals) out.push_back(kv.second);
    return out;
}

}  // namespace rwkvt

namespace rwkvt::rt::kernels {

namespace {

using Buffer = Halide::Runtime::Buffer<float>;
using ConstBuffer = Halide::Runtime::Buffer<const float>;

ConstBuffer in(const Floats& v) { return ConstBuffer(v.data(), static_cast<int>(v.size())); }
ConstBuffer in(const float* data, int n) { return ConstBuffer(data, n); }
ConstBuffer in2(const Floats& v, int d0, int d1) { return ConstBuffer(v.data(), d0, d1); }
ConstBuffer in(Rows r) {
    halide_dimension_t dims[2] = {{0, r.channels, 1, 0}, {0, r.time, r.stride, 0}};
    return ConstBuffer(r.data, 2, dims);
}
Buffer out(Rows r) {
    halide_dimension_t dims[2] = {{0, r.channels, 1, 0}, {0, r.time, r.stride, 0}};
    return Buffer(r.data, 2, dims);
}
// Whether the memory spans of two row sets intersect.
bool overlap(Rows x, Rows y) {
    auto end = [](Rows r) { return r.data + (r.time > 0 ? static_cast<size_t>(r.time - 1) * r.stride + r.channels : 0); };
    return x.data < end(y) && y.data < end(x);
}

// Runs one kernel, turning its status into an exception and, when profiling, timing it.
// Profiles name single-token calls (decoding steps) apart from chunk calls: their shapes, and so
// their efficiency, differ entirely.
template <typename Call>
void run(const char* name, double flops, Call&& call, int tokens = 0) {
    const bool timed = profile.enabled;
    const auto start = timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    const int status = call();
    if (status != 0) throw std::runtime_error(std::string("kernel ") + name + " failed with Halide status " + std::to_string(status));
    if (timed) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::lock_guard<std::mutex> lock(profile.mutex);
        const std::string key = tokens == 1 ? std::string(name) + "/step" : std::string(name);
        KernelTiming& t = profile.totals[key];
        t.kernel = key;
        t.calls += 1;
        t.seconds += seconds;
        t.flops += flops;
    }
}

}  // namespace

void set_threads(int threads) { halide_set_num_threads(threads); }

void log_mel(const float* samples, size_t count, const PackedModel& m, Rows o) {
    const int mels = m.config.n_mels;
    const double flops = static_cast<double>(o.time) * (4.0 * 257 * 400 + 2.0 * 257 * mels);
    run("log_mel", flops, [&] {
        return active().log_mel(in(samples, static_cast<int>(count)), in2(m.dft_cos, 257, 400), in2(m.dft_sin, 257, 400),
                             in2(m.filterbank, mels, 257), in(m.feature_mean), in(m.feature_inv_std), out(o));
    });
}

void subsample(Rows features, int first_conv1_row, const PackedModel& m, Rows o) {
    const ModelConfig& c = m.config;
    const double F1 = c.subsample_channels;
    const double flops = 2.0 * o.time * (2.0 * F1 * c.mels_after_conv1() * 9 + F1 * F1 * c.mels_after_conv2() * 9);
    ConstBuffer w1(m.conv1_weight.data(), 3, 3, 1, c.subsample_channels);
    ConstBuffer w2(m.conv2_weight.data(), 3, 3, c.subsample_channels, c.subsample_channels);
    // o holds dense rows of F1 M2 features, channel-major: the kernel's flat(mel, channel, row).
    if (o.channels != c.subsample_flat() || o.stride != o.channels)
        throw std::logic_error("subsample: the output must be dense rows of " + std::to_string(c.subsample_flat()) + " features");
    Buffer flat(o.data, c.mels_after_conv2(), c.subsample_channels, o.time);
    run("subsample", flops, [&] {
        return active().subsample(in(features), first_conv1_row, w1, in(m.conv1_bias), w2, in(m.conv2_bias), flat);
    });
}

void layer_norm(Rows x, const Floats& weight, const Floats& bias, Rows o) {
    run("layer_norm", 8.0 * x.channels * x.time, [&] { return active().layer_norm(in(x), in(weight), in(bias), out(o)); }, x.time);
}

void token_shift_mix(int mixes, Rows x, const Floats& ln_weight, const Floats& ln_bias, const float* shift_in,
                     const Floats& mu, float* mixed, float* shift_out) {
    const int C = x.channels, T = x.time;
    Buffer mixed_buf(mixed, C, mixes, T);
    Buffer shift_buf(shift_out, C);
    ConstBuffer mu_buf(mu.data(), C, mixes);
    const double flops = (8.0 + 2.0 * mixes) * C * T;
    if (mixes == 6) {
        run("time_mix_shift", flops, [&] {
            return active().time_mix_shift(in(x), in(ln_weight), in(ln_bias), in(shift_in, C), mu_buf, mixed_buf, shift_buf);
        }, T);
    } else if (mixes == 1) {
        run("channel_mix_shift", flops, [&] {
            return active().channel_mix_shift(in(x), in(ln_weight), in(ln_bias), in(shift_in, C), mu_buf, mixed_buf, shift_buf);
        }, T);
    } else {
        throw std::logic_error("token_shift_mix supports 1 or 6 mixes");
    }
}

namespace {

// A bf16 layer's weights as the bf16 kernels take them: Halide's bfloat type (j, o, p) over
// [in/2][out][2], and the same memory as 32-bit units (o, p).
struct Bf16Weights {
    Halide::Runtime::Buffer<const void> pairs, units;
    explicit Bf16Weights(const PackedLinear& layer) {
        halide_dimension_t dims[3] = {{0, 2, 1, 0}, {0, layer.out, 2, 0}, {0, layer.in / 2, 2 * layer.out, 0}};
        pairs = Halide::Runtime::Buffer<const void>(halide_type_t(halide_type_bfloat, 16), layer.w_pairs.data(), 3, dims);
        halide_dimension_t unit_dims[2] = {{0, layer.out, 1, 0}, {0, layer.in / 2, layer.out, 0}};
        units = Halide::Runtime::Buffer<const void>(halide_type_t(halide_type_uint, 32), layer.w_pairs.data(), 2, unit_dims);
    }
};

}  // namespace

void gemm(Epilogue epilogue, Rows a, const PackedLinear& layer, Rows residual, Rows o) {
    if (a.channels != layer.in || o.channels != layer.out)
        throw std::logic_error("gemm shape mismatch");
    const double flops = 2.0 * a.time * layer.in * layer.out;
    const bool bf16 = layer.bf16();
    Halide::Runtime::Buffer<const void> w, w_units;
    if (bf16) {
        Bf16Weights packed(layer);
        w = packed.pairs;
        w_units = packed.units;
    } else {
        w = in2(layer.w_t, layer.out, layer.in);
    }
    const KernelSet& k = active();
    switch (epilogue) {
        case Epilogue::Plain:
            run(bf16 ? "gemm_bf16" : "gemm", flops, [&] { return bf16 ? k.gemm_bf16_plain(in(a), w, w_units, out(o)) : k.gemm_plain(in(a), w, out(o)); }, a.time);
            break;
        case Epilogue::Bias:
            run(bf16 ? "gemm_bf16_bias" : "gemm_bias", flops,
                [&] { return bf16 ? k.gemm_bf16_bias(in(a), w, w_units, in(layer.bias), out(o)) : k.gemm_bias(in(a), w, in(layer.bias), out(o)); }, a.time);
            break;
        case Epilogue::ReluSquare:
            run(bf16 ? "gemm_bf16_relu_square" : "gemm_relu_square", flops,
                [&] { return bf16 ? k.gemm_bf16_relu_square(in(a), w, w_units, out(o)) : k.gemm_relu_square(in(a), w, out(o)); }, a.time);
            break;
        case Epilogue::Residual:
            if (overlap(residual, o)) throw std::logic_error("gemm: the residual must not overlap the output (generators/gemm.cpp)");
            run(bf16 ? "gemm_bf16_residual" : "gemm_residual", flops,
                [&] { return bf16 ? k.gemm_bf16_residual(in(a), w, w_units, in(residual), out(o)) : k.gemm_residual(in(a), w, in(residual), out(o)); }, a.time);
            break;
    }
}

void lora(Lora kind, Rows x, const Floats& down, const Floats& up, const Floats& base, Rows v, Rows v_first, Rows o) {
    const int C = x.channels;
    const int D = static_cast<int>(down.size()) / C;
    ConstBuffer down_buf = in2(down, D, C), up_buf = in2(up, C, D);
    const double flops = 4.0 * x.time * C * D;
    switch (kind) {
        case Lora::Decay:
            run("lora_decay", flops, [&] { return active().lora_decay(in(x), down_buf, up_buf, in(base), out(o)); }, x.time);
            break;
        case Lora::Iclr:
            run("lora_iclr", flops, [&] { return active().lora_iclr(in(x), down_buf, up_buf, in(base), out(o)); }, x.time);
            break;
        case Lora::ValueResidual:
            run("lora_value_residual", flops, [&] {
                return active().lora_value_residual(in(x), down_buf, up_buf, in(base), in(v), in(v_first), out(o));
            }, x.time);
            break;
        case Lora::Gate:
            run("lora_gate", flops, [&] { return active().lora_gate(in(x), down_buf, up_buf, out(o)); }, x.time);
            break;
    }
}

void wkv7(Rows r, Rows w, Rows k, Rows v, Rows a, Rows g, const PackedBlock& b, int N, const float* state_in,
          float* state_out, Rows o) {
    const int C = r.channels, H = C / N;
    ConstBuffer r_k = in2(b.r_k, N, H);
    ConstBuffer s_in(state_in, N, N, H);
    Buffer s_out(state_out, N, N, H);
    // Per token and head: sa (2N^2), state update (5N^2), readout (2N^2), plus O(N) terms.
    const double flops = static_cast<double>(r.time) * H * (9.0 * N * N + 20.0 * N);
    auto call = [&](auto fn) {
        return fn(in(r), in(w), in(k), in(v), in(a), in(g), in(b.k_k), in(b.k_a), r_k, in(b.ln_x_weight),
                  in(b.ln_x_bias), s_in, out(o), s_out);
    };
    if (N == 16) run("wkv7", flops, [&] { return call(active().wkv7_n16); }, r.time);
    else if (N == 32) run("wkv7", flops, [&] { return call(active().wkv7_n32); }, r.time);
    else throw std::runtime_error("no WKV-7 kernel was built for head size " + std::to_string(N));
}

void joiner(Rows enc_proj, Rows pred_proj, const PackedModel& m, Rows logits) {
    const int C = m.config.width, V = m.config.vocab_size;
    const double flops = 2.0 * logits.time * (static_cast<double>(C) * C + static_cast<double>(C) * V);
    // PackedModel keeps both layers in bf16 or both in f32.
    if (m.joiner_hidden.bf16()) {
        Bf16Weights hidden(m.joiner_hidden), out_layer(m.joiner_out);
        run("joiner_bf16", flops, [&] {
            return active().joiner_bf16(in(enc_proj), in(pred_proj), hidden.pairs, hidden.units, in(m.joiner_hidden.bias),
                                        out_layer.pairs, out_layer.units, in(m.joiner_out.bias), out(logits));
        }, logits.time);
    } else {
        run("joiner", flops, [&] {
            return active().joiner(in(enc_proj), in(pred_proj), in2(m.joiner_hidden.w_t, C, C), in(m.joiner_hidden.bias),
                                in2(m.joiner_out.w_t, V, C), in(m.joiner_out.bias), out(logits));
        }, logits.time);
    }
}

}  // namespace rwkvt::rt::kernels
