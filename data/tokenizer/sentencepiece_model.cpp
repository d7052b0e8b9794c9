#include "sentencepiece_model.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace rwkvt {

namespace {

// Protobuf wire types (how a field's value is encoded).
enum WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// Sequential reader over one protobuf message's bytes.
class WireReader {
public:
    WireReader(const char* data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }

    uint64_t varint() {
        uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            const auto byte = static_cast<unsigned char>(data_[pos_++]);
            value |= static_cast<uint64_t>(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) return value;
        }
        throw std::runtime_error("SentencePiece model: varint too long");
    }
    // A length-delimited value: its bytes.
    std::string bytes() {
        const uint64_t length = varint();
        need(length);
        std::string out(data_ + pos_, static_cast<size_t>(length));
        pos_ += static_cast<size_t>(length);
        return out;
    }
    float fixed32_float() {
        need(4);
        uint32_t bits = 0;  // little-endian on the wire
        for (int k = 3; k >= 0; --k) bits = (bits << 8) | static_cast<unsigned char>(data_[pos_ + k]);
        pos_ += 4;
        float value;
        std::memcpy(&value, &bits, sizeof value);
        return value;
    }
    void skip(int wire_type) {
        switch (wire_type) {
            case kVarint: varint(); return;
            case kFixed64: need(8); pos_ += 8; return;
            case kLengthDelimited: bytes(); return;
            case kFixed32: need(4); pos_ += 4; return;
            default: throw std::runtime_error("SentencePiece model: unsupported wire type " + std::to_string(wire_type));
        }
    }

private:
    void need(uint64_t count) const {
        if (count > size_ - pos_) throw std::runtime_error("SentencePiece model: truncated");
    }
    const char* data_;
    size_t size_;
    size_t pos_ = 0;
};

SentencePieceModelPiece read_piece(const std::string& message) {
    SentencePieceModelPiece piece;
    WireReader reader(message.data(), message.size());
    while (!reader.done()) {
        const uint64_t key = reader.varint();
        const auto field = key >> 3;
        const int wire_type = static_cast<int>(key & 7);
        if (field == 1 && wire_type == kLengthDelimited) piece.piece = reader.bytes();
        else if (field == 2 && wire_type == kFixed32) piece.score = reader.fixed32_float();
        else if (field == 3 && wire_type == kVarint) piece.type = static_cast<int>(reader.varint());
        else reader.skip(wire_type);
    }
    return piece;
}

}  // namespace

std::vector<SentencePieceModelPiece> read_sentencepiece_pieces(const std::string& model_bytes) {
    std::vector<SentencePieceModelPiece> pieces;
    WireReader reader(model_bytes.data(), model_bytes.size());
    while (!reader.done()) {
        const uint64_t key = reader.varint();
        const int wire_type = static_cast<int>(key & 7);
        if ((key >> 3) == 1 && wire_type == kLengthDelimited) pieces.push_back(read_piece(reader.bytes()));
        else reader.skip(wire_type);
    }
    if (pieces.empty()) throw std::runtime_error("SentencePiece model: no pieces");
    return pieces;
}

}  // namespace rwkvt
