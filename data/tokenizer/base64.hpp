// Base64 (RFC 4648, with padding): the serialized SentencePiece model travels inside the model
// file's JSON tokenizer metadata as text.
#pragma once

#include <string>

namespace rwkvt {

std::string base64_encode(const std::string& bytes);
// Throws std::runtime_error on characters outside the alphabet or a bad length.
std::string base64_decode(const std::string& text);

}  // namespace rwkvt
