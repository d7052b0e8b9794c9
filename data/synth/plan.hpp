// Which sentence is rendered by which voice at which tempo and pitch: a pure function of the text,
// the voices, the hours and the seed, so a re-run (or a longer run) finds the same utterances at the
// same paths and can skip the ones already rendered.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rwkvt/data/synth.hpp"

namespace rwkvt::data::synth {

struct PlannedUtterance {
    std::string id;          // "s0000042": position in the plan
    std::string text;
    size_t voice = 0;        // index into the voice list
    double tempo = 1.0, pitch = 1.0;
    std::string audio_path;  // absolute: OUT/audio/<voice>/<id>.<format>
};

// Rough speaking time of a sentence, for planning hours and the ETA: about 18.5 characters a second
// plus 0.4 s of silence, fitted to 49 h of the training mix (41,819 utterances, tempo 0.85-1.15).
double estimated_seconds(const std::string& text);

// Sentences are taken in a seeded shuffled order (cycling if the hours need more than the text has),
// voices drawn by weight, tempo in [0.85, 1.15] and pitch in [pitch_min, pitch_max]. Each
// utterance's draws depend only on (seed, position), so the plan for fewer hours is a prefix of the
// plan for more.
std::vector<PlannedUtterance> plan_synthesis(const std::vector<std::string>& sentences, const std::vector<Voice>& voices, double hours,
                                             uint64_t seed, const std::string& out_dir, const std::string& format, double pitch_min,
                                             double pitch_max);

}  // namespace rwkvt::data::synth
