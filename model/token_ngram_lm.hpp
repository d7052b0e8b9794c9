// A token n-gram language model for shallow fusion in beam search: an n-gram model over the
// transducer's own token ids (estimated by token_ngram_training.hpp), stored in backoff form, as an
// ARPA file is: ln P(w | h) for every n-gram (h, w) it keeps, and a backoff weight for every context h,
// so that P(w | h) = P(w | h) if (h, w) is kept, else backoff(h) * P(w | h without its oldest token).
//
// Symbols: ids 1..V-1 are the tokenizer's pieces (V = vocab_size); `start_id` (the transducer's blank,
// which is also its start symbol) stands before the first token of a sentence and is never
// predicted; id V is the end of a sentence.
//
// File (little-endian): "RWKVTNG1", u32 order, u32 vocab_size, u32 start_id, u32 0, u64 tokenizer
// fingerprint, then for n = 1..order: u64 count and `count` entries {u64 key, f32 ln P, f32 ln backoff}
// sorted by key (an n-gram's ids, oldest first, in 16-bit fields); then u64 FNV-1a of all bytes
// before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rwkvt {

class Tokenizer;

class TokenNgramLm {
public:
    struct Entry {
        uint64_t key;
        float log_prob;  // ln P(last id | the ids before it)
        float backoff;   // ln backoff weight of this n-gram as a context (0 if it is never one)
    };

    TokenNgramLm() = default;
    // tables[n - 1]: the n-grams kept, sorted by key; every id <= vocab_size. Throws
    // std::invalid_argument if the tables are not a valid model (order 1-4, unsorted keys, ...).
    TokenNgramLm(int vocab_size, int start_id, uint64_t tokenizer_fingerprint, std::vector<std::vector<Entry>> tables);

    // Reads a file written by write(); throws std::runtime_error with a one-line message naming
    // the file if it is missing, truncated, corrupt or not an n-gram model.
    static TokenNgramLm read(const std::string& path);
    // Writes the model atomically (a temporary file renamed over `path`).
    void write(const std::string& path) const;

    int order() const { return static_cast<int>(tables_.size()); }
    int vocab_size() const { return vocab_size_; }
    int start_id() const { return start_id_; }
    int end_id() const { return vocab_size_; }
    uint64_t tokenizer_fingerprint() const { return tokenizer_fingerprint_; }
    size_t ngram_count(int n) const { return tables_.at(static_cast<size_t>(n - 1)).size(); }

    // ln P(token | the sentence start, then `history`): only the last order - 1 symbols count.
    // token is a piece id (not start_id) or end_id().
    double log_prob(const int* history, size_t history_size, int token) const;

    static uint64_t pack(const int* ids, int n);
    // Identifies a tokenizer's pieces: a model is only used with the tokenizer it was estimated on.
    static uint64_t fingerprint(const Tokenizer& tokenizer);

private:
    const Entry* find(int n, uint64_t key) const;

    int vocab_size_ = 0, start_id_ = 0;
    uint64_t tokenizer_fingerprint_ = 0;
    std::vector<std::vector<Entry>> tables_;
};

}  // namespace rwkvt
