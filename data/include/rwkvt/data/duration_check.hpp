// Checks that a manifest's recorded durations match its audio files, catching stale manifests,
// truncated renders and files replaced after the manifest was written.
#pragma once

#include <string>
#include <vector>

#include "rwkvt/data/utterance.hpp"

namespace rwkvt::data {

// Duration of an audio file from its header (libsndfile: frames / rate), without decoding it.
// Throws std::runtime_error naming the file if it is missing or unreadable.
double audio_file_duration(const std::string& path);

// One line per problem ("PATH: manifest says 3.200 s, audio is 2.100 s"; "PATH: cannot open ...");
// empty when every utterance's audio exists and its duration is within `tolerance_s`.
std::vector<std::string> check_durations(const std::vector<Utterance>& utterances, double tolerance_s = 0.05);

}  // namespace rwkvt::data
