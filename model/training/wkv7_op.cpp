// The WKV-7 autograd function: argument checks, torch tensors <-> Halide buffers, and the kernel
// dispatch by head size. The maths of forward and backward is in generators/wkv7_train.cpp.
#include "wkv7_op.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/record_function.h>

#include "halide_tensor.hpp"
#include "rwkvt_wkv7_backward_n16.h"
#include "rwkvt_wkv7_backward_n32.h"
#include "rwkvt_wkv7_forward_train_n16.h"
#include "rwkvt_wkv7_forward_train_n32.h"

namespace rwkvt::train {

namespace {

constexpr int64_t kChunk = 16;  // tokens per state checkpoint, as in the generators

// The checkpoints [B, H, ceil(T/16), N, N] are the kernels' (i, j, n, h, b) buffer (halide_view):
// S_h[i][j] with i fastest, i.e. the torch tensor holds each state transposed. It is opaque to
// everything but the two kernels.

class Wkv7Function : public torch::autograd::Function<Wkv7Function> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& r_in,
                                 const torch::Tensor& w_in, const torch::Tensor& k_in, const torch::Tensor& v_in,
                                 const torch::Tensor& kk_in, const torch::Tensor& a_in, int64_t head_size) {
        RECORD_FUNCTION("rwkvt::wkv7_forward", std::vector<c10::IValue>());
        std::vector<torch::Tensor> in;
        for (const torch::Tensor* x : {&r_in, &w_in, &k_in, &v_in, &kk_in, &a_in}) in.push_back(x->contiguous());
        const int64_t B = in[0].size(0), T = in[0].size(1), C = in[0].size(2), H = C / head_size;
        torch::Tensor y = torch::empty({B, T, C}, in[0].options());
        torch::Tensor checkpoints =
            torch::empty({B, H, (T + kChunk - 1) / kChunk, head_size, head_size}, in[0].options());
        std::vector<HalideFloats> b;
        for (const torch::Tensor& x : in) b.push_back(halide_view(x));
        // The kernel writes y as (i, h, t, b): the same memory as [B, T, C] seen as [B, T, H, N].
        HalideFloats y_buf(y.data_ptr<float>(), std::vector<int>{static_cast<int>(head_size), static_cast<int>(H),
                                                                 static_cast<int>(T), static_cast<int>(B)});
        HalideFloats ckpt_buf = halide_view(checkpoints);
        auto kernel = head_size == 16 ? rwkvt_wkv7_forward_train_n16 : rwkvt_wkv7_forward_train_n32;
        check_halide_result(kernel(b[0], b[1], b[2], b[3], b[4], b[5], y_buf, ckpt_buf), "wkv7_forward_train");
        in.push_back(checkpoints);
        ctx->save_for_backward(in);
        ctx->saved_data["head_size"] = head_size;
        return y;
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grad_outputs) {
        RECORD_FUNCTION("rwkvt::wkv7_backward", std::vector<c10::IValue>());
        const std::vector<torch::Tensor> saved = ctx->get_saved_variables();
        const int64_t head_size = ctx->saved_data["head_size"].toInt();
        const torch::Tensor dy = grad_outputs[0].contiguous();
        std::vector<HalideFloats> in;
        for (int i = 0; i < 6; ++i) in.push_back(halide_view(saved[i]));
        HalideFloats dy_buf = halide_view(dy), ckpt_buf = halide_view(saved[6]);
        std::vector<torch::Tensor> grads;
        std::vector<HalideFloats> g;
        for (int i = 0; i < 6; ++i) {
            grads.push_back(torch::empty_like(saved[0]));
            g.push_back(halide_view(grads.back()));
        }
        auto kernel = head_size == 16 ? rwkvt_wkv7_backward_n16 : rwkvt_wkv7_backward_n32;
        check_halide_result(kernel(in[0], in[1], in[2], in[3], in[4], in[5], dy_buf, ckpt_buf, g[0], g[1], g[2],
                                   g[3], g[4], g[5]),
                            "wkv7_backward");
        // Order of the kernel's tuple: dr, dw, dk, dv, dkk, da; no gradient for head_size.
        return {grads[0], grads[1], grads[2], grads[3], grads[4], grads[5], torch::Tensor()};
    }
};

void check_arguments(const std::vector<const torch::Tensor*>& xs, int head_size) {
    if (head_size != 16 && head_size != 32)
        throw std::invalid_argument("wkv7: head size " + std::to_string(head_size) +
                                    " has no kernel (built for 16 and 32)");
    const torch::Tensor& first = *xs[0];
    if (first.dim() != 3 || first.size(0) < 1 || first.size(1) < 1 || first.size(2) % head_size != 0)
        throw std::invalid_argument("wkv7: inputs must be [B, T, C] with B, T >= 1 and C a multiple of " +
                                    std::to_string(head_size));
    for (const torch::Tensor* x : xs) {
        if (x->sizes() != first.sizes()) throw std::invalid_argument("wkv7: r, w, k, v, kk, a must have one shape");
        if (x->scalar_type() != torch::kFloat32 || !x->device().is_cpu())
            throw std::invalid_argument("wkv7: inputs must be float32 CPU tensors");
    }
}

}  // namespace

torch::Tensor wkv7(const torch::Tensor& r, const torch::Tensor& w, const torch::Tensor& k, const torch::Tensor& v,
                   const torch::Tensor& kk, const torch::Tensor& a, int head_size) {
    check_arguments({&r, &w, &k, &v, &kk, &a}, head_size);
    return Wkv7Function::apply(r, w, k, v, kk, a, static_cast<int64_t>(head_size));
}

torch::Tensor wkv7_autograd_loop(const torch::Tensor& r, const torch::Tensor& w, const torch::Tensor& k,
                                 const torch::Tensor& v, const torch::Tensor& kk, const torch::Tensor& a,
                                 int head_size) {
    const int64_t B = r.size(0), T = r.size(1), C = r.size(2), N = head_size, H = C / N;
    // Per head: S [B, H, N(i), N(j)]; a vector over j as [B, H, 1, N] (a row), over i as [B, H, N, 1].
    auto row = [&](const torch::Tensor& x, int64_t t) { return x.select(1, t).reshape({B, H, 1, N}); };
    auto column = [&](const torch::Tensor& x, int64_t t) { return x.select(1, t).reshape({B, H, N, 1}); };
    torch::Tensor S = torch::zeros({B, H, N, N}, r.options());
    std::vector<torch::Tensor> ys;
    for (int64_t t = 0; t < T; ++t) {
        const torch::Tensor kk_t = row(kk, t);
        const torch::Tensor sa = (S * -kk_t).sum(-1, true);  // [B, H, N, 1]
        S = S * row(w, t) + sa * (kk_t * row(a, t)) + column(v, t) * row(k, t);
        ys.push_back((S * row(r, t)).sum(-1).reshape({B, C}));
    }
    return torch::stack(ys, 1);
}

}  // namespace rwkvt::train
