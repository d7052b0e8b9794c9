// How each TTS engine is driven: command lines, batching, and which prosody controls it has.
#pragma once

#include <string>
#include <vector>

#include "rwkvt/data/synth.hpp"

namespace rwkvt::data::synth {

// One utterance for an engine. `tempo` > 1 is faster speech, `pitch` > 1 higher.
struct RenderJob {
    std::string text;
    double tempo = 1.0, pitch = 1.0;
    std::string raw_wav;  // where the engine writes its output (its own sample rate)
};

// Pitch the converter must still apply by resampling ("pretend the rate was pitch x rate"), which
// also speeds the audio up by the same factor. 1 for engines with a native pitch control.
double resample_pitch(const Voice& voice, const RenderJob& job);

// Utterances per engine process: festival (~0.3 s to load a voice) renders many from one Scheme
// script and RHVoice (~0.13 s) many through rwkvt-rhvoice where the build has it; the others start
// in milliseconds and run one per process.
int batch_size(const Voice& voice);

// Renders the jobs (all for `voice`) into their raw_wav files; `scratch` is a private folder for
// text and script files. Returns one message per job: "" on success, else why it failed.
std::vector<std::string> render_batch(const Voice& voice, const std::vector<RenderJob>& jobs, const std::string& scratch);

}  // namespace rwkvt::data::synth
