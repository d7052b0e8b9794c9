// The narrow-band telephone channel: 8 kHz sampling and a 300-3400 Hz pass band.
#include <cmath>

#include "rwkvt/audio.hpp"
#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

namespace {

// One second-order section (RBJ audio-EQ cookbook), run in transposed direct form II.
struct Biquad {
    double b0, b1, b2, a1, a2;
    double z1 = 0.0, z2 = 0.0;

    static Biquad make(bool high_pass, double cutoff_hz, double rate, double q) {
        const double w = 2.0 * M_PI * cutoff_hz / rate, cw = std::cos(w), alpha = std::sin(w) / (2.0 * q);
        const double a0 = 1.0 + alpha;
        Biquad f{};
        if (high_pass) {
            f.b0 = (1.0 + cw) / 2.0 / a0;
            f.b1 = -(1.0 + cw) / a0;
        } else {
            f.b0 = (1.0 - cw) / 2.0 / a0;
            f.b1 = (1.0 - cw) / a0;
        }
        f.b2 = f.b0;
        f.a1 = -2.0 * cw / a0;
        f.a2 = (1.0 - alpha) / a0;
        return f;
    }

    double step(double x) {
        const double y = b0 * x + z1;
        z1 = b1 * x - a1 * y + z2;
        z2 = b2 * x - a2 * y;
        return y;
    }
};

}  // namespace

std::vector<float> telephone_band(const std::vector<float>& samples_16k) {
    std::vector<float> narrow = resample(samples_16k, 16000, 8000, ResampleQuality::fast);
    // A 4th-order Butterworth is two sections with these Qs (poles at 22.5 and 67.5 degrees).
    const double q1 = 0.5411961, q2 = 1.3065630;
    Biquad filters[4] = {Biquad::make(true, 300.0, 8000.0, q1), Biquad::make(true, 300.0, 8000.0, q2),
                         Biquad::make(false, 3400.0, 8000.0, q1), Biquad::make(false, 3400.0, 8000.0, q2)};
    for (float& v : narrow) {
        double y = v;
        for (Biquad& f : filters) y = f.step(y);
        v = static_cast<float>(y);
    }
    // libsamplerate's band-limited interpolation leaves nothing above the 4 kHz Nyquist of the 8 kHz path.
    std::vector<float> wide = resample(narrow, 8000, 16000, ResampleQuality::fast);
    wide.resize(samples_16k.size(), 0.0f);  // rounding in the two resamplings may differ by a sample
    return wide;
}

}  // namespace rwkvt::data::augment
