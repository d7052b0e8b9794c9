// GEMM kernels against a plain Eigen product, on the shapes of both configs, odd T, strided inputs
// and the residual epilogue (into a separate output, as the buffer contract requires); with f32 weights
// and with bf16 weight pairs.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "kernel_test_util.hpp"

using namespace rwkvt;
using namespace rwkvt::kernel_test;

namespace {

struct Shape {
    int T, K, O;
};
// (T, K, O): rwkvt-19m (C 288, F 1152, V 1024, F1*20 1280) and tiny (C 64, F 256, V 30, F1*20 160).
const Shape kShapes[] = {{1, 288, 1152}, {3, 1152, 288}, {17, 288, 288}, {64, 1280, 288}, {5, 288, 1024},
                         {1, 64, 30},    {3, 64, 30},     {17, 64, 256},  {64, 256, 64},   {2, 160, 64},
                         {33, 64, 64}, {1, 1152, 288}, {1, 64, 40}};

// Random activations a (T x K), each row `spacing` rows apart in a larger matrix: a row stride the
// kernels must accept. `rows` holds them densely for the reference.
struct Activations {
    Mat storage, dense_rows;
    Buffer buffer;
    Activations(std::mt19937& rng, int T, int K, int spacing) : storage(random_mat(rng, T * spacing, K)), dense_rows(T, K) {
        buffer = rows(storage.data(), K, T, spacing * K);
        for (int t = 0; t < T; ++t) dense_rows.row(t) = storage.row(spacing * t);
    }
};

// The four epilogues of one weight format against `product` = a W^T (T x O); each call has the
// weights bound (f32: w_t; bf16: w_pairs and the same memory as w_units).
using Buf = halide_buffer_t*;
struct GemmFamily {
    std::function<int(Buf a, Buf out)> plain, relu_square;
    std::function<int(Buf a, Buf bias_or_residual, Buf out)> bias, residual;
};

void check_epilogues(const GemmFamily& f, Buffer& a, const Mat& product, std::mt19937& rng) {
    const int T = static_cast<int>(product.rows()), O = static_cast<int>(product.cols());
    const Vec bias = random_mat(rng, O, 1).col(0);
    const Mat residual = random_mat(rng, T, O);
    Mat out(T, O);
    REQUIRE(f.plain(a, rows(out)) == 0);
    CHECK(relative_error(out, product) <= kTolerance);

    REQUIRE(f.bias(a, dense(bias.data(), {O}), rows(out)) == 0);
    CHECK(relative_error(out, Mat(product.rowwise() + bias.transpose())) <= kTolerance);

    REQUIRE(f.relu_square(a, rows(out)) == 0);
    CHECK(relative_error(out, Mat(product.cwiseMax(0.0f).cwiseAbs2())) <= kTolerance);

    REQUIRE(f.residual(a, rows(residual), rows(out)) == 0);
    CHECK(relative_error(out, Mat(residual + product)) <= kTolerance);
}

}  // namespace

TEST_CASE("gemm kernels equal an Eigen product (relative error <= 1e-4)") {
    int seed = 100;
    for (const Shape& s : kShapes) {
        CAPTURE(s.T);
        CAPTURE(s.K);
        CAPTURE(s.O);
        std::mt19937 rng(seed++);
        Activations a(rng, s.T, s.K, 3);
        const Mat w = random_mat(rng, s.O, s.K, -0.2f, 0.2f);  // W [O, K]
        const Mat w_t = w.transpose();
        const Mat product = (a.dense_rows.cast<double>() * w.transpose().cast<double>()).cast<float>();
        const rt::kernels::KernelSet& k = kernels();
        Buffer w_buf = rows(w_t);
        const GemmFamily f32{[&](Buf x, Buf o) { return k.gemm_plain(x, w_buf, o); },
                             [&](Buf x, Buf o) { return k.gemm_relu_square(x, w_buf, o); },
                             [&](Buf x, Buf b, Buf o) { return k.gemm_bias(x, w_buf, b, o); },
                             [&](Buf x, Buf r, Buf o) { return k.gemm_residual(x, w_buf, r, o); }};
        check_epilogues(f32, a.buffer, product, rng);
    }
}

TEST_CASE("bf16-weight gemm kernels equal an Eigen product with the same bf16 weights (relative error <= 1e-4)") {
    // On avx512_amx the shapes of several tokens with outputs a multiple of 16 run on the AMX tiles,
    // the rest on vdpbf16ps.
    const bool rounds_activations = rounds_bf16_activations();
    int seed = 300;
    for (const Shape& s : kShapes) {
        CAPTURE(s.T);
        CAPTURE(s.K);
        CAPTURE(s.O);
        std::mt19937 rng(seed++);
        Activations a(rng, s.T, s.K, 2);
        Mat a_used = a.dense_rows;  // what the products multiply
        if (rounds_activations) a_used = a_used.unaryExpr([](float v) { return round_to_bf16(v); });
        // Random weights cut to bf16.
        Bf16Matrix w(random_mat(rng, s.O, s.K, -0.2f, 0.2f));
        const Mat product = (a_used.cast<double>() * w.exact.transpose().cast<double>()).cast<float>();
        const rt::kernels::KernelSet& k = kernels();
        const GemmFamily bf16{[&](Buf x, Buf o) { return k.gemm_bf16_plain(x, w.pairs, w.units, o); },
                              [&](Buf x, Buf o) { return k.gemm_bf16_relu_square(x, w.pairs, w.units, o); },
                              [&](Buf x, Buf b, Buf o) { return k.gemm_bf16_bias(x, w.pairs, w.units, b, o); },
                              [&](Buf x, Buf r, Buf o) { return k.gemm_bf16_residual(x, w.pairs, w.units, r, o); }};
        check_epilogues(bf16, a.buffer, product, rng);
    }
}
