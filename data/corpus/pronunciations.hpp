// The words of a pronunciation dictionary (CMUdict format: "word PH O N E S", variants as
// "word(2)"). Used to keep only sentences whose every word a TTS engine knows, so the audio it
// makes says what the transcript says.
#pragma once

#include <string>
#include <unordered_set>

namespace rwkvt {

class PronunciationDictionary {
public:
    // Throws std::runtime_error if the file cannot be read or holds no entries.
    static PronunciationDictionary load(const std::string& path);

    bool contains(const std::string& word) const { return words_.count(word) != 0; }
    // True when every space-separated word of `sentence` has an entry.
    bool covers(const std::string& sentence) const;
    size_t size() const { return words_.size(); }

private:
    std::unordered_set<std::string> words_;
};

}  // namespace rwkvt
