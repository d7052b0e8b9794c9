// Evaluation sets made by one command each (`rwkvt data evalset NAME --out DIR`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rwkvt::data {

// The voice sets that may read the Harvard set (HarvardOptions::voices): "reserved", "train".
std::vector<std::string> harvard_voice_sets();

struct HarvardOptions {
    std::string out_dir;
    std::string text_path;  // "" = OUT/reserved-harvard.txt if `rwkvt data text` wrote it, else from r-cran-stringr
    std::string voices = "reserved";  // one of harvard_voice_sets(); "train": the same sentences read by the training voices
    int jobs = 0;
    uint64_t seed = 1;
    bool progress = true;
};

// The 720 Harvard sentences (reserved: never training text), each rendered once by one of the
// reserved voices (RHVoice bdl and clb, pico en-GB: never training voices), into OUT/manifest.jsonl.
// With voices "train" the training voices read them instead: the two sets' difference is what the
// unseen voices cost, apart from what the unusual sentences cost.
// Returns the number of failed utterances.
long make_harvard_evalset(const HarvardOptions& options);

struct HeldoutOptions {
    std::string out_dir;
    std::string text_path;  // held-out sentences: valid.txt from `rwkvt data text`
    long sentences = 500;   // per split
    int jobs = 0;
    uint64_t seed = 1;
    bool progress = true;
};

// Dev and test sets: unseen sentences read by the training voices. Alternate lines of the held-out
// text go to OUT/dev.txt and OUT/test.txt (at most `sentences` each, so the two never share a
// sentence), and each is rendered once into OUT/dev/manifest.jsonl and OUT/test/manifest.jsonl.
// Returns the number of failed utterances.
long make_heldout_evalsets(const HeldoutOptions& options);

// Runs SHARED/eval/asterisk/fetch.sh OUT (Debian's asterisk-core-sounds-en-wav prompts) and converts
// its OUT/manifest.tsv into OUT/manifest.jsonl (speaker "asterisk:allison", flag ok/check), after
// checking every file's duration. Returns the number of utterances.
long make_asterisk_evalset(const std::string& out_dir, const std::string& shared_dir);

// Lower case, letters and apostrophes, single spaces: the Harvard sentences need nothing more
// (they have no digits), and this keeps the fallback free of the text pipeline.
std::string simple_normalise(const std::string& sentence);

}  // namespace rwkvt::data
