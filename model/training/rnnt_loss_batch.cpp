// The batched RNN-T loss: one rnnt_loss() call per utterance on its unpadded [T_b][U_b+1][V] slice,
// utterances in parallel, the fused gradient kept for backward.
#include "rnnt_loss_batch.hpp"

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "rnnt_loss.hpp"

namespace rwkvt::train {

namespace {

class RnntLossFunction : public torch::autograd::Function<RnntLossFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits_in,
                                 const torch::Tensor& labels_in, const torch::Tensor& logit_lengths_in,
                                 const torch::Tensor& label_lengths_in, int64_t blank) {
        const torch::Tensor logits = logits_in.contiguous();
        const torch::Tensor labels = labels_in.to(torch::kInt32).contiguous();
        const torch::Tensor logit_lengths = logit_lengths_in.to(torch::kInt64).contiguous();
        const torch::Tensor label_lengths = label_lengths_in.to(torch::kInt64).contiguous();
        const int64_t B = logits.size(0), T = logits.size(1), U1 = logits.size(2), V = logits.size(3);
        const int64_t U = labels.size(1);
        // The gradient of the mean, written by the loss into each utterance's slice; zero on padding.
        torch::Tensor grad = torch::zeros_like(logits);
        std::vector<double> losses(static_cast<size_t>(B), 0.0);
        std::string error;
        std::mutex error_mutex;
        const float* logits_data = logits.data_ptr<float>();
        float* grad_data = grad.data_ptr<float>();
        const int* label_data = labels.data_ptr<int>();
        const int64_t* t_len = logit_lengths.data_ptr<int64_t>();
        const int64_t* u_len = label_lengths.data_ptr<int64_t>();
        at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
            std::vector<float> slice;  // one utterance's unpadded logits, then its gradient in place
            for (int64_t b = begin; b < end; ++b) {
                const int64_t Tb = t_len[b], Ub = u_len[b];
                if (Tb < 1 || Tb > T || Ub < 0 || Ub > U || Ub + 1 > U1) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    error = "rnnt_loss_batch: lengths of utterance " + std::to_string(b) + " out of range";
                    continue;
                }
                const int64_t row = (Ub + 1) * V;  // one frame of the utterance
                slice.resize(static_cast<size_t>(Tb * row));
                for (int64_t t = 0; t < Tb; ++t)
                    std::copy_n(logits_data + (b * T + t) * U1 * V, row, slice.data() + t * row);
                try {
                    losses[b] = rnnt_loss(slice.data(), static_cast<int>(Tb), static_cast<int>(Ub),
                                          static_cast<int>(V), label_data + b * U, static_cast<int>(blank),
                                          slice.data());
                } catch (const std::exception& e) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    error = "rnnt_loss_batch: utterance " + std::to_string(b) + ": " + e.what();
                    continue;
                }
                const float scale = 1.0f / static_cast<float>(B);
                for (int64_t t = 0; t < Tb; ++t) {
                    float* out = grad_data + (b * T + t) * U1 * V;
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
        return {grad * grad_outputs[0], torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor rnnt_loss_batch(const torch::Tensor& logits, const torch::Tensor& labels,
                              const torch::Tensor& logit_lengths, const torch::Tensor& label_lengths, int blank) {
    if (logits.dim() != 4 || logits.scalar_type() != torch::kFloat32 || !logits.device().is_cpu())
        throw std::invalid_argument("rnnt_loss_batch: logits must be a float32 CPU tensor [B, T, U+1, V]");
    const int64_t B = logits.size(0);
    if (labels.dim() != 2 || labels.size(0) != B || logit_lengths.numel() != B || label_lengths.numel() != B)
        throw std::invalid_argument("rnnt_loss_batch: labels must be [B, U] and the lengths [B]");
    if (B < 1) throw std::invalid_argument("rnnt_loss_batch: empty batch");
    return RnntLossFunction::apply(logits, labels, logit_lengths, label_lengths, static_cast<int64_t>(blank));
}

}  // namespace rwkvt::train
