// Tokenizer training (data/tokenizer): SentencePiece bpe/unigram and char tokenizers with the blank
// at id 0; encode then decode gives the normalised text back; the JSON round trip keeps the model;
// Tokenizer::encode gives exactly the ids spm_encode gives for the same trained model.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "base64.hpp"
#include "encode_text.hpp"
#include "model/scratch.hpp"
#include "normalize.hpp"
#include "rwkvt/data/external_program.hpp"
#include "sentencepiece_model.hpp"
#include "train_tokenizer.hpp"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

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
        CHECK(reloaded.scores() == tokenizer.scores());
        CHECK(reloaded.encode(test[2]) == tokenizer.encode(test[2]));
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
    const auto broken = rwkvt::Tokenizer::sentencepiece("bpe", pieces, tokenizer.scores(), 0, tokenizer.sentencepiece_model());
    CHECK_THROWS_AS(rwkvt::TextEncoder{broken}, std::runtime_error);
    // Scores must come one per piece.
    CHECK_THROWS_AS(rwkvt::Tokenizer::sentencepiece("bpe", tokenizer.pieces(), {}, 0, tokenizer.sentencepiece_model()),
                    std::runtime_error);
    // Placeholder tokenizers (rwkvt init) have no scores and cannot encode.
    auto placeholder = nlohmann::json::parse(tokenizer.to_json());
    placeholder.erase("scores");
    placeholder.erase("sentencepiece_model");
    CHECK_THROWS_AS(rwkvt::Tokenizer::from_json(placeholder.dump()).encode("the cat"), std::runtime_error);
}

TEST_CASE("tokenizer: JSON from before scores were stored still encodes through the model it carries") {
    rwkvt::TokenizerTrainingOptions options;
    options.kind = "unigram";
    options.vocab_size = 40;  // 500 short sentences support few more than 50 pieces
    const auto text = make_text(11, 500);
    const auto tokenizer = rwkvt::train_tokenizer(text, options);
    auto old_json = nlohmann::json::parse(tokenizer.to_json());
    old_json.erase("scores");
    const auto old = rwkvt::Tokenizer::from_json(old_json.dump());
    CHECK(old.scores().empty());
    CHECK_THROWS_AS(old.encode(text[0]), std::runtime_error);
    for (int k = 0; k < 20; ++k) CHECK(rwkvt::encode_text(old, text[k]) == tokenizer.encode(text[k]));
}

namespace {

// Sentences that stress segmentation: words of the training vocabulary, pseudo-words made of
// random syllables, letters never seen in training (<unk>), and untidy spaces.
std::vector<std::string> make_probe_text(uint64_t seed, int count) {
    static const char* const kWords[] = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran", "queue", "brown",
                                         "fog", "jumps", "over", "lazy", "don't", "we", "will", "never", "know",
                                         "twenty", "one", "house", "light", "zebra", "thecat", "mats", "ondog",
                                         "xylophone", "vex", "quiz", "knowledge", "'tis", "ow", "tt", "e"};
    static const char* const kSyllables[] = {"th", "e", "ca", "t", "sa", "on", "ma", "do", "g", "ra", "n", "qu",
                                             "eue", "br", "own", "fo", "ju", "mps", "ov", "er", "la", "zy", "'",
                                             "wi", "ll", "ne", "ve", "kn", "ow", "tw", "en", "ty", "hou", "se",
                                             "li", "ght", "ze", "bra", "x", "v"};
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> word(0, std::size(kWords) - 1), syllable(0, std::size(kSyllables) - 1),
        length(1, 12), syllables(1, 6), kind(0, 9);
    std::vector<std::string> out;
    for (int k = 0; k < count; ++k) {
        std::string s;
        for (int n = length(rng); n > 0; --n) {
            std::string w;
            if (kind(rng) < 6) w = kWords[word(rng)];
            else
                for (int m = syllables(rng); m > 0; --m) w += kSyllables[syllable(rng)];
            s += (s.empty() ? "" : kind(rng) == 0 ? "  " : " ") + w;
        }
        if (k % 17 == 0) s = " " + s + " ";  // SentencePiece trims and collapses spaces
        out.push_back(s);
    }
    return out;
}

// The text with spaces trimmed at both ends and runs of them made one, as decoding gives it back.
std::string collapse_spaces(const std::string& text) {
    std::istringstream words(text);
    std::string word, out;
    while (words >> word) out += (out.empty() ? "" : " ") + word;
    return out;
}

// The ids spm_encode gives for each sentence, with the tokenizer's own SentencePiece model.
std::vector<std::vector<int>> spm_encode_ids(const rwkvt::Tokenizer& tokenizer, const std::vector<std::string>& text) {
    const rwkvt::test::ScratchDir dir;
    {
        std::ofstream model(dir.file("tok.model"), std::ios::binary);
        model << rwkvt::base64_decode(tokenizer.sentencepiece_model());
        std::ofstream input(dir.file("input.txt"));
        for (const auto& s : text) input << s << '\n';
    }
    const auto result = rwkvt::data::run_program(
        {"spm_encode", "--model=" + dir.file("tok.model"), "--output_format=id"}, dir.file("input.txt"),
        dir.file("stderr.txt"), dir.file("output.txt"));
    REQUIRE_MESSAGE(result.exit_code == 0, "spm_encode failed: " << result.stderr_tail);
    std::vector<std::vector<int>> ids;
    std::ifstream output(dir.file("output.txt"));
    std::string line;
    while (std::getline(output, line)) {
        std::istringstream fields(line);
        ids.emplace_back(std::istream_iterator<int>(fields), std::istream_iterator<int>());
    }
    return ids;
}

}  // namespace

TEST_CASE("tokenizer: bpe and unigram encoding equals spm_encode's") {
    REQUIRE_MESSAGE(!rwkvt::data::find_program("spm_encode").empty(), "spm_encode (package sentencepiece) is missing");
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    // Two training texts: the test's small word list (few, whole-word pieces) and pseudo-words
    // (many sub-word pieces, so segmentation choices really matter).
    std::vector<std::string> pseudo_words;
    for (const auto& s : make_probe_text(seed + 2, 3000)) pseudo_words.push_back(rwkvt::normalize_text(s));
    const std::vector<std::pair<std::vector<std::string>, int>> trainings = {{make_text(seed, 2000), 64},
                                                                            {pseudo_words, 150}};
    const auto probe = make_probe_text(seed + 3, 400);
    int unknown_seen = 0;
    for (const auto& [train, vocab_size] : trainings) {
        for (const char* kind : {"bpe", "unigram"}) {
            INFO("kind " << kind << ", vocab " << vocab_size);
            rwkvt::TokenizerTrainingOptions options;
            options.kind = kind;
            options.vocab_size = vocab_size;
            const auto tokenizer = rwkvt::train_tokenizer(train, options);
            const auto expected = spm_encode_ids(tokenizer, probe);
            REQUIRE(expected.size() == probe.size());
            int mismatches = 0;
            for (size_t k = 0; k < probe.size(); ++k) {
                const auto ids = tokenizer.encode(probe[k]);
                if (ids != expected[k] && ++mismatches <= 5) CHECK_MESSAGE(ids == expected[k], "sentence \"" << probe[k] << "\"");
                for (int id : ids) unknown_seen += id == tokenizer.unk_id();
                // Round trip whenever every character has a piece.
                if (std::find(ids.begin(), ids.end(), tokenizer.unk_id()) == ids.end())
                    CHECK(tokenizer.decode(ids) == collapse_spaces(probe[k]));
            }
            CHECK(mismatches == 0);
            CHECK(tokenizer.encode("").empty());
            CHECK(tokenizer.encode("   ").empty());
        }
    }
    CHECK(unknown_seen > 0);  // the probes did exercise <unk>
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
