// rwkvt_joiner and rwkvt_joiner_bf16: the transducer joiner's tail for B (encoder frame, predictor
// output) pairs (spec section 4): logits = W3 relu(W2 relu(enc_proj + pred_proj) + b2) + b3, with
// float32 or bfloat16 W2 and W3.
//
// Buffer contract (float32 unless stated, dim 0 contiguous, every min 0):
//   enc_proj(c, b)    W_e e + b1 per pair; any row stride, 0 included (one frame for many pairs)
//   pred_proj(c, b)   W_p g per pair; any row stride, 0 included
//   hidden_w_t(o, c)  weights=f32: W2^T (o contiguous)
//   hidden_w_pairs(j, o, p), hidden_w_units(o, p)  weights=bf16: W2 as bf16 pairs and the same memory
//                     as uint32 units, packed as for the bf16 GEMMs (gemm.cpp); C even
//   hidden_b(o)
//   out_w_t(v, c)     weights=f32: W3^T (v contiguous)
//   out_w_pairs(j, v, p), out_w_units(v, p)  weights=bf16: W3, packed the same way; H even
//   out_b(v)
//   logits(v, b)      dense V x B; B = logits.dim(1).extent() >= 1
//
// bf16 weights halve the 1.5 MB of W2 and W3 that every call streams (greedy decoding calls the
// joiner about ten times per second of audio). As in the bf16 GEMMs, on targets with AVX512-BF16 the
// hidden activations are rounded to bf16 and each pair of inputs is one vdpbf16ps lane; elsewhere
// the weights are widened to f32 in registers (a shift and a mask per 32-bit pair) and the products
// stay f32.
#include "Halide.h"
#include "bf16_pairs.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

enum class Weights { F32, BF16 };

class Joiner : public Generator<Joiner> {
public:
    GeneratorParam<Weights> weights{"weights", Weights::F32, {{"f32", Weights::F32}, {"bf16", Weights::BF16}}};
    // Schedule parameters (schedules/): the register tile of the products (0: chosen from the target).
    GeneratorParam<int> tile_vectors{"tile_vectors", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};

    Input<Buffer<float>> enc_proj{"enc_proj", 2};
    Input<Buffer<float>> pred_proj{"pred_proj", 2};
    // A layer's inputs, in argument order: weights (f32, or bf16 pairs and the same memory as units),
    // then bias; named <layer>_w_t, <layer>_w_pairs, <layer>_w_units, <layer>_b.
    struct LayerInputs {
        Input<Buffer<float>>* w_t = nullptr;
        Input<Buffer<bfloat16_t>>* w_pairs = nullptr;
        Input<Buffer<uint32_t>>* w_units = nullptr;
        Input<Buffer<float>>* bias = nullptr;
    };
    LayerInputs hidden, out;  // W2, b2 and W3, b3
    Output<Buffer<float>> logits{"logits", 2};

    void configure() {
        hidden = add_layer_inputs("hidden");
        out = add_layer_inputs("out");
    }

    void generate() {
        // ---- Algorithm ----
        const bool bf16 = bf16_weights();
        const Expr C = bf16 ? 2 * hidden.w_pairs->dim(2).extent() : hidden.w_t->dim(1).extent();
        const Expr H = bf16 ? hidden.w_pairs->dim(1).extent() : hidden.w_t->dim(0).extent();
        const Expr V = bf16 ? out.w_pairs->dim(1).extent() : out.w_t->dim(0).extent();
        // Tiles span whole register tiles of pairs; pairs past the end repeat the last one.
        const Expr last_e = enc_proj.dim(1).extent() - 1, last_p = pred_proj.dim(1).extent() - 1;
        // On vdpbf16ps targets the activations each product reads are stored as bf16 (rounded once).
        const Expr h1_value = max(enc_proj(c, min(b, last_e)) + pred_proj(c, min(b, last_p)), 0.0f);
        h1(c, b) = dot_pairs() ? cast<bfloat16_t>(h1_value) : h1_value;
        // Each product also exists one pair at a time (greedy decoding: B = 1), see schedule_util.h.
        rwkvt_gen::check_register_tile("joiner", get_target(), tile_vectors, tile_rows);
        const rwkvt_gen::RegisterTile tile = rwkvt_gen::register_tile(get_target(), tile_vectors, tile_rows);
        const Expr B = pred_proj.dim(1).extent();
        const Expr hidden_single = B == 1 && H % rwkvt_gen::kRowWidth == 0;
        const Expr hidden_fast = B > 1 && H % tile.width() == 0;
        const Expr out_single = B == 1 && V >= rwkvt_gen::kRowWidth;
        const Expr out_fast = B > 1 && V >= tile.width();
        rc = RDom(0, C, "rc");
        rh = RDom(0, H, "rh");
        rc_pairs = RDom(0, 2, 0, C / 2, "rc_pairs");
        rh_pairs = RDom(0, 2, 0, H / 2, "rh_pairs");
        define_product(h2_prod, h1, hidden, o, rc, rc_pairs);
        define_product(h2_prod_row, h1, hidden, o, rc, rc_pairs);
        const Expr h2_value = max(select(hidden_single, h2_prod_row(o, b), h2_prod(o, b)) + (*hidden.bias)(o), 0.0f);
        h2(o, b) = dot_pairs() ? cast<bfloat16_t>(h2_value) : h2_value;
        define_product(out_prod, h2, out, v, rh, rh_pairs);
        define_product(out_prod_row, h2, out, v, rh, rh_pairs);
        logits(v, b) = select(out_single, out_prod_row(v, b), out_prod(v, b)) + (*out.bias)(v);

        for (int i = 0; i < 2; ++i) {
            enc_proj.dim(i).set_min(0);
            pred_proj.dim(i).set_min(0);
            logits.dim(i).set_min(0);
        }
        for (auto* w_t : {hidden.w_t, out.w_t})
            if (w_t) {
                w_t->dim(0).set_min(0);
                w_t->dim(1).set_min(0);
            }
        for (const LayerInputs* layer : {&hidden, &out})
            if (layer->w_pairs) rwkvt_gen::constrain_bf16_pairs(*layer->w_pairs, *layer->w_units);

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        enc_proj.set_estimates({{0, 288}, {0, 16}});
        pred_proj.set_estimates({{0, 288}, {0, 16}});
        if (hidden.w_t) hidden.w_t->set_estimates({{0, 288}, {0, 288}});
        if (hidden.w_pairs) hidden.w_pairs->set_estimates({{0, 2}, {0, 288}, {0, 144}});
        if (hidden.w_units) hidden.w_units->set_estimates({{0, 288}, {0, 144}});
        hidden.bias->set_estimates({{0, 288}});
        if (out.w_t) out.w_t->set_estimates({{0, 1024}, {0, 288}});
        if (out.w_pairs) out.w_pairs->set_estimates({{0, 2}, {0, 1024}, {0, 144}});
        if (out.w_units) out.w_units->set_estimates({{0, 1024}, {0, 144}});
        out.bias->set_estimates({{0, 1024}});
        logits.set_estimates({{0, 1024}, {0, 16}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // One tile of pairs per parallel task: h1 and h2 for the tile, then the logits' register
        // tiles. V = 30 (tiny config) takes the guarded narrow path.
        // One pair (greedy decoding) is split over output columns instead, and so is a window of
        // pairs that fits one tile (greedy decoding's short windows), which would otherwise be one
        // task: the tile's h1 and h2 first, then its column tiles shared among the threads.
        const Expr few_pairs = out_fast && B <= tile.rows;
        rwkvt_gen::register_tile_loops(logits.specialize(few_pairs), v, b, vo, vi, bo, bi, tile, TailStrategy::ShiftInwards)
            .parallel(vo);
        rwkvt_gen::tile_consumer(logits, v, b, vo, vi, bo, bi, tile, out_single, out_fast, true);
        logits.parallel(bo);
        logits.specialize(out_fast).parallel(bo);
        schedule_products(out_prod, out_prod_row, logits, vo, v, rh, rh_pairs, tile, out_fast, out_single);

        h2.compute_at(logits, bo);
        rwkvt_gen::tile_consumer(h2, o, b, oo, oi, hbo, hbi, tile, hidden_single, hidden_fast, false);
        schedule_products(h2_prod, h2_prod_row, h2, oo, o, rc, rc_pairs, tile, hidden_fast, hidden_single);
        h1.compute_at(logits, bo).vectorize(c, tile.vec, TailStrategy::GuardWithIf);
    }

private:
    LayerInputs add_layer_inputs(const std::string& layer) {
        LayerInputs in;
        if (bf16_weights()) {
            in.w_pairs = add_input<Buffer<bfloat16_t>>(layer + "_w_pairs", 3);
            in.w_units = add_input<Buffer<uint32_t>>(layer + "_w_units", 2);
        } else {
            in.w_t = add_input<Buffer<float>>(layer + "_w_t", 2);
        }
        in.bias = add_input<Buffer<float>>(layer + "_b", 1);
        return in;
    }

    bool bf16_weights() const { return weights == Weights::BF16; }
    // vdpbf16ps: the pair of inputs is the innermost, vectorised reduction (see schedule_products).
    bool dot_pairs() const { return bf16_weights() && get_target().has_feature(Target::AVX512_SapphireRapids); }

    // prod(y, b) = sum over i of x(i, b) W(y, i), from f32 weights (reduction k over i) or bf16
    // pairs (reduction (j, p), i = 2 p + j). The widened form reads a pair as one 32-bit unit
    // (bf16_pairs.h; j unrolled: the same order of sums in every schedule).
    void define_product(Func prod, Func x, const LayerInputs& layer, Var y, const RDom& k, const RDom& pairs) {
        prod(y, b) = 0.0f;
        if (!bf16_weights()) {
            prod(y, b) += x(k, b) * (*layer.w_t)(y, k);
            return;
        }
        const RVar j = pairs.x, p = pairs.y;
        if (dot_pairs()) {
            prod(y, b) += cast<float>(x(2 * p + j, b)) * cast<float>((*layer.w_pairs)(j, y, p));
        } else {
            prod(y, b) += x(2 * p + j, b) * rwkvt_gen::widened_weight((*layer.w_units)(y, p), j);
        }
    }

    // The register-tiled product and the one-pair product of a layer, computed inside `consumer` at
    // `at` (f32 weights: schedule_util.h's schedules). With bf16 pairs the reduction is (j, p): on
    // vdpbf16ps targets j is the innermost vectorised lane of whole vectors of outputs (Halide turns
    // the pair sum into a VectorReduce that lowers to vdpbf16ps); their guarded tails (the tiny
    // config's V = 30) stay scalar, like the bf16 GEMMs' (gemm.cpp says why). Widened, j is unrolled
    // outside the vectorised outputs.
    void schedule_products(Func prod, Func prod_row, Func consumer, Var at, Var y, const RDom& k, const RDom& pairs,
                           const rwkvt_gen::RegisterTile& tile, const Expr& fast, const Expr& single) {
        if (!bf16_weights()) {
            rwkvt_gen::schedule_register_tile(prod, consumer, at, y, b, k.x, tile, fast);
            rwkvt_gen::schedule_single_row(prod_row, consumer, at, y, b, k.x, tile, single);
            return;
        }
        const RVar j = pairs.x, p = pairs.y;
        auto whole_vectors = [&](Stage update) {
            if (dot_pairs()) {
                update.reorder(j, y, b, p).atomic().vectorize(y, tile.vec).vectorize(j).unroll(y);
            } else {
                update.reorder(y, b, j, p).unroll(j).vectorize(y, tile.vec).unroll(y);
            }
            return update;
        };
        auto guarded_tail = [&](Stage update) {
            update.reorder(y, b, j, p).unroll(j);
            if (!dot_pairs()) update.vectorize(y, tile.vec, TailStrategy::GuardWithIf);
            return update;
        };
        prod.compute_at(consumer, at).bound_extent(b, tile.rows);
        prod.specialize(fast).vectorize(y, tile.vec).unroll(y).unroll(b);
        prod.vectorize(y, tile.vec, TailStrategy::GuardWithIf).unroll(b);
        whole_vectors(prod.update().specialize(fast)).unroll(b);
        guarded_tail(prod.update()).unroll(b);

        prod_row.compute_at(consumer, at);
        prod_row.specialize(single).vectorize(y, tile.vec).unroll(y);
        whole_vectors(prod_row.update().specialize(single));
        prod_row.vectorize(y, tile.vec, TailStrategy::GuardWithIf);
        guarded_tail(prod_row.update());
    }

    Var c{"c"}, o{"o"}, v{"v"}, b{"b"}, vo{"vo"}, vi{"vi"}, bo{"bo"}, bi{"bi"}, oo{"oo"}, oi{"oi"}, hbo{"hbo"},
        hbi{"hbi"};
    RDom rc, rh, rc_pairs, rh_pairs;  // the products' reductions: f32 over inputs, bf16 over (j, p) pairs
    Func h1{"h1"}, h2_prod{"h2_prod"}, h2_prod_row{"h2_prod_row"}, h2{"h2"}, out_prod{"out_prod"},
        out_prod_row{"out_prod_row"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Joiner, joiner)
