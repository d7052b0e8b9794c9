// LayerNorm over the channel dimension of an activation Func x(c, t), shared by the layer_norm and
// token_shift_mix generators. Two passes (mean, then mean squared deviation) for fp32 accuracy.
#pragma once

#include <string>

#include "Halide.h"

namespace rwkvt_gen {

struct LayerNormFuncs {
    Halide::Func mean, var, y;
    Halide::RDom rc;
    // Computes the per-token statistics inside `consumer` at loop `at`, summing in vector lanes
    // (rfactor) so that the reductions run at vector speed.
    void schedule(Halide::Func consumer, Halide::Var at, int vec) {
        using namespace Halide;
        for (Func stat : {mean, var}) {
            stat.compute_at(consumer, at);
            RVar rco("rco"), rci("rci");
            Var lane("lane");
            Func partial = stat.update().split(rc.x, rco, rci, vec).rfactor(rci, lane);
            partial.compute_at(consumer, at).vectorize(lane).update().vectorize(lane);
        }
    }
};

// x(c, t) over c in [0, C); weight(c), bias(c).
inline LayerNormFuncs layer_norm(Halide::Func x, Halide::Func weight, Halide::Func bias, Halide::Expr C, float eps,
                                 const std::string& name) {
    using namespace Halide;
    Var c("c"), t("t");
    RDom rc(0, C, name + "_rc");
    LayerNormFuncs ln{Func(name + "_mean"), Func(name + "_var"), Func(name), rc};
    ln.mean(t) = 0.0f;
    ln.mean(t) += x(rc, t);
    Expr mu = ln.mean(t) / cast<float>(C);
    Expr d = x(rc, t) - mu;
    ln.var(t) = 0.0f;
    ln.var(t) += d * d;
    Expr inv_std = 1.0f / sqrt(ln.var(t) / cast<float>(C) + eps);
    ln.y(c, t) = (x(c, t) - mu) * inv_std * weight(c) + bias(c);
    return ln;
}

}  // namespace rwkvt_gen
