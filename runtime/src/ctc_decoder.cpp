#include "ctc_decoder.hpp"

#include "kernels.hpp"

namespace rwkvt::rt {

void CtcDecoder::advance(CtcState& s, const float* encoder_rows, int frames) const {
    if (frames <= 0) return;
    const int C = model_.config.width, V = model_.config.vocab_size, blank = model_.config.blank_id;
    Floats logits(static_cast<size_t>(frames) * V);
    kernels::gemm(kernels::Epilogue::Bias, kernels::dense(const_cast<float*>(encoder_rows), C, frames), model_.ctc_head, {},
                  kernels::dense(logits.data(), V, frames));
    for (int t = 0; t < frames; ++t) {
        const float* z = logits.data() + static_cast<size_t>(t) * V;
        // The arg max with blank lowered by the penalty; ties go to the lower index, as in the
        // transducer's greedy decoder.
        int choice = 0;
        float value = blank == 0 ? z[0] - blank_penalty_ : z[0];
        for (int k = 1; k < V; ++k) {
            const float v = k == blank ? z[k] - blank_penalty_ : z[k];
            if (v > value) value = v, choice = k;
        }
        if (choice != blank && choice != s.previous) {
            s.tokens.push_back(choice);
            s.token_frames.push_back(static_cast<int>(s.frames_done + t));
        }
        s.previous = choice;
    }
    s.frames_done += frames;
}

}  // namespace rwkvt::rt
