// On-the-fly data augmentation for training: waveform effects on 16 kHz mono float audio and
// SpecAugment on feature matrices. Everything random draws from an explicit Rng, so the same seed
// always gives the same augmented utterance (reproducible runs, and a worker can re-derive an
// utterance's augmentation from (epoch, index) without storing it).
#pragma once

#include <cstdint>
#include <vector>

namespace rwkvt::data::augment {

// A small, fully specified generator (splitmix64): unlike std:: distributions, its numbers are the
// same with every standard library, so a seed means the same augmentation everywhere.
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next();
    double uniform();                        // [0, 1)
    double uniform(double low, double high); // [low, high)
    int integer(int low, int high);          // [low, high], inclusive
    double normal();                         // standard normal (Box-Muller)
    bool chance(double probability) { return uniform() < probability; }

private:
    uint64_t state_;
};

// --- waveform effects (16 kHz mono float) ---

// Speed perturbation by resampling: plays the audio `factor` times faster, so the duration becomes
// duration / factor and the pitch moves by the same factor (as Kaldi's speed perturbation).
std::vector<float> speed_perturb(const std::vector<float>& samples, double factor);

// Formant shift: moves the spectral envelope (the vocal tract's resonances) by `factor` along the
// frequency axis and keeps the pitch and the duration, as a speaker with a vocal tract 1 / factor
// times as long would sound (0.87-1.15 spans adult men to women). Short-time spectra (32 ms Hann
// windows, 75% overlap), the envelope by linear prediction, overlap-added back; same length as the
// input. `factor` must be in [0.7, 1.4].
std::vector<float> formant_shift(const std::vector<float>& samples_16k, double factor);

enum class NoiseColor { white, pink, brown };
// Zero-mean noise with unit RMS and the spectral slope of its colour (0, -3, -6 dB per octave).
std::vector<float> make_noise(NoiseColor color, size_t count, Rng& rng);
// Babble: the sum of several speech recordings (each tiled/cut to `count` samples, starting at a random
// offset), normalised to unit RMS. Needs at least one non-empty recording.
std::vector<float> make_babble(const std::vector<std::vector<float>>& speech, size_t count, Rng& rng);
// Adds `noise` (tiled if shorter) scaled so that the signal-to-noise ratio is exactly `snr_db`.
// Silent input is left unchanged.
void add_noise(std::vector<float>& samples, const std::vector<float>& noise, double snr_db);

// A synthetic room: a direct path then exponentially decaying Gaussian noise whose energy falls by
// 60 dB in `rt60_s` seconds, normalised to unit energy. `rate` in Hz.
std::vector<float> make_impulse_response(double rt60_s, int rate, Rng& rng);
// Full linear convolution (FFT), cut to the input's length so the transcript's timing is kept.
std::vector<float> convolve_same_length(const std::vector<float>& samples, const std::vector<float>& impulse_response);

// The telephone path: down to 8 kHz, band-pass 300-3400 Hz (4th-order Butterworth high- and
// low-pass), back up to 16 kHz. Removes everything above 4 kHz, as real narrow-band calls do.
std::vector<float> telephone_band(const std::vector<float>& samples_16k);

void apply_gain_db(std::vector<float>& samples, double gain_db);

// --- the waveform pipeline the trainer calls ---

struct WaveformAugmentOptions {
    double probability = 1.0;  // share of utterances augmented at all; the others pass through unchanged
    std::vector<double> speeds = {0.9, 1.0, 1.1};  // one chosen uniformly; empty = no speed change
    double noise_probability = 0.5;
    double snr_min_db = 5.0, snr_max_db = 30.0;
    double reverb_probability = 0.3;
    double rt60_min_s = 0.15, rt60_max_s = 0.7;
    double telephone_probability = 0.1;
    double gain_min_db = -6.0, gain_max_db = 6.0;
    double formant_probability = 0.0;  // a formant shift, factor uniform in [formant_min, formant_max]
    double formant_min = 0.87, formant_max = 1.15;
};

// Formant shift, speed, reverberation, telephone band, noise, gain, in that order (the speaker, then
// the room, the channel and the noise, as sound travels), then scaled down if any sample would clip,
// for a `probability` share of seeds; other seeds return the samples as they are. Deterministic for
// `seed`.
std::vector<float> augment_waveform(const std::vector<float>& samples_16k, const WaveformAugmentOptions& options, uint64_t seed);

// --- SpecAugment on features ---

struct SpecAugmentOptions {
    int frequency_masks = 2;
    int max_frequency_width = 27;  // bins
    int time_masks = 2;
    int max_time_width = 40;       // frames
    double max_time_fraction = 0.2;  // a time mask never covers more than this share of the frames
    float fill = 0.0f;             // value written into masked cells (0 = the mean of normalised features)
};

struct Mask {
    bool time = false;  // true: frames [start, start + width); false: bins [start, start + width)
    int start = 0, width = 0;
};

// Masks a row-major [frames x bins] matrix in place and returns the masks it applied (widths drawn
// uniformly from 0..max, so some masks may be empty). Deterministic for `seed`.
std::vector<Mask> spec_augment(float* features, int frames, int bins, const SpecAugmentOptions& options, uint64_t seed);

}  // namespace rwkvt::data::augment
