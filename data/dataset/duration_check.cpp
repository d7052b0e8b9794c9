// Manifest durations against the audio files' headers.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <sndfile.h>

#include "rwkvt/data/duration_check.hpp"

namespace rwkvt::data {

double audio_file_duration(const std::string& path) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    if (!file) throw std::runtime_error("cannot open audio " + path + ": " + sf_strerror(nullptr));
    sf_close(file);
    if (info.samplerate <= 0) throw std::runtime_error("audio " + path + " has no sample rate");
    return static_cast<double>(info.frames) / info.samplerate;
}

std::vector<std::string> check_durations(const std::vector<Utterance>& utterances, double tolerance_s) {
    std::vector<std::string> problems;
    for (const Utterance& u : utterances) {
        try {
            const double actual = audio_file_duration(u.audio_filepath);
            if (std::fabs(actual - u.duration) > tolerance_s) {
                char message[128];
                std::snprintf(message, sizeof message, ": manifest says %.3f s, audio is %.3f s", u.duration, actual);
                problems.push_back(u.audio_filepath + message);
            }
        } catch (const std::exception& e) {
            problems.push_back(e.what());
        }
    }
    return problems;
}

}  // namespace rwkvt::data
