// Token ids <-> text. The tokenizer travels inside the model file (metadata key "tokenizer", JSON).
// Kinds: "char" (one piece per character; blank, space, apostrophe, letters) and SentencePiece
// models ("bpe", "unigram"; pieces use U+2581 for a word boundary). Every kind encodes here, with
// no SentencePiece library: bpe and unigram segment with the piece scores stored in the JSON.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace rwkvt {

class Tokenizer {
public:
    Tokenizer() = default;
    // The character tokenizer over blank, space, apostrophe and a-z, padded to vocab_size pieces
    // with unused "<unusedN>" pieces when vocab_size > 29. blank_id gets the piece "<blank>".
    static Tokenizer characters(int vocab_size, int blank_id);
    // A SentencePiece tokenizer ("bpe" or "unigram"): `pieces` in id order with their `scores`
    // (SentencePiece's log probabilities for unigram, merge priorities for bpe), pieces[blank_id]
    // == "<blank>", and the serialized SentencePiece model proto as base64 (kept so the exact model
    // can be handed back to SentencePiece's tools). Made by the trainer in data/tokenizer.
    static Tokenizer sentencepiece(const std::string& kind, std::vector<std::string> pieces, std::vector<float> scores,
                                   int blank_id, std::string model_base64);
    // JSON without "scores" is accepted (char tokenizers, and bpe/unigram placeholders from
    // `rwkvt init` or tokenizers trained before scores were stored); such bpe/unigram tokenizers
    // decode but cannot encode.
    static Tokenizer from_json(const std::string& json);
    // from_json on a file's contents (a tokenizer as training configs and `rwkvt data ngram` name
    // it); throws std::runtime_error naming the file if it cannot be read or is not a tokenizer.
    static Tokenizer from_json_file(const std::string& path);
    std::string to_json() const;

    const std::string& kind() const { return kind_; }
    int vocab_size() const { return static_cast<int>(pieces_.size()); }
    int blank_id() const { return blank_id_; }
    const std::vector<std::string>& pieces() const { return pieces_; }
    // One score per piece for bpe/unigram; empty for the char kind (and for older JSON).
    const std::vector<float>& scores() const { return scores_; }
    // Base64 of the serialized SentencePiece model ("" for the char kind).
    const std::string& sentencepiece_model() const { return sentencepiece_model_; }
    // Id of the "<unk>" piece, or -1 (the char kind has none).
    int unk_id() const { return unk_id_; }

    // Text of a token sequence (blank ids and unused pieces are skipped).
    std::string decode(const std::vector<int>& ids) const;
    // Ids of normalised text (lower-case letters, apostrophes, single spaces), never the blank.
    // char: one id per character; a character with no piece throws std::runtime_error.
    // bpe/unigram: the ids `spm_encode --output_format=id` gives for the trained model; characters
    // no piece spells become unk_id() (a run of them one <unk>, as SentencePiece does). Throws
    // std::runtime_error if the tokenizer carries no scores.
    std::vector<int> encode(const std::string& text) const;

private:
    // Fills piece_ids_, unk_id_ and longest_piece_bytes_ from pieces_ (after any change to them).
    void index_pieces();
    std::vector<int> encode_characters(const std::string& text) const;
    std::vector<int> encode_unigram(const std::vector<std::string>& characters) const;
    std::vector<int> encode_bpe(const std::vector<std::string>& characters) const;
    // The id of a piece that text may be segmented into, or -1 (the blank and <unk> never match).
    int matchable_id(const std::string& piece) const;

    std::string kind_ = "char";
    std::vector<std::string> pieces_;
    std::vector<float> scores_;
    int blank_id_ = 0;
    std::string sentencepiece_model_;  // serialized SentencePiece model (bpe/unigram kinds)
    std::unordered_map<std::string, int> piece_ids_;  // piece -> id, for segmentation
    int unk_id_ = -1;
    size_t longest_piece_bytes_ = 0;
    float unk_score_ = 0.0f;  // unigram: the score of an <unk> stand-in for one character
};

}  // namespace rwkvt
