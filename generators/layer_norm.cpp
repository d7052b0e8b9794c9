// rwkvt_layer_norm: LayerNorm over channels (ln0, ln_out), eps 1e-5.
//
// Buffer contract (float32, dim 0 contiguous, every min 0):
//   x(c, t)      C x T, any row stride
//   weight(c), bias(c)
//   y(c, t)      dense C x T; T = y.dim(1).extent() >= 1. y may not alias x.
//
//   y(c, t) = (x(c, t) - mean_t) / sqrt(var_t + 1e-5) * weight(c) + bias(c), var biased.
#include "Halide.h"
#include "hand_schedules.h"
#include "layer_norm.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

class LayerNorm : public Generator<LayerNorm> {
public:
    // Schedule parameter (schedules/): tokens per parallel task.
    GeneratorParam<int> tokens_per_task{"tokens_per_task", rwkvt_gen::hand::kLayerNormTokensPerTask};

    Input<Buffer<float>> x{"x", 2};
    Input<Buffer<float>> weight{"weight", 1};
    Input<Buffer<float>> bias{"bias", 1};
    Output<Buffer<float>> y{"y", 2};

    void generate() {
        // ---- Algorithm ----
        const Expr C = weight.dim(0).extent();
        rwkvt_gen::LayerNormFuncs ln = rwkvt_gen::layer_norm(x, weight, bias, C, 1e-5f, "ln");
        y(c, t) = ln.y(c, t);

        for (int d = 0; d < 2; ++d) {
            x.dim(d).set_min(0);
            y.dim(d).set_min(0);
        }

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        x.set_estimates({{0, 288}, {0, 64}});
        weight.set_estimates({{0, 288}});
        bias.set_estimates({{0, 288}});
        y.set_estimates({{0, 288}, {0, 64}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // Rows are independent: a few tokens per parallel task, channels vectorised. A task computes
        // its tokens' statistics together, before their rows: statistics computed inside the
        // guarded token loop were compiled twice (full task, last partial task) and the two copies
        // rounded differently, so a token's output depended on how the call was chunked.
        const int vec = natural_vector_size<float>();
        rwkvt_gen::check_at_least("layer_norm", "tokens_per_task", tokens_per_task, 1);
        y.split(t, to, t, tokens_per_task, TailStrategy::GuardWithIf)
            .parallel(to)
            .vectorize(c, vec, TailStrategy::GuardWithIf);
        ln.schedule(y, to, vec);
    }

private:
    Var c{"c"}, t{"t"}, to{"to"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(LayerNorm, layer_norm)
