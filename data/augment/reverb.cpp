// Synthetic reverberation: an exponentially decaying noise impulse response, applied by FFT
// convolution (a direct convolution with a 0.5 s response would cost ~8000 multiplies per sample).
#include <cmath>
#include <complex>
#include <stdexcept>

#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

namespace {

using Complex = std::complex<double>;

// In-place iterative radix-2 FFT; `inverse` computes the unscaled inverse transform.
void fft(std::vector<Complex>& a, bool inverse) {
    const size_t n = a.size();
    for (size_t i = 1, j = 0; i < n; ++i) {  // bit-reversal permutation
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        const double angle = 2.0 * M_PI / static_cast<double>(len) * (inverse ? 1.0 : -1.0);
        const Complex step(std::cos(angle), std::sin(angle));
        for (size_t i = 0; i < n; i += len) {
            Complex w(1.0, 0.0);
            for (size_t k = 0; k < len / 2; ++k) {
                const Complex u = a[i + k], v = a[i + k + len / 2] * w;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
                w *= step;
            }
        }
    }
}

}  // namespace

std::vector<float> make_impulse_response(double rt60_s, int rate, Rng& rng) {
    if (!(rt60_s > 0.0 && rt60_s <= 5.0)) throw std::runtime_error("rt60 " + std::to_string(rt60_s) + " s is outside (0, 5]");
    // Long enough for the tail to fall 60 dB; beyond that it is inaudible under the direct sound.
    const size_t length = static_cast<size_t>(rt60_s * rate) + 1;
    std::vector<float> h(length);
    const double decay_per_sample = std::log(1000.0) / (rt60_s * rate);  // amplitude 1e-3 = -60 dB at rt60
    h[0] = 1.0f;
    // Early reflections start after a few milliseconds, as in a small room.
    const size_t predelay = static_cast<size_t>(0.003 * rate);
    for (size_t i = predelay + 1; i < length; ++i) h[i] = static_cast<float>(0.3 * rng.normal() * std::exp(-decay_per_sample * i));
    double energy = 0.0;
    for (float v : h) energy += static_cast<double>(v) * v;
    const double scale = 1.0 / std::sqrt(energy);
    for (float& v : h) v = static_cast<float>(v * scale);
    return h;
}

std::vector<float> convolve_same_length(const std::vector<float>& samples, const std::vector<float>& impulse_response) {
    if (samples.empty() || impulse_response.empty()) return samples;
    size_t n = 1;
    while (n < samples.size() + impulse_response.size() - 1) n <<= 1;
    std::vector<Complex> a(n), b(n);
    for (size_t i = 0; i < samples.size(); ++i) a[i] = samples[i];
    for (size_t i = 0; i < impulse_response.size(); ++i) b[i] = impulse_response[i];
    fft(a, false);
    fft(b, false);
    for (size_t i = 0; i < n; ++i) a[i] *= b[i];
    fft(a, true);
    std::vector<float> out(samples.size());
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(a[i].real() / static_cast<double>(n));
    return out;
}

}  // namespace rwkvt::data::augment
