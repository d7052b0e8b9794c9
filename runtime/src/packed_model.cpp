#include "packed_model.hpp"

#include <cmath>
#include <cstring>

#include "frontend_tables.hpp"
#include "schema.hpp"

namespace rwkvt::rt {

namespace {

// The upper half of an f32 that is exactly a bfloat16 (Tensor::from_bf16), i.e. its bf16 bits.
uint16_t bf16_bits(float exact) {
    uint32_t bits;
    std::memcpy(&bits, &exact, sizeof bits);
    return static_cast<uint16_t>(bits >> 16);
}

// A bf16 matrix stays in bf16 (`Packing::Bf16`, when its inputs pair up), or is widened to f32
// (`Packing::F32`: the joiner's two inner layers, unless both are bf16, since one kernel runs them).
enum class Packing { Bf16, F32 };

PackedLinear pack_linear(Weights& w, const std::string& weight, const std::string& bias = "", Packing packing = Packing::Bf16) {
    Tensor t = w.take(weight);
    PackedLinear p;
    p.out = static_cast<int>(t.shape[0]);
    p.in = static_cast<int>(t.shape[1]);
    auto at = [&](int o, int i) { return t.data[static_cast<size_t>(o) * p.in + i]; };
    if (t.from_bf16 && packing == Packing::Bf16 && p.in % 2 == 0) {
        p.w_pairs.resize(t.data.size());
        for (int pair = 0; pair < p.in / 2; ++pair)
            for (int o = 0; o < p.out; ++o)
                for (int j = 0; j < 2; ++j)
                    p.w_pairs[(static_cast<size_t>(pair) * p.out + o) * 2 + j] = bf16_bits(at(o, 2 * pair + j));
    } else {
        p.w_t.resize(t.data.size());
        for (int o = 0; o < p.out; ++o)
            for (int i = 0; i < p.in; ++i) p.w_t[static_cast<size_t>(i) * p.out + o] = at(o, i);
    }
    if (!bias.empty()) p.bias = w.take(bias).data;
    return p;
}

PackedStack pack_stack(Weights& w, const ModelConfig& c, const std::string& stack, int blocks) {
    PackedStack s;
    for (int l = 0; l < blocks; ++l) {
        auto name = [&](const char* suffix) { return block_tensor(stack, l, suffix); };
        auto take = [&](const char* suffix) { return w.take(name(suffix)).data; };
        PackedBlock b;
        if (l == 0) {
            b.ln0_weight = take("ln0.weight");
            b.ln0_bias = take("ln0.bias");
        }
        b.ln1_weight = take("ln1.weight");
        b.ln1_bias = take("ln1.bias");
        b.ln2_weight = take("ln2.weight");
        b.ln2_bias = take("ln2.bias");
        for (const char* mu : {"att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g"}) {
            const Floats m = take(mu);
            b.time_mu.insert(b.time_mu.end(), m.begin(), m.end());
        }
        b.receptance = pack_linear(w, name("att.receptance.weight"));
        b.key = pack_linear(w, name("att.key.weight"));
        b.value = pack_linear(w, name("att.value.weight"));
        b.output = pack_linear(w, name("att.output.weight"));
        b.w0 = take("att.w0");
        b.w1 = take("att.w1");
        b.w2 = take("att.w2");
        b.a0 = take("att.a0");
        b.a1 = take("att.a1");
        b.a2 = take("att.a2");
        if (l > 0) {
            b.v0 = take("att.v0");
            b.v1 = take("att.v1");
            b.v2 = take("att.v2");
        }
        b.g1 = take("att.g1");
        b.g2 = take("att.g2");
        b.k_k = take("att.k_k");
        b.k_a = take("att.k_a");
        b.r_k = take("att.r_k");
        b.ln_x_weight = take("att.ln_x.weight");
        b.ln_x_bias = take("att.ln_x.bias");
        b.ffn_mu = take("ffn.x_k");
        b.ffn_key = pack_linear(w, name("ffn.key.weight"));
        b.ffn_value = pack_linear(w, name("ffn.value.weight"));
        s.blocks.push_back(std::move(b));
    }
    s.ln_out_weight = w.take(stack + ".ln_out.weight").data;
    s.ln_out_bias = w.take(stack + ".ln_out.bias").data;
    (void)c;
    return s;
}

}  // namespace

PackedModel PackedModel::from(Model&& model) {
    model.validate();
    PackedModel p;
    p.config = model.config;
    p.tokenizer = model.tokenizer;
    p.origin = model.origin;
    Weights& w = model.weights;
    const ModelConfig& c = p.config;

    const Floats window = hann_window();
    p.dft_cos.resize(static_cast<size_t>(kSpectrumBins) * kFrameLength);
    p.dft_sin.resize(p.dft_cos.size());
    for (int n = 0; n < kFrameLength; ++n)
        for (int bin = 0; bin < kSpectrumBins; ++bin) {
            // Reduce bin * n modulo the DFT size first so the angle stays exact in double.
            const double angle = 2.0 * M_PI * ((static_cast<long>(bin) * n) % kFftSize) / kFftSize;
            p.dft_cos[static_cast<size_t>(n) * kSpectrumBins + bin] = static_cast<float>(window[n] * std::cos(angle));
            p.dft_sin[static_cast<size_t>(n) * kSpectrumBins + bin] = static_cast<float>(window[n] * std::sin(angle));
        }
    p.filterbank = mel_filterbank(c.n_mels);
    p.feature_mean = w.take("frontend.feature_mean").data;
    p.feature_inv_std = w.take("frontend.feature_std").data;
    for (float& s : p.feature_inv_std) s = 1.0f / s;

    p.conv1_weight = w.take("encoder.subsample.conv1.weight").data;
    p.conv1_bias = w.take("encoder.subsample.conv1.bias").data;
    p.conv2_weight = w.take("encoder.subsample.conv2.weight").data;
    p.conv2_bias = w.take("encoder.subsample.conv2.bias").data;
    p.subsample_out = pack_linear(w, "encoder.subsample.out.weight", "encoder.subsample.out.bias");
    p.encoder = pack_stack(w, c, "encoder", c.encoder_blocks);
    p.embedding = w.take("predictor.emb.weight").data;
    p.predictor = pack_stack(w, c, "predictor", c.predictor_blocks);
    p.joiner_enc = pack_linear(w, "joiner.enc_proj.weight", "joiner.enc_proj.bias");
    p.joiner_pred = pack_linear(w, "joiner.pred_proj.weight");
    // (Both layers take C inputs, so pack_linear's pairing condition falls alike for both.)
    const bool joiner_bf16 = w.at("joiner.hidden.weight").from_bf16 && w.at("joiner.out.weight").from_bf16;
    const Packing joiner_packing = joiner_bf16 ? Packing::Bf16 : Packing::F32;
    p.joiner_hidden = pack_linear(w, "joiner.hidden.weight", "joiner.hidden.bias", joiner_packing);
    p.joiner_out = pack_linear(w, "joiner.out.weight", "joiner.out.bias", joiner_packing);
    p.ctc_head = pack_linear(w, "ctc_head.weight", "ctc_head.bias");
    return p;
}

}  // namespace rwkvt::rt
