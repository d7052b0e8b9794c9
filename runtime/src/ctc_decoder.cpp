#include "ctc_decoder.hpp"

#include "blank_penalised_argmax.hpp"
#include "kernels.hpp"

namespace rwkvt::rt {

void CtcDecoder::advance(CtcState& s, const float* encoder_rows, int frames) const {
    if (frames <= 0) return;
    const int C = model_.config.width, V = model_.config.vocab_size, blank = model_.config.blank_id;
    Floats logits(static_cast<size_t>(frames) * V);
    kernels::gemm(kernels::Epilogue::Bias, kernels::dense(const_cast<float*>(encoder_rows), C, frames), model_.ctc_head, {},
                  kernels::dense(logits.data(), V, frames));
    for (int t = 0; t < frames; ++t) {
        const int choice = blank_penalised_argmax(logits.data() + static_cast<size_t>(t) * V, V, blank, blank_penalty_);
        if (choice != blank && choice != s.previous) {
            s.tokens.push_back(choice);
            s.token_frames.push_back(static_cast<int>(s.frames_done + t));
        }
        s.previous = choice;
    }
    s.frames_done += frames;
}

}  // namespace rwkvt::rt
