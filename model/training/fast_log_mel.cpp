#include "fast_log_mel.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "frontend_tables.hpp"

namespace rwkvt::train {

namespace {
using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}

FastLogMel::FastLogMel(int n_mels) : n_mels_(n_mels) {
    const std::vector<float> window = hann_window();
    cos_table_.resize(static_cast<size_t>(kFrameLength) * kSpectrumBins);
    sin_table_.resize(cos_table_.size());
    for (int n = 0; n < kFrameLength; ++n)
        for (int bin = 0; bin < kSpectrumBins; ++bin) {
            // (bin * n) mod 512 keeps the angle small, so cos/sin are as exact as double allows.
            const double angle = 2.0 * M_PI * static_cast<double>((bin * n) % kFftSize) / kFftSize;
            cos_table_[static_cast<size_t>(n) * kSpectrumBins + bin] = window[n] * std::cos(angle);
            sin_table_[static_cast<size_t>(n) * kSpectrumBins + bin] = window[n] * std::sin(angle);
        }
    const std::vector<float> fb = mel_filterbank(n_mels);
    filterbank_.assign(fb.begin(), fb.end());
}

std::vector<float> FastLogMel::compute(const std::vector<float>& samples, int& frames) const {
    frames = frame_count(static_cast<long>(samples.size()));
    std::vector<float> out(static_cast<size_t>(frames) * n_mels_);
    if (frames == 0) return out;
    MatD framed(frames, kFrameLength);
    for (int t = 0; t < frames; ++t)
        for (int n = 0; n < kFrameLength; ++n) framed(t, n) = samples[static_cast<size_t>(t) * kFrameShift + n];
    const Eigen::Map<const MatD> cos_m(cos_table_.data(), kFrameLength, kSpectrumBins);
    const Eigen::Map<const MatD> sin_m(sin_table_.data(), kFrameLength, kSpectrumBins);
    const Eigen::Map<const MatD> fb(filterbank_.data(), kSpectrumBins, n_mels_);
    const MatD re = framed * cos_m, im = framed * sin_m;
    const MatD power = re.cwiseProduct(re) + im.cwiseProduct(im);
    const MatD mel = power * fb;
    for (int t = 0; t < frames; ++t)
        for (int m = 0; m < n_mels_; ++m)
            out[static_cast<size_t>(t) * n_mels_ + m] = static_cast<float>(std::log(std::max(mel(t, m), static_cast<double>(kLogFloor))));
    return out;
}

}  // namespace rwkvt::train
