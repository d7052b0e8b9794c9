#include "encode_text.hpp"

#include <stdexcept>

#include <sentencepiece_processor.h>

#include "base64.hpp"

namespace rwkvt {

TextEncoder::TextEncoder(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {
    if (tokenizer.kind() == "char") return;
    if (tokenizer.sentencepiece_model().empty())
        throw std::runtime_error("the " + tokenizer.kind() + " tokenizer carries no SentencePiece model");
    processor_ = std::make_unique<sentencepiece::SentencePieceProcessor>();
    const auto status = processor_->LoadFromSerializedProto(base64_decode(tokenizer.sentencepiece_model()));
    if (!status.ok()) throw std::runtime_error("the tokenizer's SentencePiece model is unreadable: " + status.ToString());
    // Ids must mean the same pieces for the encoder (SentencePiece) and the decoder (the pieces list).
    if (processor_->GetPieceSize() != tokenizer.vocab_size())
        throw std::runtime_error("the tokenizer's SentencePiece model has " + std::to_string(processor_->GetPieceSize()) +
                                 " pieces but its piece list has " + std::to_string(tokenizer.vocab_size()));
    for (int id = 0; id < tokenizer.vocab_size(); ++id)
        if (processor_->IdToPiece(id) != tokenizer.pieces()[id])
            throw std::runtime_error("the tokenizer's SentencePiece model and piece list differ at id " + std::to_string(id));
}

TextEncoder::~TextEncoder() = default;
TextEncoder::TextEncoder(TextEncoder&&) noexcept = default;
TextEncoder& TextEncoder::operator=(TextEncoder&&) noexcept = default;

std::vector<int> TextEncoder::encode(const std::string& text) const {
    if (!processor_) return tokenizer_.encode(text);
    std::vector<int> ids;
    const auto status = processor_->Encode(text, &ids);
    if (!status.ok()) throw std::runtime_error("SentencePiece encoding failed: " + status.ToString());
    for (int id : ids)
        if (processor_->IsUnknown(id) || id == tokenizer_.blank_id())
            throw std::runtime_error("text has characters the tokenizer cannot encode: \"" + text + "\"");
    return ids;
}

std::vector<int> encode_text(const Tokenizer& tokenizer, const std::string& text) {
    return TextEncoder(tokenizer).encode(text);
}

}  // namespace rwkvt
