#include "schema.hpp"

namespace rwkvt {

const char* part_name(ModelPart part) {
    switch (part) {
        case ModelPart::Frontend: return "frontend";
        case ModelPart::Encoder: return "encoder";
        case ModelPart::Predictor: return "predictor";
        case ModelPart::Joiner: return "joiner";
        case ModelPart::CtcHead: return "ctc_head";
    }
    return "?";
}

int64_t TensorSpec::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::string block_tensor(const std::string& stack, int block, const std::string& suffix) {
    return stack + ".blocks." + std::to_string(block) + "." + suffix;
}

namespace {

void add_block(std::vector<TensorSpec>& out, const ModelConfig& c, const std::string& stack, int l,
               ModelPart part) {
    const int64_t C = c.width, F = c.ffn_width, H = c.heads(), N = c.head_size;
    auto add = [&](const std::string& suffix, std::vector<int64_t> shape) {
        out.push_back({block_tensor(stack, l, suffix), std::move(shape), part});
    };
    if (l == 0) {
        add("ln0.weight", {C});
        add("ln0.bias", {C});
    }
    add("ln1.weight", {C});
    add("ln1.bias", {C});
    add("ln2.weight", {C});
    add("ln2.bias", {C});
    for (const char* mu : {"att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g"}) add(mu, {C});
    add("att.w0", {C});
    add("att.w1", {C, c.lora_decay_rank()});
    add("att.w2", {c.lora_decay_rank(), C});
    add("att.a0", {C});
    add("att.a1", {C, c.lora_iclr_rank()});
    add("att.a2", {c.lora_iclr_rank(), C});
    if (l > 0) {
        add("att.v0", {C});
        add("att.v1", {C, c.lora_value_rank()});
        add("att.v2", {c.lora_value_rank(), C});
    }
    add("att.g1", {C, c.lora_gate_rank()});
    add("att.g2", {c.lora_gate_rank(), C});
    add("att.k_k", {C});
    add("att.k_a", {C});
    add("att.r_k", {H, N});
    add("att.receptance.weight", {C, C});
    add("att.key.weight", {C, C});
    add("att.value.weight", {C, C});
    add("att.output.weight", {C, C});
    add("att.ln_x.weight", {C});
    add("att.ln_x.bias", {C});
    add("ffn.x_k", {C});
    add("ffn.key.weight", {F, C});
    add("ffn.value.weight", {C, F});
}

}  // namespace

std::vector<TensorSpec> tensor_specs(const ModelConfig& c) {
    const int64_t C = c.width, V = c.vocab_size, F1 = c.subsample_channels, M = c.n_mels;
    std::vector<TensorSpec> out;
    out.push_back({"frontend.feature_mean", {M}, ModelPart::Frontend});
    out.push_back({"frontend.feature_std", {M}, ModelPart::Frontend});

    const ModelPart enc = ModelPart::Encoder;
    out.push_back({"encoder.subsample.conv1.weight", {F1, 1, 3, 3}, enc});
    out.push_back({"encoder.subsample.conv1.bias", {F1}, enc});
    out.push_back({"encoder.subsample.conv2.weight", {F1, F1, 3, 3}, enc});
    out.push_back({"encoder.subsample.conv2.bias", {F1}, enc});
    out.push_back({"encoder.subsample.out.weight", {C, c.subsample_flat()}, enc});
    out.push_back({"encoder.subsample.out.bias", {C}, enc});
    for (int l = 0; l < c.encoder_blocks; ++l) add_block(out, c, "encoder", l, enc);
    out.push_back({"encoder.ln_out.weight", {C}, enc});
    out.push_back({"encoder.ln_out.bias", {C}, enc});

    const ModelPart pred = ModelPart::Predictor;
    out.push_back({"predictor.emb.weight", {V, C}, pred});
    for (int l = 0; l < c.predictor_blocks; ++l) add_block(out, c, "predictor", l, pred);
    out.push_back({"predictor.ln_out.weight", {C}, pred});
    out.push_back({"predictor.ln_out.bias", {C}, pred});

    const ModelPart j = ModelPart::Joiner;
    out.push_back({"joiner.enc_proj.weight", {C, C}, j});
    out.push_back({"joiner.enc_proj.bias", {C}, j});
    out.push_back({"joiner.pred_proj.weight", {C, C}, j});
    out.push_back({"joiner.hidden.weight", {C, C}, j});
    out.push_back({"joiner.hidden.bias", {C}, j});
    out.push_back({"joiner.out.weight", {V, C}, j});
    out.push_back({"joiner.out.bias", {V}, j});

    out.push_back({"ctc_head.weight", {V, C}, ModelPart::CtcHead});
    out.push_back({"ctc_head.bias", {V}, ModelPart::CtcHead});
    return out;
}

ParameterCount count_parameters(const ModelConfig& config) {
    ParameterCount count;
    for (const TensorSpec& t : tensor_specs(config)) {
        switch (t.part) {
            case ModelPart::Frontend: count.frontend += t.numel(); break;
            case ModelPart::Encoder: count.encoder += t.numel(); break;
            case ModelPart::Predictor: count.predictor += t.numel(); break;
            case ModelPart::Joiner: count.joiner += t.numel(); break;
            case ModelPart::CtcHead: count.ctc_head += t.numel(); break;
        }
    }
    return count;
}

}  // namespace rwkvt
