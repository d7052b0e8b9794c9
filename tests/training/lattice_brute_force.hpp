// Random RNN-T lattices and the loss by brute-force enumeration of alignments: the independent
// oracle of the lattice-loss tests.
#pragma once

#include <cmath>
#include <functional>
#include <random>
#include <vector>

namespace rwkvt::test {

struct Lattice {
    int T, U, V, blank;
    std::vector<float> logits;  // [T][U+1][V]
    std::vector<int> labels;    // U ids, none blank
};

inline Lattice random_lattice(std::mt19937& rng, int T, int U, int V, float scale) {
    Lattice l{T, U, V, static_cast<int>(rng() % V), {}, {}};
    std::normal_distribution<float> n(0.0f, scale);
    l.logits.resize(static_cast<size_t>(T) * (U + 1) * V);
    for (float& z : l.logits) z = n(rng);
    for (int u = 0; u < U; ++u) {
        int k;
        do k = static_cast<int>(rng() % V); while (k == l.blank);
        l.labels.push_back(k);
    }
    return l;
}

// log softmax(logits at node (t, u))[k].
inline double node_log_prob(const Lattice& l, int t, int u, int k) {
    const float* z = l.logits.data() + (static_cast<size_t>(t) * (l.U + 1) + u) * l.V;
    double sum = 0.0;
    for (int j = 0; j < l.V; ++j) sum += std::exp(static_cast<double>(z[j]));
    return z[k] - std::log(sum);
}

// -log of the sum over the alignments (sequences of T blanks and U labels whose last step is the
// blank at (T-1, U), each step's probability the softmax of the node it leaves) that visit only
// nodes `allowed` admits; by default every alignment.
inline double brute_force_loss(const Lattice& l, const std::function<bool(int, int)>& allowed = [](int, int) { return true; }) {
    double total = 0.0;
    std::function<void(int, int, double)> walk = [&](int t, int u, double lp) {
        if (!allowed(t, u)) return;
        if (t == l.T - 1 && u == l.U) {
            total += std::exp(lp + node_log_prob(l, t, u, l.blank));
            return;
        }
        if (t < l.T - 1) walk(t + 1, u, lp + node_log_prob(l, t, u, l.blank));
        if (u < l.U) walk(t, u + 1, lp + node_log_prob(l, t, u, l.labels[u]));
    };
    walk(0, 0, 0.0);
    return -std::log(total);
}

}  // namespace rwkvt::test
