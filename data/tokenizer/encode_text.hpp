// Text -> token ids for every tokenizer kind: thin wrappers over Tokenizer::encode that refuse
// text the tokenizer cannot represent (the trainer's targets must never contain <unk>).
#pragma once

#include <string>
#include <vector>

#include "tokenizer.hpp"

namespace rwkvt {

// Checks the tokenizer once; use it to encode many sentences.
class TextEncoder {
public:
    // Throws std::runtime_error if a bpe/unigram tokenizer has no piece scores (and no SentencePiece
    // model to take them from), or if its pieces differ from the SentencePiece model it carries.
    explicit TextEncoder(const Tokenizer& tokenizer);
    ~TextEncoder();
    TextEncoder(TextEncoder&&) noexcept;
    TextEncoder& operator=(TextEncoder&&) noexcept;

    // Ids of normalised text (as normalize_text makes it). Never the blank. Throws
    // std::runtime_error for text the tokenizer cannot represent (a character with no piece).
    std::vector<int> encode(const std::string& text) const;

private:
    Tokenizer tokenizer_;
};

// One-off encoding (checks the tokenizer each call; use TextEncoder in loops).
std::vector<int> encode_text(const Tokenizer& tokenizer, const std::string& text);

}  // namespace rwkvt
