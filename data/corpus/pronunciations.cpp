#include "pronunciations.hpp"

#include <fstream>
#include <stdexcept>

namespace rwkvt {

PronunciationDictionary PronunciationDictionary::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open the pronunciation dictionary (package pocketsphinx-en-us)");
    PronunciationDictionary dict;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == ';') continue;  // CMUdict comments start with ";;;"
        std::string word = line.substr(0, line.find_first_of(" \t"));
        if (const size_t paren = word.find('('); paren != std::string::npos) word.resize(paren);  // word(2)
        for (char& c : word)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!word.empty()) dict.words_.insert(word);
    }
    if (dict.words_.empty()) throw std::runtime_error(path + ": no pronunciations in the file");
    return dict;
}

bool PronunciationDictionary::covers(const std::string& sentence) const {
    size_t start = 0;
    while (start < sentence.size()) {
        size_t end = sentence.find(' ', start);
        if (end == std::string::npos) end = sentence.size();
        if (end > start && !contains(sentence.substr(start, end - start))) return false;
        start = end + 1;
    }
    return true;
}

}  // namespace rwkvt
