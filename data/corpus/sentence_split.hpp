// Running text -> sentences, for sources that are prose (novels, verses, fortunes) rather than one
// sentence per line.
#pragma once

#include <string>
#include <vector>

namespace rwkvt {

// Splits after '.', '!' or '?' (and any closing quotes or brackets) followed by white space, except
// after titles such as "Mr." or "St." and single-letter initials ("J. R. R."). Whitespace runs
// (including newlines) inside a sentence become single spaces. Empty pieces are dropped.
std::vector<std::string> split_sentences(const std::string& text);

// Splits one long sentence into clauses at ';', ':' and dashes ("--", " - "), for sentences too long
// to be one utterance.
std::vector<std::string> split_clauses(const std::string& sentence);

}  // namespace rwkvt
