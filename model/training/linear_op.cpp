// The oneDNN-backed matrix product: forward y = x W^T (or x M), backward dx = dy W (or dy M^T) and
// dW = dy^T x (or dM = x^T dy), each one row-major product over the flattened leading dimensions:
// dnnl_sgemm in f32, or oneDNN's matmul primitive on bf16 copies of the operands.
#include "linear_op.hpp"

#include <atomic>
#include <stdexcept>
#include <string>

#include <ATen/record_function.h>
#include <dnnl.h>
#include <dnnl.hpp>

namespace rwkvt::train {

namespace {

std::atomic<MatmulPrecision> g_precision{MatmulPrecision::F32};

const dnnl::engine& cpu_engine() {
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

// op(a) op(b) as bf16 x bf16 -> f32 into c: each operand is converted (and laid out as the
// primitive prefers) by one reorder, then multiplied. A transposed operand is the same row-major
// tensor described with its dimensions swapped (format "ba").
void product_bf16(const torch::Tensor& a, bool transpose_a, const torch::Tensor& b, bool transpose_b, torch::Tensor& c) {
    using dnnl::memory;
    using tag = memory::format_tag;
    const int64_t M = c.size(0), N = c.size(1), K = transpose_a ? a.size(0) : a.size(1);
    const dnnl::engine& engine = cpu_engine();
    const memory::desc a_f32({M, K}, memory::data_type::f32, transpose_a ? tag::ba : tag::ab);
    const memory::desc b_f32({K, N}, memory::data_type::f32, transpose_b ? tag::ba : tag::ab);
    const memory::desc c_f32({M, N}, memory::data_type::f32, tag::ab);
    const dnnl::matmul::primitive_desc pd(
        dnnl::matmul::desc(memory::desc({M, K}, memory::data_type::bf16, tag::any),
                           memory::desc({K, N}, memory::data_type::bf16, tag::any), c_f32),
        engine);
    // The bf16 copies live in torch allocations, so the caching allocator reuses them step to step.
    auto scratch = [&](const memory::desc& d) {
        return torch::empty({static_cast<int64_t>(d.get_size())}, torch::TensorOptions().dtype(torch::kUInt8));
    };
    torch::Tensor a_bytes = scratch(pd.src_desc()), b_bytes = scratch(pd.weights_desc());
    memory a_in(a_f32, engine, a.data_ptr<float>()), b_in(b_f32, engine, b.data_ptr<float>());
    memory a_bf16(pd.src_desc(), engine, a_bytes.data_ptr()), b_bf16(pd.weights_desc(), engine, b_bytes.data_ptr());
    memory c_out(c_f32, engine, c.data_ptr<float>());
    dnnl::stream stream(engine);
    dnnl::reorder(a_in, a_bf16).execute(stream, a_in, a_bf16);
    dnnl::reorder(b_in, b_bf16).execute(stream, b_in, b_bf16);
    dnnl::matmul(pd).execute(stream, {{DNNL_ARG_SRC, a_bf16}, {DNNL_ARG_WEIGHTS, b_bf16}, {DNNL_ARG_DST, c_out}});
    stream.wait();
}

// op(a) op(b) for dense row-major float matrices, where op transposes when asked: [M, K] x [K, N].
torch::Tensor product(const torch::Tensor& a, bool transpose_a, const torch::Tensor& b, bool transpose_b) {
    const int64_t M = transpose_a ? a.size(1) : a.size(0), K = transpose_a ? a.size(0) : a.size(1);
    const int64_t N = transpose_b ? b.size(0) : b.size(1);
    torch::Tensor c = torch::empty({M, N}, a.options());
    // oneDNN rejects empty products; an empty sum is zero.
    if (M == 0 || N == 0 || K == 0) return c.zero_();
    if (g_precision.load(std::memory_order_relaxed) == MatmulPrecision::BF16) {
        product_bf16(a, transpose_a, b, transpose_b, c);
        return c;
    }
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

void set_matmul_precision(MatmulPrecision precision) {
    if (precision == MatmulPrecision::BF16) {
        // A product of the smallest shape tells whether oneDNN has a bf16 implementation here.
        try {
            torch::Tensor a = torch::ones({1, 2}), b = torch::ones({2, 1}), c = torch::empty({1, 1});
            product_bf16(a, false, b, false, c);
        } catch (const dnnl::error&) {
            throw std::runtime_error("bf16 matrix products are not available on this CPU (oneDNN needs AVX-512 for them): use f32");
        }
    }
    g_precision.store(precision);
}

MatmulPrecision matmul_precision() { return g_precision.load(); }

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
