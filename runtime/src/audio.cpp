#include "rwkvt/audio.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <samplerate.h>
#include <sndfile.h>
#include <sys/stat.h>

namespace rwkvt {

namespace {

constexpr int kTargetRate = 16000;
// Rates below 1 kHz or above 768 kHz (the highest rate any common format uses) are corrupt headers,
// not audio. Between 1 and 8 kHz it is audio, but with less than the telephone band (up to 4 kHz)
// of speech: the recognizer would only guess, so such files are refused as live input is.
constexpr int kMinRate = 1000;
constexpr int kMinSpeechRate = 8000;
constexpr int kMaxRate = 768000;
constexpr int kMaxChannels = 256;
// 2^31 samples (8 GiB of floats) is far beyond any utterance; larger counts are corrupt headers.
constexpr sf_count_t kMaxSamples = sf_count_t(1) << 31;

std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    std::replace(s.begin(), s.end(), '\r', ' ');
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::runtime_error(one_line("audio file '" + path + "': " + problem));
}

struct SoundFile {
    SNDFILE* handle = nullptr;
    ~SoundFile() {
        if (handle) sf_close(handle);
    }
};

// libsndfile quietly shortens a WAV/AIFF whose data chunk promises more bytes than the file holds
// (a copy or download cut short) and reports the shorter length in SF_INFO.frames, so the frame
// count alone cannot reveal the truncation. Its header log can: it records the declared chunk size
// as "data : 32000 (should be 16000)" (WAV) or "SSND : ..." (AIFF). Returns that line, or "".
// Streaming writers declare 0xFFFFFFFF ("length unknown"); that is not truncation.
std::string truncated_data_chunk(SNDFILE* file) {
    char log[8192] = {0};
    sf_command(file, SFC_GET_LOG_INFO, log, sizeof log - 1);
    const std::string text(log);
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.rfind("data : ", 0) != 0 && line.rfind("SSND : ", 0) != 0) continue;
        if (line.find("(should be ") == std::string::npos) continue;
        const unsigned long long declared = std::strtoull(line.c_str() + 7, nullptr, 10);
        if (declared == 0xFFFFFFFFull || declared == 0xFFFFFFFFFFFFFFFFull) continue;
        return line;
    }
    return "";
}

}  // namespace

Audio load_audio_mono(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail(path, "is a directory");

    SF_INFO info;
    std::memset(&info, 0, sizeof info);
    SoundFile file;
    file.handle = sf_open(path.c_str(), SFM_READ, &info);
    if (!file.handle) fail(path, std::string("cannot read (unsupported or corrupt): ") + sf_strerror(nullptr));

    if (info.channels < 1 || info.channels > kMaxChannels)
        fail(path, "absurd channel count " + std::to_string(info.channels));
    if (info.samplerate < kMinRate || info.samplerate > kMaxRate)
        fail(path, "absurd sample rate " + std::to_string(info.samplerate) + " Hz");
    if (info.samplerate < kMinSpeechRate)
        fail(path, "sample rate " + std::to_string(info.samplerate) + " Hz is below 8000 Hz: too little of speech's band to recognise");
    const std::string short_chunk = truncated_data_chunk(file.handle);
    if (!short_chunk.empty())
        fail(path, "truncated: the header declares more audio than the file holds (" + short_chunk + ")");
    if (info.frames <= 0) fail(path, "holds no audio (0 frames)");
    if (info.frames > kMaxSamples / info.channels)
        fail(path, "absurd length (" + std::to_string(info.frames) + " frames)");

    // Integer sources are scaled to [-1, 1) by libsndfile; float sources are passed through as
    // they are (SFC_SET_NORM_FLOAT is on by default).
    std::vector<float> interleaved(static_cast<size_t>(info.frames) * info.channels);
    sf_count_t read = 0;
    while (read < info.frames) {
        const sf_count_t n = sf_readf_float(file.handle, interleaved.data() + read * info.channels, info.frames - read);
        if (n <= 0) break;
        read += n;
    }
    if (read < info.frames) {
        const int error = sf_error(file.handle);
        fail(path, "truncated or unreadable: the header promises " + std::to_string(info.frames) +
                       " frames but only " + std::to_string(read) + " could be read" +
                       (error != SF_ERR_NO_ERROR ? std::string(" (") + sf_strerror(file.handle) + ")" : ""));
    }
    for (size_t i = 0; i < interleaved.size(); ++i)
        if (!std::isfinite(interleaved[i])) fail(path, "holds non-finite samples");

    Audio audio;
    audio.sample_rate = info.samplerate;
    audio.samples.resize(static_cast<size_t>(info.frames));
    const int channels = info.channels;
    for (size_t f = 0; f < audio.samples.size(); ++f) {
        // Average in double so many channels do not lose precision.
        double sum = 0.0;
        for (int ch = 0; ch < channels; ++ch) sum += interleaved[f * channels + ch];
        audio.samples[f] = static_cast<float>(sum / channels);
    }
    return audio;
}

std::vector<float> load_audio_16k_mono(const std::string& path) {
    Audio audio = load_audio_mono(path);
    try {
        return resample(audio.samples, audio.sample_rate, kTargetRate);
    } catch (const std::runtime_error& e) {
        fail(path, e.what());
    }
}

std::vector<float> resample(const std::vector<float>& samples, int from_rate, int to_rate, ResampleQuality quality) {
    if (from_rate < 1 || to_rate < 1 || from_rate > 10000000 || to_rate > 10000000)
        throw std::runtime_error("resample: sample rates " + std::to_string(from_rate) + " -> " +
                                 std::to_string(to_rate) + " Hz are out of range");
    if (from_rate == to_rate || samples.empty()) return samples;
    const double ratio = static_cast<double>(to_rate) / from_rate;
    if (!src_is_valid_ratio(ratio))
        throw std::runtime_error("resample: ratio " + std::to_string(to_rate) + "/" + std::to_string(from_rate) +
                                 " is beyond libsamplerate's range (1/256 to 256)");

    // Room for every output frame; src_simple reports how many it produced.
    std::vector<float> out(static_cast<size_t>(std::ceil(samples.size() * ratio)) + 16);
    SRC_DATA data;
    std::memset(&data, 0, sizeof data);
    data.data_in = samples.data();
    data.input_frames = static_cast<long>(samples.size());
    data.data_out = out.data();
    data.output_frames = static_cast<long>(out.size());
    data.src_ratio = ratio;
    // Medium-quality sinc is several times faster than SRC_SINC_BEST_QUALITY on long files, and the
    // best quality adds nothing the features can see.
    const int converter = quality == ResampleQuality::medium ? SRC_SINC_MEDIUM_QUALITY : SRC_SINC_FASTEST;
    const int error = src_simple(&data, converter, 1);
    if (error != 0) throw std::runtime_error(std::string("resample: ") + src_strerror(error));
    out.resize(static_cast<size_t>(data.output_frames_gen));
    return out;
}

}  // namespace rwkvt
