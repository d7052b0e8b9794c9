// LibriSpeech folders (SPEAKER/CHAPTER/SPEAKER-CHAPTER.trans.txt listing "ID TRANSCRIPT" lines, with
// ID.flac next to it) read into the same utterance records as the manifests.
#pragma once

#include <string>
#include <vector>

#include "rwkvt/data/utterance.hpp"

namespace rwkvt::data {

// Walks `root` recursively for *.trans.txt files. Transcripts are lower-cased (LibriSpeech writes
// upper case); the speaker is the first field of the ID; durations come from the FLAC headers.
// Sorted by ID. Throws std::runtime_error for a missing root, a malformed transcript line (file and
// line number) or a listed utterance without its audio file.
std::vector<Utterance> read_librispeech(const std::string& root);

}  // namespace rwkvt::data
