// The pruned RNN-T loss against brute-force enumeration of the alignments inside its windows and
// against the full loss, its gradient against finite differences, and the windows that
// pruning_bounds() chooses, on fresh random lattices.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "lattice_brute_force.hpp"
#include "model/scratch.hpp"
#include "training/pruned_rnnt.hpp"
#include "training/rnnt_loss.hpp"

using rwkvt::test::brute_force_loss;
using rwkvt::test::Lattice;
using rwkvt::test::random_lattice;
using rwkvt::train::pruned_rnnt_loss;
using rwkvt::train::pruning_bounds;
using rwkvt::train::rnnt_loss;

namespace {

// The joiner's logits at each window's positions, [T][S][V]; positions past U get random values,
// which the loss must ignore.
std::vector<float> gather_windows(const Lattice& l, const std::vector<int>& s_begin, int S, std::mt19937& rng) {
    std::normal_distribution<float> n(0.0f, 3.0f);
    std::vector<float> out(static_cast<size_t>(l.T) * S * l.V);
    for (int t = 0; t < l.T; ++t)
        for (int k = 0; k < S; ++k)
            for (int v = 0; v < l.V; ++v) {
                const int u = s_begin[t] + k;
                out[(static_cast<size_t>(t) * S + k) * l.V + v] =
                    u <= l.U ? l.logits[(static_cast<size_t>(t) * (l.U + 1) + u) * l.V + v] : n(rng);
            }
    return out;
}

// Random valid windows: start at 0, steps of 0..S-1, ending with U inside the last window.
std::vector<int> random_windows(std::mt19937& rng, int T, int U, int S) {
    for (;;) {
        std::vector<int> s(T, 0);
        for (int t = 1; t < T; ++t) s[t] = std::min(U, s[t - 1] + static_cast<int>(rng() % S));
        if (s[T - 1] <= U && U <= s[T - 1] + S - 1) return s;
    }
}

bool inside(const std::vector<int>& s_begin, int S, int t, int u) { return u >= s_begin[t] && u < s_begin[t] + S; }

// The simple lattice of a Lattice's own logits: log P(blank) [T][U+1] and log P(label) [T][U].
void simple_lattice(const Lattice& l, std::vector<float>& blank, std::vector<float>& label) {
    blank.assign(static_cast<size_t>(l.T) * (l.U + 1), 0.0f);
    label.assign(static_cast<size_t>(l.T) * l.U, 0.0f);
    for (int t = 0; t < l.T; ++t)
        for (int u = 0; u <= l.U; ++u) {
            blank[static_cast<size_t>(t) * (l.U + 1) + u] = static_cast<float>(rwkvt::test::node_log_prob(l, t, u, l.blank));
            if (u < l.U) label[static_cast<size_t>(t) * l.U + u] = static_cast<float>(rwkvt::test::node_log_prob(l, t, u, l.labels[u]));
        }
}

}  // namespace

TEST_CASE("pruned RNN-T loss equals brute force over the alignments inside its windows") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937 rng(static_cast<unsigned>(seed));
    for (int trial = 0; trial < 60; ++trial) {
        const int T = 1 + static_cast<int>(rng() % 5), U = static_cast<int>(rng() % 5), V = 2 + static_cast<int>(rng() % 4);
        const int S = 2 + static_cast<int>(rng() % 3);
        if (U + 1 - S > (T - 1) * (S - 1)) continue;  // no valid windows
        const Lattice l = random_lattice(rng, T, U, V, 2.0f);
        const std::vector<int> s = random_windows(rng, T, U, S);
        const std::vector<float> pruned = gather_windows(l, s, S, rng);
        const double got = pruned_rnnt_loss(pruned.data(), T, U, S, V, l.labels.data(), s.data(), l.blank, nullptr);
        const double want = brute_force_loss(l, [&](int t, int u) { return inside(s, S, t, u); });
        INFO("T " << T << " U " << U << " S " << S);
        CHECK(got == doctest::Approx(want).epsilon(1e-6));
        // Fewer alignments, less probability: never below the full loss.
        CHECK(got >= rnnt_loss(l.logits.data(), T, U, V, l.labels.data(), l.blank, nullptr) - 1e-9);
    }
}

TEST_CASE("pruned RNN-T with windows as tall as the lattice is the full loss, gradient included") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937 rng(static_cast<unsigned>(seed));
    const int T = 7, U = 4, V = 6, S = 6;  // S > U + 1: one row of padding per frame
    const Lattice l = random_lattice(rng, T, U, V, 2.0f);
    const std::vector<int> s(T, 0);
    std::vector<float> pruned = gather_windows(l, s, S, rng);
    std::vector<float> pruned_grad(pruned.size()), full_grad(l.logits.size());
    const double got = pruned_rnnt_loss(pruned.data(), T, U, S, V, l.labels.data(), s.data(), l.blank, pruned_grad.data());
    const double want = rnnt_loss(l.logits.data(), T, U, V, l.labels.data(), l.blank, full_grad.data());
    CHECK(got == doctest::Approx(want).epsilon(1e-9));
    for (int t = 0; t < T; ++t)
        for (int k = 0; k < S; ++k)
            for (int v = 0; v < V; ++v) {
                const float g = pruned_grad[(static_cast<size_t>(t) * S + k) * V + v];
                if (k > U) CHECK(g == 0.0f);  // padding rows
                else CHECK(g == doctest::Approx(full_grad[(static_cast<size_t>(t) * (U + 1) + k) * V + v]).epsilon(1e-6).scale(1.0));
            }
}

TEST_CASE("pruned RNN-T gradient equals central finite differences, also in place") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937 rng(static_cast<unsigned>(seed));
    for (int trial = 0; trial < 8; ++trial) {
        const int T = 2 + static_cast<int>(rng() % 4), U = 1 + static_cast<int>(rng() % 4), V = 2 + static_cast<int>(rng() % 3), S = 2;
        if (U + 1 - S > (T - 1) * (S - 1)) continue;
        const Lattice l = random_lattice(rng, T, U, V, 1.5f);
        const std::vector<int> s = random_windows(rng, T, U, S);
        std::vector<float> z = gather_windows(l, s, S, rng), grad(z.size());
        pruned_rnnt_loss(z.data(), T, U, S, V, l.labels.data(), s.data(), l.blank, grad.data());
        for (size_t i = 0; i < z.size(); ++i) {
            const float keep = z[i], h = 1e-2f;
            z[i] = keep + h;
            const double up = pruned_rnnt_loss(z.data(), T, U, S, V, l.labels.data(), s.data(), l.blank, nullptr);
            z[i] = keep - h;
            const double down = pruned_rnnt_loss(z.data(), T, U, S, V, l.labels.data(), s.data(), l.blank, nullptr);
            z[i] = keep;
            CHECK(grad[i] == doctest::Approx((up - down) / (2 * h)).epsilon(2e-3).scale(1.0));
        }
        std::vector<float> in_place = z;
        pruned_rnnt_loss(in_place.data(), T, U, S, V, l.labels.data(), s.data(), l.blank, in_place.data());
        for (size_t i = 0; i < grad.size(); ++i) CHECK(in_place[i] == doctest::Approx(grad[i]).epsilon(1e-6));
    }
}

TEST_CASE("pruning bounds are valid windows, and hold a dominant alignment") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937 rng(static_cast<unsigned>(seed));
    for (int trial = 0; trial < 30; ++trial) {
        const int T = 8 + static_cast<int>(rng() % 30), U = static_cast<int>(rng() % 20), V = 8, S = 2 + static_cast<int>(rng() % 4);
        if (U + 1 - S > (T - 1) * (S - 1)) continue;
        Lattice l = random_lattice(rng, T, U, V, 1.0f);
        // A random alignment made far more likely than any other: its steps' logits raised by 12.
        std::vector<int> emit_at(U);  // frame of each label, non-decreasing
        for (int& f : emit_at) f = static_cast<int>(rng() % T);
        std::sort(emit_at.begin(), emit_at.end());
        auto z = [&](int t, int u, int k) -> float& { return l.logits[(static_cast<size_t>(t) * (U + 1) + u) * V + k]; };
        int u = 0;
        for (int t = 0; t < T; ++t) {
            while (u < U && emit_at[u] == t) z(t, u, l.labels[u]) += 12.0f, ++u;
            z(t, u, l.blank) += 12.0f;
        }
        std::vector<float> blank, label;
        simple_lattice(l, blank, label);
        std::vector<int> s(T, -1);
        pruning_bounds(blank.data(), label.data(), T, U, S, s.data());
        INFO("T " << T << " U " << U << " S " << S);
        REQUIRE(s[0] == 0);
        for (int t = 1; t < T; ++t) {
            CHECK(s[t] >= s[t - 1]);
            CHECK(s[t] <= s[t - 1] + S - 1);
        }
        CHECK(s[T - 1] <= U);
        CHECK(U <= s[T - 1] + S - 1);
        // Where S can hold a frame's emissions, the dominant alignment lies inside the windows, so the
        // pruned loss is the full loss to within the mass of the other alignments.
        int most_in_one_frame = 0;
        for (int t = 0; t < T; ++t)
            most_in_one_frame = std::max(most_in_one_frame, static_cast<int>(std::count(emit_at.begin(), emit_at.end(), t)));
        if (most_in_one_frame + 1 <= S) {
            const std::vector<float> pruned = gather_windows(l, s, S, rng);
            const double full = rnnt_loss(l.logits.data(), T, U, V, l.labels.data(), l.blank, nullptr);
            const double got = pruned_rnnt_loss(pruned.data(), T, U, S, V, l.labels.data(), s.data(), l.blank, nullptr);
            CHECK(got - full < 1e-2);
        }
    }
}

TEST_CASE("pruned RNN-T rejects impossible windows and labels") {
    std::vector<float> blank(3 * 9, -1.0f), label(3 * 8, -1.0f);
    std::vector<int> s(3);
    // 8 labels in 3 frames cannot fit windows of 2 positions (at most one label per frame step).
    CHECK_THROWS_AS(pruning_bounds(blank.data(), label.data(), 3, 8, 2, s.data()), std::invalid_argument);
    std::vector<float> z(3 * 2 * 4, 0.0f);
    const int labels[] = {1, 2};
    const int moves_back[] = {0, 1, 0};
    const int misses_end[] = {0, 0, 0};
    const int valid[] = {0, 1, 1};
    CHECK_THROWS_AS(pruned_rnnt_loss(z.data(), 3, 2, 2, 4, labels, moves_back, 0, nullptr), std::invalid_argument);
    CHECK_THROWS_AS(pruned_rnnt_loss(z.data(), 3, 2, 2, 4, labels, misses_end, 0, nullptr), std::invalid_argument);
    const int blank_label[] = {0, 2};
    CHECK_THROWS_AS(pruned_rnnt_loss(z.data(), 3, 2, 2, 4, blank_label, valid, 0, nullptr), std::invalid_argument);
    CHECK(std::isfinite(pruned_rnnt_loss(z.data(), 3, 2, 2, 4, labels, valid, 0, nullptr)));
}
