// Hashes whose values are fixed forever, whatever the platform, compiler or standard library
// (std::hash is none of these): they seed initialisation, split corpora and fingerprint files,
// so a changed value would change models, data splits and file formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rwkvt {

// FNV-1a's published 64-bit offset basis.
inline constexpr uint64_t kFnv1aOffsetBasis = 14695981039346656037ull;
// The start value of the n-gram model file's checksum and tokenizer fingerprint and of
// initialisation's per-tensor seeds: the basis with its last digit missing. Any start value mixes
// as well; this one is fixed by the files and models already made with it.
inline constexpr uint64_t kRwkvtHashStart = 1469598103934665603ull;

// 64-bit FNV-1a of n bytes, continuing from h (chain calls to hash several pieces).
inline uint64_t fnv1a(const unsigned char* bytes, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
    return h;
}

inline uint64_t fnv1a(std::string_view text, uint64_t h) {
    return fnv1a(reinterpret_cast<const unsigned char*>(text.data()), text.size(), h);
}

// SplitMix64's finaliser: every input bit affects every output bit (FNV-1a's high bits barely
// change with the last bytes, so "sentence 1" and "sentence 2" would otherwise hash close).
inline uint64_t splitmix64_finalise(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace rwkvt
