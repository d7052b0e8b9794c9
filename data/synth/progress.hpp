// A one-line progress bar on stderr: utterances, hours of audio, elapsed time and ETA.
#pragma once

#include <chrono>
#include <mutex>

namespace rwkvt::data::synth {

class ProgressBar {
public:
    ProgressBar(long total_utterances, double total_hours_estimate, bool enabled);
    // Adds finished work and redraws at most ~5 times a second (and always at the end).
    void advance(long utterances, double audio_hours, double estimated_hours);
    void finish();

private:
    void draw(bool force);

    std::mutex mutex_;
    long total_, done_ = 0;
    double total_hours_, done_hours_ = 0.0, done_estimated_hours_ = 0.0;
    bool enabled_;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace rwkvt::data::synth
