// Reference RWKV-7 block (spec section 3), one token at a time, every step spelled out.
#include <cmath>

#include "reference.hpp"

namespace rwkvt::ref {

namespace {

using ConstMap = Eigen::Map<const Vec>;
using ConstMatMap = Eigen::Map<const Mat>;

ConstMap vec(const Model& m, const std::string& name) {
    const Tensor& t = m.weights.at(name);
    return ConstMap(t.data.data(), static_cast<Eigen::Index>(t.data.size()));
}
ConstMatMap mat(const Model& m, const std::string& name) {
    const Tensor& t = m.weights.at(name);
    return ConstMatMap(t.data.data(), t.shape[0], t.shape[1]);
}
float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
Vec sigmoid(const Vec& x) { return x.unaryExpr([](float v) { return sigmoid(v); }); }

}  // namespace

Vec layer_norm(const Vec& x, const Vec& weight, const Vec& bias, float eps) {
    const float mean = x.mean();
    const Vec centred = x.array() - mean;
    const float var = centred.squaredNorm() / static_cast<float>(x.size());
    return (centred / std::sqrt(var + eps)).cwiseProduct(weight) + bias;
}

StackState zero_stack_state(const ModelConfig& c, int blocks) {
    StackState s;
    for (int l = 0; l < blocks; ++l) {
        BlockState b;
        b.shift_att = Vec::Zero(c.width);
        b.shift_ffn = Vec::Zero(c.width);
        b.wkv.assign(c.heads(), Mat::Zero(c.head_size, c.head_size));
        s.blocks.push_back(std::move(b));
    }
    return s;
}

TimeMixTerms time_mix_terms(const Model& m, const std::string& stack, int l, const Vec& x,
                            const BlockState& state, Vec& v_first) {
    const ModelConfig& c = m.config;
    auto p = [&](const std::string& suffix) { return block_tensor(stack, l, suffix); };
    TimeMixTerms t;
    // 1. LayerNorm and token shift.
    t.xa = layer_norm(x, vec(m, p("ln1.weight")), vec(m, p("ln1.bias")));
    const Vec d = state.shift_att - t.xa;
    // 2. The six mixes.
    t.x_r = t.xa + d.cwiseProduct(vec(m, p("att.x_r")));
    t.x_w = t.xa + d.cwiseProduct(vec(m, p("att.x_w")));
    t.x_k = t.xa + d.cwiseProduct(vec(m, p("att.x_k")));
    t.x_v = t.xa + d.cwiseProduct(vec(m, p("att.x_v")));
    t.x_a = t.xa + d.cwiseProduct(vec(m, p("att.x_a")));
    t.x_g = t.xa + d.cwiseProduct(vec(m, p("att.x_g")));
    // 3. Receptance, key, value.
    t.r = mat(m, p("att.receptance.weight")) * t.x_r;
    Vec k = mat(m, p("att.key.weight")) * t.x_k;
    t.v = mat(m, p("att.value.weight")) * t.x_v;
    // 4. Decay in (0.545, 1): exp(-e^-0.5 * sigmoid(w0 + tanh(x_w w1) w2)).
    const Vec w_lora = mat(m, p("att.w2")).transpose() *
                       (mat(m, p("att.w1")).transpose() * t.x_w).unaryExpr([](float v) { return std::tanh(v); });
    const Vec z = vec(m, p("att.w0")) + w_lora;
    t.w = z.unaryExpr([](float v) { return std::exp(-0.60653065971263342f * sigmoid(v)); });
    // 5. In-context learning rate.
    t.a = sigmoid(vec(m, p("att.a0")) + mat(m, p("att.a2")).transpose() * (mat(m, p("att.a1")).transpose() * t.x_a));
    // 6. Value residual.
    if (l == 0) {
        v_first = t.v;
    } else {
        const Vec gate = sigmoid(vec(m, p("att.v0")) +
                                 mat(m, p("att.v2")).transpose() * (mat(m, p("att.v1")).transpose() * t.x_v));
        t.v = t.v + (v_first - t.v).cwiseProduct(gate);
    }
    // 7. Output gate: sigmoid sits between the two LoRA matrices.
    t.g = mat(m, p("att.g2")).transpose() * sigmoid(mat(m, p("att.g1")).transpose() * t.x_g);
    // 8. Removal key, normalised per head.
    t.kk = k.cwiseProduct(vec(m, p("att.k_k")));
    const int N = c.head_size;
    for (int h = 0; h < c.heads(); ++h) {
        auto head = t.kk.segment(h * N, N);
        head /= std::max(head.norm(), 1e-12f);
    }
    // 9. Replacement key.
    const Vec k_a = vec(m, p("att.k_a"));
    t.k = k.cwiseProduct(Vec::Ones(c.width) + (t.a - Vec::Ones(c.width)).cwiseProduct(k_a));
    return t;
}

Vec wkv7_step(const Model& m, const std::string& stack, int l, const TimeMixTerms& t, std::vector<Mat>& S) {
    const ModelConfig& c = m.config;
    auto p = [&](const std::string& suffix) { return block_tensor(stack, l, suffix); };
    const int N = c.head_size;
    const Vec ln_w = vec(m, p("att.ln_x.weight")), ln_b = vec(m, p("att.ln_x.bias")), r_k = vec(m, p("att.r_k"));
    Vec y(c.width);
    for (int h = 0; h < c.heads(); ++h) {
        const auto seg = [&](const Vec& v) { return v.segment(h * N, N); };
        Mat& s = S[h];
        // 10. sa uses the old state; S = S diag(w) + sa (kk*a)^T + v k^T.
        const Vec sa = s * (-seg(t.kk));
        const Vec kk_a = seg(t.kk).cwiseProduct(seg(t.a));
        s = s * seg(t.w).asDiagonal();
        s += sa * kk_a.transpose() + seg(t.v) * seg(t.k).transpose();
        // 11. Readout with the new state.
        const Vec out = s * seg(t.r);
        // 12. GroupNorm over the head.
        const float mean = out.mean();
        const Vec centred = out.array() - mean;
        const float var = centred.squaredNorm() / static_cast<float>(N);
        Vec normed = centred / std::sqrt(var + 64e-5f);
        normed = normed.cwiseProduct(ln_w.segment(h * N, N)) + ln_b.segment(h * N, N);
        // 13. Bonus.
        const float bonus = (seg(t.r).cwiseProduct(seg(t.k)).cwiseProduct(r_k.segment(h * N, N))).sum();
        y.segment(h * N, N) = normed + bonus * seg(t.v);
    }
    return y;
}

Vec block_step(const Model& m, const std::string& stack, int l, const Vec& x_in, BlockState& state, Vec& v_first) {
    auto p = [&](const std::string& suffix) { return block_tensor(stack, l, suffix); };
    // 0. Block 0 normalises its input first.
    Vec x = l == 0 ? layer_norm(x_in, vec(m, p("ln0.weight")), vec(m, p("ln0.bias"))) : x_in;
    const TimeMixTerms t = time_mix_terms(m, stack, l, x, state, v_first);
    state.shift_att = t.xa;
    const Vec y = wkv7_step(m, stack, l, t, state.wkv);
    // 14. Output projection of the gated readout.
    x += mat(m, p("att.output.weight")) * y.cwiseProduct(t.g);
    // 15. Channel mix.
    const Vec xf = layer_norm(x, vec(m, p("ln2.weight")), vec(m, p("ln2.bias")));
    const Vec kx = xf + (state.shift_ffn - xf).cwiseProduct(vec(m, p("ffn.x_k")));
    state.shift_ffn = xf;
    const Vec hidden = (mat(m, p("ffn.key.weight")) * kx).unaryExpr([](float v) { return v > 0.0f ? v * v : 0.0f; });
    x += mat(m, p("ffn.value.weight")) * hidden;
    return x;
}

}  // namespace rwkvt::ref
