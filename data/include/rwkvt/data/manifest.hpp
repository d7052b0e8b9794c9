// Manifest files: JSON Lines (one object per utterance with "audio_filepath", "duration", "text",
// "speaker", optionally "flag" — NeMo's layout) and tab-separated tables with a header row (the
// shared Asterisk evaluation set: path, duration_s, transcript, flag).
//
// Relative audio paths are resolved against the manifest's folder, so a data set folder can be moved
// as a whole. Every malformed line throws std::runtime_error naming the file, line number and reason.
#pragma once

#include <string>
#include <vector>

#include "rwkvt/data/utterance.hpp"

namespace rwkvt::data {

// One JSONL line for an utterance (no trailing newline). Keys in a fixed order for stable diffs.
std::string to_jsonl_line(const Utterance& utterance);

// Parses one JSONL line; `where` ("file:line") prefixes error messages.
Utterance parse_jsonl_line(const std::string& line, const std::string& where);

std::vector<Utterance> read_jsonl_manifest(const std::string& path);

// Writes atomically (temporary file + rename): readers never see a half-written manifest.
void write_jsonl_manifest(const std::string& path, const std::vector<Utterance>& utterances);

// Tab-separated table with a header naming its columns. Required: path (or file / audio_filepath)
// and transcript (or text); optional: duration_s (or duration), flag, speaker.
std::vector<Utterance> read_tsv_manifest(const std::string& path);

// Either format: *.tsv is a table, anything else is JSON Lines.
std::vector<Utterance> read_manifest(const std::string& path);

}  // namespace rwkvt::data
