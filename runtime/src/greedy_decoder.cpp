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
    Floats logits(static_cast<size_t>(kMaxWindow) * V);
    auto best = [&](int row) { return blank_penalised_argmax(logits.data() + static_cast<size_t>(row) * V, V, blank, blank_penalty_); };
    auto emit = [&](int k, int t) {
        s.tokens.push_back(k);
        s.token_frames.push_back(static_cast<int>(s.frames_done + t));
        predictor_step(model_, k, s.predictor, s.pred_proj, ws);
    };
    // Most frames emit nothing, so the joiner runs on a window of frames against the current prefix
    // at once (its weights are read once per window, not once per frame). Up to the first frame
    // that emits, these are exactly the logits frame-by-frame decoding computes. After an emission
    // the next window starts on the same frame against the new prefix: its first row decides the
    // frame's next symbol and the rest serve the frames after it, so one call does both.
    // The rows after an emission are wasted, and speech emits a token every few frames: so a window
    // after an emission (and the chunk's first) is short (kFirstWindow) and each window that finds
    // only blanks doubles the next, up to kMaxWindow, for pauses and silence.
    int t = 0;
    int emitted_on_frame = 0;  // tokens frame t has emitted so far
    int next_window = kFirstWindow;
    while (t < frames) {
        const int window = std::min(next_window, frames - t);
        kernels::joiner(dense(enc_proj.data() + static_cast<size_t>(t) * C, C, window),
                        kernels::Rows{s.pred_proj.data(), C, window, 0}, model_, dense(logits.data(), V, window));
        int first = 0;
        while (first < window && best(first) == blank) ++first;
        if (first == window) {
            t += window;
            emitted_on_frame = 0;
            next_window = std::min(2 * next_window, kMaxWindow);
            continue;
        }
        next_window = kFirstWindow;
        if (first > 0) emitted_on_frame = 0;
        t += first;
        emit(best(first), t);
        if (++emitted_on_frame == max_symbols_) {  // the frame's cap: on to the next frame
            ++t;
            emitted_on_frame = 0;
        }
    }
    s.frames_done += frames;
}

}  // namespace rwkvt::rt
