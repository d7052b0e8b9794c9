// Tokenizer training (data/tokenizer): SentencePiece bpe/unigram and char tokenizers with the blank
// at id 0; encode then decode gives the normalised text back; the JSON round trip keeps the model.
#include <doctest/doctest.h>

#include <random>

#include "base64.hpp"
#include "encode_text.hpp"
#include "model/scratch.hpp"
#include "normalize.hpp"
#include "train_tokenizer.hpp"

namespace {

// Random sentences over a small vocabulary, normalised like training text.
std::vector<std::string> make_text(uint64_t seed, int count) {
    static const char* const kWords[] = {"the",   "cat",   "sat",  "on",     "mat",  "a",     "dog",   "ran",
                                         "queue", "brown", "fog",  "jumps",  "over", "lazy",  "don't", "we",
                                         "will",  "never", "know", "twenty", "one",  "house", "light", "zebra"};
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> word(0, std::size(kWords) - 1), length(3, 10);
    std::vector<std::string> out;
    for (int k = 0; k < count; ++k) {
        std::string s;
        for (int n = length(rng); n > 0; --n) s += std::string(s.empty() ? "" : " ") + kWords[word(rng)];
        out.push_back(rwkvt::normalize_text(s));
    }
    return out;
}

void check_round_trip(const rwkvt::Tokenizer& tokenizer, const std::vector<std::string>& text) {
    const rwkvt::TextEncoder encoder(tokenizer);
    for (const auto& s : text) {
        const auto ids = encoder.encode(s);
        CHECK_FALSE(ids.empty());
        for (int id : ids) {
            CHECK(id != tokenizer.blank_id());
            CHECK(id < tokenizer.vocab_size());
        }
        CHECK(tokenizer.decode(ids) == s);
    }
}

}  // namespace

TEST_CASE("tokenizer training: bpe, unigram and char round trip with the blank at id 0") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    const auto train = make_text(seed, 2000), test = make_text(seed + 1, 200);
    for (const char* kind : {"bpe", "unigram", "char"}) {
        INFO("kind " << kind);
        rwkvt::TokenizerTrainingOptions options;
        options.kind = kind;
        options.vocab_size = std::string(kind) == "char" ? 29 : 64;
        const auto tokenizer = rwkvt::train_tokenizer(train, options);
        CHECK(tokenizer.kind() == kind);
        CHECK(tokenizer.vocab_size() == options.vocab_size);
        CHECK(tokenizer.blank_id() == 0);
        CHECK(tokenizer.pieces()[0] == "<blank>");
        check_round_trip(tokenizer, test);
        // The JSON in the model file carries everything encoding needs.
        const auto reloaded = rwkvt::Tokenizer::from_json(tokenizer.to_json());
        CHECK(reloaded.pieces() == tokenizer.pieces());
        CHECK(reloaded.sentencepiece_model() == tokenizer.sentencepiece_model());
        check_round_trip(reloaded, {test[0], test[1]});
        CHECK(rwkvt::encode_text(reloaded, test[0]) == rwkvt::TextEncoder(tokenizer).encode(test[0]));
    }
}

TEST_CASE("tokenizer training: errors") {
    rwkvt::TokenizerTrainingOptions options;
    options.kind = "bpe";
    options.vocab_size = 64;
    const auto text = make_text(7, 500);
    const auto tokenizer = rwkvt::train_tokenizer(text, options);
    // 'x' never occurs in the training text: no piece can spell it.
    CHECK_THROWS_AS(rwkvt::encode_text(tokenizer, "exit"), std::runtime_error);
    options.kind = "wordpiece";
    CHECK_THROWS_AS(rwkvt::train_tokenizer(text, options), std::runtime_error);
    options.kind = "unigram";
    options.vocab_size = 100000;  // far more pieces than the text has
    CHECK_THROWS_AS(rwkvt::train_tokenizer(text, options), std::runtime_error);
    CHECK_THROWS_AS(rwkvt::train_tokenizer_from_file("/nonexistent.txt", options), std::runtime_error);
    // A tokenizer whose pieces do not match its model is refused.
    auto pieces = tokenizer.pieces();
    std::swap(pieces[2], pieces[3]);
    const auto broken = rwkvt::Tokenizer::sentencepiece("bpe", pieces, 0, tokenizer.sentencepiece_model());
    CHECK_THROWS_AS(rwkvt::TextEncoder{broken}, std::runtime_error);
}

TEST_CASE("base64 round trips random bytes") {
    std::mt19937 rng(3);
    for (int n = 0; n < 40; ++n) {
        std::string bytes;
        for (int k = 0; k < n; ++k) bytes += static_cast<char>(rng() & 0xFF);
        CHECK(rwkvt::base64_decode(rwkvt::base64_encode(bytes)) == bytes);
    }
    CHECK(rwkvt::base64_encode("Man") == "TWFu");
    CHECK(rwkvt::base64_encode("Ma") == "TWE=");
    CHECK_THROWS_AS(rwkvt::base64_decode("TWE"), std::runtime_error);
    CHECK_THROWS_AS(rwkvt::base64_decode("T=Fu"), std::runtime_error);
}
