#include "fast_log_mel.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

#include <Eigen/Dense>
#include <unsupported/Eigen/FFT>

#include "frontend_tables.hpp"

namespace rwkvt::train {

namespace {
using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}

FastLogMel::FastLogMel(int n_mels) : n_mels_(n_mels) {
    const std::vector<float> window = hann_window();
    window_.assign(window.begin(), window.end());
    const std::vector<float> fb = mel_filterbank(n_mels);
    filterbank_.assign(fb.begin(), fb.end());
}

std::vector<float> FastLogMel::compute(const std::vector<float>& samples, int& frames) const {
    frames = frame_count(static_cast<long>(samples.size()));
    std::vector<float> out(static_cast<size_t>(frames) * n_mels_);
    if (frames == 0) return out;
    // One plan per call: kissfft plans are cheap, and compute() stays safe to call from several
    // threads at once.
    Eigen::FFT<double> fft;
    fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);
    std::vector<double> frame(kFftSize, 0.0);  // zero-padded from kFrameLength to kFftSize
    std::vector<std::complex<double>> spectrum;
    MatD power(frames, kSpectrumBins);
    for (int t = 0; t < frames; ++t) {
        const float* x = samples.data() + static_cast<size_t>(t) * kFrameShift;
        for (int n = 0; n < kFrameLength; ++n) frame[n] = window_[n] * x[n];
        fft.fwd(spectrum, frame);
        for (int bin = 0; bin < kSpectrumBins; ++bin) power(t, bin) = std::norm(spectrum[bin]);
    }
    const Eigen::Map<const MatD> fb(filterbank_.data(), kSpectrumBins, n_mels_);
    const MatD mel = power * fb;
    for (int t = 0; t < frames; ++t)
        for (int m = 0; m < n_mels_; ++m)
            out[static_cast<size_t>(t) * n_mels_ + m] = static_cast<float>(std::log(std::max(mel(t, m), static_cast<double>(kLogFloor))));
    return out;
}

}  // namespace rwkvt::train
