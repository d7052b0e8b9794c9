// The oneDNN matrix products against torch's own linear and matmul in double precision: the output
// and the gradients of the input, the weight and the bias, on fresh random inputs of the training
// model's layouts (3-D activations, strided views, LoRA widths, a single row, no rows at all).
#include "torch_doctest.hpp"

#include <algorithm>

#include "model/scratch.hpp"
#include "training/linear_op.hpp"

namespace {

struct Case {
    std::vector<int64_t> x_sizes;  // the activation's shape, last dimension K
    int64_t outputs;               // N
    bool bias;
    bool strided;                  // x given as a transposed view (not contiguous)
};

// Runs one product both ways: f32 through rwkvt::train (oneDNN) and f64 through torch, with the
// same random x, weight, bias and output gradient. `tolerance` bounds the relative error of the
// output and of every gradient; the returned value is the output's.
double check_case(const Case& c, bool weight_is_rows, double tolerance = 1e-5) {
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    const int64_t K = c.x_sizes.back(), N = c.outputs;
    // A strided case keeps its leaf as [T, B, K] and hands the products its [B, T, K] transpose.
    const bool transposed = c.strided && c.x_sizes.size() == 3;
    const torch::Tensor x = transposed ? torch::randn({c.x_sizes[1], c.x_sizes[0], K}, f64) : torch::randn(c.x_sizes, f64);
    const torch::Tensor weight = weight_is_rows ? torch::randn({N, K}, f64) : torch::randn({K, N}, f64);
    const torch::Tensor bias = torch::randn({N}, f64);
    std::vector<int64_t> y_sizes = c.x_sizes;
    y_sizes.back() = N;
    const torch::Tensor dy = torch::randn(y_sizes, f64);  // the output gradient, in both dtypes

    auto run = [&](torch::ScalarType dtype, torch::Tensor& dx, torch::Tensor& dw, torch::Tensor& db) {
        const torch::Tensor xi = x.to(dtype).requires_grad_(true), wi = weight.to(dtype).requires_grad_(true);
        const torch::Tensor bi = bias.to(dtype).requires_grad_(true);
        const torch::Tensor xv = transposed ? xi.transpose(0, 1) : xi;
        torch::Tensor y = weight_is_rows ? rwkvt::train::linear(xv, wi, c.bias ? bi : torch::Tensor())
                                         : rwkvt::train::matmul(xv, wi);
        (y * dy.to(dtype)).sum().backward();
        dx = xi.grad();
        dw = wi.grad();
        db = bi.grad();
        return y;
    };
    torch::Tensor dx32, dw32, db32, dx64, dw64, db64;
    const torch::Tensor y32 = run(torch::kFloat32, dx32, dw32, db32);
    const torch::Tensor y64 = run(torch::kFloat64, dx64, dw64, db64);
    CHECK((y32.scalar_type() == torch::kFloat32));  // doctest cannot print a ScalarType
    // The f32 product ran on oneDNN (the autograd function), not on torch's fallback.
    REQUIRE(y32.grad_fn() != nullptr);
    CHECK(y32.grad_fn()->name().find("LinearFunction") != std::string::npos);
    REQUIRE(y32.sizes().vec() == y64.sizes().vec());
    CHECK(relative_error(y32, y64) < tolerance);
    REQUIRE(dx32.defined());
    CHECK(relative_error(dx32, dx64) < tolerance);
    REQUIRE(dw32.defined());
    CHECK(relative_error(dw32, dw64) < tolerance);
    if (weight_is_rows && c.bias) {
        REQUIRE(db32.defined());
        CHECK(relative_error(db32, db64) < 1e-5);  // the bias gradient is a sum, not a product
    }
    return relative_error(y32, y64);
}

const std::vector<Case> kCases = {
    {{3, 41, 48}, 40, true, false},   // [B, T, C] activations with a bias
    {{2, 37, 96}, 16, false, true},   // a strided view, LoRA-like width
    {{5, 96}, 384, true, false},      // 2-D rows, the FFN's widening
    {{1, 1, 33}, 7, true, false},     // a single row, odd sizes
    {{4, 2, 3, 24}, 24, false, false} // 4-D (the joiner's lattice [B, T, S, J])
};

}  // namespace

TEST_CASE("linear op: y = x W^T + b and its gradients equal torch::linear in double precision") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    torch::manual_seed(seed);
    for (const Case& c : kCases) {
        CAPTURE(c.x_sizes.size());
        CAPTURE(c.outputs);
        check_case(c, true);
    }
}

TEST_CASE("linear op: y = x M (the LoRA layout) and its gradients equal torch::matmul in double precision") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    torch::manual_seed(seed);
    for (const Case& c : kCases) {
        CAPTURE(c.outputs);
        check_case(c, false);
    }
}

// Mixed precision: operands rounded to bf16 (relative 2^-9), products summed in f32. Each output is
// off by about 2^-9 of the typical term times the square root of K, so outputs and gradients are
// held to 2e-2 of their scale; that the error is also above f32's shows the bf16 path ran.
TEST_CASE("linear op with bf16 products: outputs and gradients within bf16 rounding of double precision") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    torch::manual_seed(seed);
    using rwkvt::train::MatmulPrecision;
    try {
        rwkvt::train::set_matmul_precision(MatmulPrecision::BF16);
    } catch (const std::runtime_error& e) {
        // Without AVX-512 oneDNN has no bf16 products: the setting says so and stays f32.
        CHECK(std::string(e.what()).find("bf16 matrix products are not available") != std::string::npos);
        CHECK(rwkvt::train::matmul_precision() == MatmulPrecision::F32);
        return;
    }
    {
        // Back to f32 however this block ends (a failed REQUIRE throws), so later tests run in f32.
        struct RestoreF32 {
            ~RestoreF32() { rwkvt::train::set_matmul_precision(MatmulPrecision::F32); }
        } restore;
        for (const Case& c : kCases) {
            for (bool weight_is_rows : {true, false}) {
                CAPTURE(c.outputs);
                CAPTURE(weight_is_rows);
                const double error = check_case(c, weight_is_rows, 2e-2);
                CHECK(error > 1e-6);
            }
        }
    }
    CHECK(check_case(kCases[0], true) < 1e-5);  // and back to f32
}

TEST_CASE("linear op: an empty batch gives an empty output and zero weight gradients") {
    const torch::Tensor x = torch::randn({0, 12}).requires_grad_(true);
    const torch::Tensor w = torch::randn({5, 12}).requires_grad_(true);
    const torch::Tensor y = rwkvt::train::linear(x, w);
    CHECK(y.size(0) == 0);
    CHECK(y.size(1) == 5);
    y.sum().backward();
    REQUIRE(w.grad().defined());
    CHECK(w.grad().abs().sum().item<double>() == 0.0);
}

TEST_CASE("linear op: a weight that does not match the input is an error, not a wrong product") {
    const torch::Tensor x = torch::randn({4, 12});
    CHECK_THROWS_AS(rwkvt::train::linear(x, torch::randn({5, 11})), std::invalid_argument);
    CHECK_THROWS_AS(rwkvt::train::matmul(x, torch::randn({11, 5})), std::invalid_argument);
    CHECK_THROWS_AS(rwkvt::train::linear(x, torch::randn({12})), std::invalid_argument);
}
