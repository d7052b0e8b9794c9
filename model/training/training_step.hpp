// One training step's tensors and losses, shared by the training loop and the benchmark: collating
// utterances into padded batches, the three modes' losses, and greedy CTC decoding for validation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "rnnt_loss_batch.hpp"
#include "train_config.hpp"
#include "transducer.hpp"

namespace rwkvt::train {

// One utterance ready for the model: normalised log-mel features and its token ids.
struct UtteranceFeatures {
    std::string id;
    std::vector<float> features;  // row-major [frames, n_mels], normalised
    int frames = 0;
    std::vector<int> tokens;
    double seconds = 0.0;
};

struct SpeechBatch {
    torch::Tensor features;         // [B, T, M] float, zero after each utterance's end
    torch::Tensor feature_lengths;  // [B] int64
    torch::Tensor labels;           // [B, U] int64, padded with blank
    torch::Tensor label_lengths;    // [B] int64
    std::vector<std::string> ids;
    double audio_seconds = 0.0;
};
SpeechBatch collate_speech(const std::vector<UtteranceFeatures>& utterances, int n_mels, int blank);

struct TextBatch {
    torch::Tensor inputs;   // [B, U+1] int64: blank, then the tokens, padded with blank
    torch::Tensor targets;  // [B, U+1] int64: the next token at each position, -100 where none
    std::vector<std::string> ids;
};
TextBatch collate_text(const std::vector<const std::vector<int>*>& token_lists, const std::vector<std::string>& ids, int blank);

// The loss of a (shard of a) batch, already divided by `normaliser` (the token count of the GLOBAL
// batch, so that data-parallel ranks' gradients simply add up). The parts are per-token values for
// reporting, also over `normaliser`.
struct LossTerms {
    torch::Tensor total;  // scalar with grad
    double rnnt = 0.0, ctc = 0.0, lm = 0.0;
};
LossTerms speech_loss(Transducer& model, const SpeechBatch& batch, Mode mode, double normaliser, double ctc_lambda, int prune_range = 0);
LossTerms text_loss(Transducer& model, const TextBatch& batch, double normaliser);

// Greedy transducer decoding (algorithms.md) of one utterance's encoder output [T', C], at most
// max_symbols tokens per frame. The predictor is re-run on the whole prefix after each token: simple
// and exactly the teacher-forced predictor, which is what the runtime's stepped predictor equals.
std::vector<int> transducer_greedy_decode(Transducer& model, const torch::Tensor& encoded, int max_symbols);

// Greedy CTC decoding (argmax per frame, repeats merged, blanks dropped), per utterance.
std::vector<std::vector<int>> ctc_greedy_decode(Transducer& model, const SpeechBatch& batch);

}  // namespace rwkvt::train
