#include "tokenizer.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace rwkvt {

namespace {
const std::string kWordBoundary = "\xE2\x96\x81";  // U+2581, SentencePiece's word-boundary mark
bool is_placeholder(const std::string& piece) { return piece.size() > 2 && piece.front() == '<' && piece.back() == '>'; }
}  // namespace

Tokenizer Tokenizer::characters(int vocab_size, int blank_id) {
    std::vector<std::string> symbols = {" ", "'"};
    for (char c = 'a'; c <= 'z'; ++c) symbols.emplace_back(1, c);
    if (vocab_size < static_cast<int>(symbols.size()) + 1)
        throw std::runtime_error("a character tokenizer needs vocab_size >= " + std::to_string(symbols.size() + 1));
    if (blank_id < 0 || blank_id >= vocab_size) throw std::runtime_error("blank_id out of range");
    Tokenizer t;
    t.kind_ = "char";
    t.blank_id_ = blank_id;
    size_t next = 0;
    for (int id = 0; id < vocab_size; ++id) {
        if (id == blank_id) t.pieces_.push_back("<blank>");
        else if (next < symbols.size()) t.pieces_.push_back(symbols[next++]);
        else t.pieces_.push_back("<unused" + std::to_string(id) + ">");
    }
    return t;
}

Tokenizer Tokenizer::sentencepiece(const std::string& kind, std::vector<std::string> pieces, int blank_id,
                                   std::string model_base64) {
    if (kind != "bpe" && kind != "unigram") throw std::runtime_error("a SentencePiece tokenizer is bpe or unigram, not " + kind);
    if (blank_id < 0 || blank_id >= static_cast<int>(pieces.size())) throw std::runtime_error("blank_id out of range");
    if (pieces[blank_id] != "<blank>") throw std::runtime_error("the blank piece must be \"<blank>\"");
    if (model_base64.empty()) throw std::runtime_error("a SentencePiece tokenizer needs its model");
    Tokenizer t;
    t.kind_ = kind;
    t.pieces_ = std::move(pieces);
    t.blank_id_ = blank_id;
    t.sentencepiece_model_ = std::move(model_base64);
    return t;
}

Tokenizer Tokenizer::from_json(const std::string& text) {
    Tokenizer t;
    try {
        const auto j = nlohmann::json::parse(text);
        t.kind_ = j.at("kind").get<std::string>();
        t.pieces_ = j.at("pieces").get<std::vector<std::string>>();
        t.blank_id_ = j.at("blank_id").get<int>();
        if (j.contains("sentencepiece_model")) t.sentencepiece_model_ = j.at("sentencepiece_model").get<std::string>();
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("tokenizer metadata is malformed: ") + e.what());
    }
    if (t.kind_ != "char" && t.kind_ != "bpe" && t.kind_ != "unigram")
        throw std::runtime_error("tokenizer kind '" + t.kind_ + "' is not char, bpe or unigram");
    if (t.blank_id_ < 0 || t.blank_id_ >= t.vocab_size())
        throw std::runtime_error("tokenizer blank_id is out of range");
    return t;
}

std::string Tokenizer::to_json() const {
    nlohmann::json j;
    j["kind"] = kind_;
    j["pieces"] = pieces_;
    j["blank_id"] = blank_id_;
    if (!sentencepiece_model_.empty()) j["sentencepiece_model"] = sentencepiece_model_;
    return j.dump();
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    std::string text;
    for (int id : ids) {
        if (id < 0 || id >= vocab_size() || id == blank_id_) continue;
        const std::string& piece = pieces_[id];
        if (is_placeholder(piece)) continue;
        if (kind_ == "char") {
            text += piece;
            continue;
        }
        size_t pos = 0;
        while (pos < piece.size()) {
            if (piece.compare(pos, kWordBoundary.size(), kWordBoundary) == 0) {
                text += ' ';
                pos += kWordBoundary.size();
            } else {
                text += piece[pos++];
            }
        }
    }
    // Collapse the leading/trailing/double spaces that word-boundary pieces leave.
    std::string out;
    for (char ch : text) {
        if (ch == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += ch;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
    if (kind_ != "char") throw std::runtime_error("encoding with a " + kind_ + " tokenizer needs SentencePiece");
    std::vector<int> ids;
    for (char ch : text) {
        int found = -1;
        for (int id = 0; id < vocab_size() && found < 0; ++id)
            if (id != blank_id_ && pieces_[id].size() == 1 && pieces_[id][0] == ch) found = id;
        if (found < 0) throw std::runtime_error(std::string("character '") + ch + "' has no token");
        ids.push_back(found);
    }
    return ids;
}

}  // namespace rwkvt
