#include "tokenizer.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace rwkvt {

namespace {
const std::string kWordBoundary = "\xE2\x96\x81";  // U+2581, SentencePiece's word-boundary mark
bool is_placeholder(const std::string& piece) { return piece.size() > 2 && piece.front() == '<' && piece.back() == '>'; }

// SentencePiece scores an unknown character this far below the lowest piece score, so that a
// segmentation uses <unk> only where no piece fits.
constexpr float kUnknownPenalty = 10.0f;

// Byte length of the UTF-8 character starting with `lead` (1 for a stray continuation or invalid
// byte, so that malformed text still advances).
size_t utf8_length(unsigned char lead) {
    if (lead >= 0xF0 && lead < 0xF8) return 4;
    if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
    if (lead >= 0xC0) return 2;
    return 1;
}

// The characters SentencePiece segments, given the options the trainer uses (identity
// normalisation, whose defaults remove_extra_whitespaces and add_dummy_prefix stay on): spaces
// trimmed at both ends and runs of them collapsed, each remaining space written as U+2581, and
// one U+2581 in front so the first word looks like every other. Empty text gives no characters.
std::vector<std::string> sentencepiece_characters(const std::string& text) {
    std::vector<std::string> characters;
    bool pending_space = false;
    for (size_t pos = 0; pos < text.size();) {
        if (text[pos] == ' ') {
            pending_space = !characters.empty();  // leading spaces vanish
            ++pos;
            continue;
        }
        if (characters.empty() || pending_space) characters.push_back(kWordBoundary);
        pending_space = false;  // trailing spaces vanish because nothing follows them
        const size_t length = std::min(utf8_length(static_cast<unsigned char>(text[pos])), text.size() - pos);
        characters.push_back(text.substr(pos, length));
        pos += length;
    }
    return characters;
}

// SentencePiece reports a run of unknown characters as a single <unk>; do the same so the ids
// equal spm_encode's.
std::vector<int> merge_unknown_runs(const std::vector<int>& ids, int unk_id) {
    std::vector<int> out;
    for (int id : ids)
        if (!(id == unk_id && !out.empty() && out.back() == unk_id)) out.push_back(id);
    return out;
}
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
    t.index_pieces();
    return t;
}

Tokenizer Tokenizer::sentencepiece(const std::string& kind, std::vector<std::string> pieces, std::vector<float> scores,
                                   int blank_id, std::string model_base64) {
    if (kind != "bpe" && kind != "unigram") throw std::runtime_error("a SentencePiece tokenizer is bpe or unigram, not " + kind);
    if (blank_id < 0 || blank_id >= static_cast<int>(pieces.size())) throw std::runtime_error("blank_id out of range");
    if (pieces[blank_id] != "<blank>") throw std::runtime_error("the blank piece must be \"<blank>\"");
    if (scores.size() != pieces.size())
        throw std::runtime_error("a SentencePiece tokenizer needs one score per piece (" + std::to_string(scores.size()) +
                                 " scores, " + std::to_string(pieces.size()) + " pieces)");
    if (model_base64.empty()) throw std::runtime_error("a SentencePiece tokenizer needs its model");
    Tokenizer t;
    t.kind_ = kind;
    t.pieces_ = std::move(pieces);
    t.scores_ = std::move(scores);
    t.blank_id_ = blank_id;
    t.sentencepiece_model_ = std::move(model_base64);
    t.index_pieces();
    return t;
}

Tokenizer Tokenizer::from_json(const std::string& text) {
    Tokenizer t;
    try {
        const auto j = nlohmann::json::parse(text);
        t.kind_ = j.at("kind").get<std::string>();
        t.pieces_ = j.at("pieces").get<std::vector<std::string>>();
        t.blank_id_ = j.at("blank_id").get<int>();
        if (j.contains("scores")) t.scores_ = j.at("scores").get<std::vector<float>>();
        if (j.contains("sentencepiece_model")) t.sentencepiece_model_ = j.at("sentencepiece_model").get<std::string>();
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("tokenizer metadata is malformed: ") + e.what());
    }
    if (t.kind_ != "char" && t.kind_ != "bpe" && t.kind_ != "unigram")
        throw std::runtime_error("tokenizer kind '" + t.kind_ + "' is not char, bpe or unigram");
    if (t.blank_id_ < 0 || t.blank_id_ >= t.vocab_size())
        throw std::runtime_error("tokenizer blank_id is out of range");
    if (!t.scores_.empty() && t.scores_.size() != t.pieces_.size())
        throw std::runtime_error("tokenizer metadata has " + std::to_string(t.scores_.size()) + " scores for " +
                                 std::to_string(t.pieces_.size()) + " pieces");
    t.index_pieces();
    return t;
}

Tokenizer Tokenizer::from_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open the tokenizer");
    std::stringstream json;
    json << in.rdbuf();
    try {
        return from_json(json.str());
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not a tokenizer (" + e.what() + ")");
    }
}

std::string Tokenizer::to_json() const {
    nlohmann::json j;
    j["kind"] = kind_;
    j["pieces"] = pieces_;
    j["blank_id"] = blank_id_;
    // Floats go through double, which JSON prints exactly enough to read back the same float.
    if (!scores_.empty()) j["scores"] = scores_;
    if (!sentencepiece_model_.empty()) j["sentencepiece_model"] = sentencepiece_model_;
    return j.dump();
}

void Tokenizer::index_pieces() {
    piece_ids_.clear();
    unk_id_ = -1;
    longest_piece_bytes_ = 0;
    float lowest_score = std::numeric_limits<float>::max();
    for (int id = 0; id < vocab_size(); ++id) {
        if (kind_ != "char" && pieces_[id] == "<unk>") unk_id_ = id;
        if (id == blank_id_ || id == unk_id_) continue;
        piece_ids_.emplace(pieces_[id], id);
        longest_piece_bytes_ = std::max(longest_piece_bytes_, pieces_[id].size());
        if (!scores_.empty()) lowest_score = std::min(lowest_score, scores_[id]);
    }
    unk_score_ = piece_ids_.empty() || scores_.empty() ? 0.0f : lowest_score - kUnknownPenalty;
}

int Tokenizer::matchable_id(const std::string& piece) const {
    const auto found = piece_ids_.find(piece);
    return found == piece_ids_.end() ? -1 : found->second;
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
    if (kind_ == "char") return encode_characters(text);
    if (scores_.empty())
        throw std::runtime_error("this " + kind_ + " tokenizer carries no piece scores, so it cannot encode; train it "
                                 "with `rwkvt data tokenizer`");
    const std::vector<std::string> characters = sentencepiece_characters(text);
    const std::vector<int> ids = kind_ == "unigram" ? encode_unigram(characters) : encode_bpe(characters);
    return merge_unknown_runs(ids, unk_id_);
}

std::vector<int> Tokenizer::encode_characters(const std::string& text) const {
    std::vector<int> ids;
    for (char ch : text) {
        const int id = matchable_id(std::string(1, ch));
        if (id < 0) throw std::runtime_error(std::string("character '") + ch + "' has no token");
        ids.push_back(id);
    }
    return ids;
}

// Unigram: the segmentation whose pieces' scores (log probabilities) sum highest, by dynamic
// programming over character boundaries. Sums are kept in float, and a later candidate replaces an
// earlier one only if strictly better, so near-ties resolve the way SentencePiece resolves them.
std::vector<int> Tokenizer::encode_unigram(const std::vector<std::string>& characters) const {
    struct BestPath {
        float score = 0.0f;
        int start = -1;  // boundary where the last piece begins; -1: not reached yet
        int id = -1;     // that piece
    };
    const int n = static_cast<int>(characters.size());
    std::vector<BestPath> best(n + 1);
    auto offer = [&](int end, float score, int start, int id) {
        if (best[end].start < 0 || score > best[end].score) best[end] = {score, start, id};
    };
    for (int start = 0; start < n; ++start) {
        if (start > 0 && best[start].start < 0) continue;  // unreachable (cannot happen: <unk> covers any character)
        const float score_so_far = best[start].score;
        bool single_character_piece = false;
        std::string piece;
        for (int end = start + 1; end <= n; ++end) {
            piece += characters[end - 1];
            if (piece.size() > longest_piece_bytes_) break;
            const int id = matchable_id(piece);
            if (id < 0) continue;
            single_character_piece |= end == start + 1;
            offer(end, score_so_far + scores_[id], start, id);
        }
        // A character no piece starts with alone still needs a way through: <unk>.
        if (!single_character_piece) {
            if (unk_id_ < 0) throw std::runtime_error("the tokenizer has no <unk> piece for the character '" + characters[start] + "'");
            offer(start + 1, score_so_far + unk_score_, start, unk_id_);
        }
    }
    std::vector<int> ids;
    for (int end = n; end > 0; end = best[end].start) ids.push_back(best[end].id);
    std::reverse(ids.begin(), ids.end());
    return ids;
}

// BPE: start from single characters and repeatedly merge the adjacent pair whose concatenation is
// the highest-scoring piece (the leftmost pair among equals), until no pair forms a piece.
std::vector<int> Tokenizer::encode_bpe(const std::vector<std::string>& characters) const {
    std::vector<std::string> symbols = characters;
    // merged_id[i]: the piece symbols[i] + symbols[i + 1] would form, or -1; kept up to date so
    // each merge only looks up the two pairs it changes.
    auto pair_id = [&](size_t i) {
        if (symbols[i].size() + symbols[i + 1].size() > longest_piece_bytes_) return -1;
        return matchable_id(symbols[i] + symbols[i + 1]);
    };
    std::vector<int> merged_id;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) merged_id.push_back(pair_id(i));
    while (true) {
        int best = -1;
        for (size_t i = 0; i < merged_id.size(); ++i)
            if (merged_id[i] >= 0 && (best < 0 || scores_[merged_id[i]] > scores_[merged_id[best]])) best = static_cast<int>(i);
        if (best < 0) break;
        symbols[best] += symbols[best + 1];
        symbols.erase(symbols.begin() + best + 1);
        merged_id.erase(merged_id.begin() + best);
        if (best < static_cast<int>(merged_id.size())) merged_id[best] = pair_id(best);
        if (best > 0) merged_id[best - 1] = pair_id(best - 1);
    }
    std::vector<int> ids;
    for (const std::string& symbol : symbols) {
        const int id = matchable_id(symbol);
        if (id < 0 && unk_id_ < 0) throw std::runtime_error("the tokenizer has no <unk> piece for '" + symbol + "'");
        ids.push_back(id >= 0 ? id : unk_id_);
    }
    return ids;
}

}  // namespace rwkvt
