// Joiner kernel against ref::joiner_logits, including a stride-0 broadcast of one encoder frame, and
// a pair's logits independent of how many pairs share the call.
#include <doctest/doctest.h>

#include "kernel_test_util.hpp"

using namespace rwkvt;
using namespace rwkvt::kernel_test;

TEST_CASE("joiner kernel equals ref::joiner_logits (relative error <= 1e-4)") {
    int seed = 700;
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        const int C = m.config.width, V = m.config.vocab_size;
        const Mat hidden_w_t = transposed(m, "joiner.hidden.weight"), out_w_t = transposed(m, "joiner.out.weight");
        for (int B : {1, 3, 17}) {
            for (bool broadcast : {false, true}) {
                CAPTURE(config);
                CAPTURE(B);
                CAPTURE(broadcast);
                std::mt19937 rng(seed++);
                const Mat e = random_mat(rng, B, C, -2.0f, 2.0f), g = random_mat(rng, B, C, -2.0f, 2.0f);
                // Projections as the runtime computes them once per frame / per emitted token.
                Mat enc_proj = (e * matrix(m, "joiner.enc_proj.weight").transpose()).rowwise() +
                               vector(m, "joiner.enc_proj.bias").transpose();
                const Mat pred_proj = g * matrix(m, "joiner.pred_proj.weight").transpose();
                Mat want(B, V);
                for (int b = 0; b < B; ++b)
                    want.row(b) = ref::joiner_logits(m, e.row(broadcast ? 0 : b).transpose(), g.row(b).transpose()).transpose();
                Mat got(B, V);
                Buffer enc = broadcast ? rows(enc_proj.data(), C, B, 0) : rows(enc_proj);
                REQUIRE(kernels().joiner(enc, rows(pred_proj), rows(hidden_w_t), dense(tensor(m, "joiner.hidden.bias").data, {C}),
                                     rows(out_w_t), dense(tensor(m, "joiner.out.bias").data, {V}), rows(got)) == 0);
                CHECK(relative_error(got, want) <= kTolerance);
            }
        }
    }
}

// Greedy decoding evaluates windows of frames and reads only their first rows up to an emission,
// relying on a pair's logits being the same bits in a call of any size (a one-pair call and a
// window must agree exactly, or windowed decoding would differ from frame-by-frame decoding).
TEST_CASE("a pair's joiner logits are the same bits whatever the number of pairs in the call") {
    int seed = 760;
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        const int C = m.config.width, V = m.config.vocab_size, full = 16;
        const Mat hidden_w_t = transposed(m, "joiner.hidden.weight"), out_w_t = transposed(m, "joiner.out.weight");
        std::mt19937 rng(seed++);
        const Mat enc_proj = random_mat(rng, full, C, -2.0f, 2.0f), pred_proj = random_mat(rng, 1, C, -2.0f, 2.0f);
        auto logits = [&](int pairs) {
            Mat out(pairs, V);
            REQUIRE(kernels().joiner(rows(enc_proj.data(), C, pairs, C), rows(pred_proj.data(), C, pairs, 0),
                                     rows(hidden_w_t), dense(tensor(m, "joiner.hidden.bias").data, {C}), rows(out_w_t),
                                     dense(tensor(m, "joiner.out.bias").data, {V}), rows(out)) == 0);
            return out;
        };
        const Mat all = logits(full);
        // Windows up to the register tile's rows (4 to 8 by variant and schedule file) take the few-pairs path.
        for (int pairs : {1, 2, 3, 4, 5, 6, 7, 8, 9}) {
            CAPTURE(config);
            CAPTURE(pairs);
            const Mat some = logits(pairs);
            int differing = 0;
            for (int b = 0; b < pairs; ++b)
                for (int v = 0; v < V; ++v) differing += some(b, v) != all(b, v);
            CHECK(differing == 0);
        }
    }
}
