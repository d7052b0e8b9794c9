// Abbreviations that a reader expands when speaking ("Dr." -> "doctor"). Both the normaliser and
// the sentence splitter need them: a period after "Mr" does not end a sentence.
#pragma once

#include <string>

namespace rwkvt {

// When an abbreviation is expanded.
enum class AbbreviationUse {
    always,          // "Dr." -> doctor
    before_number,   // "No. 5" -> number five; "Jan. 5" -> january five ("no." alone is the word no)
    saint_or_street, // "St. Paul" -> saint paul, "Baker St." -> baker street
};

struct Abbreviation {
    const char* expansion;
    AbbreviationUse use;
    bool needs_period;     // "Mr" without a period is still mister; "etc" without one is a word too
    bool precedes_a_word;  // titles: a period after them never ends a sentence
};

// The abbreviation written as `lower` (lower case, inner periods kept, no final period: "dr",
// "e.g", "a.m"), or nullptr.
const Abbreviation* find_abbreviation(const std::string& lower);

}  // namespace rwkvt
