// SpecAugment (Park et al. 2019) without time warping: frequency and time masks on features.
#include <algorithm>
#include <stdexcept>

#include "rwkvt/data/augment.hpp"

namespace rwkvt::data::augment {

std::vector<Mask> spec_augment(float* features, int frames, int bins, const SpecAugmentOptions& o, uint64_t seed) {
    if (frames < 0 || bins < 0) throw std::runtime_error("spec_augment: negative matrix size");
    Rng rng(seed);
    std::vector<Mask> masks;
    for (int m = 0; m < o.frequency_masks && bins > 0; ++m) {
        const int width = rng.integer(0, std::min(o.max_frequency_width, bins));
        const int start = rng.integer(0, bins - width);
        for (int t = 0; t < frames; ++t) std::fill_n(features + static_cast<size_t>(t) * bins + start, width, o.fill);
        masks.push_back({false, start, width});
    }
    // Short utterances get proportionally narrower time masks, so a mask never hides most of one.
    const int max_time = std::min(o.max_time_width, static_cast<int>(o.max_time_fraction * frames));
    for (int m = 0; m < o.time_masks && frames > 0; ++m) {
        const int width = rng.integer(0, std::max(max_time, 0));
        const int start = rng.integer(0, frames - width);
        std::fill_n(features + static_cast<size_t>(start) * bins, static_cast<size_t>(width) * bins, o.fill);
        masks.push_back({true, start, width});
    }
    return masks;
}

}  // namespace rwkvt::data::augment
