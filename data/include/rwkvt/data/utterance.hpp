// One utterance of a speech data set: where its audio is, how long it is, what is said and by whom.
// Every reader (JSONL manifests, the Asterisk TSV, LibriSpeech folders) produces these records, so the
// trainer and `rwkvt eval` need not care where a data set came from.
#pragma once

#include <string>

namespace rwkvt::data {

struct Utterance {
    std::string audio_filepath;  // absolute, or as written in the manifest when it was absolute
    double duration = 0.0;       // seconds
    std::string text;            // normalised transcript (lower case letters, apostrophes, spaces)
    std::string speaker;         // voice ("flite:slt"), LibriSpeech speaker id, or "" when unknown
    std::string flag;            // optional row class, e.g. the Asterisk set's "ok" / "check"
};

}  // namespace rwkvt::data
