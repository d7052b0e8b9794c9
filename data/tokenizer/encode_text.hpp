// Text -> token ids for every tokenizer kind. The char kind needs only the pieces; bpe/unigram run
// the SentencePiece model carried in the tokenizer. Kept out of the inference library (which only
// decodes) so that it never links SentencePiece.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tokenizer.hpp"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace rwkvt {

// Loads the SentencePiece model once; use it to encode many sentences.
class TextEncoder {
public:
    // Throws std::runtime_error if the tokenizer's SentencePiece model is missing or unreadable, or
    // its pieces differ from the tokenizer's.
    explicit TextEncoder(const Tokenizer& tokenizer);
    ~TextEncoder();
    TextEncoder(TextEncoder&&) noexcept;
    TextEncoder& operator=(TextEncoder&&) noexcept;

    // Ids of normalised text (as normalize_text makes it). Never the blank. Throws
    // std::runtime_error for text the tokenizer cannot represent (a character with no piece).
    std::vector<int> encode(const std::string& text) const;

private:
    Tokenizer tokenizer_;
    std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;  // bpe/unigram only
};

// One-off encoding (loads the SentencePiece model each call; use TextEncoder in loops).
std::vector<int> encode_text(const Tokenizer& tokenizer, const std::string& text);

}  // namespace rwkvt
