#include "predictor_step.hpp"

#include "kernels.hpp"

namespace rwkvt::rt {

void predictor_step(const PackedModel& model, int token, StackState& state, Floats& pred_proj, StackWorkspace& ws) {
    const int C = model.config.width;
    Floats g(model.embedding.begin() + static_cast<long>(token) * C, model.embedding.begin() + static_cast<long>(token + 1) * C);
    run_stack(model.predictor, model.config, g.data(), 1, state, ws);
    pred_proj.resize(C);
    kernels::gemm(kernels::Epilogue::Plain, kernels::dense(g.data(), C, 1), model.joiner_pred, {}, kernels::dense(pred_proj.data(), C, 1));
}

}  // namespace rwkvt::rt
