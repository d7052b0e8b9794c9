// Whole-buffer decompression for the compressed data files of text sources (R data files are gzip,
// bzip2 or xz compressed; R's lazy-load databases hold zlib blobs).
#pragma once

#include <string>

namespace rwkvt {

enum class Compression { none, gzip_or_zlib, bzip2, xz };

// Recognises gzip (1F 8B), zlib (78 xx), bzip2 ("BZh") and xz (FD '7zXZ' 00) by their magic bytes.
Compression detect_compression(const std::string& data);

// Decompresses `data`; `size_hint` (0 if unknown) sizes the output buffer. Throws
// std::runtime_error on corrupt or truncated input.
std::string decompress(const std::string& data, Compression kind, size_t size_hint = 0);

// decompress(data, detect_compression(data)).
std::string decompress_auto(const std::string& data);

}  // namespace rwkvt
