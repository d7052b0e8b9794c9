#include "frontend_tables.hpp"

#include <algorithm>
#include <cmath>

namespace rwkvt {

namespace {
double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
}  // namespace

std::vector<float> hann_window() {
    std::vector<float> w(kFrameLength);
    for (int n = 0; n < kFrameLength; ++n)
        w[n] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * n / kFrameLength));
    return w;
}

std::vector<float> mel_filterbank(int n_mels) {
    // n_mels + 2 points equally spaced on the mel scale; band m rises from point m to m+1 and falls to m+2.
    const double mel_lo = hz_to_mel(0.0), mel_hi = hz_to_mel(kSampleRate / 2.0);
    std::vector<double> edges(n_mels + 2);
    for (int i = 0; i < n_mels + 2; ++i) edges[i] = mel_lo + (mel_hi - mel_lo) * i / (n_mels + 1);
    std::vector<float> fb(static_cast<size_t>(kSpectrumBins) * n_mels, 0.0f);
    for (int bin = 0; bin < kSpectrumBins; ++bin) {
        const double mel = hz_to_mel(static_cast<double>(bin) * kSampleRate / kFftSize);
        for (int m = 0; m < n_mels; ++m) {
            const double lo = edges[m], mid = edges[m + 1], hi = edges[m + 2];
            const double up = (mel - lo) / (mid - lo), down = (hi - mel) / (hi - mid);
            fb[static_cast<size_t>(bin) * n_mels + m] = static_cast<float>(std::max(0.0, std::min(up, down)));
        }
    }
    return fb;
}

}  // namespace rwkvt
