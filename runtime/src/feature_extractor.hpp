// Streaming log-mel front end: keeps the samples that the next frame still needs and turns every
// complete 25 ms frame into a normalised feature row. Framing is causal, so a stream produces the
// same rows as the whole signal at once.
#pragma once

#include <vector>

#include "packed_model.hpp"

namespace rwkvt::rt {

class FeatureExtractor {
public:
    void accept(const float* samples_16k, size_t count);
    // Appends the rows of every newly complete frame to `rows` ([frames][n_mels]); returns how many.
    int extract(const PackedModel& model, Floats& rows);
    long samples_seen() const { return samples_seen_; }

private:
    Floats pending_;  // starts at the first sample of the next frame
    long samples_seen_ = 0;
};

}  // namespace rwkvt::rt
