// WER/CER scoring (eval/): the aligner against a brute-force recursive edit distance, S/D/I
// bookkeeping, normalisation of both sides, and rates.
#include <doctest/doctest.h>

#include <functional>
#include <random>

#include "edit_distance.hpp"
#include "model/scratch.hpp"
#include "scoring.hpp"

namespace {

// Edit distance by plain recursion over the three last-element choices: obviously right, slow.
long brute_distance(const std::string& a, const std::string& b) {
    if (a.empty()) return static_cast<long>(b.size());
    if (b.empty()) return static_cast<long>(a.size());
    const std::string a1 = a.substr(0, a.size() - 1), b1 = b.substr(0, b.size() - 1);
    return std::min({brute_distance(a1, b1) + (a.back() == b.back() ? 0 : 1), brute_distance(a1, b) + 1,
                     brute_distance(a, b1) + 1});
}

}  // namespace

TEST_CASE("edit distance equals brute force on random short strings") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> length(0, 6), letter(0, 2);
    for (int trial = 0; trial < 500; ++trial) {
        std::string a, b;
        for (int n = length(rng); n > 0; --n) a += static_cast<char>('a' + letter(rng));
        for (int n = length(rng); n > 0; --n) b += static_cast<char>('a' + letter(rng));
        INFO(a << " -> " << b);
        const auto c = rwkvt::align_counts(std::vector<char>(a.begin(), a.end()), std::vector<char>(b.begin(), b.end()));
        CHECK(c.substitutions + c.deletions + c.insertions == brute_distance(a, b));
        // The counts describe an alignment: every reference element is matched, substituted or deleted.
        CHECK(static_cast<long>(a.size()) - c.deletions + c.insertions == static_cast<long>(b.size()));
        CHECK(c.substitutions + c.deletions <= static_cast<long>(a.size()));
    }
}

TEST_CASE("word errors: substitutions, deletions, insertions") {
    auto e = rwkvt::word_errors("the cat sat on the mat", "the cat sit on mat");
    CHECK(e.substitutions == 1);
    CHECK(e.deletions == 1);
    CHECK(e.insertions == 0);
    CHECK(e.reference_length == 6);
    CHECK(e.rate() == doctest::Approx(2.0 / 6));
    e = rwkvt::word_errors("a b", "a b c");
    CHECK(e.insertions == 1);
    CHECK(e.errors() == 1);
    CHECK(rwkvt::word_errors("same words", "same words").errors() == 0);
}

TEST_CASE("scoring normalises both sides the same way") {
    CHECK(rwkvt::normalize_for_scoring("Dr. Smith paid $5, didn't he?") == "doctor smith paid five dollars didn't he");
    CHECK(rwkvt::word_errors("Dr. Smith paid $5.", "doctor smith paid five dollars").errors() == 0);
    CHECK(rwkvt::word_errors("It's 1984!", "its nineteen eighty four").substitutions == 1);
}

TEST_CASE("character errors include the spaces between words") {
    auto e = rwkvt::char_errors("abc", "abd");
    CHECK(e.substitutions == 1);
    CHECK(e.reference_length == 3);
    e = rwkvt::char_errors("a b", "ab");
    CHECK(e.deletions == 1);
    CHECK(e.reference_length == 3);
    CHECK(rwkvt::char_errors("Hello, World", "hello world").errors() == 0);
}

TEST_CASE("rates: empty references and sums over utterances") {
    CHECK(rwkvt::word_errors("", "").rate() == 0.0);
    CHECK(rwkvt::word_errors("", "two words").rate() == 2.0);
    rwkvt::ErrorCounts total;
    total += rwkvt::word_errors("one two three four", "one two three four");
    total += rwkvt::word_errors("one two", "one");
    CHECK(total.reference_length == 6);
    CHECK(total.deletions == 1);
    CHECK(total.rate() == doctest::Approx(1.0 / 6));
}
