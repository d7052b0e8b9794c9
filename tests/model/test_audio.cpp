// Audio loading (runtime/include/rwkvt/audio.hpp): files written with libsndfile at several rates,
// formats and channel counts come back as 16 kHz mono with the same tone; bad files give errors.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include <sndfile.h>

#include "rwkvt/audio.hpp"
#include "scratch.hpp"

using rwkvt::test::read_bytes;
using rwkvt::test::write_bytes;

namespace {

// Writes interleaved float frames with libsndfile in `format` (SF_FORMAT_WAV | SF_FORMAT_PCM_16, ...).
void write_sound(const std::string& path, int format, int rate, int channels, const std::vector<float>& interleaved) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    REQUIRE_MESSAGE(file != nullptr, sf_strerror(nullptr));
    const sf_count_t frames = static_cast<sf_count_t>(interleaved.size() / channels);
    REQUIRE(sf_writef_float(file, interleaved.data(), frames) == frames);
    sf_close(file);
}


struct Tone {
    double frequency, amplitude, phase;
    double at(double seconds) const { return amplitude * std::sin(2 * M_PI * frequency * seconds + phase); }
};

// Correlation and least-squares gain of `got` against the tone sampled at 16 kHz, over the interior
// (the first and last 20 ms see the resampler's edges).
void check_matches_tone(const std::vector<float>& got, const Tone& tone) {
    const size_t edge = 320;
    REQUIRE(got.size() > 2 * edge + 1000);
    double gg = 0, ee = 0, ge = 0;
    for (size_t i = edge; i + edge < got.size(); ++i) {
        const double expected = tone.at(i / 16000.0);
        gg += got[i] * double(got[i]);
        ee += expected * expected;
        ge += got[i] * expected;
    }
    const double correlation = ge / std::sqrt(gg * ee);
    const double gain = ge / ee;
    CHECK(correlation > 0.99);
    CHECK(gain == doctest::Approx(1.0).epsilon(0.02));
}

void require_error(const std::string& path, const std::string& expected) {
    try {
        rwkvt::load_audio_16k_mono(path);
    } catch (const std::runtime_error& e) {
        rwkvt::test::check_one_line_error(e.what(), path, expected);
        return;
    }
    FAIL("load_audio_16k_mono accepted " << path);
}

}  // namespace

TEST_CASE("audio: WAV and FLAC at 8, 16 and 44.1 kHz, mono and stereo, come back as the 16 kHz tone") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    rwkvt::test::ScratchDir dir;
    const std::pair<std::string, int> formats[] = {{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16},
                                                   {"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16},
                                                   {"f32.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT},
                                                   {"ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS}};
    for (const auto& [extension, format] : formats) {
        for (int rate : {8000, 16000, 44100}) {
            for (int channels : {1, 2}) {
                // Below 3.5 kHz so the 8 kHz file can hold it; random everything else.
                const Tone tone{100 + 3400 * unit(rng), 0.2 + 0.6 * unit(rng), 2 * M_PI * unit(rng)};
                const Tone other{100 + 3400 * unit(rng), 0.1, 0.0};
                const double seconds = 0.5 + unit(rng);
                const size_t frames = static_cast<size_t>(seconds * rate);
                INFO(extension << " " << rate << " Hz, " << channels << " channel(s), tone " << tone.frequency << " Hz");
                std::vector<float> interleaved(frames * channels);
                for (size_t f = 0; f < frames; ++f) {
                    const double s = tone.at(static_cast<double>(f) / rate);
                    if (channels == 1) {
                        interleaved[f] = static_cast<float>(s);
                    } else {  // a second tone that cancels in the channel average
                        const double d = other.at(static_cast<double>(f) / rate);
                        interleaved[2 * f] = static_cast<float>(s + d);
                        interleaved[2 * f + 1] = static_cast<float>(s - d);
                    }
                }
                const std::string path = dir.file("tone" + std::to_string(rate) + "_" + std::to_string(channels) + "." + extension);
                write_sound(path, format, rate, channels, interleaved);

                const std::vector<float> got = rwkvt::load_audio_16k_mono(path);
                const double expected_length = frames * 16000.0 / rate;
                CHECK(std::fabs(got.size() - expected_length) <= 2.0);
                check_matches_tone(got, tone);

                const rwkvt::Audio native = rwkvt::load_audio_mono(path);
                CHECK(native.sample_rate == rate);
                CHECK(native.samples.size() == frames);
            }
        }
    }
}

TEST_CASE("audio: resample") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.3f);
    std::vector<float> noise(4000);
    for (float& x : noise) x = normal(rng);
    CHECK(rwkvt::resample(noise, 16000, 16000) == noise);  // same rate: untouched
    CHECK(rwkvt::resample({}, 8000, 16000).empty());
    CHECK(rwkvt::resample(noise, 8000, 16000).size() == 8000);
    CHECK(rwkvt::resample(noise, 48000, 16000).size() == doctest::Approx(4000 / 3.0).epsilon(0.002));
    CHECK_THROWS_AS(rwkvt::resample(noise, 0, 16000), std::runtime_error);
    CHECK_THROWS_AS(rwkvt::resample(noise, 16000, -1), std::runtime_error);
    CHECK_THROWS_AS(rwkvt::resample(noise, 1, 16000), std::runtime_error);  // ratio 16000 > 256
    // A tone at 22.05 kHz -> 16 kHz keeps its frequency and amplitude.
    const Tone tone{1000 + 2000 * std::uniform_real_distribution<double>(0, 1)(rng), 0.5, 0.3};
    std::vector<float> in(22050);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(tone.at(i / 22050.0));
    check_matches_tone(rwkvt::resample(in, 22050, 16000), tone);
    check_matches_tone(rwkvt::resample(in, 22050, 16000, rwkvt::ResampleQuality::fast), tone);
}

TEST_CASE("audio: missing, empty, corrupt and truncated files") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    rwkvt::test::ScratchDir dir;

    require_error(dir.file("missing.wav"), "No such file");
    require_error(dir.path(), "directory");

    const std::string empty = dir.file("empty.wav");
    write_bytes(empty, "");
    require_error(empty, "cannot read");

    std::string garbage(5000, '\0');
    for (char& c : garbage) c = static_cast<char>(rng());
    const std::string noise = dir.file("garbage.wav");
    write_bytes(noise, garbage);
    require_error(noise, "cannot read");

    // A valid WAV with no frames.
    const std::string silent = dir.file("no_frames.wav");
    write_sound(silent, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, {});
    require_error(silent, "no audio");

    // An absurd sample rate in an otherwise valid WAV header (bytes 24-27).
    std::vector<float> samples(1600);
    for (float& s : samples) s = std::uniform_real_distribution<float>(-0.5f, 0.5f)(rng);
    const std::string good = dir.file("good.wav");
    write_sound(good, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, samples);
    std::string bytes = read_bytes(good);
    REQUIRE(bytes.compare(0, 4, "RIFF") == 0);
    std::string absurd = bytes;
    absurd[24] = '\x05';
    absurd[25] = absurd[26] = absurd[27] = '\0';  // 5 Hz
    const std::string slow = dir.file("five_hz.wav");
    write_bytes(slow, absurd);
    require_error(slow, "absurd sample rate");

    // Real audio, but narrower than the telephone band: refused rather than guessed at.
    const std::string narrow = dir.file("four_khz.wav");
    write_sound(narrow, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 4000, 1, samples);
    require_error(narrow, "below 8000 Hz");

    // A FLAC file cut in the middle of its frames: the header promises more than can be decoded.
    const std::string flac = dir.file("cut.flac");
    std::vector<float> long_noise(48000);
    for (float& s : long_noise) s = std::uniform_real_distribution<float>(-0.5f, 0.5f)(rng);
    write_sound(flac, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, long_noise);
    const std::string flac_bytes = read_bytes(flac);
    write_bytes(flac, flac_bytes.substr(0, flac_bytes.size() / 2));
    require_error(flac, "truncated");

    // A WAV cut in its data chunk: the RIFF header promises more frames than the file holds.
    const std::string cut_wav = dir.file("cut.wav");
    write_bytes(cut_wav, bytes.substr(0, bytes.size() / 2));
    require_error(cut_wav, "truncated");

    // But a streamed WAV that declares its length unknown (0xFFFFFFFF) is fine.
    std::string streamed = bytes;
    const size_t data_chunk = streamed.find("data");
    REQUIRE(data_chunk != std::string::npos);
    for (int i = 0; i < 4; ++i) streamed[4 + i] = streamed[data_chunk + 4 + i] = '\xff';
    const std::string stream_path = dir.file("streamed.wav");
    write_bytes(stream_path, streamed);
    CHECK(rwkvt::load_audio_16k_mono(stream_path).size() == samples.size());
}
