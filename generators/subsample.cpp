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
//   flat(f, j)          dense (F1 M2) x J, f = co M2 + mel; J = flat.dim(1).extent() >= 1
//
//   c1(co, p, r) = relu(b1 + sum_{kt, km} w1 feat(2p - 1 + km, 2r + kt)), local conv1 row r;
//   flat(co M2 + p2, j) = relu(b2 + sum_{kt, km, ci} w2 c1(ci, 2 p2 - 1 + km, 2 j + kt)),
//   out of range mel positions and negative global rows are zero.
#include "Halide.h"
#include "hand_schedules.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

class Subsample : public Generator<Subsample> {
public:
    // Schedule parameters (schedules/): output rows per parallel task, and conv2's register tile of
    // channel_vectors 8-lane channel groups x mel_block mel positions.
    GeneratorParam<int> rows_per_task{"rows_per_task", rwkvt_gen::hand::kSubsampleRowsPerTask};
    GeneratorParam<int> channel_vectors{"channel_vectors", rwkvt_gen::hand::kSubsampleChannelVectors};
    GeneratorParam<int> mel_block{"mel_block", rwkvt_gen::hand::kSubsampleMelBlock};

    Input<Buffer<float>> features{"features", 2};
    Input<int> first_conv1_row{"first_conv1_row"};
    Input<Buffer<float>> conv1_w{"conv1_w", 4};
    Input<Buffer<float>> conv1_b{"conv1_b", 1};
    Input<Buffer<float>> conv2_w{"conv2_w", 4};
    Input<Buffer<float>> conv2_b{"conv2_b", 1};
    Output<Buffer<float>> flat{"flat", 2};

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

        // Weights repacked with the output channel innermost so that it can be vectorised.
        w1(co, kt, km) = conv1_w(kt, km, 0, co);
        w2(co, kt, km, ci) = conv2_w(kt, km, ci, co);

        RDom r1(0, 3, 0, 3, "r1");  // kt, km
        c1_sum(co, p, r) = conv1_b(co);
        c1_sum(co, p, r) += w1(co, r1.x, r1.y) * feat(2 * p - 1 + r1.y, 2 * r + r1.x);
        c1(co, p, r) = select(p >= 0 && p < M1 && first_conv1_row + r >= 0, max(c1_sum(co, p, r), 0.0f), 0.0f);

        RDom r2(0, 3, 0, 3, 0, F1, "r2");  // kt, km, ci
        c2_sum(co, p, j) = conv2_b(co);
        c2_sum(co, p, j) += w2(co, r2.x, r2.y, r2.z) * c1(r2.z, 2 * p - 1 + r2.y, 2 * j + r2.x);
        flat(f, j) = max(c2_sum(f / M2, f % M2, j), 0.0f);

        for (int d = 0; d < 2; ++d) {
            features.dim(d).set_min(0);
            flat.dim(d).set_min(0);
        }
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
        flat.set_estimates({{0, 64 * 20}, {0, 64}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // Vectorised over output channels (8 lanes: F1 is 8 or 64). Per tile of output rows (one
        // task each): conv1 rows of the tile (2 per output row + 1 shared), then conv2 with a
        // register tile of two 8-lane channel groups x 4 mel positions, reduction outside the tile.
        const int lanes = 8;
        rwkvt_gen::check_at_least("subsample", "rows_per_task", rows_per_task, 1);
        rwkvt_gen::check_at_least("subsample", "channel_vectors", channel_vectors, 1);
        rwkvt_gen::check_at_least("subsample", "mel_block", mel_block, 1);
        w1.compute_root().vectorize(co, lanes, TailStrategy::GuardWithIf);
        w2.compute_root().vectorize(co, lanes, TailStrategy::GuardWithIf);

        flat.split(j, jo, j, rows_per_task, TailStrategy::GuardWithIf).parallel(jo);
        c1.compute_at(flat, jo).vectorize(co, lanes, TailStrategy::GuardWithIf);
        c1_sum.compute_at(flat, jo).vectorize(co, lanes, TailStrategy::GuardWithIf);
        c1_sum.update().reorder(co, r1.x, r1.y, p, r).vectorize(co, lanes, TailStrategy::GuardWithIf);

        c2_sum.compute_at(flat, jo)
            .split(p, po, pi, mel_block, TailStrategy::GuardWithIf)
            .reorder(co, pi, po, j)
            .vectorize(co, lanes, TailStrategy::GuardWithIf);
        // By hand: 2 vectors x 4 mel positions = 8 independent accumulator chains (FMA latency x
        // throughput).
        c2_sum.update()
            .split(co, coo, co, channel_vectors * lanes, TailStrategy::GuardWithIf)
            .split(p, po, pi, mel_block, TailStrategy::GuardWithIf)
            .reorder(co, pi, r2.z, r2.y, r2.x, po, coo, j)
            .vectorize(co, lanes)
            .unroll(co)
            .unroll(pi);
    }

private:
    Var m{"m"}, q{"q"}, co{"co"}, coo{"coo"}, kt{"kt"}, km{"km"}, ci{"ci"}, p{"p"}, po{"po"}, pi{"pi"}, r{"r"},
        j{"j"}, jo{"jo"}, f{"f"};
    Func feat{"feat"}, w1{"w1"}, w2{"w2"}, c1_sum{"c1_sum"}, c1{"c1"}, c2_sum{"c2_sum"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Subsample, subsample)
