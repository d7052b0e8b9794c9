// The trainer's log-mel front end against the spec's reference implementation.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "fast_log_mel.hpp"
#include "reference/reference.hpp"

TEST_CASE("fast log-mel equals the reference front end") {
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.0f, 0.1f);
    std::vector<float> samples(16000 / 2 + 123);
    for (size_t i = 0; i < samples.size(); ++i)
        samples[i] = 0.3f * std::sin(0.05f * static_cast<float>(i)) + noise(rng) * (i > 4000 ? 1.0f : 0.01f);
    for (size_t i = 0; i < 800; ++i) samples[i] = 0.0f;  // digital silence hits the log floor
    const rwkvt::ref::Mat expected = rwkvt::ref::log_mel(samples, 80);
    int frames = 0;
    const std::vector<float> got = rwkvt::train::FastLogMel(80).compute(samples, frames);
    REQUIRE(frames == expected.rows());
    double worst = 0;
    for (int t = 0; t < frames; ++t)
        for (int m = 0; m < 80; ++m) worst = std::max(worst, static_cast<double>(std::fabs(got[t * 80 + m] - expected(t, m))));
    CHECK(worst < 1e-4);
    int none = -1;
    CHECK(rwkvt::train::FastLogMel(80).compute(std::vector<float>(399), none).empty());
    CHECK(none == 0);
}
