#include "token_ngram_training.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace rwkvt {

namespace {

struct Count {
    uint64_t key;
    uint64_t raw = 0;       // occurrences
    uint64_t adjusted = 0;  // what Kneser-Ney counts: raw at the highest order, else continuations
};

uint64_t context_of(uint64_t key) { return key >> 16; }
// The oldest id of an n-gram's key.
int first_id(uint64_t key, int n) { return static_cast<int>((key >> (16 * (n - 1))) & 0xFFFF); }

}  // namespace

TokenNgramLm estimate_kneser_ney(const std::vector<std::vector<int>>& sentences, int vocab_size, int start_id,
                                 uint64_t tokenizer_fingerprint, const NgramEstimationOptions& options) {
    const int N = options.order;
    if (N < 1 || N > 4) throw std::invalid_argument("n-gram order must be 1 to 4, not " + std::to_string(N));
    if (vocab_size < 2 || vocab_size > 65535) throw std::invalid_argument("vocabulary size out of range");
    if (start_id < 0 || start_id >= vocab_size) throw std::invalid_argument("start id outside the vocabulary");
    std::vector<int> min_counts(static_cast<size_t>(N), 0);
    for (size_t i = 1; i < options.min_counts.size() && i < min_counts.size(); ++i) min_counts[i] = options.min_counts[i];
    for (size_t i = 2; i < min_counts.size(); ++i)
        if (min_counts[i] < min_counts[i - 1]) throw std::invalid_argument("n-gram min counts must not decrease with the order");
    const int end_id = vocab_size;

    // Raw counts of every n-gram ending at each predicted position (the sentence start is context only).
    std::vector<std::unordered_map<uint64_t, uint64_t>> raw(static_cast<size_t>(N));
    std::vector<int> seq;
    for (const std::vector<int>& sentence : sentences) {
        seq.assign(1, start_id);
        for (int id : sentence) {
            if (id < 0 || id >= vocab_size || id == start_id)
                throw std::invalid_argument("token id " + std::to_string(id) + " is not a piece of the vocabulary");
            seq.push_back(id);
        }
        seq.push_back(end_id);
        for (size_t i = 1; i < seq.size(); ++i)
            for (int n = 1; n <= N && static_cast<size_t>(n) <= i + 1; ++n)
                ++raw[static_cast<size_t>(n - 1)][TokenNgramLm::pack(seq.data() + i + 1 - n, n)];
    }

    // Adjusted counts, sorted by key per order (so each context's n-grams are contiguous).
    std::vector<std::vector<Count>> counts(static_cast<size_t>(N));
    for (int n = 1; n <= N; ++n) {
        std::unordered_map<uint64_t, uint64_t> continuations;
        if (n < N)
            for (const auto& [key, c] : raw[static_cast<size_t>(n)]) ++continuations[key & ((uint64_t{1} << (16 * n)) - 1)];
        std::vector<Count>& out = counts[static_cast<size_t>(n - 1)];
        out.reserve(raw[static_cast<size_t>(n - 1)].size());
        for (const auto& [key, c] : raw[static_cast<size_t>(n - 1)]) {
            const bool from_start = n > 1 && first_id(key, n) == start_id;
            out.push_back({key, c, n == N || from_start ? c : continuations[key]});
        }
        std::sort(out.begin(), out.end(), [](const Count& a, const Count& b) { return a.key < b.key; });
        raw[static_cast<size_t>(n - 1)].clear();
    }

    auto discount = [](const std::vector<Count>& order_counts) {
        double n1 = 0, n2 = 0;
        for (const Count& c : order_counts) n1 += c.adjusted == 1, n2 += c.adjusted == 2;
        return n1 > 0 && n2 > 0 ? n1 / (n1 + 2.0 * n2) : 0.5;
    };

    std::vector<std::vector<TokenNgramLm::Entry>> tables(static_cast<size_t>(N));
    // Unigrams: every id, interpolated with the uniform distribution over the vocab_size ids that can
    // be predicted (the pieces other than the start symbol, and the sentence end).
    {
        const std::vector<Count>& c1 = counts[0];
        const double D = discount(c1);
        double total = 0;
        for (const Count& c : c1) total += static_cast<double>(c.adjusted);
        const double uniform = (total > 0 ? D * static_cast<double>(c1.size()) / total : 1.0) / vocab_size;
        std::vector<TokenNgramLm::Entry>& t1 = tables[0];
        t1.resize(static_cast<size_t>(vocab_size) + 1);
        size_t next = 0;
        for (int id = 0; id <= vocab_size; ++id) {
            double p = uniform;
            if (next < c1.size() && c1[next].key == static_cast<uint64_t>(id))
                p += std::max(static_cast<double>(c1[next++].adjusted) - D, 0.0) / total;
            // The start symbol is never predicted: ARPA's -99 (log10) for <s>, here in ln.
            t1[static_cast<size_t>(id)] = {static_cast<uint64_t>(id), id == start_id ? -99.0f * 2.302585f : static_cast<float>(std::log(p)), 0.0f};
        }
    }
    for (int n = 2; n <= N; ++n) {
        const std::vector<Count>& cn = counts[static_cast<size_t>(n - 1)];
        const double D = discount(cn);
        const uint64_t min_count = static_cast<uint64_t>(std::max(min_counts[static_cast<size_t>(n - 1)], 0));
        // The orders below, complete but for the backoffs of the contexts of order n (set below,
        // used only by queries of order n): P_{n-1}(w | h') for the interpolation.
        const TokenNgramLm lower(vocab_size, start_id, tokenizer_fingerprint,
                                 std::vector<std::vector<TokenNgramLm::Entry>>(tables.begin(), tables.begin() + (n - 1)));
        std::vector<TokenNgramLm::Entry>& contexts = tables[static_cast<size_t>(n - 2)];
        std::vector<TokenNgramLm::Entry>& kept_ngrams = tables[static_cast<size_t>(n - 1)];
        int ids[4];
        for (size_t begin = 0; begin < cn.size();) {
            // One context h: its n-grams are contiguous. The backoff weight is the mass its kept,
            // discounted n-grams leave.
            const uint64_t context = context_of(cn[begin].key);
            size_t end = begin;
            double total = 0, kept = 0;
            for (; end < cn.size() && context_of(cn[end].key) == context; ++end) {
                total += static_cast<double>(cn[end].adjusted);
                if (cn[end].raw >= min_count) kept += std::max(static_cast<double>(cn[end].adjusted) - D, 0.0);
            }
            const double gamma = 1.0 - kept / total;
            // A pruned context (all its n-grams pruned too: the counts do not decrease with the order)
            // needs no backoff: queries never reach it.
            auto it = std::lower_bound(contexts.begin(), contexts.end(), context,
                                       [](const TokenNgramLm::Entry& e, uint64_t k) { return e.key < k; });
            if (it != contexts.end() && it->key == context) it->backoff = static_cast<float>(std::log(gamma));
            else if (kept > 0) throw std::logic_error("n-gram estimation: a kept n-gram's context was pruned");
            for (size_t i = begin; i < end; ++i) {
                if (cn[i].raw < min_count) continue;
                for (int j = 0; j < n; ++j) ids[j] = static_cast<int>((cn[i].key >> (16 * (n - 1 - j))) & 0xFFFF);
                const double lower_p = std::exp(lower.log_prob(ids + 1, static_cast<size_t>(n - 2), ids[n - 1]));
                const double p = std::max(static_cast<double>(cn[i].adjusted) - D, 0.0) / total + gamma * lower_p;
                kept_ngrams.push_back({cn[i].key, static_cast<float>(std::log(p)), 0.0f});
            }
            begin = end;
        }
    }
    return TokenNgramLm(vocab_size, start_id, tokenizer_fingerprint, std::move(tables));
}

}  // namespace rwkvt
