// Joiner kernel against ref::joiner_logits, including a stride-0 broadcast of one encoder frame.
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
