// Word and character error rates as the spec's "Measures" define them: both texts are normalised
// the same way (lower case, letters, digits spelled as words, apostrophes kept, other punctuation
// removed: normalize_text), then aligned by Levenshtein distance.
#pragma once

#include <string>

namespace rwkvt {

// normalize_text (data/normalize): the normaliser the training text went through, in its lenient
// form, so a hypothesis is spelled as the model learnt to spell.
std::string normalize_for_scoring(const std::string& text);

struct ErrorCounts {
    long substitutions = 0, deletions = 0, insertions = 0, reference_length = 0;

    long errors() const { return substitutions + deletions + insertions; }
    // errors / reference_length; with an empty reference, 0 if there are no errors and `errors()`
    // (as if the reference had length 1) otherwise, so the rate stays finite.
    double rate() const;
    // Sums counts over utterances; the corpus rate is the rate of the sum, not a mean of rates.
    ErrorCounts& operator+=(const ErrorCounts& other);
};

// Word errors between normalised `ref` and `hyp` (both are normalised here). reference_length is
// the number of reference words.
ErrorCounts word_errors(const std::string& ref, const std::string& hyp);

// Character errors over the normalised texts, spaces between words INCLUDED (a space is a character
// the char tokenizer emits, and a wrongly split or joined word should cost something).
// reference_length is the number of characters of the normalised reference, spaces included.
ErrorCounts char_errors(const std::string& ref, const std::string& hyp);

}  // namespace rwkvt
