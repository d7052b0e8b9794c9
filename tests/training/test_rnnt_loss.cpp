// The RNN-T loss against brute-force enumeration of every alignment, and its gradient against
// central finite differences, on small random lattices.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "lattice_brute_force.hpp"
#include "training/rnnt_loss.hpp"

using rwkvt::test::brute_force_loss;
using rwkvt::test::Lattice;
using rwkvt::test::random_lattice;
using rwkvt::train::rnnt_loss;


TEST_CASE("RNN-T loss equals brute-force enumeration of all alignments") {
    std::mt19937 rng(1234);
    for (int trial = 0; trial < 40; ++trial) {
        const int T = 1 + static_cast<int>(rng() % 5), U = static_cast<int>(rng() % 4), V = 2 + static_cast<int>(rng() % 5);
        const Lattice l = random_lattice(rng, T, U, V, 2.0f);
        const double got = rnnt_loss(l.logits.data(), T, U, V, l.labels.data(), l.blank, nullptr);
        const double want = brute_force_loss(l);
        CHECK(got == doctest::Approx(want).epsilon(1e-6));
    }
}

TEST_CASE("RNN-T gradient equals central finite differences, also when written in place") {
    std::mt19937 rng(99);
    for (int trial = 0; trial < 12; ++trial) {
        const int T = 1 + static_cast<int>(rng() % 4), U = static_cast<int>(rng() % 3), V = 2 + static_cast<int>(rng() % 4);
        Lattice l = random_lattice(rng, T, U, V, 1.5f);
        std::vector<float> grad(l.logits.size());
        rnnt_loss(l.logits.data(), T, U, V, l.labels.data(), l.blank, grad.data());
        for (size_t i = 0; i < l.logits.size(); ++i) {
            const float keep = l.logits[i], h = 1e-2f;
            l.logits[i] = keep + h;
            const double up = brute_force_loss(l);
            l.logits[i] = keep - h;
            const double down = brute_force_loss(l);
            l.logits[i] = keep;
            CHECK(grad[i] == doctest::Approx((up - down) / (2 * h)).epsilon(2e-3).scale(1.0));
        }
        std::vector<float> in_place = l.logits;
        rnnt_loss(in_place.data(), T, U, V, l.labels.data(), l.blank, in_place.data());
        for (size_t i = 0; i < grad.size(); ++i) CHECK(in_place[i] == doctest::Approx(grad[i]).epsilon(1e-6));
    }
}

TEST_CASE("RNN-T gradient of each node sums to zero over the vocabulary") {
    // Softmax gradients are orthogonal to the all-ones vector: a property independent of the lattice.
    std::mt19937 rng(5);
    const Lattice l = random_lattice(rng, 30, 12, 17, 3.0f);
    std::vector<float> grad(l.logits.size());
    const double loss = rnnt_loss(l.logits.data(), 30, 12, 17, l.labels.data(), l.blank, grad.data());
    CHECK(std::isfinite(loss));
    for (size_t node = 0; node < grad.size() / 17; ++node) {
        double sum = 0.0;
        for (int k = 0; k < 17; ++k) sum += grad[node * 17 + k];
        CHECK(std::abs(sum) < 1e-5);
    }
}

TEST_CASE("RNN-T loss rejects bad arguments") {
    std::vector<float> z(2 * 2 * 3, 0.0f);
    const int blank_label[] = {0};
    const int big_label[] = {7};
    CHECK_THROWS_AS(rnnt_loss(z.data(), 2, 1, 3, blank_label, 0, nullptr), std::invalid_argument);
    CHECK_THROWS_AS(rnnt_loss(z.data(), 2, 1, 3, big_label, 0, nullptr), std::invalid_argument);
    CHECK_THROWS_AS(rnnt_loss(z.data(), 0, 0, 3, nullptr, 0, nullptr), std::invalid_argument);
}
