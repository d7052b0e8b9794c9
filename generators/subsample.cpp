// rwkvt_subsample: the two causal 3x3 stride-2 convolutions of the subsampling, each with ReLU, for a
// chunk of J output rows (spec section 2). The Linear(F1*20 -> C) after it is rwkvt_gemm_bias.
//
// Buffer contract (float32, dim 0 contiguous, every min 0; M = n_mels, M1 = (M-1)/2+1, M2 = (M1-1)/2+1):
//   features(m, q)      normalised features, local rows; local row q is global feature row
//                       2 first_conv1_row - 2 + q. J output rows read local rows 0 .. 4 J + 2.
//   first_conv1_row     int: global index of local conv1 row 0 (= 2 j0 - 2 for the first output j0).
//                       Conv1 rows and feature rows with a negative global index are the causal zero
//                       padding: the kernel ignores what the buffer holds there.
//   conv1_w(kt, km, ci, co)   conv1.weight as stored [F1, 1, 3, 3]; conv1_b(co)
//   conv2_w(kt, km, ci, co)   conv2.weight as stored [F1, F1, 3, 3]; conv2_b(co)
//   flat(mel, co, j)    dense M2 x F1 x J (so each row j is the F1 M2 features co M2 + mel that the
//                       Linear reads); J = flat.dim(2).extent() >= 1
//
//   c1(co, p, r) = relu(b1 + sum_{kt, km} w1 feat(2p - 1 + km, 2r + kt)), local conv1 row r;
//   flat(p2, co, j) = relu(b2 + sum_{kt, km, ci} w2 c1(ci, 2 p2 - 1 + km, 2 j + kt)),
//   out of range mel positions and negative global rows are zero.
#include "Halide.h"
#include "hand_schedules.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

class Subsample : public Generator<Subsample> {
public:
    // Schedule parameters (schedules/): output rows per parallel task, the vector lanes over output
    // channels (0: the target's natural width), and conv2's register tile of channel_vectors
    // channel groups x mel_block mel positions.
    GeneratorParam<int> lanes{"lanes", 0};
    GeneratorParam<int> rows_per_task{"rows_per_task", rwkvt_gen::hand::kSubsampleRowsPerTask};
    GeneratorParam<int> channel_vectors{"channel_vectors", rwkvt_gen::hand::kSubsampleChannelVectors};
    GeneratorParam<int> mel_block{"mel_block", rwkvt_gen::hand::kSubsampleMelBlock};

    Input<Buffer<float>> features{"features", 2};
    Input<int> first_conv1_row{"first_conv1_row"};
    Input<Buffer<float>> conv1_w{"conv1_w", 4};
    Input<Buffer<float>> conv1_b{"conv1_b", 1};
    Input<Buffer<float>> conv2_w{"conv2_w", 4};
    Input<Buffer<float>> conv2_b{"conv2_b", 1};
    Output<Buffer<float>> flat{"flat", 3};

    void generate() {
        // ---- Algorithm ----
        const Expr M = features.dim(0).extent();
        const Expr M1 = (M - 1) / 2 + 1, M2 = (M1 - 1) / 2 + 1;
        const Expr F1 = conv1_b.dim(0).extent();
        const Expr last_q = features.dim(1).extent() - 1;
        const Expr first_feature = 2 * first_conv1_row - 2;

        // Zero padding: mel outside [0, M), negative global feature rows.
        feat(m, q) = select(m >= 0 && m < M && first_feature + q >= 0,
                            features(clamp(m, 0, M - 1), clamp(q, 0, last_q)), 0.0f);

        // Weights repacked with the output channel innermost so that it can be vectorised. The
        // register tiles are always whole (see the schedule): channels past F1 read channel F1 - 1
        // and are never stored.
        w1(co, kt, km) = conv1_w(kt, km, 0, clamp(co, 0, F1 - 1));
        w2(co, kt, km, ci) = conv2_w(kt, km, ci, clamp(co, 0, F1 - 1));

        RDom r1(0, 3, 0, 3, "r1");  // kt, km
        c1_sum(co, p, r) = conv1_b(clamp(co, 0, F1 - 1));
        c1_sum(co, p, r) += w1(co, r1.x, r1.y) * feat(2 * p - 1 + r1.y, 2 * r + r1.x);
        c1(co, p, r) = select(p >= 0 && p < M1 && first_conv1_row + r >= 0, max(c1_sum(co, p, r), 0.0f), 0.0f);

        RDom r2(0, 3, 0, 3, 0, F1, "r2");  // kt, km, ci
        c2_sum(co, p, j) = conv2_b(clamp(co, 0, F1 - 1));
        c2_sum(co, p, j) += w2(co, r2.x, r2.y, r2.z) * c1(r2.z, 2 * p - 1 + r2.y, 2 * j + r2.x);
        flat(p, co, j) = max(c2_sum(co, p, j), 0.0f);

        for (int d = 0; d < 2; ++d) features.dim(d).set_min(0);
        for (int d = 0; d < 3; ++d) flat.dim(d).set_min(0);
        flat.dim(0).set_extent(M2);
        flat.dim(1).set_extent(F1);
        for (int d = 0; d < 4; ++d) {
            conv1_w.dim(d).set_min(0);
            conv2_w.dim(d).set_min(0);
        }

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        features.set_estimates({{0, 80}, {0, 4 * 64 + 3}});
        first_conv1_row.set_estimate(128);
        conv1_w.set_estimates({{0, 3}, {0, 3}, {0, 1}, {0, 64}});
        conv1_b.set_estimates({{0, 64}});
        conv2_w.set_estimates({{0, 3}, {0, 3}, {0, 64}, {0, 64}});
        conv2_b.set_estimates({{0, 64}});
        flat.set_estimates({{0, 20}, {0, 64}, {0, 64}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // Vectorised over output channels (F1 is a multiple of 8; channels past F1 are guarded). Per
        // tile of output rows (one task each): conv1 rows of the tile (2 per output row + 1
        // shared), then conv2 with a register tile of channel_vectors channel groups x mel_block
        // mel positions, reduction outside the tile.
        const int vec = rwkvt_gen::hand::subsample_lanes(get_target(), lanes);
        rwkvt_gen::check_at_least("subsample", "rows_per_task", rows_per_task, 1);
        rwkvt_gen::check_at_least("subsample", "channel_vectors", channel_vectors, 1);
        rwkvt_gen::check_at_least("subsample", "mel_block", mel_block, 1);
        rwkvt_gen::check_at_least("subsample", "lanes", vec, 1);
        // A register tile must fit the vector registers: the accumulators, one vector of weights
        // per channel group and the broadcast input (a vector wider than the target's takes several).
        const int registers_per_vector = std::max(1, vec / get_target().natural_vector_size<float>());
        const int needed = rwkvt_gen::registers_needed(channel_vectors, mel_block) * registers_per_vector;
        _halide_user_assert(needed <= rwkvt_gen::vector_registers(get_target()))
            << "subsample: channel_vectors=" << int(channel_vectors) << " x mel_block=" << int(mel_block) << " of " << vec
            << "-lane vectors needs " << needed << " vector registers; the target has "
            << rwkvt_gen::vector_registers(get_target()) << "\n";
        w1.compute_root().vectorize(co, vec, TailStrategy::GuardWithIf);
        w2.compute_root().vectorize(co, vec, TailStrategy::GuardWithIf);

        flat.split(j, jo, j, rows_per_task, TailStrategy::GuardWithIf).parallel(jo);
        // Conv1 per register tile of channel_vectors vectors x 4 mel positions, its 9 taps unrolled.
        const int tile_width = channel_vectors * vec, conv1_mels = 4;
        c1.compute_at(flat, jo)
            .split(co, coo, co, tile_width, TailStrategy::GuardWithIf)
            .split(p, po, pi, conv1_mels, TailStrategy::GuardWithIf)
            .reorder(co, pi, coo, po, r)
            .vectorize(co, vec, TailStrategy::GuardWithIf);
        c1_sum.compute_at(c1, coo).bound_extent(co, tile_width).bound_extent(p, conv1_mels);
        c1_sum.vectorize(co, vec).unroll(co).unroll(p);
        c1_sum.update().reorder(co, p, r1.x, r1.y).vectorize(co, vec).unroll(co).unroll(p).unroll(r1.x).unroll(r1.y);

        // Conv2 per register tile of channel_vectors vectors x mel_block mel positions: the tile's
        // sums are computed whole (a constant-size tile lives in registers through the reduction),
        // with the reduction outside the tile. By hand: 2 vectors x 4 mel positions = 8 independent
        // accumulator chains (FMA latency x throughput).
        // flat is stored mel-innermost, so the tile's channel vectors are scattered (16 stores per
        // 9 F1 FMAs per accumulator: negligible).
        flat.split(co, coo, co, tile_width, TailStrategy::GuardWithIf)
            .split(p, po, pi, mel_block, TailStrategy::GuardWithIf)
            .reorder(co, pi, coo, po, j, jo)
            .vectorize(co, vec, TailStrategy::GuardWithIf);
        c2_sum.compute_at(flat, coo).bound_extent(co, tile_width).bound_extent(p, mel_block);
        c2_sum.vectorize(co, vec).unroll(co).unroll(p);
        c2_sum.update().reorder(co, p, r2.z, r2.y, r2.x).vectorize(co, vec).unroll(co).unroll(p);
    }

private:
    Var m{"m"}, q{"q"}, co{"co"}, coo{"coo"}, kt{"kt"}, km{"km"}, ci{"ci"}, p{"p"}, po{"po"}, pi{"pi"}, r{"r"},
        j{"j"}, jo{"jo"};
    Func feat{"feat"}, w1{"w1"}, w2{"w2"}, c1_sum{"c1_sum"}, c1{"c1"}, c2_sum{"c2_sum"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Subsample, subsample)
