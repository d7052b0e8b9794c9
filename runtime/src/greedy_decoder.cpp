#include "greedy_decoder.hpp"

#include <algorithm>

#include "blank_penalised_argmax.hpp"
#include "kernels.hpp"
#include "predictor_step.hpp"

namespace rwkvt::rt {

using kernels::dense;

GreedyState GreedyDecoder::start(StackWorkspace& ws) const {
    GreedyState s;
    s.predictor = StackState::zeros(model_.config, model_.config.predictor_blocks);
    predictor_step(model_, model_.config.blank_id, s.predictor, s.pred_proj, ws);  // the start symbol is blank
    return s;
}

void GreedyDecoder::advance(GreedyState& s, const float* encoder_rows, int frames, StackWorkspace& ws) const {
    const int C = model_.config.width, V = model_.config.vocab_size, blank = model_.config.blank_id;
    // W_e e + b1 for every frame of the chunk in one GEMM.
    Floats enc_proj(static_cast<size_t>(frames) * C);
    kernels::gemm(kernels::Epilogue::Bias, dense(const_cast<float*>(encoder_rows), C, frames), model_.joiner_enc, {},
                  dense(enc_proj.data(), C, frames));
    Floats logits(static_cast<size_t>(kSpeculativeFrames) * V);
    auto best = [&](int row) { return blank_penalised_argmax(logits.data() + static_cast<size_t>(row) * V, V, blank, blank_penalty_); };
    auto emit = [&](int k, int t) {
        s.tokens.push_back(k);
        s.token_frames.push_back(static_cast<int>(s.frames_done + t));
        predictor_step(model_, k, s.predictor, s.pred_proj, ws);
    };
    int t = 0;
    while (t < frames) {
        // Most frames emit nothing, so the joiner runs on a window of frames against the current
        // prefix at once (its weights are read once per window, not once per frame). Up to the first
        // frame that emits, these are exactly the logits frame-by-frame decoding computes.
        const int window = std::min(kSpeculativeFrames, frames - t);
        kernels::joiner(dense(enc_proj.data() + static_cast<size_t>(t) * C, C, window),
                        kernels::Rows{s.pred_proj.data(), C, window, 0}, model_, dense(logits.data(), V, window));
        int first = 0;
        while (first < window && best(first) == blank) ++first;
        if (first == window) {
            t += window;
            continue;
        }
        t += first;
        emit(best(first), t);
        // Further tokens on the same frame, one joiner call each, against the new prefix.
        for (int n = 1; n < max_symbols_; ++n) {
            kernels::joiner(dense(enc_proj.data() + static_cast<size_t>(t) * C, C, 1), dense(s.pred_proj.data(), C, 1),
                            model_, dense(logits.data(), V, 1));
            const int k = best(0);
            if (k == blank) break;
            emit(k, t);
        }
        ++t;
    }
    s.frames_done += frames;
}

}  // namespace rwkvt::rt
