// rwkvt_time_mix_shift (mixes=6) / rwkvt_channel_mix_shift (mixes=1): LayerNorm, token shift and the
// token-shift mixes of a block (spec section 3, steps 1-2 and the start of step 15).
//
// Buffer contract (float32, dim 0 contiguous, every min 0):
//   x(c, t)          block input, C x T, any row stride
//   ln_weight(c), ln_bias(c)
//   shift_in(c)      LN output of the token before this chunk (zeros at stream start)
//   mu(c, m)         the `mixes` mix vectors, one row each (time mix order: r, w, k, v, a, g)
//   mixed(c, m, t)   dense [T][mixes][C]; T = mixed.dim(2).extent() >= 1
//   shift_out(c)     LN output of token T-1 (the next chunk's shift_in); must not alias shift_in
//                    (the outputs are computed one after the other).
//
//   xa = LN(x); prev(t) = t == 0 ? shift_in : xa(t-1); mixed(c, m, t) = xa + (prev - xa) mu(c, m).
#include "Halide.h"
#include "hand_schedules.h"
#include "layer_norm.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

class TokenShiftMix : public Generator<TokenShiftMix> {
public:
    GeneratorParam<int> mixes{"mixes", 6};

    // Schedule parameter (schedules/): tokens per parallel task (their LN rows are shared by all mixes).
    GeneratorParam<int> tokens_per_task{"tokens_per_task", rwkvt_gen::hand::kTokenShiftMixTokensPerTask};

    Input<Buffer<float>> x{"x", 2};
    Input<Buffer<float>> ln_weight{"ln_weight", 1};
    Input<Buffer<float>> ln_bias{"ln_bias", 1};
    Input<Buffer<float>> shift_in{"shift_in", 1};
    Input<Buffer<float>> mu{"mu", 2};
    Output<Buffer<float>> mixed{"mixed", 3};
    Output<Buffer<float>> shift_out{"shift_out", 1};

    void generate() {
        // ---- Algorithm ----
        const Expr C = ln_weight.dim(0).extent();
        // Two LayerNorm instances over the same input: one feeds the mixes (computed per tile of
        // tokens), the other only the last token for shift_out, so each output owns its producers.
        rwkvt_gen::LayerNormFuncs ln = rwkvt_gen::layer_norm(x, ln_weight, ln_bias, C, 1e-5f, "xa");
        rwkvt_gen::LayerNormFuncs ln_last = rwkvt_gen::layer_norm(x, ln_weight, ln_bias, C, 1e-5f, "xa_last");

        Func xa = ln.y;
        Expr prev = select(t == 0, shift_in(c), xa(c, max(t - 1, 0)));
        mixed(c, m, t) = xa(c, t) + (prev - xa(c, t)) * mu(c, m);
        shift_out(c) = ln_last.y(c, mixed.dim(2).extent() - 1);

        for (int d = 0; d < 2; ++d) {
            x.dim(d).set_min(0);
            mu.dim(d).set_min(0);
        }
        for (int d = 0; d < 3; ++d) mixed.dim(d).set_min(0);
        mixed.dim(1).set_bounds(0, mixes);
        shift_out.dim(0).set_min(0);

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        x.set_estimates({{0, 288}, {0, 64}});
        ln_weight.set_estimates({{0, 288}});
        ln_bias.set_estimates({{0, 288}});
        shift_in.set_estimates({{0, 288}});
        mu.set_estimates({{0, 288}, {0, mixes}});
        mixed.set_estimates({{0, 288}, {0, mixes}, {0, 64}});
        shift_out.set_estimates({{0, 288}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // A tile of tokens per parallel task; the tile's LN rows (plus the one before it) are
        // computed once and reused by all mixes.
        const int vec = natural_vector_size<float>();
        rwkvt_gen::check_at_least("token_shift_mix", "tokens_per_task", tokens_per_task, 1);
        mixed.split(t, to, t, tokens_per_task, TailStrategy::GuardWithIf)
            .reorder(c, m, t, to)
            .parallel(to)
            .vectorize(c, vec, TailStrategy::GuardWithIf);
        xa.compute_at(mixed, to).vectorize(c, vec, TailStrategy::GuardWithIf);
        ln.schedule(mixed, to, vec);
        shift_out.vectorize(c, vec, TailStrategy::GuardWithIf);
        ln_last.schedule(shift_out, Var::outermost(), vec);
    }

private:
    Var c{"c"}, m{"m"}, t{"t"}, to{"to"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(TokenShiftMix, token_shift_mix)
