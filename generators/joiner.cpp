// rwkvt_joiner: the transducer joiner's tail for B (encoder frame, predictor output) pairs
// (spec section 4): logits = W3 relu(W2 relu(enc_proj + pred_proj) + b2) + b3.
//
// Buffer contract (float32, dim 0 contiguous, every min 0):
//   enc_proj(c, b)    W_e e + b1 per pair; any row stride, 0 included (one frame for many pairs)
//   pred_proj(c, b)   W_p g per pair; any row stride, 0 included
//   hidden_w_t(o, c)  W2^T (o contiguous), hidden_b(o)
//   out_w_t(v, c)     W3^T (v contiguous), out_b(v)
//   logits(v, b)      dense V x B; B = logits.dim(1).extent() >= 1
#include "Halide.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

class Joiner : public Generator<Joiner> {
public:
    // Schedule parameters (schedules/): the register tile of the products (0: chosen from the target).
    GeneratorParam<int> tile_vectors{"tile_vectors", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};

    Input<Buffer<float>> enc_proj{"enc_proj", 2};
    Input<Buffer<float>> pred_proj{"pred_proj", 2};
    Input<Buffer<float>> hidden_w_t{"hidden_w_t", 2};
    Input<Buffer<float>> hidden_b{"hidden_b", 1};
    Input<Buffer<float>> out_w_t{"out_w_t", 2};
    Input<Buffer<float>> out_b{"out_b", 1};
    Output<Buffer<float>> logits{"logits", 2};

    void generate() {
        // ---- Algorithm ----
        const Expr C = hidden_w_t.dim(1).extent();
        const Expr H = hidden_w_t.dim(0).extent();
        // Tiles span whole register tiles of pairs; pairs past the end repeat the last one.
        const Expr last_e = enc_proj.dim(1).extent() - 1, last_p = pred_proj.dim(1).extent() - 1;
        h1(c, b) = max(enc_proj(c, min(b, last_e)) + pred_proj(c, min(b, last_p)), 0.0f);
        RDom rc(0, C, "rc"), rh(0, H, "rh");
        // Each product also exists one pair at a time (greedy decoding: B = 1), see schedule_util.h.
        rwkvt_gen::check_register_tile("joiner", get_target(), tile_vectors, tile_rows);
        const rwkvt_gen::RegisterTile tile = rwkvt_gen::register_tile(get_target(), tile_vectors, tile_rows);
        const Expr B = pred_proj.dim(1).extent(), V = out_w_t.dim(0).extent();
        const Expr hidden_single = B == 1 && H % rwkvt_gen::kRowWidth == 0;
        const Expr hidden_fast = B > 1 && H % tile.width() == 0;
        const Expr out_single = B == 1 && V >= rwkvt_gen::kRowWidth;
        const Expr out_fast = B > 1 && V >= tile.width();
        h2_prod(o, b) = 0.0f;
        h2_prod(o, b) += h1(rc, b) * hidden_w_t(o, rc);
        h2_prod_row(o, b) = 0.0f;
        h2_prod_row(o, b) += h1(rc, b) * hidden_w_t(o, rc);
        h2(o, b) = max(select(hidden_single, h2_prod_row(o, b), h2_prod(o, b)) + hidden_b(o), 0.0f);
        out_prod(v, b) = 0.0f;
        out_prod(v, b) += h2(rh, b) * out_w_t(v, rh);
        out_prod_row(v, b) = 0.0f;
        out_prod_row(v, b) += h2(rh, b) * out_w_t(v, rh);
        logits(v, b) = select(out_single, out_prod_row(v, b), out_prod(v, b)) + out_b(v);

        for (int i = 0; i < 2; ++i) {
            enc_proj.dim(i).set_min(0);
            pred_proj.dim(i).set_min(0);
            hidden_w_t.dim(i).set_min(0);
            out_w_t.dim(i).set_min(0);
            logits.dim(i).set_min(0);
        }

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        enc_proj.set_estimates({{0, 288}, {0, 16}});
        pred_proj.set_estimates({{0, 288}, {0, 16}});
        hidden_w_t.set_estimates({{0, 288}, {0, 288}});
        hidden_b.set_estimates({{0, 288}});
        out_w_t.set_estimates({{0, 1024}, {0, 288}});
        out_b.set_estimates({{0, 1024}});
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
        rwkvt_gen::schedule_register_tile(out_prod, logits, vo, v, b, rh.x, tile, out_fast);
        rwkvt_gen::schedule_single_row(out_prod_row, logits, vo, v, b, rh.x, tile, out_single);

        h2.compute_at(logits, bo);
        rwkvt_gen::tile_consumer(h2, o, b, oo, oi, hbo, hbi, tile, hidden_single, hidden_fast, false);
        rwkvt_gen::schedule_register_tile(h2_prod, h2, oo, o, b, rc.x, tile, hidden_fast);
        rwkvt_gen::schedule_single_row(h2_prod_row, h2, oo, o, b, rc.x, tile, hidden_single);
        h1.compute_at(logits, bo).vectorize(c, tile.vec, TailStrategy::GuardWithIf);
    }

private:
    Var c{"c"}, o{"o"}, v{"v"}, b{"b"}, vo{"vo"}, vi{"vi"}, bo{"bo"}, bi{"bi"}, oo{"oo"}, oi{"oi"}, hbo{"hbo"},
        hbi{"hbi"};
    Func h1{"h1"}, h2_prod{"h2_prod"}, h2_prod_row{"h2_prod_row"}, h2{"h2"}, out_prod{"out_prod"},
        out_prod_row{"out_prod_row"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Joiner, joiner)
