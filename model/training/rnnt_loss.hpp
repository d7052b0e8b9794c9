// The RNN-Transducer loss (Graves 2012) of one utterance and its gradient with respect to the raw
// joiner logits, with the log-softmax fused in (algorithms.md): no log-softmax tensor or its
// gradient is ever stored, only the logits, their log-normalisers and alpha/beta over the lattice.
#pragma once

namespace rwkvt::train {

// logits: [T][U+1][V] contiguous; labels: the U target ids (none equal to blank).
// Returns -log P(labels | logits). When grad is not null it receives dLoss/dlogits, [T][U+1][V];
// grad may point to logits (the gradient is then written over them in place).
// Throws std::invalid_argument for T < 1, U < 0, V < 2, a blank or out-of-range label.
double rnnt_loss(const float* logits, int T, int U, int V, const int* labels, int blank, float* grad);

}  // namespace rwkvt::train
