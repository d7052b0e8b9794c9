// The LibTorch transducer: the module tree built from the tensor schema, and the forward passes of
// spec sections 2-4 over whole sequences (batched over utterances and time). Each step is written
// to be read against model/reference/, which it matches.
#include "transducer.hpp"

#include <stdexcept>

#include "schema.hpp"
#include "linear_op.hpp"
#include "token_shift_mix_op.hpp"
#include "wkv7_op.hpp"

namespace rwkvt::train {

namespace {

constexpr double kDecayScale = 0.60653065971263342;  // e^-0.5, spec section 3 step 4

std::vector<std::string> split_name(const std::string& name) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', start)) {
        parts.push_back(name.substr(start, dot - start));
        start = dot + 1;
    }
    parts.push_back(name.substr(start));
    return parts;
}

bool is_statistic(const TensorSpec& spec) { return spec.part == ModelPart::Frontend; }

}  // namespace

TransducerImpl::TransducerImpl(const ModelConfig& config) : config_(config) {
    config_.validate();
    // One plain Module per dotted prefix ("encoder", "encoder.blocks", "encoder.blocks.0", ...), so
    // that named_parameters() yields exactly the schema's names. Torch forbids dots in a
    // parameter's own name, which is why the tree is needed at all.
    std::unordered_map<std::string, std::shared_ptr<torch::nn::Module>> modules;
    for (const TensorSpec& spec : tensor_specs(config_)) {
        const std::vector<std::string> parts = split_name(spec.name);
        torch::nn::Module* parent = this;
        std::string prefix;
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            prefix += (i ? "." : "") + parts[i];
            auto found = modules.find(prefix);
            if (found == modules.end())
                found = modules.emplace(prefix, parent->register_module(parts[i], std::make_shared<torch::nn::Module>()))
                            .first;
            parent = found->second.get();
        }
        torch::Tensor value = torch::zeros(spec.shape, torch::kFloat32);
        // Feature statistics are fixed by the data, not learnt: buffers (saved, never optimised).
        tensors_[spec.name] = is_statistic(spec) ? parent->register_buffer(parts.back(), value)
                                                 : parent->register_parameter(parts.back(), value);
    }
    // Until statistics are set, the identity normalisation.
    tensors_.at("frontend.feature_std").fill_(1.0f);
}

const torch::Tensor& TransducerImpl::p(const std::string& name) const {
    const auto found = tensors_.find(name);
    if (found == tensors_.end()) throw std::out_of_range("transducer has no tensor " + name);
    return found->second;
}

void TransducerImpl::load_from(const Model& model) {
    torch::NoGradGuard no_grad;
    for (const TensorSpec& spec : tensor_specs(config_)) {
        if (!model.weights.contains(spec.name))
            throw std::invalid_argument("load_from: model has no tensor " + spec.name);
        const Tensor& t = model.weights.at(spec.name);
        if (t.shape != spec.shape)
            throw std::invalid_argument("load_from: tensor " + spec.name + " has another shape than this config's");
        p(spec.name).copy_(torch::from_blob(const_cast<float*>(t.data.data()), t.shape, torch::kFloat32));
    }
}

Model TransducerImpl::to_model(const Tokenizer& tokenizer, const std::string& origin) const {
    Model model;
    model.config = config_;
    model.tokenizer = tokenizer;
    model.origin = origin;
    for (const TensorSpec& spec : tensor_specs(config_)) {
        const torch::Tensor t = p(spec.name).detach().to(torch::kCPU, torch::kFloat32).contiguous();
        const float* data = t.data_ptr<float>();
        model.weights.set(spec.name, Tensor{spec.shape, std::vector<float>(data, data + t.numel())});
    }
    model.validate();
    return model;
}

void TransducerImpl::set_feature_stats(const torch::Tensor& mean, const torch::Tensor& std) {
    torch::NoGradGuard no_grad;
    p("frontend.feature_mean").copy_(mean.reshape({config_.n_mels}));
    p("frontend.feature_std").copy_(std.reshape({config_.n_mels}));
}

// Spec section 2, as ref::subsample: over (mel, time) images, padding 1 on both sides of the mel
// axis and 2 zero frames before the first one on the time axis (none after: causal). The second
// convolution's padding is applied to the first one's OUTPUT, i.e. conv1 rows at negative time are
// zeros, exactly as a stream starts.
torch::Tensor TransducerImpl::subsample(const torch::Tensor& features) {
    const int64_t B = features.size(0);
    torch::Tensor x = features.transpose(1, 2).unsqueeze(1);  // [B, 1, mel, T]
    for (const char* conv : {"conv1", "conv2"}) {
        const std::string name = std::string("encoder.subsample.") + conv;
        x = torch::constant_pad_nd(x, {2, 0, 1, 1});  // (time: 2 left, 0 right), (mel: 1, 1)
        x = torch::relu(torch::conv2d(x, p(name + ".weight"), p(name + ".bias"), /*stride=*/2));
    }
    // [B, F1, 20, T'] -> [B, T', F1 * 20], flattened channel-major as the schema says.
    x = x.permute({0, 3, 1, 2}).reshape({B, x.size(3), config_.subsample_flat()});
    return train::linear(x, p("encoder.subsample.out.weight"), p("encoder.subsample.out.bias"));
}

// Spec section 3, steps 0-15, for every token of the sequence at once except the recurrence.
torch::Tensor TransducerImpl::block(const std::string& stack, int l, torch::Tensor x, torch::Tensor& v_first) {
    auto q = [&](const char* suffix) -> const torch::Tensor& { return p(block_tensor(stack, l, suffix)); };
    const int64_t B = x.size(0), T = x.size(1), C = config_.width, N = config_.head_size, H = config_.heads();
    const std::vector<int64_t> width{C};
    // 0. Block 0 normalises its input first.
    if (l == 0) x = torch::layer_norm(x, width, q("ln0.weight"), q("ln0.bias"), 1e-5);
    // 1-2. LayerNorm, token shift and the six mixes.
    const torch::Tensor xa = torch::layer_norm(x, width, q("ln1.weight"), q("ln1.bias"), 1e-5);
    const std::vector<torch::Tensor> mixes =
        token_shift_mix(xa, {q("att.x_r"), q("att.x_w"), q("att.x_k"), q("att.x_v"), q("att.x_a"), q("att.x_g")});
    const torch::Tensor &x_r = mixes[0], &x_w = mixes[1], &x_k = mixes[2], &x_v = mixes[3], &x_a = mixes[4], &x_g = mixes[5];
    // 3. Receptance, key, value.
    const torch::Tensor r = train::linear(x_r, q("att.receptance.weight"));
    torch::Tensor k = train::linear(x_k, q("att.key.weight"));
    torch::Tensor v = train::linear(x_v, q("att.value.weight"));
    // 4. Decay in (0.545, 1).
    const torch::Tensor w = torch::exp(
        -kDecayScale * torch::sigmoid(q("att.w0") + train::matmul(torch::tanh(train::matmul(x_w, q("att.w1"))), q("att.w2"))));
    // 5. In-context learning rate.
    const torch::Tensor a = torch::sigmoid(q("att.a0") + train::matmul(train::matmul(x_a, q("att.a1")), q("att.a2")));
    // 6. Value residual.
    if (l == 0) {
        v_first = v;
    } else {
        v = v + (v_first - v) * torch::sigmoid(q("att.v0") + train::matmul(train::matmul(x_v, q("att.v1")), q("att.v2")));
    }
    // 7. Gate: the sigmoid sits between the two LoRA matrices.
    const torch::Tensor g = train::matmul(torch::sigmoid(train::matmul(x_g, q("att.g1"))), q("att.g2"));
    // 8. Removal key, normalised per head (divided by max(norm, 1e-12)).
    const torch::Tensor kk = torch::nn::functional::normalize(
                                 (k * q("att.k_k")).reshape({B, T, H, N}),
                                 torch::nn::functional::NormalizeFuncOptions().p(2).dim(-1).eps(1e-12))
                                 .reshape({B, T, C});
    // 9. Replacement key.
    k = k * (1 + (a - 1) * q("att.k_a"));
    // 10-11. The recurrence and readout: the Halide-backed autograd function.
    torch::Tensor y = wkv7(r, w, k, v, kk, a, static_cast<int>(N));
    // 12. GroupNorm, one group per head (over [B*T, C] rows).
    y = torch::group_norm(y.reshape({B * T, C}), H, q("att.ln_x.weight"), q("att.ln_x.bias"), 64e-5)
            .reshape({B, T, C});
    // 13. Bonus per head.
    const torch::Tensor bonus = (r * k * q("att.r_k").reshape({C})).reshape({B, T, H, N}).sum(-1, true);
    y = y + (bonus * v.reshape({B, T, H, N})).reshape({B, T, C});
    // 14. Output projection of the gated readout.
    x = x + train::linear(y * g, q("att.output.weight"));
    // 15. Channel mix.
    const torch::Tensor xf = torch::layer_norm(x, width, q("ln2.weight"), q("ln2.bias"), 1e-5);
    const torch::Tensor kx = token_shift_mix(xf, {q("ffn.x_k")})[0];
    const torch::Tensor hidden = torch::relu(train::linear(kx, q("ffn.key.weight"))).square();
    return x + train::linear(hidden, q("ffn.value.weight"));
}

torch::Tensor TransducerImpl::run_stack(const std::string& stack, int blocks, torch::Tensor x) {
    torch::Tensor v_first;
    for (int l = 0; l < blocks; ++l) x = block(stack, l, x, v_first);
    return torch::layer_norm(x, {config_.width}, p(stack + ".ln_out.weight"), p(stack + ".ln_out.bias"), 1e-5);
}

std::pair<torch::Tensor, torch::Tensor> TransducerImpl::encode(const torch::Tensor& features,
                                                               const torch::Tensor& lengths) {
    if (features.dim() != 3 || features.size(2) != config_.n_mels || features.size(1) < 1)
        throw std::invalid_argument("encode: features must be [B, T >= 1, n_mels]");
    const torch::Tensor enc = run_stack("encoder", config_.encoder_blocks, subsample(features));
    // T' = ceil(T / 4): the frames whose whole receptive field lies inside the utterance.
    const torch::Tensor enc_lengths = torch::div(lengths.to(torch::kInt64) + 3, 4, "floor");
    return {enc, enc_lengths};
}

torch::Tensor TransducerImpl::ctc_logits(const torch::Tensor& enc) {
    return train::linear(enc, p("ctc_head.weight"), p("ctc_head.bias"));
}

torch::Tensor TransducerImpl::predict(const torch::Tensor& tokens) {
    const torch::Tensor x = torch::embedding(p("predictor.emb.weight"), tokens.to(torch::kInt64));
    return run_stack("predictor", config_.predictor_blocks, x);
}

// Spec section 4 joiner after its first layer's sum: relu, hidden layer, relu, output layer.
torch::Tensor TransducerImpl::joiner_from_hidden(const torch::Tensor& pre_activation) {
    const torch::Tensor h2 =
        torch::relu(train::linear(torch::relu(pre_activation), p("joiner.hidden.weight"), p("joiner.hidden.bias")));
    return train::linear(h2, p("joiner.out.weight"), p("joiner.out.bias"));
}

torch::Tensor TransducerImpl::joint(const torch::Tensor& enc, const torch::Tensor& pred) {
    // W_e e + b1 once per frame and W_p p once per token, then broadcast over the [T', U+1] lattice.
    const torch::Tensor e = train::linear(enc, p("joiner.enc_proj.weight"), p("joiner.enc_proj.bias")).unsqueeze(2);
    const torch::Tensor g = train::linear(pred, p("joiner.pred_proj.weight")).unsqueeze(1);
    return joiner_from_hidden(e + g);
}

torch::Tensor TransducerImpl::joint_pruned(const torch::Tensor& enc, const torch::Tensor& pred, const torch::Tensor& s_begin, int S) {
    const int64_t B = enc.size(0), T = enc.size(1), U1 = pred.size(1);
    const torch::Tensor e = train::linear(enc, p("joiner.enc_proj.weight"), p("joiner.enc_proj.bias")).unsqueeze(2);  // [B, T', 1, J]
    const torch::Tensor g = train::linear(pred, p("joiner.pred_proj.weight"));                                         // [B, U+1, J]
    const int64_t J = g.size(2);
    // Row u = s_begin + k of each frame's window, gathered from W_p p: [B, T', S, J].
    const torch::Tensor rows = (s_begin.to(torch::kInt64).unsqueeze(2) + torch::arange(S, torch::kInt64)).clamp_max(U1 - 1);
    const torch::Tensor g_window = g.unsqueeze(1).expand({B, T, U1, J}).gather(2, rows.unsqueeze(3).expand({B, T, S, J}));
    return joiner_from_hidden(e + g_window);
}

torch::Tensor TransducerImpl::lm_logits(const torch::Tensor& pred) {
    // A zero encoder input leaves only the bias b1 of the encoder projection.
    return joiner_from_hidden(train::linear(pred, p("joiner.pred_proj.weight")) + p("joiner.enc_proj.bias"));
}

}  // namespace rwkvt::train
