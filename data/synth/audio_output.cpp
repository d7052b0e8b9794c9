// Conversion, sanity checks and atomic writing of rendered utterances.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "audio_output.hpp"
#include "rwkvt/audio.hpp"

namespace rwkvt::data::synth {

namespace fs = std::filesystem;

double convert_engine_output(const std::string& raw_wav, double pitch_factor, const std::string& text, const std::string& out_path) {
    const Audio raw = load_audio_mono(raw_wav);
    const int pretend_rate = static_cast<int>(std::lround(raw.sample_rate * pitch_factor));
    std::vector<float> samples = resample(raw.samples, pretend_rate, 16000, ResampleQuality::fast);

    float peak = 0.0f;
    for (float v : samples) peak = std::max(peak, std::fabs(v));
    const double duration = static_cast<double>(samples.size()) / 16000.0;
    if (peak < 1e-3f) throw std::runtime_error("engine output is silent");
    // Speech runs at roughly 8-25 characters a second; far outside that the engine misread the text
    // or truncated its output. The bounds are generous to allow tempo changes and leading silence.
    const double chars_per_s = static_cast<double>(text.size()) / duration;
    if (duration < 0.2 || chars_per_s > 45.0 || (text.size() > 20 && chars_per_s < 2.0)) {
        char message[160];
        std::snprintf(message, sizeof message, "implausible duration %.2f s for %zu characters of text", duration, text.size());
        throw std::runtime_error(message);
    }
    if (peak > 1.0f)
        for (float& v : samples) v /= peak;

    fs::create_directories(fs::path(out_path).parent_path());
    const bool flac = fs::path(out_path).extension() == ".flac";
    SF_INFO info{};
    info.samplerate = 16000;
    info.channels = 1;
    info.format = (flac ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | SF_FORMAT_PCM_16;
    const std::string temporary = out_path + ".tmp";
    SNDFILE* file = sf_open(temporary.c_str(), SFM_WRITE, &info);
    if (!file) throw std::runtime_error("cannot write " + temporary + ": " + sf_strerror(nullptr));
    const sf_count_t written = sf_write_float(file, samples.data(), static_cast<sf_count_t>(samples.size()));
    const int close_error = sf_close(file);
    if (written != static_cast<sf_count_t>(samples.size()) || close_error != 0) {
        fs::remove(temporary);
        throw std::runtime_error("write error on " + temporary);
    }
    fs::rename(temporary, out_path);
    return duration;
}

}  // namespace rwkvt::data::synth
