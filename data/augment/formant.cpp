// Formant shifting: another vocal tract length with the same voice pitch and timing.
//
// Resampling (speed perturbation, or the synthesiser's pitch factors) scales the whole spectrum, so
// pitch and formants always move together, and a voice only ever becomes a higher or lower copy of
// itself. Real speakers differ in both independently. Here each short-time spectrum is split into a
// smooth envelope (the vocal tract's resonances) and the rest (the harmonics of the voice's pitch),
// and only the envelope is stretched along the frequency axis; the rest, phases included, is kept.
#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include <unsupported/Eigen/FFT>

#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

namespace {

constexpr int kFrame = 512;   // 32 ms at 16 kHz: several pitch periods even for low voices
constexpr int kHop = 128;     // 75% overlap: Hann analysis and synthesis windows sum to a constant
constexpr int kBins = kFrame / 2 + 1;
// Linear prediction order: two poles per formant (about one formant per kHz up to 8 kHz) and a few
// for the glottal and radiation tilt. An all-pole model follows narrow resonances that a smoothed
// cepstrum would flatten, and is too short to follow the individual harmonics.
constexpr int kOrder = 20;
// At most +-30 dB of re-weighting per bin: the envelope ratio must not blow up noise.
constexpr double kMaxLogGain = 30.0 / 20.0 * 2.302585092994046;

// The log-magnitude envelope (up to a constant) of one frame, from its half spectrum: the
// autocorrelation (the inverse transform of the power spectrum), Levinson-Durbin for the prediction
// filter A, and -log |A| on the bins. False for a silent frame, which has no envelope.
bool log_envelope(Eigen::FFT<float>& fft, const std::vector<std::complex<float>>& spectrum, std::vector<float>& envelope) {
    std::vector<std::complex<float>> power(kBins);
    for (int k = 0; k < kBins; ++k) power[k] = std::norm(spectrum[k]);
    std::vector<float> autocorrelation;
    fft.inv(autocorrelation, power, kFrame);
    if (!(autocorrelation[0] > 1e-12f)) return false;
    std::vector<double> r(kOrder + 1), a(kOrder + 1, 0.0), previous(kOrder + 1);
    for (int i = 0; i <= kOrder; ++i) r[i] = autocorrelation[i];
    r[0] *= 1.0 + 1e-6;  // a little white noise keeps the recursion stable for nearly periodic frames
    a[0] = 1.0;
    double error = r[0];
    for (int i = 1; i <= kOrder; ++i) {
        double acc = r[i];
        for (int j = 1; j < i; ++j) acc += a[j] * r[i - j];
        const double reflection = -acc / error;
        previous = a;
        for (int j = 1; j < i; ++j) a[j] = previous[j] + reflection * previous[i - j];
        a[i] = reflection;
        error *= 1.0 - reflection * reflection;
        if (!(error > 0.0)) return false;
    }
    std::vector<float> filter(kFrame, 0.0f);
    for (int i = 0; i <= kOrder; ++i) filter[i] = static_cast<float>(a[i]);
    std::vector<std::complex<float>> response;
    fft.fwd(response, filter);
    envelope.resize(kBins);
    for (int k = 0; k < kBins; ++k) envelope[k] = -std::log(std::max(std::abs(response[k]), 1e-9f));
    return true;
}

// Re-weights a frame's spectrum so that its envelope is stretched by `factor`: a resonance at f
// moves to f * factor, i.e. the new envelope at bin k is the old one at k / factor (held at its
// Nyquist value beyond the top).
void move_envelope(std::vector<std::complex<float>>& spectrum, const std::vector<float>& envelope, double factor) {
    for (int k = 0; k < kBins; ++k) {
        const double source = std::min(k / factor, static_cast<double>(kBins - 1));
        const int below = static_cast<int>(source);
        const int above = std::min(below + 1, kBins - 1);
        const double t = source - below;
        const double shifted = (1.0 - t) * envelope[below] + t * envelope[above];
        const double log_gain = std::clamp(shifted - envelope[k], -kMaxLogGain, kMaxLogGain);
        spectrum[k] *= static_cast<float>(std::exp(log_gain));
    }
}

}  // namespace

std::vector<float> formant_shift(const std::vector<float>& samples, double factor) {
    if (!(factor >= 0.7 && factor <= 1.4)) throw std::runtime_error("formant factor " + std::to_string(factor) + " is outside [0.7, 1.4]");
    if (factor == 1.0 || samples.empty()) return samples;

    std::vector<float> window(kFrame);
    for (int i = 0; i < kFrame; ++i) window[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * i / kFrame));  // periodic Hann

    // Zero padding of one frame on each side, so every input sample is covered by a full set of frames.
    const size_t n = samples.size();
    std::vector<float> padded(n + 2 * kFrame, 0.0f);
    std::copy(samples.begin(), samples.end(), padded.begin() + kFrame);
    std::vector<double> output(padded.size(), 0.0), weight(padded.size(), 0.0);

    Eigen::FFT<float> fft;
    fft.SetFlag(Eigen::FFT<float>::HalfSpectrum);
    std::vector<float> frame(kFrame), envelope;
    std::vector<std::complex<float>> spectrum;
    for (size_t start = 0; start + kFrame <= padded.size(); start += kHop) {
        for (int i = 0; i < kFrame; ++i) frame[i] = padded[start + i] * window[i];
        fft.fwd(spectrum, frame);
        if (log_envelope(fft, spectrum, envelope)) move_envelope(spectrum, envelope, factor);  // silent frames pass as they are
        fft.inv(frame, spectrum, kFrame);
        // Weighted overlap-add: dividing by the summed squared windows makes an unchanged spectrum
        // come back exactly.
        for (int i = 0; i < kFrame; ++i) {
            output[start + i] += static_cast<double>(frame[i]) * window[i];
            weight[start + i] += static_cast<double>(window[i]) * window[i];
        }
    }
    std::vector<float> shifted(n);
    for (size_t i = 0; i < n; ++i) {
        const double w = weight[i + kFrame];
        shifted[i] = static_cast<float>(w > 1e-6 ? output[i + kFrame] / w : 0.0);
    }
    return shifted;
}

}  // namespace rwkvt::data::augment
