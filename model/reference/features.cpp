// Reference log-mel front end (spec section 1): a direct DFT per frame, computed in double precision.
#include <cmath>

#include "../frontend_tables.hpp"
#include "reference.hpp"

namespace rwkvt::ref {

Mat log_mel(const std::vector<float>& samples, int n_mels) {
    const int frames = frame_count(static_cast<long>(samples.size()));
    const std::vector<float> window = hann_window();
    const std::vector<float> filterbank = mel_filterbank(n_mels);
    Mat out(frames, n_mels);
    std::vector<double> power(kSpectrumBins);
    for (int t = 0; t < frames; ++t) {
        const float* frame = samples.data() + static_cast<size_t>(t) * kFrameShift;
        for (int bin = 0; bin < kSpectrumBins; ++bin) {
            double re = 0.0, im = 0.0;
            for (int n = 0; n < kFrameLength; ++n) {
                const double x = static_cast<double>(frame[n]) * window[n];
                const double angle = 2.0 * M_PI * bin * n / kFftSize;  // zero padding to 512 adds nothing
                re += x * std::cos(angle);
                im -= x * std::sin(angle);
            }
            power[bin] = re * re + im * im;
        }
        for (int m = 0; m < n_mels; ++m) {
            double mel = 0.0;
            for (int bin = 0; bin < kSpectrumBins; ++bin) mel += power[bin] * filterbank[static_cast<size_t>(bin) * n_mels + m];
            out(t, m) = static_cast<float>(std::log(std::max(mel, static_cast<double>(kLogFloor))));
        }
    }
    return out;
}

Mat normalise_features(const Model& model, const Mat& log_mel_features) {
    const Tensor& mean = model.weights.at("frontend.feature_mean");
    const Tensor& std_dev = model.weights.at("frontend.feature_std");
    Mat out = log_mel_features;
    for (int t = 0; t < out.rows(); ++t)
        for (int m = 0; m < out.cols(); ++m) out(t, m) = (out(t, m) - mean.data[m]) / std_dev.data[m];
    return out;
}

}  // namespace rwkvt::ref
