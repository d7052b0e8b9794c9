#include "training_step.hpp"

#include <algorithm>
#include <cstring>

namespace rwkvt::train {

SpeechBatch collate_speech(const std::vector<UtteranceFeatures>& utterances, int n_mels, int blank) {
    SpeechBatch b;
    const int64_t count = static_cast<int64_t>(utterances.size());
    int64_t max_frames = 1, max_tokens = 0;
    for (const auto& u : utterances) {
        max_frames = std::max<int64_t>(max_frames, u.frames);
        max_tokens = std::max<int64_t>(max_tokens, static_cast<int64_t>(u.tokens.size()));
    }
    // Padding after the end is harmless: every part of the model is causal, and the losses only
    // look at each utterance's own frames and labels.
    b.features = torch::zeros({count, max_frames, n_mels}, torch::kFloat32);
    b.feature_lengths = torch::empty({count}, torch::kInt64);
    b.labels = torch::full({count, std::max<int64_t>(max_tokens, 1)}, blank, torch::kInt64);
    b.label_lengths = torch::empty({count}, torch::kInt64);
    float* features = b.features.data_ptr<float>();
    int64_t* labels = b.labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < count; ++i) {
        const auto& u = utterances[static_cast<size_t>(i)];
        std::memcpy(features + i * max_frames * n_mels, u.features.data(), u.features.size() * sizeof(float));
        b.feature_lengths[i] = static_cast<int64_t>(u.frames);
        for (size_t k = 0; k < u.tokens.size(); ++k) labels[i * b.labels.size(1) + static_cast<int64_t>(k)] = u.tokens[k];
        b.label_lengths[i] = static_cast<int64_t>(u.tokens.size());
        b.ids.push_back(u.id);
        b.audio_seconds += u.seconds;
    }
    return b;
}

TextBatch collate_text(const std::vector<const std::vector<int>*>& token_lists, const std::vector<std::string>& ids, int blank) {
    TextBatch b;
    const int64_t count = static_cast<int64_t>(token_lists.size());
    int64_t max_tokens = 0;
    for (const auto* t : token_lists) max_tokens = std::max<int64_t>(max_tokens, static_cast<int64_t>(t->size()));
    b.inputs = torch::full({count, max_tokens + 1}, blank, torch::kInt64);
    b.targets = torch::full({count, max_tokens + 1}, -100, torch::kInt64);
    int64_t* in = b.inputs.data_ptr<int64_t>();
    int64_t* out = b.targets.data_ptr<int64_t>();
    for (int64_t i = 0; i < count; ++i) {
        const std::vector<int>& t = *token_lists[static_cast<size_t>(i)];
        // Position u has seen blank + the first u tokens and predicts token u.
        for (size_t u = 0; u < t.size(); ++u) {
            in[i * (max_tokens + 1) + static_cast<int64_t>(u) + 1] = t[u];
            out[i * (max_tokens + 1) + static_cast<int64_t>(u)] = t[u];
        }
    }
    b.ids = ids;
    return b;
}

namespace {

// Per-utterance CTC losses (sums over each utterance's own frames).
torch::Tensor ctc_losses(Transducer& model, const torch::Tensor& ctc_logits, const torch::Tensor& encoded_lengths, const SpeechBatch& batch) {
    const torch::Tensor log_probs = torch::log_softmax(ctc_logits, -1).transpose(0, 1);  // [T', B, V]
    return torch::ctc_loss(log_probs, batch.labels, encoded_lengths, batch.label_lengths, model->config().blank_id,
                           at::Reduction::None, /*zero_infinity=*/false);
}

}  // namespace

LossTerms speech_loss(Transducer& model, const SpeechBatch& batch, Mode mode, double normaliser, double ctc_lambda, int prune_range) {
    LossTerms terms;
    auto [encoded, encoded_lengths] = model->encode(batch.features, batch.feature_lengths);
    const torch::Tensor ctc_logits = model->ctc_logits(encoded);
    const torch::Tensor ctc = ctc_losses(model, ctc_logits, encoded_lengths, batch).sum() / normaliser;
    terms.ctc = ctc.item<double>();
    if (mode == Mode::Ctc) {
        terms.total = ctc;
        return terms;
    }
    const int64_t count = batch.labels.size(0);
    const int blank = model->config().blank_id;
    const torch::Tensor start = torch::full({count, 1}, blank, torch::kInt64);
    const torch::Tensor predicted = model->predict(torch::cat({start, batch.labels}, 1));  // [B, U+1, C]
    torch::Tensor rnnt;  // the mean over the batch's utterances; times the count gives their sum
    if (prune_range > 0) {
        // Windows from the additive lattice of the CTC head (encoder only) and the joiner's language
        // model (predictor only), then the full joiner inside them: [B, T', S, V].
        torch::Tensor s_begin;
        {
            torch::NoGradGuard no_grad;
            s_begin = pruning_bounds_batch(torch::log_softmax(ctc_logits, -1), torch::log_softmax(model->lm_logits(predicted), -1),
                                           batch.labels, encoded_lengths, batch.label_lengths, prune_range, blank);
        }
        const torch::Tensor logits = model->joint_pruned(encoded, predicted, s_begin, prune_range);
        rnnt = pruned_rnnt_loss_batch(logits, batch.labels, s_begin, encoded_lengths, batch.label_lengths, blank);
    } else {
        const torch::Tensor logits = model->joint(encoded, predicted);  // [B, T', U+1, V]
        rnnt = rnnt_loss_batch(logits, batch.labels, encoded_lengths, batch.label_lengths, blank);
    }
    rnnt = rnnt * static_cast<double>(count) / normaliser;
    terms.rnnt = rnnt.item<double>();
    terms.total = rnnt + ctc_lambda * ctc;
    return terms;
}

LossTerms text_loss(Transducer& model, const TextBatch& batch, double normaliser) {
    LossTerms terms;
    const torch::Tensor logits = model->lm_logits(model->predict(batch.inputs));  // [B, U+1, V]
    const int64_t vocab = logits.size(2);
    terms.total = torch::nn::functional::cross_entropy(
                      logits.reshape({-1, vocab}), batch.targets.reshape({-1}),
                      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum)) /
                  normaliser;
    terms.lm = terms.total.item<double>();
    return terms;
}

std::vector<int> transducer_greedy_decode(Transducer& model, const torch::Tensor& encoded, int max_symbols) {
    torch::NoGradGuard no_grad;
    const int blank = model->config().blank_id;
    std::vector<int64_t> prefix = {blank};
    torch::Tensor pred = model->predict(torch::tensor(prefix, torch::kInt64).unsqueeze(0));  // [1, 1, C]
    for (int64_t t = 0; t < encoded.size(0); ++t) {
        const torch::Tensor frame = encoded.narrow(0, t, 1).unsqueeze(0);  // [1, 1, C]
        for (int n = 0; n < max_symbols; ++n) {
            const torch::Tensor last = pred.narrow(1, pred.size(1) - 1, 1);
            const int k = static_cast<int>(model->joint(frame, last).reshape({-1}).argmax().item<int64_t>());
            if (k == blank) break;
            prefix.push_back(k);
            pred = model->predict(torch::tensor(prefix, torch::kInt64).unsqueeze(0));
        }
    }
    return std::vector<int>(prefix.begin() + 1, prefix.end());
}

std::vector<std::vector<int>> ctc_greedy_decode(Transducer& model, const SpeechBatch& batch) {
    torch::NoGradGuard no_grad;
    auto [encoded, encoded_lengths] = model->encode(batch.features, batch.feature_lengths);
    const torch::Tensor best = model->ctc_logits(encoded).argmax(-1).contiguous();  // [B, T']
    const int blank = model->config().blank_id;
    std::vector<std::vector<int>> out(static_cast<size_t>(best.size(0)));
    for (int64_t i = 0; i < best.size(0); ++i) {
        const int64_t frames = encoded_lengths[i].item<int64_t>();
        int previous = blank;
        for (int64_t t = 0; t < frames; ++t) {
            const int k = static_cast<int>(best[i][t].item<int64_t>());
            if (k != blank && k != previous) out[static_cast<size_t>(i)].push_back(k);
            previous = k;
        }
    }
    return out;
}

}  // namespace rwkvt::train
