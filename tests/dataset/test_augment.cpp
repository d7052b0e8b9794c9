// Augmentation: determinism per seed, achieved SNR, telephone band, speed factors, formant shifts,
// reverberation (against a direct convolution), SpecAugment masks.
#include <algorithm>
#include <cmath>
#include <vector>

#include <doctest/doctest.h>

#include "model/scratch.hpp"
#include "rwkvt/data/augment.hpp"

using namespace rwkvt::data::augment;

namespace {

std::vector<float> tone(double hz, size_t n, double amplitude = 0.3) {
    std::vector<float> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(amplitude * std::sin(2.0 * M_PI * hz * i / 16000.0));
    return x;
}

double power(const std::vector<float>& x) {
    double s = 0.0;
    for (float v : x) s += static_cast<double>(v) * v;
    return s / x.size();
}

// Power of the component at `hz` (Goertzel), i.e. how much of a tone survives.
double tone_power(const std::vector<float>& x, double hz) {
    const double w = 2.0 * M_PI * hz / 16000.0, c = 2.0 * std::cos(w);
    double s1 = 0.0, s2 = 0.0;
    for (float v : x) {
        const double s0 = v + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return (s1 * s1 + s2 * s2 - c * s1 * s2) / (static_cast<double>(x.size()) * x.size());
}

}  // namespace

TEST_CASE("the whole waveform pipeline is deterministic per seed and differs between seeds") {
    WaveformAugmentOptions o;
    o.noise_probability = o.reverb_probability = o.telephone_probability = 0.5;
    const std::vector<float> x = tone(440.0, 16000);
    int differing = 0;
    for (uint64_t seed = 1; seed <= 6; ++seed) {
        CHECK(augment_waveform(x, o, seed) == augment_waveform(x, o, seed));
        if (augment_waveform(x, o, seed) != augment_waveform(x, o, seed + 100)) ++differing;
    }
    CHECK(differing == 6);
    Rng a(7), b(7);
    for (int i = 0; i < 100; ++i) CHECK(a.next() == b.next());
}

TEST_CASE("a probability below one leaves that share of utterances clean and augments the rest as before") {
    WaveformAugmentOptions always;
    always.noise_probability = 1.0;  // every augmented utterance differs from its input
    WaveformAugmentOptions some = always;
    some.probability = 0.3;
    WaveformAugmentOptions never = always;
    never.probability = 0.0;
    const std::vector<float> x = tone(440.0, 1600);
    const uint64_t first = rwkvt::test::fresh_seed();
    const int n = 2000;
    int augmented = 0;
    for (uint64_t seed = first; seed < first + n; ++seed) {
        const std::vector<float> y = augment_waveform(x, some, seed);
        if (y == x) continue;
        ++augmented;
        if (augmented <= 20) CHECK(y == augment_waveform(x, always, seed));  // the same effects as with probability 1
    }
    // Binomial(2000, 0.3): mean 600, standard deviation 20.5; +-100 is nearly five deviations.
    CHECK(augmented > 500);
    CHECK(augmented < 700);
    CHECK(augment_waveform(x, never, first) == x);
}

TEST_CASE("noise is mixed at the requested SNR within 0.5 dB, for every colour") {
    for (NoiseColor color : {NoiseColor::white, NoiseColor::pink, NoiseColor::brown}) {
        for (double snr : {0.0, 10.0, 25.0}) {
            const std::vector<float> clean = tone(300.0, 32000);
            std::vector<float> noisy = clean;
            Rng rng(42);
            add_noise(noisy, make_noise(color, 20000, rng), snr);  // shorter noise is tiled
            std::vector<float> added(noisy.size());
            for (size_t i = 0; i < noisy.size(); ++i) added[i] = noisy[i] - clean[i];
            const double achieved = 10.0 * std::log10(power(clean) / power(added));
            CHECK(std::fabs(achieved - snr) < 0.5);
        }
    }
    // At unit power, redder noise has less high-frequency power, i.e. smaller sample-to-sample steps.
    Rng rng(3);
    auto step_power = [](const std::vector<float>& x) {
        double s = 0.0;
        for (size_t i = 1; i < x.size(); ++i) s += (x[i] - x[i - 1]) * static_cast<double>(x[i] - x[i - 1]);
        return s / x.size();
    };
    const double white = step_power(make_noise(NoiseColor::white, 64000, rng));
    const double pink = step_power(make_noise(NoiseColor::pink, 64000, rng));
    const double brown = step_power(make_noise(NoiseColor::brown, 64000, rng));
    CHECK(white == doctest::Approx(2.0).epsilon(0.05));
    CHECK(pink < 0.8 * white);
    CHECK(brown < 0.1 * pink);
}

TEST_CASE("telephone band-limiting removes the energy above 4 kHz and keeps the speech band") {
    std::vector<float> x = tone(1000.0, 16000, 0.2), high = tone(5500.0, 16000, 0.2), low = tone(100.0, 16000, 0.2);
    for (size_t i = 0; i < x.size(); ++i) x[i] += high[i] + low[i];
    const std::vector<float> y = telephone_band(x);
    REQUIRE(y.size() == x.size());
    CHECK(tone_power(y, 5500.0) < 1e-4 * tone_power(x, 5500.0));    // > 40 dB down
    CHECK(tone_power(y, 1000.0) > 0.7 * tone_power(x, 1000.0));     // pass band kept
    CHECK(tone_power(y, 100.0) < 0.05 * tone_power(x, 100.0));      // below 300 Hz cut
}

TEST_CASE("speed perturbation changes the duration by the factor") {
    const std::vector<float> x = tone(200.0, 16000);
    for (double f : {0.9, 1.0, 1.1}) {
        const std::vector<float> y = speed_perturb(x, f);
        CHECK(std::fabs(static_cast<double>(y.size()) - 16000.0 / f) <= 2.0);
    }
    CHECK_THROWS(speed_perturb(x, 3.0));
}

namespace {

// A vowel-like sound: a 125 Hz impulse train (harmonics every 125 Hz) through one resonance
// (a formant) at `formant_hz` with a 100 Hz bandwidth.
std::vector<float> vowel(double formant_hz, size_t n) {
    const double r = std::exp(-M_PI * 100.0 / 16000.0), theta = 2.0 * M_PI * formant_hz / 16000.0;
    const double a1 = 2.0 * r * std::cos(theta), a2 = -r * r;
    std::vector<float> y(n);
    double y1 = 0.0, y2 = 0.0;
    for (size_t i = 0; i < n; ++i) {
        const double excitation = i % 128 == 0 ? 0.05 : 0.0;
        const double v = excitation + a1 * y1 + a2 * y2;
        y2 = y1;
        y1 = v;
        y[i] = static_cast<float>(v);
    }
    return y;
}

// The harmonic (multiple of 125 Hz, up to 4 kHz) with the most power: where the formant sits.
double strongest_harmonic(const std::vector<float>& x) {
    double best = 0.0, best_hz = 0.0;
    for (int h = 1; h <= 32; ++h) {
        const double p = tone_power(x, 125.0 * h);
        if (p > best) best = p, best_hz = 125.0 * h;
    }
    return best_hz;
}

}  // namespace

TEST_CASE("formant shift moves the resonance by the factor and keeps the pitch and the length") {
    const std::vector<float> x = vowel(1000.0, 16000);
    REQUIRE(strongest_harmonic(x) == 1000.0);
    for (double factor : {0.85, 1.2, 1.35}) {
        CAPTURE(factor);
        const std::vector<float> y = formant_shift(x, factor);
        REQUIRE(y.size() == x.size());
        // The formant moved to within one harmonic of 1000 * factor...
        CHECK(std::fabs(strongest_harmonic(y) - 1000.0 * factor) <= 125.0);
        // ...while the energy stays on the 125 Hz harmonics (resampling would have moved them too).
        double on = 0.0, between = 0.0;
        for (int h = 1; h <= 24; ++h) on += tone_power(y, 125.0 * h), between += tone_power(y, 125.0 * (h + 0.5));
        CHECK(on > 20.0 * between);
    }
    CHECK(formant_shift(x, 1.0) == x);
    CHECK_THROWS(formant_shift(x, 1.5));
    CHECK_THROWS(formant_shift(x, 0.6));
    CHECK(formant_shift({}, 1.1).empty());
}

TEST_CASE("formant shift by a factor of almost one gives the input back (the overlap-add is exact)") {
    rwkvt::data::augment::Rng rng(11);
    std::vector<float> x(5000);  // not a multiple of the hop, and shorter than a second
    for (float& v : x) v = static_cast<float>(0.2 * rng.normal());
    const std::vector<float> y = formant_shift(x, 1.0 + 1e-7);
    REQUIRE(y.size() == x.size());
    double error = 0.0;
    for (size_t i = 0; i < x.size(); ++i) error = std::max(error, static_cast<double>(std::fabs(y[i] - x[i])));
    CHECK(error < 1e-4);
}

TEST_CASE("the pipeline shifts formants for the configured share and leaves other parameters as they were") {
    const std::vector<float> x = vowel(1000.0, 16000);
    WaveformAugmentOptions plain;
    plain.speeds = {1.0};
    plain.noise_probability = plain.reverb_probability = plain.telephone_probability = 0.0;
    plain.gain_min_db = plain.gain_max_db = 0.0;
    WaveformAugmentOptions shifting = plain;
    shifting.formant_probability = 1.0;
    shifting.formant_min = shifting.formant_max = 1.2;
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        CHECK(augment_waveform(x, plain, seed) == x);
        const std::vector<float> y = augment_waveform(x, shifting, seed);
        CHECK(std::fabs(strongest_harmonic(y) - 1200.0) <= 125.0);
    }
}

TEST_CASE("reverberation keeps the length and spreads an impulse over the decay time") {
    Rng rng(5);
    const std::vector<float> h = make_impulse_response(0.5, 16000, rng);
    CHECK(h.size() == 8001);
    double energy = 0.0;
    for (float v : h) energy += static_cast<double>(v) * v;
    CHECK(energy == doctest::Approx(1.0).epsilon(1e-4));
    std::vector<float> impulse(16000, 0.0f);
    impulse[100] = 1.0f;
    const std::vector<float> y = convolve_same_length(impulse, h);
    REQUIRE(y.size() == impulse.size());
    for (size_t i = 0; i < 1000; ++i) CHECK(y[100 + i] == doctest::Approx(h[i]).epsilon(1e-4));
}

TEST_CASE("the FFT convolution equals a direct convolution cut to the input's length") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    Rng rng(seed);
    for (const auto& [length, taps] : std::vector<std::pair<size_t, size_t>>{{3001, 701}, {513, 1200}, {1, 1}, {64, 1}}) {
        CAPTURE(length);
        CAPTURE(taps);
        std::vector<float> x(length), h(taps);
        for (float& v : x) v = static_cast<float>(rng.normal());
        for (float& v : h) v = static_cast<float>(rng.normal() * 0.1);
        const std::vector<float> y = convolve_same_length(x, h);
        REQUIRE(y.size() == length);
        double worst = 0.0, largest = 0.0;
        for (size_t i = 0; i < length; ++i) {
            double direct = 0.0;
            for (size_t j = 0; j <= std::min(i, taps - 1); ++j) direct += static_cast<double>(x[i - j]) * h[j];
            worst = std::max(worst, std::fabs(direct - y[i]));
            largest = std::max(largest, std::fabs(direct));
        }
        CHECK(worst <= 1e-5 * std::max(largest, 1.0));
    }
}

TEST_CASE("SpecAugment masks have the configured sizes and fill value, deterministically") {
    const int frames = 200, bins = 80;
    SpecAugmentOptions o;
    o.frequency_masks = 2;
    o.max_frequency_width = 27;
    o.time_masks = 3;
    o.max_time_width = 40;
    o.max_time_fraction = 0.1;  // 200 frames: time masks at most 20 wide
    o.fill = -5.0f;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        std::vector<float> f(static_cast<size_t>(frames) * bins, 1.0f), g = f;
        const std::vector<Mask> masks = spec_augment(f.data(), frames, bins, o, seed);
        CHECK(spec_augment(g.data(), frames, bins, o, seed).size() == masks.size());
        CHECK(f == g);
        REQUIRE(masks.size() == 5);
        std::vector<bool> masked(f.size(), false);
        for (const Mask& m : masks) {
            CHECK(m.width >= 0);
            CHECK(m.width <= (m.time ? 20 : 27));
            CHECK(m.start + m.width <= (m.time ? frames : bins));
            for (int t = 0; t < frames; ++t)
                for (int b = 0; b < bins; ++b)
                    if (m.time ? (t >= m.start && t < m.start + m.width) : (b >= m.start && b < m.start + m.width))
                        masked[static_cast<size_t>(t) * bins + b] = true;
        }
        for (size_t i = 0; i < f.size(); ++i) CHECK(f[i] == (masked[i] ? -5.0f : 1.0f));
    }
}
