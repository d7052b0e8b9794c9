// The piece table of a serialized SentencePiece model (the .model file spm_train writes), read
// straight from the protobuf wire format so that no SentencePiece or protobuf library is linked.
// Only ModelProto.pieces (field 1: piece, score, type) is read; every other field is skipped.
#pragma once

#include <string>
#include <vector>

namespace rwkvt {

struct SentencePieceModelPiece {
    // SentencePiece's piece types (sentencepiece_model.proto, SentencePiece.Type).
    enum Type { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };
    std::string piece;
    float score = 0.0f;
    int type = kNormal;
};

// Pieces in id order. Throws std::runtime_error on bytes that are not a well-formed model.
std::vector<SentencePieceModelPiece> read_sentencepiece_pieces(const std::string& model_bytes);

}  // namespace rwkvt
