// The token-shift mix autograd function: argument checks, torch tensors <-> Halide buffers, and the
// backward kernel chosen by the number of mixes. The maths is in generators/token_shift_mix_train.cpp.
#include "token_shift_mix_op.hpp"

#include <stdexcept>
#include <string>

#include <ATen/record_function.h>

#include "halide_tensor.hpp"
#include "rwkvt_token_shift_mix_backward_k1.h"
#include "rwkvt_token_shift_mix_backward_k6.h"
#include "rwkvt_token_shift_mix_forward.h"

namespace rwkvt::train {

namespace {

class TokenShiftMixFunction : public torch::autograd::Function<TokenShiftMixFunction> {
public:
    // mu: [K, C]. Returns the K mixes as one [K, B, T, C] tensor's slices.
    static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x_in,
                                                  const torch::Tensor& mu_in) {
        RECORD_FUNCTION("rwkvt::token_shift_mix_forward", std::vector<c10::IValue>());
        const torch::Tensor x = x_in.contiguous(), mu = mu_in.contiguous();
        const int64_t K = mu.size(0);
        torch::Tensor out = torch::empty({K, x.size(0), x.size(1), x.size(2)}, x.options());
        HalideFloats x_buf = halide_view(x), mu_buf = halide_view(mu), out_buf = halide_view(out);
        check_halide_result(rwkvt_token_shift_mix_forward(x_buf, mu_buf, out_buf), "token_shift_mix_forward");
        ctx->save_for_backward({x, mu});
        return out.unbind(0);
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::tensor_list grad_outputs) {
        RECORD_FUNCTION("rwkvt::token_shift_mix_backward", std::vector<c10::IValue>());
        const std::vector<torch::Tensor> saved = ctx->get_saved_variables();
        const torch::Tensor &x = saved[0], &mu = saved[1];
        const int64_t K = mu.size(0), B = x.size(0);
        std::vector<torch::Tensor> grads;
        for (const torch::Tensor& g : grad_outputs)  // an output nobody used has no gradient: zeros
            grads.push_back(g.defined() ? g.contiguous() : torch::zeros_like(x));
        torch::Tensor dx = torch::empty_like(x);
        torch::Tensor dmu_rows = torch::empty({B, K, mu.size(1)}, x.options());
        HalideFloats x_buf = halide_view(x), mu_buf = halide_view(mu), dx_buf = halide_view(dx),
                     dmu_buf = halide_view(dmu_rows);
        std::vector<HalideFloats> g;
        for (const torch::Tensor& t : grads) g.push_back(halide_view(t));
        if (K == 6) {
            check_halide_result(rwkvt_token_shift_mix_backward_k6(x_buf, mu_buf, g[0], g[1], g[2], g[3], g[4], g[5], dx_buf, dmu_buf),
                                "token_shift_mix_backward_k6");
        } else {
            check_halide_result(rwkvt_token_shift_mix_backward_k1(x_buf, mu_buf, g[0], dx_buf, dmu_buf), "token_shift_mix_backward_k1");
        }
        return {dx, dmu_rows.sum(0)};
    }
};

}  // namespace

std::vector<torch::Tensor> token_shift_mix(const torch::Tensor& x, const std::vector<torch::Tensor>& mus) {
    if (x.dim() != 3 || x.size(0) < 1 || x.size(1) < 1 || x.size(2) < 1)
        throw std::invalid_argument("token_shift_mix: x must be [B, T, C] with B, T, C >= 1");
    if (mus.size() != 1 && mus.size() != 6)
        throw std::invalid_argument("token_shift_mix: " + std::to_string(mus.size()) + " mixes have no kernel (built for 1 and 6)");
    const int64_t C = x.size(2);
    std::vector<torch::Tensor> rows;
    for (const torch::Tensor& mu : mus) {
        if (mu.numel() != C) throw std::invalid_argument("token_shift_mix: every mu must have C = " + std::to_string(C) + " elements");
        rows.push_back(mu.reshape({C}));
    }
    // The kernels are float32 CPU; anything else (double in tests) takes the plain torch ops.
    bool kernels = x.scalar_type() == torch::kFloat32 && x.device().is_cpu();
    for (const torch::Tensor& mu : rows) kernels = kernels && mu.scalar_type() == torch::kFloat32 && mu.device().is_cpu();
    if (!kernels) return token_shift_mix_reference(x, mus);
    return TokenShiftMixFunction::apply(x, torch::stack(rows));
}

std::vector<torch::Tensor> token_shift_mix_reference(const torch::Tensor& x, const std::vector<torch::Tensor>& mus) {
    const torch::Tensor previous = torch::constant_pad_nd(x, {0, 0, 1, 0}).narrow(1, 0, x.size(1));
    const torch::Tensor d = previous - x;
    std::vector<torch::Tensor> out;
    for (const torch::Tensor& mu : mus) out.push_back(x + d * mu.reshape({x.size(2)}));
    return out;
}

}  // namespace rwkvt::train
