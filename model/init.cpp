#include "init.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "stable_hash.hpp"

namespace rwkvt {

namespace {

// ---- Random numbers --------------------------------------------------------------------------

// std::mt19937_64's sequence is fixed by the standard; the distributions are not, so the uniform and
// normal transforms are written out here to make a seed mean the same model on every platform.
class Random {
public:
    explicit Random(uint64_t seed) : engine_(seed) {}
    // Uniform in [0, 1) with 53 random bits.
    double uniform01() { return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
    // Standard normal by Box-Muller (both outputs used).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u1 = uniform01();
        while (u1 <= 0.0) u1 = uniform01();
        const double u2 = uniform01();
        const double radius = std::sqrt(-2.0 * std::log(u1));
        const double angle = 2.0 * M_PI * u2;
        spare_ = radius * std::sin(angle);
        has_spare_ = true;
        return radius * std::cos(angle);
    }

private:
    std::mt19937_64 engine_;
    bool has_spare_ = false;
    double spare_ = 0.0;
};

// One generator per tensor, seeded from the model seed and the tensor's name (FNV-1a then a
// SplitMix64 finaliser), so one tensor's values do not depend on which other tensors exist.
uint64_t tensor_seed(uint64_t seed, const std::string& name, uint64_t stream) {
    return splitmix64_finalise(seed ^ (fnv1a(name, kRwkvtHashStart) + 0x9E3779B97F4A7C15ull * (stream + 1)));
}

// ---- Fillers ---------------------------------------------------------------------------------

Tensor make(const std::vector<int64_t>& shape) {
    Tensor t;
    t.shape = shape;
    t.data.assign(static_cast<size_t>(t.numel()), 0.0f);
    return t;
}

void fill_constant(Tensor& t, float value) { std::fill(t.data.begin(), t.data.end(), value); }

void fill_uniform(Tensor& t, Random& rng, double bound) {
    for (float& v : t.data) v = static_cast<float>(rng.uniform(-bound, bound));
}

void fill_normal(Tensor& t, Random& rng, double std) {
    for (float& v : t.data) v = static_cast<float>(std * rng.normal());
}

// torch.nn.init.orthogonal_ for a 2-D [rows, cols] tensor: QR of a Gaussian [max, min] matrix, Q's
// columns sign-corrected by sign(diag(R)) so Q is Haar-distributed, transposed when rows < cols.
// Result: rows orthonormal (W W^T = gain^2 I) when rows <= cols, columns orthonormal
// (W^T W = gain^2 I) when rows > cols.
void fill_orthogonal(Tensor& t, Random& rng, double gain) {
    if (t.shape.size() != 2) throw std::logic_error("orthogonal init needs a 2-D tensor");
    const Eigen::Index rows = t.shape[0], cols = t.shape[1];
    const Eigen::Index tall = std::max(rows, cols), narrow = std::min(rows, cols);
    Eigen::MatrixXd gaussian(tall, narrow);
    for (Eigen::Index i = 0; i < tall; ++i)
        for (Eigen::Index j = 0; j < narrow; ++j) gaussian(i, j) = rng.normal();
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian);
    Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(tall, narrow);
    const Eigen::VectorXd r_diagonal = qr.matrixQR().diagonal();
    for (Eigen::Index j = 0; j < narrow; ++j)
        if (r_diagonal(j) < 0) q.col(j) = -q.col(j);
    // q is [tall, narrow]; W is q itself when rows >= cols, else its transpose.
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j)
            t.data[static_cast<size_t>(i * cols + j)] =
                static_cast<float>(gain * (rows >= cols ? q(i, j) : q(j, i)));
}

// PyTorch's default for nn.Linear and nn.Conv2d: weight kaiming_uniform_(a = sqrt(5)), which is
// uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias uniform over the same bound.
double pytorch_default_bound(const std::vector<int64_t>& weight_shape) {
    int64_t fan_in = 1;
    for (size_t i = 1; i < weight_shape.size(); ++i) fan_in *= weight_shape[i];
    return 1.0 / std::sqrt(static_cast<double>(fan_in));
}

// ---- The RWKV-7 block (spec section 3, "Initialisation") ----------------------------------------

// Initialises the block tensors of block l of a stack with L blocks. `random_for(name)` yields the
// tensor's own generator.
template <typename RandomFor>
void init_block(Weights& w, const ModelConfig& c, const std::string& stack, int l, int L, RandomFor&& random_for) {
    const int C = c.width, N = c.head_size;
    // The official trainer divides by L - 1; a one-block stack would divide by zero, and its only
    // block is the first one, so r01 = 0 there.
    const double r01 = L > 1 ? static_cast<double>(l) / (L - 1) : 0.0;
    const double r10 = 1.0 - static_cast<double>(l) / L;
    auto name = [&](const std::string& suffix) { return block_tensor(stack, l, suffix); };
    auto put = [&](const std::string& suffix, Tensor t) { w.set(name(suffix), std::move(t)); };

    std::vector<double> ddd(C), linear(C), zigzag(C), www(C);
    for (int n = 0; n < C; ++n) {
        ddd[n] = static_cast<double>(n) / C;
        linear[n] = static_cast<double>(n) / (C - 1) - 0.5;
        const double z = ((n % N) - (N - 1) / 2.0) / ((N - 1) / 2.0);
        zigzag[n] = z * std::fabs(z);
        www[n] = -6.0 + 6.0 * std::pow(static_cast<double>(n) / (C - 1), 1.0 + std::pow(r01, 0.3));
    }
    auto vector_of = [&](auto&& value_at) {
        Tensor t = make({C});
        for (int n = 0; n < C; ++n) t.data[n] = static_cast<float>(value_at(n));
        return t;
    };
    auto mu = [&](double exponent) { return vector_of([&](int n) { return 1.0 - std::pow(ddd[n], exponent); }); };
    auto constant = [&](std::vector<int64_t> shape, float value) {
        Tensor t = make(shape);
        fill_constant(t, value);
        return t;
    };
    auto orthogonal = [&](const std::string& suffix, std::vector<int64_t> shape, double gain) {
        Tensor t = make(shape);
        Random rng = random_for(name(suffix));
        fill_orthogonal(t, rng, gain);
        put(suffix, std::move(t));
    };

    if (l == 0) {
        put("ln0.weight", constant({C}, 1.0f));
        put("ln0.bias", constant({C}, 0.0f));
    }
    put("ln1.weight", constant({C}, 1.0f));
    put("ln1.bias", constant({C}, 0.0f));
    put("ln2.weight", constant({C}, 1.0f));
    put("ln2.bias", constant({C}, 0.0f));

    put("att.x_r", mu(0.2 * r10));
    put("att.x_w", mu(0.9 * r10));
    put("att.x_k", mu(0.7 * r10));
    put("att.x_v", mu(0.7 * r10));
    put("att.x_a", mu(0.9 * r10));
    put("att.x_g", mu(0.2 * r10));

    // LoRA: the first matrix starts at zero, the second orthogonal with gain 0.1, so each LoRA
    // starts as exactly its bias (w0, a0, v0) or zero (gate) but gets gradient from step one.
    const int Dw = c.lora_decay_rank(), Da = c.lora_iclr_rank(), Dv = c.lora_value_rank(), Dg = c.lora_gate_rank();
    put("att.w0", vector_of([&](int n) { return www[n] + 0.5 + 2.5 * zigzag[n]; }));
    put("att.w1", constant({C, Dw}, 0.0f));
    orthogonal("att.w2", {Dw, C}, 0.1);
    put("att.a0", vector_of([&](int n) { return -0.19 + 0.3 * zigzag[n] + 0.4 * linear[n]; }));
    put("att.a1", constant({C, Da}, 0.0f));
    orthogonal("att.a2", {Da, C}, 0.1);
    if (l > 0) {
        put("att.v0", vector_of([&](int n) { return 0.73 - 0.4 * linear[n]; }));
        put("att.v1", constant({C, Dv}, 0.0f));
        orthogonal("att.v2", {Dv, C}, 0.1);
    }
    put("att.g1", constant({C, Dg}, 0.0f));
    orthogonal("att.g2", {Dg, C}, 0.1);
    put("att.k_k", vector_of([&](int n) { return 0.71 - 0.1 * linear[n]; }));
    put("att.k_a", constant({C}, 1.02f));
    put("att.r_k", constant({c.heads(), N}, -0.04f));

    // Gains exactly as the spec lists them. (The official trainer also multiplies the gain by
    // sqrt(out/in) for tall matrices, which would give ffn.key gain 2; the spec says 1 and wins.)
    orthogonal("att.receptance.weight", {C, C}, 1.0);
    orthogonal("att.key.weight", {C, C}, 0.1);
    orthogonal("att.value.weight", {C, C}, 1.0);
    put("att.output.weight", constant({C, C}, 0.0f));
    put("att.ln_x.weight", constant({C}, static_cast<float>(std::pow((1.0 + l) / L, 0.7))));
    put("att.ln_x.bias", constant({C}, 0.0f));

    put("ffn.x_k", mu(std::pow(r10, 4)));
    orthogonal("ffn.key.weight", {c.ffn_width, C}, 1.0);
    put("ffn.value.weight", constant({C, c.ffn_width}, 0.0f));
}

Tokenizer initial_tokenizer(const ModelConfig& c) {
    if (c.tokenizer == "char") return Tokenizer::characters(c.vocab_size, c.blank_id);
    // SentencePiece kinds have no trained model yet: placeholder pieces keep the vocabulary size
    // right so the model file is complete; training the SentencePiece model replaces them.
    nlohmann::json j;
    std::vector<std::string> pieces;
    for (int id = 0; id < c.vocab_size; ++id)
        pieces.push_back(id == c.blank_id ? "<blank>" : "<piece" + std::to_string(id) + ">");
    j["kind"] = c.tokenizer;
    j["pieces"] = pieces;
    j["blank_id"] = c.blank_id;
    return Tokenizer::from_json(j.dump());
}

}  // namespace

Model init_model(const ModelConfig& config, uint64_t seed, float noise) {
    config.validate();
    if (!(noise >= 0.0f) || !std::isfinite(noise)) throw std::runtime_error("init noise must be finite and >= 0");
    Model model;
    model.config = config;
    model.origin = "initialised";
    model.tokenizer = initial_tokenizer(config);
    const ModelConfig& c = config;
    const int C = c.width;
    Weights& w = model.weights;
    auto random_for = [&](const std::string& name) { return Random(tensor_seed(seed, name, 0)); };

    // Front end: identity normalisation until the training-set statistics are computed.
    {
        Tensor mean = make({c.n_mels}), std = make({c.n_mels});
        fill_constant(std, 1.0f);
        w.set("frontend.feature_mean", std::move(mean));
        w.set("frontend.feature_std", std::move(std));
    }

    // Subsampling convolutions and projection: not covered by the spec; PyTorch's defaults
    // (kaiming_uniform_(a = sqrt(5)) weights and uniform(+-1/sqrt(fan_in)) biases), which is what
    // the trainer's nn.Conv2d / nn.Linear start from.
    auto pytorch_layer = [&](const std::string& prefix, std::vector<int64_t> weight_shape, bool has_bias) {
        const double bound = pytorch_default_bound(weight_shape);
        Tensor weight = make(weight_shape);
        Random weight_rng = random_for(prefix + ".weight");
        fill_uniform(weight, weight_rng, bound);
        w.set(prefix + ".weight", std::move(weight));
        if (has_bias) {
            Tensor bias = make({weight_shape[0]});
            Random bias_rng = random_for(prefix + ".bias");
            fill_uniform(bias, bias_rng, bound);
            w.set(prefix + ".bias", std::move(bias));
        }
    };
    const int F1 = c.subsample_channels;
    pytorch_layer("encoder.subsample.conv1", {F1, 1, 3, 3}, true);
    pytorch_layer("encoder.subsample.conv2", {F1, F1, 3, 3}, true);
    pytorch_layer("encoder.subsample.out", {C, c.subsample_flat()}, true);

    // The stacks: spec section 3. LayerNorms (ln0/ln1/ln2/ln_out) weight 1, bias 0.
    for (int l = 0; l < c.encoder_blocks; ++l) init_block(w, c, "encoder", l, c.encoder_blocks, random_for);
    for (int l = 0; l < c.predictor_blocks; ++l) init_block(w, c, "predictor", l, c.predictor_blocks, random_for);
    for (const char* stack : {"encoder", "predictor"}) {
        Tensor weight = make({C}), bias = make({C});
        fill_constant(weight, 1.0f);
        w.set(std::string(stack) + ".ln_out.weight", std::move(weight));
        w.set(std::string(stack) + ".ln_out.bias", std::move(bias));
    }

    // Embedding: normal(0, 1e-4), a small start as in the official trainer (which uses
    // uniform(+-1e-4)); ln0 of the first predictor block rescales it anyway.
    {
        Tensor emb = make({c.vocab_size, C});
        Random rng = random_for("predictor.emb.weight");
        fill_normal(emb, rng, 1e-4);
        w.set("predictor.emb.weight", std::move(emb));
    }

    // Joiner and CTC head: plain Linear layers, PyTorch's default init (pred_proj has no bias: the
    // joiner's b1 sits on enc_proj).
    pytorch_layer("joiner.enc_proj", {C, C}, true);
    pytorch_layer("joiner.pred_proj", {C, C}, false);
    pytorch_layer("joiner.hidden", {C, C}, true);
    pytorch_layer("joiner.out", {c.vocab_size, C}, true);
    pytorch_layer("ctc_head", {c.vocab_size, C}, true);

    if (noise > 0.0f) {
        for (const TensorSpec& spec : tensor_specs(c)) {
            Tensor& t = w.at(spec.name);
            Random rng(tensor_seed(seed, spec.name, 1));  // a stream apart from the init's own
            const bool keep_positive = spec.name == "frontend.feature_std";
            for (float& v : t.data) {
                const float delta = static_cast<float>(noise * rng.normal());
                v += keep_positive ? std::fabs(delta) : delta;
            }
        }
    }

    model.validate();
    return model;
}

}  // namespace rwkvt
