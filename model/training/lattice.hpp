// Pieces shared by the lattice losses (rnnt_loss.cpp, pruned_rnnt.cpp): log-space sums, a node's
// log-normaliser, the forward-backward over a full T x (U+1) lattice, and a node's fused
// log-softmax gradient.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwkvt::train {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// log(exp(a) + exp(b)) without overflow, with -infinity as the log of zero.
inline double log_add(double a, double b) {
    if (a == kNegInf) return b;
    if (b == kNegInf) return a;
    const double hi = std::max(a, b);
    return hi + std::log1p(std::exp(std::min(a, b) - hi));
}

// Throws std::invalid_argument (prefixed by `who`) for a blank id outside [0, V) or a label that is
// blank or outside [0, V).
inline void check_labels(int U, int V, const int* labels, int blank, const char* who) {
    if (blank < 0 || blank >= V) throw std::invalid_argument(std::string(who) + ": blank id out of range");
    for (int u = 0; u < U; ++u)
        if (labels[u] < 0 || labels[u] >= V || labels[u] == blank)
            throw std::invalid_argument(std::string(who) + ": label " + std::to_string(u) + " is blank or out of range");
}

// log sum_k exp(z[k]) over V logits.
inline double log_normaliser(const float* z, int V) {
    const double hi = *std::max_element(z, z + V);
    double sum = 0.0;
    for (int k = 0; k < V; ++k) sum += std::exp(z[k] - hi);
    return hi + std::log(sum);
}

// alpha and beta ([T][U+1], resized here) of the full RNN-T lattice whose log-probabilities are
// lb(t, u) = log P(blank | t, u) and ly(t, u) = log P(y_{u+1} | t, u), u < U (algorithms.md).
template <class Blank, class Label>
void lattice_forward_backward(int T, int U, const Blank& lb, const Label& ly, std::vector<double>& alpha, std::vector<double>& beta) {
    const int U1 = U + 1;
    auto at = [&](int t, int u) { return static_cast<size_t>(t) * U1 + u; };
    alpha.assign(static_cast<size_t>(T) * U1, kNegInf);
    beta.assign(alpha.size(), kNegInf);
    alpha[0] = 0.0;
    for (int t = 0; t < T; ++t)
        for (int u = 0; u < U1; ++u) {
            if (t == 0 && u == 0) continue;
            double a = kNegInf;
            if (t > 0) a = log_add(a, alpha[at(t - 1, u)] + lb(t - 1, u));
            if (u > 0) a = log_add(a, alpha[at(t, u - 1)] + ly(t, u - 1));
            alpha[at(t, u)] = a;
        }
    for (int t = T - 1; t >= 0; --t)
        for (int u = U; u >= 0; --u) {
            double b = (t == T - 1 && u == U) ? lb(t, u) : kNegInf;  // the final blank ends the lattice
            if (t < T - 1) b = log_add(b, beta[at(t + 1, u)] + lb(t, u));
            if (u < U) b = log_add(b, beta[at(t, u + 1)] + ly(t, u));
            beta[at(t, u)] = b;
        }
}

// dLoss/dz of one node, log-softmax fused in: occupancy * softmax(z) minus the probability mass
// leaving by blank and by the next label (label < 0: none). z[k] is read before g[k] is written,
// so g may be z (in place).
inline void node_gradient(const float* z, float* g, int V, double log_norm, int blank, double leave_blank, int label,
                          double leave_label) {
    const double occupancy = leave_blank + leave_label;
    for (int k = 0; k < V; ++k) {
        double value = occupancy * std::exp(z[k] - log_norm);
        if (k == blank) value -= leave_blank;
        if (k == label) value -= leave_label;
        g[k] = static_cast<float>(value);
    }
}

}  // namespace rwkvt::train
