// Numbers as the words a speaker says for them: cardinals, ordinals, years and digit strings.
// American style without "and" ("one hundred twenty three"), so a transcript has one spelling.
#pragma once

#include <cstdint>
#include <string>

namespace rwkvt {

// 0 .. 10^15 - 1: "zero", "twenty one", "three million four hundred five". Larger numbers throw
// std::out_of_range (nobody reads them aloud as one number).
std::string cardinal_words(uint64_t n);
// "first", "twenty second", "one hundredth".
std::string ordinal_words(uint64_t n);
// A year as spoken: 1984 "nineteen eighty four", 1900 "nineteen hundred", 1905 "nineteen oh five",
// 2000 "two thousand", 2007 "two thousand seven", 2019 "twenty nineteen". Years outside
// 1000..2099 or below 100 of a century read as cardinals.
std::string year_words(uint64_t year);
// Each digit as a word: "0042" -> "zero zero four two" (decimal fractions, codes).
std::string digit_words(const std::string& digits);
// The plural of a decade or round number as in "the 1960s" / "the 80s": "nineteen sixties", "eighties".
// Returns "" when `n` is not a multiple of ten.
std::string decade_words(uint64_t n);

}  // namespace rwkvt
