// The token n-gram model (model/token_ngram_lm.hpp, token_ngram_training.hpp) against a plain
// recursive interpolated Kneser-Ney computed from count maps on fresh random corpora; its
// distributions sum to one with and without pruning; its file round-trips and bad files are refused.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "scratch.hpp"
#include "token_ngram_lm.hpp"
#include "token_ngram_training.hpp"

namespace {

using Gram = std::vector<int>;

// Interpolated Kneser-Ney written as its textbook recursion over maps of n-gram counts.
class ReferenceKneserNey {
public:
    ReferenceKneserNey(const std::vector<Gram>& sentences, int V, int start, int N) : V_(V), start_(start), N_(N) {
        std::map<Gram, long> raw;
        for (const Gram& s : sentences) {
            Gram seq{start};
            seq.insert(seq.end(), s.begin(), s.end());
            seq.push_back(V);  // the sentence end
            for (size_t i = 1; i < seq.size(); ++i)
                for (int n = 1; n <= N && static_cast<size_t>(n) <= i + 1; ++n) ++raw[Gram(seq.begin() + static_cast<long>(i + 1 - n), seq.begin() + static_cast<long>(i + 1))];
        }
        for (const auto& [g, c] : raw) {
            const int n = static_cast<int>(g.size());
            if (n == N || g[0] == start) adjusted_[g] = c;
            else {
                long continuations = 0;  // distinct ids v with (v, g) seen
                for (const auto& [h, ch] : raw)
                    if (static_cast<int>(h.size()) == n + 1 && Gram(h.begin() + 1, h.end()) == g) ++continuations;
                adjusted_[g] = continuations;
            }
        }
        for (int n = 1; n <= N; ++n) {
            double n1 = 0, n2 = 0;
            for (const auto& [g, a] : adjusted_)
                if (static_cast<int>(g.size()) == n) n1 += a == 1, n2 += a == 2;
            discount_[n] = n1 > 0 && n2 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
        }
    }

    // P(w | h), h the context (its length + 1 is the order used).
    double prob(const Gram& h, int w) const {
        const int n = static_cast<int>(h.size()) + 1;
        const double D = discount_.at(n);
        double total = 0, types = 0, a_w = 0;
        for (const auto& [g, a] : adjusted_) {
            if (static_cast<int>(g.size()) != n || !std::equal(h.begin(), h.end(), g.begin())) continue;
            total += static_cast<double>(a), types += 1;
            if (g.back() == w) a_w = static_cast<double>(a);
        }
        const double lower = n == 1 ? 1.0 / V_ : prob(Gram(h.begin() + 1, h.end()), w);
        if (total == 0) return lower;
        return std::max(a_w - D, 0.0) / total + D * types / total * lower;
    }

    // The sentence start, then the history; its last N - 1 symbols.
    Gram context(const Gram& history) const {
        Gram h{start_};
        h.insert(h.end(), history.begin(), history.end());
        if (static_cast<int>(h.size()) > N_ - 1) h.erase(h.begin(), h.end() - (N_ - 1));
        return h;
    }

private:
    int V_, start_, N_;
    std::map<Gram, long> adjusted_;
    std::map<int, double> discount_;
};

// Sentences over a few ids with a skewed distribution and some fixed phrases, so that n-grams repeat.
std::vector<Gram> random_corpus(std::mt19937_64& rng, int V, int start, int sentences) {
    std::vector<Gram> out;
    std::discrete_distribution<int> pick({8, 6, 5, 4, 3, 2, 2, 1, 1, 1});
    for (int s = 0; s < sentences; ++s) {
        Gram g;
        const int length = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < length; ++i) {
            int id = 1 + (pick(rng) % (V - 1));
            if (id == start) id = V - 1;
            g.push_back(id);
            if (rng() % 4 == 0 && i + 1 < length) g.push_back(1 + (id % (V - 1))), ++i;  // a frequent bigram
        }
        out.push_back(g);
    }
    return out;
}

Gram random_history(std::mt19937_64& rng, int V, int start) {
    Gram h;
    const int length = static_cast<int>(rng() % 6);
    for (int i = 0; i < length; ++i) {
        int id = 1 + static_cast<int>(rng() % static_cast<uint64_t>(V - 1));
        if (id == start) id = V - 1;
        h.push_back(id);
    }
    return h;
}

}  // namespace

TEST_CASE("token n-gram model equals the recursive interpolated Kneser-Ney on fresh random corpora") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    for (int order : {1, 2, 3, 4}) {
        CAPTURE(order);
        const int V = 12, start = 0;
        const std::vector<Gram> corpus = random_corpus(rng, V, start, 60);
        const ReferenceKneserNey reference(corpus, V, start, order);
        const rwkvt::TokenNgramLm lm = rwkvt::estimate_kneser_ney(corpus, V, start, 7, {order, {}});
        CHECK(lm.order() == order);
        for (int trial = 0; trial < 40; ++trial) {
            const Gram history = random_history(rng, V, start);
            for (int w = 1; w <= V; ++w) {
                const double expected = std::log(reference.prob(reference.context(history), w));
                CHECK(lm.log_prob(history.data(), history.size(), w) == doctest::Approx(expected).epsilon(1e-5));
            }
        }
    }
}

TEST_CASE("token n-gram distributions sum to one over the ids it predicts, pruned or not") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    const int V = 20, start = 0;
    const std::vector<Gram> corpus = random_corpus(rng, V, start, 300);
    const rwkvt::TokenNgramLm full = rwkvt::estimate_kneser_ney(corpus, V, start, 7, {4, {}});
    const rwkvt::TokenNgramLm pruned = rwkvt::estimate_kneser_ney(corpus, V, start, 7, {4, {0, 1, 2, 3}});
    CHECK(pruned.ngram_count(3) < full.ngram_count(3));
    CHECK(pruned.ngram_count(4) < full.ngram_count(4));
    for (const rwkvt::TokenNgramLm* lm : {&full, &pruned}) {
        for (int trial = 0; trial < 50; ++trial) {
            const Gram history = random_history(rng, V, start);
            double sum = 0;
            for (int w = 1; w <= V; ++w) sum += std::exp(lm->log_prob(history.data(), history.size(), w));
            CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
        }
    }
    // Pruning moves mass to the backoff: a pruned model differs from the full one on some n-gram.
    double largest_change = 0;
    for (int trial = 0; trial < 50; ++trial) {
        const Gram history = random_history(rng, V, start);
        for (int w = 1; w <= V; ++w)
            largest_change = std::max(largest_change, std::fabs(full.log_prob(history.data(), history.size(), w) -
                                                                pruned.log_prob(history.data(), history.size(), w)));
    }
    CHECK(largest_change > 1e-3);
}

TEST_CASE("token n-gram model file round-trips; missing, truncated, corrupt and foreign files are refused") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    rwkvt::test::ScratchDir dir;
    const int V = 16, start = 0;
    const rwkvt::TokenNgramLm lm = rwkvt::estimate_kneser_ney(random_corpus(rng, V, start, 80), V, start, 0xABCDEF, {3, {0, 1, 2}});
    const std::string path = dir.file("lm.bin");
    lm.write(path);
    CHECK(dir.entries() == 1);  // no temporary file left
    const rwkvt::TokenNgramLm back = rwkvt::TokenNgramLm::read(path);
    CHECK(back.order() == 3);
    CHECK(back.vocab_size() == V);
    CHECK(back.tokenizer_fingerprint() == 0xABCDEF);
    for (int trial = 0; trial < 20; ++trial) {
        const Gram history = random_history(rng, V, start);
        for (int w = 1; w <= V; ++w) CHECK(back.log_prob(history.data(), history.size(), w) == lm.log_prob(history.data(), history.size(), w));
    }

    const std::string bytes = rwkvt::test::read_bytes(path);
    auto write_bytes = [&](const std::string& name, const std::string& content) {
        std::ofstream(dir.file(name), std::ios::binary) << content;
        return dir.file(name);
    };
    CHECK_THROWS_WITH_AS(rwkvt::TokenNgramLm::read(dir.file("missing.bin")), doctest::Contains("cannot open"), std::runtime_error);
    CHECK_THROWS_WITH_AS(rwkvt::TokenNgramLm::read(write_bytes("short.bin", bytes.substr(0, bytes.size() / 2))), doctest::Contains("n-gram model file"),
                         std::runtime_error);
    std::string flipped = bytes;
    flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x10);
    CHECK_THROWS_WITH_AS(rwkvt::TokenNgramLm::read(write_bytes("flipped.bin", flipped)), doctest::Contains("corrupt"), std::runtime_error);
    CHECK_THROWS_WITH_AS(rwkvt::TokenNgramLm::read(write_bytes("other.bin", "not a model at all, just text")), doctest::Contains("not an rwkvt n-gram"),
                         std::runtime_error);
}

TEST_CASE("token n-gram estimation refuses ids outside the vocabulary and bad options") {
    CHECK_THROWS_AS(rwkvt::estimate_kneser_ney({{1, 2, 16}}, 16, 0, 0, {3, {}}), std::invalid_argument);
    CHECK_THROWS_AS(rwkvt::estimate_kneser_ney({{1, 0, 2}}, 16, 0, 0, {3, {}}), std::invalid_argument);  // the start symbol
    CHECK_THROWS_AS(rwkvt::estimate_kneser_ney({{1, 2}}, 16, 0, 0, {5, {}}), std::invalid_argument);
    CHECK_THROWS_AS(rwkvt::estimate_kneser_ney({{1, 2}}, 16, 0, 0, {3, {0, 3, 2}}), std::invalid_argument);
}
