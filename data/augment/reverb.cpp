// Synthetic reverberation: an exponentially decaying noise impulse response, applied by FFT
// convolution (a direct convolution with a 0.5 s response would cost ~8000 multiplies per sample).
#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>

#include <unsupported/Eigen/FFT>

#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

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
    size_t n = 2;  // a power of two, at least 2: a half spectrum of one point has no inverse
    while (n < samples.size() + impulse_response.size() - 1) n <<= 1;
    // Real-input transforms (half spectra) of the zero-padded signal and response, their product,
    // and the inverse (Eigen's inverse divides by n).
    Eigen::FFT<float> fft;
    fft.SetFlag(Eigen::FFT<float>::HalfSpectrum);
    std::vector<float> a(n, 0.0f), b(n, 0.0f);
    std::copy(samples.begin(), samples.end(), a.begin());
    std::copy(impulse_response.begin(), impulse_response.end(), b.begin());
    std::vector<std::complex<float>> spectrum, response;
    fft.fwd(spectrum, a);
    fft.fwd(response, b);
    for (size_t i = 0; i < spectrum.size(); ++i) spectrum[i] *= response[i];
    fft.inv(a, spectrum, static_cast<Eigen::Index>(n));
    a.resize(samples.size());  // the same length: the transcript's timing is kept
    return a;
}

}  // namespace rwkvt::data::augment
