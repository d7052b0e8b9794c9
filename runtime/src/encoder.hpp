// The streaming encoder: subsampling with its causal left context, then the encoder stack. Encoder
// frame j depends on feature frames up to 4 j only, so it is computed as soon as that frame exists,
// and any chunking gives the same output as the whole utterance.
#pragma once

#include "packed_model.hpp"
#include "stack.hpp"

namespace rwkvt::rt {

struct EncoderState {
    // Normalised feature rows not yet consumed plus the 6 rows of left context the convolutions
    // need; row 0 is global frame first_row (rows before global frame 0 are the zero padding).
    Floats features;
    long first_row = -6;
    long frames_out = 0;  // encoder frames produced so far
    StackState blocks;

    static EncoderState zeros(const ModelConfig& config);
    // Bytes of recurrent state: block states plus the convolutions' context rows (not the
    // not-yet-consumed input, which is audio waiting to be processed).
    size_t state_bytes(const ModelConfig& config) const;
};

class Encoder {
public:
    explicit Encoder(const PackedModel& model) : model_(model) {}
    // Appends feature rows ([frames][n_mels]) to the state.
    void accept_features(EncoderState& state, const float* rows, int frames) const;
    // Encodes up to max_frames ready frames (all if max_frames <= 0) and appends them to `out`
    // ([frames][C]); returns how many.
    int encode(EncoderState& state, int max_frames, Floats& out, StackWorkspace& workspace) const;
    int ready_frames(const EncoderState& state) const;
    // A stream's step: encodes the next `chunk_frames` frames once that many are ready (with
    // `flush`, whatever is ready), appends them to `out` and returns how many (0: none to encode).
    int encode_next_chunk(EncoderState& state, int chunk_frames, bool flush, Floats& out, StackWorkspace& workspace) const;

private:
    const PackedModel& model_;
};

}  // namespace rwkvt::rt
