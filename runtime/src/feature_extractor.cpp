#include "feature_extractor.hpp"

#include "frontend_tables.hpp"
#include "kernels.hpp"

namespace rwkvt::rt {

void FeatureExtractor::accept(const float* samples, size_t count) {
    pending_.insert(pending_.end(), samples, samples + count);
    samples_seen_ += static_cast<long>(count);
}

int FeatureExtractor::extract(const PackedModel& model, Floats& rows) {
    const int frames = frame_count(static_cast<long>(pending_.size()));
    if (frames == 0) return 0;
    const int mels = model.config.n_mels;
    const size_t old_size = rows.size();
    rows.resize(old_size + static_cast<size_t>(frames) * mels);
    kernels::log_mel(pending_.data(), pending_.size(), model, kernels::dense(rows.data() + old_size, mels, frames));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(frames) * kFrameShift);
    return frames;
}

}  // namespace rwkvt::rt
