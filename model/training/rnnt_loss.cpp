#include "rnnt_loss.hpp"

#include "transducer_lattice.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwkvt::train {

double rnnt_loss(const float* logits, int T, int U, int V, const int* labels, int blank, float* grad) {
    if (T < 1 || U < 0 || V < 2) throw std::invalid_argument("rnnt_loss: need T >= 1, U >= 0, V >= 2");
    if (blank < 0 || blank >= V) throw std::invalid_argument("rnnt_loss: blank id out of range");
    for (int u = 0; u < U; ++u)
        if (labels[u] < 0 || labels[u] >= V || labels[u] == blank)
            throw std::invalid_argument("rnnt_loss: label " + std::to_string(u) + " is blank or out of range");

    const int U1 = U + 1;
    auto at = [&](int t, int u) { return (static_cast<size_t>(t) * U1 + u); };
    // Log-normaliser of every lattice node, then the two log-probabilities the lattice uses.
    std::vector<double> log_norm(static_cast<size_t>(T) * U1), lb(log_norm.size()), ly(log_norm.size());
    for (int t = 0; t < T; ++t)
        for (int u = 0; u < U1; ++u) {
            const float* z = logits + at(t, u) * V;
            const double hi = *std::max_element(z, z + V);
            double sum = 0.0;
            for (int k = 0; k < V; ++k) sum += std::exp(z[k] - hi);
            const double d = hi + std::log(sum);
            log_norm[at(t, u)] = d;
            lb[at(t, u)] = z[blank] - d;
            ly[at(t, u)] = u < U ? z[labels[u]] - d : 0.0;
        }

    const LatticeScores lattice = lattice_forward_backward(
        T, U, [&](int t, int u) { return lb[at(t, u)]; }, [&](int t, int u) { return ly[at(t, u)]; });
    const std::vector<double>& alpha = lattice.alpha;
    const std::vector<double>& beta = lattice.beta;
    const double log_p = lattice.log_p;
    if (!grad) return -log_p;

    for (int t = 0; t < T; ++t)
        for (int u = 0; u < U1; ++u) {
            const size_t node = at(t, u);
            const float* z = logits + node * V;
            float* g = grad + node * V;
            const double a = alpha[node];
            const double occupancy = std::exp(a + beta[node] - log_p);
            // Probability mass leaving this node by blank and by the next label.
            double leave_blank = 0.0;
            if (t < T - 1) leave_blank = std::exp(a + lb[node] + beta[at(t + 1, u)] - log_p);
            else if (u == U) leave_blank = std::exp(a + lb[node] - log_p);  // the final blank ends the lattice
            const double leave_label = u < U ? std::exp(a + ly[node] + beta[at(t, u + 1)] - log_p) : 0.0;
            const double d = log_norm[node];
            const int label = u < U ? labels[u] : -1;
            for (int k = 0; k < V; ++k) {
                double value = occupancy * std::exp(z[k] - d);
                if (k == blank) value -= leave_blank;
                if (k == label) value -= leave_label;
                g[k] = static_cast<float>(value);  // z[k] is read before g[k] is written: in place is safe
            }
        }
    return -log_p;
}

}  // namespace rwkvt::train
