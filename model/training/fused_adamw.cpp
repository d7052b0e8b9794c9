// FusedAdamW::step: torch::optim::AdamW's update (LibTorch 1.13, decoupled weight decay, bias
// corrections) with the element-wise work of a parameter in one parallel loop.
#include "fused_adamw.hpp"

#include <cmath>

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

namespace rwkvt::train {

namespace {

// The reference arithmetic, for parameters the fused loop does not take: as LibTorch's AdamW.
void plain_update(torch::Tensor& p, const torch::Tensor& grad, torch::optim::AdamWParamState& state,
                  const torch::optim::AdamWOptions& o, double bias_correction1, double bias_correction2) {
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
    state.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    torch::Tensor denom;
    if (o.amsgrad()) {
        torch::max_out(state.max_exp_avg_sq(), state.exp_avg_sq(), state.max_exp_avg_sq());
        denom = (state.max_exp_avg_sq().sqrt() / std::sqrt(bias_correction2)).add_(o.eps());
    } else {
        denom = (state.exp_avg_sq().sqrt() / std::sqrt(bias_correction2)).add_(o.eps());
    }
    p.addcdiv_(state.exp_avg(), denom, -o.lr() / bias_correction1);
}

}  // namespace

torch::Tensor FusedAdamW::step(LossClosure closure) {
    RECORD_FUNCTION("rwkvt::fused_adamw_step", std::vector<c10::IValue>());
    torch::NoGradGuard no_grad;
    torch::Tensor loss = {};
    if (closure != nullptr) {
        at::AutoGradMode enable_grad(true);
        loss = closure();
    }
    for (auto& group : param_groups_) {
        const auto& o = static_cast<const torch::optim::AdamWOptions&>(group.options());
        const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
        for (auto& p : group.params()) {
            if (!p.grad().defined()) continue;
            const torch::Tensor& grad = p.grad();
            TORCH_CHECK(!grad.is_sparse(), "AdamW does not support sparse gradients");
            // State as torch::optim::AdamW keeps it (same key, same fields), created on first use.
            const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
            auto found = state_.find(key);
            if (found == state_.end()) {
                auto state = std::make_unique<torch::optim::AdamWParamState>();
                state->step(0);
                state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                if (o.amsgrad()) state->max_exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                found = state_.emplace(key, std::move(state)).first;
            }
            auto& state = static_cast<torch::optim::AdamWParamState&>(*found->second);
            state.step(state.step() + 1);
            const double bias_correction1 = 1 - std::pow(beta1, state.step());
            const double bias_correction2 = 1 - std::pow(beta2, state.step());
            const double decay = 1 - o.lr() * o.weight_decay();

            const bool fused = !o.amsgrad() && p.scalar_type() == torch::kFloat32 && p.device().is_cpu() && p.is_contiguous() &&
                               grad.scalar_type() == torch::kFloat32 && grad.is_contiguous() && state.exp_avg().is_contiguous() &&
                               state.exp_avg_sq().is_contiguous();
            if (!fused) {
                if (o.weight_decay() != 0) p.mul_(decay);
                plain_update(p, grad, state, o, bias_correction1, bias_correction2);
                continue;
            }
            float* param = p.data_ptr<float>();
            const float* g = grad.data_ptr<float>();
            float* m = state.exp_avg().data_ptr<float>();
            float* v = state.exp_avg_sq().data_ptr<float>();
            const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
            const float one_minus_b1 = static_cast<float>(1 - beta1), one_minus_b2 = static_cast<float>(1 - beta2);
            const float inv_sqrt_bc2 = static_cast<float>(1 / std::sqrt(bias_correction2));
            const float eps = static_cast<float>(o.eps()), decay_f = static_cast<float>(decay);  // 1 without decay
            const float step_size = static_cast<float>(o.lr() / bias_correction1);
            at::parallel_for(0, p.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) {
                    const float gi = g[i];
                    const float mi = m[i] * b1 + gi * one_minus_b1;
                    const float vi = v[i] * b2 + gi * gi * one_minus_b2;
                    m[i] = mi;
                    v[i] = vi;
                    param[i] = param[i] * decay_f - step_size * (mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps));
                }
            });
        }
    }
    return loss;
}

}  // namespace rwkvt::train
