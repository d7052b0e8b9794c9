#include "pruned_rnnt.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "log_add.hpp"
#include "transducer_lattice.hpp"

namespace rwkvt::train {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

void check_labels(int U, int V, const int* labels, int blank, const char* who) {
    if (blank < 0 || blank >= V) throw std::invalid_argument(std::string(who) + ": blank id out of range");
    for (int u = 0; u < U; ++u)
        if (labels[u] < 0 || labels[u] >= V || labels[u] == blank)
            throw std::invalid_argument(std::string(who) + ": label " + std::to_string(u) + " is blank or out of range");
}

// The lowest window start frame t may have and still let S-wide windows reach U by the last frame,
// and the highest it may have after starting from 0 (both before clamping to [0, U+1-S]).
int lowest_start(int t, int T, int U, int S) { return (U + 1 - S) - (T - 1 - t) * (S - 1); }
int highest_start(int t, int S) { return t * (S - 1); }

}  // namespace

void pruning_bounds(const float* simple_blank, const float* simple_label, int T, int U, int S, int* s_begin) {
    if (T < 1 || U < 0 || S < 1) throw std::invalid_argument("pruning_bounds: need T >= 1, U >= 0, S >= 1");
    const int last_start = std::max(0, U + 1 - S);  // windows never start past this: they would leave U out
    if (last_start == 0) {                           // one window holds every label position
        std::fill(s_begin, s_begin + T, 0);
        return;
    }
    if (S < 2 || lowest_start(0, T, U, S) > 0)
        throw std::invalid_argument("pruning_bounds: " + std::to_string(U) + " labels in " + std::to_string(T) +
                                    " frames cannot fit windows of " + std::to_string(S) + " label positions");

    // Forward-backward over the full simple lattice (cheap: no vocabulary dimension).
    const int U1 = U + 1;
    auto at = [&](int t, int u) { return static_cast<size_t>(t) * U1 + u; };
    auto lb = [&](int t, int u) { return static_cast<double>(simple_blank[at(t, u)]); };
    auto ly = [&](int t, int u) { return static_cast<double>(simple_label[static_cast<size_t>(t) * U + u]); };
    const LatticeScores lattice = lattice_forward_backward(T, U, lb, ly);
    const std::vector<double>& alpha = lattice.alpha;
    const std::vector<double>& beta = lattice.beta;
    const double log_p = lattice.log_p;

    std::vector<double> occupancy(U1);
    for (int t = 0; t < T; ++t) {
        int best = 0;
        if (std::isfinite(log_p)) {
            for (int u = 0; u < U1; ++u) occupancy[u] = std::exp(alpha[at(t, u)] + beta[at(t, u)] - log_p);
            double window = 0.0;
            for (int u = 0; u < S; ++u) window += occupancy[u];
            double best_window = window;
            for (int s = 1; s <= last_start; ++s) {
                window += occupancy[s + S - 1] - occupancy[s - 1];
                if (window > best_window) best_window = window, best = s;
            }
        } else {
            // A degenerate simple lattice (a -inf everywhere a path could go): fall back to the diagonal.
            best = T > 1 ? static_cast<int>(std::lround(static_cast<double>(t) * last_start / (T - 1))) : 0;
        }
        s_begin[t] = best;
    }
    // Make the windows valid, moving each as little as possible: within what the first and last
    // frames allow, never backwards, and overlapping the previous frame's window.
    for (int t = 0; t < T; ++t) {
        const int lo = std::max(0, lowest_start(t, T, U, S));
        const int hi = std::min(last_start, highest_start(t, S));
        int s = std::clamp(s_begin[t], lo, hi);
        if (t > 0) s = std::min(std::max(s, s_begin[t - 1]), s_begin[t - 1] + S - 1);
        s_begin[t] = s;
    }
}

double pruned_rnnt_loss(const float* logits, int T, int U, int S, int V, const int* labels, const int* s_begin, int blank,
                        float* grad) {
    if (T < 1 || U < 0 || S < 1 || V < 2) throw std::invalid_argument("pruned_rnnt_loss: need T >= 1, U >= 0, S >= 1, V >= 2");
    check_labels(U, V, labels, blank, "pruned_rnnt_loss");
    bool valid = s_begin[0] == 0 && s_begin[T - 1] <= U && U <= s_begin[T - 1] + S - 1;
    for (int t = 1; t < T && valid; ++t) valid = s_begin[t] >= s_begin[t - 1] && s_begin[t] <= s_begin[t - 1] + S - 1;
    if (!valid) throw std::invalid_argument("pruned_rnnt_loss: windows must start at 0, never move back, overlap and end covering U");

    auto node = [&](int t, int k) { return static_cast<size_t>(t) * S + k; };
    // Window slot of label position u at frame t, or -1 when the window does not hold it.
    auto slot = [&](int t, int u) {
        const int k = u - s_begin[t];
        return (k >= 0 && k < S && u <= U) ? k : -1;
    };
    std::vector<double> log_norm(static_cast<size_t>(T) * S, 0.0), lb(log_norm.size(), kNegInf), ly(log_norm.size(), kNegInf);
    for (int t = 0; t < T; ++t)
        for (int k = 0; k < S && s_begin[t] + k <= U; ++k) {
            const int u = s_begin[t] + k;
            const float* z = logits + node(t, k) * V;
            const double hi = *std::max_element(z, z + V);
            double sum = 0.0;
            for (int j = 0; j < V; ++j) sum += std::exp(z[j] - hi);
            const double d = hi + std::log(sum);
            log_norm[node(t, k)] = d;
            lb[node(t, k)] = z[blank] - d;
            if (u < U) ly[node(t, k)] = z[labels[u]] - d;
        }

    std::vector<double> alpha(log_norm.size(), kNegInf), beta(log_norm.size(), kNegInf);
    for (int t = 0; t < T; ++t)
        for (int k = 0; k < S && s_begin[t] + k <= U; ++k) {
            const int u = s_begin[t] + k;
            double a = (t == 0 && u == 0) ? 0.0 : kNegInf;
            if (t > 0 && slot(t - 1, u) >= 0) a = log_add(a, alpha[node(t - 1, slot(t - 1, u))] + lb[node(t - 1, slot(t - 1, u))]);
            if (k > 0) a = log_add(a, alpha[node(t, k - 1)] + ly[node(t, k - 1)]);
            alpha[node(t, k)] = a;
        }
    for (int t = T - 1; t >= 0; --t)
        for (int k = std::min(S - 1, U - s_begin[t]); k >= 0; --k) {
            const int u = s_begin[t] + k;
            double b = (t == T - 1 && u == U) ? lb[node(t, k)] : kNegInf;
            if (t < T - 1 && slot(t + 1, u) >= 0) b = log_add(b, beta[node(t + 1, slot(t + 1, u))] + lb[node(t, k)]);
            if (u < U && k + 1 < S) b = log_add(b, beta[node(t, k + 1)] + ly[node(t, k)]);
            beta[node(t, k)] = b;
        }
    const double log_p = beta[node(0, 0)];
    if (!grad) return -log_p;

    for (int t = 0; t < T; ++t)
        for (int k = 0; k < S; ++k) {
            float* g = grad + node(t, k) * V;
            const int u = s_begin[t] + k;
            if (u > U) {
                std::fill(g, g + V, 0.0f);
                continue;
            }
            const float* z = logits + node(t, k) * V;
            const double a = alpha[node(t, k)];
            // Probability mass leaving this node by blank and by the next label, inside the band.
            double leave_blank = 0.0;
            if (t < T - 1 && slot(t + 1, u) >= 0) leave_blank = std::exp(a + lb[node(t, k)] + beta[node(t + 1, slot(t + 1, u))] - log_p);
            else if (t == T - 1 && u == U) leave_blank = std::exp(a + lb[node(t, k)] - log_p);
            const double leave_label = (u < U && k + 1 < S) ? std::exp(a + ly[node(t, k)] + beta[node(t, k + 1)] - log_p) : 0.0;
            const double occupancy = leave_blank + leave_label;
            const double d = log_norm[node(t, k)];
            const int label = u < U ? labels[u] : -1;
            for (int j = 0; j < V; ++j) {
                double value = occupancy * std::exp(z[j] - d);
                if (j == blank) value -= leave_blank;
                if (j == label) value -= leave_label;
                g[j] = static_cast<float>(value);  // z[j] is read before g[j] is written: in place is safe
            }
        }
    return -log_p;
}

}  // namespace rwkvt::train
