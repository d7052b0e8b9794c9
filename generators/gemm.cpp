// rwkvt_gemm_{plain,bias,relu_square,residual} and rwkvt_gemm_bf16_*: a linear layer over a chunk
// of tokens, with float32 or bfloat16 weights.
//
// Buffer contract (float32 unless stated, dim 0 contiguous, every min 0):
//   a(k, t)         input activations, K x T; any row stride
//   w_t(o, k)       weights=f32: the weight W [O, K] transposed (W^T row-major, o contiguous), packed
//                   by the runtime
//   w_pairs(j, o, p) weights=bf16: bfloat16, W[o][2p + j], so the two weights of a pair of inputs
//                   are adjacent ([K/2][O][2] row-major; K even), packed by the runtime
//   bias(o)         epilogue=bias only
//   residual(o, t)  epilogue=residual only; must not overlap `out`: when a register tile's width
//                   does not divide O, the last tile is shifted inwards and recomputes outputs
//                   already stored, which in place would add the product twice
//   out(o, t)       dense O x T; T = out.dim(1).extent() >= 1
//
//   out(o, t) = epi(sum_k a(k, t) w_t(o, k)), epi: plain x | bias x + bias(o) | relu_square max(x, 0)^2 |
//               residual residual(o, t) + x
//
// bf16 weights halve the bytes the product streams. On targets with AVX512-BF16 (avx512_bf16) the
// activations are rounded to bfloat16 too and each pair of inputs is one vdpbf16ps lane (bf16 x bf16
// summed in f32); elsewhere the weights are widened to f32 (exact) in registers and the product
// runs in f32 as with f32 weights.
#include "Halide.h"
#include "hand_schedules.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

enum class Epilogue { Plain, Bias, ReluSquare, Residual };
enum class Weights { F32, BF16 };

class Gemm : public Generator<Gemm> {
public:
    GeneratorParam<Epilogue> epilogue{"epilogue", Epilogue::Plain,
                                      {{"plain", Epilogue::Plain},
                                       {"bias", Epilogue::Bias},
                                       {"relu_square", Epilogue::ReluSquare},
                                       {"residual", Epilogue::Residual}}};
    GeneratorParam<Weights> weights{"weights", Weights::F32, {{"f32", Weights::F32}, {"bf16", Weights::BF16}}};
    // Tokens per cache block (in register tiles) and outputs per cache block (in register tiles).
    GeneratorParam<int> block_rows{"block_rows", rwkvt_gen::hand::kGemmBlockRows};
    GeneratorParam<int> block_cols{"block_cols", rwkvt_gen::hand::kGemmBlockCols};
    // Register tile override (0: chosen from the target).
    GeneratorParam<int> tile_vectors{"tile_vectors", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};
    // Decode steps (one token): share their column blocks among the threads, or run on the caller.
    GeneratorParam<bool> parallel_steps{"parallel_steps", rwkvt_gen::hand::kGemmParallelSteps};

    Input<Buffer<float>> a{"a", 2};
    Input<Buffer<float>>* w_t = nullptr;             // weights=f32
    Input<Buffer<bfloat16_t>>* w_pairs = nullptr;    // weights=bf16
    Input<Buffer<float>>* bias = nullptr;
    Input<Buffer<float>>* residual = nullptr;
    Output<Buffer<float>> out{"out", 2};

    void configure() {
        if (weights == Weights::F32) {
            w_t = add_input<Buffer<float>>("w_t", 2);
        } else {
            w_pairs = add_input<Buffer<bfloat16_t>>("w_pairs", 3);
        }
        if (epilogue == Epilogue::Bias) bias = add_input<Buffer<float>>("bias", 1);
        if (epilogue == Epilogue::Residual) residual = add_input<Buffer<float>>("residual", 2);
    }

    void generate() {
        rwkvt_gen::check_register_tile("gemm", get_target(), tile_vectors, tile_rows);
        rwkvt_gen::check_at_least("gemm", "block_rows", block_rows, 1);
        rwkvt_gen::check_at_least("gemm", "block_cols", block_cols, 1);

        // ---- Algorithm ----
        const bool bf16 = bf16_weights();
        const Expr O = bf16 ? w_pairs->dim(1).extent() : w_t->dim(0).extent();
        const Expr K = bf16 ? 2 * w_pairs->dim(2).extent() : w_t->dim(1).extent();
        // The register tile always spans `rows` tokens (bound_extent below); tokens past the end
        // read the last row of `a` and are never stored.
        const Expr last_t = a.dim(1).extent() - 1;
        a_clamped(kw, t) = a(kw, min(t, last_t));
        // f32 weights: one reduction over k. bf16 weights: over (j, p), k = 2 p + j, so that a pair of
        // adjacent weights is one 32-bit unit of the product.
        k = RDom(0, K, "k");
        pair = RDom(0, 2, 0, K / 2, "pair");
        const RVar j = pair.x, p = pair.y;
        // The tiled product reads the weights through a copy of the cache block's columns (see the
        // schedule), so that a register tile's k loop walks a short contiguous panel instead of
        // one 4 KB page per k of a wide W^T.
        prod(o, t) = 0.0f;
        prod_row(o, t) = 0.0f;
        if (!bf16) {
            w_block(o, kw) = (*w_t)(o, kw);
            prod(o, t) += a_clamped(k, t) * w_block(o, k);
            prod_row(o, t) += a_clamped(k, t) * (*w_t)(o, k);
        } else {
            w_block(jw, o, kw) = (*w_pairs)(jw, o, kw);
            if (dot_pairs()) a_bf16(kw, t) = cast<bfloat16_t>(a_clamped(kw, t));
            const Expr a_pair = dot_pairs() ? cast<float>(a_bf16(2 * p + j, t)) : a_clamped(2 * p + j, t);
            prod(o, t) += a_pair * cast<float>(w_block(j, o, p));
            prod_row(o, t) += a_pair * cast<float>((*w_pairs)(j, o, p));
        }
        // prod_row is the same product one token at a time, for decode steps (T = 1): the register
        // tile would otherwise compute `rows` copies of the token. The select folds away in the
        // specialisations below, so each computes only one of the two.
        const rwkvt_gen::RegisterTile tile = rwkvt_gen::register_tile(get_target(), tile_vectors, tile_rows);
        const int row_width = 4 * tile.vec;
        const Expr single_row = a.dim(1).extent() == 1 && O >= row_width;
        const Expr many_rows = a.dim(1).extent() > 1;

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
            out.dim(d).set_min(0);
            if (w_t) w_t->dim(d).set_min(0);
        }
        if (w_pairs) {
            for (int d = 0; d < 3; ++d) w_pairs->dim(d).set_min(0);
            w_pairs->dim(0).set_extent(2);
            w_pairs->dim(0).set_stride(1);
            w_pairs->dim(1).set_stride(2);
        }
        if (residual) {
            residual->dim(0).set_min(0);
            residual->dim(1).set_min(0);
        }
        if (bias) bias->dim(0).set_min(0);

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        a.set_estimates({{0, 288}, {0, 64}});
        if (w_t) w_t->set_estimates({{0, 1152}, {0, 288}});
        if (w_pairs) w_pairs->set_estimates({{0, 2}, {0, 1152}, {0, 144}});
        if (bias) bias->set_estimates({{0, 1152}});
        if (residual) residual->set_estimates({{0, 1152}, {0, 64}});
        out.set_estimates({{0, 1152}, {0, 64}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // Decode step: one token, blocks of 4-vector columns of outputs, the reduction inside.
        Stage step_stage = out.specialize(single_row);
        step_stage.split(o, oo, oi, row_width, TailStrategy::ShiftInwards)
            .split(t, to, ti, 1)
            .reorder(oi, ti, oo, to)
            .split(oo, ob, oo, 4, TailStrategy::GuardWithIf)
            .split(to, tb, to, 1)
            .reorder(oi, ti, oo, to, ob, tb)
            .fuse(ob, tb, block)
            .vectorize(oi, tile.vec)
            .unroll(oi);
        if (parallel_steps) step_stage.parallel(block);
        prod_row.compute_at(out, oo);
        prod_row.specialize(single_row).vectorize(o, tile.vec).unroll(o);
        prod_row.vectorize(o, tile.vec, TailStrategy::GuardWithIf);
        schedule_reduction(prod_row.update().specialize(single_row), tile, false, true);
        schedule_reduction(prod_row.update(), tile, false, false);

        // Fast path: at least one full register tile of outputs. The o tail is shifted inwards
        // (recomputing a few outputs), so with O % width == 0 every output is written exactly once.
        const Expr fast = many_rows && out.dim(0).extent() >= tile.width();
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
        prod.compute_at(out, oo).bound_extent(t, tile.rows);
        prod.specialize(fast).vectorize(o, tile.vec).unroll(o).unroll(t);
        prod.vectorize(o, tile.vec, TailStrategy::GuardWithIf).unroll(t);
        schedule_reduction(prod.update().specialize(fast), tile, true, true);
        schedule_reduction(prod.update(), tile, true, false);
        if (bf16) {
            w_block.compute_at(out, block).bound(jw, 0, 2).vectorize(jw).vectorize(o, tile.vec, TailStrategy::GuardWithIf);
        } else {
            w_block.compute_at(out, block).vectorize(o, tile.vec, TailStrategy::GuardWithIf);
        }
        if (dot_pairs()) a_bf16.compute_at(out, block).vectorize(kw, tile.vec, TailStrategy::GuardWithIf);
    }

    // The update of a product, innermost first: o (vectorised), t, then the reduction. `full`: whole
    // vectors of o (a register tile or a decode column), unrolled; otherwise the o tail is guarded.
    // With bf16 pairs on vdpbf16ps targets the pair j is the innermost vectorised lane: Halide turns
    // the pair sum into a VectorReduce that lowers to vdpbf16ps, accumulating into the register tile.
    void schedule_reduction(Stage update, const rwkvt_gen::RegisterTile& tile, bool tiled, bool full) {
        const RVar j = pair.x, p = pair.y;
        const bool dot = dot_pairs() && full;
        if (!bf16_weights()) {
            update.reorder(o, t, k.x);
        } else if (dot) {
            update.reorder(j, o, t, p).atomic().vectorize(o, tile.vec).vectorize(j).unroll(o);
        } else {
            update.reorder(o, t, j, p).unroll(j);
        }
        if (!dot) {
            if (full) {
                update.vectorize(o, tile.vec).unroll(o);
            } else if (!dot_pairs()) {
                update.vectorize(o, tile.vec, TailStrategy::GuardWithIf);
            }
            // On vdpbf16ps targets the guarded tail (outputs narrower than a vector: the tiny
            // config's vocabulary) stays scalar: vectorised, its predicated stride-2 loads of bf16
            // weights are assembled lane by lane, and LLVM's Sapphire Rapids code does that with the
            // AVX512-FP16 instruction vmovw, which AMD's Zen 4 and Zen 5 lack.
        }
        if (tiled) update.unroll(t);
    }

private:
    bool bf16_weights() const { return weights == Weights::BF16; }
    // vdpbf16ps: the pair of inputs is the innermost, vectorised reduction (see schedule_reduction).
    bool dot_pairs() const { return bf16_weights() && get_target().has_feature(Target::AVX512_SapphireRapids); }

    Var o{"o"}, t{"t"}, kw{"kw"}, jw{"jw"}, oo{"oo"}, oi{"oi"}, to{"to"}, ti{"ti"}, ob{"ob"}, tb{"tb"}, block{"block"};
    RDom k, pair;  // the reduction: over k (f32 weights) or over pairs (j, p), k = 2 p + j (bf16)
    Func a_clamped{"a_clamped"}, a_bf16{"a_bf16"}, prod{"prod"}, prod_row{"prod_row"}, w_block{"w_block"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Gemm, gemm)
