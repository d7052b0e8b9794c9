// Forward-backward over the full RNN-T lattice (algorithms.md): T frames by U+1 label positions,
// node (t, u) having emitted u labels by frame t. Leaving it by blank goes to (t+1, u) and by the
// next label to (t, u+1); the final blank at (T-1, U) ends every path. Shared by the exact loss
// (rnnt_loss.cpp) and the simple lattice that chooses the pruning windows (pruned_rnnt.cpp).
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

#include "log_add.hpp"

namespace rwkvt::train {

struct LatticeScores {
    int label_positions = 0;   // U + 1
    std::vector<double> alpha;  // [T][U+1]: log-probability of reaching the node
    std::vector<double> beta;   // [T][U+1]: log-probability of finishing from it, its final blank included
    double log_p = 0.0;         // log-probability of the labels: beta(0, 0)
    size_t at(int t, int u) const { return static_cast<size_t>(t) * label_positions + u; }
};

// `blank(t, u)` and `label(t, u)` (u < U) give the log-probabilities of leaving node (t, u) by blank
// and by label u.
template <typename BlankLogProb, typename LabelLogProb>
LatticeScores lattice_forward_backward(int T, int U, BlankLogProb blank, LabelLogProb label) {
    constexpr double neg_inf = -std::numeric_limits<double>::infinity();
    LatticeScores s;
    s.label_positions = U + 1;
    s.alpha.assign(static_cast<size_t>(T) * s.label_positions, neg_inf);
    s.beta.assign(s.alpha.size(), neg_inf);
    s.alpha[0] = 0.0;
    for (int t = 0; t < T; ++t)
        for (int u = 0; u <= U; ++u) {
            if (t == 0 && u == 0) continue;
            double a = neg_inf;
            if (t > 0) a = log_add(a, s.alpha[s.at(t - 1, u)] + blank(t - 1, u));
            if (u > 0) a = log_add(a, s.alpha[s.at(t, u - 1)] + label(t, u - 1));
            s.alpha[s.at(t, u)] = a;
        }
    for (int t = T - 1; t >= 0; --t)
        for (int u = U; u >= 0; --u) {
            double b = (t == T - 1 && u == U) ? blank(t, u) : neg_inf;
            if (t < T - 1) b = log_add(b, s.beta[s.at(t + 1, u)] + blank(t, u));
            if (u < U) b = log_add(b, s.beta[s.at(t, u + 1)] + label(t, u));
            s.beta[s.at(t, u)] = b;
        }
    s.log_p = s.beta[0];
    return s;
}

}  // namespace rwkvt::train
