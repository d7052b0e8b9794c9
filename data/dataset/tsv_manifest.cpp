// Tab-separated manifests with a header row, as the shared Asterisk evaluation set writes them.
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "rwkvt/data/manifest.hpp"

namespace rwkvt::data {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
        const size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return fields;
        start = tab + 1;
    }
}

// The first header column that matches one of `names`, or -1.
int find_column(const std::map<std::string, int>& columns, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (auto it = columns.find(n); it != columns.end()) return it->second;
    return -1;
}

}  // namespace

std::vector<Utterance> read_tsv_manifest(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open manifest " + path);
    const fs::path folder = fs::absolute(fs::path(path)).parent_path();
    std::string line;
    if (!std::getline(in, line)) throw std::runtime_error(path + ": empty file (expected a header row)");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::map<std::string, int> columns;
    const std::vector<std::string> header = split_tabs(line);
    for (size_t i = 0; i < header.size(); ++i) columns[header[i]] = static_cast<int>(i);
    const int path_col = find_column(columns, {"path", "audio_filepath", "file"});
    const int text_col = find_column(columns, {"transcript", "text"});
    const int duration_col = find_column(columns, {"duration_s", "duration"});
    const int flag_col = find_column(columns, {"flag"});
    const int speaker_col = find_column(columns, {"speaker"});
    if (path_col < 0 || text_col < 0)
        throw std::runtime_error(path + ":1: header needs a path column (path/audio_filepath/file) and a transcript column (transcript/text), got \"" + line + "\"");

    std::vector<Utterance> utterances;
    for (long number = 2; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const std::string where = path + ":" + std::to_string(number);
        const std::vector<std::string> f = split_tabs(line);
        if (f.size() != header.size())
            throw std::runtime_error(where + ": " + std::to_string(f.size()) + " fields, the header has " + std::to_string(header.size()));
        Utterance u;
        u.audio_filepath = f[path_col];
        if (u.audio_filepath.empty()) throw std::runtime_error(where + ": empty path");
        if (fs::path(u.audio_filepath).is_relative()) u.audio_filepath = (folder / u.audio_filepath).lexically_normal().string();
        u.text = f[text_col];
        if (flag_col >= 0) u.flag = f[flag_col];
        if (speaker_col >= 0) u.speaker = f[speaker_col];
        if (duration_col >= 0) {
            try {
                size_t used = 0;
                u.duration = std::stod(f[duration_col], &used);
                if (used != f[duration_col].size() || !(u.duration >= 0.0)) throw std::invalid_argument("bad");
            } catch (const std::exception&) {
                throw std::runtime_error(where + ": duration \"" + f[duration_col] + "\" is not a non-negative number");
            }
        }
        utterances.push_back(std::move(u));
    }
    return utterances;
}

}  // namespace rwkvt::data
