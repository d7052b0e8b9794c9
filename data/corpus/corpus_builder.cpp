#include "corpus_builder.hpp"

#include "normalize.hpp"
#include "sentence_split.hpp"
#include "stable_hash.hpp"

namespace rwkvt {

int count_words(const std::string& normalised) {
    if (normalised.empty()) return 0;
    int words = 1;
    for (char c : normalised) words += c == ' ';
    return words;
}

bool is_validation_sentence(const std::string& normalised, double valid_fraction) {
    // FNV-1a then a finaliser: stable across platforms and runs, every character moving every bit.
    const uint64_t hash = splitmix64_finalise(fnv1a(normalised, kFnv1aOffsetBasis));
    // The top 53 bits as a fraction in [0, 1).
    const double u = static_cast<double>(hash >> 11) / static_cast<double>(1ull << 53);
    return u < valid_fraction;
}

CorpusBuilder::CorpusBuilder(CorpusLimits limits, const PronunciationDictionary* dictionary)
    : limits_(limits), dictionary_(dictionary) {}

void CorpusBuilder::reserve(const std::string& raw_sentence) {
    const std::string text = normalize_text(raw_sentence);
    if (!text.empty()) reserved_.insert(text);
}

std::string CorpusBuilder::usable(const std::string& raw_sentence) const {
    const auto text = normalize_strict(raw_sentence);
    if (!text) return "";
    const int words = count_words(*text);
    if (words < limits_.min_words || words > limits_.max_words) return "";
    if (dictionary_ && !dictionary_->covers(*text)) return "";
    return *text;
}

void CorpusBuilder::add(const std::string& source, const std::string& raw_sentence) {
    add_normalised(stats_[source], raw_sentence, true);
}

void CorpusBuilder::add_normalised(SourceStats& stats, const std::string& raw, bool may_split) {
    ++stats.raw;
    const auto text = normalize_strict(raw);
    if (!text) {
        ++stats.unreadable;
        return;
    }
    const int words = count_words(*text);
    if (words > limits_.max_words) {
        ++stats.too_long;
        // A long sentence often holds utterance-sized clauses ("...; and ...").
        if (may_split) {
            const auto clauses = split_clauses(raw);
            if (clauses.size() > 1)
                for (const auto& clause : clauses) add_normalised(stats, clause, false);
        }
        return;
    }
    if (words < limits_.min_words) {
        ++stats.too_short;
        return;
    }
    if (is_reserved(*text)) {
        ++stats.reserved;
        return;
    }
    if (dictionary_ && !dictionary_->covers(*text)) {
        ++stats.no_pronunciation;
        return;
    }
    if (!seen_.insert(*text).second) {
        ++stats.duplicate;
        return;
    }
    if (is_validation_sentence(*text, limits_.valid_fraction)) {
        ++stats.valid;
        stats.valid_words += words;
        valid_.push_back(*text);
    } else {
        ++stats.train;
        stats.train_words += words;
        train_.push_back(*text);
    }
}

}  // namespace rwkvt
