// rwkvt_lora_{decay,iclr,value_residual,gate}: the low-rank paths of the time mix (spec section 3,
// steps 4-7), both products and the non-linearities fused per tile of tokens.
//
// Buffer contract (float32, dim 0 contiguous, every min 0):
//   x(c, t)             the mixed input x_w / x_a / x_v / x_g, C x T, any row stride
//   down(d, c)          w1 / a1 / v1 / g1 exactly as stored ([C, D] row-major)
//   up(c, d)            w2 / a2 / v2 / g2 exactly as stored ([D, C] row-major)
//   base(c)             w0 / a0 / v0 (not for gate)
//   v(c, t), v_first(c, t)   value_residual only; any row stride
//   out(c, t)           dense C x T; T = out.dim(1).extent() >= 1; may not alias an input
//
//   h(d, t) = sum_c x(c, t) down(d, c);  z(c, t) = sum_d f(h(d, t)) up(c, d)
//   decay:          f = tanh,     out = exp(-e^-0.5 sigmoid(base + z))
//   iclr:           f = identity, out = sigmoid(base + z)
//   value_residual: f = identity, out = v + (v_first - v) sigmoid(base + z)
//   gate:           f = sigmoid,  out = z
#include <cmath>

#include "Halide.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

enum class Kind { Decay, Iclr, ValueResidual, Gate };

Expr sigmoid(Expr z) { return 1.0f / (1.0f + exp(-z)); }

class Lora : public Generator<Lora> {
public:
    GeneratorParam<Kind> kind{"kind", Kind::Decay,
                              {{"decay", Kind::Decay},
                               {"iclr", Kind::Iclr},
                               {"value_residual", Kind::ValueResidual},
                               {"gate", Kind::Gate}}};

    // Schedule parameters (schedules/): the register tile of the products (0: chosen from the target).
    GeneratorParam<int> tile_vectors{"tile_vectors", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};

    Input<Buffer<float>> x{"x", 2};
    Input<Buffer<float>> down{"down", 2};
    Input<Buffer<float>> up{"up", 2};
    Input<Buffer<float>>* base = nullptr;
    Input<Buffer<float>>* v = nullptr;
    Input<Buffer<float>>* v_first = nullptr;
    Output<Buffer<float>> out{"out", 2};

    void configure() {
        if (kind != Kind::Gate) base = add_input<Buffer<float>>("base", 1);
        if (kind == Kind::ValueResidual) {
            v = add_input<Buffer<float>>("v", 2);
            v_first = add_input<Buffer<float>>("v_first", 2);
        }
    }

    void generate() {
        // ---- Algorithm ----
        const Expr C = down.dim(1).extent();
        const Expr D = down.dim(0).extent();
        // Tiles span whole register tiles of tokens; rows past the end read the last token.
        const Expr last_t = x.dim(1).extent() - 1;
        RDom rc(0, C, "rc"), rd(0, D, "rd");

        // Each product also exists one token at a time for decode steps (see schedule_util.h).
        rwkvt_gen::check_register_tile("lora", get_target(), tile_vectors, tile_rows);
        const rwkvt_gen::RegisterTile tile = rwkvt_gen::register_tile(get_target(), tile_vectors, tile_rows);
        const Expr T = x.dim(1).extent();
        const Expr hidden_single = T == 1 && D % rwkvt_gen::kRowWidth == 0;
        const Expr hidden_fast = T > 1 && D % tile.width() == 0;
        const Expr out_single = T == 1 && C >= rwkvt_gen::kRowWidth;
        const Expr out_fast = T > 1 && C >= tile.width();

        h_prod(d, t) = 0.0f;
        h_prod(d, t) += x(rc, min(t, last_t)) * down(d, rc);
        h_prod_row(d, t) = 0.0f;
        h_prod_row(d, t) += x(rc, min(t, last_t)) * down(d, rc);
        Expr hidden = select(hidden_single, h_prod_row(d, t), h_prod(d, t));
        switch ((Kind)kind) {
        case Kind::Decay: h(d, t) = tanh(hidden); break;
        case Kind::Gate: h(d, t) = sigmoid(hidden); break;
        default: h(d, t) = hidden; break;
        }
        z_prod(c, t) = 0.0f;
        z_prod(c, t) += h(rd, t) * up(c, rd);
        z_prod_row(c, t) = 0.0f;
        z_prod_row(c, t) += h(rd, t) * up(c, rd);

        Expr z = select(out_single, z_prod_row(c, t), z_prod(c, t));
        switch ((Kind)kind) {
        case Kind::Decay:
            out(c, t) = exp(-static_cast<float>(std::exp(-0.5)) * sigmoid((*base)(c) + z));
            break;
        case Kind::Iclr: out(c, t) = sigmoid((*base)(c) + z); break;
        case Kind::ValueResidual:
            out(c, t) = (*v)(c, t) + ((*v_first)(c, t) - (*v)(c, t)) * sigmoid((*base)(c) + z);
            break;
        case Kind::Gate: out(c, t) = z; break;
        }

        for (int i = 0; i < 2; ++i) {
            x.dim(i).set_min(0);
            down.dim(i).set_min(0);
            up.dim(i).set_min(0);
            out.dim(i).set_min(0);
            if (v) v->dim(i).set_min(0);
            if (v_first) v_first->dim(i).set_min(0);
        }

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        x.set_estimates({{0, 288}, {0, 64}});
        down.set_estimates({{0, 64}, {0, 288}});
        up.set_estimates({{0, 288}, {0, 64}});
        if (base) base->set_estimates({{0, 288}});
        if (v) v->set_estimates({{0, 288}, {0, 64}});
        if (v_first) v_first->set_estimates({{0, 288}, {0, 64}});
        out.set_estimates({{0, 288}, {0, 64}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // Per tile of tokens (one task each): the rank-D hidden rows h for the tile, then the
        // output register tiles. Both products use the register-tiled update of schedule_util.h.
        // A single token (decode step) is split over output columns instead.
        rwkvt_gen::tile_consumer(out, c, t, co, ci, to, ti, tile, out_single, out_fast, true);
        out.parallel(to);
        out.specialize(out_fast).parallel(to);
        rwkvt_gen::schedule_register_tile(z_prod, out, co, c, t, rd.x, tile, out_fast);
        rwkvt_gen::schedule_single_row(z_prod_row, out, co, c, t, rd.x, tile, out_single);

        h.compute_at(out, to);
        rwkvt_gen::tile_consumer(h, d, t, do_, di, hto, hti, tile, hidden_single, hidden_fast, false);
        rwkvt_gen::schedule_register_tile(h_prod, h, do_, d, t, rc.x, tile, hidden_fast);
        rwkvt_gen::schedule_single_row(h_prod_row, h, do_, d, t, rc.x, tile, hidden_single);
    }

private:
    Var c{"c"}, d{"d"}, t{"t"}, co{"co"}, ci{"ci"}, to{"to"}, ti{"ti"}, do_{"dO"}, di{"di"}, hto{"hto"},
        hti{"hti"};
    Func h_prod{"h_prod"}, h_prod_row{"h_prod_row"}, h{"h"}, z_prod{"z_prod"}, z_prod_row{"z_prod_row"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Lora, lora)
