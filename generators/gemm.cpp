// rwkvt_gemm_{plain,bias,relu_square,residual}: a linear layer over a chunk of tokens.
//
// Buffer contract (float32, dim 0 contiguous, every min 0):
//   a(k, t)         input activations, K x T; any row stride
//   w_t(o, k)       the weight W [O, K] transposed (W^T row-major, o contiguous), packed by the runtime
//   bias(o)         epilogue=bias only
//   residual(o, t)  epilogue=residual only; may be the same memory as `out` when O % 32 == 0
//   out(o, t)       dense O x T; T = out.dim(1).extent() >= 1
//
//   out(o, t) = epi(sum_k a(k, t) w_t(o, k)), epi: plain x | bias x + bias(o) | relu_square max(x, 0)^2 |
//               residual residual(o, t) + x
#include "Halide.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

enum class Epilogue { Plain, Bias, ReluSquare, Residual };

class Gemm : public Generator<Gemm> {
public:
    GeneratorParam<Epilogue> epilogue{"epilogue", Epilogue::Plain,
                                      {{"plain", Epilogue::Plain},
                                       {"bias", Epilogue::Bias},
                                       {"relu_square", Epilogue::ReluSquare},
                                       {"residual", Epilogue::Residual}}};
    // Tokens per cache block (in register tiles) and outputs per cache block (in register tiles).
    GeneratorParam<int> block_rows{"block_rows", 32};
    GeneratorParam<int> block_cols{"block_cols", 8};
    // Register tile override (0: chosen from the target).
    GeneratorParam<int> tile_vectors{"tile_vectors", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};

    Input<Buffer<float>> a{"a", 2};
    Input<Buffer<float>> w_t{"w_t", 2};
    Input<Buffer<float>>* bias = nullptr;
    Input<Buffer<float>>* residual = nullptr;
    Output<Buffer<float>> out{"out", 2};

    void configure() {
        if (epilogue == Epilogue::Bias) bias = add_input<Buffer<float>>("bias", 1);
        if (epilogue == Epilogue::Residual) residual = add_input<Buffer<float>>("residual", 2);
    }

    void generate() {
        rwkvt_gen::check_register_tile("gemm", get_target(), tile_vectors, tile_rows);
        rwkvt_gen::check_at_least("gemm", "block_rows", block_rows, 1);
        rwkvt_gen::check_at_least("gemm", "block_cols", block_cols, 1);

        // ---- Algorithm ----
        const Expr K = w_t.dim(1).extent();
        // The register tile always spans `rows` tokens (bound_extent below); tokens past the end
        // read the last row of `a` and are never stored.
        const Expr last_t = a.dim(1).extent() - 1;
        RDom k(0, K, "k");
        // The tiled product reads the weights through a copy of the cache block's columns (see the
        // schedule), so that a register tile's k loop walks a short contiguous panel instead of
        // one 4 KB page per k of a wide W^T.
        w_block(o, kw) = w_t(o, kw);
        prod(o, t) = 0.0f;
        prod(o, t) += a(k, min(t, last_t)) * w_block(o, k);
        // The same product one token at a time, for decode steps (T = 1): the register tile would
        // otherwise compute `rows` copies of the token. The select folds away in the specialisations
        // below, so each computes only one of the two.
        const rwkvt_gen::RegisterTile tile = rwkvt_gen::register_tile(get_target(), tile_vectors, tile_rows);
        const int row_width = 4 * tile.vec;
        const Expr single_row = a.dim(1).extent() == 1 && w_t.dim(0).extent() >= row_width;
        const Expr many_rows = a.dim(1).extent() > 1;
        prod_row(o, t) = 0.0f;
        prod_row(o, t) += a(k, min(t, last_t)) * w_t(o, k);

        Expr value = select(single_row, prod_row(o, t), prod(o, t));
        switch ((Epilogue)epilogue) {
        case Epilogue::Plain: break;
        case Epilogue::Bias: value = value + (*bias)(o); break;
        case Epilogue::ReluSquare: {
            Expr r = max(value, 0.0f);
            value = r * r;
            break;
        }
        case Epilogue::Residual: value = (*residual)(o, t) + value; break;
        }
        out(o, t) = value;

        for (int d = 0; d < 2; ++d) {
            a.dim(d).set_min(0);
            w_t.dim(d).set_min(0);
            out.dim(d).set_min(0);
        }
        if (residual) {
            residual->dim(0).set_min(0);
            residual->dim(1).set_min(0);
        }
        if (bias) bias->dim(0).set_min(0);

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        a.set_estimates({{0, 288}, {0, 64}});
        w_t.set_estimates({{0, 1152}, {0, 288}});
        if (bias) bias->set_estimates({{0, 1152}});
        if (residual) residual->set_estimates({{0, 1152}, {0, 64}});
        out.set_estimates({{0, 1152}, {0, 64}});
        if (auto_schedule) return;

        // ---- Schedule ----
        const Expr O = out.dim(0).extent();
        // Decode step: one token, 4-vector columns of outputs in parallel, the reduction inside.
        out.specialize(single_row)
            .split(o, oo, oi, row_width, TailStrategy::ShiftInwards)
            .split(t, to, ti, 1)
            .reorder(oi, ti, oo, to)
            .split(oo, ob, oo, 4, TailStrategy::GuardWithIf)
            .split(to, tb, to, 1)
            .reorder(oi, ti, oo, to, ob, tb)
            .fuse(ob, tb, block)
            .parallel(block)
            .vectorize(oi, tile.vec)
            .unroll(oi);
        prod_row.compute_at(out, oo);
        prod_row.specialize(single_row).vectorize(o, tile.vec).unroll(o);
        prod_row.update().specialize(single_row).reorder(o, t, k).vectorize(o, tile.vec).unroll(o);
        prod_row.vectorize(o, tile.vec, TailStrategy::GuardWithIf);
        prod_row.update().reorder(o, t, k).vectorize(o, tile.vec, TailStrategy::GuardWithIf);

        // Fast path: at least one full register tile of outputs. The o tail is shifted inwards
        // (recomputing a few outputs), so with O % width == 0 every output is written exactly once.
        const Expr fast = many_rows && O >= tile.width();
        Stage fast_stage = out.specialize(fast);
        fast_stage.split(o, oo, oi, tile.width(), TailStrategy::ShiftInwards)
            .split(t, to, ti, tile.rows, TailStrategy::GuardWithIf)
            .reorder(oi, ti, oo, to)
            .split(oo, ob, oo, block_cols, TailStrategy::GuardWithIf)
            .split(to, tb, to, block_rows, TailStrategy::GuardWithIf)
            .reorder(oi, ti, oo, to, ob, tb)
            .fuse(ob, tb, block)
            .parallel(block)
            .vectorize(oi, tile.vec)
            .unroll(oi)
            .unroll(ti);
        // Narrow outputs (V = 30 of the tiny config): one guarded vector column, same loop names.
        out.split(o, oo, oi, tile.vec, TailStrategy::GuardWithIf)
            .split(t, to, ti, tile.rows, TailStrategy::GuardWithIf)
            .reorder(oi, ti, oo, to)
            .split(oo, ob, oo, 1, TailStrategy::GuardWithIf)
            .split(to, tb, to, 1, TailStrategy::GuardWithIf)
            .reorder(oi, ti, oo, to, ob, tb)
            .fuse(ob, tb, block)
            .parallel(block)
            .vectorize(oi, tile.vec, TailStrategy::GuardWithIf);
        rwkvt_gen::schedule_register_tile(prod, out, oo, o, t, k.x, tile, fast);
        w_block.compute_at(out, block).vectorize(o, tile.vec, TailStrategy::GuardWithIf);
    }

private:
    Var o{"o"}, t{"t"}, kw{"kw"}, oo{"oo"}, oi{"oi"}, to{"to"}, ti{"ti"}, ob{"ob"}, tb{"tb"}, block{"block"};
    Func prod{"prod"}, prod_row{"prod_row"}, w_block{"w_block"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Gemm, gemm)
