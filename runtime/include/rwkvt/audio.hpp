// Reading audio files into what the front end wants (spec section 1): 16 kHz mono float PCM.
#pragma once

#include <string>
#include <vector>

namespace rwkvt {

struct Audio {
    std::vector<float> samples;  // mono, in [-1, 1] for integer sources
    int sample_rate = 0;
};

// Reads any format libsndfile reads (WAV, FLAC, OGG/Vorbis, ...), averages the channels to mono and
// resamples to 16 kHz. Throws a one-line std::runtime_error naming the file for a missing file, an
// unreadable/corrupt/unsupported format, empty audio, an absurd sample rate or channel count, and
// read errors or truncation (fewer frames than the header promises).
std::vector<float> load_audio_16k_mono(const std::string& path);

// The same without resampling: mono samples at the file's own rate.
Audio load_audio_mono(const std::string& path);

// How hard the sinc resampler works. `medium` (about 121 dB SNR, 90% bandwidth) is for audio being
// transcribed; `fast` (about 97 dB SNR, 80% bandwidth, still far past what 80 mel bins over 0-8 kHz
// resolve) is for bulk work such as rendering and augmenting training audio, where it is several
// times cheaper.
enum class ResampleQuality { medium, fast };

// Band-limited resampling (libsamplerate, sinc). from_rate == to_rate returns the input unchanged.
// Throws std::runtime_error for rates outside [1 Hz, 10 MHz] or a ratio beyond libsamplerate's 256.
std::vector<float> resample(const std::vector<float>& samples, int from_rate, int to_rate,
                            ResampleQuality quality = ResampleQuality::medium);

}  // namespace rwkvt
