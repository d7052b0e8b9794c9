// Speed perturbation: resample as if the audio had been recorded at 16000 * factor Hz.
#include <cmath>
#include <stdexcept>

#include "rwkvt/audio.hpp"
#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

std::vector<float> speed_perturb(const std::vector<float>& samples, double factor) {
    if (!(factor >= 0.5 && factor <= 2.0)) throw std::runtime_error("speed factor " + std::to_string(factor) + " is outside [0.5, 2]");
    if (factor == 1.0) return samples;
    // Reinterpreting the rate and resampling back to 16 kHz changes the sample count by 1/factor.
    const int pretend_rate = static_cast<int>(std::lround(16000.0 * factor));
    return resample(samples, pretend_rate, 16000, ResampleQuality::fast);
}

}  // namespace rwkvt::data::augment
