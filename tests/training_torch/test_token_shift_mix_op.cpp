// The token-shift mix autograd function (Halide forward and backward) against the same maths in
// plain torch ops in double precision: the K mixes and the gradients of x and of every mu, on fresh
// random inputs; one token, channel counts that are not a multiple of the vector width, an unused
// output, a strided input; its argument checks; and the plain-ops path of other dtypes.
#include "torch_doctest.hpp"

#include <algorithm>

#include "model/scratch.hpp"
#include "training/token_shift_mix_op.hpp"

using rwkvt::train::token_shift_mix;
using rwkvt::train::token_shift_mix_reference;

namespace {

// Runs both ways on the same random x, mus and output gradients; `unused` drops output 1's
// gradient (an output nobody reads), `strided` hands the op a transposed view of x.
void check_case(int64_t B, int64_t T, int64_t C, int K, bool unused, bool strided) {
    CAPTURE(B);
    CAPTURE(T);
    CAPTURE(C);
    CAPTURE(K);
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    const torch::Tensor x = strided ? torch::randn({T, B, C}, f64).transpose(0, 1) : torch::randn({B, T, C}, f64);
    std::vector<torch::Tensor> mus, grads;
    for (int k = 0; k < K; ++k) {
        mus.push_back(torch::rand({1, 1, C}, f64));  // the model's mu shape
        grads.push_back(torch::randn({B, T, C}, f64));
    }

    auto run = [&](bool op, std::vector<torch::Tensor>& outs, torch::Tensor& dx, std::vector<torch::Tensor>& dmus) {
        const torch::ScalarType dtype = op ? torch::kFloat32 : torch::kFloat64;
        torch::Tensor leaf = x.to(dtype).detach().requires_grad_(true);
        std::vector<torch::Tensor> mu_leaves;
        for (const torch::Tensor& mu : mus) mu_leaves.push_back(mu.to(dtype).detach().requires_grad_(true));
        outs = op ? token_shift_mix(leaf, mu_leaves) : token_shift_mix_reference(leaf, mu_leaves);
        torch::Tensor loss = torch::zeros({}, leaf.options());
        for (int k = 0; k < K; ++k)
            if (!(unused && k == 1)) loss = loss + (outs[static_cast<size_t>(k)] * grads[static_cast<size_t>(k)].to(dtype)).sum();
        loss.backward();
        dx = leaf.grad();
        dmus.clear();
        for (const torch::Tensor& mu : mu_leaves) dmus.push_back(mu.grad().defined() ? mu.grad() : torch::zeros_like(mu));
    };
    std::vector<torch::Tensor> outs, ref_outs, dmus, ref_dmus;
    torch::Tensor dx, ref_dx;
    run(true, outs, dx, dmus);
    run(false, ref_outs, ref_dx, ref_dmus);
    REQUIRE(outs.size() == static_cast<size_t>(K));
    for (int k = 0; k < K; ++k) {
        CAPTURE(k);
        CHECK(outs[static_cast<size_t>(k)].sizes() == ref_outs[static_cast<size_t>(k)].sizes());
        CHECK(relative_error(outs[static_cast<size_t>(k)], ref_outs[static_cast<size_t>(k)]) < 1e-6);
        CHECK(relative_error(dmus[static_cast<size_t>(k)], ref_dmus[static_cast<size_t>(k)]) < 1e-5);
    }
    CHECK(relative_error(dx, ref_dx) < 1e-5);
}

}  // namespace

TEST_CASE("token shift mix op: the mixes and the gradients of x and every mu equal plain torch ops in double precision") {
    at::set_num_threads(2);
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    torch::manual_seed(seed);
    for (int K : {6, 1}) {
        check_case(3, 17, 40, K, false, false);
        check_case(2, 1, 13, K, false, false);   // one token: only the zero start state is shifted in
        check_case(1, 9, 288, K, false, true);   // a strided x
        check_case(4, 5, 7, K, K > 1, false);    // an output with no gradient
    }
}

TEST_CASE("token shift mix op: rejects shapes and mix counts it has no kernel for") {
    const torch::Tensor x = torch::randn({2, 3, 8});
    const std::vector<torch::Tensor> one = {torch::rand({8})};
    CHECK_THROWS_AS(token_shift_mix(torch::randn({3, 8}), one), std::invalid_argument);
    CHECK_THROWS_AS(token_shift_mix(torch::randn({2, 0, 8}), one), std::invalid_argument);
    CHECK_THROWS_AS(token_shift_mix(x, {torch::rand({7})}), std::invalid_argument);
    CHECK_THROWS_AS(token_shift_mix(x, {torch::rand({8}), torch::rand({8})}), std::invalid_argument);
}

TEST_CASE("token shift mix op: other dtypes take the plain torch ops") {
    const torch::Tensor x = torch::randn({2, 3, 8}, torch::kFloat64);
    const std::vector<torch::Tensor> mus = {torch::rand({8}, torch::kFloat64)};
    const std::vector<torch::Tensor> out = token_shift_mix(x, mus);
    REQUIRE(out.size() == 1);
    CHECK((out[0].scalar_type() == torch::kFloat64));
    CHECK(torch::equal(out[0], token_shift_mix_reference(x, mus)[0]));
}
