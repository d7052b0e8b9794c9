// The model file (spec section 6): one safetensors file holding every tensor of a Model plus its
// config, tokenizer, blank id and provenance in the "__metadata__" map.
//
// Layout: u64 little-endian header length, a JSON header padded with spaces to a multiple of 8 bytes
// (so every tensor's data starts 8-byte aligned), then the raw little-endian tensor data in
// tensor_specs() order, with no holes. Tensors are written as F32; F32 and BF16 are read.
//
// Metadata keys: "format" = "rwkvt-model", "format_version" = "1", "config" (ModelConfig JSON),
// "tokenizer" (Tokenizer JSON), "blank_id" (decimal), "origin" (free-form provenance).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "weights.hpp"

namespace rwkvt {

// Validates the model (Model::validate, finite values) and writes it atomically: a temporary file in
// the same directory is written, fsynced and renamed over `path`. On any failure the previous file at
// `path` is untouched, the temporary file is removed and std::runtime_error names `path`.
// BF16 halves the file (the matrices are nearly all of it) at about 3 significant digits; vectors
// (norms, biases, mixes, decay offsets, feature statistics) stay F32 because they are tiny and
// their precision matters most. Values are rounded to nearest even.
enum class StorageDtype { F32, BF16 };
void save_model(const Model& model, const std::string& path, StorageDtype dtype = StorageDtype::F32);

// Maps the file, validates its structure and contents, and copies it into an owning Model.
// Every problem throws a one-line std::runtime_error naming `path` and the problem.
Model load_model(const std::string& path);

// A run of bytes to write; write_file_atomically writes the pieces one after another.
struct ByteSpan {
    const void* data;
    size_t size;
};

// The atomic write behind save_model, shared with other file writers (.npy): temporary file in the
// directory of `path`, write, fsync, rename, fsync the directory. Throws std::runtime_error naming
// `path` and leaves the previous file and no temporary file behind on failure.
void write_file_atomically(const std::string& path, const std::vector<ByteSpan>& pieces);

}  // namespace rwkvt
