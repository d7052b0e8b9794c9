// The WKV-7 autograd function (Halide forward with checkpoints, Halide backward with recomputation)
// against a plain autograd loop over the same recurrence in double precision: the output and the
// gradient of every input.
#include "torch_doctest.hpp"

#include <algorithm>
#include <string>

#include "training/wkv7_op.hpp"

using rwkvt::train::wkv7;
using rwkvt::train::wkv7_autograd_loop;

namespace {

void check_against_loop(int64_t B, int64_t T, int64_t H, int64_t N, uint64_t seed) {
    at::set_num_threads(1);
    torch::manual_seed(seed);
    const int64_t C = H * N;
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    std::vector<torch::Tensor> inputs = {
        torch::randn({B, T, C}, f64),                                 // r
        0.55 + 0.45 * torch::rand({B, T, C}, f64),                    // w in (0.55, 1)
        torch::randn({B, T, C}, f64),                                 // k
        torch::randn({B, T, C}, f64),                                 // v
        torch::nn::functional::normalize(torch::randn({B, T, H, N}, f64),  // kk, unit norm per head
                                         torch::nn::functional::NormalizeFuncOptions().dim(-1))
            .reshape({B, T, C}),
        torch::rand({B, T, C}, f64),                                  // a in (0, 1)
    };
    const torch::Tensor dy = torch::randn({B, T, C}, f64);
    std::vector<torch::Tensor> ref_in, op_in;
    for (const torch::Tensor& x : inputs) {
        ref_in.push_back(x.clone().requires_grad_(true));
        op_in.push_back(x.to(torch::kFloat32).requires_grad_(true));
    }
    const torch::Tensor y_ref = wkv7_autograd_loop(ref_in[0], ref_in[1], ref_in[2], ref_in[3], ref_in[4], ref_in[5], N);
    (y_ref * dy).sum().backward();
    const torch::Tensor y = wkv7(op_in[0], op_in[1], op_in[2], op_in[3], op_in[4], op_in[5], static_cast<int>(N));
    (y * dy.to(torch::kFloat32)).sum().backward();

    CAPTURE(T);
    const double y_error = relative_error(y, y_ref);
    CAPTURE(y_error);
    CHECK(y_error < 1e-4);
    const std::string names[] = {"r", "w", "k", "v", "kk", "a"};
    for (int i = 0; i < 6; ++i) {
        CAPTURE(names[i]);
        REQUIRE(op_in[i].grad().defined());
        const double error = relative_error(op_in[i].grad(), ref_in[i].grad());
        CAPTURE(error);
        CHECK(error < 1e-4);
    }
}

}  // namespace

TEST_CASE("wkv7 op: output and input gradients equal a double-precision autograd loop (B=2, T=37, H=2, N=16)") {
    check_against_loop(2, 37, 2, 16, 1);
}

TEST_CASE("wkv7 op: sequence lengths at and below the checkpoint interval, head size 32") {
    for (int64_t T : {1, 15, 16, 17, 32}) {
        CAPTURE(T);
        check_against_loop(3, T, 2, 32, 100 + T);
    }
}

TEST_CASE("wkv7 op: rejects unsupported head sizes and mismatched shapes") {
    const torch::Tensor x = torch::rand({1, 4, 48});
    CHECK_THROWS_AS(wkv7(x, x, x, x, x, x, 24), std::invalid_argument);
    CHECK_THROWS_AS(wkv7(x, x, x, x, x, torch::rand({1, 5, 48}), 16), std::invalid_argument);
    CHECK_THROWS_AS(wkv7(x, x, x, x, x, x.to(torch::kFloat64), 16), std::invalid_argument);
}
