// Training a tokenizer for the transducer from normalised text: SentencePiece BPE or unigram
// models (trained by running Debian's spm_train, package sentencepiece), or the fixed character set. The transducer's blank is piece 0 ("<blank>") and counts in
// the vocabulary size.
#pragma once

#include <string>
#include <vector>

#include "tokenizer.hpp"

namespace rwkvt {

struct TokenizerTrainingOptions {
    std::string kind = "unigram";  // "bpe", "unigram" or "char"
    int vocab_size = 1024;         // including the blank (and SentencePiece's <unk>)
    int threads = 1;
    long max_sentences = 2000000;  // SentencePiece samples this many sentences at most
};

// Trains on `sentences` (normalised text, one sentence each). For SentencePiece kinds the ids are:
// 0 "<blank>" (SentencePiece's pad piece: a control symbol that encoding never produces),
// 1 "<unk>" (required by SentencePiece; normalised text never needs it), then the learnt pieces.
// Throws std::runtime_error with SentencePiece's message when training fails (for instance a
// vocabulary too large for the text) or spm_train is not installed.
Tokenizer train_tokenizer(const std::vector<std::string>& sentences, const TokenizerTrainingOptions& options);

// Reads the non-empty lines of a text file and trains on them.
Tokenizer train_tokenizer_from_file(const std::string& path, const TokenizerTrainingOptions& options);

}  // namespace rwkvt
