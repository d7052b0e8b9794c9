#include "encode_text.hpp"

#include <stdexcept>

#include "base64.hpp"
#include "sentencepiece_model.hpp"

namespace rwkvt {

namespace {

// The tokenizer as Tokenizer::encode needs it. Tokenizers trained before the piece scores were
// stored in the JSON carry them only inside the SentencePiece model: take them from there. Either
// way the pieces must be the model's, in the model's order, or ids would mean different pieces to
// the encoder and the decoder.
Tokenizer checked_tokenizer(const Tokenizer& tokenizer) {
    if (tokenizer.kind() == "char") return tokenizer;
    if (tokenizer.sentencepiece_model().empty()) {
        if (tokenizer.scores().empty())
            throw std::runtime_error("the " + tokenizer.kind() + " tokenizer carries neither piece scores nor a SentencePiece model");
        return tokenizer;
    }
    const auto model = read_sentencepiece_pieces(base64_decode(tokenizer.sentencepiece_model()));
    if (static_cast<int>(model.size()) != tokenizer.vocab_size())
        throw std::runtime_error("the tokenizer's SentencePiece model has " + std::to_string(model.size()) +
                                 " pieces but its piece list has " + std::to_string(tokenizer.vocab_size()));
    std::vector<float> scores;
    for (int id = 0; id < tokenizer.vocab_size(); ++id) {
        if (model[id].piece != tokenizer.pieces()[id])
            throw std::runtime_error("the tokenizer's SentencePiece model and piece list differ at id " + std::to_string(id));
        scores.push_back(model[id].score);
    }
    if (!tokenizer.scores().empty()) {
        if (tokenizer.scores() != scores)
            throw std::runtime_error("the tokenizer's piece scores differ from its SentencePiece model's");
        return tokenizer;
    }
    return Tokenizer::sentencepiece(tokenizer.kind(), tokenizer.pieces(), std::move(scores), tokenizer.blank_id(),
                                    tokenizer.sentencepiece_model());
}

}  // namespace

TextEncoder::TextEncoder(const Tokenizer& tokenizer) : tokenizer_(checked_tokenizer(tokenizer)) {}

TextEncoder::~TextEncoder() = default;
TextEncoder::TextEncoder(TextEncoder&&) noexcept = default;
TextEncoder& TextEncoder::operator=(TextEncoder&&) noexcept = default;

std::vector<int> TextEncoder::encode(const std::string& text) const {
    const std::vector<int> ids = tokenizer_.encode(text);
    for (int id : ids)
        if (id == tokenizer_.unk_id() || id == tokenizer_.blank_id())
            throw std::runtime_error("text has characters the tokenizer cannot encode: \"" + text + "\"");
    return ids;
}

std::vector<int> encode_text(const Tokenizer& tokenizer, const std::string& text) {
    return TextEncoder(tokenizer).encode(text);
}

}  // namespace rwkvt
