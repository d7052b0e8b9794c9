#include "greedy_decoder.hpp"

#include <algorithm>

#include "kernels.hpp"

namespace rwkvt::rt {

using kernels::dense;

void GreedyDecoder::step_predictor(GreedyState& s, int token, StackWorkspace& ws) const {
    const int C = model_.config.width;
    Floats g(model_.embedding.begin() + static_cast<long>(token) * C, model_.embedding.begin() + static_cast<long>(token + 1) * C);
    run_stack(model_.predictor, model_.config, g.data(), 1, s.predictor, ws);
    s.pred_proj.resize(C);
    kernels::gemm(kernels::Epilogue::Plain, dense(g.data(), C, 1), model_.joiner_pred, {}, dense(s.pred_proj.data(), C, 1));
}

GreedyState GreedyDecoder::start(StackWorkspace& ws) const {
    GreedyState s;
    s.predictor = StackState::zeros(model_.config, model_.config.predictor_blocks);
    step_predictor(s, model_.config.blank_id, ws);  // the start symbol is blank
    return s;
}

void GreedyDecoder::advance(GreedyState& s, const float* encoder_rows, int frames, StackWorkspace& ws) const {
    const int C = model_.config.width, V = model_.config.vocab_size;
    // W_e e + b1 for every frame of the chunk in one GEMM.
    Floats enc_proj(static_cast<size_t>(frames) * C);
    kernels::gemm(kernels::Epilogue::Bias, dense(const_cast<float*>(encoder_rows), C, frames), model_.joiner_enc, {},
                  dense(enc_proj.data(), C, frames));
    Floats logits(V);
    for (int t = 0; t < frames; ++t) {
        for (int n = 0; n < max_symbols_; ++n) {
            kernels::joiner(dense(enc_proj.data() + static_cast<size_t>(t) * C, C, 1), dense(s.pred_proj.data(), C, 1),
                            model_, dense(logits.data(), V, 1));
            const int k = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
            if (k == model_.config.blank_id) break;
            s.tokens.push_back(k);
            s.token_frames.push_back(static_cast<int>(s.frames_done + t));
            step_predictor(s, k, ws);
        }
    }
    s.frames_done += frames;
}

}  // namespace rwkvt::rt
