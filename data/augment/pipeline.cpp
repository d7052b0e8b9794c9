// The waveform augmentation chain the trainer applies to each utterance.
#include <algorithm>
#include <cmath>

#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

std::vector<float> augment_waveform(const std::vector<float>& samples_16k, const WaveformAugmentOptions& o, uint64_t seed) {
    // Whether to augment at all comes from a generator of its own, so the effects' parameters for
    // a seed are the same whatever the probability.
    if (o.probability < 1.0 && !Rng(seed ^ 0x6175676d656e74ull).chance(o.probability)) return samples_16k;
    Rng rng(seed);
    // Every random choice is drawn whether or not its effect is applied, so toggling one effect's
    // probability does not reshuffle the others' parameters for the same seed.
    const double speed = o.speeds.empty() ? 1.0 : o.speeds[rng.integer(0, static_cast<int>(o.speeds.size()) - 1)];
    const bool reverb = rng.chance(o.reverb_probability);
    const double rt60 = rng.uniform(o.rt60_min_s, o.rt60_max_s);
    const uint64_t reverb_seed = rng.next();
    const bool telephone = rng.chance(o.telephone_probability);
    const bool noise = rng.chance(o.noise_probability);
    const double snr = rng.uniform(o.snr_min_db, o.snr_max_db);
    const auto color = static_cast<NoiseColor>(rng.integer(0, 2));
    const uint64_t noise_seed = rng.next();
    const double gain = rng.uniform(o.gain_min_db, o.gain_max_db);
    // Drawn last: options without formant shifts give every seed the parameters it had before.
    const bool formant = rng.chance(o.formant_probability);
    const double formant_factor = rng.uniform(o.formant_min, o.formant_max);

    std::vector<float> x = speed_perturb(formant ? formant_shift(samples_16k, formant_factor) : samples_16k, speed);
    if (reverb) {
        Rng r(reverb_seed);
        x = convolve_same_length(x, make_impulse_response(rt60, 16000, r));
    }
    if (telephone) x = telephone_band(x);
    if (noise) {
        Rng r(noise_seed);
        add_noise(x, make_noise(color, x.size(), r), snr);
    }
    apply_gain_db(x, gain);
    float peak = 0.0f;
    for (float v : x) peak = std::max(peak, std::fabs(v));
    if (peak > 1.0f)
        for (float& v : x) v /= peak;
    return x;
}

}  // namespace rwkvt::data::augment
