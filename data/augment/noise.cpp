// Generated noise (white, pink, brown), babble from speech, and mixing at a given SNR.
#include <cmath>
#include <stdexcept>

#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

namespace {

double mean_square(const std::vector<float>& x) {
    double sum = 0.0;
    for (float v : x) sum += static_cast<double>(v) * v;
    return x.empty() ? 0.0 : sum / x.size();
}

// Removes the mean and scales to unit RMS, so every colour is mixed by the same SNR arithmetic.
void normalise(std::vector<float>& x) {
    double mean = 0.0;
    for (float v : x) mean += v;
    mean /= std::max<size_t>(x.size(), 1);
    for (float& v : x) v = static_cast<float>(v - mean);
    const double rms = std::sqrt(mean_square(x));
    if (rms > 0.0)
        for (float& v : x) v = static_cast<float>(v / rms);
}

}  // namespace

std::vector<float> make_noise(NoiseColor color, size_t count, Rng& rng) {
    std::vector<float> out(count);
    switch (color) {
    case NoiseColor::white:
        for (float& v : out) v = static_cast<float>(rng.normal());
        break;
    case NoiseColor::pink: {
        // Paul Kellet's filter: a sum of first-order low-passes approximating a 1/f spectrum
        // (-3 dB/octave) to within ~0.05 dB above 9 Hz at 44.1 kHz, close enough at 16 kHz.
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        for (float& v : out) {
            const double w = rng.normal();
            b0 = 0.99886 * b0 + w * 0.0555179;
            b1 = 0.99332 * b1 + w * 0.0750759;
            b2 = 0.96900 * b2 + w * 0.1538520;
            b3 = 0.86650 * b3 + w * 0.3104856;
            b4 = 0.55000 * b4 + w * 0.5329522;
            b5 = -0.7616 * b5 - w * 0.0168980;
            v = static_cast<float>(b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
            b6 = w * 0.115926;
        }
        break;
    }
    case NoiseColor::brown: {
        // Integrated white noise (-6 dB/octave); the small leak keeps it from wandering off.
        double y = 0.0;
        for (float& v : out) {
            y = 0.998 * y + rng.normal();
            v = static_cast<float>(y);
        }
        break;
    }
    }
    normalise(out);
    return out;
}

std::vector<float> make_babble(const std::vector<std::vector<float>>& speech, size_t count, Rng& rng) {
    std::vector<float> out(count, 0.0f);
    bool any = false;
    for (const std::vector<float>& s : speech) {
        if (s.empty()) continue;
        any = true;
        size_t offset = static_cast<size_t>(rng.next() % s.size());
        for (size_t i = 0; i < count; ++i) out[i] += s[(offset + i) % s.size()];
    }
    if (!any) throw std::runtime_error("babble needs at least one non-empty speech recording");
    normalise(out);
    return out;
}

void add_noise(std::vector<float>& samples, const std::vector<float>& noise, double snr_db) {
    if (noise.empty()) throw std::runtime_error("add_noise: empty noise");
    const double signal_power = mean_square(samples);
    if (signal_power == 0.0) return;
    double noise_power = 0.0;
    for (size_t i = 0; i < samples.size(); ++i) {
        const double n = noise[i % noise.size()];
        noise_power += n * n;
    }
    noise_power /= samples.size();
    if (noise_power == 0.0) return;
    // Scale so that 10 log10(signal / (scale^2 noise)) == snr_db over exactly the mixed samples.
    const double scale = std::sqrt(signal_power / (noise_power * std::pow(10.0, snr_db / 10.0)));
    for (size_t i = 0; i < samples.size(); ++i) samples[i] += static_cast<float>(scale * noise[i % noise.size()]);
}

void apply_gain_db(std::vector<float>& samples, double gain_db) {
    const float g = static_cast<float>(std::pow(10.0, gain_db / 20.0));
    for (float& v : samples) v *= g;
}

}  // namespace rwkvt::data::augment
