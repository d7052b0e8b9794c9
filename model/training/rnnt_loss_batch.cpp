// The batched RNN-T losses: one lattice-loss call per utterance on its unpadded slice, utterances in
// parallel, the fused gradient kept for backward.
#include "rnnt_loss_batch.hpp"

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "pruned_rnnt.hpp"
#include "rnnt_loss.hpp"

namespace rwkvt::train {

namespace {

// Full lattice when `windows` is empty (logits [B, T, U+1, V]); pruned when it holds s_begin [B, T]
// (logits [B, T, S, V]). (Autograd functions take no undefined tensors, hence empty.)
class RnntLossFunction : public torch::autograd::Function<RnntLossFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits_in,
                                 const torch::Tensor& labels_in, const torch::Tensor& windows_in,
                                 const torch::Tensor& logit_lengths_in, const torch::Tensor& label_lengths_in, int64_t blank) {
        const torch::Tensor logits = logits_in.contiguous();
        const torch::Tensor labels = labels_in.to(torch::kInt32).contiguous();
        const bool pruned = windows_in.numel() > 0;
        const torch::Tensor windows = pruned ? windows_in.to(torch::kInt32).contiguous() : torch::Tensor();
        const torch::Tensor logit_lengths = logit_lengths_in.to(torch::kInt64).contiguous();
        const torch::Tensor label_lengths = label_lengths_in.to(torch::kInt64).contiguous();
        const int64_t B = logits.size(0), T = logits.size(1), rows = logits.size(2), V = logits.size(3);
        const int64_t U = labels.size(1);
        // The gradient of the mean, written by the loss into each utterance's slice; zero on padding.
        torch::Tensor grad = torch::zeros_like(logits);
        std::vector<double> losses(static_cast<size_t>(B), 0.0);
        std::string error;
        std::mutex error_mutex;
        const float* logits_data = logits.data_ptr<float>();
        float* grad_data = grad.data_ptr<float>();
        const int* label_data = labels.data_ptr<int>();
        const int* window_data = pruned ? windows.data_ptr<int>() : nullptr;
        const int64_t* t_len = logit_lengths.data_ptr<int64_t>();
        const int64_t* u_len = label_lengths.data_ptr<int64_t>();
        at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
            std::vector<float> slice;  // one utterance's unpadded logits, then its gradient in place
            for (int64_t b = begin; b < end; ++b) {
                const int64_t Tb = t_len[b], Ub = u_len[b];
                if (Tb < 1 || Tb > T || Ub < 0 || Ub > U || (!pruned && Ub + 1 > rows)) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    error = "rnnt_loss_batch: lengths of utterance " + std::to_string(b) + " out of range";
                    continue;
                }
                const int64_t used_rows = pruned ? rows : Ub + 1;
                const int64_t row = used_rows * V;  // one frame of the utterance
                slice.resize(static_cast<size_t>(Tb * row));
                for (int64_t t = 0; t < Tb; ++t)
                    std::copy_n(logits_data + (b * T + t) * rows * V, row, slice.data() + t * row);
                try {
                    losses[b] = pruned ? pruned_rnnt_loss(slice.data(), static_cast<int>(Tb), static_cast<int>(Ub), static_cast<int>(rows),
                                                          static_cast<int>(V), label_data + b * U, window_data + b * T,
                                                          static_cast<int>(blank), slice.data())
                                       : rnnt_loss(slice.data(), static_cast<int>(Tb), static_cast<int>(Ub), static_cast<int>(V),
                                                   label_data + b * U, static_cast<int>(blank), slice.data());
                } catch (const std::exception& e) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    error = "rnnt_loss_batch: utterance " + std::to_string(b) + ": " + e.what();
                    continue;
                }
                const float scale = 1.0f / static_cast<float>(B);
                for (int64_t t = 0; t < Tb; ++t) {
                    float* out = grad_data + (b * T + t) * rows * V;
                    const float* in = slice.data() + t * row;
                    for (int64_t i = 0; i < row; ++i) out[i] = in[i] * scale;
                }
            }
        });
        if (!error.empty()) throw std::invalid_argument(error);
        double total = 0.0;
        for (double loss : losses) total += loss;
        ctx->save_for_backward({grad});
        return torch::tensor(static_cast<float>(total / static_cast<double>(B)), logits.options());
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grad_outputs) {
        const torch::Tensor grad = ctx->get_saved_variables()[0];
        return {grad * grad_outputs[0], torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

void check_batch(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& logit_lengths,
                 const torch::Tensor& label_lengths, const char* who, const char* layout) {
    if (logits.dim() != 4 || logits.scalar_type() != torch::kFloat32 || !logits.device().is_cpu())
        throw std::invalid_argument(std::string(who) + ": logits must be a float32 CPU tensor " + layout);
    const int64_t B = logits.size(0);
    if (labels.dim() != 2 || labels.size(0) != B || logit_lengths.numel() != B || label_lengths.numel() != B)
        throw std::invalid_argument(std::string(who) + ": labels must be [B, U] and the lengths [B]");
    if (B < 1) throw std::invalid_argument(std::string(who) + ": empty batch");
}

}  // namespace

torch::Tensor rnnt_loss_batch(const torch::Tensor& logits, const torch::Tensor& labels,
                              const torch::Tensor& logit_lengths, const torch::Tensor& label_lengths, int blank) {
    check_batch(logits, labels, logit_lengths, label_lengths, "rnnt_loss_batch", "[B, T, U+1, V]");
    return RnntLossFunction::apply(logits, labels, torch::empty({0}, torch::kInt32), logit_lengths, label_lengths, static_cast<int64_t>(blank));
}

torch::Tensor pruned_rnnt_loss_batch(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& s_begin,
                                     const torch::Tensor& logit_lengths, const torch::Tensor& label_lengths, int blank) {
    check_batch(logits, labels, logit_lengths, label_lengths, "pruned_rnnt_loss_batch", "[B, T, S, V]");
    if (s_begin.dim() != 2 || s_begin.size(0) != logits.size(0) || s_begin.size(1) != logits.size(1))
        throw std::invalid_argument("pruned_rnnt_loss_batch: s_begin must be [B, T]");
    return RnntLossFunction::apply(logits, labels, s_begin, logit_lengths, label_lengths, static_cast<int64_t>(blank));
}

torch::Tensor pruning_bounds_batch(const torch::Tensor& am_log_probs, const torch::Tensor& lm_log_probs, const torch::Tensor& labels,
                                   const torch::Tensor& logit_lengths, const torch::Tensor& label_lengths, int prune_range, int blank) {
    torch::NoGradGuard no_grad;
    const int64_t B = am_log_probs.size(0), T = am_log_probs.size(1), U = labels.size(1);
    if (lm_log_probs.size(0) != B || lm_log_probs.size(1) < U + 1 || lm_log_probs.size(2) != am_log_probs.size(2))
        throw std::invalid_argument("pruning_bounds_batch: lm_log_probs must be [B, U+1, V] beside am_log_probs [B, T, V]");
    const torch::Tensor am = am_log_probs.detach().to(torch::kFloat32);
    const torch::Tensor lm = lm_log_probs.detach().to(torch::kFloat32).narrow(1, 0, U + 1);
    // log sum_v exp(am[t,v] + lm[u,v]) for every node at once, as one product of exponentials per
    // utterance (each shifted by its maximum so that nothing overflows).
    const torch::Tensor am_max = std::get<0>(am.max(-1, true)), lm_max = std::get<0>(lm.max(-1, true));
    const torch::Tensor norm = torch::bmm((am - am_max).exp(), (lm - lm_max).exp().transpose(1, 2)).clamp_min(1e-30).log() + am_max +
                               lm_max.transpose(1, 2);  // [B, T, U+1]
    const torch::Tensor simple_blank =
        (am.select(2, blank).unsqueeze(2) + lm.select(2, blank).unsqueeze(1) - norm).contiguous();  // [B, T, U+1]
    const torch::Tensor label_index = labels.to(torch::kInt64);
    const torch::Tensor am_label = am.gather(2, label_index.unsqueeze(1).expand({B, T, U}));                      // [B, T, U]
    const torch::Tensor lm_label = lm.narrow(1, 0, U).gather(2, label_index.unsqueeze(2)).squeeze(2).unsqueeze(1);  // [B, 1, U]
    const torch::Tensor simple_label = (am_label + lm_label - norm.narrow(2, 0, U)).contiguous();                 // [B, T, U]

    torch::Tensor s_begin = torch::zeros({B, T}, torch::kInt64);
    const torch::Tensor t_len = logit_lengths.to(torch::kInt64).contiguous(), u_len = label_lengths.to(torch::kInt64).contiguous();
    std::string error;
    std::mutex error_mutex;
    at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> blank_slice, label_slice;
        std::vector<int> windows;
        for (int64_t b = begin; b < end; ++b) {
            const int64_t Tb = t_len.data_ptr<int64_t>()[b], Ub = u_len.data_ptr<int64_t>()[b];
            if (Tb < 1 || Tb > T || Ub < 0 || Ub > U) {
                std::lock_guard<std::mutex> lock(error_mutex);
                error = "pruning_bounds_batch: lengths of utterance " + std::to_string(b) + " out of range";
                continue;
            }
            // Each utterance's own [Tb][Ub+1] and [Tb][Ub] lattices out of the padded ones.
            blank_slice.resize(static_cast<size_t>(Tb * (Ub + 1)));
            label_slice.resize(static_cast<size_t>(Tb * Ub));
            windows.resize(static_cast<size_t>(Tb));
            const float* sb = simple_blank.data_ptr<float>() + b * T * (U + 1);
            const float* sl = simple_label.data_ptr<float>() + b * T * U;
            for (int64_t t = 0; t < Tb; ++t) {
                std::copy_n(sb + t * (U + 1), Ub + 1, blank_slice.data() + t * (Ub + 1));
                std::copy_n(sl + t * U, Ub, label_slice.data() + t * Ub);
            }
            try {
                pruning_bounds(blank_slice.data(), label_slice.data(), static_cast<int>(Tb), static_cast<int>(Ub), prune_range, windows.data());
            } catch (const std::exception& e) {
                std::lock_guard<std::mutex> lock(error_mutex);
                error = "pruning_bounds_batch: utterance " + std::to_string(b) + ": " + e.what();
                continue;
            }
            int64_t* out = s_begin.data_ptr<int64_t>() + b * T;
            for (int64_t t = 0; t < Tb; ++t) out[t] = windows[static_cast<size_t>(t)];
        }
    });
    if (!error.empty()) throw std::invalid_argument(error);
    return s_begin;
}

}  // namespace rwkvt::train
