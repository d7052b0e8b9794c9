// Constants of the log-mel front end (spec section 1), shared by the reference implementation and the
// Halide front end so that both analyse audio with exactly the same window and filterbank.
#pragma once

#include <vector>

namespace rwkvt {

constexpr int kSampleRate = 16000;
constexpr int kFrameLength = 400;  // 25 ms
constexpr int kFrameShift = 160;   // 10 ms
constexpr int kFftSize = 512;
constexpr int kSpectrumBins = kFftSize / 2 + 1;  // 257
constexpr float kLogFloor = 1e-10f;
constexpr int kFramesPerEncoderFrame = 4;       // subsampling factor

// Frames of a signal of n samples under causal framing: frame i covers [160 i, 160 i + 400).
inline int frame_count(long n_samples) {
    return n_samples < kFrameLength ? 0 : static_cast<int>((n_samples - kFrameLength) / kFrameShift + 1);
}
// Encoder frames produced from n feature frames: output j exists once feature 4 j exists.
inline int encoder_frame_count(int n_frames) { return (n_frames + kFramesPerEncoderFrame - 1) / kFramesPerEncoderFrame; }

// Periodic Hann window of kFrameLength samples: 0.5 - 0.5 cos(2 pi n / 400).
std::vector<float> hann_window();

// HTK-mel triangular filters over 0..8000 Hz, as a [kSpectrumBins][n_mels] row-major matrix
// (entry [bin][mel] weights the power of DFT bin `bin` in mel band `mel`).
std::vector<float> mel_filterbank(int n_mels);

}  // namespace rwkvt
