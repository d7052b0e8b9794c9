// Engine output -> the data set's audio file: 16 kHz mono 16-bit FLAC or WAV, checked, written atomically.
#pragma once

#include <string>

namespace rwkvt::data::synth {

// Reads the engine's WAV, resamples it to 16 kHz as if its rate were `pitch_factor` times higher
// (shifting pitch and tempo together), checks it (not silent, duration plausible for `text`), and
// writes `out_path` via a temporary file and rename, so a killed run never leaves a partial file
// under the final name. Returns the exact duration in seconds; throws std::runtime_error on failure.
double convert_engine_output(const std::string& raw_wav, double pitch_factor, const std::string& text, const std::string& out_path);

}  // namespace rwkvt::data::synth
