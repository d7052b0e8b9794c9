// rwkvt_gemm_{plain,bias,relu_square,residual} and rwkvt_gemm_bf16_*: a linear layer over a chunk
// of tokens, with float32 or bfloat16 weights.
//
// Buffer contract (float32 unless stated, dim 0 contiguous, every min 0):
//   a(k, t)         input activations, K x T; any row stride
//   w_t(o, k)       weights=f32: the weight W [O, K] transposed (W^T row-major, o contiguous), packed
//                   by the runtime
//   w_pairs(j, o, p) weights=bf16: bfloat16, W[o][2p + j], so the two weights of a pair of inputs
//                   are adjacent ([K/2][O][2] row-major; K even), packed by the runtime
//   w_units(o, p)   weights=bf16: the same memory as w_pairs, as uint32 (one pair per unit: w_pairs(0,
//                   o, p) in the low half, w_pairs(1, o, p) in the high half; o contiguous)
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
// runs in f32 as with f32 weights. A one-token step there reads each pair as one 32-bit unit and
// widens both halves with one shift and one mask: read as two strided bf16 loads from the caller's
// buffer, Halide 14 assembles the even lanes one element at a time (it may not load past the last
// element of an external buffer), which made the predictor's steps instruction-bound.
//
// amx=true (the avx512_amx variant, bf16 weights): products of two or more tokens run on the AMX
// tile unit, in tiles of 16 tokens x 16 outputs. Halide 14 lowers only one form of tile product,
// one pair of inputs per instruction (16 x 16 x 2: the tile unit can take 32 inputs), so the unit
// runs at a fraction of its peak; measured on Emerald Rapids it still beats vdpbf16ps (README,
// Performance). Decode steps and outputs that are not a multiple of 16 keep the vdpbf16ps schedule.
#include "Halide.h"
#include "bf16_pairs.h"
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
    // Products of several tokens on the AMX tile unit (bf16 weights; f32 weights have no AMX form).
    // Set by the kernel variant (generators/variants.cmake), not a tuning choice: the CPU must have
    // AMX and the process the operating system's leave to use it (runtime/src/cpu_features.cpp).
    GeneratorParam<bool> amx{"amx", false};

    Input<Buffer<float>> a{"a", 2};
    Input<Buffer<float>>* w_t = nullptr;             // weights=f32
    Input<Buffer<bfloat16_t>>* w_pairs = nullptr;    // weights=bf16
    Input<Buffer<uint32_t>>* w_units = nullptr;      // weights=bf16: w_pairs as 32-bit units
    Input<Buffer<float>>* bias = nullptr;
    Input<Buffer<float>>* residual = nullptr;
    Output<Buffer<float>> out{"out", 2};

    void configure() {
        if (weights == Weights::F32) {
            w_t = add_input<Buffer<float>>("w_t", 2);
        } else {
            w_pairs = add_input<Buffer<bfloat16_t>>("w_pairs", 3);
            w_units = add_input<Buffer<uint32_t>>("w_units", 2);
        }
        if (epilogue == Epilogue::Bias) bias = add_input<Buffer<float>>("bias", 1);
        if (epilogue == Epilogue::Residual) residual = add_input<Buffer<float>>("residual", 2);
    }

    void generate() {
        rwkvt_gen::check_register_tile("gemm", get_target(), tile_vectors, tile_rows);
        rwkvt_gen::check_at_least("gemm", "block_rows", block_rows, 1);
        rwkvt_gen::check_at_least("gemm", "block_cols", block_cols, 1);
        _halide_user_assert(!amx || get_target().has_feature(Target::AVX512_SapphireRapids))
            << "gemm: amx=true needs a target with avx512_sapphirerapids (Halide 14's AMX code generation)\n";

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
            if (dot_pairs()) {
                prod_row(o, t) += a_pair * cast<float>((*w_pairs)(j, o, p));
            } else {
                // Widened in registers (bf16_pairs.h). The pair stays a reduction (j unrolled, first
                // then second), so a token's sum is added in the same order as in the register tiles.
                prod_row(o, t) += a_pair * rwkvt_gen::widened_weight((*w_units)(o, p), j);
            }
        }
        // amx_acc is the product on the tile unit: the AMX lowering recognises exactly this form
        // (bf16 activations x bf16 weight pairs, summed in f32), and its result may only be copied
        // out of the tile (amx_out) before the epilogue reads it.
        const bool amx_tiles = amx && bf16;
        if (amx_tiles) {
            amx_k = RDom(0, K, "amx_k");
            amx_acc(o, t) = 0.0f;
            amx_acc(o, t) += cast<float>(a_bf16(amx_k, t)) * cast<float>((*w_pairs)(amx_k % 2, o, amx_k / 2));
            amx_out(o, t) = amx_acc(o, t);
        }
        // prod_row is the same product one token at a time, for decode steps (T = 1): the register
        // tile would otherwise compute `rows` copies of the token. The select folds away in the
        // specialisations below, so each computes only one of the two.
        const rwkvt_gen::RegisterTile tile = rwkvt_gen::register_tile(get_target(), tile_vectors, tile_rows);
        const int row_width = 4 * tile.vec;
        const Expr single_row = a.dim(1).extent() == 1 && O >= row_width;
        const Expr many_rows = a.dim(1).extent() > 1;

        const Expr amx_rows = amx_tiles ? (many_rows && O % kAmxTile == 0) : Expr(false);
        Expr value = select(single_row, prod_row(o, t), prod(o, t));
        if (amx_tiles) value = select(amx_rows, amx_out(o, t), value);
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
        if (w_pairs) rwkvt_gen::constrain_bf16_pairs(*w_pairs, *w_units);
        if (residual) {
            residual->dim(0).set_min(0);
            residual->dim(1).set_min(0);
        }
        if (bias) bias->dim(0).set_min(0);

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        a.set_estimates({{0, 288}, {0, 64}});
        if (w_t) w_t->set_estimates({{0, 1152}, {0, 288}});
        if (w_pairs) w_pairs->set_estimates({{0, 2}, {0, 1152}, {0, 144}});
        if (w_units) w_units->set_estimates({{0, 1152}, {0, 144}});
        if (bias) bias->set_estimates({{0, 1152}});
        if (residual) residual->set_estimates({{0, 1152}, {0, 64}});
        out.set_estimates({{0, 1152}, {0, 64}});
        if (auto_schedule) return;

        // ---- Schedule ----
        if (amx_tiles) schedule_amx(amx_rows, tile);
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
        tile_in_blocks(out.specialize(fast), tile.width(), tile.rows, TailStrategy::ShiftInwards, block_cols, block_rows)
            .vectorize(oi, tile.vec)
            .unroll(oi)
            .unroll(ti);
        // Narrow outputs (V = 30 of the tiny config): one guarded vector column, same loop names.
        tile_in_blocks(out, tile.vec, tile.rows, TailStrategy::GuardWithIf, 1, 1)
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

    // The output (or one of its specialisations) in tiles of `width` outputs x `rows` tokens, the
    // tiles in cache blocks of `block_o` x `block_t` tiles shared among the threads. Loops,
    // innermost first: oi, ti (in a tile), oo, to (tiles in a block), block.
    Stage tile_in_blocks(Stage stage, int width, int rows, TailStrategy o_tail, int block_o, int block_t) {
        return stage.split(o, oo, oi, width, o_tail)
            .split(t, to, ti, rows, TailStrategy::GuardWithIf)
            .reorder(oi, ti, oo, to)
            .split(oo, ob, oo, block_o, TailStrategy::GuardWithIf)
            .split(to, tb, to, block_t, TailStrategy::GuardWithIf)
            .reorder(oi, ti, oo, to, ob, tb)
            .fuse(ob, tb, block)
            .parallel(block);
    }

    // The tile-unit path: the output in 16 x 16 tiles (tokens past the end are computed from the
    // clamped last row and never stored), cache blocks of block_rows x block_cols tiles shared among
    // the threads. Per tile, the accumulator lives in an AMX tile register across the whole
    // reduction, each step loading 16 tokens x 2 inputs of activations and 2 inputs x 16 outputs
    // of weights.
    void schedule_amx(const Expr& amx_rows, const rwkvt_gen::RegisterTile& tile) {
        tile_in_blocks(out.specialize(amx_rows), kAmxTile, kAmxTile, TailStrategy::ShiftInwards, block_cols, block_rows)
            .vectorize(oi, tile.vec);
        Var oa("oa"), ta("ta");
        RVar pair_outer("pair_outer"), pair_inner("pair_inner");
        // amx_out's rows are padded to 32 floats: in a dense 16 x 16 buffer the simplifier turns the
        // tile's 2-D store into one flat run, which Halide 14's AMX lowering does not recognise as
        // a tile store.
        amx_out.compute_at(out, oo).bound_extent(o, kAmxTile).bound_extent(t, kAmxTile).align_storage(o, 2 * kAmxTile);
        amx_out.tile(o, t, oa, ta, kAmxTile, kAmxTile).vectorize(oa).vectorize(ta);
        amx_acc.compute_at(out, oo).store_in(MemoryType::AMXTile);
        amx_acc.tile(o, t, oa, ta, kAmxTile, kAmxTile).vectorize(oa).vectorize(ta);
        amx_acc.update()
            .tile(o, t, oa, ta, kAmxTile, kAmxTile, TailStrategy::GuardWithIf)
            .split(amx_k, pair_outer, pair_inner, 2)
            .reorder(pair_inner, oa, ta, pair_outer, o, t)
            .atomic()
            .vectorize(pair_inner)
            .vectorize(oa)
            .vectorize(ta);
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
    static constexpr int kAmxTile = 16;  // tokens and outputs per AMX tile (16 rows of 64 bytes)
    RDom k, pair;  // the reduction: over k (f32 weights) or over pairs (j, p), k = 2 p + j (bf16)
    RDom amx_k;    // the tile unit's reduction over k (amx)
    Func a_clamped{"a_clamped"}, a_bf16{"a_bf16"}, prod{"prod"}, prod_row{"prod_row"}, w_block{"w_block"};
    Func amx_acc{"amx_acc"}, amx_out{"amx_out"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Gemm, gemm)
