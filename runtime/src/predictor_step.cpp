#include "predictor_step.hpp"

#include <algorithm>

#include "kernels.hpp"

namespace rwkvt::rt {

void predictor_step(const PackedModel& model, int token, StackState& state, Floats& pred_proj, StackWorkspace& ws) {
    predictor_steps(model, {token}, {&state}, {&pred_proj}, ws);
}

void predictor_steps(const PackedModel& model, const std::vector<int>& tokens, const std::vector<StackState*>& states,
                     const std::vector<Floats*>& pred_projs, StackWorkspace& ws) {
    const int C = model.config.width, n = static_cast<int>(tokens.size());
    if (n == 0) return;
    Floats g(static_cast<size_t>(n) * C), proj(static_cast<size_t>(n) * C);
    for (int i = 0; i < n; ++i)
        std::copy_n(model.embedding.begin() + static_cast<long>(tokens[i]) * C, C, g.begin() + static_cast<long>(i) * C);
    run_stacks(model.predictor, model.config, g.data(), n, states.data(), n, ws);
    kernels::gemm(kernels::Epilogue::Plain, kernels::dense(g.data(), C, n), model.joiner_pred, {}, kernels::dense(proj.data(), C, n));
    for (int i = 0; i < n; ++i) pred_projs[i]->assign(proj.begin() + static_cast<long>(i) * C, proj.begin() + static_cast<long>(i + 1) * C);
}

}  // namespace rwkvt::rt
