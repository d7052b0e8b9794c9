// The RNN-T loss of a batch as a LibTorch autograd function, on top of the plain C++ rnnt_loss()
// (rnnt_loss.hpp: log-softmax fused in, gradient computed with the loss).
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

}  // namespace rwkvt::train
