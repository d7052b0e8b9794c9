// LibriSpeech folders -> utterance records.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "rwkvt/data/duration_check.hpp"
#include "rwkvt/data/librispeech.hpp"

namespace rwkvt::data {

namespace fs = std::filesystem;

std::vector<Utterance> read_librispeech(const std::string& root) {
    if (!fs::is_directory(root)) throw std::runtime_error("LibriSpeech folder " + root + " does not exist");
    std::vector<Utterance> utterances;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
        const std::string name = entry.path().filename().string();
        const std::string suffix = ".trans.txt";
        if (!entry.is_regular_file() || name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        std::ifstream in(entry.path());
        if (!in) throw std::runtime_error("cannot open " + entry.path().string());
        std::string line;
        for (long number = 1; std::getline(in, line); ++number) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;
            const std::string where = entry.path().string() + ":" + std::to_string(number);
            const size_t space = line.find(' ');
            const std::string id = line.substr(0, space);
            // IDs are SPEAKER-CHAPTER-INDEX; anything else means this is not a transcript file.
            const size_t dash = id.find('-');
            if (space == std::string::npos || dash == std::string::npos || dash == 0)
                throw std::runtime_error(where + ": expected \"SPEAKER-CHAPTER-INDEX TRANSCRIPT\"");
            Utterance u;
            u.speaker = id.substr(0, dash);
            u.text = line.substr(space + 1);
            std::transform(u.text.begin(), u.text.end(), u.text.begin(), [](unsigned char c) { return std::tolower(c); });
            const fs::path audio = entry.path().parent_path() / (id + ".flac");
            if (!fs::exists(audio)) throw std::runtime_error(where + ": audio " + audio.string() + " is missing");
            u.audio_filepath = fs::absolute(audio).lexically_normal().string();
            u.duration = audio_file_duration(u.audio_filepath);
            utterances.push_back(std::move(u));
        }
    }
    std::sort(utterances.begin(), utterances.end(),
              [](const Utterance& a, const Utterance& b) { return a.audio_filepath < b.audio_filepath; });
    return utterances;
}

}  // namespace rwkvt::data
