#include "rnnt_loss.hpp"

#include "lattice.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

namespace rwkvt::train {

double rnnt_loss(const float* logits, int T, int U, int V, const int* labels, int blank, float* grad) {
    if (T < 1 || U < 0 || V < 2) throw std::invalid_argument("rnnt_loss: need T >= 1, U >= 0, V >= 2");
    check_labels(U, V, labels, blank, "rnnt_loss");

    const int U1 = U + 1;
    auto at = [&](int t, int u) { return (static_cast<size_t>(t) * U1 + u); };
    // Log-normaliser of every lattice node, then the two log-probabilities the lattice uses.
    std::vector<double> log_norm(static_cast<size_t>(T) * U1), lb(log_norm.size()), ly(log_norm.size());
    for (int t = 0; t < T; ++t)
        for (int u = 0; u < U1; ++u) {
            const float* z = logits + at(t, u) * V;
            const double d = log_normaliser(z, V);
            log_norm[at(t, u)] = d;
            lb[at(t, u)] = z[blank] - d;
            ly[at(t, u)] = u < U ? z[labels[u]] - d : 0.0;
        }
    std::vector<double> alpha, beta;
    lattice_forward_backward(
        T, U, [&](int t, int u) { return lb[at(t, u)]; }, [&](int t, int u) { return ly[at(t, u)]; }, alpha, beta);
    const double log_p = beta[at(0, 0)];
    if (!grad) return -log_p;

    for (int t = 0; t < T; ++t)
        for (int u = 0; u < U1; ++u) {
            const size_t node = at(t, u);
            const double a = alpha[node];
            // Probability mass leaving this node by blank and by the next label.
            double leave_blank = 0.0;
            if (t < T - 1) leave_blank = std::exp(a + lb[node] + beta[at(t + 1, u)] - log_p);
            else if (u == U) leave_blank = std::exp(a + lb[node] - log_p);  // the final blank ends the lattice
            const double leave_label = u < U ? std::exp(a + ly[node] + beta[at(t, u + 1)] - log_p) : 0.0;
            node_gradient(logits + node * V, grad + node * V, V, log_norm[node], blank, leave_blank, u < U ? labels[u] : -1, leave_label);
        }
    return -log_p;
}

}  // namespace rwkvt::train
