// Scheduling helpers shared by the generators that contain matrix products (gemm, lora, joiner,
// log_mel). Each product is written the same way in the algorithms:
//
//     prod(o, t)  = 0;
//     prod(o, t) += a(k, t) * w(o, k);        // RDom k, o contiguous in w
//
// and consumed point-wise by an epilogue Func. The fast schedule keeps a register tile of
// `vectors` x natural_vector_size accumulators in o by `rows` tokens in t, with the reduction loop
// outside the tile: per k, `vectors` vector loads of w, `rows` broadcasts of a and vectors*rows FMAs.
#pragma once

#include "Halide.h"

namespace rwkvt_gen {

struct RegisterTile {
    int vec;      // floats per vector
    int vectors;  // vectors per tile along o
    int rows;     // tokens per tile along t
    int width() const { return vec * vectors; }
};

// 2 x 8 accumulators (16 of the 32 zmm registers) with AVX-512; 2 x 6 (12 of the 16 ymm) without, so
// the two weight vectors and the broadcast still fit in registers. On an AVX2-only Zen core,
// [1024 x 288] x [288 x 1152] measured (one core, GFLOP/s): 2x6 ~50, 2x5 ~48, 3x4 ~45, 2x4 ~40,
// 4x3 ~32, 1x8 ~30 (Eigen -march=native: ~23). Non-zero arguments override (tuning).
inline RegisterTile register_tile(const Halide::Target& target, int vectors = 0, int rows = 0) {
    RegisterTile tile;
    tile.vec = target.natural_vector_size<float>();
    tile.vectors = 2;
    tile.rows = target.has_feature(Halide::Target::AVX512) ? 8 : 6;
    if (vectors > 0) tile.vectors = vectors;
    if (rows > 0) tile.rows = rows;
    return tile;
}

// Schedule parameters come from data files (schedules/): a value that cannot work stops the build
// with the kernel's and the parameter's name instead of producing a slow or wrong kernel.
inline int vector_registers(const Halide::Target& target) {
    return target.has_feature(Halide::Target::AVX512) || target.arch == Halide::Target::ARM ? 32 : 16;
}

// The vector registers a register tile of `vectors` x `rows` occupies in the product's inner loop:
// the accumulators, one vector of weights per output vector and the broadcast input.
inline int registers_needed(int vectors, int rows) { return vectors * rows + vectors + 1; }

inline void check_register_tile(const char* kernel, const Halide::Target& target, int vectors, int rows) {
    _halide_user_assert(vectors >= 0 && rows >= 0) << kernel << ": tile_vectors=" << vectors << ", tile_rows=" << rows
                                           << ": must be >= 0 (0: chosen from the target)\n";
    const RegisterTile tile = register_tile(target, vectors, rows);
    const int needed = registers_needed(tile.vectors, tile.rows);
    _halide_user_assert(needed <= vector_registers(target))
        << kernel << ": tile_rows=" << tile.rows << " with tile_vectors=" << tile.vectors << " needs " << needed
        << " vector registers; the target has " << vector_registers(target) << "\n";
}

inline void check_at_least(const char* kernel, const char* name, int value, int minimum) {
    _halide_user_assert(value >= minimum) << kernel << ": " << name << "=" << value << ": must be >= " << minimum << "\n";
}

// Schedules `prod` (pure + one update over `k`) to be computed per register tile inside `consumer`,
// at loop level `at`. `fast` (a condition known at the consumer's specialisation) selects the
// unrolled, fully vectorised update; otherwise the update guards the o tail (O not a multiple of the
// vector width, e.g. V = 30).
inline void schedule_register_tile(Halide::Func prod, Halide::Func consumer, Halide::Var at, Halide::Var o,
                                   Halide::Var t, Halide::RVar k, const RegisterTile& tile, Halide::Expr fast) {
    using namespace Halide;
    prod.compute_at(consumer, at).bound_extent(t, tile.rows);
    Var oi("oi_acc");
    prod.specialize(fast).vectorize(o, tile.vec).unroll(o).unroll(t);
    prod.vectorize(o, tile.vec, TailStrategy::GuardWithIf).unroll(t);
    prod.update()
        .specialize(fast)
        .reorder(o, t, k)
        .vectorize(o, tile.vec)
        .unroll(o)
        .unroll(t);
    prod.update().reorder(o, t, k).vectorize(o, tile.vec, TailStrategy::GuardWithIf).unroll(t);
}

// Decode steps run one token at a time (T = 1), where a register tile of `rows` tokens would compute
// `rows` copies of it. Each product therefore also exists as `prod_row` (same definition), and its
// consumer reads select(single, prod_row, prod): the consumer's specialisations (single first, then
// fast, which must imply T > 1) fold the select so that each computes only one of the two.
// Single-row tiles are 32 outputs wide (4 AVX2 / 2 AVX-512 vectors).
constexpr int kRowWidth = 32;

// Schedules `prod_row` (pure + one update over `k`) per 32-output column of `consumer` at `at`.
inline void schedule_single_row(Halide::Func prod_row, Halide::Func consumer, Halide::Var at, Halide::Var o,
                                Halide::Var t, Halide::RVar k, const RegisterTile& tile, Halide::Expr single) {
    using namespace Halide;
    prod_row.compute_at(consumer, at);
    prod_row.specialize(single).vectorize(o, tile.vec).unroll(o);
    prod_row.update().specialize(single).reorder(o, t, k).vectorize(o, tile.vec).unroll(o);
    prod_row.vectorize(o, tile.vec, TailStrategy::GuardWithIf);
    prod_row.update().reorder(o, t, k).vectorize(o, tile.vec, TailStrategy::GuardWithIf);
}

// Whole register tiles of a consumer stage: loops, innermost first, oi (vectorised, unrolled), ti
// (unrolled), oo, to; o tail as given, t tail guarded.
inline Halide::Stage register_tile_loops(Halide::Stage s, Halide::Var o, Halide::Var t, Halide::Var oo, Halide::Var oi,
                                         Halide::Var to, Halide::Var ti, const RegisterTile& tile, Halide::TailStrategy o_tail) {
    using namespace Halide;
    return s.split(o, oo, oi, tile.width(), o_tail)
        .split(t, to, ti, tile.rows, TailStrategy::GuardWithIf)
        .reorder(oi, ti, oo, to)
        .vectorize(oi, tile.vec)
        .unroll(oi)
        .unroll(ti);
}

// Splits a consumer of a register-tiled product into tiles; loops, innermost first: oi
// (vectorised), ti, oo, to. With `single` (T = 1): 32-output columns of one token. With `fast`:
// whole register tiles, o tail shifted inwards for an output, rounded up for an intermediate
// (whose extent `fast` must guarantee to be a multiple of the tile width). Otherwise single vectors
// with guarded tails. t tails are always guarded.
inline void tile_consumer(Halide::Func f, Halide::Var o, Halide::Var t, Halide::Var oo, Halide::Var oi,
                          Halide::Var to, Halide::Var ti, const RegisterTile& tile, Halide::Expr single,
                          Halide::Expr fast, bool is_output) {
    using namespace Halide;
    const TailStrategy o_tail = is_output ? TailStrategy::ShiftInwards : TailStrategy::RoundUp;
    f.specialize(single)
        .split(o, oo, oi, kRowWidth, o_tail)
        .split(t, to, ti, 1)
        .reorder(oi, ti, oo, to)
        .vectorize(oi, tile.vec)
        .unroll(oi);
    register_tile_loops(f.specialize(fast), o, t, oo, oi, to, ti, tile, o_tail);
    f.split(o, oo, oi, tile.vec, TailStrategy::GuardWithIf)
        .split(t, to, ti, tile.rows, TailStrategy::GuardWithIf)
        .reorder(oi, ti, oo, to)
        .vectorize(oi, tile.vec, TailStrategy::GuardWithIf);
}

}  // namespace rwkvt_gen
