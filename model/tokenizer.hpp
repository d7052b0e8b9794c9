// Token ids <-> text. The tokenizer travels inside the model file (metadata key "tokenizer", JSON).
// Kinds: "char" (one piece per character; blank, space, apostrophe, letters) and SentencePiece
// models ("bpe", "unigram"; pieces use U+2581 for a word boundary).
#pragma once

#include <string>
#include <vector>

namespace rwkvt {

class Tokenizer {
public:
    Tokenizer() = default;
    // The character tokenizer over blank, space, apostrophe and a-z, padded to vocab_size pieces
    // with unused "<unusedN>" pieces when vocab_size > 29. blank_id gets the piece "<blank>".
    static Tokenizer characters(int vocab_size, int blank_id);
    // A SentencePiece tokenizer ("bpe" or "unigram"): `pieces` in id order, pieces[blank_id] ==
    // "<blank>", and the serialized SentencePiece model proto as base64. Made by the trainer in
    // data/tokenizer; encoding needs SentencePiece and lives there too (encode_text), so the
    // inference library never links it.
    static Tokenizer sentencepiece(const std::string& kind, std::vector<std::string> pieces, int blank_id,
                                   std::string model_base64);
    static Tokenizer from_json(const std::string& json);
    std::string to_json() const;

    const std::string& kind() const { return kind_; }
    int vocab_size() const { return static_cast<int>(pieces_.size()); }
    int blank_id() const { return blank_id_; }
    const std::vector<std::string>& pieces() const { return pieces_; }
    // Base64 of the serialized SentencePiece model ("" for the char kind).
    const std::string& sentencepiece_model() const { return sentencepiece_model_; }

    // Text of a token sequence (blank ids and unused pieces are skipped).
    std::string decode(const std::vector<int>& ids) const;
    // Ids of normalised text (lower-case letters, apostrophes, single spaces). Characters with no
    // piece throw std::runtime_error. Only the char kind encodes here; SentencePiece kinds throw:
    // use encode_text (data/tokenizer/encode_text.hpp, library rwkvt_text) for every kind.
    std::vector<int> encode(const std::string& text) const;

private:
    std::string kind_ = "char";
    std::vector<std::string> pieces_;
    int blank_id_ = 0;
    std::string sentencepiece_model_;  // serialized SentencePiece model (bpe/unigram kinds)
};

}  // namespace rwkvt
