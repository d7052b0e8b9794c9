// Synthetic speech for training and evaluation: sentences rendered by Debian's TTS engines (run as
// external processes), converted to 16 kHz mono 16-bit files, with a JSONL manifest.
//
// Voices are named ENGINE:VOICE — espeak:en-us, espeak:en-gb+f3, flite:slt, festival:kal_diphone,
// pico:en-US, rhvoice:alan — and two presets expand to lists: "train" (the training mix) and
// "reserved" (voices kept for evaluation only).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rwkvt::data::synth {

enum class Engine { espeak, flite, festival, pico, rhvoice };

struct Voice {
    std::string name;     // "flite:slt": also the manifest's "speaker"
    Engine engine;
    std::string id;       // the engine's own name for the voice ("slt")
    double weight = 1.0;  // share of utterances in a mix (relative)
};

// Parses one ENGINE:VOICE name. Throws std::runtime_error for an unknown engine or a voice whose
// licence forbids commercial use (MBROLA, RHVoice evgeniy-eng and lyubov).
Voice parse_voice(const std::string& name);

// Comma-separated names and presets ("train", "reserved"), duplicates removed, order kept.
std::vector<Voice> expand_voices(const std::string& list);
std::vector<Voice> training_voices();
std::vector<Voice> reserved_voices();

// "" when the voice can be rendered here; otherwise what is missing and which Debian package
// provides it ("flite:awb needs the flite program: install the Debian package flite").
std::string missing_requirement(const Voice& voice);

struct SynthOptions {
    std::string text_path;     // one normalised sentence per line
    std::string voices = "train";
    double hours = 0.0;        // estimated hours to render; 0 = every line once
    std::string out_dir;
    int jobs = 0;              // parallel engine processes; 0 = all cores
    uint64_t seed = 1;
    // Each utterance's pitch factor is drawn from [pitch_min, pitch_max]. Where the engine has no
    // pitch control of its own the voice is resampled, which scales its formants too, as a shorter
    // or longer vocal tract would: a wider range imitates more speakers. The evaluation sets keep
    // the default.
    double pitch_min = 0.93, pitch_max = 1.07;
    std::string format = "flac";  // flac or wav
    bool skip_missing = false;    // unavailable voices: drop with a warning instead of failing
    bool progress = true;         // progress bar on stderr
};

struct VoiceStats {
    long utterances = 0;
    double audio_s = 0.0;
    double busy_s = 0.0;  // worker time spent rendering and converting this voice (one core each)
};

struct SynthSummary {
    long planned = 0, already_done = 0, rendered = 0, failed = 0;
    double audio_hours = 0.0;  // everything in the manifest after the run
    double wall_s = 0.0;
    std::map<std::string, VoiceStats> per_voice;  // this run's renders only
};

// Renders every planned utterance not already in out_dir (resumable: finished files are kept and the
// manifest is rebuilt from them), writing out_dir/manifest.jsonl. Individual failures are reported on
// stderr and counted; bad options, missing engines and unusable input throw std::runtime_error.
SynthSummary run_synthesis(const SynthOptions& options);

}  // namespace rwkvt::data::synth
