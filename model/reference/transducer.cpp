// Reference transducer (spec section 4): stacks, predictor, joiner, CTC head and greedy decoding.
#include <algorithm>

#include "reference.hpp"

namespace rwkvt::ref {

namespace {
Eigen::Map<const Vec> vec(const Model& m, const std::string& name) {
    const Tensor& t = m.weights.at(name);
    return Eigen::Map<const Vec>(t.data.data(), static_cast<Eigen::Index>(t.data.size()));
}
Eigen::Map<const Mat> mat(const Model& m, const std::string& name) {
    const Tensor& t = m.weights.at(name);
    return Eigen::Map<const Mat>(t.data.data(), t.shape[0], t.shape[1]);
}
int argmax(const Vec& v) {
    Eigen::Index best = 0;
    v.maxCoeff(&best);
    return static_cast<int>(best);
}
}  // namespace

Mat run_stack(const Model& m, const std::string& stack, const Mat& x, StackState& state) {
    Mat out(x.rows(), x.cols());
    for (Eigen::Index t = 0; t < x.rows(); ++t) {
        Vec h = x.row(t).transpose();
        Vec v_first;
        for (size_t l = 0; l < state.blocks.size(); ++l)
            h = block_step(m, stack, static_cast<int>(l), h, state.blocks[l], v_first);
        out.row(t) = layer_norm(h, vec(m, stack + ".ln_out.weight"), vec(m, stack + ".ln_out.bias")).transpose();
    }
    return out;
}

Mat encoder_forward(const Model& m, const Mat& features) {
    StackState state = zero_stack_state(m.config, m.config.encoder_blocks);
    return run_stack(m, "encoder", subsample(m, features), state);
}

Vec predictor_step(const Model& m, int token, StackState& state) {
    const Tensor& emb = m.weights.at("predictor.emb.weight");
    const int C = m.config.width;
    Mat x = Eigen::Map<const Mat>(emb.data.data() + static_cast<size_t>(token) * C, 1, C);
    return run_stack(m, "predictor", x, state).row(0).transpose();
}

Mat predictor_sequence(const Model& m, const std::vector<int>& tokens) {
    const Tensor& emb = m.weights.at("predictor.emb.weight");
    const int C = m.config.width;
    std::vector<int> inputs = {m.config.blank_id};
    inputs.insert(inputs.end(), tokens.begin(), tokens.end());
    Mat x(static_cast<Eigen::Index>(inputs.size()), C);
    for (size_t u = 0; u < inputs.size(); ++u)
        x.row(static_cast<Eigen::Index>(u)) = Eigen::Map<const Vec>(emb.data.data() + static_cast<size_t>(inputs[u]) * C, C);
    StackState state = zero_stack_state(m.config, m.config.predictor_blocks);
    return run_stack(m, "predictor", x, state);
}

Vec joiner_logits(const Model& m, const Vec& e, const Vec& g) {
    const Vec h1 = (mat(m, "joiner.enc_proj.weight") * e + vec(m, "joiner.enc_proj.bias") +
                    mat(m, "joiner.pred_proj.weight") * g).cwiseMax(0.0f);
    const Vec h2 = (mat(m, "joiner.hidden.weight") * h1 + vec(m, "joiner.hidden.bias")).cwiseMax(0.0f);
    return mat(m, "joiner.out.weight") * h2 + vec(m, "joiner.out.bias");
}

Vec ctc_logits(const Model& m, const Vec& e) {
    return mat(m, "ctc_head.weight") * e + vec(m, "ctc_head.bias");
}

DecodeResult greedy_decode(const Model& m, const Mat& encoder_out, int max_symbols_per_frame, float blank_penalty) {
    DecodeResult result;
    StackState state = zero_stack_state(m.config, m.config.predictor_blocks);
    Vec g = predictor_step(m, m.config.blank_id, state);
    for (Eigen::Index t = 0; t < encoder_out.rows(); ++t) {
        const Vec e = encoder_out.row(t).transpose();
        for (int n = 0; n < max_symbols_per_frame; ++n) {
            Vec logits = joiner_logits(m, e, g);
            logits[m.config.blank_id] -= blank_penalty;
            const int k = argmax(logits);
            if (k == m.config.blank_id) break;
            result.tokens.push_back(k);
            result.frames.push_back(static_cast<int>(t));
            g = predictor_step(m, k, state);
        }
    }
    return result;
}

DecodeResult ctc_greedy_decode(const Model& m, const Mat& encoder_out, float blank_penalty) {
    DecodeResult result;
    int previous = -1;
    for (Eigen::Index t = 0; t < encoder_out.rows(); ++t) {
        Vec logits = ctc_logits(m, encoder_out.row(t).transpose());
        logits[m.config.blank_id] -= blank_penalty;
        const int k = argmax(logits);
        if (k != m.config.blank_id && k != previous) {
            result.tokens.push_back(k);
            result.frames.push_back(static_cast<int>(t));
        }
        previous = k;
    }
    return result;
}

DecodeResult transcribe(const Model& m, const std::vector<float>& samples, int max_symbols_per_frame, float blank_penalty) {
    const Mat features = normalise_features(m, log_mel(samples, m.config.n_mels));
    return greedy_decode(m, encoder_forward(m, features), max_symbols_per_frame, blank_penalty);
}

}  // namespace rwkvt::ref
