// The oneDNN-backed matrix product: forward y = x W^T (or x M), backward dx = dy W (or dy M^T) and
// dW = dy^T x (or dM = x^T dy), each one row-major dnnl_sgemm over the flattened leading dimensions.
#include "linear_op.hpp"

#include <stdexcept>
#include <string>

#include <ATen/record_function.h>
#include <dnnl.h>

namespace rwkvt::train {

namespace {

// op(a) op(b) for dense row-major float matrices, where op transposes when asked: [M, K] x [K, N].
torch::Tensor product(const torch::Tensor& a, bool transpose_a, const torch::Tensor& b, bool transpose_b) {
    const int64_t M = transpose_a ? a.size(1) : a.size(0), K = transpose_a ? a.size(0) : a.size(1);
    const int64_t N = transpose_b ? b.size(0) : b.size(1);
    torch::Tensor c = torch::empty({M, N}, a.options());
    // oneDNN rejects empty products; an empty sum is zero.
    if (M == 0 || N == 0 || K == 0) return c.zero_();
    const dnnl_status_t status = dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', M, N, K, 1.0f,
                                            a.data_ptr<float>(), a.size(1), b.data_ptr<float>(), b.size(1), 0.0f,
                                            c.data_ptr<float>(), N);
    if (status != dnnl_success)
        throw std::runtime_error("linear: oneDNN sgemm failed with status " + std::to_string(static_cast<int>(status)));
    return c;
}

// y = x op(W) + bias over x's last dimension; op(W) = W^T when the weight is stored [N, K]
// (weight_is_rows: torch::linear's layout), W itself when stored [K, N] (the LoRA layout). No bias
// is an empty tensor: autograd functions take no undefined inputs.
class LinearFunction : public torch::autograd::Function<LinearFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& weight, const torch::Tensor& bias, bool weight_is_rows) {
        RECORD_FUNCTION("rwkvt::linear_forward", std::vector<c10::IValue>());
        const torch::Tensor w = weight.contiguous();
        const int64_t K = x.size(-1);
        const torch::Tensor rows = x.reshape({-1, K}).contiguous();
        torch::Tensor y = product(rows, false, w, weight_is_rows);
        if (bias.numel() > 0) y.add_(bias);
        ctx->save_for_backward({rows, w});
        ctx->saved_data["weight_is_rows"] = weight_is_rows;
        ctx->saved_data["x_sizes"] = x.sizes().vec();
        std::vector<int64_t> y_sizes = x.sizes().vec();
        y_sizes.back() = y.size(1);
        return y.reshape(y_sizes);
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grad_outputs) {
        RECORD_FUNCTION("rwkvt::linear_backward", std::vector<c10::IValue>());
        const std::vector<torch::Tensor> saved = ctx->get_saved_variables();
        const torch::Tensor &rows = saved[0], &w = saved[1];
        const bool weight_is_rows = ctx->saved_data["weight_is_rows"].toBool();
        const int64_t outputs = weight_is_rows ? w.size(0) : w.size(1);
        const torch::Tensor dy = grad_outputs[0].reshape({rows.size(0), outputs}).contiguous();
        torch::Tensor dx, dw, db;
        if (ctx->needs_input_grad(0))
            dx = product(dy, false, w, !weight_is_rows).reshape(ctx->saved_data["x_sizes"].toIntVector());
        if (ctx->needs_input_grad(1)) dw = weight_is_rows ? product(dy, true, rows, false) : product(rows, true, dy, false);
        if (ctx->needs_input_grad(2)) db = dy.sum(0);  // only a real bias asks for its gradient
        return {dx, dw, db, torch::Tensor()};
    }
};

bool runs_on_onednn(const torch::Tensor& x, const torch::Tensor& weight) {
    return x.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32 && x.device().is_cpu() &&
           weight.device().is_cpu();
}

void check_shapes(const torch::Tensor& x, const torch::Tensor& weight, int64_t weight_inputs, const char* what) {
    if (x.dim() < 1 || weight.dim() != 2 || x.size(-1) != weight_inputs)
        throw std::invalid_argument(std::string(what) + ": input [..., " + (x.dim() ? std::to_string(x.size(-1)) : "?") +
                                    "] does not match the weight's " + std::to_string(weight_inputs) + " inputs");
}

}  // namespace

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
    check_shapes(x, weight, weight.dim() == 2 ? weight.size(1) : -1, "linear");
    if (!runs_on_onednn(x, weight)) return torch::linear(x, weight, bias);
    return LinearFunction::apply(x, weight, bias.defined() ? bias : torch::empty({0}, x.options()), true);
}

torch::Tensor matmul(const torch::Tensor& x, const torch::Tensor& m) {
    check_shapes(x, m, m.dim() == 2 ? m.size(0) : -1, "matmul");
    if (!runs_on_onednn(x, m)) return x.matmul(m);
    return LinearFunction::apply(x, m, torch::empty({0}, x.options()), false);
}

}  // namespace rwkvt::train
