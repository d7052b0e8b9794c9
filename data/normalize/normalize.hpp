// Text normalisation: written English -> what a speaker says, as lower-case words of a-z and inner
// apostrophes separated by single spaces. Numbers, ordinals ("21st"), money ("$3.50"), percentages,
// years ("1984"), decades ("1960s"), times ("10:30") and common abbreviations ("Dr.", "St.") are
// spelled out; other punctuation is dropped; accented Latin letters lose their accents.
//
// The same function serves training text (strict: refuse what a speaker could read in more than
// one way) and scoring (lenient: always produce something, identically for reference and
// hypothesis), so a transcript and the text a model was trained on agree on spelling.
#pragma once

#include <optional>
#include <string>

namespace rwkvt {

// Lenient: characters it cannot read (other scripts, emoji, symbols like '/' or '@') become word
// breaks; letters glued to digits ("mp3") are read as separate words. Never throws.
std::string normalize_text(const std::string& utf8);

// Strict: std::nullopt when the text holds anything whose reading is uncertain: characters outside
// Latin letters, digits and ordinary punctuation, symbols such as '/', '@', '#', '=', '*', '_', '+',
// letters glued to digits, dotted names like "example.com", numbers of 16 or more digits, invalid
// UTF-8; also when no word is left.
std::optional<std::string> normalize_strict(const std::string& utf8);

}  // namespace rwkvt
