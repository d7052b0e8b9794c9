// Training text from raw sentences: normalise (strictly), keep utterance-sized sentences, drop
// duplicates and anything reserved for evaluation, optionally require every word in a
// pronunciation dictionary, and split off a validation set by a hash of the sentence.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "pronunciations.hpp"

namespace rwkvt {

struct CorpusLimits {
    int min_words = 3;
    int max_words = 30;
    double valid_fraction = 0.01;  // share of sentences (by hash) that go to valid.txt
};

// What happened to one source's sentences. A too-long sentence that is split into clauses counts
// once as too_long and its clauses count like sentences.
struct SourceStats {
    long raw = 0;             // sentences and clauses offered
    long unreadable = 0;      // normalize_strict refused them
    long too_short = 0, too_long = 0;
    long reserved = 0;        // equal to a reserved evaluation sentence after normalisation
    long no_pronunciation = 0;
    long duplicate = 0;
    long train = 0, valid = 0;
    long train_words = 0, valid_words = 0;
};

// Deterministic validation split: a 64-bit hash (FNV-1a + splitmix64 finaliser) of the normalised
// sentence, scaled to [0, 1), below valid_fraction.
bool is_validation_sentence(const std::string& normalised, double valid_fraction);

class CorpusBuilder {
public:
    // `dictionary` may be null (no pronunciation filter); it must outlive the builder.
    CorpusBuilder(CorpusLimits limits, const PronunciationDictionary* dictionary);

    // A reserved sentence (raw text; normalised here with the lenient normaliser, which equals the
    // strict one wherever that one accepts). Any training sentence equal to it is dropped.
    void reserve(const std::string& raw_sentence);
    bool is_reserved(const std::string& normalised) const { return reserved_.count(normalised) != 0; }
    size_t reserved_count() const { return reserved_.size(); }

    // Offers one raw sentence of `source`.
    void add(const std::string& source, const std::string& raw_sentence);

    // Strict normalisation plus the length and dictionary limits; "" if the sentence would not be
    // kept (used for the reserved evaluation lists too).
    std::string usable(const std::string& raw_sentence) const;

    const std::vector<std::string>& train() const { return train_; }
    const std::vector<std::string>& valid() const { return valid_; }
    const std::map<std::string, SourceStats>& stats() const { return stats_; }

private:
    void add_normalised(SourceStats& stats, const std::string& raw, bool may_split);

    CorpusLimits limits_;
    const PronunciationDictionary* dictionary_;
    std::unordered_set<std::string> reserved_, seen_;
    std::vector<std::string> train_, valid_;
    std::map<std::string, SourceStats> stats_;
};

int count_words(const std::string& normalised);

}  // namespace rwkvt
