// rwkvt-rhvoice: renders a batch of sentences with one RHVoice engine, one WAV file each.
//
// RHVoice-test loads the voice anew for every utterance (~0.13 s, more than half the time of a
// typical sentence), so `rwkvt data synth` hands each worker's RHVoice sentences to this program in
// batches instead. It is a separate program so that rwkvt itself never links RHVoice, which comes
// from Debian's non-free section.
//
// Usage: rwkvt-rhvoice VOICE BATCH_FILE
// BATCH_FILE holds one utterance a line: TEMPO <tab> OUTPUT.wav <tab> TEXT, TEMPO being the speech
// rate factor (1 = the voice's own). Each output is 16-bit mono WAV at the voice's own rate. An
// utterance that fails leaves no file and a line on stderr; the rest still render. Exit status 0
// when the engine ran, 1 for unusable arguments or an engine that cannot start.
#include <RHVoice.h>
#include <sndfile.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Capture {
    int sample_rate = 0;
    std::vector<short> samples;
};

int on_sample_rate(int rate, void* user) {
    static_cast<Capture*>(user)->sample_rate = rate;
    return 1;
}

int on_speech(const short* samples, unsigned int count, void* user) {
    auto* capture = static_cast<Capture*>(user);
    capture->samples.insert(capture->samples.end(), samples, samples + count);
    return 1;
}

struct Line {
    double tempo = 1.0;
    std::string wav, text;
};

bool parse_line(const std::string& line, Line& out) {
    const size_t first = line.find('\t');
    const size_t second = first == std::string::npos ? first : line.find('\t', first + 1);
    if (second == std::string::npos) return false;
    try {
        out.tempo = std::stod(line.substr(0, first));
    } catch (const std::exception&) {
        return false;
    }
    out.wav = line.substr(first + 1, second - first - 1);
    out.text = line.substr(second + 1);
    return out.tempo > 0.25 && out.tempo < 4.0 && !out.wav.empty() && !out.text.empty();
}

bool write_wav(const std::string& path, const Capture& capture) {
    SF_INFO info{};
    info.samplerate = capture.sample_rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!file) return false;
    const sf_count_t written = sf_write_short(file, capture.samples.data(), static_cast<sf_count_t>(capture.samples.size()));
    return sf_close(file) == 0 && written == static_cast<sf_count_t>(capture.samples.size());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: rwkvt-rhvoice VOICE BATCH_FILE (lines: TEMPO<tab>OUTPUT.wav<tab>TEXT)\n");
        return 1;
    }
    const std::string voice = argv[1];
    std::ifstream batch(argv[2]);
    if (!batch) {
        std::fprintf(stderr, "rwkvt-rhvoice: error: cannot read %s\n", argv[2]);
        return 1;
    }

    Capture capture;
    RHVoice_init_params init{};
    init.data_path = "/usr/share/RHVoice";
    init.config_path = "/etc/RHVoice";
    init.callbacks.set_sample_rate = on_sample_rate;
    init.callbacks.play_speech = on_speech;
    init.options = 0;
    RHVoice_tts_engine engine = RHVoice_new_tts_engine(&init);
    if (!engine) {
        std::fprintf(stderr, "rwkvt-rhvoice: error: the RHVoice engine did not start (is rhvoice-english installed?)\n");
        return 1;
    }

    std::string text_line;
    for (long number = 1; std::getline(batch, text_line); ++number) {
        Line line;
        if (!parse_line(text_line, line)) {
            std::fprintf(stderr, "rwkvt-rhvoice: line %ld is not TEMPO<tab>OUTPUT.wav<tab>TEXT\n", number);
            continue;
        }
        RHVoice_synth_params params{};
        params.voice_profile = voice.c_str();
        params.absolute_rate = 0.0;
        params.absolute_pitch = 0.0;
        params.absolute_volume = 0.0;
        params.relative_rate = line.tempo;
        params.relative_pitch = 1.0;
        params.relative_volume = 1.0;
        params.punctuation_mode = RHVoice_punctuation_default;
        params.capitals_mode = RHVoice_capitals_default;
        params.flags = 0;
        capture.samples.clear();
        capture.sample_rate = 0;
        RHVoice_message message =
            RHVoice_new_message(engine, line.text.c_str(), static_cast<unsigned>(line.text.size()), RHVoice_message_text, &params, &capture);
        const bool spoken = message && RHVoice_speak(message) != 0;
        if (message) RHVoice_delete_message(message);
        if (!spoken || capture.sample_rate <= 0 || capture.samples.empty()) {
            std::fprintf(stderr, "rwkvt-rhvoice: line %ld: RHVoice produced no audio (voice \"%s\")\n", number, voice.c_str());
            continue;
        }
        if (!write_wav(line.wav, capture)) std::fprintf(stderr, "rwkvt-rhvoice: line %ld: cannot write %s\n", number, line.wav.c_str());
    }
    RHVoice_delete_tts_engine(engine);
    return 0;
}
