// The RNN-T losses of a batch as LibTorch autograd functions, on top of the plain C++ lattice losses
// (rnnt_loss.hpp, pruned_rnnt.hpp: log-softmax fused in, gradient computed with the loss).
#pragma once

#include <torch/torch.h>

namespace rwkvt::train {

// logits [B, T, U+1, V] float32 (padded: utterance b uses [:logit_lengths[b], :label_lengths[b] + 1]);
// labels [B, U] int32 or int64 (utterance b uses the first label_lengths[b]; none equal to blank);
// logit_lengths, label_lengths [B] integer tensors, 1 <= logit_lengths[b] <= T, 0 <= label_lengths[b] <= U.
// Returns a scalar: the MEAN over the batch of the per-utterance losses -log P(labels_b | x_b)
// (a plain mean over utterances, not normalised by length). Its gradient w.r.t. logits is exact
// (zero on padding). The utterances are computed in parallel with at::parallel_for; the gradient is
// computed in the forward pass and kept (one logits-sized tensor) until backward.
// Throws std::invalid_argument for inconsistent shapes or lengths (and rnnt_loss's own errors).
torch::Tensor rnnt_loss_batch(const torch::Tensor& logits, const torch::Tensor& labels,
                              const torch::Tensor& logit_lengths, const torch::Tensor& label_lengths, int blank);

// Pruning windows of a batch from a simple additive lattice: am_log_probs [B, T, V] (encoder-only
// log-probabilities, e.g. the CTC head's) and lm_log_probs [B, U+1, V] (predictor-only), combined as
// log-softmax(am[t] + lm[u]) at each node. Returns s_begin [B, T] int64 (pruned_rnnt.hpp's windows of
// `prune_range` positions; 0 past each utterance's frames). No gradient flows through it.
torch::Tensor pruning_bounds_batch(const torch::Tensor& am_log_probs, const torch::Tensor& lm_log_probs, const torch::Tensor& labels,
                                   const torch::Tensor& logit_lengths, const torch::Tensor& label_lengths, int prune_range, int blank);

// The pruned loss of a batch: logits [B, T, S, V] are the joiner at (t, s_begin[b, t] + k)
// (Transducer::joint_pruned); otherwise as rnnt_loss_batch, which it equals when S >= U + 1.
torch::Tensor pruned_rnnt_loss_batch(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& s_begin,
                                     const torch::Tensor& logit_lengths, const torch::Tensor& label_lengths, int blank);

}  // namespace rwkvt::train
