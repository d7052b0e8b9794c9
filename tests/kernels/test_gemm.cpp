// GEMM kernels against a plain Eigen product, on the shapes of both configs, odd T, strided inputs
// and the in-place residual update the runtime uses.
#include <doctest/doctest.h>

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
                         {33, 64, 64}};

}  // namespace

TEST_CASE("gemm kernels equal an Eigen product (relative error <= 1e-4)") {
    int seed = 100;
    for (const Shape& s : kShapes) {
        CAPTURE(s.T);
        CAPTURE(s.K);
        CAPTURE(s.O);
        std::mt19937 rng(seed++);
        // a is every third row of a larger matrix: a row stride the kernels must accept.
        const Mat a_storage = random_mat(rng, s.T * 3, s.K);
        Buffer a = rows(a_storage.data(), s.K, s.T, 3 * s.K);
        Mat a_rows(s.T, s.K);
        for (int t = 0; t < s.T; ++t) a_rows.row(t) = a_storage.row(3 * t);
        const Mat w = random_mat(rng, s.O, s.K, -0.2f, 0.2f);  // W [O, K]
        const Mat w_t = w.transpose();
        const Vec bias = random_mat(rng, s.O, 1).col(0);
        const Mat residual = random_mat(rng, s.T, s.O);
        const Mat product = (a_rows.cast<double>() * w.transpose().cast<double>()).cast<float>();

        Mat out(s.T, s.O);
        REQUIRE(kernels().gemm_plain(a, rows(w_t), rows(out)) == 0);
        CHECK(relative_error(out, product) <= kTolerance);

        REQUIRE(kernels().gemm_bias(a, rows(w_t), dense(bias.data(), {s.O}), rows(out)) == 0);
        CHECK(relative_error(out, Mat(product.rowwise() + bias.transpose())) <= kTolerance);

        REQUIRE(kernels().gemm_relu_square(a, rows(w_t), rows(out)) == 0);
        CHECK(relative_error(out, Mat(product.cwiseMax(0.0f).cwiseAbs2())) <= kTolerance);

        REQUIRE(kernels().gemm_residual(a, rows(w_t), rows(residual), rows(out)) == 0);
        CHECK(relative_error(out, Mat(residual + product)) <= kTolerance);
        if (s.O % 32 == 0) {  // in place, as the runtime does for x += W_o y
            Mat x = residual;
            REQUIRE(kernels().gemm_residual(a, rows(w_t), rows(x), rows(x)) == 0);
            CHECK(relative_error(x, Mat(residual + product)) <= kTolerance);
        }
    }
}
