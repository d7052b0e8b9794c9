// Estimates a token n-gram model (token_ngram_lm.hpp) from tokenized sentences: interpolated
// Kneser-Ney (Chen and Goodman 1998) with one discount per order, D = n1 / (n1 + 2 n2) from the counts
// of n-grams seen once and twice. The highest order uses raw counts, lower orders continuation
// counts (how many different ids precede the n-gram), except n-grams that begin at the sentence start,
// which nothing precedes: they keep raw counts. Unigrams interpolate with the uniform distribution,
// so every id has a probability.
//
// Pruning by count: an n-gram of order n >= 2 seen fewer than min_counts[n - 1] times is not kept;
// the probability mass it had moves to its context's backoff, so every distribution still sums to 1.
#pragma once

#include <cstdint>
#include <vector>

#include "token_ngram_lm.hpp"

namespace rwkvt {

struct NgramEstimationOptions {
    int order = 4;
    // Per order (index n - 1): the raw count an n-gram needs to be kept; missing entries, and the
    // unigrams' entry, keep everything. Must not decrease with the order (so a kept n-gram's context
    // and suffix are kept too).
    std::vector<int> min_counts;
};

// sentences: token ids in 1..vocab_size-1 other than start_id (a sentence end is added to each).
// Throws std::invalid_argument on ids out of range or bad options.
TokenNgramLm estimate_kneser_ney(const std::vector<std::vector<int>>& sentences, int vocab_size, int start_id,
                                 uint64_t tokenizer_fingerprint, const NgramEstimationOptions& options);

}  // namespace rwkvt
