#include "scoring.hpp"

#include <vector>

#include "edit_distance.hpp"
#include "normalize.hpp"

namespace rwkvt {

namespace {

std::vector<std::string> words_of(const std::string& normalised) {
    std::vector<std::string> words;
    size_t start = 0;
    while (start < normalised.size()) {
        size_t end = normalised.find(' ', start);
        if (end == std::string::npos) end = normalised.size();
        if (end > start) words.push_back(normalised.substr(start, end - start));
        start = end + 1;
    }
    return words;
}

ErrorCounts from_edits(const EditCounts& edits, size_t reference_length) {
    ErrorCounts counts;
    counts.substitutions = edits.substitutions;
    counts.deletions = edits.deletions;
    counts.insertions = edits.insertions;
    counts.reference_length = static_cast<long>(reference_length);
    return counts;
}

}  // namespace

std::string normalize_for_scoring(const std::string& text) { return normalize_text(text); }

double ErrorCounts::rate() const {
    if (reference_length == 0) return static_cast<double>(errors());
    return static_cast<double>(errors()) / static_cast<double>(reference_length);
}

ErrorCounts& ErrorCounts::operator+=(const ErrorCounts& other) {
    substitutions += other.substitutions;
    deletions += other.deletions;
    insertions += other.insertions;
    reference_length += other.reference_length;
    return *this;
}

ErrorCounts word_errors(const std::string& ref, const std::string& hyp) {
    const auto r = words_of(normalize_for_scoring(ref)), h = words_of(normalize_for_scoring(hyp));
    return from_edits(align_counts(r, h), r.size());
}

ErrorCounts char_errors(const std::string& ref, const std::string& hyp) {
    const std::string r = normalize_for_scoring(ref), h = normalize_for_scoring(hyp);
    const std::vector<char> rc(r.begin(), r.end()), hc(h.begin(), h.end());
    return from_edits(align_counts(rc, hc), rc.size());
}

}  // namespace rwkvt
