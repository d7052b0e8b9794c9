// The pruned RNN-T loss (after k2's "pruned" transducer loss, algorithms.md): the full joiner is
// evaluated only in a band of S label positions per frame, chosen from a cheap additive lattice.
//
// Full RNN-T training evaluates the joiner at every (t, u) node, T x (U+1) of them; for 10 s
// utterances that is ~10,000 joiner calls per utterance and about half of a training step. Nearly
// all of an alignment's probability lies within a few labels of the best path, so the pruned loss
// evaluates the joiner at T x S nodes (S ~ 5) around it and runs the same forward-backward there.
//
// Windows: frame t covers label positions u = s_begin[t] + k, k = 0..S-1 (positions past U are
// unused). A valid set of windows starts at 0, never moves back, overlaps from one frame to the next
// (s_begin[t+1] <= s_begin[t] + S - 1) and ends covering U. With S >= U + 1 every window is the
// whole column and the pruned loss equals the full loss exactly.
#pragma once

namespace rwkvt::train {

// Windows from a simple lattice's log-probabilities: simple_blank [T][U+1] = log P(blank | t, u) and
// simple_label [T][U] = log P(y_{u+1} | t, u), typically from an additive joiner (encoder-only logits
// plus predictor-only logits, log-normalised over the vocabulary). Each frame's window is placed
// where the lattice's node occupancy (the probability that an alignment passes through (t, u)) sums
// highest, then moved as little as needed to make the windows valid. Writes s_begin[T].
// Throws std::invalid_argument when no valid windows exist (more than (T-1)(S-1) + S-1 labels).
void pruning_bounds(const float* simple_blank, const float* simple_label, int T, int U, int S, int* s_begin);

// -log P(labels | logits) over the alignments that stay inside the windows. logits: [T][S][V], the
// joiner at (t, s_begin[t] + k); rows whose position is past U are ignored (their gradient is 0).
// When grad is not null it receives dLoss/dlogits, [T][S][V], with the log-softmax fused in as in
// rnnt_loss(); grad may point to logits (in place). Throws std::invalid_argument for bad sizes,
// labels or windows.
double pruned_rnnt_loss(const float* logits, int T, int U, int S, int V, const int* labels, const int* s_begin, int blank,
                        float* grad);

}  // namespace rwkvt::train
