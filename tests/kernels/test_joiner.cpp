// Joiner kernels against ref::joiner_logits (f32 weights) and against an Eigen joiner with the same
// bf16 weights (bf16 weights), including a stride-0 broadcast of one encoder frame, and a pair's
// logits independent of how many pairs share the call.
#include <doctest/doctest.h>

#include "kernel_test_util.hpp"

using namespace rwkvt;
using namespace rwkvt::kernel_test;

namespace {

// The joiner's hidden and output layers of a model, cut to bf16, and the calls of joiner_bf16.
struct Bf16Joiner {
    Bf16Matrix hidden, out;
    const Tensor &hidden_b, &out_b;
    explicit Bf16Joiner(const Model& m)
        : hidden(matrix(m, "joiner.hidden.weight")), out(matrix(m, "joiner.out.weight")),
          hidden_b(tensor(m, "joiner.hidden.bias")), out_b(tensor(m, "joiner.out.bias")) {}
    int call(Buffer enc_proj, Buffer pred_proj, Buffer logits) {
        const int C = static_cast<int>(hidden.exact.rows()), V = static_cast<int>(out.exact.rows());
        return kernels().joiner_bf16(enc_proj, pred_proj, hidden.pairs, hidden.units, dense(hidden_b.data, {C}), out.pairs,
                                     out.units, dense(out_b.data, {V}), logits);
    }
    // The same joiner in Eigen (products in double): the bf16 weights exactly, and the hidden
    // activations rounded to bf16 where the variant's products round them.
    Mat reference(const Mat& enc_proj, const Mat& pred_proj) const {
        auto round_if = [](Mat x) {
            if (rounds_bf16_activations()) x = x.unaryExpr([](float v) { return round_to_bf16(v); });
            return x;
        };
        const Mat h1 = round_if((enc_proj + pred_proj).cwiseMax(0.0f));
        const Eigen::Map<const Vec> b2(hidden_b.data.data(), hidden.exact.rows()), b3(out_b.data.data(), out.exact.rows());
        const Mat h2 = round_if(Mat((h1.cast<double>() * hidden.exact.transpose().cast<double>()).cast<float>().rowwise() +
                                    b2.transpose())
                                    .cwiseMax(0.0f));
        return Mat((h2.cast<double>() * out.exact.transpose().cast<double>()).cast<float>().rowwise() + b3.transpose());
    }
};

}  // namespace

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
TEST_CASE("a pair's joiner logits are the same bits whatever the number of pairs in the call (f32 and bf16 weights)") {
    int seed = 760;
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        const int C = m.config.width, V = m.config.vocab_size, full = 16;
        const Mat hidden_w_t = transposed(m, "joiner.hidden.weight"), out_w_t = transposed(m, "joiner.out.weight");
        Bf16Joiner bf16_joiner(m);
        std::mt19937 rng(seed++);
        const Mat enc_proj = random_mat(rng, full, C, -2.0f, 2.0f), pred_proj = random_mat(rng, 1, C, -2.0f, 2.0f);
        for (bool bf16 : {false, true}) {
            auto logits = [&](int pairs) {
                Mat out(pairs, V);
                Buffer enc = rows(enc_proj.data(), C, pairs, C), pred = rows(pred_proj.data(), C, pairs, 0);
                REQUIRE((bf16 ? bf16_joiner.call(enc, pred, rows(out))
                              : kernels().joiner(enc, pred, rows(hidden_w_t), dense(tensor(m, "joiner.hidden.bias").data, {C}),
                                                 rows(out_w_t), dense(tensor(m, "joiner.out.bias").data, {V}), rows(out))) == 0);
                return out;
            };
            const Mat all = logits(full);
            // Windows up to the register tile's rows (4 to 8 by variant and schedule file) take the few-pairs path.
            for (int pairs : {1, 2, 3, 4, 5, 6, 7, 8, 9}) {
                CAPTURE(config);
                CAPTURE(bf16);
                CAPTURE(pairs);
                const Mat some = logits(pairs);
                int differing = 0;
                for (int b = 0; b < pairs; ++b)
                    for (int v = 0; v < V; ++v) differing += some(b, v) != all(b, v);
                CHECK(differing == 0);
            }
        }
    }
}

// Where the products round the hidden activations to bf16, a hidden unit whose f32 sum lies within
// the sums' rounding error of a point halfway between two bf16 values may round the other way in
// the kernel than in the reference: one bf16 step (2^-8 of the unit) then moves every logit by up to
// that step times an output weight. The tolerance allows for a few such units; a wrong weight, pair
// order or layer would be off by far more (order 1).
TEST_CASE("bf16 joiner kernel equals an Eigen joiner with the same bf16 weights") {
    const double tolerance = rounds_bf16_activations() ? 1e-3 : kTolerance;
    int seed = 800;
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        const int C = m.config.width, V = m.config.vocab_size;
        Bf16Joiner joiner(m);
        for (int B : {1, 3, 4, 17}) {
            for (bool broadcast : {false, true}) {
                CAPTURE(config);
                CAPTURE(B);
                CAPTURE(broadcast);
                std::mt19937 rng(seed++);
                Mat enc_proj = random_mat(rng, B, C, -2.0f, 2.0f);
                const Mat pred_proj = random_mat(rng, B, C, -2.0f, 2.0f);
                if (broadcast) enc_proj = enc_proj.row(0).replicate(B, 1).eval();
                Mat got(B, V);
                Buffer enc = broadcast ? rows(enc_proj.data(), C, B, 0) : rows(enc_proj);
                REQUIRE(joiner.call(enc, rows(pred_proj), rows(got)) == 0);
                CHECK(relative_error(got, joiner.reference(enc_proj, pred_proj)) <= tolerance);
            }
        }
    }
}
