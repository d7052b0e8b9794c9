#include "encoder.hpp"

#include "frontend_tables.hpp"
#include "kernels.hpp"

namespace rwkvt::rt {

namespace {
constexpr int kContextRows = 6;  // conv2 reads conv1 rows 2j-2..2j, which read feature rows 4j-6..4j
}

EncoderState EncoderState::zeros(const ModelConfig& c) {
    EncoderState s;
    s.features.assign(static_cast<size_t>(kContextRows) * c.n_mels, 0.0f);
    s.first_row = -kContextRows;
    s.blocks = StackState::zeros(c, c.encoder_blocks);
    return s;
}

size_t EncoderState::state_bytes(const ModelConfig& c) const {
    return blocks.bytes() + static_cast<size_t>(kContextRows) * c.n_mels * sizeof(float);
}

void Encoder::accept_features(EncoderState& s, const float* rows, int frames) const {
    s.features.insert(s.features.end(), rows, rows + static_cast<size_t>(frames) * model_.config.n_mels);
}

int Encoder::ready_frames(const EncoderState& s) const {
    const long rows = static_cast<long>(s.features.size()) / model_.config.n_mels;
    const long total_features = s.first_row + rows;
    return encoder_frame_count(static_cast<int>(total_features)) - static_cast<int>(s.frames_out);
}

int Encoder::encode_next_chunk(EncoderState& s, int chunk_frames, bool flush, Floats& out, StackWorkspace& ws) const {
    const int ready = ready_frames(s);
    if (ready == 0 || (!flush && ready < chunk_frames)) return 0;
    return encode(s, chunk_frames, out, ws);
}

int Encoder::encode(EncoderState& s, int max_frames, Floats& out, StackWorkspace& ws) const {
    const ModelConfig& c = model_.config;
    int frames = ready_frames(s);
    if (max_frames > 0 && frames > max_frames) frames = max_frames;
    if (frames <= 0) return 0;
    const int M = c.n_mels, C = c.width;
    // Local feature rows 0 .. 4 J + 2 are global 4 j0 - 6 .. 4 (j0 + J - 1).
    const int rows_needed = 4 * frames + 3;
    const int first_conv1_row = static_cast<int>(2 * s.frames_out - 2);
    Floats flat(static_cast<size_t>(frames) * c.subsample_flat());
    kernels::subsample(kernels::dense(s.features.data(), M, rows_needed), first_conv1_row, model_,
                       kernels::dense(flat.data(), c.subsample_flat(), frames));
    const size_t old_size = out.size();
    out.resize(old_size + static_cast<size_t>(frames) * C);
    float* x = out.data() + old_size;
    kernels::gemm(kernels::Epilogue::Bias, kernels::dense(flat.data(), c.subsample_flat(), frames), model_.subsample_out,
                  {}, kernels::dense(x, C, frames));
    run_stack(model_.encoder, c, x, frames, s.blocks, ws);
    // Keep only the context the next frame needs.
    s.frames_out += frames;
    const long next_first = 4 * s.frames_out - kContextRows;
    s.features.erase(s.features.begin(), s.features.begin() + (next_first - s.first_row) * M);
    s.first_row = next_first;
    return frames;
}

}  // namespace rwkvt::rt
