// `rwkvt data text`: the whole training-text pipeline, from the installed sources to the files.
#pragma once

#include <string>
#include <vector>

#include "corpus_builder.hpp"
#include "text_sources.hpp"

namespace rwkvt {

struct TextCorpusOptions {
    SourceLocations where;
    std::vector<std::string> sources;  // empty: every training source
    CorpusLimits limits;
    std::string dictionary_path;       // empty: no pronunciation filter
};

// Writes into `out_dir` (created if needed), each file atomically (temporary file + rename), with
// stats.json last so its presence marks a complete set:
//   train.txt, valid.txt                 one normalised sentence per line
//   reserved-harvard.txt                 the 720 Harvard sentences, normalised (evaluation only)
//   reserved-sense-and-sensibility.txt   that novel's sentences that pass the same filters
//   stats.json                           counts per source and in total
// Returns the text of stats.json.
std::string build_text_corpus(const TextCorpusOptions& options, const std::string& out_dir);

}  // namespace rwkvt
